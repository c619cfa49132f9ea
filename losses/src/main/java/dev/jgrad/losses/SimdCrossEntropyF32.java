package dev.jgrad.losses;

import dev.jgrad.core.Storage;
import dev.jgrad.core.kernel.ParallelRanges;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The SIMD row kernels of {@link FusedCrossEntropy} (its {@link FusedCrossEntropy#logSumExps} and
 * {@link FusedCrossEntropy#gradient} when the kernel backend runs on the Vector API) for float32 logits in contiguous
 * rows. Only touched when the backend is SIMD ({@code KernelBackend.simd()}), so the rest of the loss loads on any JVM.
 *
 * <p><b>One source for both precisions.</b> This file is the template of {@code SimdCrossEntropyF64}: the same rows
 * over {@code double[]} in {@code DoubleVector} lanes, calling {@code VectorMath64} instead of {@link VectorMath}
 * (written by the {@code generate-f64} step of the root {@code pom.xml}, which generates core's 64-bit kernels
 * too). Edit this file only. Below, "float" is the element type (so it reads "double" in the generated class);
 * "32-bit" and "64-bit" mark what differs between the two.
 *
 * <p><b>Forward</b>, per row of {@code C} logits (4 KB of 32-bit logits for {@code C = 1000}, so the second pass reads
 * L1): a max pass ({@link #rowMax}: four independent accumulators, since one {@code max} with Java's NaN and
 * signed-zero rules is a chain of several dependent instructions) and an exp-sum pass, then {@code logSum = log Σ}.
 * Given an {@code exps} buffer, the exp-sum pass also stores the terms ({@link VectorMath#expSumStoreLoop}), otherwise
 * it only sums them ({@link VectorMath#expSumLoop}); the two give the same sum, bit for bit. The 32-bit sum is
 * compensated per lane (as accurate as a double sum); the 64-bit one adds plain lanes, which in double is as accurate
 * as the scalar {@link ScalarKernels#logSumExpRow} (within {@code (C/VL + log₂VL)·2⁻⁵³} relative of the exact sum of
 * the computed terms, each term within 0.76 ulp) and is the loop of the 64-bit {@code KernelBackend.logSumExp}, so the
 * 64-bit parts are bit for bit those of that kernel on the SIMD backend. A row whose max is not finite ({@code NaN},
 * {@code +inf}, or all {@code -inf}) is done by {@link ScalarKernels#logSumExpRow}, so those keep their exact
 * semantics (and store no exps).
 *
 * <p><b>Backward</b>, per row, one pass that writes every element exactly once: with the forward's exps,
 * {@code e·q} with {@code q = s·exp(-l)} rounded to float once (three roundings in all); without them,
 * {@link VectorMath#expStoreLoop} for {@code s·exp((x - m) - l)} (the {@code (x - m) - l} in float). With {@code u}
 * the unit roundoff ({@code 2^-24} 32-bit, {@code 2^-53} 64-bit), an element from the exps is within
 * {@code (|x - m| + 4)·u} (32-bit) or {@code (|x - m| + 6)·u} (64-bit) relative of the exact value for the computed
 * {@code m, l}; recomputed, within {@code (|x - m| + |x - m - l| + l + 4)·u} — the exps are the more accurate for
 * the large elements ({@code x} near {@code m}). Then the target element, still in L1, is overwritten with
 * {@code s·expm1((x_t - m) - l)} evaluated in double ({@link FusedCrossEntropy#targetGradient}: the same expression, so
 * the same bits, as the scalar rows). Rows with {@code s == 0} are zero-filled (their target element, if any, is still
 * {@code 0·expm1(...)}, which is {@code -0} or NaN in the cases where the scalar path gives that); rows whose shift or
 * log-sum is not finite, or whose factor ({@code q}, or {@code s} when recomputing) is not a normal float
 * ({@code MIN_NORMAL ≤ |·| ≤ MAX_VALUE} of the element type: 32-bit, a factor that would lose accuracy when rounded;
 * 64-bit, a subnormal or non-finite factor, rare enough for the reference), take {@link FusedCrossEntropy#gradientRow},
 * bit for bit.
 *
 * <p><b>Threads.</b> Rows are independent, so a large call is spread over the kernel pool in chunks of rows by
 * {@link ParallelRanges} (the results do not depend on the split). Per element the 32-bit forward costs about 0.35 ns
 * and the backward about 0.3 ns on one core of the 2-core Zen 4 VM this was measured on.
 */
final class SimdCrossEntropyF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private SimdCrossEntropyF32() {
    }

    /** This thread's row job, for the forward and the backward. */
    private static final ThreadLocal<Rows> JOBS = ThreadLocal.withInitial(Rows::new);

    /** The forward ({@link #forwardRows}) or backward ({@link #backwardRows}) over rows, with the call's arguments. */
    private static final class Rows extends ParallelRanges {
        boolean backward;
        Storage x, out;
        float[] xa, ea, oa;
        double[] shift, logSum, scale;
        int[] target;
        int cols;

        @Override
        protected void range(int from, int to) {
            if (backward) backwardRows(x, xa, shift, logSum, scale, target, ea, out, oa, from, to, cols);
            else forwardRows(x, xa, shift, logSum, ea, from, to, cols);
        }

        @Override
        protected void clear() {
            x = out = null;
            xa = ea = oa = null;
            shift = logSum = scale = null;
            target = null;
        }
    }

    /** Runs this thread's {@link Rows} job over {@code rows} (the backward's arguments are null for the forward). */
    private static void runRows(boolean backward, Storage x, float[] xa, float[] ea, double[] shift, double[] logSum, double[] scale,
                                int[] target, Storage out, float[] oa, int rows, int cols, int threads) {
        Rows job = JOBS.get();
        job.backward = backward;
        job.x = x;
        job.xa = xa;
        job.ea = ea;
        job.shift = shift;
        job.logSum = logSum;
        job.scale = scale;
        job.target = target;
        job.out = out;
        job.oa = oa;
        job.cols = cols;
        job.runRows(rows, cols, threads);
    }

    /** {@link FusedCrossEntropy#logSumExps} of float32 logits {@code x} (backed by {@code xa}), storing the exps when {@code ea != null}. */
    static void forward(Storage x, float[] xa, double[] shift, double[] logSum, float[] ea, int rows, int cols, int threads) {
        runRows(false, x, xa, ea, shift, logSum, null, null, null, null, rows, cols, threads);
    }

    private static void forwardRows(Storage x, float[] xa, double[] shift, double[] logSum, float[] ea, int from, int to, int cols) {
        for (int r = from; r < to; r++) {
            int base = r * cols;
            float m = rowMax(xa, base, cols);
            if (!Float.isFinite(m)) {
                ScalarKernels.logSumExpRow(x, base, cols, 1, shift, logSum, r); // no exps: backward recomputes this row
                continue;
            }
            shift[r] = m;
            logSum[r] = Math.log(ea == null ? VectorMath.expSumLoop(xa, base, m, cols) : VectorMath.expSumStoreLoop(xa, base, m, ea, base, cols));
        }
    }

    /**
     * Max of {@code x[off .. off+n)} with {@link Math#max(float, float)} semantics (NaN if any element is NaN,
     * {@code +0 > -0}), {@code -inf} for {@code n == 0}. That max is associative and commutative, so four
     * independent accumulators give the same value as one.
     */
    static float rowMax(float[] x, int off, int n) {
        final FloatVector ninf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
        int i = 0;
        // loop-carried accumulators are never receivers (VectorMath's JIT rules)
        for (final int bound = n - 4 * VL; i <= bound; i += 4 * VL) {
            m0 = FloatVector.fromArray(S, x, off + i).max(m0);
            m1 = FloatVector.fromArray(S, x, off + i + VL).max(m1);
            m2 = FloatVector.fromArray(S, x, off + i + 2 * VL).max(m2);
            m3 = FloatVector.fromArray(S, x, off + i + 3 * VL).max(m3);
        }
        for (final int bound = S.loopBound(n); i < bound; i += VL) m0 = FloatVector.fromArray(S, x, off + i).max(m0);
        // the tail as the last VL elements, overlapping ones already seen (max is idempotent)
        if (i < n && n >= VL) m1 = FloatVector.fromArray(S, x, off + n - VL).max(m1);
        float m = ninf.max(m0).max(m1).max(m2).max(m3).reduceLanes(VectorOperators.MAX);
        if (n < VL) for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /**
     * {@link FusedCrossEntropy#gradient} of float32 logits {@code x} into {@code out} (backed by {@code xa}, {@code oa}),
     * from the forward's exps when {@code ea != null} (may be {@code oa}).
     */
    static void backward(Storage x, float[] xa, double[] shift, double[] logSum, double[] scale, int[] target, float[] ea,
                         Storage out, float[] oa, int rows, int cols, int threads) {
        runRows(true, x, xa, ea, shift, logSum, scale, target, out, oa, rows, cols, threads);
    }

    private static void backwardRows(Storage x, float[] xa, double[] shift, double[] logSum, double[] scale, int[] target,
                                     float[] ea, Storage out, float[] oa, int from, int to, int cols) {
        for (int r = from; r < to; r++) {
            int base = r * cols, t = target[r];
            double m = shift[r], l = logSum[r], s = scale[r];
            if (s == 0) {
                Arrays.fill(oa, base, base + cols, 0f);
            } else if (Double.isFinite(m) && Double.isFinite(l)) {
                // from the forward's exps: s·softmax = e·(s·exp(-l)), one multiply per element
                float q = (float) (s * Math.exp(-l)), sf = (float) s;
                if (ea != null && isNormal(q)) scaleRow(ea, base, q, oa, cols);
                else if (isNormal(sf)) VectorMath.expStoreLoop(xa, base, (float) m, (float) l, sf, oa, base, cols);
                else {
                    FusedCrossEntropy.gradientRow(x, m, l, s, t, out, base, cols);
                    continue;
                }
            } else {
                FusedCrossEntropy.gradientRow(x, m, l, s, t, out, base, cols);
                continue;
            }
            if (t >= 0) oa[base + t] = (float) FusedCrossEntropy.targetGradient(xa[base + t], m, l, s);
        }
    }

    /** True for a normal, finite float (a float factor that keeps the product's relative accuracy). */
    private static boolean isNormal(float v) {
        float a = Math.abs(v);
        return a >= Float.MIN_NORMAL && a <= Float.MAX_VALUE;
    }

    /**
     * {@code out[base + i] = e[base + i]·q} for {@code i < n}; {@code out} may be {@code e} (then the tail is scalar, as a
     * vector overlapping stored values would scale them twice).
     */
    private static void scaleRow(float[] e, int base, float q, float[] out, int n) {
        final FloatVector vq = FloatVector.broadcast(S, q);
        int i = 0;
        for (final int bound = S.loopBound(n); i < bound; i += VL) FloatVector.fromArray(S, e, base + i).mul(vq).intoArray(out, base + i);
        if (i < n && e != out && n >= VL) FloatVector.fromArray(S, e, base + n - VL).mul(vq).intoArray(out, base + n - VL);
        else for (; i < n; i++) out[base + i] = e[base + i] * q;
    }
}
