package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import org.ejml.data.Matrix;

/**
 * The seam behind which the hot numeric kernels live. Ops call {@link Kernels}, which delegates to the
 * active backend; replacing the backend (e.g. with SIMD kernels) touches no op.
 *
 * <p>Layout convention for row-wise kernels: the input is viewed as {@code [outer, n, inner]} row-major and
 * the kernel works along the middle dimension, so {@code inner == 1} is the contiguous "last dimension"
 * case. Outputs never alias inputs unless a method says so.
 */
public interface KernelBackend {

    /** Short name for logs and benchmark reports. */
    String name();

    /**
     * {@code c = op(a)·op(b)} or, with {@code accumulate}, {@code c += op(a)·op(b)}, where {@code op} transposes
     * when the flag is set. All three are EJML row-major matrices of one type, correctly sized; {@code c}
     * aliases neither input.
     */
    void gemm(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate);

    /** {@code out[i] = exp(x[i])} for {@code i < n}; {@code out} may be {@code x}. */
    void exp(Storage x, Storage out, int n);

    /** {@code out[i] = log(x[i])} for {@code i < n}; {@code out} may be {@code x}. */
    void log(Storage x, Storage out, int n);

    /**
     * Softmax (or log-softmax) along the middle dimension of {@code [outer, n, inner]}, max-shifted with
     * the max treated as a constant; a row whose max is infinite is not shifted.
     */
    void softmax(Storage x, Storage out, int outer, int n, int inner, boolean log);

    /**
     * Log-sum-exp along the middle dimension in two parts, so that callers can form {@code x - lse} as
     * {@code (x - shift) - logSum} without the cancellation of adding a small {@code log Σ} to a huge max:
     * {@code shift[r]} is the max of row {@code r} = {@code (o, i)} (0 when the max is infinite: the
     * {@code isfinite} guard) and {@code logSum[r] = log Σ_k exp(x[o, k, i] - shift[r])}. The log-sum-exp is
     * {@code shift + logSum}: {@code -inf} for a row of all {@code -inf}, {@code +inf} for a row containing {@code +inf}.
     */
    void logSumExp(Storage x, double[] shift, double[] logSum, int outer, int n, int inner);

    /** {@code out[o, i] = Σ_k x[o, k, i]}, accumulated in double. */
    void sum(Storage x, Storage out, int outer, int n, int inner);

    /**
     * The fused cross-entropy gradient core: for each of {@code rows} contiguous rows of length {@code cols},
     * {@code out[r, c] = scale[r] · exp((x[r, c] - shift[r]) - logSum[r])}, i.e. the softmax scaled per row,
     * from the two log-sum-exp parts saved by the forward pass ({@link #logSumExp}). Rows with
     * {@code scale[r] == 0} are written as zeros.
     */
    void scaledSoftmax(Storage x, double[] shift, double[] logSum, double[] scale, Storage out, int rows, int cols);

    /**
     * The input gradient of {@link #softmax} along the middle dimension of {@code [outer, n, inner]}, from the saved
     * output {@code y} and the output gradient {@code g} (same layout): per row, with the row sum formed in double,
     * <pre>
     * softmax     (log == false):  out = y ∘ (g − Σ_k g∘y)
     * log-softmax (log == true):   out = g − exp(y) · Σ_k g
     * </pre>
     * {@link ScalarKernels} stores each element as the double expression rounded once ({@link SimdKernels}: within a
     * few units of the precision of the terms' scale, see there); NaN and infinities propagate as they do in it (a NaN
     * row of {@code y} gives a NaN row; a log-softmax {@code y = -inf}, a masked entry, gives {@code out = g} while the
     * row sum is finite). {@code out} aliases neither input.
     */
    void softmaxBackward(Storage y, Storage g, Storage out, int outer, int n, int inner, boolean log);

