package dev.jgrad.core;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.jgrad.core.TestOps.mul;
import static dev.jgrad.core.TestOps.sum;
import static org.junit.jupiter.api.Assertions.*;

class AutogradTest {

    @Test
    void productRuleThroughSharedInput() {
        Tensor x = Tensor.of(new double[]{2, 3}, 2).requiresGrad(true);
        Tensor y = sum(mul(x, x)); // d/dx = 2x, x used twice by one node
        y.backward();
        assertArrayEquals(new double[]{4, 6}, x.grad().toDoubleArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor w = Tensor.of(new double[]{5, 7}, 2);
        sum(mul(x, w)).backward();
        sum(mul(x, w)).backward();
        assertArrayEquals(new double[]{10, 14}, x.grad().toDoubleArray());
        assertNull(w.grad(), "no grad for tensors that do not require it");
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void fanOutToSeveralNodesSums() {
        Tensor x = Tensor.of(new double[]{3}, 1).requiresGrad(true);
        Tensor a = new TestOps.AddConst(1).apply(x);   // passes g through unchanged (aliasing check)
        Tensor b = new TestOps.AddConst(2).apply(x);
        Tensor y = sum(mul(a, b)); // (x+1)(x+2) → 2x+3 = 9
        y.backward();
        assertEquals(9.0, x.grad().get(0));
    }

    @Test
    void longChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[]{0.5}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = new TestOps.AddConst(1e-6).apply(y);
        sum(y).backward();
        assertEquals(1.0, x.grad().get(0));
    }

    @Test
    void noGradScopeRecordsNothingAndNests() {
        Tensor x = Tensor.of(new double[]{1}, 1).requiresGrad(true);
        try (var outer = GradMode.noGrad()) {
            try (var inner = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
            Tensor y = mul(x, x);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        assertTrue(GradMode.isEnabled());
        assertNotNull(mul(x, x).gradFn());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.of(new double[]{2}, 1).requiresGrad(true);
        Tensor d = mul(x, x).detach();
        assertFalse(d.requiresGrad());
        Tensor y = sum(mul(x, d)); // d is a constant 4
        y.backward();
        assertEquals(4.0, x.grad().get(0));
    }

    @Test
    void nonScalarBackwardNeedsGradOutput() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor y = mul(x, x);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        y.backward(Tensor.of(new double[]{1, 10}, 2));
        assertArrayEquals(new double[]{2, 40}, x.grad().toDoubleArray());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> mul(x, x).backward(Tensor.ones(DType.FLOAT64, 3)));
        assertTrue(bad.getMessage().contains("[3]"), bad.getMessage());
    }

    @Test
    void backwardTwiceThroughFreedGraphIsAnErrorUnlessRetained() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor y = sum(mul(x, x));
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("freed"), e.getMessage());

