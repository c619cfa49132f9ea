package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fused cross-entropy kernels of {@link SimdKernels} for float32 logits in contiguous rows
 * ({@link KernelBackend#crossEntropyForward}, {@link KernelBackend#crossEntropyBackward}); float64 logits take the
 * generated {@code SimdRowsF64} log-sum-exp and scaled-softmax passes plus the target elements, without exps.
 *
 * <p><b>Forward</b>, per row of {@code C} logits (4 KB for {@code C = 1000}, so the second pass reads L1): a max pass
 * ({@link #rowMax}: four independent accumulators, since one {@code max} with Java's NaN and signed-zero rules is a
 * chain of several dependent instructions) and an exp-sum pass (compensated, as accurate as a double sum), then
 * {@code logSum = log Σ}. Given an {@code exps} buffer, the exp-sum pass also stores the terms
 * ({@link VectorMath#expSumStoreLoop}), otherwise it only sums them ({@link VectorMath#expSumLoop}). A row whose max is
 * not finite ({@code NaN}, {@code +inf}, or all {@code -inf}) is done by {@link ScalarKernels#logSumExpRow}, so those
 * keep their exact semantics (and store no exps).
 *
 * <p><b>Backward</b>, per row, one pass that writes every element exactly once: with the forward's exps,
 * {@code e·q} with {@code q = s·exp(-l)} rounded to float once (three roundings in all, so more accurate than the
 * recomputation, whose float argument {@code (x - m) - l} costs {@code |x - m - l|·2^-24} relative); without them,
 * {@link VectorMath#expStoreLoop} for {@code s·exp((x - m) - l)} (the {@code (x - m) - l} in float, as in
 * {@link SimdKernels#scaledSoftmax}). Then the target element, still in L1, is overwritten with
 * {@code s·expm1((x_t - m) - l)} evaluated in double ({@link CrossEntropyRows#target}: the same expression, so the same
 * bits, as the scalar path). Rows with {@code s == 0} are zero-filled (their target element, if any, is still
 * {@code 0·expm1(...)}, which is {@code -0} or NaN in the cases where the scalar path gives that); rows whose shift or
 * log-sum is not finite, or whose factor ({@code q}, or {@code s} when recomputing) is not a normal float, take
 * {@link CrossEntropyRows#backwardRow}, bit for bit.
 *
 * <p><b>Threads.</b> Rows are independent, so a large call is spread over {@link GemmPool} in chunks of rows (the
 * results do not depend on the split). Per element the forward costs about 0.35 ns and the backward about 0.3 ns on one
 * core of the 2-core Zen 4 VM this was measured on; handing a part to an awake pool worker costs a few µs, waking a
 * parked one tens of µs (see {@link SimdKernels}), hence the two thresholds below.
 */
final class SimdCrossEntropy {
    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int VL = S.length();

    /** Calls with at least this many elements are split over the pool when a worker is awake. */
    static final long PARALLEL_ELEMENTS_AWAKE = 1L << 16;
    /** Calls with at least this many elements are split over the pool, waking a worker if needed. */
    static final long PARALLEL_ELEMENTS_COLD = 1L << 18;

    private SimdCrossEntropy() {
    }

    /** How many row ranges to use for {@code rows × cols} on up to {@code threads} threads. */
    static int parts(int rows, int cols, int threads) {
        long elements = (long) rows * cols;
        if (threads < 2 || rows < 2) return 1;
        if (elements >= PARALLEL_ELEMENTS_COLD || elements >= PARALLEL_ELEMENTS_AWAKE && GemmPool.workerAwake()) {
            return Math.min(threads, rows);
        }
        return 1;
    }

    /**
     * Runs {@code job} over {@code [0, rows)}: on the calling thread when {@code parts == 1}, otherwise on {@code parts}
     * threads that claim chunks of about {@link #CHUNK_ELEMENTS} elements from the job's counter until none is left.
     * Claiming (rather than one fixed range per thread) keeps a call from waiting on a thread that the OS has
     * descheduled — on a busy machine the others just take its share. The job's array references are dropped
     * ({@link RowJob#clear}) before this returns.
     */
    static void split(int rows, int cols, int parts, RowJob job) {
        try {
            if (parts == 1) {
                job.rows(0, rows);
                return;
            }
            job.total = rows;
            job.chunkRows = (int) Math.max(1, Math.min(rows / (2L * parts), CHUNK_ELEMENTS / Math.max(1, cols)));
            job.chunks = (rows + job.chunkRows - 1) / job.chunkRows;
            job.next.set(0);
            GemmPool.run(job, parts);
        } finally {
            job.clear();
        }
    }

    /** Elements per claimed chunk: about 10 µs of work, so the claims cost nothing and a lost chunk little. */
    static final int CHUNK_ELEMENTS = 1 << 15;

    /**
     * A kernel over ranges of rows, run by {@link #split}. Subclasses keep the call's arguments in fields and are
     * reused per calling thread, so a parallel call allocates nothing (a capturing lambda per call would); every part
     * runs the same loop, claiming chunks of rows from {@link #next}.
     */
    abstract static class RowJob implements GemmPool.Parts {
        private final AtomicInteger next = new AtomicInteger();
        private int total, chunkRows, chunks;

        /** The kernel over rows {@code [from, to)}. */
        abstract void rows(int from, int to);

        /** Drops the call's array references, so that a per-thread job pins nothing between calls. */
        abstract void clear();

        @Override
        public final void run(int part) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) rows(c * chunkRows, Math.min(total, (c + 1) * chunkRows));
        }
    }

    /** This thread's row job, for the forward and the backward. */
    private static final ThreadLocal<Rows> JOBS = ThreadLocal.withInitial(Rows::new);

    /** The forward ({@link #forwardRows}) or backward ({@link #backwardRows}) over rows, with the call's arguments. */
    private static final class Rows extends RowJob {
        boolean backward;
        Storage x, out;
        float[] xa, ea, oa;
        double[] shift, logSum, scale;
        int[] target;
        int cols;

        @Override
        void rows(int from, int to) {
            if (backward) backwardRows(x, xa, shift, logSum, scale, target, ea, out, oa, from, to, cols);
            else forwardRows(x, xa, shift, logSum, ea, from, to, cols);
        }

        @Override
        void clear() {
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
        split(rows, cols, parts(rows, cols, threads), job);
    }

    /** {@link KernelBackend#crossEntropyForward}; float64 storage goes to the scalar code. */
    static boolean forward(Storage x, double[] shift, double[] logSum, Storage exps, int rows, int cols, int threads) {
        if (x instanceof Storage.F64 xd) {
            SimdRowsF64.logSumExp(x, xd.a, shift, logSum, rows, cols); // float64: the generated row kernels, no exps
            return false;
        }
        if (!(x instanceof Storage.F32 xf) || exps != null && !(exps instanceof Storage.F32)) {
            return CrossEntropyRows.forward(x, shift, logSum, rows, cols);
        }
        runRows(false, x, xf.a, exps == null ? null : ((Storage.F32) exps).a, shift, logSum, null, null, null, null, rows, cols, threads);
        return exps != null;
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

    /** {@link KernelBackend#crossEntropyBackward}; float64 storage goes to the scalar code. */
    static void backward(Storage x, double[] shift, double[] logSum, double[] scale, int[] target, Storage exps, Storage out,
                         int rows, int cols, int threads) {
        if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) {
            // float64: the generated scaled-softmax rows, then the target elements (what the scalar rows do)
            SimdRowsF64.scaledSoftmax(x, xd.a, shift, logSum, scale, out, od.a, rows, cols);
            for (int r = 0; r < rows; r++) {
                int t = target[r], p = r * cols + t;
                if (t >= 0) od.a[p] = CrossEntropyRows.target(xd.a[p], shift[r], logSum[r], scale[r]);
            }
            return;
        }
        if (!(x instanceof Storage.F32 xf) || !(out instanceof Storage.F32 of) || exps != null && !(exps instanceof Storage.F32)) {
            CrossEntropyRows.backward(x, shift, logSum, scale, target, out, rows, cols);
            return;
        }
        runRows(true, x, xf.a, exps == null ? null : ((Storage.F32) exps).a, shift, logSum, scale, target, out, of.a, rows, cols, threads);
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
                    CrossEntropyRows.backwardRow(x, m, l, s, t, out, base, cols);
                    continue;
                }
            } else {
                CrossEntropyRows.backwardRow(x, m, l, s, t, out, base, cols);
                continue;
            }
            if (t >= 0) oa[base + t] = (float) CrossEntropyRows.target(xa[base + t], m, l, s);
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
