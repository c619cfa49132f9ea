package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;

/**
 * Differentiable ops as static functions: {@code import static dev.jgrad.ops.Ops.*;}.
 *
 * <p>Names follow PyTorch in Java's camel case ({@code log_softmax} → {@link #logSoftmax},
 * {@code logsumexp} → {@link #logSumExp}); semantics follow PyTorch 1.13 (broadcasting, {@code dim}
 * conventions with negative indices counting from the end, {@code keepdim}). Every op records a graph
 * node when an input requires grad and grad mode is on; the derivative of each op is on one page, the derivative
 * index {@code docs/derivatives.md} (not repeated here). All tensor arguments of one call must share a dtype.
 */
public final class Ops {
    private Ops() {
    }

    // ------------------------------------------------------------------ arithmetic (broadcasting)

    /**
     * {@code a + b} with broadcasting.
     *
     * @param a left operand
     * @param b right operand; shapes broadcast NumPy-style (trailing dimensions equal or 1)
     * @return a tensor of the broadcast shape
     * @throws IllegalArgumentException naming both shapes when they do not broadcast, or for mixed dtypes
     * @see #sub(Tensor, Tensor)
     */
    public static Tensor add(Tensor a, Tensor b) {
        return Arithmetic.Add.of().apply(a, b);
    }

    /** {@code a + c} for a constant {@code c}. */
    public static Tensor add(Tensor a, double c) {
        return add(a, Tensor.scalar(c, nonNull("add", a).dtype()));
    }

    /** {@code a - b} with broadcasting. @see #add(Tensor, Tensor) */
    public static Tensor sub(Tensor a, Tensor b) {
        return Arithmetic.Sub.of().apply(a, b);
    }

    /** {@code a - c} for a constant. */
    public static Tensor sub(Tensor a, double c) {
        return sub(a, Tensor.scalar(c, nonNull("sub", a).dtype()));
    }

    /** {@code c - a} for a constant. */
    public static Tensor rsub(double c, Tensor a) {
        return sub(Tensor.scalar(c, nonNull("rsub", a).dtype()), a);
    }

    /**
     * {@code a ⊙ b} (element-wise) with broadcasting.
     * Edge: {@code 0 · inf} is NaN in the forward pass and in the gradient, as in IEEE arithmetic.
     * @see #div(Tensor, Tensor)
     */
    public static Tensor mul(Tensor a, Tensor b) {
        return Arithmetic.Mul.of().apply(a, b);
    }

    /** {@code c · a} for a constant. */
    public static Tensor mul(Tensor a, double c) {
        return mul(a, Tensor.scalar(c, nonNull("mul", a).dtype()));
    }

    /**
     * {@code a / b} with broadcasting. Division by zero follows
     * IEEE ({@code ±inf} or NaN), as in PyTorch.
     */
    public static Tensor div(Tensor a, Tensor b) {
        return Arithmetic.Div.of().apply(a, b);
    }

    /** {@code a / c} for a constant. */
    public static Tensor div(Tensor a, double c) {
        return div(a, Tensor.scalar(c, nonNull("div", a).dtype()));
    }

    /** {@code -a}. */
    public static Tensor neg(Tensor a) {
        return Pointwise.Neg.of().apply(a);
    }

    /**
     * {@code a^p} for a constant exponent.
     * Edge: at {@code a = 0} with {@code p < 1} the gradient is infinite, as in PyTorch.
     */
    public static Tensor pow(Tensor a, double p) {
        return Pointwise.Pow.of(p).apply(a);
    }

    // ------------------------------------------------------------------ matrix products and shapes