        Tensor x2 = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor y2 = sum(mul(x2, x2));
        y2.backward(Tensor.scalar(1, DType.FLOAT64), true);
        y2.backward(Tensor.scalar(1, DType.FLOAT64), true);
        assertArrayEquals(new double[]{4, 8}, x2.grad().toDoubleArray());
    }

    @Test
    void backwardOnTensorWithoutGradIsAnError() {
        Tensor x = Tensor.of(new double[]{1}, 1);
        assertThrows(IllegalStateException.class, () -> sum(x).backward());
    }

    @Test
    void mixedDtypesAreRejectedNamingTheOp() {
        Tensor a = Tensor.ones(DType.FLOAT32, 2), b = Tensor.ones(DType.FLOAT64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mul(a, b));
        assertTrue(e.getMessage().contains("Mul") && e.getMessage().contains("mixed dtypes"), e.getMessage());
    }

    @Test
    void functionInstancesAreSingleUseAndMustNotReturnTheirInput() {
        TestOps.Sum s = new TestOps.Sum();
        s.apply(Tensor.ones(DType.FLOAT64, 2));
        assertThrows(IllegalStateException.class, () -> s.apply(Tensor.ones(DType.FLOAT64, 2)));
        Function identity = new Function() {
            @Override protected Tensor forward(Tensor... in) { return in[0]; }
            @Override protected Tensor[] backward(Tensor g) { return new Tensor[]{g}; }
        };
        assertThrows(IllegalStateException.class, () -> identity.apply(Tensor.ones(DType.FLOAT64, 1)));
    }

    @Test
    void backwardReturningWrongShapeIsCaught() {
        Function bad = new Function() {
            @Override protected Tensor forward(Tensor... in) { return in[0].copy(); }
            @Override protected Tensor[] backward(Tensor g) { return new Tensor[]{Tensor.ones(DType.FLOAT64, 5)}; }
        };
        Tensor x = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
        Tensor y = bad.apply(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.backward(Tensor.ones(DType.FLOAT64, 2)));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void retainGradKeepsIntermediateGradient() {
        Tensor x = Tensor.of(new double[]{3}, 1).requiresGrad(true);
        Tensor h = mul(x, x).retainGrad();
        sum(mul(h, Tensor.of(new double[]{2}, 1))).backward();
        assertEquals(2.0, h.grad().get(0));
        assertEquals(12.0, x.grad().get(0));
    }

    @Test
    void nonLeafCannotToggleRequiresGrad() {
        Tensor x = Tensor.ones(DType.FLOAT64, 1).requiresGrad(true);
        Tensor y = mul(x, x);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void threadsBuildAndDifferentiateIndependently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<double[]> noGradThread = pool.submit(() -> {
                try (var s = GradMode.noGrad()) {
                    Thread.sleep(50);
                    return new double[]{GradMode.isEnabled() ? 1 : 0};
                }
            });
            Future<double[]> gradThread = pool.submit(() -> {
                Tensor x = Tensor.of(new double[]{1, 2, 3}, 3).requiresGrad(true);
                for (int k = 0; k < 200; k++) sum(mul(x, x)).backward();
                return x.grad().toDoubleArray();
            });
            assertArrayEquals(new double[]{400, 800, 1200}, gradThread.get());
            assertEquals(0, noGradThread.get()[0]);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void float32GradientsStayFloat32() {
        Tensor x = Tensor.randn(new SplittableRandom(1), DType.FLOAT32, 4).requiresGrad(true);
        sum(mul(x, x)).backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
    }

    @Test
    void aHeldOutputDoesNotPinItsGraphAfterBackward() throws Exception {
        Tensor x = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor h = mul(x, x);
        java.lang.ref.WeakReference<Tensor> hidden = new java.lang.ref.WeakReference<>(h);
        Tensor y = sum(h);
        h = null;
        y.backward();
        for (int i = 0; i < 50 && hidden.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(hidden.get(), "the intermediate is collectable while the loss is still held");
        assertTrue(y.item() > 0);
    }

    /** y = a + b (same shape); backward hands the very same upstream tensor to both inputs. */
    static final class SharedGradAdd extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, in[0].get(i) + in[1].get(i));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[]{g, g};
        }
    }

    @Test
    void leavesNeverShareAGradientTensorEvenWhenAnOpHandsTheSameOneToBoth() {
        Tensor a = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[]{3, 4}, 2).requiresGrad(true);
        Tensor y = new SharedGradAdd().apply(a, b);
        Tensor upstream = Tensor.of(new double[]{5, 6}, 2);
        y.backward(upstream);
        assertNotSame(a.grad().storage(), b.grad().storage());
        assertNotSame(upstream.storage(), a.grad().storage(), "the caller's gradOutput is never adopted");
        a.grad().set(0, 100);
        assertEquals(5.0, b.grad().get(0));
        assertEquals(5.0, upstream.get(0));
    }

    @Test
    void aFreshGradientIsAdoptedByTheLeafAndStillAccumulatesCorrectly() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true);
        sum(mul(x, x)).backward();
        sum(mul(x, x)).backward();
        assertArrayEquals(new double[]{4, 8}, x.grad().toDoubleArray());
    }

    /** Sums any number of same-shape inputs; records which inputs needed a gradient as forward and backward saw it. */
    private static final class SumAll extends Function {
        boolean[] inForward, inBackward;

        @Override
        protected Tensor forward(Tensor... in) {
            inForward = needs(in.length);
            assertFalse(GradMode.isEnabled());
            Tensor y = Tensor.zerosLike(in[0]);
            for (Tensor t : in) for (int i = 0; i < y.numel(); i++) y.set(i, y.get(i) + t.get(i));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            inBackward = needs(inBackward == null ? 0 : inBackward.length);
            Tensor[] grads = new Tensor[inBackward.length];
            for (int i = 0; i < grads.length; i++) if (needsInputGrad(i)) grads[i] = g.copy();
            return grads;
        }

        private boolean[] needs(int n) {
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) b[i] = needsInputGrad(i);
            return b;
        }
    }

    @Test
    void needsInputGradTracksEveryInputOfNarrowAndWideOps() {
        for (int n : new int[]{1, 2, 63, 64, 65, 130}) {
            Tensor[] in = new Tensor[n];
            for (int i = 0; i < n; i++) in[i] = Tensor.of(new double[]{i, 1}, 2).requiresGrad(i % 3 == 1);
            SumAll op = new SumAll();
            assertFalse(op.needsInputGrad(0), "before apply");
            Tensor y = op.apply(in);
            op.inBackward = new boolean[n];
            for (int i = 0; i < n; i++) assertEquals(i % 3 == 1, op.inForward[i], "input " + i + " of " + n);
            int bad = n;
            assertThrows(IndexOutOfBoundsException.class, () -> op.needsInputGrad(bad));
            if (n > 1) {
                sum(y).backward();
                for (int i = 0; i < n; i++) {
                    assertEquals(i % 3 == 1, op.inBackward[i]);
                    assertEquals(i % 3 == 1, in[i].grad() != null, "gradient of input " + i + " of " + n);
                }
            }
            // without recording nothing needs a gradient
            SumAll off = new SumAll();
            try (var scope = GradMode.noGrad()) {
                off.apply(in);
            }
            for (boolean b : off.inForward) assertFalse(b);
        }
    }

    private static Function failingForward() {
        return new Function() {
            @Override
            protected Tensor forward(Tensor... in) {
                throw new IllegalStateException("forward failed");
            }

            @Override
            protected Tensor[] backward(Tensor g) {
                return new Tensor[]{null};
            }
        };
    }

    @Test
    void gradModeIsRestoredWhenForwardOrBackwardThrows() {
        Tensor x = Tensor.of(new double[]{1}, 1).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> failingForward().apply(x));
        assertTrue(GradMode.isEnabled());
        Function failingBackward = new Function() {
            @Override
            protected Tensor forward(Tensor... in) {
                return in[0].copy();
            }

            @Override
            protected Tensor[] backward(Tensor g) {
                assertFalse(GradMode.isEnabled());
                throw new IllegalStateException("backward failed");
            }
        };
        Tensor y = failingBackward.apply(x);
        assertThrows(IllegalStateException.class, () -> sum(y).backward());
        assertTrue(GradMode.isEnabled());
        try (var scope = GradMode.noGrad()) {
            assertThrows(IllegalStateException.class, () -> failingForward().apply(x));
            assertFalse(GradMode.isEnabled(), "the user's scope is still open");
        }
        assertTrue(GradMode.isEnabled());
    }
}
