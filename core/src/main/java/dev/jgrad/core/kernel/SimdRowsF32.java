package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 row kernels of {@link SimdKernels} — softmax, log-softmax and logSumExp over
 * contiguous rows ({@code inner == 1}) — as passes over each row: a max pass, an exp-sum pass and a write pass
 * (log-softmax: {@code (x - max) - log Σ}; softmax: {@code exp(x - max)·(1/Σ)}, recomputing the exp), the same
 * expressions as {@link ScalarKernels}; and their backward passes (softmax / log-softmax: a row sum pass, then one write pass — log-softmax an exp store and an add over the
 * cached row; logSumExp: the scaled-softmax exp pass). The exp loops, and their accuracy, are those of the
 * precision's exp/log class: {@code VectorMath} here, {@code VectorMath64} in the generated twin. Rows whose max (or
 * given shift or log-sum; backward: row sum, shift, log-sum or gradient) is not finite are done by the scalar
 * code, which keeps every special case (the {@code isfinite} guard, NaN, {@code ±inf}) bit-for-bit the same as
 * {@link ScalarKernels}.
 *
 * <p>One source for both precisions: the build writes {@code SimdRowsF64} from this file (the root pom.xml's
 * generate-f64 step, which swaps the element type and vector class and calls {@code VectorMath64} instead of
 * {@code VectorMath}), so the row logic exists once while the exp loops, whose algorithms differ between the
 * precisions, stay separate. Edit {@code SimdRowsF32.java} only.
 */
final class SimdRowsF32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdRowsF32() {
    }

    /** Max of {@code x[off .. off+n)}, NaN if any element is NaN, {@code -inf} for {@code n == 0}. */
    static float rowMax(float[] x, int off, int n) {
        final FloatVector ninf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector mv = ninf;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            // Math.max semantics: NaN wins. The loop-carried mv is never the receiver (VectorMath's JIT rules).
            mv = FloatVector.fromArray(S, x, off + i).max(mv);
        }
        float m = ninf.max(mv).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /** Softmax (or log-softmax) of {@code outer} contiguous rows of {@code n}; {@code xa}, {@code oa} back {@code x}, {@code out}. */
    static void softmax(Storage x, float[] xa, Storage out, float[] oa, int outer, int n, boolean log) {
        for (int r = 0; r < outer; r++) {
            int base = r * n;
            float m = rowMax(xa, base, n);
            if (!Float.isFinite(m)) {
                ScalarKernels.softmaxRow(x, out, base, n, 1, log);
                continue;
            }
            double s = VectorMath.expSumLoop(xa, base, m, n);
            if (log) subtract(xa, base, m, (float) Math.log(s), oa, base, n);
            else VectorMath.expStoreLoop(xa, base, m, 0f, (float) (1.0 / s), oa, base, n);
        }
    }

    /** {@code out[oOff + i] = (x[xOff + i] - a) - b}. */
    private static void subtract(float[] x, int xOff, float a, float b, float[] out, int oOff, int n) {
        FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).sub(va).sub(vb).intoArray(out, oOff + i);
        }
        for (; i < n; i++) out[oOff + i] = (x[xOff + i] - a) - b;
    }

    /** {@link KernelBackend#logSumExp} for {@code outer} contiguous rows of {@code n}; {@code xa} backs {@code x}. */
    static void logSumExp(Storage x, float[] xa, double[] shift, double[] logSum, int outer, int n) {
        for (int r = 0; r < outer; r++) {
            int base = r * n;
            float m = rowMax(xa, base, n);
            if (!Float.isFinite(m)) {
                ScalarKernels.logSumExpRow(x, base, n, 1, shift, logSum, r);
                continue;
            }
            shift[r] = m;
            logSum[r] = Math.log(VectorMath.expSumLoop(xa, base, m, n));
        }
    }

    /**
     * {@link KernelBackend#softmaxBackward} for {@code outer} contiguous rows of {@code n}; {@code ya}, {@code ga},
     * {@code oa} back {@code y}, {@code g}, {@code out}. Per row: the sum {@code a} ({@code Σ g∘y} compensated,
     * or {@code Σ g} in double lanes for log-softmax), then softmax {@code out = (g - a)·y}, log-softmax {@code out = g + (-a)·exp(y)}
     * (an exp store pass, then an add pass over the row, still in cache). Rows whose sum is not finite (NaN or
     * infinite {@code g} or softmax {@code y}, or overflow) are done by the scalar code.
     */
    static void softmaxBackward(Storage y, float[] ya, Storage g, float[] ga, Storage out, float[] oa, int outer, int n,
                                boolean log) {
        for (int r = 0; r < outer; r++) {
            int base = r * n;
            float a = (float) (log ? VectorMath.rowSum(ga, base, n) : dot(ga, ya, base, n));
            if (!Float.isFinite(a)) {
                ScalarKernels.softmaxBackwardRow(y, g, out, base, n, 1, log);
            } else if (log) {
                VectorMath.expStoreLoop(ya, base, 0f, 0f, -a, oa, base, n);
                addInto(ga, oa, base, n);
            } else {
                scaledDifference(ya, ga, a, oa, base, n);
            }
        }
    }

    /**
     * {@code Σ x[off + i]·y[off + i]} for {@code i < n}: each product split exactly into {@code p + e} by an FMA and
     * added compensated per lane (TwoSum), so about as accurate as the products summed in twice the precision.
     */
    static double dot(float[] x, float[] y, int off, int n) {
        final FloatVector zero = FloatVector.zero(S);
        FloatVector acc = zero, comp = zero;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector u = FloatVector.fromArray(S, x, off + i), v = FloatVector.fromArray(S, y, off + i);
            FloatVector p = u.mul(v);
            FloatVector e = u.fma(v, p.neg()); // u·v - p, exact
            FloatVector s = p.add(acc);
            FloatVector pp = s.sub(acc);
            comp = s.sub(pp).neg().add(acc).add(p.sub(pp)).add(e).add(comp);
            acc = s;
        }
        double t = (double) zero.add(acc).reduceLanes(VectorOperators.ADD) + zero.add(comp).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) t += (double) x[off + i] * y[off + i];
        return t;
    }

    /** {@code out[off + i] += x[off + i]} for {@code i < n}. */
    private static void addInto(float[] x, float[] out, int off, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).add(FloatVector.fromArray(S, out, off + i)).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = x[off + i] + out[off + i];
    }

    /** {@code out[off + i] = (g[off + i] - a)·y[off + i]} for {@code i < n}. */
    private static void scaledDifference(float[] y, float[] g, float a, float[] out, int off, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, g, off + i).sub(va).mul(FloatVector.fromArray(S, y, off + i)).intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = (g[off + i] - a) * y[off + i];
    }

    /**
     * {@link KernelBackend#logSumExpBackward} for {@code outer} contiguous rows of {@code n}: {@code g[r]·exp((x - shift)
     * - logSum)} by the exp store loop; rows whose shift, log-sum or gradient is not finite are done by the scalar code.
     */
    static void logSumExpBackward(Storage x, float[] xa, double[] shift, double[] logSum, Storage g, float[] ga, Storage out,
                                  float[] oa, int outer, int n) {
        for (int r = 0; r < outer; r++) {
            int base = r * n;
            double m = shift[r], l = logSum[r];
            float s = ga[r];
            if (!Double.isFinite(m) || !Double.isFinite(l) || !Float.isFinite(s)) {
                ScalarKernels.logSumExpBackwardRow(x, m, l, s, out, base, n, 1);
                continue;
            }
            VectorMath.expStoreLoop(xa, base, (float) m, (float) l, s, oa, base, n);
        }
    }
}
