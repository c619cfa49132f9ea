package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accuracy of the vectorised float32 exp/log over a dense sweep of the whole float range: every
 * {@value #STEP}th bit pattern (a prime step: ~33.8 M inputs per function, all exponents, both signs, all low mantissa bits), plus the
 * neighbourhoods of the overflow/underflow thresholds and of 1 bit pattern by bit pattern. The reference is
 * {@code Math.exp}/{@code Math.log} in double (within 1 double ulp of the true value, i.e. far inside 0.01
 * float ulp), and the error is measured in float ulps of the rounded reference — so a correctly rounded
 * result has error ≤ 0.5.
 */
class VectorMathTest {
    static final int STEP = 127;
    static final double BOUND = 2.0;

    /** ulp error of v against the double reference; 0 for matching specials, +inf for mismatches. */
    static double ulpError(float v, double ref, boolean flush) {
        float rf = (float) ref;
        if (Double.isNaN(ref)) return Float.isNaN(v) ? 0 : Double.POSITIVE_INFINITY;
        if (flush && Math.abs(rf) < Float.MIN_NORMAL) return v == 0f || v == rf ? 0 : Double.POSITIVE_INFINITY;
        if (Float.isInfinite(rf)) {
            // the reference rounds to infinity; a finite v must be MAX_VALUE and within the bound of ref
            if (v == rf) return 0;
            if (Float.isInfinite(v) || Float.isNaN(v)) return Double.POSITIVE_INFINITY;
            return Math.abs(v - ref) / Math.ulp(Float.MAX_VALUE);
        }
        if (Float.isNaN(v)) return Double.POSITIVE_INFINITY;
        if (Float.isInfinite(v)) {
            // v overflowed although the reference did not: distance to the overflow threshold
            return Math.abs(Float.MAX_VALUE + Math.ulp(Float.MAX_VALUE) / 2.0 - ref) / Math.ulp(Float.MAX_VALUE) + 0.5;
        }
        return Math.abs(v - ref) / Math.ulp(rf);
    }

    interface Fn {
        void apply(float[] x, float[] out, int n);
    }

    /** Max ulp error of fn over the given inputs. */
    static double[] sweep(Fn fn, java.util.function.DoubleUnaryOperator ref, boolean flush, float[] in) {
        float[] out = new float[in.length];
        fn.apply(in, out, in.length);
        double max = 0, worst = Double.NaN;
        for (int i = 0; i < in.length; i++) {
            double e = ulpError(out[i], ref.applyAsDouble(in[i]), flush);
            if (e > max || Double.isNaN(e)) {
                max = e;
                worst = in[i];
            }
        }
        return new double[]{max, worst};
    }

    static double fullSweep(Fn fn, java.util.function.DoubleUnaryOperator ref, boolean flush, float... extra) {
        double max = 0;
        float[] in = new float[1 << 20];
        long b = Integer.MIN_VALUE;
        while (b <= Integer.MAX_VALUE) {
            int k = 0;
            for (; k < in.length && b <= Integer.MAX_VALUE; k++, b += STEP) in[k] = Float.intBitsToFloat((int) b);
            double[] r = sweep(fn, ref, flush, java.util.Arrays.copyOf(in, k));
            assertTrue(r[0] <= BOUND, "ulp error " + r[0] + " at x = " + (float) r[1]);
            max = Math.max(max, r[0]);
        }
        // bit-by-bit neighbourhoods of the given points
        for (float c : extra) {
            float[] near = new float[4096];
            int cb = Float.floatToRawIntBits(c);
            for (int i = 0; i < near.length; i++) near[i] = Float.intBitsToFloat(cb - near.length / 2 + i);
            double[] r = sweep(fn, ref, flush, near);
            assertTrue(r[0] <= BOUND, "ulp error " + r[0] + " at x = " + (float) r[1]);
            max = Math.max(max, r[0]);
        }
        return max;
    }

    @Test
    void expWithinTwoUlpOverTheFullRange() {
        double max = fullSweep((x, o, n) -> VectorMath.exp(x, 0, o, 0, n), Math::exp, true,
                88.72283f, -87.33655f, 0f, -0f, 1f, -1f, 0.34657359f, -0.34657359f, 88.37626f, 1e-8f, -1e-8f);
        System.out.printf("VectorMath.exp: max error %.3f ulp%n", max);
    }

    @Test
    void logWithinTwoUlpOverTheFullRange() {
        double max = fullSweep((x, o, n) -> VectorMath.log(x, 0, o, 0, n), Math::log, false,
                1f, 0.70710677f, 1.4142135f, Float.MIN_NORMAL, Float.MIN_VALUE * 4096, Float.MAX_VALUE, 2f, 0.5f);
        System.out.printf("VectorMath.log: max error %.3f ulp%n", max);
    }

    @Test
    void scalarTwinsMatchTheVectorPathBitForBit() {
        // the scalar twins handle special vectors and tails; they must give the same bits as the vector path
        float[] in = new float[1 << 16], e = new float[in.length], l = new float[in.length];
        long b = Integer.MIN_VALUE;
        int mismatches = 0;
        while (b <= Integer.MAX_VALUE) {
            int k = 0;
            for (; k < in.length && b <= Integer.MAX_VALUE; k++, b += 4099) in[k] = Float.intBitsToFloat((int) b);
            VectorMath.exp(in, 0, e, 0, k);
            VectorMath.log(in, 0, l, 0, k);
            for (int i = 0; i < k; i++) {
                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(VectorMath.expScalar(in[i]))) mismatches++;
                if (Float.floatToIntBits(l[i]) != Float.floatToIntBits(VectorMath.logScalar(in[i]))) mismatches++;
            }
        }
        assertEquals(0, mismatches);
    }

    private static void assertClose(float expected, float got, String what) {
        if (Float.isNaN(expected) || Float.isInfinite(expected)) assertEquals(expected, got, what);
        else assertEquals(expected, got, Math.ulp(expected), what);
    }

    @Test
    void specialValues() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 100f, -100f, 88.8f, -88f,
                Float.MIN_VALUE, -Float.MIN_VALUE, -1f, Float.MAX_VALUE};
        float[] e = new float[x.length], l = new float[x.length];
        VectorMath.exp(x, 0, e, 0, x.length);
        VectorMath.log(x, 0, l, 0, x.length);
        float[] expE = {Float.NaN, Float.POSITIVE_INFINITY, 0f, 1f, 1f, Float.POSITIVE_INFINITY, 0f, Float.POSITIVE_INFINITY,
                0f, 1f, 1f, (float) Math.exp(-1), Float.POSITIVE_INFINITY};
        float[] expL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                (float) Math.log(100), Float.NaN, (float) Math.log(88.8f), Float.NaN, (float) Math.log(Float.MIN_VALUE),
                Float.NaN, Float.NaN, (float) Math.log(Float.MAX_VALUE)};
        for (int i = 0; i < x.length; i++) {
            assertClose(expE[i], e[i], "exp(" + x[i] + ")");
            assertClose(expL[i], l[i], "log(" + x[i] + ")");
        }
        // exact +0, never -0 or a subnormal, for underflow
        assertEquals(0, Float.floatToRawIntBits(e[6]));
        assertEquals(0, Float.floatToRawIntBits(e[8]));
    }
}
