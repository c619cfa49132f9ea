package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
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
            default -> Adam.adamW(params, 1e-3, 0.01);
        };
    }

    private static double[] train(String kind, DType dtype, Workspace ws, long[] arraysAfterStep) {
        Sequential net = Mlp.builder(20, 5).hidden(32, 16).activation(Activation.Kind.RELU).dtype(dtype).seed(3).build();
        Optimizer opt = optimizer(kind, net.parameters());
        CrossEntropyLoss ce = CrossEntropyLoss.builder().build();
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = Tensor.randn(r, dtype, 24, 20);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(5);
        IntTensor y = IntTensor.of(labels);
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
    @ValueSource(strings = {"sgd", "nesterov", "adamw"})
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
