package dev.jgrad.core.kernel;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * High-precision references for the float64 exp and log: double-double arithmetic (a value is an unevaluated sum
 * {@code hi + lo}, about 106 significant bits), fast enough for sweeps of millions of arguments, and a
 * {@link BigDecimal} implementation (50 digits) that the double-double one is checked against.
 *
 * <p>exp: {@code x = n·ln2 + r} with ln 2 as three doubles (exact to 10⁻⁴²), {@code exp(r) = (1 + e)^256},
 * {@code e = exp(r/256) - 1} by its Taylor series (13 terms, {@code |r/256| < 0.0014}), squared as
 * {@code e ← 2e + e²}. log: {@code x = 2ᵏ·m}, {@code m ∈ [0.7, 1.42)}, {@code log m = 2·atanh(s)},
 * {@code s = (m - 1)/(m + 1)}, by its series (23 terms, {@code s² < 0.0295}).
 */
final class Reference64 {
    /** ln 2 = L1 + L2 + L3 (+ 6e-43); L1 has 32 significant bits, so n·L1 is exact for |n| < 2^21. */
    static final double L1 = 0.6931471803691238, L2 = 1.9082149292705877e-10, L3 = 1.1612227229362532e-26;
    static final String LN2_DIGITS = "0.6931471805599453094172321214581765680755001343602552541206800094933936";

    private Reference64() {
    }

    // ------------------------------------------------------------------------------------------ double-double

    /** {@code {s, e}} with {@code s = fl(a + b)}, {@code s + e = a + b} exactly. */
    static double[] twoSum(double a, double b) {
        double s = a + b, bb = s - a;
        return new double[]{s, (a - (s - bb)) + (b - bb)};
    }

    static double[] add(double[] a, double[] b) {
        double[] s = twoSum(a[0], b[0]);
        double[] t = twoSum(a[1], b[1]);
        s[1] += t[0];
        s = twoSum(s[0], s[1]);
        s[1] += t[1];
        return twoSum(s[0], s[1]);
    }

    static double[] mul(double[] a, double[] b) {
        double p = a[0] * b[0];
        double e = Math.fma(a[0], b[0], -p) + (a[0] * b[1] + a[1] * b[0]);
        return twoSum(p, e);
    }

    static double[] div(double[] a, double[] b) {
        double q1 = a[0] / b[0];
        double[] r = add(a, mul(b, new double[]{-q1, 0}));
        double q2 = r[0] / b[0];
        r = add(r, mul(b, new double[]{-q2, 0}));
        double q3 = r[0] / b[0];
        return add(twoSum(q1, q2), new double[]{q3, 0});
    }

    private static double[] dd(double v) {
        return new double[]{v, 0};
    }

    /** {@code n·ln2} as a double-double ({@code n} an integer of magnitude below 2^21). */
    private static double[] nLn2(double n) {
        double p = n * L2;
        return add(add(dd(n * L1), new double[]{p, Math.fma(n, L2, -p)}), dd(n * L3));
    }

    /**
     * {@code exp(x) = (hi + lo)·2^n} for finite {@code x} in {@code [-1100, 1100]}, returned as {@code {hi, lo, n}}
     * with {@code hi + lo} in {@code [0.70, 1.42]}: scaled, so that underflowing and overflowing values keep
     * their full precision.
     */
    static double[] exp(double x) {
        double n = Math.rint(x * 1.4426950408889634);
        double[] r = add(dd(x), negate(nLn2(n)));
        double[] u = {Math.scalb(r[0], -8), Math.scalb(r[1], -8)};
        double[] e = dd(0);
        for (int k = 13; k >= 1; k--) {
            // e ← (u/k)·(1 + e)
            double[] t = mul(u, add(dd(1), e));
            e = div(t, dd(k));
        }
        for (int i = 0; i < 8; i++) e = add(mul(dd(2), e), mul(e, e));
        double[] y = add(dd(1), e);
        return new double[]{y[0], y[1], n};
    }

    /** {@code log(x)} for positive finite {@code x} (subnormals included), as a double-double. */
    static double[] log(double x) {
        int k = 0;
        if (x < Double.MIN_NORMAL) {
            x *= 0x1p54;
            k = -54;
        }
        int e = Math.getExponent(x);
        double m = Math.scalb(x, -e);
        if (m > 1.4142135623730951) {
            m *= 0.5;
            e++;
        }
        k += e;
        double f = m - 1; // exact
        double[] s = div(dd(f), twoSum(2, f));
        double[] z = mul(s, s);
        double[] a = dd(0);
        for (int j = 22; j >= 0; j--) a = add(mul(a, z), div(dd(1), dd(2 * j + 1)));
        double[] l = mul(mul(dd(2), s), a);
        return add(l, nLn2(k));
    }

    private static double[] negate(double[] a) {
        return new double[]{-a[0], -a[1]};
    }

    // ------------------------------------------------------------------------------------------ BigDecimal

    static final MathContext MC = new MathContext(50, RoundingMode.HALF_EVEN);
    private static final BigDecimal LN2 = new BigDecimal(LN2_DIGITS);

    /** {@code exp(x)} to 50 digits. */
    static BigDecimal bigExp(BigDecimal x) {
        BigDecimal n = x.divide(LN2, MC).setScale(0, RoundingMode.HALF_EVEN);
        BigDecimal r = x.subtract(n.multiply(LN2), MC);
        BigDecimal u = r.divide(BigDecimal.valueOf(1024), MC);
        BigDecimal sum = BigDecimal.ONE, term = BigDecimal.ONE;
        for (int k = 1; k < 40; k++) {
            term = term.multiply(u, MC).divide(BigDecimal.valueOf(k), MC);
            sum = sum.add(term, MC);
        }
        for (int i = 0; i < 10; i++) sum = sum.multiply(sum, MC);
        int ni = n.intValueExact();
        BigDecimal p2 = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(ni)));
        return ni >= 0 ? sum.multiply(p2, MC) : sum.divide(p2, MC);
    }

    /** {@code log(x)} to about 50 digits: Newton–Halley steps {@code y ← y + 2(x - e^y)/(x + e^y)} from {@link Math#log}. */
    static BigDecimal bigLog(BigDecimal x) {
        BigDecimal y = new BigDecimal(Math.log(x.doubleValue()));
        for (int i = 0; i < 3; i++) {
            BigDecimal ey = bigExp(y);
            y = y.add(BigDecimal.valueOf(2).multiply(x.subtract(ey, MC), MC).divide(x.add(ey, MC), MC), MC);
        }
        return y;
    }
}
