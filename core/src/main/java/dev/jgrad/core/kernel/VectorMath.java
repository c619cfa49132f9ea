package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float32 {@code exp} and {@code log} (range reduction + polynomial, Cephes {@code expf}/{@code
 * logf} coefficients evaluated with FMA), and the array loops built on them.
 *
 * <p><b>exp.</b> {@code x = n·ln2 + r}, {@code n = rint(x·log2 e)} (via the 1.5·2²³ rounding constant),
 * {@code r} by a two-constant Cody–Waite reduction ({@code 0.693359375} has 9 significant bits, so
 * {@code x - n·C1} is exact), {@code |r| ≤ ln2/2}; {@code exp(r) ≈ 1 + r + r²·P(r)} with {@code P} of degree
 * 5; the result is scaled by {@code 2^n} exactly, by integer addition of {@code n} to the exponent field,
 * which is valid for every argument in {@code [-87.33654, 88.72283]} ({@code n = 128} only occurs with
 * {@code exp(r) < 1}). Outside that range: results below {@link Float#MIN_NORMAL} (arguments
 * {@code < -87.33654}, including {@code -inf}) are flushed to +0 — subnormal floats slow every kernel that
 * touches them; arguments above {@code 88.72283} (the largest float with a finite exp), including {@code +inf},
 * give {@code +inf}; NaN stays NaN; {@code exp(-0) = 1}.
 *
 * <p><b>log.</b> {@code x = 2^e·m}, {@code m ∈ [√½, √2)}, {@code f = m - 1};
 * {@code log(1+f) ≈ f - f²/2 + f³·Q(f)} with {@code Q} of degree 8, plus {@code e·ln2} as the same two
 * Cody–Waite constants. Subnormal inputs get {@code (float) Math.log(x)} (their logs are normal floats),
 * {@code log(±0) = -inf}, {@code log(x < 0) = NaN}, {@code log(+inf) = +inf}, NaN stays NaN.
 *
 * <p><b>Accuracy</b> ({@code VectorMathTest}: every 127th bit pattern of the whole float range — 33.8 M
 * inputs, all exponents and signs — plus bit-by-bit neighbourhoods of the thresholds, against
 * {@code Math.exp}/{@code Math.log} in double): measured max error 0.995 ulp for exp, 0.82 ulp for log;
 * the documented bound, asserted by the test, is 2 ulp.
 *
 * <p><b>Special values.</b> One compare per vector ({@code x ≤ 87.33654} for exp,
 * {@code x·0 + x ≥ MIN_NORMAL} for log) detects vectors with any overflowing, NaN or (log) non-normal lane; those,
 * and the tails, are done lane by lane by scalar twins of the vector code ({@link #expScalar(float)}, {@link #logScalar(float)}: the
 * same operations, {@link Math#fma(float, float, float)} being the same correctly rounded FMA, so the same
 * bits — a value never depends on its neighbours or its position) that also handle the special values. The one
 * special case kept in the vector path is exp's underflow ({@code x < -87.33654}, {@code -inf} included): those lanes
 * are blended to {@code +0}, as the scalar twin flushes them, because masked rows (causal attention's {@code -inf}
 * entries) put such lanes into most vectors of a row; sent lane by lane they made the scalar exp a tenth of a
 * transformer's training step.
 *
 * <p><b>JIT rules</b> followed by all Vector API code in this package (JDK 17's C2 otherwise boxes vectors,
 * allocating on every iteration — 10× slower — depending on what other Vector API code ran before):
 * (1) no vector-valued helper methods: a helper that is not inlined boxes its arguments and result;
 * (2) never call a method on a loop-carried vector (a loop phi, e.g. an accumulator): while parsing, C2 does
 * not know its exact class, so the call is dispatched on type profiles and trap histories of the shared Vector
 * API code, which other kernels pollute — write {@code acc = y.add(acc)}, not {@code acc = acc.add(y)}, and
 * after the loop {@code zero.add(acc).reduceLanes(...)} / {@code negZero.add(acc).intoArray(...)};
 * (3) no vector used or updated under a condition inside the loop (a conditional store, a flag-guarded
 * accumulation): one loop per variant instead;
 * (4) keep loop bodies short and rare paths scalar: the fewer Vector API calls a compiled method contains,
 * the fewer speculative type checks that can fail (a failed check, in any method, makes C2 compile later
 * calls at that site as real virtual calls, with boxing).
 * These were found with allocation counters (ThreadMXBean) and JFR allocation samples on a harness that runs
 * every kernel, float and double, in one JVM; with them, steady-state allocation is zero in every kernel (10 of
 * 10 runs; before, 1 to 10 of 10 runs allocated a box per vector in some kernel). Reinterpretations name their
 * constant species ({@code v.reinterpretShape(SI, 0)}) — defensive; {@code reinterpretAsInts()} also passed.
 */
public final class VectorMath {
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    /** Doubles of the same vector size: one float vector widens to two of these. */
    static final VectorSpecies<Double> SD = VectorSpecies.of(double.class, S.vectorShape());
    static final int VL = S.length();

    private static final float LOG2E = 1.44269504088896341f;
    private static final float C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer
    /** The smallest float whose exp is at least MIN_NORMAL. */
    private static final float EXP_MIN = -87.33654f;
    /** The vector test for "no special lane": |x| <= -EXP_MIN (a subset of [EXP_MIN, EXP_MAX]; one compare). */
    private static final float EXP_FAST = -EXP_MIN;
    /** exp: Cephes expf polynomial. */
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;
    /** log: Cephes logf polynomial. */
    private static final float Q0 = 7.0376836292E-2f, Q1 = -1.1514610310E-1f, Q2 = 1.1676998740E-1f,
            Q3 = -1.2420140846E-1f, Q4 = 1.4249322787E-1f, Q5 = -1.6668057665E-1f, Q6 = 2.0000714765E-1f,
            Q7 = -2.4999993993E-1f, Q8 = 3.3333331174E-1f;
    /** The largest float whose exp is finite. */
    private static final float EXP_MAX = 88.72283f;
    private static final float SQRTHF = 0.707106781186547524f;

    private VectorMath() {
    }

    /**
     * {@code Σ_i exp(x[xOff + i] - a)} for {@code i < n}, where {@code a} is at least every {@code x[xOff + i]}
     * (the row max of a max-shifted softmax), so that every term is at most 1.
     *
     * <p>Vectors whose arguments all satisfy {@code x ≤ 87.33654} (always, after a finite max shift, unless a lane is
     * NaN) take the vector path, lanes below {@code -87.33654} (underflow, masked {@code -inf}) giving {@code +0};
     * any other vector (possible overflow or NaN), and the tail, is done lane by lane by
     * {@link #expScalar(float)}, which computes bit for bit what the vector path does and handles the special
     * values. The vector branch is the only place with vector values, so C2 never has to box them; for the
     * same reason the sum and the store loop ({@link #expStoreLoop}) are two loops rather than one with flags
     * (a conditionally updated accumulator, or a conditionally stored vector, gets boxed).
     *
     * <p>The sum is compensated, so it is as accurate as a double accumulation — one term {@code 1} plus 2²⁰ terms
     * {@code 2^-24} sums to {@code 1.0625}, where a plain float lane would stay at {@code 1} — without widening
     * conversions in the loop. Each lane starts at a bias of {@code 1}, so it is never smaller than the next term
     * ({@code 0 ≤ exp(x - a) ≤ 1}) and Fast2Sum is exact: {@code s = acc + y} and {@code e = y - (s - acc)} give
     * {@code acc + y = s + e} exactly (Dekker; 3 adds, against TwoSum's 6 when the order of the operands is
     * unknown). The rounding errors {@code e} are summed per lane in float — they are below half an ulp of the
     * lane sum, so their own rounding is negligible — and at the end {@code (acc - 1) + comp} is added up in
     * double. (With {@code a} below the max the sum stays correctly rounded per step, only the compensation
     * becomes inexact.)
     */
    public static double expSumLoop(float[] x, int xOff, float a, int n) {
        final FloatVector va = FloatVector.broadcast(S, a);
        final FloatVector log2e = FloatVector.broadcast(S, LOG2E), round = FloatVector.broadcast(S, ROUND);
        final FloatVector c1 = FloatVector.broadcast(S, -C1), c2 = FloatVector.broadcast(S, -C2);
        final FloatVector p0 = FloatVector.broadcast(S, P0), p1 = FloatVector.broadcast(S, P1), p2 = FloatVector.broadcast(S, P2),
                p3 = FloatVector.broadcast(S, P3), p4 = FloatVector.broadcast(S, P4), p5 = FloatVector.broadcast(S, P5);
        final FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector acc = one, comp = zero;
        double total = 0;
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + i).sub(va);
            // no overflowing or NaN lane: x0 <= 87.33654 (exact; NaN fails); lanes below EXP_MIN (masked -inf
            // entries, far tails) are flushed to +0 by the blend, as expScalar flushes them
            if (x0.compare(VectorOperators.LE, EXP_FAST).allTrue()) {
                VectorMask<Float> under = x0.compare(VectorOperators.LT, EXP_MIN);
                // ---- exp(x0), see the class comment
                FloatVector t = x0.fma(log2e, round); // 1.5·2^23 + rint(x·log2 e)
                FloatVector nf = t.sub(round);
                FloatVector r = nf.fma(c1, x0);
                r = nf.fma(c2, r);
                FloatVector z = r.mul(r);
                FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
                FloatVector y = p.fma(z, r).add(1f);
                // y·2^n by adding n to the exponent field: t's low bits hold n, and the rounding constant's
                // bits vanish when shifted left by 23
                y = (FloatVector) ((IntVector) y.reinterpretShape(SI, 0))
                        .add(((IntVector) t.reinterpretShape(SI, 0)).lanewise(VectorOperators.LSHL, 23)).reinterpretShape(S, 0);
                y = y.blend(0f, under);
                // ----
                // compensated sum (Fast2Sum, exact as acc >= 1 >= y: acc + y == sum + err), plain float ops;
                // receivers are never the loop-carried vectors (see the class comment)
                FloatVector sum = y.add(acc);
                comp = y.sub(sum.sub(acc)).add(comp);
                acc = sum;
            } else {
                total += expScalar(x, xOff + i, a, 0f, 1f, null, 0, VL, false);
            }
        }
        if (i < n) total += expScalar(x, xOff + i, a, 0f, 1f, null, 0, n - i, false);
        // lane sums less the bias (exact: every lane is >= 1) and their compensations, reduced in double
        return total + laneTotal(one.neg().add(acc), zero.add(comp));
    }

    /** Per thread, {@code 2·VL} floats for {@link #laneTotal}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[2 * VL]);

    /**
     * The double sum of the lane sums and their compensations: lane {@code j < VL/2} of the double vector
     * {@code ((lanes[j] + lanes[j + VL/2]) + errs[j]) + errs[j + VL/2]}, those added in lane order. Written with scalar
     * widening because the float-to-double {@code convertShape} of a full float vector into two halves is not
     * intrinsified on every JDK and CPU (JDK 17 on AVX-512 falls back to array copies there, the hot spot of short
     * softmax rows such as attention's); it is the same arithmetic as that vector form, lane for lane.
     */
    private static double laneTotal(FloatVector lanes, FloatVector errs) {
        float[] t = LANES.get();
        lanes.intoArray(t, 0);
        errs.intoArray(t, VL);
        int h = VL / 2;
        double r = 0;
        for (int j = 0; j < h; j++) r += (((double) t[j] + (double) t[j + h]) + (double) t[VL + j]) + (double) t[VL + j + h];
        return r;
    }

    /**
     * {@link #expSumLoop} that also stores the terms: {@code out[oOff + i] = exp(x[xOff + i] - a)} (the same bits
     * as {@link #expStoreLoop} with {@code b = 0, s = 1}), returning their sum; {@code out} must not overlap
     * {@code x[xOff .. xOff + n)}. The fused cross-entropy's forward keeps these for its backward. A third copy of
     * the exp code, for the JIT rules of the class comment (one loop per variant, no vector-valued helpers).
     */
    public static double expSumStoreLoop(float[] x, int xOff, float a, float[] out, int oOff, int n) {
        final FloatVector va = FloatVector.broadcast(S, a);
        final FloatVector log2e = FloatVector.broadcast(S, LOG2E), round = FloatVector.broadcast(S, ROUND);
        final FloatVector c1 = FloatVector.broadcast(S, -C1), c2 = FloatVector.broadcast(S, -C2);
        final FloatVector p0 = FloatVector.broadcast(S, P0), p1 = FloatVector.broadcast(S, P1), p2 = FloatVector.broadcast(S, P2),
                p3 = FloatVector.broadcast(S, P3), p4 = FloatVector.broadcast(S, P4), p5 = FloatVector.broadcast(S, P5);
        final FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector acc = one, comp = zero;
        double total = 0;
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + i).sub(va);
            // no overflowing or NaN lane: x0 <= 87.33654 (exact; NaN fails); lanes below EXP_MIN (masked -inf
            // entries, far tails) are flushed to +0 by the blend, as expScalar flushes them
            if (x0.compare(VectorOperators.LE, EXP_FAST).allTrue()) {
                VectorMask<Float> under = x0.compare(VectorOperators.LT, EXP_MIN);
                // ---- exp(x0), see the class comment
                FloatVector t = x0.fma(log2e, round); // 1.5·2^23 + rint(x·log2 e)
                FloatVector nf = t.sub(round);
                FloatVector r = nf.fma(c1, x0);
                r = nf.fma(c2, r);
                FloatVector z = r.mul(r);
                FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
                FloatVector y = p.fma(z, r).add(1f);
                // y·2^n by adding n to the exponent field: t's low bits hold n, and the rounding constant's
                // bits vanish when shifted left by 23
                y = (FloatVector) ((IntVector) y.reinterpretShape(SI, 0))
                        .add(((IntVector) t.reinterpretShape(SI, 0)).lanewise(VectorOperators.LSHL, 23)).reinterpretShape(S, 0);
                y = y.blend(0f, under);
                // ----
                // compensated sum (Fast2Sum, exact as acc >= 1 >= y: acc + y == sum + err), plain float ops;
                // receivers are never the loop-carried vectors (see the class comment)
                y.intoArray(out, oOff + i);
                FloatVector sum = y.add(acc);
                comp = y.sub(sum.sub(acc)).add(comp);
                acc = sum;
            } else {
                total += expScalar(x, xOff + i, a, 0f, 1f, out, oOff + i, VL, true);
            }
        }
        if (i < n) total += expScalar(x, xOff + i, a, 0f, 1f, out, oOff + i, n - i, true);
        // lane sums less the bias (exact: every lane is >= 1) and their compensations, reduced in double
        return total + laneTotal(one.neg().add(acc), zero.add(comp));
    }

    /**
     * {@code out[oOff + i] = s·exp((x[xOff + i] - a) - b)} for {@code i < n} ({@code out} may be {@code x});
     * the store-only twin of {@link #expSumLoop}. With {@code a = b = 0, s = 1} this is plain {@code exp}.
     *
     * <p>When {@code out} is another array and {@code n >= VL}, the tail is one more vector, the last {@code VL}
     * elements: it stores again up to {@code VL - 1} values already stored, with the same bits (a value depends only
     * on its own input), instead of a lane-by-lane scalar tail (which cost about a fifth of the loop for rows of 1000).
     * In place, the tail is scalar: the overlap would read outputs.
     */
    public static void expStoreLoop(float[] x, int xOff, float a, float b, float s, float[] out, int oOff, int n) {
        final FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b), vs = FloatVector.broadcast(S, s);
        final FloatVector log2e = FloatVector.broadcast(S, LOG2E), round = FloatVector.broadcast(S, ROUND);
        final FloatVector c1 = FloatVector.broadcast(S, -C1), c2 = FloatVector.broadcast(S, -C2);
        final FloatVector p0 = FloatVector.broadcast(S, P0), p1 = FloatVector.broadcast(S, P1), p2 = FloatVector.broadcast(S, P2),
                p3 = FloatVector.broadcast(S, P3), p4 = FloatVector.broadcast(S, P4), p5 = FloatVector.broadcast(S, P5);
        final boolean overlapTail = out != x && n >= VL;
        // vectors start at 0, VL, 2·VL, ...; with overlapTail the last one starts at n - VL
        final int end = overlapTail ? n : S.loopBound(n), lastStart = end - VL;
        int i = 0;
        for (; i < end; i += VL) {
            final int at = Math.min(i, lastStart);
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + at).sub(va).sub(vb);
            // as in expSumLoop: no overflowing or NaN lane; lanes below EXP_MIN flushed to +0
            if (x0.compare(VectorOperators.LE, EXP_FAST).allTrue()) {
                VectorMask<Float> under = x0.compare(VectorOperators.LT, EXP_MIN);
                // ---- exp(x0): the same code as in expSumLoop
                FloatVector t = x0.fma(log2e, round);
                FloatVector nf = t.sub(round);
                FloatVector r = nf.fma(c1, x0);
                r = nf.fma(c2, r);
                FloatVector z = r.mul(r);
                FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5);
                FloatVector y = p.fma(z, r).add(1f);
                y = (FloatVector) ((IntVector) y.reinterpretShape(SI, 0))
                        .add(((IntVector) t.reinterpretShape(SI, 0)).lanewise(VectorOperators.LSHL, 23)).reinterpretShape(S, 0);
                // ----
                y.blend(0f, under).mul(vs).intoArray(out, oOff + at);
            } else {
                expScalar(x, xOff + at, a, b, s, out, oOff + at, VL, true);
            }
        }
        if (!overlapTail && i < n) expScalar(x, xOff + i, a, b, s, out, oOff + i, n - i, true);
    }

    /**
     * The exp loops lane by lane, for vectors with special lanes and for the tail: the same operations
     * ({@link Math#fma(float, float, float)} is the same correctly rounded FMA as the vector one), so the same
     * bits, plus the special values. Returns the sum.
     */
    private static double expScalar(float[] x, int xOff, float a, float b, float s, float[] out, int oOff, int len, boolean store) {
        double sum = 0;
        for (int k = 0; k < len; k++) {
            float y = expScalar((x[xOff + k] - a) - b) * s;
            if (store) out[oOff + k] = y;
            sum += y;
        }
        return sum;
    }

    /** The scalar twin of the vector exp (see the class comment), with the special values. */
    static float expScalar(float x) {
        if (!(x >= EXP_MIN && x <= EXP_MAX)) {
            // overflow (> 88.72283: +inf), underflow below MIN_NORMAL (< -87.33654: flushed to +0), NaN
            return x > 0 ? Float.POSITIVE_INFINITY : x < 0 ? 0f : x;
        }
        float t = Math.fma(x, LOG2E, ROUND);
        float nf = t - ROUND;
        float r = Math.fma(nf, -C1, x);
        r = Math.fma(nf, -C2, r);
        float z = r * r;
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, z, r) + 1f;
        return Float.intBitsToFloat(Float.floatToRawIntBits(y) + (Float.floatToRawIntBits(t) << 23));
    }

    /** {@code out[oOff + i] = exp(x[xOff + i])}, {@code i < n}; {@code out} may be {@code x}. */
    static void exp(float[] x, int xOff, float[] out, int oOff, int n) {
        expStoreLoop(x, xOff, 0f, 0f, 1f, out, oOff, n);
    }

    /**
     * {@code out[oOff + i] = log(x[xOff + i])}, {@code i < n}; {@code out} may be {@code x}. Vectors of positive
     * normal finite inputs take the vector path; any other vector, and the tail, is done lane by lane by
     * {@link #logScalar}, the bit-for-bit scalar twin with the special values.
     */
    static void log(float[] x, int xOff, float[] out, int oOff, int n) {
        final FloatVector one = FloatVector.broadcast(S, 1f), half = FloatVector.broadcast(S, -0.5f);
        final FloatVector c1 = FloatVector.broadcast(S, C1), c2 = FloatVector.broadcast(S, C2);
        final FloatVector q0 = FloatVector.broadcast(S, Q0), q1 = FloatVector.broadcast(S, Q1), q2 = FloatVector.broadcast(S, Q2),
                q3 = FloatVector.broadcast(S, Q3), q4 = FloatVector.broadcast(S, Q4), q5 = FloatVector.broadcast(S, Q5),
                q6 = FloatVector.broadcast(S, Q6), q7 = FloatVector.broadcast(S, Q7), q8 = FloatVector.broadcast(S, Q8);
        final FloatVector zero = FloatVector.zero(S), minNormal = FloatVector.broadcast(S, Float.MIN_NORMAL);
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            // all lanes positive, normal and finite? v·0 + v is v when finite, NaN for ±inf and NaN
            // (written MIN_NORMAL <= w, an ordered compare: false for NaN)
            if (minNormal.compare(VectorOperators.LE, v.fma(zero, v)).allTrue()) {
                IntVector bits = (IntVector) v.reinterpretShape(SI, 0);
                FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126).convert(VectorOperators.I2F, 0);
                FloatVector m = (FloatVector) bits.and(0x007FFFFF).or(0x3F000000).reinterpretShape(S, 0); // [0.5, 1)
                VectorMask<Float> small = m.lt(SQRTHF);
                // (masked lanewise ops such as e.sub(1f, mask) are much slower than an op plus a blend on JDK 17)
                e = e.blend(e.sub(one), small);
                FloatVector f = m.blend(m.add(m), small).sub(one);
                FloatVector z = f.mul(f);
                FloatVector q = f.fma(q0, q1).fma(f, q2).fma(f, q3).fma(f, q4).fma(f, q5).fma(f, q6).fma(f, q7).fma(f, q8);
                FloatVector y = q.mul(f).mul(z);
                y = e.fma(c2, y);
                y = z.fma(half, y);
                e.fma(c1, f.add(y)).intoArray(out, oOff + i);
            } else {
                for (int k = 0; k < VL; k++) out[oOff + i + k] = logScalar(x[xOff + i + k]);
            }
        }
        for (; i < n; i++) out[oOff + i] = logScalar(x[xOff + i]);
    }

    /**
     * The scalar twin of the vector log (same operations, same bits) with the special values: subnormal
     * inputs get {@code (float) Math.log(x)}, {@code ±0 → -inf}, negatives and NaN {@code → NaN},
     * {@code +inf → +inf}.
     */
    static float logScalar(float v) {
        if (!(v >= Float.MIN_NORMAL && v <= Float.MAX_VALUE)) {
            return v > 0 ? (float) Math.log(v) : v == 0 ? Float.NEGATIVE_INFINITY : Float.NaN;
        }
        int bits = Float.floatToRawIntBits(v);
        float e = (bits >>> 23) - 126;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000);
        float f;
        if (m < SQRTHF) {
            e = e - 1f;
            f = (m + m) - 1f;
        } else {
            f = m - 1f;
        }
        float z = f * f;
        float q = Math.fma(f, Q0, Q1);
        q = Math.fma(q, f, Q2);
        q = Math.fma(q, f, Q3);
        q = Math.fma(q, f, Q4);
        q = Math.fma(q, f, Q5);
        q = Math.fma(q, f, Q6);
        q = Math.fma(q, f, Q7);
        q = Math.fma(q, f, Q8);
        float y = (q * f) * z;
        y = Math.fma(e, C2, y);
        y = Math.fma(z, -0.5f, y);
        return Math.fma(e, C1, f + y);
    }

    /** {@code Σ x[off .. off+n)} in double lanes: {@link SimdKernels#rowSum}, named here for the row kernels (as {@code VectorMath64.rowSum}). */
    static double rowSum(float[] x, int off, int n) {
        return SimdKernels.rowSum(x, off, n);
    }
}
