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
     * Matrix product. Supported: {@code [.., M, K]·[K, N] → [.., M, N]} (leading dims batched),
     * {@code [K]·[K, N] → [N]}, {@code [M, K]·[K] → [M]}, {@code [K]·[K] → []}.
     * Both gradients go through the GEMM kernel seam.
     *
     * @throws IllegalArgumentException naming both shapes when the inner dimensions differ
     * @see #linear(Tensor, Tensor, Tensor)
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return Linalg.MatMul.of().apply(a, b);
    }

    /**
     * {@code linear(x, W, b) = x·Wᵀ + b} as one node (no materialised transpose), PyTorch's {@code F.linear}.
     *
     * @param input  {@code [.., in]}
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]} or null
     * @return {@code [.., out]}
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return bias == null ? Linalg.Linear.of().apply(input, weight) : Linalg.Linear.of().apply(input, weight, bias);
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

    /**
     * Sum over several dims, like {@code torch.sum(a, dim=[..], keepdim)}; {@code Σ_{reduced} a}.
     *
     * @param a       input
     * @param dims    the dims to reduce (negative counts from the end); an empty array reduces every dim, as
     *                PyTorch 1.13's {@code sum(x, dim=[])} does
     * @param keepdim keep each reduced dim as size 1
     * @return the sums, accumulated in double
     * @throws IllegalArgumentException for a null {@code dims}, a dim out of range or a dim given twice
     * @see #mean(Tensor, int[], boolean)
     */
    public static Tensor sum(Tensor a, int[] dims, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("sum: dims is null");
        if (dims.length == 1) return sum(a, dims[0], keepdim);
        return Reductions.SumDims.of(dims.clone(), keepdim).apply(nonNull("sum", a));
    }

    /**
     * Mean over several dims: {@code sum(a, dims, keepdim) / n}, {@code n} the number of elements reduced into each
     * output. Edge: an empty array of dims reduces every dim; reducing a 0-size dim gives NaN (0/0), as in PyTorch.
     * @see #sum(Tensor, int[], boolean)
     */
    public static Tensor mean(Tensor a, int[] dims, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("mean: dims is null");
        int n = Reductions.Plan.of("mean", nonNull("mean", a).shape(), dims, keepdim).n();
        return div(sum(a, dims, keepdim), n);
    }

    /**
     * {@code logsumexp} over several dims: {@code m + log Σ exp(a - m)}, {@code m} the max of each slice as a
     * constant (0 when infinite). Edge: an all-{@code -inf} slice gives {@code -inf} (not NaN), a {@code +inf} one
     * {@code +inf}; an empty array of dims reduces every dim.
     * @see #logSumExp(Tensor, int, boolean)
     */
    public static Tensor logSumExp(Tensor a, int[] dims, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("logSumExp: dims is null");
        if (dims.length == 1) return logSumExp(a, dims[0], keepdim);
        return Reductions.LogSumExpDims.of(dims.clone(), keepdim).apply(nonNull("logSumExp", a));
    }

    /**
     * {@code torch.max(a, dim, keepdim)}: the maxima along {@code dim} and their indices (the first maximal
     * element; NaN is the maximum). The gradient goes to the returned index.
     * @see #max(Tensor, int, boolean)
     */
    public static ValuesIndices maxWithIndices(Tensor a, int dim, boolean keepdim) {
        Reductions.Max op = Reductions.Max.of(dim, keepdim);
        Tensor v = op.apply(nonNull("max", a));
        return new ValuesIndices(v, IntTensor.of(op.indices(), v.shape()));
    }

    /** Minimum of all elements, {@code -max(-a)}; NaN if any element is NaN; ties share the gradient evenly. */
    public static Tensor min(Tensor a) {
        return neg(max(neg(a)));
    }

    /**
     * Minimum along {@code dim} (values), {@code -max(-a, dim)}: the gradient goes to the first minimal element
     * of each slice; NaN is treated as the minimum.
     */
    public static Tensor min(Tensor a, int dim, boolean keepdim) {
        return minWithIndices(a, dim, keepdim).values();
    }

    /** {@code torch.min(a, dim, keepdim)}: the minima and their indices. @see #maxWithIndices(Tensor, int, boolean) */
    public static ValuesIndices minWithIndices(Tensor a, int dim, boolean keepdim) {
        Shape.dim("min", dim, nonNull("min", a).rank());
        ValuesIndices m = maxWithIndices(neg(a), dim, keepdim);
        return new ValuesIndices(neg(m.values()), m.indices());
    }

    /**
     * {@code amax} over several dims (an empty array: every dim). Tied maxima share the gradient evenly, as in
     * PyTorch; NaN in a slice makes its maximum NaN (and its gradient NaN).
     *
     * @throws IllegalArgumentException for a reduced dim of size 0
     */
    public static Tensor amax(Tensor a, int[] dims, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("amax: dims is null");
        return Reductions.AMax.of(dims.clone(), keepdim).apply(nonNull("amax", a));
    }

    /** {@code amin} over several dims, {@code -amax(-a)}. @see #amax(Tensor, int[], boolean) */
    public static Tensor amin(Tensor a, int[] dims, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("amin: dims is null");
        Reductions.Plan.of("amin", nonNull("amin", a).shape(), dims, keepdim);
        return neg(amax(neg(a), dims, keepdim));
    }

    /** Unbiased variance of all elements ({@code correction = 1}). @see #var(Tensor, int[], int, boolean) */
    public static Tensor var(Tensor a) {
        return var(a, new int[0], 1, false);
    }

    /** {@code var} with PyTorch's {@code unbiased} flag: {@code correction = unbiased ? 1 : 0}. */
    public static Tensor var(Tensor a, int[] dims, boolean unbiased, boolean keepdim) {
        return var(a, dims, unbiased ? 1 : 0, keepdim);
    }

    /**
     * Variance over several dims: {@code Σ(a - mean)² / max(0, n - correction)} (PyTorch 1.13's
     * {@code torch.var(a, dim, correction=c, keepdim)}). Edge: {@code n <= correction} divides by 0 (inf or NaN),
     * as in PyTorch.
     *
     * @param dims       the dims (an empty array: every dim)
     * @param correction Bessel's correction, 1 for the unbiased estimate
     * @throws IllegalArgumentException for a null {@code dims}, a dim out of range or given twice
     * @see #std(Tensor, int[], int, boolean)
     */
    public static Tensor var(Tensor a, int[] dims, int correction, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("var: dims is null");
        return Reductions.VarStd.of(dims.clone(), correction, keepdim, false).apply(nonNull("var", a));
    }

    /** Unbiased standard deviation of all elements. @see #std(Tensor, int[], int, boolean) */
    public static Tensor std(Tensor a) {
        return std(a, new int[0], 1, false);
    }

    /** {@code std} with PyTorch's {@code unbiased} flag. */
    public static Tensor std(Tensor a, int[] dims, boolean unbiased, boolean keepdim) {
        return std(a, dims, unbiased ? 1 : 0, keepdim);
    }

    /**
     * Standard deviation {@code sqrt(var(a, dims, correction, keepdim))} as one node: its gradient is 0 where the
     * deviation is 0 (a constant slice), as in PyTorch, not NaN. @see #var(Tensor, int[], int, boolean)
     */
    public static Tensor std(Tensor a, int[] dims, int correction, boolean keepdim) {
        if (dims == null) throw new IllegalArgumentException("std: dims is null");
        return Reductions.VarStd.of(dims.clone(), correction, keepdim, true).apply(nonNull("std", a));
    }

    /** The 2-norm of all elements (the Frobenius norm); its gradient at an all-zero input is 0, as in PyTorch. */
    public static Tensor norm(Tensor a) {
        return norm(a, 2.0, new int[0], false);
    }

    /**
     * The vector {@code p}-norm over several dims, {@code (Σ|a|^p)^(1/p)}, like {@code torch.norm(a, p, dim, keepdim)}.
     * Edge: where the norm is 0 the gradient is 0 (PyTorch's rule); NaN propagates.
     *
     * @param p    a positive exponent or {@code Double.POSITIVE_INFINITY} ({@code max|a|})
     * @param dims the dims (an empty array: every dim)
     * @throws IllegalArgumentException for {@code p <= 0}, NaN or {@code -inf} (PyTorch's 0 and {@code -inf}
     *                                  "norms" are not supported), or bad dims
     * @see #norm(Tensor, String, int[], boolean)
     */
    public static Tensor norm(Tensor a, double p, int[] dims, boolean keepdim) {
        if (!(p > 0)) throw new IllegalArgumentException("norm: p " + p + " is not supported (use p > 0 or +inf)");
        if (dims == null) throw new IllegalArgumentException("norm: dims is null");
        return Reductions.Norm.of(p, dims.clone(), keepdim).apply(nonNull("norm", a));
    }

    /**
     * {@code torch.norm(a, "fro", dim, keepdim)}: the 2-norm over {@code dims}.
     *
     * @throws IllegalArgumentException for any {@code p} other than {@code "fro"} (e.g. {@code "nuc"}) or more than
     *                                  2 dims (an empty array reduces every dim), as in PyTorch
     */
    public static Tensor norm(Tensor a, String p, int[] dims, boolean keepdim) {
        if (!"fro".equals(p)) throw new IllegalArgumentException("norm: p '" + p + "' is not supported (only 'fro')");
        if (dims != null && dims.length > 2) {
            throw new IllegalArgumentException("norm: p 'fro' expects at most 2 dims, got " + java.util.Arrays.toString(dims));
        }
        return norm(a, 2.0, dims, keepdim);
    }

    /** Flat index of the first maximum of all elements (a 0-d index); NaN is the maximum. Not differentiable. */
    public static IntTensor argmax(Tensor a) {
        return argExtreme("argmax", a, true);
    }

    /** Index of the first maximum along {@code dim}; NaN is the maximum. Not differentiable. */
    public static IntTensor argmax(Tensor a, int dim, boolean keepdim) {
        return argExtreme("argmax", a, dim, keepdim, true);
    }

    /** Flat index of the first minimum of all elements; NaN is the minimum. Not differentiable. */
    public static IntTensor argmin(Tensor a) {
        return argExtreme("argmin", a, false);
    }

    /** Index of the first minimum along {@code dim}; NaN is the minimum. Not differentiable. */
    public static IntTensor argmin(Tensor a, int dim, boolean keepdim) {
        return argExtreme("argmin", a, dim, keepdim, false);
    }

    private static IntTensor argExtreme(String op, Tensor a, boolean largest) {
        if (nonNull(op, a).numel() == 0) throw new IllegalArgumentException(op + ": cannot reduce an empty tensor " + Shape.str(a.shape()));
        return IntTensor.scalar(Reductions.argExtreme(a, Reductions.Axis.all(a.numel()), largest)[0]);
    }

    private static IntTensor argExtreme(String op, Tensor a, int dim, boolean keepdim, boolean largest) {
        int[] s = nonNull(op, a).shape();
        int d = Shape.dim(op, dim, s.length);
        Reductions.Axis ax = Reductions.Axis.of(s, d);
        if (ax.n() == 0) throw new IllegalArgumentException(op + ": cannot reduce the empty dimension " + dim + " of " + Shape.str(s));
        return IntTensor.of(Reductions.argExtreme(a, ax, largest), Shape.reduce(s, d, keepdim));
    }

    /**
     * {@code torch.topk(a, k, dim, largest, sorted)}: the {@code k} largest (or smallest) values along {@code dim}
     * (differentiable: the gradient goes to the selected elements) and their indices.
     * Edge: NaN counts as larger than every number; tied values come in index order; the values are always
     * sorted, also when {@code sorted} is false (PyTorch leaves that order unspecified).
     *
     * @throws IllegalArgumentException for {@code k} outside {@code [0, size(dim)]} or a bad dim
     */
    public static ValuesIndices topk(Tensor a, int k, int dim, boolean largest, boolean sorted) {
        Reductions.TopK op = Reductions.TopK.of(k, dim, largest);
        Tensor v = op.apply(nonNull("topk", a));
        return new ValuesIndices(v, IntTensor.of(op.indices(), v.shape()));
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
