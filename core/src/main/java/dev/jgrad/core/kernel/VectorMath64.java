package dev.jgrad.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float64 {@code exp} and {@code log} (range reduction + polynomial evaluated with FMA), the exp loops
 * of the row kernels and the float64 sums — the double-precision counterpart of {@link VectorMath}, with its own
 * reductions and polynomials (fitted for this class: Chebyshev fits at 60 digits, coefficients rounded to double).
 *
 * <p><b>exp.</b> {@code x = n·ln2 + r}, {@code n = rint(x·log2 e)} (one FMA with the 1.5·2⁵² rounding constant:
 * {@code t = x·log2e + 1.5·2⁵²} holds {@code n} in its low mantissa bits), {@code r = (x - n·C1) - n·C2} by
 * Cody–Waite with {@code C1} = ln 2 to 32 bits (so {@code n·C1} is exact for {@code |n| < 2²¹}) and
 * {@code C2 = ln2 - C1} (residual 1.2·10⁻²⁶), {@code |r| ≤ 0.3466}. Then {@code exp(r) ≈ 1 + r + r²·P(r)},
 * {@code P} of degree 10 (max relative error 3.3·10⁻¹⁹ of the exact-arithmetic polynomial on
 * {@code |r| ≤ 0.3466}, 0.003 ulp), with the leading {@code 1 + r} kept as an exact two-term sum
 * {@code hi + lo} ({@code hi = 1 + r}, {@code lo = (1 - hi) + r}, Fast2Sum) so that only the final addition
 * {@code hi + (lo + r²·P)} rounds at the result's scale. The result is scaled by {@code 2ⁿ} exactly, by adding
 * {@code n << 52} to its bits. Error sources: that final rounding (≤ 0.5 ulp), the rounding of {@code r}
 * (relative 2⁻⁵³ of {@code |r| ≤ 0.35}: ≤ 0.35 ulp), the polynomial (≤ 0.01 ulp).
 *
 * <p><b>exp range.</b> The vector path takes vectors with every argument in {@code |x| ≤ 708} (no special lane,
 * {@code |n| ≤ 1021}, so the exponent addition cannot wrap); other vectors and tails go lane by lane to
 * {@link #expScalar(double)}, which computes the same bits and scales outside that range in two exact steps.
 * Results below {@link Double#MIN_NORMAL} (arguments below about {@code -708.3964}, including {@code -inf}) are
 * <b>flushed to +0</b>, as the float32 kernels flush below {@link Float#MIN_NORMAL}: subnormals slow every
 * kernel that touches them, and such a term is below {@code 2⁻¹⁰²²} of the row's largest. Arguments above
 * {@code 709.782712893384} (the largest double with a finite exp), and {@code +inf}, give {@code +inf}; NaN stays
 * NaN; {@code exp(±0) = 1}.
 *
 * <p><b>log.</b> {@code x = 2ᵏ·m} with {@code m ∈ [√½, √2)}, found without branches: {@code k} is the
 * arithmetic shift {@code (bits(x) - bits(√½)) >> 52} and {@code m} has the bits {@code bits(x) - (k << 52)};
 * {@code f = m - 1} (exact), {@code s = f/(2 + f)}, so {@code log(1 + f) = 2·atanh(s) = 2s + s·R(s²)},
 * {@code R(z) = z·Q(z)}, {@code Q} of degree 7 (relative error 5·10⁻¹⁹ of the exact-arithmetic result,
 * {@code s² ≤ 0.02944}). Because {@code 2s = f - s·f}, this is {@code f - (h - s·(h + R))} with
 * {@code h = f²/2}: the rounding errors of {@code s} and {@code R} only touch the small term {@code s·(h + R)}.
 * Adding {@code k·ln2} as {@code k·C1 + k·C2} ({@code k·C1} exact), the result is
 * {@code k·C1 + (f - (h - (s·(h + R) + k·C2)))}, rounded once at the end by an FMA.
 * Subnormal inputs get {@link Math#log} (their logs are normal), {@code log(±0) = -inf},
 * {@code log(x < 0) = NaN}, {@code log(+inf) = +inf}, NaN stays NaN.
 *
 * <p><b>Accuracy</b> ({@code VectorMath64Test}, against a double-double reference that is itself checked
 * against {@link java.math.BigDecimal} at 50 digits): exp over 9.3 M arguments (a stride through all bit patterns,
 * 4 M uniform over {@code [-746, 711]}, every binary exponent from 2⁻⁶⁰ to 2⁹, and bit-by-bit neighbourhoods of
 * the overflow, flush and vector-range thresholds and of the reduction boundaries {@code (k + ½)·ln2}); log over
 * 6.3 M (a stride through all positive bit patterns, 2 M uniform over {@code [0.5, 2]}, neighbourhoods of 1,
 * √½, √2, MIN_NORMAL, MAX_VALUE): measured max error <b>0.757 ulp for exp, 0.837 ulp for log</b> (0.5 would be
 * correctly rounded); the documented bound, asserted by the test, is 1 ulp.
 *
 * <p><b>Sums.</b> The exp sums ({@link #expSumLoop}) and row sums ({@link #rowSum}) add in one double per lane
 * ({@code VL} = 8 partial sums, added at the end): not bit-identical to {@link ScalarKernels}'s sequential sum, but
 * no less accurate (worst case {@code (n/VL + log₂VL)·2⁻⁵³} relative for positive terms). Column sums
 * ({@link #addTo}) add in the scalar order, bit for bit.
 *
 * <p><b>JIT rules</b>: those of {@link VectorMath} (no vector-valued helpers; loop-carried vectors never receivers;
 * no vector used under a condition inside a loop; rare paths scalar). In particular the exp loop always both
 * stores and sums — a sum-only call stores into a per-thread {@code VL}-element scratch, overwritten each iteration —
 * so one loop serves both uses without a conditional store, and nothing is allocated.
 */
public final class VectorMath64 {
    static final VectorSpecies<Double> S = VectorSpecies.of(double.class, VectorMath.S.vectorShape());
    static final VectorSpecies<Long> SL = VectorSpecies.of(long.class, S.vectorShape());
    static final int VL = S.length();

    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 = C1 + C2 + 1.2e-26; C1 has 32 significant bits (0x3fe62e42fee00000). */
    private static final double C1 = 0.6931471803691238, C2 = 1.9082149292705877e-10;
    /** 1.5·2^52: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final double ROUND = 0x1.8p52;
    private static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    /** The vector test for "no special lane": |x| <= 708 keeps |n| <= 1021 (no exponent wrap, no subnormal). */
    private static final double EXP_FAST = 708;
    /** Below this every exp is below MIN_NORMAL (exp(-709) = 1.2e-308): flushed to +0 without computing. */
    private static final double EXP_LOW = -709;
    /** The largest double whose exp is finite. */
    private static final double EXP_MAX = 709.782712893384;
    /** exp: P(r) ≈ (exp(r) - 1 - r)/r² on |r| ≤ 0.3466, degree 10. */
    private static final double P0 = 0.5, P1 = 0.1666666666666667, P2 = 0.04166666666666667,
            P3 = 0.008333333333326136, P4 = 0.001388888888888375, P5 = 0.00019841269874815834,
            P6 = 2.480158732554432e-05, P7 = 2.7557255406285044e-06, P8 = 2.7557273647451087e-07,
            P9 = 2.5105214474751413e-08, P10 = 2.0914685161418067e-09;
    /** log: Q(z) ≈ (2·atanh(s) - 2s)/(s·z), z = s² ≤ 0.02944, degree 7. */
    private static final double Q0 = 0.6666666666666666, Q1 = 0.4000000000000088, Q2 = 0.28571428570803253,
            Q3 = 0.22222222391794727, Q4 = 0.18181795631498243, Q5 = 0.15386240172447838,
            Q6 = 0.13268760562036724, Q7 = 0.1308675766695207;
    /** The coefficients in ascending order, for the scalar twins. */
    private static final double[] EXP_P = {P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10}, LOG_Q = {Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q7};
    /** Per-thread store target of the sum-only exp loop (never read; a per-call array would be allocated per row). */
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[VL]);
    /** The bits of √½ (rounded down): the low end of the mantissa interval of log. */
    private static final long SQRTHF_BITS = 0x3fe6a09e667f3bcdL;

    private VectorMath64() {
    }

    /**
     * {@code Σ_i exp(x[xOff + i] - a)} for {@code i < n}, where {@code a} is normally the row max (the float64
     * counterpart of {@link VectorMath#expSumLoop}). Each term is within 1 ulp (0.757 measured) and flushed to
     * {@code +0} below {@link Double#MIN_NORMAL}; NaN and {@code ±inf} arguments give what {@link #expScalar(double)}
     * gives. The terms are added in {@code VL} double lanes, added up at the end, then the tail (see the class comment):
     * no compensation, as for positive terms in double the worst case {@code (n/VL + log₂VL)·2⁻⁵³} relative is already
     * below the sequential sum's {@code (n - 1)·2⁻⁵³} of {@link ScalarKernels#logSumExpRow}.
     */
    public static double expSumLoop(double[] x, int xOff, double a, int n) {
        return expLoop(x, xOff, a, 0d, 1d, SCRATCH.get(), 0, 0, n);
    }

    /**
     * {@link #expSumLoop} that also stores the terms: {@code out[oOff + i] = exp(x[xOff + i] - a)} (the same bits as
     * {@link #expStoreLoop} with {@code b = 0, s = 1}), returning their sum, bit for bit {@link #expSumLoop}'s (the same
     * loop, which always stores: here into the row instead of the scratch); {@code out} must not overlap
     * {@code x[xOff .. xOff + n)}. The float64 counterpart of {@link VectorMath#expSumStoreLoop}: the fused
     * cross-entropy's forward keeps these terms for its backward.
     */
    public static double expSumStoreLoop(double[] x, int xOff, double a, double[] out, int oOff, int n) {
        return expLoop(x, xOff, a, 0d, 1d, out, oOff, -1, n);
    }

    /**
     * {@code out[oOff + i] = s·exp((x[xOff + i] - a) - b)} for {@code i < n} ({@code out} may be {@code x}), the same
     * expression as {@link ScalarKernels#scaledSoftmaxRow}; with {@code a = b = 0, s = 1} this is plain {@code exp}.
     */
    public static void expStoreLoop(double[] x, int xOff, double a, double b, double s, double[] out, int oOff, int n) {
        expLoop(x, xOff, a, b, s, out, oOff, -1, n);
    }

    /** {@code out[oOff + i] = exp(x[xOff + i])}, {@code i < n}; {@code out} may be {@code x}. */
    static void exp(double[] x, int xOff, double[] out, int oOff, int n) {
        expLoop(x, xOff, 0d, 0d, 1d, out, oOff, -1, n);
    }

    /**
     * {@code y_i = s·exp((x[xOff + i] - a) - b)} for {@code i < n}, stored at {@code out[oOff + (i & oMask)]}
     * ({@code oMask = -1}: the output row; {@code 0}: a {@code VL}-element scratch, each vector overwriting the
     * last), returning {@code Σ y_i}. Vectors with every argument in {@code |·| ≤ 708} take the vector path,
     * others (and the tail) {@link #expScalar(double)} lane by lane, which gives the same bits.
     */
    private static double expLoop(double[] x, int xOff, double a, double b, double s, double[] out, int oOff, int oMask, int n) {
        final DoubleVector va = DoubleVector.broadcast(S, a), vb = DoubleVector.broadcast(S, b), vs = DoubleVector.broadcast(S, s);
        final DoubleVector log2e = DoubleVector.broadcast(S, LOG2E), round = DoubleVector.broadcast(S, ROUND);
        final DoubleVector c1 = DoubleVector.broadcast(S, -C1), c2 = DoubleVector.broadcast(S, -C2);
        final DoubleVector one = DoubleVector.broadcast(S, 1d), zero = DoubleVector.zero(S);
        final DoubleVector p0 = DoubleVector.broadcast(S, P0), p1 = DoubleVector.broadcast(S, P1), p2 = DoubleVector.broadcast(S, P2),
                p3 = DoubleVector.broadcast(S, P3), p4 = DoubleVector.broadcast(S, P4), p5 = DoubleVector.broadcast(S, P5),
                p6 = DoubleVector.broadcast(S, P6), p7 = DoubleVector.broadcast(S, P7), p8 = DoubleVector.broadcast(S, P8),
                p9 = DoubleVector.broadcast(S, P9), p10 = DoubleVector.broadcast(S, P10);
        DoubleVector acc = zero;
        double total = 0;
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) {
            DoubleVector x0 = DoubleVector.fromArray(S, x, xOff + i).sub(va).sub(vb);
            // no special lane: |x0| <= 708 (NaN fails)
            if (x0.abs().compare(VectorOperators.LE, EXP_FAST).allTrue()) {
                DoubleVector t = x0.fma(log2e, round); // 1.5·2^52 + rint(x·log2 e)
                DoubleVector nf = t.sub(round);
                DoubleVector r = nf.fma(c2, nf.fma(c1, x0));
                DoubleVector z = r.mul(r);
                DoubleVector p = r.fma(p10, p9).fma(r, p8).fma(r, p7).fma(r, p6).fma(r, p5).fma(r, p4).fma(r, p3)
                        .fma(r, p2).fma(r, p1).fma(r, p0);
                DoubleVector hi = r.add(one);
                DoubleVector lo = one.sub(hi).add(r);
                DoubleVector y = p.fma(z, lo).add(hi);
                // y·2^n: t's low bits hold n; shifted left by 52 the rounding constant's bits vanish
                y = (DoubleVector) ((LongVector) y.reinterpretShape(SL, 0))
                        .add(((LongVector) t.reinterpretShape(SL, 0)).lanewise(VectorOperators.LSHL, 52)).reinterpretShape(S, 0);
                y = y.mul(vs);
                y.intoArray(out, oOff + (i & oMask));
                acc = y.add(acc); // the loop-carried sum is never a receiver (VectorMath's JIT rules)
            } else {
                for (int k = 0; k < VL; k++) total += expLane(x[xOff + i + k], a, b, s, out, oOff + (i & oMask) + k);
            }
        }
        for (int k = 0; i < n; i++, k++) total += expLane(x[xOff + i], a, b, s, out, oOff + ((i & oMask) | (k & ~oMask)));
        return total + zero.add(acc).reduceLanes(VectorOperators.ADD);
    }

    /** One lane of {@link #expLoop}: stores {@code s·exp((v - a) - b)} at {@code out[o]} and returns it. */
    private static double expLane(double v, double a, double b, double s, double[] out, int o) {
        double y = expScalar((v - a) - b) * s;
        out[o] = y;
        return y;
    }

    /**
     * The scalar twin of the vector exp (the same operations — {@link Math#fma(double, double, double)} is the same
     * correctly rounded FMA — so the same bits where the vector path applies), with the special values, the
     * flush below {@link Double#MIN_NORMAL} and a two-step scaling for {@code |x| > 708}:
     * {@code y·2^(n-1)·2} above 0, {@code y·2^(n+54)·2⁻⁵⁴} below, both exact for normal results.
     */
    static double expScalar(double x) {
        if (!(x >= EXP_LOW && x <= EXP_MAX)) {
            // overflow (+inf), certain underflow below MIN_NORMAL (flushed to +0), NaN
            return x > 0 ? Double.POSITIVE_INFINITY : x < 0 ? 0d : x;
        }
        double t = Math.fma(x, LOG2E, ROUND);
        double nf = t - ROUND;
        double r = Math.fma(nf, -C2, Math.fma(nf, -C1, x));
        double z = r * r;
        double p = horner(r, EXP_P);
        double hi = r + 1d;
        double lo = (1d - hi) + r;
        long y = Double.doubleToRawLongBits(Math.fma(p, z, lo) + hi);
        long n = (long) nf;
        double v = n > 0 ? Double.longBitsToDouble(y + ((n - 1) << 52)) * 2d : Double.longBitsToDouble(y + ((n + 54) << 52)) * 0x1p-54;
        return v < Double.MIN_NORMAL ? 0d : v;
    }

    /**
     * {@code Σ c[k]·xᵏ} by Horner's rule with FMA, in the vector code's order ({@code p = c[last]}, then
     * {@code p = p·x + c[k]} downwards), so the same bits.
     */
    private static double horner(double x, double[] c) {
        double p = c[c.length - 1];
        for (int k = c.length - 2; k >= 0; k--) p = Math.fma(p, x, c[k]);
        return p;
    }

    /**
     * {@code out[oOff + i] = log(x[xOff + i])}, {@code i < n}; {@code out} may be {@code x}. Vectors of positive
     * normal finite inputs take the vector path; any other vector, and the tail, is done lane by lane by
     * {@link #logScalar}, the bit-for-bit scalar twin with the special values.
     */
    static void log(double[] x, int xOff, double[] out, int oOff, int n) {
        final DoubleVector one = DoubleVector.broadcast(S, 1d), two = DoubleVector.broadcast(S, 2d), half = DoubleVector.broadcast(S, 0.5);
        final DoubleVector round = DoubleVector.broadcast(S, ROUND);
        final DoubleVector c1 = DoubleVector.broadcast(S, C1), c2 = DoubleVector.broadcast(S, C2);
        final DoubleVector q0 = DoubleVector.broadcast(S, Q0), q1 = DoubleVector.broadcast(S, Q1), q2 = DoubleVector.broadcast(S, Q2),
                q3 = DoubleVector.broadcast(S, Q3), q4 = DoubleVector.broadcast(S, Q4), q5 = DoubleVector.broadcast(S, Q5),
                q6 = DoubleVector.broadcast(S, Q6), q7 = DoubleVector.broadcast(S, Q7);
        final DoubleVector zero = DoubleVector.zero(S), minNormal = DoubleVector.broadcast(S, Double.MIN_NORMAL);
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) {
            DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
            // all lanes positive, normal and finite? v·0 + v is v when finite, NaN for ±inf and NaN
            // (written MIN_NORMAL <= w, an ordered compare: false for NaN)
            if (minNormal.compare(VectorOperators.LE, v.fma(zero, v)).allTrue()) {
                LongVector bits = (LongVector) v.reinterpretShape(SL, 0);
                LongVector k = bits.sub(SQRTHF_BITS).lanewise(VectorOperators.ASHR, 52);
                DoubleVector m = (DoubleVector) bits.sub(k.lanewise(VectorOperators.LSHL, 52)).reinterpretShape(S, 0);
                // k as a double, exactly: the bits of 1.5·2^52 + k, minus 1.5·2^52
                DoubleVector kd = ((DoubleVector) k.add(ROUND_BITS).reinterpretShape(S, 0)).sub(round);
                DoubleVector f = m.sub(one);
                DoubleVector s = f.div(f.add(two));
                DoubleVector z = s.mul(s);
                DoubleVector q = z.fma(q7, q6).fma(z, q5).fma(z, q4).fma(z, q3).fma(z, q2).fma(z, q1).fma(z, q0);
                DoubleVector h = f.mul(f).mul(half);
                DoubleVector w = kd.fma(c2, s.mul(q.fma(z, h)));
                kd.fma(c1, f.sub(h.sub(w))).intoArray(out, oOff + i);
            } else {
                for (int k = 0; k < VL; k++) out[oOff + i + k] = logScalar(x[xOff + i + k]);
            }
        }
        for (; i < n; i++) out[oOff + i] = logScalar(x[xOff + i]);
    }

    /**
     * The scalar twin of the vector log (same operations, same bits) with the special values: subnormal inputs get
     * {@link Math#log}, {@code ±0 → -inf}, negatives and NaN {@code → NaN}, {@code +inf → +inf}.
     */
    static double logScalar(double v) {
        if (!(v >= Double.MIN_NORMAL && v <= Double.MAX_VALUE)) {
            return v > 0 ? Math.log(v) : v == 0 ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
        long bits = Double.doubleToRawLongBits(v);
        long k = (bits - SQRTHF_BITS) >> 52;
        double m = Double.longBitsToDouble(bits - (k << 52));
        double kd = Double.longBitsToDouble(k + ROUND_BITS) - ROUND;
        double f = m - 1d;
        double s = f / (f + 2d);
        double z = s * s;
        double q = horner(z, LOG_Q);
        double h = (f * f) * 0.5;
        double w = Math.fma(kd, C2, s * Math.fma(q, z, h));
        return Math.fma(kd, C1, f - (h - w));
    }

    // ------------------------------------------------------------------------------------------ sums

    /** {@link KernelBackend#sum} for float64: rows ({@code inner == 1}) by {@link #rowSum}, columns by {@link #addTo} into {@code out}. */
    static void sum(double[] x, double[] out, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            if (inner == 1) {
                out[o] = rowSum(x, o * n, n);
                continue;
            }
            java.util.Arrays.fill(out, o * inner, (o + 1) * inner, 0d);
            for (int k = 0; k < n; k++) addTo(out, o * inner, x, (o * n + k) * inner, inner);
        }
    }

    /** {@code Σ x[off .. off+n)} in {@code VL} double lanes, added at the end, then the tail. */
    static double rowSum(double[] x, int off, int n) {
        final DoubleVector zero = DoubleVector.zero(S);
        DoubleVector acc = zero;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += VL) acc = DoubleVector.fromArray(S, x, off + i).add(acc);
        double s = zero.add(acc).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** {@code acc[aOff + i] += x[off + i]} for {@code i < n}: each element in the scalar order, so the same bits. */
    static void addTo(double[] acc, int aOff, double[] x, int off, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += VL) {
            DoubleVector.fromArray(S, x, off + i).add(DoubleVector.fromArray(S, acc, aOff + i)).intoArray(acc, aOff + i);
        }
        for (; i < n; i++) acc[aOff + i] += x[off + i];
    }
}
