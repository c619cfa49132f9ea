package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fused cross-entropy's forward keeps its exps in the tensor that becomes the gradient (index targets, no
 * smoothing): the first backward consumes them in place, a second one through a retained graph recomputes, and a
 * backend switched between forward and backward still gives the same gradient.
 */
class FusedCrossEntropyExpsTest {
    private static final int N = 48, C = 37;

    private static Tensor logits(long seed) {
        Tensor x = Tensor.randn(new SplittableRandom(seed), DType.FLOAT32, N, C);
        for (int i = 0; i < N * C; i++) x.storage().set(i, 3 * x.storage().get(i));
        x.storage().set(5 * C + 2, Double.NEGATIVE_INFINITY); // a masked logit
        return x.requiresGrad(true);
    }

    private static IntTensor targets(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[N];
        for (int i = 0; i < N; i++) t[i] = i % 7 == 3 ? -100 : r.nextInt(C);
        return IntTensor.of(t, N);
    }

    private static CrossEntropyLoss loss() {
        double[] w = new double[C];
        for (int k = 0; k < C; k++) w[k] = 0.5 + (k % 3);
        return CrossEntropyLoss.builder().weight(Tensor.of(DType.FLOAT32, w, C)).ignoreIndex(-100).build();
    }

    /** Same zeros and non-finite values; finite values within 1e-6 relative (plus a tiny absolute slack). */
    private static void assertClose(Tensor expected, Tensor got) {
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.storage().get(i), g = got.storage().get(i);
            if (!Double.isFinite(e) || e == 0) {
                assertEquals(e, g, 0.0, "[" + i + "]");
            } else if (!(Math.abs(g - e) <= 1e-6 * Math.abs(e) + 1e-12)) {
                fail("[" + i + "]: expected " + e + ", got " + g);
            }
        }
    }

    private static Tensor gradient(KernelBackend forward, KernelBackend backward) {
        KernelBackend prev = Kernels.use(forward);
        try {
            Tensor x = logits(1);
            Tensor l = loss().apply(x, targets(2));
            Kernels.use(backward);
            l.backward();
            return x.grad();
        } finally {
            Kernels.use(prev);
        }
    }

    @Test
    void everyPairOfBackendsGivesTheSameGradient() {
        KernelBackend simd = new SimdKernels(), scalar = new ScalarKernels();
        Tensor ref = gradient(scalar, scalar);
        assertClose(ref, gradient(simd, simd));
        assertClose(ref, gradient(simd, scalar));
        assertClose(ref, gradient(scalar, simd));
    }

    @Test
    void aRetainedGraphGivesTheSameGradientTwice() {
        KernelBackend prev = Kernels.use(new SimdKernels());
        try {
            Tensor x = logits(3);
            Tensor l = loss().apply(x, targets(4));
            Tensor one = Tensor.scalar(1, DType.FLOAT32);
            l.backward(one, true);
            Tensor first = x.grad().copy();
            x.zeroGrad();
            l.backward(one, false);
            assertNotSame(first, x.grad());
            assertClose(first, x.grad());
        } finally {
            Kernels.use(prev);
        }
    }
}
