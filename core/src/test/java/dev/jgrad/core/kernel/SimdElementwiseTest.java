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

    /** Distance in float ulps between two float32 values (NaN only equal to NaN, infinities only to themselves). */
    private static long ulps(float e, float a) {
        if (Float.isNaN(e) || Float.isNaN(a)) return Float.isNaN(e) && Float.isNaN(a) ? 0 : Long.MAX_VALUE;
        if (Float.isInfinite(e) || Float.isInfinite(a)) return e == a ? 0 : Long.MAX_VALUE;
        int ie = Float.floatToIntBits(e), ia = Float.floatToIntBits(a);
        long le = ie < 0 ? (long) Integer.MIN_VALUE - ie : ie, la = ia < 0 ? (long) Integer.MIN_VALUE - ia : ia;
        return Math.abs(le - la);
    }

    /**
     * The SIMD float32 logistic family and leaky ReLU within a few ulp of the scalar reference (double, rounded once),
     * every length class, special values and magnitudes up to ±120; results the SIMD exp flushes (below
     * {@code Float.MIN_NORMAL}) are allowed to be 0. float64: the logistic family falls back to the scalar kernels, leaky ReLU runs in double lanes; both bit for bit.
     */
    @Test
    void logisticFamilyAndLeakyReluWithinUlpsOfScalar() {
        SplittableRandom r = new SplittableRandom(7);
        String[] ops = {"sigmoid", "sigmoidBackward", "silu", "siluBackward", "leakyRelu", "leakyReluBackward"};
        long[] bound = {3, 4, 4, 6, 1, 1};
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = Storage.allocate(t, n), g = data(t, r, n, true);
                for (int i = 0; i < n; i++) {
                    x.set(i, i % 5 == 2 ? SPECIAL[r.nextInt(SPECIAL.length)] : i % 7 == 3 ? r.nextDouble(-120, 120) : r.nextGaussian() * 4);
                }
                Storage y = Storage.allocate(t, n);
                ref.sigmoid(x, y, n);
                for (int k = 0; k < ops.length; k++) {
                    Storage e = Storage.allocate(t, n), a = Storage.allocate(t, n);
                    switch (k) {
                        case 0 -> { ref.sigmoid(x, e, n); simd.sigmoid(x, a, n); }
                        case 1 -> { ref.sigmoidBackward(y, g, e, n); simd.sigmoidBackward(y, g, a, n); }
                        case 2 -> { ref.silu(x, e, n); simd.silu(x, a, n); }
                        case 3 -> { ref.siluBackward(x, g, e, n); simd.siluBackward(x, g, a, n); }
                        case 4 -> { ref.leakyRelu(x, 0.01, e, n); simd.leakyRelu(x, 0.01, a, n); }
                        default -> { ref.leakyReluBackward(x, 0.01, g, e, n); simd.leakyReluBackward(x, 0.01, g, a, n); }
                    }
                    if (t == DType.FLOAT64) {
                        same(ops[k] + " float64 n=" + n, e, a, n);
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        float ev = (float) e.get(i), av = (float) a.get(i);
                        boolean flushed = av == 0 && Math.abs(ev) < Float.MIN_NORMAL * Math.max(16, 2 * Math.abs(x.get(i)) * Math.max(1, Math.abs(g.get(i))));
                        if (k == 3 && Double.isFinite(x.get(i)) && Double.isFinite(g.get(i))) {
                            // 1 + x·(1 - s) cancels near x ≈ -1.28 (the root of silu'): any float evaluation has an
                            // absolute error of a few ulp of its terms, g·s and g·s·x·(1 - s), not of the result
                            double sg = y.get(i), term = Math.max(Math.abs(g.get(i) * sg), Math.abs(g.get(i) * sg * x.get(i) * (1 - sg)));
                            assertTrue(Math.abs(ev - av) <= bound[k] * Math.ulp((float) term) || flushed,
                                    ops[k] + " n=" + n + " at " + i + " x=" + x.get(i) + ": scalar " + ev + ", simd " + av);
                            continue;
                        }
                        assertTrue(flushed || ulps(ev, av) <= bound[k],
                                ops[k] + " n=" + n + " at " + i + " x=" + x.get(i) + ": scalar " + ev + ", simd " + av);
                    }
                }
            }
        }
    }

    /**
     * The SIMD float32 exact GELU and its gradient against the scalar double reference ({@link Erf}) rounded once: a sweep
     * of every 4999th float in [-14.5, 14.5] (about 0.45 M values, both signs, every exponent there) plus special values,
     * with random upstream gradients. Forward within 8 ulp (below x = -13, where |x·Φ(x)| < 1e-36, within 1e-37 absolute: 0
     * below x = -13.2); the
     * gradient within 8 ulp of its larger term, {@code g·Φ} or {@code g·x·φ}, as they cancel near x = -0.75 (the
     * root of GELU's derivative). The worst errors seen are printed.
     */
    @Test
    void exactGeluWithinUlpsOfScalar() {
        int lo = Float.floatToIntBits(14.5f);
        int count = 0;
        float[] xs = new float[2 * (lo / 4999 + 1) + SPECIAL.length];
        for (int b = 0; b <= lo; b += 4999) {
            xs[count++] = Float.intBitsToFloat(b);
            xs[count++] = -Float.intBitsToFloat(b);
        }
        for (double v : SPECIAL) xs[count++] = (float) v;
        int n = count;
        SplittableRandom r = new SplittableRandom(11);
        Storage x = Storage.allocate(DType.FLOAT32, n), g = Storage.allocate(DType.FLOAT32, n);
        for (int i = 0; i < n; i++) {
            x.set(i, xs[i]);
            g.set(i, r.nextDouble(-3, 3));
        }
        Storage e = Storage.allocate(DType.FLOAT32, n), a = Storage.allocate(DType.FLOAT32, n);
        ref.gelu(x, e, n);
        simd.gelu(x, a, n);
        long worst = 0;
        for (int i = 0; i < n; i++) {
            float ev = (float) e.get(i), av = (float) a.get(i);
            // |x·Φ(x)| < 1e-36 (x < -13): subnormal-range results, within 1e-37 absolute (0 below x = -13.2)
            boolean flushed = Math.abs(ev) < 1e-36 && Math.abs((double) ev - av) <= 1e-37;
            long d = flushed ? 0 : ulps(ev, av);
            worst = Math.max(worst, d);
            assertTrue(d <= 8, "gelu x=" + xs[i] + ": scalar " + ev + ", simd " + av + " (" + d + " ulp)");
        }
        ref.geluBackward(x, g, e, n);
        simd.geluBackward(x, g, a, n);
        double worstGrad = 0;
        for (int i = 0; i < n; i++) {
            float ev = (float) e.get(i), av = (float) a.get(i);
            double xv = xs[i], gv = g.get(i);
            if (!Double.isFinite(xv)) {
                assertEquals(ulps(ev, av), 0, "gelu' x=" + xv + ": scalar " + ev + ", simd " + av);
                continue;
            }
            double cdf = 0.5 * Erf.erfc(-xv / Math.sqrt(2)), pdf = Math.exp(-0.5 * xv * xv) / Math.sqrt(2 * Math.PI);
            double term = Math.max(Math.abs(gv * cdf), Math.abs(gv * xv * pdf));
            double err = Math.abs((double) ev - av) / Math.max(Math.ulp((float) term), Float.MIN_NORMAL);
            if (term < 1e-36 && Math.abs((double) ev - av) <= 1e-37 * Math.max(1, Math.abs(gv))) continue; // as the forward
            worstGrad = Math.max(worstGrad, err);
            assertTrue(err <= 8, "gelu' x=" + xv + " g=" + gv + ": scalar " + ev + ", simd " + av + " (" + err + " ulp of " + term + ")");
        }
        System.out.println("exact GELU, SIMD float32 vs double reference: forward " + worst + " ulp, gradient " + worstGrad + " ulp of its larger term");
    }
}
