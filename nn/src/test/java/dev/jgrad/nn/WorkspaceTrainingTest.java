package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.nn.optim.Adagrad;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.RmsProp;
import dev.jgrad.nn.optim.Sgd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training an MLP inside a {@link Workspace}: bit-for-bit the same run as on the heap, and no new arrays once warm. */
class WorkspaceTrainingTest {

    private static Optimizer optimizer(String kind, List<Tensor> params) {
        return switch (kind) {
            case "sgd" -> new Sgd(params, 0.05, 0.9, 0, false, 1e-4);
            case "nesterov" -> new Sgd(params, 0.05, 0.9, 0, true, 0);
            case "amsgrad" -> Adam.builder().lr(1e-3).weightDecay(0.01).defaults(d -> d.decoupled(true).amsgrad(true)).group(params).build();
            case "rmsprop" -> new RmsProp(params, 1e-3, 0.99, 1e-8, 1e-4, 0.9, true);
            case "adagrad" -> new Adagrad(params, 1e-2, 0.01, 1e-4, 0.1, 1e-10);
            default -> Adam.adamW(params, 1e-3, 0.01);
        };
    }

    /** An MLP 20-32-16-5 with its optimizer, loss and one batch of 24 samples. */
    private record Setup(Sequential net, Optimizer opt, CrossEntropyLoss ce, Tensor x, IntTensor y) {
    }

    private static Setup setup(String kind, DType dtype, double dropout) {
        Sequential net = Mlp.builder(20, 5).hidden(32, 16).activation(Activation.Kind.RELU).dropout(dropout).dtype(dtype).seed(3).build();
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = Tensor.randn(r, dtype, 24, 20);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(5);
        return new Setup(net, optimizer(kind, net.parameters()), CrossEntropyLoss.builder().build(), x, IntTensor.of(labels));
    }

    private static double[] train(String kind, DType dtype, Workspace ws, long[] arraysAfterStep) {
        return train(kind, dtype, ws, arraysAfterStep, 0);
    }

