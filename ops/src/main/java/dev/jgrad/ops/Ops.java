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
        Linalg.checkBmm(Shape.nonNull("bmm", "a", a), Shape.nonNull("bmm", "b", b));
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
        Shape.nonNull("Cat", "tensors", tensors);
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
        if (a != null && a.rank() == 0) {
            // PyTorch 1.13 accepts it and returns the scalar for ANY index length; an error is clearer
            throw new IllegalArgumentException("indexSelect: input is 0-d (a scalar) and has no dim " + dim + " to select from; "
                    + "reshape it to [1] first");
        }
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

    // shape (issue 13): permute, views, expand, slicing, stacking, padding, where, gather/scatter, embedding

    /**
     * Reorders the dimensions: dimension {@code i} of the result is dimension {@code dims[i]} of {@code a}
     * ({@code torch.permute}). A copy (jgrad has no strided views); {@code da = permute(g, inverse(dims))}.
     *
     * @param dims a permutation of {@code 0..rank-1}; negative entries count from the end
     * @throws IllegalArgumentException for a wrong length, an out-of-range or repeated dim
     * @see #transpose(Tensor, int, int)
     */
    public static Tensor permute(Tensor a, int... dims) {
        if (dims == null) throw new IllegalArgumentException("permute: dims is null");
        return Shaping.Permute.of(dims.clone()).apply(a);
    }

    /**
     * Swaps dimensions {@code d0} and {@code d1} ({@code torch.transpose}); negative dims count from the end. A 0-D or
     * 1-D tensor accepts dims 0 and -1 and is returned as a copy.
     *
     * @throws IllegalArgumentException for an out-of-range dim
     * @see #permute(Tensor, int...)
     * @see #transpose(Tensor)
     */
    public static Tensor transpose(Tensor a, int d0, int d1) {
        int r = nonNull("transpose", a).rank();
        int x = Shape.dim("transpose", d0, r), y = Shape.dim("transpose", d1, r);
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = i == x ? y : i == y ? x : i;
        return Shaping.Permute.of(p).apply(a);
    }

    /**
     * {@code torch.Tensor.view}: the same as {@link #reshape} (every jgrad tensor is contiguous, so a view always
     * exists); shares the data with {@code a}. One dimension may be {@code -1}.
     *
     * @throws IllegalArgumentException when the element counts differ or more than one dimension is {@code -1}
     */
    public static Tensor view(Tensor a, int... shape) {
        return reshape(a, shape);
    }

    /** {@code flatten(a, 0, -1)}: a 1-D view of all elements (a 0-D tensor becomes {@code [1]}). */
    public static Tensor flatten(Tensor a) {
        return flatten(a, 0, -1);
    }

    /**
     * Merges dimensions {@code start..end} (inclusive, negative counts from the end) into one, as a view sharing the
     * data ({@code torch.flatten}). A 0-D tensor becomes {@code [1]}.
     *
     * @throws IllegalArgumentException for an out-of-range dim or {@code start} after {@code end}
     */
    public static Tensor flatten(Tensor a, int start, int end) {
        int[] s = nonNull("flatten", a).shape();
        int lo = Shape.dim("flatten", start, s.length), hi = Shape.dim("flatten", end, s.length);
        if (lo > hi) throw new IllegalArgumentException("flatten: start dim " + start + " comes after end dim " + end + " for shape " + Shape.str(s));
        if (s.length == 0) return reshape(a, 1);
        int[] t = new int[s.length - (hi - lo)];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i <= lo || i > hi) t[j++] = s[i];
            else t[j - 1] *= s[i];
        }
        return Shaping.Reshape.of(t).apply(a);
    }

    /** Removes every dimension of size 1 ({@code torch.squeeze}), as a view sharing the data. */
    public static Tensor squeeze(Tensor a) {
        int[] s = nonNull("squeeze", a).shape();
        return Shaping.Reshape.of(java.util.Arrays.stream(s).filter(d -> d != 1).toArray()).apply(a);
    }

    /**
     * Removes dimension {@code dim} if its size is 1, else returns a view of the same shape ({@code torch.squeeze(a, dim)}).
     *
     * @throws IllegalArgumentException for an out-of-range dim
     */
    public static Tensor squeeze(Tensor a, int dim) {
        int[] s = nonNull("squeeze", a).shape();
        int d = Shape.dim("squeeze", dim, s.length);
        return Shaping.Reshape.of(s.length > 0 && s[d] == 1 ? Shape.reduce(s, d, false) : s).apply(a);
    }

    /**
     * Inserts a dimension of size 1 at {@code dim} ({@code torch.unsqueeze}); {@code dim} is in {@code [-rank-1, rank]}.
     * A view sharing the data.
     *
     * @throws IllegalArgumentException for an out-of-range dim
     */
    public static Tensor unsqueeze(Tensor a, int dim) {
        int[] s = nonNull("unsqueeze", a).shape();
        return Shaping.Reshape.of(unsqueezed(s, Shape.dim("unsqueeze", dim, s.length + 1))).apply(a);
    }

    /**
     * Repeats size-1 dimensions and prepends new ones to reach {@code shape} ({@code torch.Tensor.expand});
     * {@code -1} keeps a dimension. A copy; the gradient is summed back over the repeated dimensions.
     *
     * @throws IllegalArgumentException when a non-1 dimension differs from the target, or the target has fewer dims
     * @see #broadcastTo(Tensor, int...)
     */
    public static Tensor expand(Tensor a, int... shape) {
        if (shape == null) throw new IllegalArgumentException("expand: shape is null");
        return Shaping.Expand.of(shape.clone()).apply(a);
    }

    /** {@code torch.broadcast_to}: the same as {@link #expand}. */
    public static Tensor broadcastTo(Tensor a, int... shape) {
        return expand(a, shape);
    }

    /**
     * Python slicing {@code a[.., start:end:step, ..]} along {@code dim}: negative {@code start}/{@code end} count
     * from the end and out-of-range values clamp (so {@code end = Integer.MAX_VALUE} means "to the end"); an empty
     * range gives a 0-size dimension. A copy; the gradient is scattered back into zeros.
     *
     * @param step positive
     * @throws IllegalArgumentException for a non-positive step, an out-of-range dim or a 0-D input
     * @see #narrow(Tensor, int, int, int)
     */
    public static Tensor slice(Tensor a, int dim, int start, int end, int step) {
        int[] s = nonNull("slice", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("slice: cannot slice a 0-D tensor");
        int d = Shape.dim("slice", dim, s.length), n = s[d];
        if (step <= 0) throw new IllegalArgumentException("slice: step " + step + " must be positive");
        long lo = start < 0 ? (long) start + n : start, hi = end < 0 ? (long) end + n : end;
        lo = Math.max(0, Math.min(lo, n));
        hi = Math.max(lo, Math.min(hi, n));
        int len = (int) ((hi - lo + step - 1) / step);
        return Shaping.Slice.of(d, (int) lo, len, step).apply(a);
    }

    /**
     * {@code length} elements of dimension {@code dim} from {@code start} ({@code torch.narrow}); a negative
     * {@code start} counts from the end. Unlike {@link #slice}, the range must lie inside the dimension.
     *
     * @throws IllegalArgumentException for a range outside the dimension, a negative length or an out-of-range dim
     */
    public static Tensor narrow(Tensor a, int dim, int start, int length) {
        int[] s = nonNull("narrow", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("narrow: cannot narrow a 0-D tensor");
        int d = Shape.dim("narrow", dim, s.length), n = s[d];
        int lo = start < 0 && start >= -n ? start + n : start;
        if (lo < 0 || lo > n || length < 0 || (long) lo + length > n) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length + " exceed dimension " + dim
                    + " of size " + n + " (input " + Shape.str(s) + ")");
        }
        return Shaping.Slice.of(d, lo, length, 1).apply(a);
    }

    /**
     * The slice at {@code index} of dimension {@code dim}, with that dimension removed ({@code torch.select},
     * {@code a[.., index, ..]}); a negative index counts from the end.
     *
     * @throws IllegalArgumentException for an index outside {@code [-size, size)} or an out-of-range dim
     */
    public static Tensor select(Tensor a, int dim, int index) {
        int[] s = nonNull("select", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("select: cannot select from a 0-D tensor");
        int d = Shape.dim("select", dim, s.length), n = s[d];
        if (index < -n || index >= n) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dimension " + dim + " of size " + n
                    + " (input " + Shape.str(s) + ")");
        }
        Tensor t = Shaping.Slice.of(d, index < 0 ? index + n : index, 1, 1).apply(a);
        return Shaping.Reshape.of(Shape.reduce(s, d, false)).apply(t);
    }

    /**
     * Stacks equal-shaped tensors along a new dimension {@code dim} in {@code [-rank-1, rank]} ({@code torch.stack}):
     * {@code cat(dim, unsqueeze(t_i, dim)...)}.
     *
     * @throws IllegalArgumentException for no tensors, differing shapes or an out-of-range dim
     */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (Shape.nonNull("stack", "tensors", tensors).length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
        int[] s = nonNull("stack", tensors[0]).shape();
        int d = Shape.dim("stack", dim, s.length + 1);
        Tensor[] parts = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!java.util.Arrays.equals(nonNull("stack", tensors[i]).shape(), s)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(tensors[i].shape())
                        + " but tensor 0 has " + Shape.str(s) + "; stack needs equal shapes");
            }
            parts[i] = Shaping.Reshape.of(unsqueezed(s, d)).apply(tensors[i]);
        }
        return cat(d, parts);
    }

    /**
     * Splits {@code a} along {@code dim} into pieces of {@code splitSize} (the last may be smaller) ({@code torch.split}).
     * Each piece is a {@link #narrow} of {@code a}.
     *
     * @throws IllegalArgumentException for a non-positive size on a non-empty dimension, a 0-D input or an out-of-range dim
     * @see #chunk(Tensor, int, int)
     */
    public static Tensor[] split(Tensor a, int splitSize, int dim) {
        int[] s = nonNull("split", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("split: cannot split a 0-D tensor");
        int d = Shape.dim("split", dim, s.length), n = s[d];
        if (splitSize < 0 || (splitSize == 0 && n > 0)) {
            throw new IllegalArgumentException("split: split size " + splitSize + " must be positive for dimension " + dim + " of size " + n);
        }
        int k = n == 0 ? 1 : (n + splitSize - 1) / splitSize;
        Tensor[] out = new Tensor[k];
        for (int i = 0; i < k; i++) out[i] = narrow(a, d, i * splitSize, Math.min(splitSize, n - i * splitSize));
        return out;
    }

    /**
     * Splits {@code a} along {@code dim} into pieces of the given sizes, which must add up to the dimension
     * ({@code torch.split} with a list).
     *
     * @throws IllegalArgumentException for sizes that are negative or do not add up, or an out-of-range dim
     */
    public static Tensor[] split(Tensor a, int[] sizes, int dim) {
        if (sizes == null) throw new IllegalArgumentException("split: sizes is null");
        int[] s = nonNull("split", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("split: cannot split a 0-D tensor");
        int d = Shape.dim("split", dim, s.length);
        long total = 0;
        for (int v : sizes) {
            if (v < 0) throw new IllegalArgumentException("split: negative size " + v + " in " + java.util.Arrays.toString(sizes));
            total += v;
        }
        if (total != s[d]) {
            throw new IllegalArgumentException("split: sizes " + java.util.Arrays.toString(sizes) + " add up to " + total
                    + ", not to the size " + s[d] + " of dimension " + dim + " (input " + Shape.str(s) + ")");
        }
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, off = 0; i < sizes.length; off += sizes[i++]) out[i] = narrow(a, d, off, sizes[i]);
        return out;
    }

    /**
     * {@code torch.chunk}: {@code split(a, ceil(size / chunks), dim)}, so it may return fewer than {@code chunks} pieces
     * (an empty dimension gives {@code chunks} empty pieces, as in PyTorch).
     *
     * @throws IllegalArgumentException for {@code chunks < 1}, a 0-D input or an out-of-range dim
     */
    public static Tensor[] chunk(Tensor a, int chunks, int dim) {
        if (chunks < 1) throw new IllegalArgumentException("chunk: chunks " + chunks + " must be at least 1");
        int[] s = nonNull("chunk", a).shape();
        if (s.length == 0) throw new IllegalArgumentException("chunk: cannot chunk a 0-D tensor");
        int n = s[Shape.dim("chunk", dim, s.length)];
        if (n == 0) return split(a, new int[chunks], dim); // PyTorch: `chunks` empty pieces
        return split(a, (int) (((long) n + chunks - 1) / chunks), dim);
    }

    /**
     * Reverses the order of elements along each of {@code dims} ({@code torch.flip}). A copy; {@code da = flip(g, dims)}.
     *
     * @throws IllegalArgumentException for an out-of-range or repeated dim
     */
    public static Tensor flip(Tensor a, int... dims) {
        if (dims == null) throw new IllegalArgumentException("flip: dims is null");
        return Shaping.Flip.of(dims.clone()).apply(a);
    }

    /** {@code pad(a, pad, 0)}. @see #pad(Tensor, int[], double) */
    public static Tensor pad(Tensor a, int... pad) {
        return pad(a, pad, 0.0);
    }

    /**
     * Constant padding ({@code F.pad(a, pad, value=value)}): {@code pad = [before_last, after_last, before_2nd_last,
     * ...]}, last dimension first; negative entries crop. The gradient is the kept region of {@code g}.
     *
     * @throws IllegalArgumentException for an odd length, more than {@code 2·rank} entries or a negative result size
     */
    public static Tensor pad(Tensor a, int[] pad, double value) {
        if (pad == null) throw new IllegalArgumentException("pad: pad is null");
        return Shaping.Pad.of(pad.clone()).apply(a, Tensor.scalar(value, nonNull("pad", a).dtype()));
    }

    /**
     * {@code a} where {@code cond} is non-zero, else {@code b} ({@code torch.where}); all three broadcast.
     * {@code cond} is a mask of either dtype (e.g. 0/1 from a comparison; NaN counts as true) and gets no gradient;
     * {@code da = g·[cond]}, {@code db = g·[!cond]}, summed back over broadcast dimensions.
     *
     * @throws IllegalArgumentException for a null argument, shapes that do not broadcast or mixed dtypes of a and b
     * @see #maskedFill(Tensor, Tensor, double)
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Indexing.Where.of(Shape.nonNull("where", "cond", cond)).apply(a, b);
    }

    /**
     * {@code a} with {@code value} where {@code mask} is non-zero ({@code torch.Tensor.masked_fill}); {@code mask}
     * broadcasts to {@code a}'s shape. {@code da = g·[!mask]}.
     *
     * @throws IllegalArgumentException for a null argument or a mask that does not broadcast to {@code a}
     * @see #where(Tensor, Tensor, Tensor)
     */
    public static Tensor maskedFill(Tensor a, Tensor mask, double value) {
        int[] s = nonNull("maskedFill", a).shape(), m = Shape.nonNull("maskedFill", "mask", mask).shape();
        if (!java.util.Arrays.equals(Shape.broadcast("maskedFill", m, s), s)) {
            throw new IllegalArgumentException("maskedFill: mask " + Shape.str(m) + " does not broadcast to the input " + Shape.str(s));
        }
        return Indexing.Where.of(mask).apply(Tensor.scalar(value, a.dtype()), a);
    }

    /**
     * {@code torch.gather(a, dim, index)}: {@code y[i][j][k] = a[index[i][j][k]][j][k]} for {@code dim = 0}, output of
     * {@code index}'s shape; {@code index} has {@code a}'s rank and no larger size in dimensions other than {@code dim}.
     * Backward adds into zeros (repeated indices add).
     *
     * @throws IllegalArgumentException for an index out of {@code [0, a.size(dim))} or shapes that break the rule
     */
    public static Tensor gather(Tensor a, int dim, IntTensor index) {
        if (index == null) throw new IllegalArgumentException("gather: index is null");
        return Indexing.GatherDim.of(dim, index).apply(a);
    }

    /**
     * {@code torch.scatter_add(a, dim, index, src)}: a copy of {@code a} with {@code y[index[i][j]][j] += src[i][j]}
     * for {@code dim = 0}; {@code index} has the rank of {@code a} and {@code src}, is no larger than {@code src}, and no
     * larger than {@code a} outside {@code dim}. {@code da = g}, {@code dsrc = gather(g, dim, index)} (0 elsewhere).
     *
     * @throws IllegalArgumentException for an index out of range or shapes that break the rule
     */
    public static Tensor scatterAdd(Tensor a, int dim, IntTensor index, Tensor src) {
        if (index == null) throw new IllegalArgumentException("scatterAdd: index is null");
        Shape.nonNull("scatterAdd", "src", src);
        return Indexing.ScatterAdd.of(dim, index).apply(a, src);
    }

    /**
     * {@code F.embedding(indices, weight)}: rows of {@code weight [num, dim]}, output {@code indices.shape + [dim]}.
     * The gradient adds each output row's gradient into its weight row (repeated indices accumulate).
     *
     * @throws IllegalArgumentException for a weight that is not 2-D or an index outside {@code [0, num)}
     * @see #embedding(Tensor, IntTensor, int)
     */
    public static Tensor embedding(Tensor weight, IntTensor indices) {
        if (indices == null) throw new IllegalArgumentException("embedding: indices is null");
        return Indexing.Embedding.of(indices, Indexing.Embedding.NO_PADDING).apply(Shape.nonNull("embedding", "weight", weight));
    }

    /**
     * {@link #embedding(Tensor, IntTensor)} with PyTorch's {@code padding_idx}: row {@code paddingIdx} (negative counts
     * from the end) is looked up as usual but receives no gradient.
     *
     * @throws IllegalArgumentException also for a {@code paddingIdx} outside {@code [-num, num)}
     */
    public static Tensor embedding(Tensor weight, IntTensor indices, int paddingIdx) {
        if (indices == null) throw new IllegalArgumentException("embedding: indices is null");
        int n = Shape.nonNull("embedding", "weight", weight).rank() == 2 ? weight.size(0) : 0;
        return Indexing.Embedding.of(indices, paddingIdx < 0 && paddingIdx >= -n ? paddingIdx + n : paddingIdx).apply(weight);
    }

    /** {@code s} with a 1 inserted at {@code d}. */
    private static int[] unsqueezed(int[] s, int d) {
        int[] t = new int[s.length + 1];
        for (int i = 0, j = 0; i < t.length; i++) t[i] = i == d ? 1 : s[j++];
        return t;
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

    /** {@code max(a, 0)}; the gradient is 0 at {@code a = 0}; NaN propagates, and the gradient at NaN is {@code g} (PyTorch). */
    public static Tensor relu(Tensor a) {
        return Pointwise.Relu.of().apply(a);
    }

    /**
     * GELU, exact form {@code x·Φ(x) = x/2·erfc(-x/√2)} (PyTorch's default {@code approximate='none'}).
     */
    public static Tensor gelu(Tensor a) {
        return Pointwise.Gelu.of(false).apply(a);
    }

    /**
     * GELU with PyTorch's {@code approximate} argument: {@code "none"} is {@link #gelu(Tensor)}, {@code "tanh"} is
     * {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
     *
     * @throws IllegalArgumentException for another {@code approximate}
     */
    public static Tensor gelu(Tensor a, String approximate) {
        boolean tanh = "tanh".equals(approximate);
        if (!tanh && !"none".equals(approximate)) {
            throw new IllegalArgumentException("gelu: approximate = " + approximate + " must be \"none\" or \"tanh\"");
        }
        return Pointwise.Gelu.of(tanh).apply(a);
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
        Shape.notNaN("clamp", "min (lo)", lo);
        Shape.notNaN("clamp", "max (hi)", hi);
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        return Pointwise.Clamp.of(lo, hi).apply(a);
    }

    /**
     * Leaky ReLU, {@code leaky_relu(x) = x} for {@code x > 0}, else {@code negativeSlope·x}.
     *
     * Edge: the gradient takes the negative branch ({@code g·negativeSlope}) at 0 and at NaN, as PyTorch.
     * @param a             input
     * @param negativeSlope slope below 0 (PyTorch's default is 0.01)
     * @return a tensor of {@code a}'s shape
     * @see #relu(Tensor)
     * @see #leakyRelu(Tensor)
     */
    public static Tensor leakyRelu(Tensor a, double negativeSlope) {
        return Pointwise.LeakyRelu.of(Shape.notNaN("leakyRelu", "negativeSlope", negativeSlope)).apply(a);
    }

    /** {@link #leakyRelu(Tensor, double)} with PyTorch's default slope 0.01. */
    public static Tensor leakyRelu(Tensor a) {
        return leakyRelu(a, 0.01);
    }

    /**
     * ELU, {@code elu(x) = x} for {@code x > 0}, else {@code alpha·(exp(x) - 1)}, evaluated as {@code alpha·expm1(x)}
     * (full relative accuracy near 0).
     *
     * Edge: at 0 the gradient is {@code g·alpha} (the negative branch, as PyTorch); at NaN it is {@code g} (PyTorch's
     * scalar kernel; its vectorised CPU path gives NaN there); {@code elu(-inf) = -alpha} with gradient 0.
     * @param a     input
     * @param alpha the negative saturation value's magnitude (PyTorch's default is 1)
     * @return a tensor of {@code a}'s shape
     * @see #elu(Tensor)
     */
    public static Tensor elu(Tensor a, double alpha) {
        return Pointwise.Elu.of(Shape.notNaN("elu", "alpha", alpha)).apply(a);
    }

    /** {@link #elu(Tensor, double)} with {@code alpha = 1}. */
    public static Tensor elu(Tensor a) {
        return elu(a, 1.0);
    }

    /**
     * SiLU (swish), {@code silu(x) = x·σ(x)} with the stable logistic {@code σ}.
     * Edge: as in PyTorch, {@code silu(-inf)} is NaN ({@code -inf·0}) and the gradient at {@code ±inf} is NaN.
     * @see #sigmoid(Tensor)
     */
    public static Tensor silu(Tensor a) {
        return Pointwise.Silu.of().apply(a);
    }

    /**
     * HardTanh, {@code min(max(x, min), max)}; NaN propagates.
     *
     * Edge: unlike {@link #clamp}, the gradient is 0 AT the bounds ({@code g} only where {@code min < x < max}), and
     * {@code g} at NaN (PyTorch's scalar kernel; its vectorised CPU path gives 0 there).
     * @param a   input
     * @param min lower bound (PyTorch's default is -1)
     * @param max upper bound (PyTorch's default is 1)
     * @return a tensor of {@code a}'s shape
     * @throws IllegalArgumentException if {@code min > max} or a bound is NaN (PyTorch 1.13's functional form does not
     *                                  check; its {@code nn.Hardtanh} does)
     * @see #hardtanh(Tensor)
     */
    public static Tensor hardtanh(Tensor a, double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new IllegalArgumentException("hardtanh: bounds min " + min + " and max " + max + " must not be NaN");
        }
        if (min > max) throw new IllegalArgumentException("hardtanh: min " + min + " is greater than max " + max);
        return Pointwise.Hardtanh.of(min, max).apply(a);
    }

    /** {@link #hardtanh(Tensor, double, double)} with bounds -1 and 1. */
    public static Tensor hardtanh(Tensor a) {
        return hardtanh(a, -1.0, 1.0);
    }

    /**
     * {@code log(1 + x)}, accurate for small {@code x}.
     * Edge: {@code log1p(-1) = -inf} with gradient {@code +inf}; NaN below -1 (gradient {@code g/(x + 1)}, finite).
     * @see #expm1(Tensor)
     */
    public static Tensor log1p(Tensor a) {
        return Pointwise.Log1p.of().apply(a);
    }

    /**
     * {@code exp(x) - 1}, accurate for small {@code x}; gradient {@code g·(y + 1)} from the output.
     * Edge: {@code expm1(-inf) = -1} with gradient 0; {@code inf} where it overflows, with gradient {@code inf}.
     * @see #log1p(Tensor)
     */
    public static Tensor expm1(Tensor a) {
        return Pointwise.Expm1.of().apply(a);
    }

    /**
     * {@code x²}, composed as {@code mul(a, a)} (exact: the gradient {@code g·x + g·x = 2·g·x} has no rounding
     * beyond PyTorch's).
     * @see #pow(Tensor, double)
     */
    public static Tensor square(Tensor a) {
        return mul(nonNull("square", a), a);
    }

    /**
     * {@code 1/sqrt(x)}.
     * Edge: {@code rsqrt(0) = inf} (gradient {@code -inf}), {@code rsqrt(-0.0) = -inf} (gradient {@code +inf}),
     * NaN below 0, and {@code rsqrt(inf) = 0}.
     * @see #sqrt(Tensor)
     */
    public static Tensor rsqrt(Tensor a) {
        return Pointwise.Rsqrt.of().apply(a);
    }

    /**
     * The element-wise maximum of {@code a} and {@code b} with broadcasting; NaN if either is NaN.
     * Edge (PyTorch's rule): at a tie each input gets {@code g/2}; where either is NaN both get {@code g}.
     * @throws IllegalArgumentException naming both shapes when they do not broadcast, or for mixed dtypes
     * @see #minimum(Tensor, Tensor)
     * @see #max(Tensor)
     */
    public static Tensor maximum(Tensor a, Tensor b) {
        return Arithmetic.Maximum.of().apply(a, b);
    }

    /**
     * The element-wise minimum of {@code a} and {@code b} with broadcasting; NaN if either is NaN.
     * Edge (PyTorch's rule): at a tie each input gets {@code g/2}; where either is NaN both get {@code g}.
     * @throws IllegalArgumentException naming both shapes when they do not broadcast, or for mixed dtypes
     * @see #maximum(Tensor, Tensor)
     */
    public static Tensor minimum(Tensor a, Tensor b) {
        return Arithmetic.Minimum.of().apply(a, b);
    }

    /**
     * The mask {@code a == b} with broadcasting: a tensor of the inputs' dtype holding 1.0 where equal, else 0.0.
     * Comparisons are not differentiable: the mask never requires grad and records no graph node. NaN compares
     * unequal to everything (so {@link #ne} is 1 there and every other comparison 0).
     * @throws IllegalArgumentException naming the op and both shapes when they do not broadcast, for mixed dtypes or a null input
     * @see #ne(Tensor, Tensor)
     */
    public static Tensor eq(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.EQ, a, b);
    }

    /** The mask {@code a == c} for a constant (rounded to {@code a}'s dtype first, as PyTorch does). @see #eq(Tensor, Tensor) */
    public static Tensor eq(Tensor a, double c) {
        return eq(a, Tensor.scalar(c, nonNull("eq", a).dtype()));
    }

    /** The mask {@code a != b} with broadcasting (1.0 where either is NaN); not differentiable. @see #eq(Tensor, Tensor) */
    public static Tensor ne(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.NE, a, b);
    }

    /** The mask {@code a != c} for a constant. @see #eq(Tensor, Tensor) */
    public static Tensor ne(Tensor a, double c) {
        return ne(a, Tensor.scalar(c, nonNull("ne", a).dtype()));
    }

    /** The mask {@code a < b} with broadcasting; not differentiable, 0.0 where either is NaN. @see #eq(Tensor, Tensor) */
    public static Tensor lt(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.LT, a, b);
    }

    /** The mask {@code a < c} for a constant. @see #eq(Tensor, Tensor) */
    public static Tensor lt(Tensor a, double c) {
        return lt(a, Tensor.scalar(c, nonNull("lt", a).dtype()));
    }

    /** The mask {@code a <= b} with broadcasting; not differentiable, 0.0 where either is NaN. @see #eq(Tensor, Tensor) */
    public static Tensor le(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.LE, a, b);
    }

    /** The mask {@code a <= c} for a constant. @see #eq(Tensor, Tensor) */
    public static Tensor le(Tensor a, double c) {
        return le(a, Tensor.scalar(c, nonNull("le", a).dtype()));
    }

    /** The mask {@code a > b} with broadcasting; not differentiable, 0.0 where either is NaN. @see #eq(Tensor, Tensor) */
    public static Tensor gt(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.GT, a, b);
    }

    /** The mask {@code a > c} for a constant. @see #eq(Tensor, Tensor) */
    public static Tensor gt(Tensor a, double c) {
        return gt(a, Tensor.scalar(c, nonNull("gt", a).dtype()));
    }

    /** The mask {@code a >= b} with broadcasting; not differentiable, 0.0 where either is NaN. @see #eq(Tensor, Tensor) */
    public static Tensor ge(Tensor a, Tensor b) {
        return Compare.mask(Compare.Relation.GE, a, b);
    }

    /** The mask {@code a >= c} for a constant. @see #eq(Tensor, Tensor) */
    public static Tensor ge(Tensor a, double c) {
        return ge(a, Tensor.scalar(c, nonNull("ge", a).dtype()));
    }

    // ------------------------------------------------------------------ convolution and pooling

    /**
     * 2-D convolution, PyTorch's {@code F.conv2d} (cross-correlation):
     * {@code y[n, o, i, j] = b[o] + Σ_{c, ki, kj} W[o, c, ki, kj] · x[n, g·C/groups + c, i·sh − ph + ki·dh, j·sw − pw + kj·dw]}
     * with zeros outside the input and {@code g} the group of {@code o}. Runs im2col and one GEMM per sample and group
     * on the kernel seam; backward gives {@code dx} (col2im of {@code Wᵀ·dY}), {@code dW} ({@code dY·colsᵀ}) and
     * {@code db} (sums of {@code dY}). Edge cases: an empty batch gives an empty result; a kernel larger than the
     * padded input is an error (as in PyTorch).
     *
     * @param input    {@code [N, C, H, W]} or unbatched {@code [C, H, W]}
     * @param weight   {@code [O, C/groups, kh, kw]}
     * @param bias     {@code [O]} or null
     * @param stride   one value for both dimensions or {@code {sh, sw}}, positive
     * @param padding  one value or {@code {ph, pw}}, zero padding on both sides, non-negative
     * @param dilation one value or {@code {dh, dw}}, positive
     * @param groups   positive, dividing {@code C} and {@code O} ({@code groups == C}: depthwise)
     * @return {@code [N, O, oh, ow]} ({@code [O, oh, ow]} for an unbatched input), {@code oh = ⌊(H + 2ph − dh(kh−1) − 1)/sh⌋ + 1}
     * @throws IllegalArgumentException naming the argument and shapes for bad ranks, channels, groups, bias, a negative
     *                                  padding, a non-positive stride/dilation or a kernel larger than the padded input
     * @see #conv2d(Tensor, Tensor, Tensor, int[], String, int[], int)
     * @see #unfold(Tensor, int[], int[], int[], int[])
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] s = pair("conv2d", "stride", stride, 1), p = pair("conv2d", "padding", padding, 0), d = pair("conv2d", "dilation", dilation, 1);
        return conv(2, input, weight, bias, s[0], s[1], p[0], p[0], p[1], p[1], d[0], d[1], groups);
    }

    /**
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} with PyTorch's string padding: {@code "valid"}
     * (no padding) or {@code "same"} (output size = input size; only with stride 1; a total padding
     * {@code d·(k−1)} split with the odd extra element on the bottom/right, as PyTorch).
     *
     * @throws IllegalArgumentException for another string or {@code "same"} with a stride other than 1
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation, int groups) {
        int[] s = pair("conv2d", "stride", stride, 1), d = pair("conv2d", "dilation", dilation, 1);
        if (!same("conv2d", padding, s)) return conv(2, input, weight, bias, s[0], s[1], 0, 0, 0, 0, d[0], d[1], groups);
        int th = weight != null && weight.rank() == 4 ? d[0] * (weight.size(2) - 1) : 0;
        int tw = weight != null && weight.rank() == 4 ? d[1] * (weight.size(3) - 1) : 0;
        return conv(2, input, weight, bias, 1, 1, th / 2, th - th / 2, tw / 2, tw - tw / 2, d[0], d[1], groups);
    }

    /**
     * 1-D convolution, PyTorch's {@code F.conv1d}:
     * {@code y[n, o, j] = b[o] + Σ_{c, k} W[o, c, k] · x[n, g·C/groups + c, j·stride − padding + k·dilation]}
     * (the 2-D convolution with a kernel height of 1; same backward and edge cases).
     *
     * @param input  {@code [N, C, L]} or unbatched {@code [C, L]}
     * @param weight {@code [O, C/groups, k]}
     * @param bias   {@code [O]} or null
     * @return {@code [N, O, ⌊(L + 2·padding − dilation·(k−1) − 1)/stride⌋ + 1]} ({@code [O, ..]} unbatched)
     * @throws IllegalArgumentException as {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)}
     * @see #conv1d(Tensor, Tensor, Tensor, int, String, int, int)
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        positive("conv1d", "stride", stride, 1);
        positive("conv1d", "padding", padding, 0);
        positive("conv1d", "dilation", dilation, 1);
        return conv(1, input, weight, bias, 1, stride, 0, 0, padding, padding, 1, dilation, groups);
    }

    /**
     * {@link #conv1d(Tensor, Tensor, Tensor, int, int, int, int)} with {@code "valid"} or {@code "same"} padding (see
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], String, int[], int)}).
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
        positive("conv1d", "stride", stride, 1);
        positive("conv1d", "dilation", dilation, 1);
        if (!same("conv1d", padding, new int[]{stride})) return conv(1, input, weight, bias, 1, stride, 0, 0, 0, 0, 1, dilation, groups);
        int t = weight != null && weight.rank() == 3 ? dilation * (weight.size(2) - 1) : 0;
        return conv(1, input, weight, bias, 1, 1, 0, 0, t / 2, t - t / 2, 1, dilation, groups);
    }

    private static Tensor conv(int dims, Tensor input, Tensor weight, Tensor bias, int sh, int sw, int ph0, int ph1, int pw0, int pw1,
                               int dh, int dw, int groups) {
        String op = dims == 1 ? "conv1d" : "conv2d";
        nonNull(op, input);
        if (weight == null) throw new IllegalArgumentException(op + ": weight is null");
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
        Conv.ConvNd f = Conv.ConvNd.of(dims, sh, sw, ph0, ph1, pw0, pw1, dh, dw, groups);
        return bias == null ? f.apply(input, weight) : f.apply(input, weight, bias);
    }

    /** Whether a string padding is {@code "same"} (checked against the stride) rather than {@code "valid"}. */
    private static boolean same(String op, String padding, int[] stride) {
        if ("valid".equals(padding)) return false;
        if (!"same".equals(padding)) {
            throw new IllegalArgumentException(op + ": invalid padding string '" + padding + "', should be one of 'valid' or 'same'");
        }
        for (int s : stride) {
            if (s != 1) {
                throw new IllegalArgumentException(op + ": padding='same' is not supported for strided convolutions, got stride "
                        + java.util.Arrays.toString(stride));
            }
        }
        return true;
    }

    /** A one- or two-element size argument as {@code {height, width}}; null means {@code dflt} for both. */
    private static int[] pair(String op, String arg, int[] v, int min) {
        if (v == null) throw new IllegalArgumentException(op + ": " + arg + " is null");
        if (v.length != 1 && v.length != 2) {
            throw new IllegalArgumentException(op + ": " + arg + " must have 1 or 2 elements, got " + java.util.Arrays.toString(v));
        }
        int[] p = {v[0], v[v.length - 1]};
        for (int x : p) positive(op, arg, x, min);
        return p;
    }

    /** Checks {@code v >= min} (min 1: "positive", 0: "non-negative"). */
    private static void positive(String op, String arg, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(op + ": " + arg + " must be " + (min > 0 ? "positive" : "non-negative") + ", got " + v);
        }
    }

    /**
     * {@code unfold} (im2col), PyTorch's {@code F.unfold}: every sliding {@code kh × kw} block of the (zero-padded)
     * input as one column, {@code [N, C, H, W] → [N, C·kh·kw, L]} with rows ordered {@code (c, ki, kj)} and the
     * {@code L} blocks in row-major order. Backward is col2im (entries of overlapping blocks add up).
     *
     * @param input    {@code [N, C, H, W]} or unbatched {@code [C, H, W]}
     * @param kernel   one value or {@code {kh, kw}}, positive
     * @param dilation one value or {@code {dh, dw}}, positive
     * @param padding  one value or {@code {ph, pw}}, non-negative
     * @param stride   one value or {@code {sh, sw}}, positive
     * @throws IllegalArgumentException naming the argument for bad sizes, or when no block fits the padded input
     * @see #fold(Tensor, int[], int[], int[], int[], int[])
     */
    public static Tensor unfold(Tensor input, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        int[] k = pair("unfold", "kernel_size", kernel, 1), d = pair("unfold", "dilation", dilation, 1);
        int[] p = pair("unfold", "padding", padding, 0), s = pair("unfold", "stride", stride, 1);
        return Conv.Unfold.of(k[0], k[1], d[0], d[1], p[0], p[1], s[0], s[1]).apply(nonNull("unfold", input));
    }

    /**
     * {@code fold} (col2im), PyTorch's {@code F.fold}, the adjoint of {@link #unfold}: sums each column's entries into
     * the positions of its block, {@code [N, C·kh·kw, L] → [N, C, outH, outW]}; backward is im2col.
     *
     * @param input      {@code [N, C·kh·kw, L]} or unbatched {@code [C·kh·kw, L]}, {@code L} the number of blocks
     * @param outputSize {@code {outH, outW}} (or one value for both)
     * @throws IllegalArgumentException when the rows are not a multiple of {@code kh·kw} or {@code L} is not the number
     *                                  of blocks of the output size
     */
    public static Tensor fold(Tensor input, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        int[] o = pair("fold", "output_size", outputSize, 1), k = pair("fold", "kernel_size", kernel, 1);
        int[] d = pair("fold", "dilation", dilation, 1), p = pair("fold", "padding", padding, 0), s = pair("fold", "stride", stride, 1);
        return Conv.Fold.of(o[0], o[1], k[0], k[1], d[0], d[1], p[0], p[1], s[0], s[1]).apply(nonNull("fold", input));
    }

    /**
     * 2-D max pooling, PyTorch's {@code F.max_pool2d}: the max over each (dilated) window of the input padded with
     * {@code -inf}; output size {@code ⌊(H + 2p − d(k−1) − 1 + (ceilMode ? s−1 : 0))/s⌋ + 1} (in ceil mode less one
     * when the last window would start in the padding). Backward sends {@code g} to the window's first maximum
     * (row-major); a NaN in a window propagates (the last NaN is selected, as in PyTorch).
     *
     * @param input    {@code [N, C, H, W]} or unbatched {@code [C, H, W]}, non-empty planes
     * @param kernel   one value or {@code {kh, kw}}, positive
     * @param stride   one value or {@code {sh, sw}}, positive; null or empty: the kernel size
     * @param padding  one value or {@code {ph, pw}}, at most half the kernel size
     * @param dilation one value or {@code {dh, dw}}, positive
     * @throws IllegalArgumentException naming the argument for bad sizes or a too small output
     * @see #maxPool2dWithIndices
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPoolNode("max_pool2d", kernel, stride, padding, dilation, ceilMode).apply(nonNull("max_pool2d", input));
    }

    /**
     * {@link #maxPool2d} that also returns each output's argmax as a flat index into its {@code H × W} plane
     * (PyTorch's {@code return_indices=True}).
     */
    public static ValuesIndices maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                                     boolean ceilMode) {
        Pooling.MaxPool2d f = maxPoolNode("max_pool2d", kernel, stride, padding, dilation, ceilMode);
        Tensor y = f.apply(nonNull("max_pool2d", input));
        return new ValuesIndices(y, f.indices(y.shape()));
    }

    private static Pooling.MaxPool2d maxPoolNode(String op, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] k = pair(op, "kernel_size", kernel, 1), p = pair(op, "padding", padding, 0), d = pair(op, "dilation", dilation, 1);
        int[] s = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
        return Pooling.MaxPool2d.of(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], ceilMode);
    }

    /**
     * 1-D max pooling, PyTorch's {@code F.max_pool1d}, over the last dimension of {@code [N, C, L]} or {@code [C, L]}:
     * {@link #maxPool2d} with a window height of 1.
     *
     * @param stride 0: the kernel size
     */
    public static Tensor maxPool1d(Tensor input, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        Tensor x = nonNull("max_pool1d", input);
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("max_pool1d: expected a 2-D (unbatched) or 3-D (batched) input, got " + Shape.str(x.shape()));
        }
        int[] s = stride == 0 ? null : new int[]{1, stride};
        Tensor y = maxPoolNode("max_pool1d", new int[]{1, kernel}, s, new int[]{0, padding}, new int[]{1, dilation}, ceilMode)
                .apply(unsqueeze(x, -2));
        return squeeze(y, -2);
    }

    /**
     * 2-D average pooling, PyTorch's {@code F.avg_pool2d}: each window's sum (zero padding) divided by
     * {@code divisorOverride} when given, else by the window's size clamped to the padded input
     * ({@code countIncludePad}) or to the input; output size as {@link #maxPool2d} with dilation 1. A window lying
     * wholly in the padding gives 0. Backward spreads {@code g / divisor} over the window's input elements.
     *
     * @param stride          null or empty: the kernel size
     * @param padding         at most half the kernel size
     * @param divisorOverride null, or a nonzero divisor
     * @throws IllegalArgumentException naming the argument for bad sizes, a zero divisor or a too small output
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                   Integer divisorOverride) {
        return avgPool("avg_pool2d", nonNull("avg_pool2d", input), kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    private static Tensor avgPool(String op, Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                  Integer divisorOverride) {
        int[] k = pair(op, "kernel_size", kernel, 1), p = pair(op, "padding", padding, 0);
        int[] s = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
        if (divisorOverride != null && divisorOverride == 0) throw new IllegalArgumentException(op + ": divisor_override must be not zero");
        int div = divisorOverride == null ? 0 : divisorOverride;
        return Pooling.AvgPool2d.of(k[0], k[1], s[0], s[1], p[0], p[1], ceilMode, countIncludePad, div).apply(x);
    }

    /**
     * 1-D average pooling, PyTorch's {@code F.avg_pool1d}, over the last dimension of {@code [N, C, L]} or
     * {@code [C, L]}: {@link #avgPool2d} with a window height of 1.
     *
     * @param stride 0: the kernel size
     */
    public static Tensor avgPool1d(Tensor input, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        Tensor x = nonNull("avg_pool1d", input);
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("avg_pool1d: expected a 2-D (unbatched) or 3-D (batched) input, got " + Shape.str(x.shape()));
        }
        int[] s = stride == 0 ? null : new int[]{1, stride};
        return squeeze(avgPool("avg_pool1d", unsqueeze(x, -2), new int[]{1, kernel}, s, new int[]{0, padding}, ceilMode,
                countIncludePad, null), -2);
    }

    /**
     * Adaptive 2-D average pooling, PyTorch's {@code F.adaptive_avg_pool2d}: output cell {@code (i, j)} is the mean of
     * input rows {@code ⌊i·H/outH⌋ .. ⌈(i+1)·H/outH⌉ − 1} and the columns likewise (windows may overlap); backward
     * spreads {@code g / window size} over each window.
     *
     * @param input {@code [N, C, H, W]} or unbatched {@code [C, H, W]}, non-empty planes
     * @throws IllegalArgumentException for another rank, empty planes or a negative output size
     */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        if (outH < 0 || outW < 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: output size must be non-negative, got (" + outH + ", " + outW + ")");
        }
        return Pooling.AdaptiveAvgPool2d.of(outH, outW).apply(nonNull("adaptive_avg_pool2d", input));
    }

    // ------------------------------------------------------------------ normalization

    /**
     * Layer normalization over the trailing {@code normalizedShape} ({@code F.layer_norm}):
     * {@code y = (x - μ)/sqrt(σ² + eps)·weight + bias}, with the mean {@code μ} and the biased variance {@code σ²} of
     * each slice of the last {@code normalizedShape.length} dimensions (two-pass, in double precision). One node; its
     * backward uses the saved statistics. A constant slice has {@code σ² = 0} and gives {@code bias} (finite for
     * {@code eps > 0}); a NaN makes its slice NaN; an empty input gives an empty output.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over (at least one)
     * @param weight          optional scale of shape {@code normalizedShape} (null: 1)
     * @param bias            optional shift of shape {@code normalizedShape} (null: 0)
     * @param eps             added to the variance, {@code >= 0} (PyTorch's default 1e-5)
     * @throws IllegalArgumentException naming the argument for a mismatched shape or dtype, or a negative eps
     * @see #groupNorm(Tensor, int, Tensor, Tensor, double)
     * @see #rmsNorm(Tensor, int[], Tensor, Double)
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(x, normalizedShape, weight, bias, Shape.notNaN("layerNorm", "eps", eps));
    }

    /**
     * Group normalization ({@code F.group_norm}): the {@code C} channels of {@code x [N, C, *]} are split into
     * {@code numGroups} groups of consecutive channels, each (sample, group) is normalised with its own mean and biased
     * variance, then scaled and shifted per channel: {@code y = (x - μ)/sqrt(σ² + eps)·weight[c] + bias[c]}.
     *
     * @param x         input {@code [N, C, *]}
     * @param numGroups a divisor of {@code C}
     * @param weight    optional per-channel scale {@code [C]}
     * @param bias      optional per-channel shift {@code [C]}
     * @param eps       added to the variance, {@code >= 0}
     * @throws IllegalArgumentException if {@code C} is not divisible by {@code numGroups}, or for a bad argument
     * @see #layerNorm(Tensor, int[], Tensor, Tensor, double)
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNorm(x, numGroups, weight, bias, Shape.notNaN("groupNorm", "eps", eps));
    }

    /**
     * Batch normalization ({@code F.batch_norm}) of {@code x [N, C]}, {@code [N, C, L]}, {@code [N, C, H, W]} (any
     * {@code [N, C, *]}) per channel: {@code y = (x - μ_c)/sqrt(σ²_c + eps)·weight[c] + bias[c]}. In training the
     * statistics are the batch's (biased variance) and the running statistics, when given, are updated in place:
     * {@code running = (1 - momentum)·running + momentum·stat} with the <em>unbiased</em> batch variance. In
     * evaluation ({@code training = false}) the running statistics are used and must be given. The running statistics
     * get no gradient.
     *
     * @param x           input {@code [N, C, *]}
     * @param runningMean per-channel running mean {@code [C]}, updated in training; optional in training
     * @param runningVar  per-channel running variance {@code [C]}, likewise
     * @param weight      optional per-channel scale {@code [C]}
     * @param bias        optional per-channel shift {@code [C]}
     * @param training    use and record batch statistics (PyTorch's {@code training=True})
     * @param momentum    weight of the new statistic in {@code [0, 1]} (PyTorch's default 0.1)
     * @param eps         added to the variance, {@code >= 0} (default 1e-5)
     * @throws IllegalArgumentException for one value per channel in training ("Expected more than 1 value per channel
     *                                  when training", as PyTorch), missing running statistics in evaluation, or a bad argument
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        Shape.notNaN("batchNorm", "momentum", momentum);
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, Shape.notNaN("batchNorm", "eps", eps));
    }

    /**
     * RMS normalization over the trailing {@code normalizedShape} (PyTorch 2.4's {@code F.rms_norm}):
     * {@code y = x/sqrt(mean(x²) + eps)·weight}.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over
     * @param weight          optional scale of shape {@code normalizedShape}
     * @param eps             added to the mean square; null for {@code torch.finfo(dtype).eps} (2⁻²³ for float32, 2⁻⁵² for float64)
     * @throws IllegalArgumentException for a mismatched shape or dtype, or a negative eps
     * @see #layerNorm(Tensor, int[], Tensor, Tensor, double)
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, Double eps) {
        return Normalization.rmsNorm(x, normalizedShape, weight, eps);
    }

    // ------------------------------------------------------------------ attention

    /**
     * Scaled dot-product attention with the semantics of PyTorch 2.x's {@code F.scaled_dot_product_attention}
     * (its math path; PyTorch 1.13 has no such function):
     * {@code softmax(q·kᵀ·scale + attnMask)·v}, the softmax over the key dimension {@code S}. The batch dimensions
     * {@code ..} of the three operands broadcast; the products run on the batched GEMM of {@link #matmul}, so the
     * gradients are those of the composed ops (matmul, add, softmax).
     * Edge cases: {@code -inf} mask entries give weight 0; a row whose entries are all {@code -inf} (fully masked)
     * gives NaN in that output row and in the gradients that depend on it, as in PyTorch; {@code S = 0} gives zeros.
     *
     * @param q        query {@code [.., L, E]}
     * @param k        key {@code [.., S, E]}
     * @param v        value {@code [.., S, Ev]}
     * @param attnMask additive float mask broadcastable to the scores {@code [.., L, S]} (gets a gradient if it
     *                 requires one), or null; a boolean mask ({@code true} = attend) is converted with
     *                 {@link #attentionMask(Tensor)}
     * @param isCausal apply the causal mask ({@code -inf} where key position {@code j > i}, the query position;
     *                 top-left aligned as PyTorch's {@code ones(L, S).tril()}); not together with {@code attnMask}
     * @param scale    factor on {@code q·kᵀ}; {@code Double.NaN} for the default {@code 1/√E}
     * @return {@code [broadcast(..), L, Ev]}
     * @throws IllegalArgumentException naming the argument and shapes for a null operand, mismatched {@code E} or
     *                                  {@code S}, batch dimensions that do not broadcast, mixed dtypes, a mask that
     *                                  does not broadcast to the scores, or a mask together with {@code isCausal}
     * @see #attentionWeights(Tensor, Tensor, Tensor, boolean, double)
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, boolean isCausal, double scale) {
        return Attention.attend(q, k, v, attnMask, isCausal, scale);
    }

    /** {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)} with the default scale {@code 1/√E}. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, boolean isCausal) {
        return Attention.attend(q, k, v, attnMask, isCausal, Double.NaN);
    }

    /**
     * The attention weights {@code softmax(q·kᵀ·scale + attnMask)} {@code [broadcast(..), L, S]} of
     * {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)} (same arguments, same edge
     * cases); that op is {@code matmul(attentionWeights(..), v)}.
     */
    public static Tensor attentionWeights(Tensor q, Tensor k, Tensor attnMask, boolean isCausal, double scale) {
        return Attention.weights(q, k, attnMask, isCausal, scale);
    }

    /**
     * A boolean attention mask as an additive one, as PyTorch converts it: 0 where {@code allowed} is non-zero
     * ({@code true} = attend), {@code -inf} where it is 0; same shape and dtype, a constant (no graph node).
     * For PyTorch's {@code nn.MultiheadAttention} convention ({@code true} = masked out) pass {@code eq(mask, 0)}.
     *
     * @throws IllegalArgumentException if {@code allowed} is null
     */
    public static Tensor attentionMask(Tensor allowed) {
        return Attention.additiveMask(Shape.nonNull("attentionMask", "allowed", allowed));
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
