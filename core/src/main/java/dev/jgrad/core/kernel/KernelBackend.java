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
     * Whether this backend runs on the Vector API ({@code jdk.incubator.vector}): kernels that live beside their owners
     * outside this package (the optimizer rules, the dropout mask, the fused cross-entropy) use their SIMD forms iff
     * the active backend ({@link Kernels#backend()}) says so, so that {@code -Djgrad.kernels} and {@link Kernels#use}
     * switch them too. Only then may such code touch {@code jdk.incubator.vector} classes.
     */
    default boolean simd() {
        return false;
    }

    /** Threads this backend's kernels may use, the calling thread included (for {@link ParallelRanges}). */
    default int threads() {
        return 1;
    }

    /**
     * {@code c = op(a)·op(b)} or, with {@code accumulate}, {@code c += op(a)·op(b)}, where {@code op} transposes
     * when the flag is set. All three are EJML row-major matrices of one type, correctly sized; {@code c}
     * aliases neither input.
     */
    void gemm(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate);

    /**
     * {@link #gemm} on matrices inside larger row-major storages (e.g. one slice of a batch, with no copy):
     * {@code C (+)= op(A)·op(B)} with {@code C} the {@code m × n} block at element {@code cOff} of {@code c}, {@code A}
     * the {@code m × k} block ({@code k × m} when {@code transA}) at {@code aOff} of {@code a}, and {@code B} the
     * {@code k × n} block ({@code n × k} when {@code transB}) at {@code bOff} of {@code b}; every block is contiguous
     * and starts at a whole row of its own width ({@code off} a multiple of it). All storages have one dtype,
     * {@code m, n, k > 0}, {@code c} overlaps neither input (checked by {@link Kernels#gemm(Storage, int, boolean,
     * Storage, int, boolean, Storage, int, int, int, int, boolean)}). This default copies the blocks and calls
     * {@link #gemm}; a backend overrides it to read the blocks in place.
     */
    default void gemm(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                      int m, int n, int k, boolean accumulate) {
        Storage as = Storage.allocate(a.dtype(), m * k), bs = Storage.allocate(b.dtype(), k * n), cs = Storage.allocate(c.dtype(), m * n);
        as.copyFrom(a, aOff, 0, m * k);
        bs.copyFrom(b, bOff, 0, k * n);
        if (accumulate) cs.copyFrom(c, cOff, 0, m * n);
        gemm(as.wrap(transA ? k : m, transA ? m : k), transA, bs.wrap(transB ? n : k, transB ? k : n), transB, cs.wrap(m, n), accumulate);
        c.copyFrom(cs, 0, cOff, m * n);
    }

    /**
     * {@link #gemm(Storage, int, boolean, Storage, int, boolean, Storage, int, int, int, int, boolean) gemm} on the
     * calling thread only, with the same preconditions: for callers that already run on several threads (one product per
     * sample of a batch split over {@link #threads()}). This default calls {@code gemm}, which for a one-thread backend
     * is the same.
     */
    default void gemmSerial(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                            int m, int n, int k, boolean accumulate) {
        gemm(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
    }

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
     * scaled by the row's gradient ({@link ScalarKernels}: in double, rounded once on store; {@link SimdKernels}: the
     * exp of the argument formed in the storage precision). Non-finite parts propagate as in that expression ({@code 0·inf}, {@code inf − inf}: NaN); in
     * particular a row of all {@code -inf} ({@code logSum = -inf}) gives a NaN row, and a row containing {@code +inf}
     * gives NaN at its {@code +inf} entries and zeros elsewhere. {@code out} aliases neither input.
     */
    void logSumExpBackward(Storage x, double[] shift, double[] logSum, Storage g, Storage out, int outer, int n, int inner);

    // ------------------------------------------------------------------ element-wise

    /** {@code out[i] = max(x[i], 0)} for {@code i < n}, with NaN propagated ({@code relu(NaN) = NaN}, {@code relu(-0) = +0}); {@code out} may be {@code x}. */
    void relu(Storage x, Storage out, int n);

    /** The ReLU input gradient {@code out[i] = x[i] <= 0 ? 0 : g[i]} for {@code i < n}: 0 at 0, {@code g} where {@code x} is NaN (PyTorch). */
    void reluBackward(Storage x, Storage g, Storage out, int n);

    /**
     * The logistic function {@code out[i] = σ(x[i]) = 1/(1 + exp(-x[i]))}, evaluated stably as {@code 1/(1 + t)} for
     * {@code x ≥ 0} and {@code t/(1 + t)} otherwise, with {@code t = exp(-|x|)}; NaN propagates, {@code σ(±inf) = 1, 0}.
     * {@code out} may be {@code x}. The SIMD float32 form is within 3 ulp of the scalar one and flushes results below
     * {@code Float.MIN_NORMAL} to 0 (as its {@code exp}).
     */
    void sigmoid(Storage x, Storage out, int n);

    /** The logistic gradient from the output: {@code out[i] = g[i]·y[i]·(1 - y[i])}; {@code out} may alias {@code g}. */
    void sigmoidBackward(Storage y, Storage g, Storage out, int n);

    /** SiLU {@code out[i] = x[i]·σ(x[i])} (σ as {@link #sigmoid}); {@code silu(-inf)} is NaN ({@code -inf·0}), as PyTorch. */
    void silu(Storage x, Storage out, int n);

    /** The SiLU gradient {@code out[i] = g[i]·s·(1 + x[i]·(1 - s))}, {@code s = σ(x[i])} (NaN at {@code ±inf}, as PyTorch). */
    void siluBackward(Storage x, Storage g, Storage out, int n);

    /**
     * The exact GELU {@code out[i] = x·Φ(x) = x/2·erfc(-x/√2)} (PyTorch's {@code approximate='none'}); {@code gelu(+inf)
     * = +inf}, {@code gelu(-inf) = NaN} ({@code -inf·0}, as PyTorch). The scalar form computes in double with {@link Erf};
     * the SIMD float32 form is within 8 ulp of it (4 measured) and gives {@code -0} for {@code x < -13.2}. {@code out} may be {@code x}.
     */
    void gelu(Storage x, Storage out, int n);

    /** The exact GELU's gradient {@code out[i] = g[i]·(Φ(x) + x·φ(x))} (NaN at {@code ±inf}, as PyTorch). */
    void geluBackward(Storage x, Storage g, Storage out, int n);

    /** Leaky ReLU {@code out[i] = x[i] > 0 ? x[i] : slope·x[i]} (NaN propagates); {@code out} may be {@code x}. */
    void leakyRelu(Storage x, double slope, Storage out, int n);

    /** Its gradient {@code out[i] = x[i] > 0 ? g[i] : slope·g[i]} (so {@code slope·g} at 0 and at NaN, as PyTorch). */
    void leakyReluBackward(Storage x, double slope, Storage g, Storage out, int n);

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
}
