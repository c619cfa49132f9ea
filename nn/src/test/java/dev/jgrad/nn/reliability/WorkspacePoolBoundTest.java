package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graph-reusing workspace fed every batch size from 1 to 600 (a last partial batch, evaluation at another size and
 * variable-length inputs all look like this) on a 784-256-128-10 MLP: the pooled bytes stay bounded by about twice
 * the largest step's buffers instead of growing with every size seen (unbounded, this run pools about 1 GB), and a
 * warm step that repeats the last shapes still allocates nothing.
 */
class WorkspacePoolBoundTest {
    private static final DType DT = DType.FLOAT32;

    @Test
    void cyclingBatchSizesKeepsThePoolsBounded() {
        Sequential net = Mlp.builder(784, 10).hidden(256, 128).activation(Activation.Kind.RELU).dtype(DT).seed(1).build();
        Optimizer opt = Adam.adamW(net.parameters(), 1e-3, 0.01);
        CrossEntropyLoss ce = CrossEntropyLoss.builder().build();
        SplittableRandom r = new SplittableRandom(5);
        Tensor all = Tensor.randn(r, DT, 600, 784);
        int[] labels = new int[600];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);

        // the footprint of the largest step, in a workspace of its own
        Workspace one = Workspace.reusingGraph();
        step(one, net, opt, ce, all, labels, 600);
        long largest = one.bytesAllocated();

        Workspace ws = Workspace.reusingGraph();
        long maxPooled = 0;
        for (int n = 1; n <= 600; n++) {
            step(ws, net, opt, ce, all, labels, n);
            maxPooled = Math.max(maxPooled, ws.pooledBytes());
        }
        assertTrue(maxPooled <= 2 * largest + (1 << 20),
                "pooled " + maxPooled + " bytes, the largest step needs " + largest + " (allocated in all " + ws.bytesAllocated() + ")");
        // a warm step repeating the last shapes: not one array more
        step(ws, net, opt, ce, all, labels, 600);
        long arrays = ws.arraysAllocated();
        step(ws, net, opt, ce, all, labels, 600);
        assertEquals(arrays, ws.arraysAllocated(), "a warm step after the cycle allocated arrays");
        // and a size that was evicted long ago comes back with fresh arrays, then is warm again
        step(ws, net, opt, ce, all, labels, 3);
        arrays = ws.arraysAllocated();
        step(ws, net, opt, ce, all, labels, 3);
        assertEquals(arrays, ws.arraysAllocated());
    }

    private static void step(Workspace ws, Sequential net, Optimizer opt, CrossEntropyLoss ce, Tensor all, int[] labels, int n) {
        Tensor x = dev.jgrad.ops.Ops.narrow(all, 0, 0, n).copy();
        IntTensor y = IntTensor.of(java.util.Arrays.copyOf(labels, n));
        try (Workspace w = ws.open()) {
            opt.zeroGrad();
            Tensor loss = ce.apply(net.forward(x), y);
            loss.backward();
            opt.step();
            assertTrue(Double.isFinite(loss.item()));
        }
    }
}