    /**
     * Matrix product with {@code torch.matmul}'s rules:
     * <ul>
     *   <li>{@code [K]·[K] → []} (dot product), {@code [M, K]·[K, N] → [M, N]};</li>
     *   <li>{@code [K]·[.., K, N] → [.., N]} (a 1 prepended to A, then removed) and
     *       {@code [.., M, K]·[K] → [.., M]} (a 1 appended to B, then removed);</li>
     *   <li>{@code [.., M, K]·[K, N] → [.., M, N]} (leading dimensions folded into one product);</li>
     *   <li>batched: {@code [..a, M, K]·[..b, K, N] → [broadcast(..a, ..b), M, N]}, e.g.
     *       {@code [B, 1, M, K]·[C, K, N] → [B, C, M, N]}, one GEMM per batch slice.</li>
     * </ul>
     * Formula {@code y = A·B}, {@code dA = g·Bᵀ}, {@code dB = Aᵀ·g}, summed back over broadcast batch dimensions;
     * every product goes through the GEMM kernel seam. Edge cases: a zero inner dimension gives zeros, a zero batch
     * or row dimension an empty result.
     *
     * @param a left operand, at least 1-D
     * @param b right operand, at least 1-D
     * @return the product, in {@code a}'s dtype
     * @throws IllegalArgumentException naming both shapes when an operand is 0-D, the inner dimensions differ or
     *                                  the batch dimensions do not broadcast
     * @see #bmm(Tensor, Tensor)
     * @see #linear(Tensor, Tensor, Tensor)
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return Linalg.MatMul.of().apply(a, b);
    }

    /**
     * {@code linear(x, W, b) = x·Wᵀ + b} as one node (no materialised transpose), PyTorch's {@code F.linear}.
     * A 1-D weight {@code [in]} gives {@code x·W} with the last dimension dropped ({@code [.., in] → [..]}, through
     * {@link #matmul}); as in PyTorch 1.13 a bias is then accepted only for a 1-D input, as a 0-D tensor.
     *
     * @param input  {@code [.., in]}, at least 1-D
     * @param weight {@code [out, in]} or {@code [in]}
     * @param bias   {@code [out]} (a 0-D tensor for a 1-D weight and input) or null
     * @return {@code [.., out]} ({@code [..]} for a 1-D weight)
     * @throws IllegalArgumentException naming the shapes when they do not fit
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (weight != null && weight.rank() == 1) return Linalg.linearVector(input, weight, bias);
        return bias == null ? Linalg.Linear.of().apply(input, weight) : Linalg.Linear.of().apply(input, weight, bias);
    }

    /**
     * Batched matrix product, {@code torch.bmm}: {@code [B, M, K]·[B, K, N] → [B, M, N]}, strictly 3-D with equal
     * batch sizes (no broadcasting; see {@link #matmul} for that). Formula {@code y_b = A_b·B_b},
     * {@code dA_b = g_b·B_bᵀ}, {@code dB_b = A_bᵀ·g_b}. Edge case: {@code B = 0} gives an empty {@code [0, M, N]}.
     *
     * @param a {@code [B, M, K]}
     * @param b {@code [B, K, N]}
     * @return {@code [B, M, N]}
     * @throws IllegalArgumentException naming the shapes when an operand is not 3-D or the batch or inner sizes differ
     * @see #matmul(Tensor, Tensor)
     */
    public static Tensor bmm(Tensor a, Tensor b) {
        Linalg.checkBmm(a, b);
        return Linalg.MatMul.of().apply(a, b);
    }

    /** Swaps the last two dimensions (a copy); 0-D and 1-D tensors are returned as copies. */
    public static Tensor transpose(Tensor a) {
        return Linalg.Transpose.of().apply(a);
    }

    /**
     * A view with another shape (one dimension may be {@code -1}, inferred), sharing the data like
     * {@code torch.reshape} on a contiguous tensor.
     */
    public static Tensor reshape(Tensor a, int... shape) {
        if (shape == null) throw new IllegalArgumentException("reshape: shape is null");
        return Shaping.Reshape.of(shape.clone()).apply(a);
    }

    /** Concatenation along {@code dim}. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return Shaping.Cat.of(dim).apply(tensors);
    }

    /**
     * {@code gather} along the last dimension: {@code out[.., j] = a[.., index[.., j]]}.
     *
     * @param index same rank as {@code a}, equal leading dimensions; values in {@code [0, a.size(-1))}
     * @throws IllegalArgumentException naming the offending index value and position
     */
    public static Tensor gather(Tensor a, IntTensor index) {
        if (index == null) throw new IllegalArgumentException("gather: index is null");
        return Shaping.Gather.of(index).apply(a);
    }

