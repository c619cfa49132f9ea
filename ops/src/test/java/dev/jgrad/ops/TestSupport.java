package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared helpers: seeded inputs, element-wise comparison with exact handling of inf/NaN/-0.0, error checks. */
final class TestSupport {
    private TestSupport() {
    }

    /** A float64 leaf of standard normal values that requires grad (the gradcheck input recipe). */
    static Tensor randn64(long seed, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Standard normal values of the given dtype, not requiring grad. */
    static Tensor randn(long seed, DType dtype, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), dtype, shape);
    }

    /**
     * Moves every element at least {@code margin} away from {@code point} (keeping its side), in place:
     * {@code v -> point ± (margin + |v - point|)}. Used to keep gradcheck inputs away from kinks.
     */
    static Tensor awayFrom(Tensor t, double point, double margin) {
        for (int i = 0; i < t.numel(); i++) {
            double d = t.get(i) - point;
            t.set(i, point + (d >= 0 ? 1 : -1) * (margin + Math.abs(d)));
        }
        return t;
    }

    /**
     * Moves any element closer than {@code margin} to one of {@code points} out to exactly {@code margin} from it
     * (on its own side), in place; other elements are unchanged. Points must be more than {@code 2·margin} apart.
     */
    static Tensor avoid(Tensor t, double margin, double... points) {
        for (int i = 0; i < t.numel(); i++) {
            double v = t.get(i);
            for (double p : points) {
                if (Math.abs(v - p) < margin) v = p + (v >= p ? margin : -margin);
            }
            t.set(i, v);
        }
        return t;
    }

    /** Multiplies every element by {@code c}, in place. */
    static Tensor scale(Tensor t, double c) {
        for (int i = 0; i < t.numel(); i++) t.set(i, c * t.get(i));
        return t;
    }

    /** {@code |v| + lo} element-wise, in place (positive inputs for log, sqrt, fractional pow). */
    static Tensor positive(Tensor t, double lo) {
        for (int i = 0; i < t.numel(); i++) t.set(i, Math.abs(t.get(i)) + lo);
        return t;
    }

    /** A tensor of the given dtype from double values (rounded for float32). */
    static Tensor of(DType dtype, double[] values, int... shape) {
        return Tensor.of(dtype, values, shape);
    }

    /** Relative tolerance for comparing an op's output with a double-precision reference computed in the test. */
    static double rtol(DType dtype) {
        return dtype == DType.FLOAT32 ? 2e-6 : 1e-12;
    }

    /** Asserts the shape. */
    static void assertShape(Tensor t, int... expected) {
        assertArrayEquals(expected, t.shape(), () -> "shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected));
    }

    /**
     * Element-wise comparison: NaN must match NaN, infinities must match exactly, other values within
     * {@code atol + rtol·|expected|}.
     */
    static void assertClose(double[] expected, Tensor actual, double rtol, double atol) {
        if (expected.length != actual.numel()) {
            fail("expected " + expected.length + " elements, got " + actual.numel() + " (shape " + Arrays.toString(actual.shape()) + ")");
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual.get(i);
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                if (Double.compare(e, a) != 0) fail("element " + i + ": expected " + e + " but was " + a);
                continue;
            }
            double tol = atol + rtol * Math.abs(e);
            if (!(Math.abs(a - e) <= tol)) {
                fail("element " + i + ": expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e) + " > " + tol + ")");
            }
        }
    }

    /** {@link #assertClose(double[], Tensor, double, double)} with the dtype's relative tolerance and no absolute slack. */
    static void assertClose(double[] expected, Tensor actual) {
        assertClose(expected, actual, rtol(actual.dtype()), 0.0);
    }

    /** Asserts exact (bitwise, so -0.0 ≠ 0.0 and NaN = NaN) equality of every element. */
    static void assertExact(double[] expected, Tensor actual) {
        if (expected.length != actual.numel()) fail("expected " + expected.length + " elements, got " + actual.numel());
        for (int i = 0; i < expected.length; i++) {
            double e = actual.dtype().round(expected[i]);
            if (Double.compare(e, actual.get(i)) != 0) fail("element " + i + ": expected " + e + " but was " + actual.get(i));
        }
    }

    /** Asserts that no element is NaN or infinite. */
    static void assertFinite(Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            int k = i;
            double v = t.get(i);
            assertTrue(Double.isFinite(v), () -> "element " + k + " is not finite (" + v + ") in " + t);
        }
    }

    /** Asserts that no element is NaN. */
    static void assertNoNaN(Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            int k = i;
            assertTrue(!Double.isNaN(t.get(i)), () -> "element " + k + " is NaN in " + t);
        }
    }

    /** Asserts an {@link IllegalArgumentException} whose message contains every fragment; returns it. */
    static IllegalArgumentException assertIllegalArgument(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String msg = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> "message \"" + msg + "\" does not contain \"" + f + "\"");
        }
        return e;
    }
}
