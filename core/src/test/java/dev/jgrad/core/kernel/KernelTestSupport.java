package dev.jgrad.core.kernel;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test helpers for kernels that run on {@link Storage}s: random storages, special rows (NaN, {@code ±inf}, all
 * {@code -inf}, huge shifts, underflowing exps), bit-for-bit and tolerance comparisons. Shared through core's test-jar
 * with the kernel tests of other modules (the fused cross-entropy rows in losses).
 */
public final class KernelTestSupport {
    private KernelTestSupport() {
    }

    public static Storage random(DType t, SplittableRandom r, int n, double lo, double hi) {
        Storage s = Storage.allocate(t, n);
        for (int i = 0; i < n; i++) s.set(i, lo + (hi - lo) * r.nextDouble());
        return s;
    }

    public static Storage copy(Storage s) {
        Storage c = Storage.allocate(s.dtype(), s.length());
        c.copyFrom(s, 0, 0, s.length());
        return c;
    }

    /** Same NaN/infinity pattern, and finite values within {@code rtol·|e| + atol}. */
    public static void close(String what, double expected, double got, double rtol, double atol) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            if (!(Double.compare(expected, got) == 0)) fail(what + ": expected " + expected + ", got " + got);
            return;
        }
        if (!(Math.abs(got - expected) <= rtol * Math.abs(expected) + atol)) {
            fail(what + ": expected " + expected + ", got " + got + " (diff " + Math.abs(got - expected) + ")");
        }
    }

    public static void close(String what, Storage expected, Storage got, int n, double rtol, double atol) {
        for (int i = 0; i < n; i++) close(what + " [" + i + "]", expected.get(i), got.get(i), rtol, atol);
    }

    public static void same(String what, Storage expected, Storage got, int n) {
        for (int i = 0; i < n; i++) {
            if (Double.compare(expected.get(i), got.get(i)) != 0) {
                fail(what + " [" + i + "]: expected " + expected.get(i) + ", got " + got.get(i));
            }
        }
    }

    /** Rows mixing ordinary values with the special ones (as float32 and float64 storages). */
    public static Storage specialRows(DType t, int rows, int n, SplittableRandom r) {
        Storage s = random(t, r, rows * n, -30, 30);
        for (int row = 0; row < rows; row++) {
            int b = row * n;
            switch (row % 8) {
                case 0 -> { } // ordinary
                case 1 -> s.set(b + r.nextInt(n), Double.NaN);
                case 2 -> s.set(b + r.nextInt(n), Double.POSITIVE_INFINITY);
                case 3 -> { for (int k = 0; k < n; k += 2) s.set(b + k, Double.NEGATIVE_INFINITY); }
                case 4 -> { for (int k = 0; k < n; k++) s.set(b + k, Double.NEGATIVE_INFINITY); }
                case 5 -> { for (int k = 0; k < n; k++) s.add(b + k, 1e4); } // huge shift
                case 6 -> { s.set(b + r.nextInt(n), Double.POSITIVE_INFINITY); s.set(b + r.nextInt(n), 500); }
                default -> { for (int k = 0; k < n; k++) s.set(b + k, s.get(b + k) * 0.001 - 90); } // tiny exps
            }
        }
        return s;
    }
}
