package dev.jgrad.core.kernel;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.jgrad.core.kernel.KernelTestSupport.close;
import static dev.jgrad.core.kernel.KernelTestSupport.copy;
import static dev.jgrad.core.kernel.KernelTestSupport.random;
import static dev.jgrad.core.kernel.KernelTestSupport.same;
import static dev.jgrad.core.kernel.KernelTestSupport.specialRows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every non-GEMM method of {@link SimdKernels} against {@link ScalarKernels}, float32 and float64: the same special
 * cases bit for bit (rows with a non-finite max, shift, log-sum or scale, and strided rows, take the scalar code),
 * finite values within the exp/log error bounds (float32 2 ulp, float64 1 ulp, each against a scalar reference that
 * is itself within 1 ulp) and the summation-order differences.
 */
class SimdKernelsTest {
    private static final int[] LENGTHS = {0, 1, 2, 7, 15, 16, 17, 31, 33, 127, 255, 256, 257, 784, 1000, 1023};
    private final SimdKernels simd = new SimdKernels();
    private final ScalarKernels ref = new ScalarKernels();

    @Test
    void expAndLogMatchScalar() {
        SplittableRandom r = new SplittableRandom(11);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = random(t, r, n + 3, -100, 100);
                Storage a = Storage.allocate(t, n + 3), b = Storage.allocate(t, n + 3);
                a.fill(-5);
                b.fill(-5);
                simd.exp(x, a, n);
                ref.exp(x, b, n);
                if (t == DType.FLOAT64) for (int i = 0; i < n + 3; i++) closeExpF64("exp f64 n=" + n + " [" + i + "]", b.get(i), a.get(i));
                else for (int i = 0; i < n + 3; i++) closeExpF32("exp n=" + n + " [" + i + "]", b.get(i), a.get(i));
                Storage y = random(t, r, n + 3, 0, 1e6);
                simd.log(y, a, n);
                ref.log(y, b, n);
                if (t == DType.FLOAT64) close("log f64 n=" + n, b, a, n + 3, F64_RTOL, 0);
                else close("log n=" + n, b, a, n + 3, 2.5e-7, 1e-37);
            }
        }
    }

    /** Two float64 ulps (relative): the SIMD exp/log and Math.exp/log are each within 1 ulp. */
    static final double F64_RTOL = 0x1p-51;

    /** exp float64: within 2 ulp of Math.exp (each within 1 ulp), except flushed results below MIN_NORMAL. */
    static void closeExpF64(String what, double expected, double got) {
        if (expected < Double.MIN_NORMAL && expected >= 0) {
            if (got != 0 && got != expected) fail(what + ": expected " + expected + " or 0, got " + got);
            return;
        }
        close(what, expected, got, F64_RTOL, 0);
    }

    /** exp float32: within 2 ulp of the correctly rounded value, except flushed results below MIN_NORMAL. */
    static void closeExpF32(String what, double expected, double got) {
        if (expected < Float.MIN_NORMAL && expected >= 0) {
            if (got != 0 && got != expected) fail(what + ": expected " + expected + " or 0, got " + got);
            return;
        }
        close(what, expected, got, 2 * Math.ulp(1f), 0);
    }

    @Test
    void expAndLogInPlaceAndSpecials() {
        float[] sp = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 88.72283f, 88.72284f,
                -87.33654f, -87.5f, -104f, 1e-45f, 1e-40f, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 0.5f, 2f};
        double[] sd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0, 1, -1, 709.782712893384,
                709.7827128933841, -708.39, -708.4, -745.2, Double.MIN_VALUE, 1e-310, Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, 0.5, 2};
        for (DType t : DType.values()) {
            boolean f32 = t == DType.FLOAT32;
            int count = f32 ? sp.length : sd.length;
            for (int rep = 0; rep < 3; rep++) { // in vector body and in the tail
                int pad = rep * (f32 ? 16 : 8);
                Storage x = Storage.allocate(t, count + pad);
                for (int i = 0; i < count; i++) x.set(pad + i, f32 ? sp[i] : sd[i]);
                Storage e = copy(x), l = copy(x);
                simd.exp(e, e, e.length());
                simd.log(l, l, l.length());
                for (int i = 0; i < count; i++) {
                    double v = x.get(pad + i), ex = Math.exp(v), lx = Math.log(v);
                    if (f32) closeExpF32("exp(" + v + ")", (float) ex, e.get(pad + i));
                    else closeExpF64("exp(" + v + ")", ex, e.get(pad + i));
                    close("log(" + v + ")", f32 ? (float) lx : lx, l.get(pad + i), f32 ? 2.5e-7 : F64_RTOL, 0);
                }
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxMatchScalar() {
        SplittableRandom r = new SplittableRandom(12);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                if (n == 0) continue;
                int rows = 16;
                for (int inner : new int[]{1, 3}) {
                    Storage x = specialRows(t, rows, n * inner, r);
                    for (boolean log : new boolean[]{false, true}) {
                        Storage a = Storage.allocate(t, x.length()), b = Storage.allocate(t, x.length());
                        simd.softmax(x, a, rows, n, inner, log);
                        ref.softmax(x, b, rows, n, inner, log);
                        String what = (log ? "logSoftmax " : "softmax ") + t + " n=" + n + " inner=" + inner;
                        if (inner != 1) same(what, b, a, x.length());
                        else if (t == DType.FLOAT64) close(what, b, a, x.length(), 1e-14, log ? 1e-14 : 1e-300);
                        else if (log) close(what, b, a, x.length(), 1e-6, 1e-6);
                        else close(what, b, a, x.length(), 4e-6, 1e-37);
                    }
                    // in place (documented for nothing, but harmless): softmax over x itself
                    Storage a = copy(x), b = copy(x);
                    simd.softmax(a, a, rows, n, inner, false);
                    ref.softmax(b, b, rows, n, inner, false);
                    if (t == DType.FLOAT32 && inner == 1) close("in-place softmax n=" + n, b, a, x.length(), 4e-6, 1e-37);
                }
            }
        }
    }

    @Test
    void logSumExpMatchesScalar() {
        SplittableRandom r = new SplittableRandom(13);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                if (n == 0) continue;
                int rows = 24;
                Storage x = specialRows(t, rows, n, r);
                double[] s1 = new double[rows], l1 = new double[rows], s2 = new double[rows], l2 = new double[rows];
                simd.logSumExp(x, s1, l1, rows, n, 1);
                ref.logSumExp(x, s2, l2, rows, n, 1);
                for (int i = 0; i < rows; i++) {
                    assertEquals(s2[i], s1[i], 0.0, "shift " + t + " n=" + n + " row " + i);
                    double tol = t == DType.FLOAT64 ? 1e-14 : 1e-6;
                    close("logSum " + t + " n=" + n + " row " + i, l2[i], l1[i], tol, tol);
                }
            }
            // strided rows go to the scalar code
            Storage x = specialRows(t, 6, 4 * 5, r);
            double[] s1 = new double[6 * 5], l1 = new double[6 * 5], s2 = new double[6 * 5], l2 = new double[6 * 5];
            simd.logSumExp(x, s1, l1, 6, 4, 5);
            ref.logSumExp(x, s2, l2, 6, 4, 5);
            for (int i = 0; i < s1.length; i++) {
                assertEquals(s2[i], s1[i], 0.0);
                assertEquals(l2[i], l1[i], 0.0);
            }
        }
    }

    /**
     * Gradients for the backward tests: random in [-2, 2], with rows 9-13 of every 16 special (a NaN, a +inf, all
     * zeros, values whose row sum overflows the precision, all equal).
     */
    static Storage gradients(DType t, int rows, int n, SplittableRandom r) {
        Storage g = random(t, r, rows * n, -2, 2);
        double huge = t == DType.FLOAT32 ? 3e38 : 1.7e308;
        for (int row = 0; row < rows; row++) {
            int b = row * n;
            switch (row % 16) {
                case 9 -> g.set(b + r.nextInt(n), Double.NaN);
                case 10 -> g.set(b + r.nextInt(n), Double.POSITIVE_INFINITY);
                case 11 -> { for (int k = 0; k < n; k++) g.set(b + k, 0); }
                case 12 -> { for (int k = 0; k < n; k++) g.set(b + k, huge); }
                case 13 -> { for (int k = 0; k < n; k++) g.set(b + k, 0.75); }
                default -> { }
            }
        }
        return g;
    }

    @Test
    void softmaxBackwardMatchesScalar() {
        SplittableRandom r = new SplittableRandom(15);
        for (DType t : DType.values()) {
            // the error of the double expression evaluated in the precision, with the row sum compensated
            double eps = t == DType.FLOAT32 ? 0x1p-24 : 0x1p-53, atol = t == DType.FLOAT32 ? 1e-37 : 1e-300;
            for (int n : LENGTHS) {
                if (n == 0) continue;
                int rows = 32;
                for (int inner : new int[]{1, 3}) {
                    Storage x = specialRows(t, rows, n * inner, r);
                    for (int k = 0; k < n * inner; k++) x.set(14 * n * inner + k, 2.5); // a row of ties
                    Storage g = gradients(t, rows, n * inner, r);
                    for (boolean log : new boolean[]{false, true}) {
                        Storage y = Storage.allocate(t, x.length());
                        ref.softmax(x, y, rows, n, inner, log);
                        Storage a = Storage.allocate(t, x.length()), b = Storage.allocate(t, x.length());
                        a.fill(9);
                        simd.softmaxBackward(y, g, a, rows, n, inner, log);
                        ref.softmaxBackward(y, g, b, rows, n, inner, log);
                        String what = (log ? "logSoftmaxBackward " : "softmaxBackward ") + t + " n=" + n + " inner=" + inner;
                        if (inner != 1) {
                            same(what, b, a, x.length());
                            continue;
                        }
                        for (int row = 0; row < rows; row++) {
                            double sum = 0; // Σ|g| or Σ|g·y|: the scale of the row sum's rounding
                            for (int k = 0; k < n; k++) {
                                int p = row * n + k;
                                sum += Math.abs(log ? g.get(p) : g.get(p) * y.get(p));
                            }
                            for (int k = 0; k < n; k++) {
                                int p = row * n + k;
                                double gp = Math.abs(g.get(p)), yp = y.get(p);
                                double scale = log ? gp + Math.exp(yp) * sum : Math.abs(yp) * (gp + sum);
                                close(what + " [" + p + "]", b.get(p), a.get(p), 0, 16 * eps * scale + atol);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void logSumExpBackwardMatchesScalar() {
        SplittableRandom r = new SplittableRandom(16);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                if (n == 0) continue;
                for (int inner : new int[]{1, 3}) {
                    int rows = 24;
                    Storage x = specialRows(t, rows, n * inner, r);
                    double[] shift = new double[rows * inner], logSum = new double[rows * inner];
                    ref.logSumExp(x, shift, logSum, rows, n, inner);
                    Storage g = random(t, r, rows * inner, -2, 2);
                    for (int i = 0; i < rows * inner; i++) {
                        if (i % 5 == 0) g.set(i, 0);
                        if (i % 11 == 3) g.set(i, i % 2 == 0 ? Double.NaN : Double.NEGATIVE_INFINITY);
                    }
                    Storage a = Storage.allocate(t, x.length()), b = Storage.allocate(t, x.length());
                    a.fill(9);
                    simd.logSumExpBackward(x, shift, logSum, g, a, rows, n, inner);
                    ref.logSumExpBackward(x, shift, logSum, g, b, rows, n, inner);
                    String what = "logSumExpBackward " + t + " n=" + n + " inner=" + inner;
                    if (inner != 1) same(what, b, a, x.length());
                    else if (t == DType.FLOAT64) close(what, b, a, x.length(), 1e-14, 1e-300);
                    else close(what, b, a, x.length(), 4e-6, 1e-37);
                }
            }
        }
    }

    @Test
    void sumsMatchFloat64() {
        SplittableRandom r = new SplittableRandom(14);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                for (int inner : new int[]{1, 5, 17, 40}) {
                    int outer = 3;
                    Storage x = random(t, r, outer * n * inner, -1, 1);
                    Storage a = Storage.allocate(t, outer * inner), b = Storage.allocate(t, outer * inner);
                    simd.sum(x, a, outer, n, inner);
                    ref.sum(x, b, outer, n, inner);
                    String what = "sum " + t + " n=" + n + " inner=" + inner;
                    // float64: columns add in the scalar order (same bits), rows in vector lanes (n·2^-53·Σ|x|)
                    if (t == DType.FLOAT64 && inner > 1) same(what, b, a, outer * inner);
                    else if (t == DType.FLOAT64) close(what, b, a, outer * inner, 0, n * 0x1p-53);
                    else {
                        for (int i = 0; i < outer * inner; i++) {
                            // both accumulate in double: the float results agree to rounding
                            close(what + " [" + i + "]", b.get(i), a.get(i), 1.2e-7, 1e-12 * n);
                        }
                    }
                }
            }
        }
        // rtol 1e-5 of a float64 computation for 1000-element rows, incl. large cancelling values
        Storage x = Storage.allocate(DType.FLOAT32, 1000);
        for (int i = 0; i < 1000; i++) x.set(i, (i % 2 == 0 ? 1e6 : -1e6) + 0.37 * i);
        double exact = 0;
        for (int i = 0; i < 1000; i++) exact += x.get(i);
        Storage out = Storage.allocate(DType.FLOAT32, 1);
        simd.sum(x, out, 1, 1000, 1);
        close("cancelling sum", exact, out.get(0), 1e-5, 0);
    }

    @Test
    void rowMaxPropagatesNaN() {
        for (int n : new int[]{1, 8, 9, 16, 17, 40}) {
            for (int at = 0; at < n; at += 3) {
                double[] xd = new double[n];
                float[] xf = new float[n];
                for (int i = 0; i < n; i++) xf[i] = (float) (xd[i] = i == at ? Double.NaN : i);
                assertTrue(Float.isNaN(SimdRowsF32.rowMax(xf, 0, n)), "n=" + n + " NaN at " + at);
                assertTrue(Double.isNaN(SimdRowsF64.rowMax(xd, 0, n)), "f64 n=" + n + " NaN at " + at);
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, SimdRowsF32.rowMax(new float[0], 0, 0));
        assertEquals(Double.NEGATIVE_INFINITY, SimdRowsF64.rowMax(new double[0], 0, 0));
    }

    @Test
    void expSumIsAsAccurateAsADoubleSum() {
        // one term 1 and 2^20 terms of about 2^-24: a float accumulator would stay at 1 (the sum is about 1.0625)
        int n = (1 << 20) + 1;
        float[] x = new float[n];
        java.util.Arrays.fill(x, (float) (-24 * Math.log(2)));
        x[n / 2] = 0;
        double exact = 0;
        for (float v : x) exact += VectorMath.expScalar(v); // the same float exps, added in double (exactly, here)
        double got = VectorMath.expSumLoop(x, 0, 0f, n);
        assertEquals(exact, got, 1e-12 * exact);
        assertTrue(got > 1.06, "sum " + got);
    }

    @Test
    void expStoreOverlappingTailHasTheBitsOfTheScalarTail() {
        // out of place the tail is one overlapping vector, in place it is lane by lane: the same bits either way
        SplittableRandom r = new SplittableRandom(25);
        for (int n : LENGTHS) {
            if (n == 0) continue;
            for (int rep = 0; rep < 4; rep++) {
                float[] x = new float[n + 5];
                for (int k = 0; k < x.length; k++) x[k] = (float) (r.nextDouble() * 40 - 30);
                if (rep == 1) x[n - 1] = Float.NEGATIVE_INFINITY; // a special lane in the last vector
                if (rep == 2) x[n / 2] = -120f; // underflow
                float[] out = new float[n + 5], inPlace = x.clone();
                java.util.Arrays.fill(out, 3f);
                VectorMath.expStoreLoop(x, 1, 0.5f, 0.25f, 0.125f, out, 2, n - 1 < 0 ? 0 : n - 1);
                VectorMath.expStoreLoop(inPlace, 1, 0.5f, 0.25f, 0.125f, inPlace, 1, n - 1 < 0 ? 0 : n - 1);
                for (int k = 0; k < n + 5; k++) {
                    boolean written = k >= 2 && k < 2 + Math.max(0, n - 1);
                    float want = written ? inPlace[k - 1] : 3f;
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[k]), "n=" + n + " rep " + rep + " [" + k + "]");
                }
            }
        }
    }

    @Test
    void maskedAndUnderflowingLanesStayOnTheVectorPathWithTheScalarBits() {
        // causal attention rows: -inf entries and far tails, which the vector path flushes to +0 as the scalar
        // twin does; the threshold itself (x - a = EXP_MIN = -87.33654) is the smallest argument with a normal exp
        float min = -87.33654f;
        SplittableRandom r = new SplittableRandom(26);
        for (int n : new int[] {16, 23, 32, 40, 64, 1000}) {
            for (int rep = 0; rep < 6; rep++) {
                float[] x = new float[n];
                for (int k = 0; k < n; k++) {
                    double u = r.nextDouble();
                    x[k] = u < 0.4 ? Float.NEGATIVE_INFINITY : u < 0.5 ? min : u < 0.55 ? Math.nextDown(min)
                            : u < 0.6 ? -200f : (float) (r.nextDouble() * 19 - 19);
                }
                x[r.nextInt(n)] = 0f; // the row max
                float[] want = new float[n];
                double sum = 0;
                for (int k = 0; k < n; k++) sum += want[k] = VectorMath.expScalar(x[k]);
                float[] out = new float[n], stored = new float[n];
                VectorMath.expStoreLoop(x, 0, 0f, 0f, 1f, out, 0, n);
                double got = VectorMath.expSumStoreLoop(x, 0, 0f, stored, 0, n);
                assertEquals(sum, VectorMath.expSumLoop(x, 0, 0f, n), 1e-12 * sum, "n=" + n);
                assertEquals(sum, got, 1e-12 * sum, "n=" + n);
                for (int k = 0; k < n; k++) {
                    assertEquals(Float.floatToRawIntBits(want[k]), Float.floatToRawIntBits(out[k]), "store n=" + n + " [" + k + "] x=" + x[k]);
                    assertEquals(Float.floatToRawIntBits(want[k]), Float.floatToRawIntBits(stored[k]), "sum-store n=" + n + " [" + k + "]");
                }
            }
        }
    }
}
