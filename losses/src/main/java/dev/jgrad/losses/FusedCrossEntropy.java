package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ScalarKernels;

import java.util.Arrays;

/**
 * Fused softmax cross-entropy: one node from logits to loss.
 *
 * <p>Forward: per row the max {@code m_i} (a constant) and {@code s_i = log Σ_c exp(x_ic - m_i)}, kept apart in
 * double precision, then {@code l_i = -Σ_c a_ic ((x_ic - m_i) - s_i)} with the target
 * coefficients of {@link Targets} — for a class index and no smoothing simply
 * {@code w_t (s_i - (x_it - m_i))}. Softmax and its log are never materialised.
 *
 * <p>Backward, one pass per row: {@code dx_ic = g_i (A_i · exp((x_ic - m_i) - s_i) - a_ic)} with {@code g_i} the
 * upstream gradient of row {@code i} and {@code A_i = Σ_c a_ic}. The target element of an index row is
 * written as {@code g_i w_t expm1((x_it - m_i) - s_i)}, so it keeps full relative accuracy when the prediction is
 * confident. Saves the logits (a reference) and the {@code 2N} row maxima and log-sums.
 *
 * <p>For class-index targets without smoothing, when the logits need a gradient, the forward pass also keeps the
 * unnormalised softmax {@code e_ic = exp(x_ic - m_i)} that its exp-sum computes anyway, in an {@code [N, C]} scratch
 * tensor (as much memory as the gradient, which it becomes — PyTorch's {@code cross_entropy} keeps its
 * log-softmax the same way): the first backward scales it in place, {@code dx_ic = e_ic · (g_i w_t e^{-s_i})}, one
 * multiply per element instead of a second exp, and hands it out as the gradient. A second backward through a
 * retained graph recomputes the exps from the logits.
 *
 * <p>K-dim logits {@code [N, C, d1..dk]} have one row per sample and position ({@code i = n·S + p}, {@code S =
 * d1·…·dk}, classes {@code S} apart in memory, see {@link Targets#at}); the row kernels run on a contiguous
 * {@code [N·S, C]} copy ({@link #transpose}), and the gradient is transposed back.
 *
 * <p>This one class holds the whole loss: the node ({@link #forward}, {@link #backward}), its row kernels
 * ({@link #logSumExps}, {@link #gradient}: the scalar reference here, evaluated in double and rounded once on store;
 * the SIMD float32 rows, threads included, in {@link SimdCrossEntropyF32} and the float64 ones in its generated twin
 * {@code SimdCrossEntropyF64}, chosen when the kernel backend runs on the Vector API, {@link KernelBackend#simd()}) and
 * the target handling ({@link Targets}: the coefficients that index or probability targets, class weights,
 * {@code ignore_index} and label smoothing put on the log-probabilities, and the reductions).
 */
final class FusedCrossEntropy extends Function {
    /** This node's copy of its call's targets (the node is recycled with it). */
    private final Targets targets = new Targets();
    private boolean allIgnoredMeanIsZero;
    private double[] shift, logSum;
    /** The scratch tensors behind {@link #shift} and {@link #logSum}: reading them in backward checks they are still live. */
    private Tensor shiftT, logSumT;
    /** The gradient's tensor, allocated by forward (index targets without smoothing); null once handed out. */
    private Tensor exps;
    /**
     * K-dim logits ({@code [N, C, S]}, classes {@code S} apart) transposed to contiguous rows {@code [N·S, C]} for the row
     * kernels (scratch, like {@link #shiftT}); null for {@code [N, C]} and {@code [C]}.
     */
    private Tensor rows;
    /** Whether forward's kernel stored the exps in {@link #exps} (the SIMD rows do, float32 and float64; the scalar ones do not). */
    private boolean expsFilled;

    private FusedCrossEntropy() {
    }

    /** The node for one call: its targets and the empty-mean convention, set on every call (the node may be recycled). */
    static FusedCrossEntropy of(Targets targets, boolean allIgnoredMeanIsZero) {
        FusedCrossEntropy op = node(FusedCrossEntropy.class, FusedCrossEntropy::new);
        op.targets.copyFrom(targets);
        op.allIgnoredMeanIsZero = allIgnoredMeanIsZero;
        return op;
    }