    /**
     * The input gradient of {@link #logSumExp} along the middle dimension of {@code [outer, n, inner]}, from the input
     * {@code x}, the two log-sum-exp parts the forward pass computed and the output gradient {@code g} (one value per
     * row {@code r = (o, i)}): {@code out[o, k, i] = g[r] · exp((x[o, k, i] − shift[r]) − logSum[r])}, the softmax
     * scaled by the row's gradient ({@link ScalarKernels}: in double, rounded once on store; {@link SimdKernels}: as its
     * scaledSoftmax). Non-finite parts propagate as in that expression ({@code 0·inf}, {@code inf − inf}: NaN); in
     * particular a row of all {@code -inf} ({@code logSum = -inf}) gives a NaN row, and a row containing {@code +inf}
     * gives NaN at its {@code +inf} entries and zeros elsewhere. {@code out} aliases neither input.
     */
    void logSumExpBackward(Storage x, double[] shift, double[] logSum, Storage g, Storage out, int outer, int n, int inner);

    // ------------------------------------------------------------------ element-wise

    /** {@code out[i] = max(x[i], 0)} for {@code i < n}, with NaN propagated ({@code relu(NaN) = NaN}, {@code relu(-0) = +0}); {@code out} may be {@code x}. */
    void relu(Storage x, Storage out, int n);

    /** The ReLU input gradient {@code out[i] = x[i] > 0 ? g[i] : 0} for {@code i < n} (0 where {@code x} is NaN or 0). */
    void reluBackward(Storage x, Storage g, Storage out, int n);

    /**
     * {@code out = a ∘ b} for one of {@link BinaryOp}, over a {@code rows × cols} output where each operand is laid
     * out as its {@link Operand} says (full, one row repeated, one value per row, or a single value). Evaluated as the
     * scalar double expression rounded once (for float32 the same as float arithmetic: one correctly rounded
     * operation). {@code out} may alias a {@link Operand#FULL} operand.
     */
    void binary(BinaryOp op, Storage a, Operand aLayout, Storage b, Operand bLayout, Storage out, int rows, int cols);

    /** {@code out[i] += x[i]} for {@code i < n}, the sum formed in double and rounded once. */
    void addInPlace(Storage x, Storage out, int n);

    /** True iff {@code x[0 .. n)} has no NaN and no infinity. */
    boolean allFinite(Storage x, int n);

    /**
     * One SGD step in place, PyTorch's rule evaluated in the parameter's precision (as PyTorch's kernels do: the
     * hyper-parameters rounded to it, every operation rounded, no fused multiply-add):
     * {@code d = g + wd·p} (only when {@code wd ≠ 0}); {@code buf = first ? d : momentum·buf + (1 − dampening)·d} (when
     * {@code buf != null}); {@code d = nesterov ? d + momentum·buf : buf}; {@code p = p − lr·d}.
     *
     * @param buf the momentum buffer, or null for plain SGD (momentum 0)
     */
    void sgdUpdate(Storage p, Storage g, Storage buf, int n, double lr, double momentum, double dampening,
                   double weightDecay, boolean nesterov, boolean first);

    /**
     * One Adam/AdamW step in place, PyTorch's rule evaluated in the parameter's precision (the hyper-parameters
     * rounded to it, every operation rounded in this order, no fused multiply-add):
     * AdamW {@code p ← p·(1 − lr·wd)}, Adam {@code g ← g + wd·p} (when {@code wd ≠ 0}); {@code m ← β1·m + (1 − β1)·g};
     * {@code v ← β2·v + ((1 − β2)·g)·g}; {@code p ← p − (stepSize·m) / (√v / bc2 + eps)} with
     * {@code stepSize = lr / (1 − β1^t)} and {@code bc2 = √(1 − β2^t)}.
     */
    void adamUpdate(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2, double eps,
                    double weightDecay, boolean decoupled, double stepSize, double bc2);

    // ------------------------------------------------------------------ fused cross-entropy (class-index targets)

