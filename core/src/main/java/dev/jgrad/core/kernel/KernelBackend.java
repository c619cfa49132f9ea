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
     * {@code out[o, i] = log Σ_k exp(x[o, k, i])}, max-shifted; a row of all {@code -inf} gives {@code -inf}
     * and a row containing {@code +inf} gives {@code +inf}.
     */
    void logSumExp(Storage x, Storage out, int outer, int n, int inner);

    /** {@code out[o, i] = Σ_k x[o, k, i]}, accumulated in double. */
    void sum(Storage x, Storage out, int outer, int n, int inner);

    /**
     * The fused cross-entropy gradient core: for each of {@code rows} contiguous rows of length {@code cols},
     * {@code out[r, c] = scale[r] · exp(x[r, c] - lse[r])}, i.e. the softmax scaled per row, computed from the
     * row log-sum-exp saved by the forward pass. Rows with {@code scale[r] == 0} are written as zeros.
     */
    void scaledSoftmaxFromLse(Storage x, Storage lse, double[] scale, Storage out, int rows, int cols);
}
