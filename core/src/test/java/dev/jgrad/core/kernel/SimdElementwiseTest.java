package dev.jgrad.core.kernel;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.jgrad.core.kernel.KernelTestSupport.copy;
import static dev.jgrad.core.kernel.KernelTestSupport.same;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The element-wise kernels of {@link SimdKernels} against {@link ScalarKernels}: bit for bit, float32
 * and float64, every length class (empty, shorter than a vector, vector multiples, ragged tails) and special values.
 */
class SimdElementwiseTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 33, 255, 256, 257, 1000};
    private static final double[] SPECIAL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, 1e-40, -1e-40};
    private final SimdKernels simd = new SimdKernels();
    private final ScalarKernels ref = new ScalarKernels();

    /** Random values with special values sprinkled in (every 5th element when {@code specials}). */
    private static Storage data(DType t, SplittableRandom r, int n, boolean specials) {
        Storage s = Storage.allocate(t, n);
        for (int i = 0; i < n; i++) {
            s.set(i, specials && i % 5 == 2 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextGaussian() * 3);
        }
        return s;
    }

    @Test
    void reluAndItsGradientMatchScalar() {
        SplittableRandom r = new SplittableRandom(1);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = data(t, r, n, true), g = data(t, r, n, true);
                Storage e = Storage.allocate(t, n), a = Storage.allocate(t, n);
                ref.relu(x, e, n);
                simd.relu(x, a, n);
                same("relu " + t + " n=" + n, e, a, n);
                ref.reluBackward(x, g, e, n);
                simd.reluBackward(x, g, a, n);
                same("reluBackward " + t + " n=" + n, e, a, n);
            }
        }
    }

    @Test
    void reluKeepsNaNAndMapsNegativeZeroToZero() {
        for (DType t : DType.values()) {
            int n = 40;
            Storage x = Storage.allocate(t, n), y = Storage.allocate(t, n);
            for (int i = 0; i < n; i++) x.set(i, i % 4 == 0 ? Double.NaN : i % 4 == 1 ? -0.0 : i % 4 == 2 ? -5 : 5);
            simd.relu(x, y, n);
            for (int i = 0; i < n; i++) {
                double v = y.get(i);
                switch (i % 4) {
                    case 0 -> assertTrue(Double.isNaN(v), "relu(NaN)");
                    case 1, 2 -> assertEquals(0, Double.compare(0.0, v), "relu(" + x.get(i) + ") must be +0");
                    default -> assertEquals(5.0, v);
                }
            }
        }
    }

    @Test
    void binaryMatchesScalarForEveryLayoutAndOp() {
        SplittableRandom r = new SplittableRandom(2);
        int[][] shapes = {{1, 1}, {3, 5}, {4, 16}, {5, 17}, {2, 33}, {128, 10}, {7, 256}, {3, 257}};
        for (DType t : DType.values()) {
            for (int[] rc : shapes) {
                int rows = rc[0], cols = rc[1];
                for (BinaryOp op : BinaryOp.values()) {
                    for (Operand la : Operand.values()) {
                        for (Operand lb : Operand.values()) {
                            Storage a = data(t, r, la.length(rows, cols), true), b = data(t, r, lb.length(rows, cols), true);
                            Storage e = Storage.allocate(t, rows * cols), g = Storage.allocate(t, rows * cols);
                            ref.binary(op, a, la, b, lb, e, rows, cols);
                            simd.binary(op, a, la, b, lb, g, rows, cols);
                            same(op + " " + la + "/" + lb + " " + t + " " + rows + "x" + cols, e, g, rows * cols);
                        }
                    }
                }
            }
        }
    }

    @Test
    void binaryMayWriteIntoItsFullOperand() {
        SplittableRandom r = new SplittableRandom(3);
        for (DType t : DType.values()) {
            Storage a = data(t, r, 7 * 40, false), b = data(t, r, 40, false);
            Storage e = Storage.allocate(t, a.length());
            ref.binary(BinaryOp.ADD, a, Operand.FULL, b, Operand.ROW, e, 7, 40);
            simd.binary(BinaryOp.ADD, a, Operand.FULL, b, Operand.ROW, a, 7, 40);
            same("in-place bias add " + t, e, a, a.length());
        }
    }

    @Test
    void addInPlaceAndAllFiniteMatchScalar() {
        SplittableRandom r = new SplittableRandom(4);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = data(t, r, n, true), y = data(t, r, n, true), y2 = copy(y);
                ref.addInPlace(x, y, n);
                simd.addInPlace(x, y2, n);
                same("addInPlace " + t + " n=" + n, y, y2, n);
                Storage f = data(t, r, n, false);
                assertTrue(simd.allFinite(f, n), "finite data " + t + " n=" + n);
                for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    for (int pos : new int[]{0, n / 2, n - 1}) {
                        if (n == 0) continue;
                        Storage h = copy(f);
                        h.set(pos, bad);
                        assertFalse(simd.allFinite(h, n), bad + " at " + pos + " of " + n + " " + t);
                        assertFalse(ref.allFinite(h, n));
                    }
                }
                if (t == DType.FLOAT32 && n > 0) {
                    Storage h = copy(f);
                    h.set(n - 1, Float.MAX_VALUE); // x − x stays 0 at the largest finite value
                    assertTrue(simd.allFinite(h, n));
                }
            }
        }
    }
}
