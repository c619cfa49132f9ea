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
}