    /**
     * The forward half of the fused softmax cross-entropy: the two log-sum-exp parts of each of {@code rows}
     * contiguous rows of length {@code cols}, exactly as {@link #logSumExp}{@code (x, shift, logSum, rows, cols, 1)}
     * defines them: {@code shift[r] = max_c x[r, c]} (0 when that max is infinite) and
     * {@code logSum[r] = log Σ_c exp(x[r, c] - shift[r])}, so that {@code log softmax = (x - shift) - logSum}.
     * A row containing NaN gives NaN parts, one containing {@code +inf} a {@code +inf} log-sum, a row of all
     * {@code -inf} a {@code -inf} log-sum. Backends may spread the rows over several threads.
     *
     * @param exps null, or {@code rows × cols} storage of {@code x}'s dtype (not {@code x}) that may receive
     *             {@code exps[r, c] = exp(x[r, c] - shift[r])} for every row whose two parts are finite (other rows are
     *             left as they are): the unnormalised softmax, for {@link #crossEntropyBackward} to scale instead of
     *             recomputing the exps
     * @return whether {@code exps} was filled; a backend may decline (the scalar one does: its backward recomputes)
     */
    boolean crossEntropyForward(Storage x, double[] shift, double[] logSum, Storage exps, int rows, int cols);

    /**
     * The backward half of the fused softmax cross-entropy for class-index targets without label smoothing: writes
     * every element of {@code out} ({@code rows × cols}, not aliasing {@code x}; its previous contents are ignored
     * unless it is {@code exps}):
     * <pre>
     * out[r, c] = s_r · exp((x[r, c] - m_r) - l_r)      for c ≠ t_r
     * out[r, t] = s_r · expm1((x[r, t] - m_r) - l_r)    for t = t_r ≥ 0
     * </pre>
     * i.e. {@code s_r·(softmax - onehot)}, with the target element formed by {@code expm1} so that it keeps its
     * relative accuracy when the prediction is confident ({@code p ≈ 1}). With {@code exps}, the other elements may be
     * formed as {@code exps[r, c]·(s_r·exp(-l_r))}. Rows whose shift, log-sum or scale is not finite follow the formulas
     * in double (NaN and infinities propagate as they do there), as {@link ScalarKernels} does for every row.
     *
     * @param x      the logits
     * @param shift  {@code m_r}, from {@link #crossEntropyForward}
     * @param logSum {@code l_r}, from {@link #crossEntropyForward}
     * @param scale  {@code s_r}: the row's upstream gradient times its target weight; a row with {@code s_r == 0}
     *               is written as {@code +0} (its target element, when {@code t_r ≥ 0}, is still
     *               {@code 0·expm1(...)}: {@code -0} or NaN where that is what the formula gives)
     * @param target {@code t_r}, the target class of row {@code r}, or a negative value for a row without one
     *               (an ignored sample; its scale should be 0)
     * @param exps   null, or the exps that {@link #crossEntropyForward} stored for these {@code x, shift, logSum}
     *               (when it returned true; any backend's); may be {@code out} itself, which is then scaled in place
     * @param out    the gradient, {@code rows × cols}
     * @param rows   the number of rows
     * @param cols   the row length (number of classes)
     */
    void crossEntropyBackward(Storage x, double[] shift, double[] logSum, double[] scale, int[] target, Storage exps,
                              Storage out, int rows, int cols);

    /**
     * Inverted-dropout masking: {@code out[i] = in[i] · (kept(i) ? scale : 0)}, the mask drawn from SplitMix64 (the
     * generator of {@code SplittableRandom}): word {@code k = mix64(start + (k+1)·γ)}, element {@code 2k} uses its low
     * and {@code 2k+1} its high 32 bits read unsigned, and an element is dropped iff those bits are below
     * {@code threshold} (in {@code [0, 2^32]}). Every element of {@code out} is written; backends are bit-identical.
     */
    void dropoutMask(long start, long threshold, double scale, Storage in, Storage out, int n);
}