    @Override
    public String name() {
        return "cross_entropy";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0];
        int n = targets.n, c = targets.c;
        shiftT = outUninitialized(DType.FLOAT64, n);
        logSumT = outUninitialized(DType.FLOAT64, n);
        shift = doubles(shiftT);
        logSum = doubles(logSumT);
        int s = targets.s;
        // K-dim logits: the row kernels run on a contiguous [N·S, C] copy (measured faster than the strided scalar
        // kernels, see CrossEntropyNdBenchmark); the exps, and the gradient, are then in that row layout too
        rows = s == 1 ? null : outUninitialized(x.dtype(), n, c);
        if (rows != null) transpose(x.storage(), rows.storage(), x.size(0), c, s, true);
        // not cleared: the forward stores the exps of every row the backward reads them for, the backward writes all
        boolean keepExps = targets.index != null && targets.eps == 0 && needsInputGrad(0);
        exps = !keepExps ? null : rows == null ? outUninitializedLike(x) : outUninitialized(x.dtype(), n, c);
        expsFilled = logSumExps(Kernels.backend(), (rows == null ? x : rows).storage(), shift, logSum, exps == null ? null : exps.storage(), n, c);
        // a row with a +inf logit has log-sum +inf: its log-softmax is NaN throughout, as PyTorch's (inf - inf)
        for (int i = 0; i < n; i++) if (logSum[i] == Double.POSITIVE_INFINITY) logSum[i] = Double.NaN;
        double[] l = doubles(outUninitialized(DType.FLOAT64, n));
        Storage xs = x.storage();
        for (int i = 0; i < n; i++) l[i] = targets.rowLoss(xs, i, shift[i], logSum[i]);
        save(x);
        return targets.reduce(l, out(x.dtype(), targets.outputShape()), allIgnoredMeanIsZero, xs, shift, logSum);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved()[0];
        int n = targets.n, c = targets.c;
        Storage xs = x.storage();
        shift = doubles(shiftT); // throws if a Workspace scope closed between forward and backward
        logSum = doubles(logSumT);
        double[] scale = doubles(outUninitialized(DType.FLOAT64, n));
        for (int i = 0; i < n; i++) scale[i] = targets.ignored(i) ? 0 : targets.rowScale(g, i, allIgnoredMeanIsZero);
        Tensor[] grads = targets.probs == null ? gradients(null) : gradients(null, null);
        Tensor saved = exps;
        exps = null; // returned below (the engine may adopt it as the gradient): never reused
        if (needsInputGrad(0) && targets.meanOverZeroWeight(allIgnoredMeanIsZero)) {
            Tensor gx = outLike(x);
            for (int i = 0; i < n; i++) if (!targets.ignored(i)) zeroWeightGradient(xs, i, g.get(0), gx.storage());
            grads[0] = gx;
        } else if (needsInputGrad(0)) {
            boolean fused = targets.index != null && targets.eps == 0;
            // the fused kernel writes every element, so its tensor need not be cleared (the other loop skips ignored rows)
            boolean strided = targets.s != 1;
            Tensor gx = saved != null && !strided ? saved : fused ? outUninitializedLike(x) : outLike(x);
            Storage out = gx.storage();
            if (fused) {
                // one kernel writes every element (ignored rows as zeros, the target element by expm1), scaling the
                // forward's exps in place when there are some
                double[] rowScale = doubles(outUninitialized(DType.FLOAT64, n));
                int[] target = targetBuffer(n);
                for (int i = 0; i < n; i++) {
                    boolean ignored = targets.ignored(i);
                    target[i] = ignored ? -1 : targets.target(i);
                    rowScale[i] = ignored ? 0 : scale[i] * targets.w(target[i]);
                }
                if (!strided) {
                    gradient(Kernels.backend(), xs, shift, logSum, rowScale, target, saved != null && expsFilled ? out : null, out, n, c);
                } else {
                    // in the row layout (scaling the forward's exps in place when there are some), then back to [N, C, S]
                    Storage r = rows.storage(); // the scratch tensor's storage: throws if its Workspace scope closed
                    Tensor g2 = saved != null ? saved : outUninitialized(x.dtype(), n, c);
                    gradient(Kernels.backend(), r, shift, logSum, rowScale, target, saved != null && expsFilled ? g2.storage() : null,
                            g2.storage(), n, c);
                    transpose(g2.storage(), out, x.size(0), c, targets.s, false);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (targets.ignored(i)) continue;
                    double mass = targets.rowMass(i), s = scale[i];
                    for (int k = 0; k < c; k++) {
                        int at = targets.at(i, k);
                        out.set(at, s * (mass * Math.exp(logProb(xs.get(at), i)) - coefficient(i, k)));
                    }
                }
            }
            grads[0] = gx;
        }
        if (grads.length == 2 && needsInputGrad(1)) {
            Tensor gt = outLike(targets.probs);
            Storage out = gt.storage();
            for (int i = 0; i < n; i++) {
                double s = scale[i];
                for (int k = 0; k < c; k++) {
                    int at = targets.at(i, k);
                    out.set(at, -s * targets.w(k) * (1 - targets.eps) * logProb(xs.get(at), i));
                }
            }
            grads[1] = gt;
        }
        return grads;
    }

    /**
     * Row {@code i}'s input gradient when MEAN divides by a zero total target weight, as PyTorch's graph forms it (NLL
     * and smoothing terms apart, then the log-softmax backward): {@code dlp_c = -w_t·((1-ε)·g/0)·[c = t] - w_c·((g·ε/C)/0)}
     * (the smoothing term only when {@code ε > 0}), {@code dx_c = dlp_c - p_c·Σ_k dlp_k} — NaN or {@code ±inf}.
     */
    private void zeroWeightGradient(Storage xs, int i, double g, Storage out) {
        int t = targets.target(i), c = targets.c;
        double eps = targets.eps, d = targets.meanDivisor(), nll = (1 - eps) * g / d, smooth = g * eps / c / d;
        double sum = -targets.w(t) * nll;
        if (eps > 0) for (int k = 0; k < c; k++) sum += -targets.w(k) * smooth;
        for (int k = 0; k < c; k++) {
            int at = targets.at(i, k);
            double dlp = (k == t ? -targets.w(t) * nll : 0) + (eps > 0 ? -targets.w(k) * smooth : 0);
            out.set(at, dlp - Math.exp(logProb(xs.get(at), i)) * sum);
        }
    }

    /**
     * Copies between the K-dim layout {@code [N, C, S]} and contiguous rows {@code [N·S, C]}: {@code toRows} reads
     * {@code a} as {@code [N, C, S]} and writes {@code b} as rows, otherwise the reverse. Values are copied exactly.
     */
    static void transpose(Storage a, Storage b, int batch, int c, int s, boolean toRows) {
        for (int n = 0; n < batch; n++) {
            int base = n * c * s;
            for (int k = 0; k < c; k++) {
                for (int p = 0; p < s; p++) {
                    int nd = base + k * s + p, row = base + p * c + k;
                    if (toRows) b.set(row, a.get(nd));
                    else b.set(nd, a.get(row));
                }
            }
        }
    }

    /** Per-thread buffer of the kernel's target indices: only read during the kernel call, so it can be reused. */
    private static final ThreadLocal<int[][]> TARGETS = ThreadLocal.withInitial(() -> new int[1][0]);

    /** This thread's target buffer with room for {@code n} rows (the kernel reads only the first {@code n}). */
    private static int[] targetBuffer(int n) {
        int[][] holder = TARGETS.get();
        if (holder[0].length < n) holder[0] = new int[n];
        return holder[0];
    }

    /** The array of a float64 scratch tensor (row statistics live in the step's Workspace like its tensors). */
    private static double[] doubles(Tensor t) {
        return ((Storage.F64) t.storage()).a;
    }

    /** {@code log softmax = (x - shift) - logSum}, never {@code x - (shift + logSum)}. */
    private double logProb(double x, int i) {
        return (x - shift[i]) - logSum[i];
    }

    private double coefficient(int i, int k) {
        if (targets.index == null) return targets.w(k) * targets.smoothed(i, k);
        int t = targets.target(i);
        return (k == t ? (1 - targets.eps) * targets.w(t) : 0) + (targets.eps / targets.c) * targets.w(k);
    }

    // ------------------------------------------------------------------------------------------ row kernels

    /**
     * The forward kernel: the two log-sum-exp parts of each of {@code rows} contiguous rows of length {@code cols}, as
     * {@link KernelBackend#logSumExp}{@code (x, shift, logSum, rows, cols, 1)} defines them: {@code shift[r] = max_c
     * x[r, c]} (0 when that max is infinite) and {@code logSum[r] = log Σ_c exp(x[r, c] - shift[r])}, so that
     * {@code log softmax = (x - shift) - logSum}. A row containing NaN gives NaN parts, one containing {@code +inf} a
     * {@code +inf} log-sum, a row of all {@code -inf} a {@code -inf} log-sum. With a SIMD backend, float32 rows take
     * {@link SimdCrossEntropyF32#forward} and float64 rows its generated twin {@code SimdCrossEntropyF64.forward} (on
     * up to {@link KernelBackend#threads()} threads; the float64 parts are bit for bit the SIMD backend's
     * {@code logSumExp}); otherwise the backend's {@code logSumExp}.
     *
     * @param exps null, or {@code rows × cols} storage of {@code x}'s dtype (not {@code x}) that may receive
     *             {@code exps[r, c] = exp(x[r, c] - shift[r])} for every row whose two parts are finite (other rows are
     *             left as they are): the unnormalised softmax, for {@link #gradient} to scale instead of recomputing
     *             the exps
     * @return whether {@code exps} was filled (the SIMD rows fill it, when it has {@code x}'s dtype; the scalar
     *         backend's never)
     */
    static boolean logSumExps(KernelBackend kernels, Storage x, double[] shift, double[] logSum, Storage exps, int rows, int cols) {
        if (kernels.simd() && x instanceof Storage.F32 xf && (exps == null || exps instanceof Storage.F32)) {
            SimdCrossEntropyF32.forward(x, xf.a, shift, logSum, exps == null ? null : ((Storage.F32) exps).a, rows, cols, kernels.threads());
            return exps != null;
        }
        if (kernels.simd() && x instanceof Storage.F64 xd && (exps == null || exps instanceof Storage.F64)) {
            SimdCrossEntropyF64.forward(x, xd.a, shift, logSum, exps == null ? null : ((Storage.F64) exps).a, rows, cols, kernels.threads());
            return exps != null;
        }
        kernels.logSumExp(x, shift, logSum, rows, cols, 1);
        return false;
    }

    /**
     * The backward kernel for class-index targets without label smoothing: writes every element of {@code out}
     * ({@code rows × cols}, not aliasing {@code x}; its previous contents are ignored unless it is {@code exps}):
     * <pre>
     * out[r, c] = s_r · exp((x[r, c] - m_r) - l_r)      for c ≠ t_r
     * out[r, t] = s_r · expm1((x[r, t] - m_r) - l_r)    for t = t_r ≥ 0
     * </pre>
     * i.e. {@code s_r·(softmax - onehot)}, with the target element formed by {@code expm1} so that it keeps its
     * relative accuracy when the prediction is confident ({@code p ≈ 1}). The scalar rows ({@link #gradientRow})
     * evaluate this in double, rounded once on store; the SIMD rows ({@link SimdCrossEntropyF32#backward}, and for
     * float64 its generated twin, on up to {@link KernelBackend#threads()} threads) form the other elements in the
     * storage precision (with {@code exps}: {@code exps[r, c]·(s_r·exp(-l_r))}) and take the scalar row
     * wherever the shift, log-sum or scale is not finite (or the row's factor is not a normal number of the storage
     * type), so NaN and infinities propagate as in the formulas in double.
     *
     * @param shift  {@code m_r}, from {@link #logSumExps}
     * @param logSum {@code l_r}, from {@link #logSumExps}
     * @param scale  {@code s_r}: the row's upstream gradient times its target weight; a row with {@code s_r == 0}
     *               is written as {@code +0} (its target element, when {@code t_r ≥ 0}, is still
     *               {@code 0·expm1(...)}: {@code -0} or NaN where that is what the formula gives)
     * @param target {@code t_r}, the target class of row {@code r}, or a negative value for a row without one
     *               (an ignored sample; its scale should be 0)
     * @param exps   null, or the exps that {@link #logSumExps} stored for these {@code x, shift, logSum} (when it
     *               returned true, with any backend); may be {@code out} itself, which is then scaled in place
     */
    static void gradient(KernelBackend kernels, Storage x, double[] shift, double[] logSum, double[] scale, int[] target,
                         Storage exps, Storage out, int rows, int cols) {
        if (kernels.simd()) {
            if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of && (exps == null || exps instanceof Storage.F32)) {
                SimdCrossEntropyF32.backward(x, xf.a, shift, logSum, scale, target, exps == null ? null : ((Storage.F32) exps).a,
                        out, of.a, rows, cols, kernels.threads());
                return;
            }
            if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od && (exps == null || exps instanceof Storage.F64)) {
                SimdCrossEntropyF64.backward(x, xd.a, shift, logSum, scale, target, exps == null ? null : ((Storage.F64) exps).a,
                        out, od.a, rows, cols, kernels.threads());
                return;
            }
        }
        for (int r = 0; r < rows; r++) gradientRow(x, shift[r], logSum[r], scale[r], target[r], out, r * cols, cols);
    }

    /**
     * One row of {@link #gradient} at {@code base}, the scalar reference: {@code out = s·exp((x - m) - l)} (all
     * {@code +0} when {@code s == 0}), then, for {@code t >= 0}, the target element {@link #targetGradient}.
     */
    static void gradientRow(Storage x, double m, double l, double s, int t, Storage out, int base, int cols) {
        ScalarKernels.scaledSoftmaxRow(x, m, l, s, out, base, cols);
        if (t >= 0) out.set(base + t, targetGradient(x.get(base + t), m, l, s));
    }

    /** The target element's gradient {@code s·expm1((x - m) - l)}: {@code s·(p - 1)} without cancellation when {@code p ≈ 1}. */
    static double targetGradient(double x, double m, double l, double s) {
        return s * Math.expm1((x - m) - l);
    }

    // ------------------------------------------------------------------------------------------ targets

    /**
     * The targets of a classification loss as coefficients on the log-probabilities.
     *
     * <p>Every loss of the cross-entropy family is linear in the log-probabilities {@code lp}:
     * {@code l_i = -Σ_c a_ic · lp_ic}, with
     * <ul>
     *   <li>class-index targets {@code t_i}: {@code a_ic = (1-ε)·w[t_i]·[c = t_i] + (ε/C)·w_c}, and {@code a_i· = 0}
     *       for ignored samples ({@code t_i == ignoreIndex}); the smoothing term is formed only when {@code ε > 0}
     *       (so a {@code -inf} non-target log-probability gives a finite loss when {@code ε = 0});</li>
     *   <li>probability targets {@code T}: {@code a_ic = w_c · ((1-ε)·T_ic + ε/C)}, always multiplied (so a
     *       {@code -inf} log-probability with target 0 gives NaN, {@code 0·(-inf)}, as in PyTorch).</li>
     * </ul>
     * {@code mean} divides by {@code Σ_{i not ignored} w[t_i]} (index targets) or by {@code N} (probability targets).
     * The same coefficients serve the fused cross-entropy, {@code nll_loss} ({@link NllFromLogProbs}) and every
     * naive strategy.
     */
    static final class Targets {
        /**
         * Where validation leaves one call's targets until the node that consumes them copies them ({@link #copyFrom}):
         * one instance per thread, so a loss call allocates no targets object. Only the validating call reads it before
         * that copy (validation, then the consumer's factory, with no other loss call in between on this thread); the
         * node's own copy is what forward and backward read.
         */
        private static final ThreadLocal<Targets> STAGING = ThreadLocal.withInitial(Targets::new);

        // set again for every call: a node's copy whenever the node is (re)used, the staging copy on every validation
        String op;
        /** Rows (one per sample and spatial position: {@code N·d1·…·dk}), classes, and the class stride {@code d1·…·dk}. */
        int n, c, s;
        boolean batched;
        IntTensor index;     // index targets, or null
        Tensor probs;        // probability targets, or null
        Storage weight;      // [C] or null
        long ignoreIndex;
        double eps;
        Reduction reduction;

        Targets() {
        }

        /** Validated targets, in this thread's staging instance: valid until the next validation on this thread. */
        private static Targets of(String op, int n, int c, int s, boolean batched, IntTensor index, Tensor probs, Tensor weight,
                                  long ignoreIndex, double eps, Reduction reduction) {
            Targets t = STAGING.get();
            t.set(op, n, c, s, batched, index, probs, weight, ignoreIndex, eps, reduction);
            return t;
        }

        /** Takes over {@code o}'s targets (a node's own copy of the staged targets it consumes). */
        void copyFrom(Targets o) {
            meanDivisor = Double.NaN;
            allIgnored = null;
            op = o.op;
            n = o.n;
            c = o.c;
            s = o.s;
            batched = o.batched;
            index = o.index;
            probs = o.probs;
            weight = o.weight;
            ignoreIndex = o.ignoreIndex;
            eps = o.eps;
            reduction = o.reduction;
        }

        private void set(String op, int n, int c, int s, boolean batched, IntTensor index, Tensor probs, Tensor weight,
                         long ignoreIndex, double eps, Reduction reduction) {
            this.meanDivisor = Double.NaN;
            this.allIgnored = null;
            this.op = op;
            this.n = n;
            this.c = c;
            this.s = s;
            this.batched = batched;
            this.index = index;
            this.probs = probs;
            this.weight = weight == null ? null : weight.storage();
            this.ignoreIndex = ignoreIndex;
            this.eps = eps;
            this.reduction = reduction;
        }

        /**
         * Validates {@code input [N, C, d1..dk] | [N, C] | [C]} against index targets {@code [N, d1..dk] | [N] | []} (an
         * unbatched input also takes {@code [1]}).
         */
        static Targets ofIndices(String op, Tensor input, IntTensor target, Tensor weight, long ignoreIndex,
                                 double eps, Reduction reduction) {
            requireInput(op, input);
            // rank(), size() and numel() read the shapes without copying them (this runs on every loss call)
            int rank = input.rank();
            boolean batched = rank >= 2;
            int c = classes(input), n = batched ? input.numel() / c : 1;
            if (target == null) throw new IllegalArgumentException(op + ": target is null");
            boolean matches = rank == 2 ? target.rank() == 1 && target.numel() == n
                    : batched ? target.rank() == rank - 1 && spatialMatches(input, target)
                    : target.rank() == 0 || target.rank() == 1 && target.numel() == 1;
            if (!matches) {
                throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape()) + " does not match input "
                        + Shape.str(input.shape()) + " (expected " + (batched ? Shape.str(withoutClasses(input.shape())) : "[]")
                        + " class indices)");
            }
            for (int i = 0; i < target.numel(); i++) {
                int t = target.get(i);
                if (t != ignoreIndex && (t < 0 || t >= c)) {
                    throw new IllegalArgumentException(op + ": target " + t + " at position " + i + " is out of range [0, " + c
                            + ") for input " + Shape.str(input.shape()) + (t < 0 ? " (and is not ignore_index " + ignoreIndex + ")" : ""));
                }
            }
            checkCommon(op, input, weight, c, eps, reduction);
            return of(op, n, c, spatial(input), batched, target, null, weight, ignoreIndex, eps, reduction);
        }

        /**
         * Class-index targets of {@code n} rows of {@code c} classes whose logits are never a tensor (the fused linear loss,
         * {@link LinearCrossEntropy}): checks the weight ({@code like}'s dtype), smoothing and reduction; the caller has
         * checked the target's shape and values.
         */
        static Targets ofRows(String op, Tensor like, int n, int c, IntTensor target, Tensor weight, long ignoreIndex,
                              double eps, Reduction reduction) {
            checkCommon(op, like, weight, c, eps, reduction);
            return of(op, n, c, 1, true, target, null, weight, ignoreIndex, eps, reduction);
        }

        /** Validates {@code input [N, C, d1..dk] | [N, C] | [C]} against probability targets of the same shape and dtype. */
        static Targets ofProbabilities(String op, Tensor input, Tensor target, Tensor weight, double eps, Reduction reduction) {
            requireInput(op, input);
            if (target == null) throw new IllegalArgumentException(op + ": target is null");
            if (!sameShape(input, target)) {
                throw new IllegalArgumentException(op + ": probability target of shape " + Shape.str(target.shape())
                        + " must have the input's shape " + Shape.str(input.shape()));
            }
            if (target.dtype() != input.dtype()) {
                throw new IllegalArgumentException(op + ": probability target dtype " + target.dtype() + " differs from input dtype " + input.dtype());
            }
            boolean batched = input.rank() >= 2;
            int c = classes(input);
            checkCommon(op, input, weight, c, eps, reduction);
            return of(op, batched ? input.numel() / c : 1, c, spatial(input), batched, null, target, weight, 0, eps, reduction);
        }

        private static void requireInput(String op, Tensor input) {
            if (input == null) throw new IllegalArgumentException(op + ": input is null");
            if (input.rank() == 0) {
                throw new IllegalArgumentException(op + ": input must be [C], [N, C] or [N, C, d1, ..., dk], got a scalar");
            }
            if (classes(input) == 0) throw new IllegalArgumentException(op + ": input " + Shape.str(input.shape()) + " has no classes");
        }

        /** {@code C}: dimension 1 of a batched input, the only dimension of an unbatched one. */
        private static int classes(Tensor input) {
            return input.size(input.rank() == 1 ? 0 : 1);
        }

        /** {@code d1·…·dk}, the stride of the class dimension (1 for {@code [N, C]} and {@code [C]}). */
        private static int spatial(Tensor input) {
            int s = 1;
            for (int d = 2; d < input.rank(); d++) s *= input.size(d);
            return s;
        }

        /** Whether {@code target} is {@code [N, d1..dk]} for {@code input [N, C, d1..dk]} (reads the target's shape copy). */
        private static boolean spatialMatches(Tensor input, IntTensor target) {
            return Arrays.equals(target.shape(), withoutClasses(input.shape()));
        }

        private static boolean sameShape(Tensor a, Tensor b) {
            if (a.rank() != b.rank()) return false;
            for (int d = 0; d < a.rank(); d++) if (a.size(d) != b.size(d)) return false;
            return true;
        }

        /** {@code [N, d1..dk]} of {@code [N, C, d1..dk]}. */
        static int[] withoutClasses(int[] shape) {
            int[] out = new int[shape.length - 1];
            out[0] = shape[0];
            System.arraycopy(shape, 2, out, 1, shape.length - 2);
            return out;
        }

        private static void checkCommon(String op, Tensor input, Tensor weight, int c, double eps, Reduction reduction) {
            if (reduction == null) throw new IllegalArgumentException(op + ": reduction is null");
            reduction.requireNotBatchmean(op);
            if (!(eps >= 0 && eps <= 1)) throw new IllegalArgumentException(op + ": label_smoothing " + eps + " must be in [0, 1]");
            if (weight == null) return;
            if (weight.rank() != 1 || weight.size(0) != c) {
                throw new IllegalArgumentException(op + ": weight of shape " + Shape.str(weight.shape()) + " must be [" + c + "] (one per class)");
            }
            if (weight.dtype() != input.dtype()) {
                throw new IllegalArgumentException(op + ": weight dtype " + weight.dtype() + " differs from input dtype " + input.dtype());
            }
            // any values, as in PyTorch: negative weights, infinities and NaN go into the formulas as they are
        }

        double w(int k) {
            return weight == null ? 1.0 : weight.get(k);
        }

        boolean ignored(int i) {
            return index != null && index.get(i) == ignoreIndex;
        }

        /** The target class of sample {@code i} (index targets). */
        int target(int i) {
            return index.get(i);
        }

        /** The smoothed probability target {@code (1-ε)·T_ic + ε/C}. */
        double smoothed(int i, int k) {
            return (1 - eps) * probs.get(at(i, k)) + eps / c;
        }

        /** The flat index of row {@code i}'s class 0 in the input's layout ({@code [N, C, S]}, rows {@code i = n·S + p}). */
        int base(int i) {
            return s == 1 ? i * c : (i / s) * c * s + i % s;
        }

        /** The flat index of row {@code i}, class {@code k} (classes are {@link #s} apart). */
        int at(int i, int k) {
            return base(i) + k * s;
        }

        /** {@code Σ_c a_ic}: the weight of the row's softmax in the fused gradient. */
        double rowMass(int i) {
            if (ignored(i)) return 0;
            double s = 0;
            if (index != null) {
                if (eps > 0) for (int k = 0; k < c; k++) s += w(k);
                return (1 - eps) * w(target(i)) + (eps / c) * s;
            }
            for (int k = 0; k < c; k++) s += w(k) * smoothed(i, k);
            return s;
        }

        /**
         * {@code -Σ_c a_ic · v_ic} with {@code v_ic = (x[i,c] - shift) - logSum}: the log-probabilities when
         * {@code shift, logSum} are the row's log-sum-exp parts, or the input itself when both are 0.
         */
        double rowLoss(Storage x, int i, double shift, double logSum) {
            if (ignored(i)) return 0;
            int base = base(i);
            if (index != null) {
                int t = target(i);
                double l = -(1 - eps) * w(t) * ((x.get(base + t * s) - shift) - logSum);
                if (eps > 0) l -= (eps / c) * smoothingSum(x, i, shift, logSum);
                return l;
            }
            double sum = 0;
            for (int k = 0; k < c; k++) sum += w(k) * smoothed(i, k) * ((x.get(base + k * s) - shift) - logSum);
            return -sum;
        }

        /** {@code Σ_c w_c·v_ic}, the label-smoothing sum of row {@code i} (see {@link #rowLoss}). */
        private double smoothingSum(Storage x, int i, double shift, double logSum) {
            int base = base(i);
            double sum = 0;
            for (int k = 0; k < c; k++) sum += w(k) * ((x.get(base + k * s) - shift) - logSum);
            return sum;
        }

        /** Subtracts {@code scale·a_ic} from row {@code i} of {@code out}. */
        void subtractCoefficients(Storage out, int i, double scale) {
            if (ignored(i)) return;
            int base = base(i);
            if (index != null) {
                int t = target(i);
                out.add(base + t * s, -scale * (1 - eps) * w(t));
                if (eps > 0) for (int k = 0; k < c; k++) out.add(base + k * s, -scale * (eps / c) * w(k));
                return;
            }
            for (int k = 0; k < c; k++) out.add(base + k * s, -scale * w(k) * smoothed(i, k));
        }

        private double meanDivisor = Double.NaN;
        private Boolean allIgnored;

        /** The {@code mean} divisor (computed once: backward asks for it once per row). */
        double meanDivisor() {
            if (Double.isNaN(meanDivisor)) {
                if (index == null) {
                    meanDivisor = n;
                } else {
                    double s = 0;
                    for (int i = 0; i < n; i++) if (!ignored(i)) s += w(target(i));
                    meanDivisor = s;
                }
            }
            return meanDivisor;
        }

        private static final int[] SCALAR = new int[0];

        /**
         * Output shape per reduction: {@code [N, d1..dk]} (or {@code []} unbatched) for NONE, a scalar otherwise (shared:
         * never modify).
         */
        int[] outputShape() {
            if (reduction != Reduction.NONE || !batched) return SCALAR;
            return index != null ? index.shape() : withoutClasses(probs.shape());
        }

        /**
         * Reduces per-sample losses {@code l} into {@code out} (zero-filled, of {@link #outputShape()}, allocated by
         * the op); {@code allIgnoredMeanIsZero} turns the 0/0 of a mean over no samples into 0.
         */
        Tensor reduce(double[] l, Tensor out, boolean allIgnoredMeanIsZero, Storage x, double[] shift, double[] logSum) {
            if (reduction == Reduction.NONE) {
                for (int i = 0; i < n; i++) out.set(i, l[i]);
                return out;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) sum += l[i];
            if (reduction == Reduction.MEAN) {
                double d = meanDivisor();
                if (d == 0 && allIgnoredMeanIsZero && allIgnored()) sum = 0;
                else if (d == 0 && index != null && eps > 0) sum = zeroWeightMean(x, shift, logSum);
                else sum /= d;
            }
            out.set(0, sum);
            return out;
        }

        /**
         * The mean over a zero total target weight ({@code d = 0}: weights that are 0 or cancel) with label smoothing, as
         * PyTorch forms it: {@code (1-ε)·(Σ_i -w[t_i] v_it)/0 + (ε/C)·(Σ_i -Σ_c w_c v_ic)/0}, the two terms divided apart
         * (so NaN where the NLL part is {@code 0/0}, not the {@code ±inf} of the summed terms over 0). {@code v} as in
         * {@link #rowLoss}; {@code shift, logSum} null for log-probabilities.
         */
        private double zeroWeightMean(Storage x, double[] shift, double[] logSum) {
            double nll = 0, smooth = 0, d = meanDivisor();
            for (int i = 0; i < n; i++) {
                if (ignored(i)) continue;
                double m = shift == null ? 0 : shift[i], l = logSum == null ? 0 : logSum[i];
                int t = target(i);
                nll -= w(t) * ((x.get(at(i, t)) - m) - l);
                smooth -= smoothingSum(x, i, m, l);
            }
            return (1 - eps) * (nll / d) + (eps / c) * (smooth / d);
        }

        /** Whether MEAN divides by a zero total target weight of some non-ignored samples (PyTorch then gives NaN or ±inf). */
        boolean meanOverZeroWeight(boolean allIgnoredMeanIsZero) {
            return reduction == Reduction.MEAN && index != null && meanDivisor() == 0 && !(allIgnoredMeanIsZero && allIgnored());
        }

        boolean allIgnored() {
            if (allIgnored == null) {
                boolean all = true;
                for (int i = 0; i < n && all; i++) all = ignored(i);
                allIgnored = all;
            }
            return allIgnored;
        }

        /** The upstream gradient of sample {@code i}'s loss. */
        double rowScale(Tensor g, int i, boolean allIgnoredMeanIsZero) {
            if (reduction == Reduction.NONE) return g.get(i);
            if (reduction == Reduction.SUM) return g.get(0);
            double d = meanDivisor();
            if (d == 0 && allIgnoredMeanIsZero && allIgnored()) return 0;
            return g.get(0) / d;
        }
    }
}