    /** The slices {@code index[i]} along {@code dim}, like {@code torch.index_select}. */
    public static Tensor indexSelect(Tensor a, int dim, IntTensor index) {
        if (index == null) throw new IllegalArgumentException("indexSelect: index is null");
        return Shaping.IndexSelect.of(dim, index).apply(a);
    }

    /**
     * One-hot encoding: {@code [.., numClasses]} with 1 at each index (not differentiable).
     *
     * @throws IllegalArgumentException for an index outside {@code [0, numClasses)}, {@code numClasses < 1}, or a null argument
     */
    public static Tensor oneHot(IntTensor index, int numClasses, DType dtype) {
        if (index == null) throw new IllegalArgumentException("oneHot: index is null");
        if (dtype == null) throw new IllegalArgumentException("oneHot: dtype is null");
        if (numClasses < 1) throw new IllegalArgumentException("oneHot: numClasses " + numClasses + " must be positive");
        int[] s = index.shape();
        int[] ys = java.util.Arrays.copyOf(s, s.length + 1);
        ys[s.length] = numClasses;
        Tensor y = Tensor.zeros(dtype, ys);
        for (int i = 0; i < index.numel(); i++) {
            int c = index.get(i);
            if (c < 0 || c >= numClasses) {
                throw new IllegalArgumentException("oneHot: index " + c + " at position " + i + " is outside [0, " + numClasses + ")");
            }
            y.set(i * numClasses + c, 1.0);
        }
        return y;
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements (a scalar), accumulated in double. */
    public static Tensor sum(Tensor a) {
        return Reductions.Sum.all().apply(a);
    }

    /** Sum along {@code dim} (negative counts from the end), keeping it as size 1 when {@code keepdim}. */
    public static Tensor sum(Tensor a, int dim, boolean keepdim) {
        return Reductions.Sum.of(dim, keepdim).apply(a);
    }

    /** Mean of all elements: {@code sum(a) / numel}. Edge: an empty tensor gives NaN (0/0), as in PyTorch. */
    public static Tensor mean(Tensor a) {
        return div(sum(a), a.numel());
    }

    /** Mean along {@code dim}. */
    public static Tensor mean(Tensor a, int dim, boolean keepdim) {
        if (a != null) Shape.dim("mean", dim, a.rank()); // name this op, not the sum it delegates to
        Tensor s = sum(a, dim, keepdim); // validates the input
        // a 0-d tensor accepts dim 0/-1 (as sum does) and has one element; Tensor.size(d) has no dimension to read there
        return div(s, a.rank() == 0 ? 1 : a.size(dim));
    }

    /**
     * Maximum of all elements; NaN if any element is NaN. Tied maxima share the gradient evenly (PyTorch's
     * {@code max()}/{@code amax} rule).
     */
    public static Tensor max(Tensor a) {
        return Reductions.MaxAll.of().apply(a);
    }

    /**
     * Maximum along {@code dim} (values). The gradient goes to the first maximal element of each slice,
     * the index {@code torch.max(a, dim)} returns. NaN is treated as the maximum.
     */
    public static Tensor max(Tensor a, int dim, boolean keepdim) {
        return Reductions.Max.of(dim, keepdim).apply(a);
    }

    // ------------------------------------------------------------------ element-wise functions

    /** {@code exp(a)}; its gradient is {@code inf} where the output overflowed. */
    public static Tensor exp(Tensor a) {
        return Pointwise.Exp.of().apply(a);
    }

    /**
     * Natural log. Edge: {@code log(0) = -inf} with gradient {@code +inf},
     * {@code log(-0.0)} has gradient {@code -inf}, and {@code log(x<0) = NaN} with the finite gradient {@code g/x}.
     */
    public static Tensor log(Tensor a) {
        return Pointwise.Log.of().apply(a);
    }

    /** Square root; the gradient is infinite at 0. */
    public static Tensor sqrt(Tensor a) {
        return Pointwise.Sqrt.of().apply(a);
    }

    /** Absolute value; the gradient is 0 at 0. */
    public static Tensor abs(Tensor a) {
        return Pointwise.Abs.of().apply(a);
    }

    /**
     * Logistic function {@code 1/(1+exp(-a))}, evaluated without overflow for either sign
     * ({@code exp(a)/(1+exp(a))} for negative {@code a}).
     */
    public static Tensor sigmoid(Tensor a) {
        return Pointwise.Sigmoid.of().apply(a);
    }

    /** Hyperbolic tangent. */
    public static Tensor tanh(Tensor a) {
        return Pointwise.Tanh.of().apply(a);
    }

    /** {@code max(a, 0)}; the gradient is 0 at {@code a = 0}; NaN propagates. */
    public static Tensor relu(Tensor a) {
        return Pointwise.Relu.of().apply(a);
    }

    /**
     * GELU, exact form {@code x·Φ(x) = x/2·erfc(-x/√2)} (PyTorch's default {@code approximate='none'}).
     */
    public static Tensor gelu(Tensor a) {
        return Pointwise.Gelu.of().apply(a);
    }

    /** {@code softplus(a)} with {@code beta = 1}, {@code threshold = 20}. @see #softplus(Tensor, double, double) */
    public static Tensor softplus(Tensor a) {
        return softplus(a, 1.0, 20.0);
    }

    /**
     * {@code softplus(x) = log1p(exp(beta·x)) / beta}, or {@code x} where {@code beta·x > threshold} (PyTorch).
     *
     * @throws IllegalArgumentException for a zero or non-finite {@code beta} or a NaN {@code threshold}
     */
    public static Tensor softplus(Tensor a, double beta, double threshold) {
        if (beta == 0 || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("softplus: beta " + beta + " must be finite and non-zero");
        }
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("softplus: threshold NaN is not a number");
        return Pointwise.Softplus.of(beta, threshold).apply(a);
    }

    /** {@code min(max(a, lo), hi)}; the gradient passes where {@code lo <= a <= hi}. NaN propagates. */
    public static Tensor clamp(Tensor a, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        return Pointwise.Clamp.of(lo, hi).apply(a);
    }

    // ------------------------------------------------------------------ softmax family

    /**
     * {@code softmax(x)_i = exp(x_i - m) / Σ_k exp(x_k - m)} along {@code dim}, with {@code m} the row max
     * treated as a constant; backward uses the saved output only.
     * Edge: {@code -inf} entries give 0; a row of all {@code -inf} is undefined and gives NaN (as in PyTorch).
     * @see #logSoftmax(Tensor, int)
     */
    public static Tensor softmax(Tensor a, int dim) {
        return SoftmaxOps.Softmax.of(dim).apply(a);
    }

    /**
     * {@code log_softmax(x)_i = x_i - m - log Σ_k exp(x_k - m)} along {@code dim} (max-shift, {@code m} constant).
     * Backward uses the saved output only. Finite for logits of any magnitude;
     * {@code -inf} entries give {@code -inf} with gradient {@code g}.
     */
    public static Tensor logSoftmax(Tensor a, int dim) {
        return SoftmaxOps.LogSoftmax.of(dim).apply(a);
    }

    /**
     * {@code logsumexp} along {@code dim}: {@code m + log Σ exp(x - m)}, where {@code m} is the max, or 0 when the
     * max is infinite (so all-{@code -inf} rows give {@code -inf}, not NaN).
     */
    public static Tensor logSumExp(Tensor a, int dim, boolean keepdim) {
        return SoftmaxOps.LogSumExp.of(dim, keepdim).apply(a);
    }

    /** The tensor, or an {@link IllegalArgumentException} naming {@code op} when it is null. */
    private static Tensor nonNull(String op, Tensor a) {
        if (a == null) throw new IllegalArgumentException(op + ": input is null");
        return a;
    }
}
