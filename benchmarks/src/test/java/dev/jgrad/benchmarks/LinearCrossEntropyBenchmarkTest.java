package dev.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link LinearCrossEntropyBenchmark}'s two paths compute the same loss and gradients (on its own setup, at a smaller
 * size than the benchmarked one), and the fused one allocates far less than one {@code [N, V]} float32 tensor.
 */
class LinearCrossEntropyBenchmarkTest {

    private static LinearCrossEntropyBenchmark bench(int n, int d, int vocab) {
        LinearCrossEntropyBenchmark b = new LinearCrossEntropyBenchmark();
        b.n = n;
        b.d = d;
        b.vocab = vocab;
        b.setup();
        return b;
    }

    @Test
    void fusedAndUnfusedComputeTheSameLossAndGradients() {
        LinearCrossEntropyBenchmark b = bench(300, 24, 1500);
        Tensor lu = b.unfused();
        Tensor[] gu = {b.hidden.grad().copy(), b.weight.grad().copy(), b.bias.grad().copy()};
        Tensor lf = b.fused();
        Tensor[] gf = {b.hidden.grad(), b.weight.grad(), b.bias.grad()};
        assertClose(lu.toDoubleArray(), lf.toDoubleArray(), "loss");
        String[] names = {"hidden", "weight", "bias"};
        for (int i = 0; i < 3; i++) assertClose(gu[i].toDoubleArray(), gf[i].toDoubleArray(), names[i]);
    }

    @Test
    void fusedAllocatesNoNByVTensor() {
        LinearCrossEntropyBenchmark b = bench(4096, 8, 16384);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        b.fused(); // warm
        long nv = 4L * b.n * b.vocab;
        long before = mx.getCurrentThreadAllocatedBytes();
        b.fused();
        long fused = mx.getCurrentThreadAllocatedBytes() - before;
        before = mx.getCurrentThreadAllocatedBytes();
        b.unfused();
        long unfused = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(fused < nv / 2 && fused < unfused / 4, "fused step allocated " + fused + " bytes, [N, V] is " + nv + ", unfused " + unfused);
        assertTrue(unfused >= 2 * nv, "unfused step allocated " + unfused + " bytes, expected two [N, V] tensors of " + nv);
    }

    private static void assertClose(double[] e, double[] a, String what) {
        assertEquals(e.length, a.length, what);
        double max = 0;
        for (double v : e) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(a[i] - e[i]) <= 1e-4 * (Math.abs(e[i]) + 1e-3 * max), what + "[" + i + "]: " + e[i] + " vs " + a[i]);
        }
    }
}
