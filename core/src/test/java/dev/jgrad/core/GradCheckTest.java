package dev.jgrad.core;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class GradCheckTest {

    @Test
    void passesOnACorrectBackward() {
        Tensor x = Tensor.randn(new SplittableRandom(7), DType.FLOAT64, 3, 4).requiresGrad(true);
        GradCheck.Result r = GradCheck.assertGradients(in -> new TestOps.Sin(false).apply(in[0]), x);
        assertTrue(r.passed());
        assertEquals(12, r.checked());
    }

    @Test
    void failsOnADeliberatelyWrongBackwardAndReportsTheWorstElement() {
        Tensor x = Tensor.randn(new SplittableRandom(7), DType.FLOAT64, 5).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(in -> new TestOps.Sin(true).apply(in[0]), x);
        assertFalse(r.passed());
        assertTrue(r.report().contains("FAILED"), r.report());
        assertThrows(AssertionError.class, () -> GradCheck.assertGradients(in -> new TestOps.Sin(true).apply(in[0]), x));
    }

    @Test
    void checksEveryInputThatRequiresGrad() {
        Tensor a = Tensor.randn(new SplittableRandom(1), DType.FLOAT64, 4).requiresGrad(true);
        Tensor b = Tensor.randn(new SplittableRandom(2), DType.FLOAT64, 4).requiresGrad(true);
        GradCheck.Result r = GradCheck.assertGradients(in -> TestOps.mul(in[0], in[1]), a, b);
        assertEquals(8, r.checked());
    }

    @Test
    void restoresInputs() {
        Tensor x = Tensor.randn(new SplittableRandom(3), DType.FLOAT64, 4).requiresGrad(true);
        Tensor before = x.copy();
        GradCheck.check(in -> new TestOps.Sin(false).apply(in[0]), x);
        assertTrue(before.contentEquals(x));
    }

    @Test
    void rejectsFloat32() {
        Tensor x = Tensor.ones(DType.FLOAT32, 2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> TestOps.sum(in[0]), x));
    }
}