    private static double[] train(String kind, DType dtype, Workspace ws, long[] arraysAfterStep, double dropout) {
        Setup su = setup(kind, dtype, dropout);
        Sequential net = su.net();
        Optimizer opt = su.opt();
        CrossEntropyLoss ce = su.ce();
        Tensor x = su.x();
        IntTensor y = su.y();
        double[] losses = new double[8];
        for (int step = 0; step < losses.length; step++) {
            if (ws != null) ws.open();
            try {
                opt.zeroGrad();
                Tensor loss = ce.apply(net.forward(x), y);
                loss.backward();
                opt.step();
                losses[step] = loss.item();
            } finally {
                if (ws != null) ws.close();
            }
            if (ws != null) arraysAfterStep[step] = ws.arraysAllocated();
        }
        double[] out = new double[losses.length + 1];
        System.arraycopy(losses, 0, out, 0, losses.length);
        // a checksum of the final parameters, bit-sensitive
        double sum = 0;
        for (Tensor p : net.parameters()) for (int i = 0; i < p.numel(); i++) sum += p.get(i) * (i % 7 + 1);
        out[losses.length] = sum;
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "nesterov", "adamw", "amsgrad", "rmsprop", "adagrad"})
    void trainingInAWorkspaceIsBitForBitTheHeapRunAndStopsAllocatingArrays(String kind) {
        for (DType dtype : DType.values()) {
            long[] arrays = new long[8];
            double[] heap = train(kind, dtype, null, null);
            double[] pooled = train(kind, dtype, new Workspace(), arrays);
            for (int i = 0; i < heap.length; i++) {
                assertEquals(Double.doubleToLongBits(heap[i]), Double.doubleToLongBits(pooled[i]),
                        kind + " " + dtype + " value " + i + ": " + heap[i] + " vs " + pooled[i]);
            }
            assertTrue(arrays[0] > 0);
            for (int s = 1; s < arrays.length; s++) {
                assertEquals(arrays[0], arrays[s], kind + " " + dtype + ": step " + s + " allocated new arrays");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "nesterov", "adamw", "amsgrad", "rmsprop", "adagrad"})
    void trainingInAGraphReusingWorkspaceIsBitForBitTheHeapRun(String kind) {
        for (DType dtype : DType.values()) {
            for (double dropout : new double[]{0, 0.25}) {
                double[] heap = train(kind, dtype, null, null, dropout);
                long[] arrays = new long[8];
                double[] reused = train(kind, dtype, Workspace.reusingGraph(), arrays, dropout);
                for (int i = 0; i < heap.length; i++) {
                    assertEquals(Double.doubleToLongBits(heap[i]), Double.doubleToLongBits(reused[i]),
                            kind + " " + dtype + " dropout " + dropout + " value " + i + ": " + heap[i] + " vs " + reused[i]);
                }
                for (int s = 1; s < arrays.length; s++) assertEquals(arrays[0], arrays[s], kind + " " + dtype + ": step " + s);
            }
        }
    }

    /**
     * The whole step — forward with dropout, fused cross-entropy, backward, optimizer — allocates not one byte once
     * warm, measured with the JDK's per-thread allocation counter (in the interpreter, {@code -Xint}, every warm step
     * reads exactly 0). The scalar kernels are installed because the
     * Vector API allocates a box per vector operation until C2 has compiled a kernel (after thousands of calls); the
     * SIMD path's zero is shown by the JMH GC profiler ({@code MlpStepBenchmark.stepReusingGraph}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"sgd", "nesterov", "adamw", "amsgrad", "rmsprop", "adagrad"})
    void aWarmStepInAGraphReusingWorkspaceAllocatesNothing(String kind) {
        com.sun.management.ThreadMXBean mx = allocationCounter();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx != null, "no per-thread allocation counter in this JVM");
        dev.jgrad.core.kernel.KernelBackend previous = dev.jgrad.core.kernel.Kernels.use(new dev.jgrad.core.kernel.ScalarKernels());
        try {
            for (DType dtype : DType.values()) {
                Setup su = setup(kind, dtype, 0.2);
                Optimizer opt = su.opt();
                Workspace ws = Workspace.reusingGraph();
                long[] bytes = new long[42];
                double sum = 0;
                for (int step = 0; step < bytes.length; step++) {
                    long b0 = mx.getCurrentThreadAllocatedBytes();
                    ws.open();
                    opt.zeroGrad();
                    Tensor loss = su.ce().apply(su.net().forward(su.x()), su.y());
                    loss.backward();
                    opt.step();
                    sum += loss.item();
                    ws.close();
                    bytes[step] = mx.getCurrentThreadAllocatedBytes() - b0;
                }
                assertTrue(Double.isFinite(sum));
                assertTrue(bytes[0] > 0, "the first step builds the pools");
                // a step that allocates does so every time, so steps of exactly 0 bytes prove it allocates nothing;
                // the JIT, compiling and deoptimising the code while it runs, may allocate on this thread in the odd
                // step (seen: one step in eight, 56 B to 2 KB), so a quarter of the warm steps at 0 is asked
                int zero = 0;
                for (int step = 2; step < bytes.length; step++) if (bytes[step] == 0) zero++;
                assertTrue(4 * zero >= bytes.length - 2, kind + " " + dtype + ": bytes per step " + java.util.Arrays.toString(bytes));
            }
        } finally {
            dev.jgrad.core.kernel.Kernels.use(previous);
        }
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)) return null;
        if (!mx.isThreadAllocatedMemorySupported()) return null;
        if (!mx.isThreadAllocatedMemoryEnabled()) mx.setThreadAllocatedMemoryEnabled(true);
        return mx;
    }

    @org.junit.jupiter.api.Test
    void backwardAfterTheScopeClosedThrowsInsteadOfUsingRecycledRowStatistics() {
        Sequential net = Mlp.builder(6, 3).hidden(4).seed(1).build();
        Tensor x = Tensor.randn(new SplittableRandom(2), DType.FLOAT32, 5, 6);
        IntTensor y = IntTensor.of(0, 1, 2, 1, 0);
        Workspace ws = new Workspace();
        Tensor loss;
        try (Workspace w = ws.open()) {
            loss = CrossEntropyLoss.builder().build().apply(net.forward(x), y);
        }
        try (Workspace w = ws.open()) {
            CrossEntropyLoss.builder().build().apply(net.forward(x), y); // another step reuses the buffers
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("recycled"), e.getMessage());
        }
    }
}
