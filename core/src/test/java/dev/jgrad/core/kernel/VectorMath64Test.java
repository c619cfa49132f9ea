package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Accuracy of the vectorised float64 exp/log ({@link VectorMath64}) against the double-double reference of
 * {@link Reference64} (itself checked against {@link BigDecimal} here), in ulps of the reference: a correctly
 * rounded result has error ≤ 0.5; the documented bound is {@value #BOUND}. Arguments: a stride through every bit
 * pattern (all exponents, both signs), values spread uniformly over the finite range of exp, every binary exponent
 * of small arguments, and bit-by-bit neighbourhoods of the thresholds, of 1 and of the reduction boundaries.
 */
class VectorMath64Test {
    static final double BOUND = 1.0;
    private static final double INF = Double.POSITIVE_INFINITY;

    // ------------------------------------------------------------------------------------------ error measures

    /** ulp error of {@code v = exp(x)}: 0 for matching specials and flushed underflow, +inf for mismatches. */
    static double expError(double v, double x) {
        if (Double.isNaN(x)) return Double.isNaN(v) ? 0 : INF;
        if (x > 710) return v == INF ? 0 : INF;
        if (x < -746) return Double.doubleToRawLongBits(v) == 0 ? 0 : INF;
        double[] e = Reference64.exp(x);
        int n = (int) e[2];
        double rounded = Math.scalb(e[0] + e[1], n); // the reference rounded (to inf, or imprecisely below MIN_NORMAL)
        if (Double.isNaN(v)) return INF;
        if (Double.isInfinite(rounded)) {
            // the reference rounds to infinity; a finite v must be MAX_VALUE within the bound
            if (v == INF) return 0;
            if (Double.isInfinite(v)) return INF;
            return scaledDistance(v, e, n) / Math.scalb(Math.ulp(Double.MAX_VALUE), -n);
        }
        if (v == INF) {
            // overflow although the reference did not: distance to the overflow threshold MAX + ulp/2, plus 0.5
            double thr = Math.scalb(Double.MAX_VALUE, -n) + Math.scalb(Math.ulp(Double.MAX_VALUE) / 2, -n);
            return (thr - e[0] - e[1]) / Math.scalb(Math.ulp(Double.MAX_VALUE), -n) + 0.5;
        }
        if (rounded < Double.MIN_NORMAL * (1 + BOUND * 0x1p-52)) {
            // at or below the flush threshold: +0 is the documented result (a normal v is measured as usual)
            if (Double.doubleToRawLongBits(v) == 0) return 0;
            if (v < Double.MIN_NORMAL) return INF;
        }
        return scaledDistance(v, e, n) / Math.scalb(Math.ulp(rounded), -n);
    }

    /** {@code |v·2^-n - (hi + lo)|}, exact scaling of a normal v. */
    private static double scaledDistance(double v, double[] e, int n) {
        return Math.abs((Math.scalb(v, -n) - e[0]) - e[1]);
    }

    /** ulp error of {@code v = log(x)} for {@code x > 0}. */
    static double logError(double v, double x) {
        if (x == INF) return v == INF ? 0 : INF;
        double[] l = Reference64.log(x);
        double rounded = l[0] + l[1];
        if (rounded == 0) return v == 0 ? 0 : INF;
        if (!Double.isFinite(v)) return INF;
        return Math.abs((v - l[0]) - l[1]) / Math.ulp(rounded);
    }

    interface Fn {
        void apply(double[] x, double[] out, int n);
    }

    /** Max error of {@code fn} over {@code in}, with the worst argument: {@code {max, worst}}. */
    static double[] sweep(Fn fn, Error err, double[] in) {
        double[] out = new double[in.length];
        fn.apply(in, out, in.length);
        double max = 0, worst = Double.NaN;
        for (int i = 0; i < in.length; i++) {
            double e = err.of(out[i], in[i]);
            if (e > max || Double.isNaN(e)) {
                max = e;
                worst = in[i];
            }
        }
        return new double[]{max, worst};
    }

    interface Error {
        double of(double v, double x);
    }

    private static final Fn EXP = (x, o, n) -> VectorMath64.exp(x, 0, o, 0, n);
    private static final Fn LOG = (x, o, n) -> VectorMath64.log(x, 0, o, 0, n);

    /** Asserts the bound over {@code in}; returns the max error. */
    static double check(String what, Fn fn, Error err, double[] in) {
        double[] r = sweep(fn, err, in);
        assertTrue(r[0] <= BOUND, what + ": ulp error " + r[0] + " at x = " + r[1] + " (" + Double.doubleToRawLongBits(r[1]) + "L)");
        return r[0];
    }

    /** Every {@code step}th bit pattern from {@code from} to {@code to} (inclusive bounds, as raw long bits). */
    static double[] patterns(long from, long to, long step) {
        int count = (int) Math.min(Long.divideUnsigned(to - from, step) + 1, 1 << 23);
        double[] in = new double[count];
        for (int i = 0; i < count; i++) in[i] = Double.longBitsToDouble(from + i * step);
        return in;
    }

    /** {@code 2·half} consecutive bit patterns around each point. */
    static double[] neighbourhoods(int half, double... points) {
        double[] in = new double[points.length * 2 * half];
        int k = 0;
        for (double p : points) {
            long b = Double.doubleToRawLongBits(p);
            for (int i = -half; i < half; i++) in[k++] = Double.longBitsToDouble(b + i);
        }
        return in;
    }

    // ------------------------------------------------------------------------------------------ reference

    @Test
    void doubleDoubleReferenceMatchesBigDecimal() {
        SplittableRandom r = new SplittableRandom(64);
        for (int i = 0; i < 300; i++) {
            double x = i < 10 ? new double[]{0, 1e-300, -1e-12, 0.3465, -0.3466, 1, 709.78, -708.39, -745.1, 100}[i]
                    : (r.nextDouble() * 2 - 1) * (i % 3 == 0 ? 1 : i % 3 == 1 ? 40 : 745);
            double[] e = Reference64.exp(x);
            BigDecimal big = Reference64.bigExp(new BigDecimal(x));
            BigDecimal dd = new BigDecimal(e[0]).add(new BigDecimal(e[1]));
            int n = (int) e[2];
            dd = n >= 0 ? dd.multiply(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(n)))
                    : dd.divide(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(-n)), Reference64.MC);
            double rel = dd.subtract(big).abs().divide(big, Reference64.MC).doubleValue();
            assertTrue(rel < 1e-29, "exp(" + x + "): double-double vs BigDecimal relative difference " + rel);

            double y = i < 10 ? new double[]{1, Math.nextUp(1.0), Math.nextDown(1.0), 0.7071067811865476, 1.4142135623730951,
                    Double.MIN_NORMAL, Double.MIN_VALUE, Double.MAX_VALUE, 2, 1e-5}[i]
                    : Math.exp((r.nextDouble() * 2 - 1) * (i % 3 == 0 ? 1e-6 : i % 3 == 1 ? 1 : 700));
            double[] l = Reference64.log(y);
            BigDecimal bigL = Reference64.bigLog(new BigDecimal(y));
            BigDecimal ddL = new BigDecimal(l[0]).add(new BigDecimal(l[1]));
            double relL = y == 1 ? ddL.abs().doubleValue() : ddL.subtract(bigL).abs().divide(bigL.abs(), Reference64.MC).doubleValue();
            assertTrue(relL < 1e-29, "log(" + y + "): double-double vs BigDecimal relative difference " + relL);
        }
    }

    // ------------------------------------------------------------------------------------------ exp

    @Test
    void expWithinOneUlp() {
        double max = 0;
        // a stride through all bit patterns: every exponent, both signs (most of them saturate or give 1)
        max = Math.max(max, check("exp bit patterns", EXP, VectorMath64Test::expError,
                patterns(Long.MIN_VALUE, Long.MAX_VALUE, 4398046511093L)));
        // uniform over [-746, 711]: the whole finite, non-saturated range
        SplittableRandom r = new SplittableRandom(1);
        double[] u = new double[1 << 22];
        for (int i = 0; i < u.length; i++) u[i] = -746 + 1457 * r.nextDouble();
        max = Math.max(max, check("exp uniform", EXP, VectorMath64Test::expError, u));
        // every binary exponent of small arguments, 2^-60 .. 2^9, both signs
        double[] s = new double[70 * 2 * 8192];
        int k = 0;
        for (int e = -60; e < 10; e++) {
            for (int i = 0; i < 2 * 8192; i++) s[k++] = (i % 2 == 0 ? 1 : -1) * Math.scalb(1 + r.nextDouble(), e);
        }
        max = Math.max(max, check("exp by exponent", EXP, VectorMath64Test::expError, s));
        // thresholds: overflow, the flush threshold log(MIN_NORMAL), the vector bounds ±708, the saturation bound
        // -709, 0, and the reduction boundaries (k + 1/2)·ln2 where n steps
        double[] points = new double[40];
        int p = 0;
        for (double q : new double[]{709.782712893384, -708.3964185322641, 708, -708, -709, 0, -0.0, 1, -1, 1e-300}) points[p++] = q;
        for (int j : new int[]{0, 1, 2, 5, 100, 1000, 1021, 1022, 1023}) {
            points[p++] = (j + 0.5) * 0.6931471805599453;
            points[p++] = -(j + 0.5) * 0.6931471805599453;
        }
        max = Math.max(max, check("exp neighbourhoods", EXP, VectorMath64Test::expError,
                neighbourhoods(4096, java.util.Arrays.copyOf(points, p))));
        System.out.printf("VectorMath64.exp: max error %.3f ulp%n", max);
    }

    // ------------------------------------------------------------------------------------------ log

    @Test
    void logWithinOneUlp() {
        double max = 0;
        // positive finite bit patterns (subnormals too: they use Math.log, also within 1 ulp)
        max = Math.max(max, check("log bit patterns", LOG, VectorMath64Test::logError,
                patterns(1, Double.doubleToRawLongBits(Double.MAX_VALUE), 2199023255531L)));
        // uniform in [0.5, 2], where the result is smallest relative to the reduction
        SplittableRandom r = new SplittableRandom(2);
        double[] u = new double[1 << 21];
        for (int i = 0; i < u.length; i++) u[i] = 0.5 + 1.5 * r.nextDouble();
        max = Math.max(max, check("log uniform [0.5, 2]", LOG, VectorMath64Test::logError, u));
        max = Math.max(max, check("log neighbourhoods", LOG, VectorMath64Test::logError,
                neighbourhoods(4096, 1, 0.7071067811865476, 1.4142135623730951, 2, 0.5, Double.MIN_NORMAL,
                        Double.longBitsToDouble(Double.doubleToRawLongBits(Double.MAX_VALUE) - 4096), Math.E, 1e-300, 1e300)));
        System.out.printf("VectorMath64.log: max error %.3f ulp%n", max);
    }

    // ------------------------------------------------------------------------------------------ twins, specials

    @Test
    void scalarTwinsMatchTheVectorPathBitForBit() {
        // arrays entirely inside the vector ranges take the vector path; the twins must give the same bits
        SplittableRandom r = new SplittableRandom(3);
        double[] x = new double[1 << 20], l = new double[x.length], e = new double[x.length], lo = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (r.nextDouble() * 2 - 1) * (i % 4 == 0 ? 708 : i % 4 == 1 ? 1 : 1e-3);
            l[i] = Double.longBitsToDouble(r.nextLong(Double.doubleToRawLongBits(Double.MIN_NORMAL), Double.doubleToRawLongBits(Double.MAX_VALUE)));
        }
        VectorMath64.exp(x, 0, e, 0, x.length);
        VectorMath64.log(l, 0, lo, 0, l.length);
        int mismatches = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.doubleToRawLongBits(e[i]) != Double.doubleToRawLongBits(VectorMath64.expScalar(x[i]))) mismatches++;
            if (Double.doubleToRawLongBits(lo[i]) != Double.doubleToRawLongBits(VectorMath64.logScalar(l[i]))) mismatches++;
        }
        assertEquals(0, mismatches);
    }

    @Test
    void specialValues() {
        double[] x = {Double.NaN, INF, -INF, 0, -0.0, 800, -800, 709.79, 709.782712893384, -708.4, -708.39, -745.2,
                Double.MIN_VALUE, -Double.MIN_VALUE, -1, Double.MAX_VALUE, Double.MIN_NORMAL, 1};
        double[] e = new double[x.length], l = new double[x.length];
        for (int rep = 0; rep < 2; rep++) { // vector body (padded to whole vectors) and tail
            double[] in = java.util.Arrays.copyOf(x, rep == 0 ? 24 : x.length);
            double[] eo = new double[in.length], lo = new double[in.length];
            VectorMath64.exp(in, 0, eo, 0, in.length);
            VectorMath64.log(in, 0, lo, 0, in.length);
            System.arraycopy(eo, 0, e, 0, x.length);
            System.arraycopy(lo, 0, l, 0, x.length);
            double[] expE = {Double.NaN, INF, 0, 1, 1, INF, 0, INF, Math.exp(709.782712893384), 0, Math.exp(-708.39), 0,
                    1, 1, Math.exp(-1), INF, 1, Math.E};
            double[] expL = {Double.NaN, INF, Double.NaN, -INF, -INF, Math.log(800), Double.NaN, Math.log(709.79),
                    Math.log(709.782712893384), Double.NaN, Double.NaN, Double.NaN, Math.log(Double.MIN_VALUE), Double.NaN,
                    Double.NaN, Math.log(Double.MAX_VALUE), Math.log(Double.MIN_NORMAL), 0};
            for (int i = 0; i < x.length; i++) {
                close(expE[i], e[i], "exp(" + x[i] + ")");
                close(expL[i], l[i], "log(" + x[i] + ")");
            }
            // exact +0, never -0 or a subnormal, for underflow
            assertEquals(0, Double.doubleToRawLongBits(e[2]));
            assertEquals(0, Double.doubleToRawLongBits(e[9]));
            assertEquals(0, Double.doubleToRawLongBits(e[11]));
        }
        // in place
        double[] y = {0, 1, 2, -1, 0.5, 3, 7, 100, 1e-3};
        double[] want = new double[y.length];
        for (int i = 0; i < y.length; i++) want[i] = VectorMath64.expScalar(y[i]);
        VectorMath64.exp(y, 0, y, 0, y.length);
        for (int i = 0; i < y.length; i++) assertEquals(want[i], y[i], 0.0);
    }

    private static void close(double expected, double got, String what) {
        if (Double.isNaN(expected) || Double.isInfinite(expected) || expected == 0) assertEquals(expected, got, what);
        else assertEquals(expected, got, Math.ulp(expected), what);
    }

    // ------------------------------------------------------------------------------------------ loops and sums

    @Test
    void expLoopsStoreAndSum() {
        SplittableRandom r = new SplittableRandom(4);
        for (int n : new int[]{0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 1003}) {
            double[] x = new double[n + 5];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 60 - 50;
            if (n > 3) x[3] = -800; // a special lane: that vector goes to the scalar twin
            double a = 1.25, b = -0.5, s = 0.75;
            double[] out = new double[n + 7];
            java.util.Arrays.fill(out, 42);
            VectorMath64.expStoreLoop(x, 2, a, b, s, out, 1, n);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double want = VectorMath64.expScalar((x[2 + i] - a) - b) * s;
                assertEquals(want, out[1 + i], 0.0, "n=" + n + " i=" + i);
                sum += VectorMath64.expScalar(x[2 + i] - a);
            }
            assertEquals(42, out[0], 0.0);
            assertEquals(42, out[n + 1], 0.0);
            double got = VectorMath64.expSumLoop(x, 2, a, n);
            assertEquals(sum, got, n * 0x1p-53 * sum, "sum n=" + n); // both within n·2^-53 relative (positive terms)
        }
    }

    @Test
    void sumsAddInLanesOrInScalarOrder() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[]{0, 1, 7, 8, 9, 31, 1000}) {
            for (int inner : new int[]{1, 3, 8, 19}) {
                int outer = 3;
                double[] x = new double[outer * n * inner];
                for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 2 - 1;
                double[] out = new double[outer * inner];
                java.util.Arrays.fill(out, 7);
                VectorMath64.sum(x, out, outer, n, inner);
                for (int o = 0; o < outer; o++) {
                    for (int in = 0; in < inner; in++) {
                        double s = 0, abs = 0;
                        for (int k = 0; k < n; k++) {
                            s += x[(o * n + k) * inner + in];
                            abs += Math.abs(x[(o * n + k) * inner + in]);
                        }
                        double got = out[o * inner + in];
                        if (inner == 1) assertEquals(s, got, 0x1p-50 * abs, "n=" + n);
                        else if (Double.compare(s, got) != 0) fail("columns are summed in the scalar order: " + s + " vs " + got);
                    }
                }
            }
        }
    }
}
