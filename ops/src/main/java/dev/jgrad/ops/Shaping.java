package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Arrays;

/**
 * Shape and indexing ops: reshape, concatenation, gather and index-select, and the strided copies behind permute,
 * expand, slice, flip and pad (each a copy into a fresh output; backward copies or accumulates the other way).
 */
final class Shaping {
    private Shaping() {
    }

    /** Resolves one {@code -1} in a requested shape and checks the element count. */
    static int[] resolve(String op, int[] from, int[] to) {
        int n = Shape.numel(from), known = 1, infer = -1;
        int[] s = to.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Shape.str(to));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid dimension " + s[i] + " in " + Shape.str(to));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " to " + Shape.str(to));
            }
            s[infer] = n / known;
        }
        if (Shape.numel(s) != n) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " (" + n + " elements) to " + Shape.str(to));
        }
        return s;
    }

    /** {@code reshape}: a view with a new shape sharing the input's data; backward reshapes the gradient back. */
    static final class Reshape extends Function {
        private int[] target;
        private int[] original;

        private Reshape() {
        }

        /** Reshapes to {@code target} (the caller's array, which must not change until apply returns). */
        static Reshape of(int[] target) {
            Reshape op = node(Reshape.class, Reshape::new);
            op.target = target;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            original = in[0].shape();
            return in[0].view(resolve("reshape", original, target));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return gradients(g.view(original));
        }
    }

    /** {@code cat}: concatenation along {@code dim}; every other dimension must agree. */
    static final class Cat extends Function {
        private int dim;
        private int[] sizes;
        private int outer, inner;

        private Cat() {
        }

        static Cat of(int dim) {
            Cat op = node(Cat.class, Cat::new);
            op.dim = dim;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            if (in.length == 0) throw new IllegalArgumentException("cat: needs at least one tensor");
            int[] s0 = in[0].shape();
            int d = Shape.dim("cat", dim, s0.length);
            if (s0.length == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated");
            sizes = new int[in.length];
            int total = 0;
            for (int i = 0; i < in.length; i++) {
                int[] s = in[i].shape();
                boolean ok = s.length == s0.length;
                for (int j = 0; ok && j < s.length; j++) ok = j == d || s[j] == s0[j];
                if (!ok) {
                    throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(s)
                            + ", incompatible with " + Shape.str(s0) + " along dim " + dim);
                }
                sizes[i] = s[d];
                total += s[d];
            }
            outer = Shape.prod(s0, 0, d);
            inner = Shape.prod(s0, d + 1, s0.length);
            int[] ys = s0.clone();
            ys[d] = total;
            Tensor y = out(in[0].dtype(), ys);
            int off = 0;
            for (int i = 0; i < in.length; i++) {
                int chunk = sizes[i] * inner;
                for (int o = 0; o < outer; o++) y.storage().copyFrom(in[i].storage(), o * chunk, o * total * inner + off, chunk);
                off += chunk;
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor[] gs = new Tensor[sizes.length];
            int total = Arrays.stream(sizes).sum(), off = 0;
            int[] gshape = g.shape();
            int d = Shape.dim("cat", dim, gshape.length);
            for (int i = 0; i < sizes.length; i++) {
                int chunk = sizes[i] * inner;
                if (needsInputGrad(i)) {
                    int[] s = gshape.clone();
                    s[d] = sizes[i];
                    gs[i] = out(g.dtype(), s);
                    for (int o = 0; o < outer; o++) gs[i].storage().copyFrom(g.storage(), o * total * inner + off, o * chunk, chunk);
                }
                off += chunk;
            }
            return gs;
        }
    }

    /**
     * {@code gather} along the last dimension: {@code out[.., j] = x[.., index[.., j]]}; the index has the
     * input's leading dimensions and any last dimension. Backward scatters with {@code +=} (repeated indices add).
     */
    static final class Gather extends Function {
        private IntTensor index;
        private int[] inShape;

        private Gather() {
        }

        static Gather of(IntTensor index) {
            Gather op = node(Gather.class, Gather::new);
            op.index = index;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            int[] is = index.shape();
            if (inShape.length == 0 || is.length != inShape.length
                    || !Arrays.equals(Arrays.copyOf(is, is.length - 1), Arrays.copyOf(inShape, inShape.length - 1))) {
                throw new IllegalArgumentException("gather: index shape " + Shape.str(is) + " must match input shape "
                        + Shape.str(inShape) + " in every dimension but the last");
            }
            int c = inShape[inShape.length - 1], k = is[is.length - 1], rows = index.numel() / Math.max(k, 1);
            if (k == 0) rows = 0;
            for (int i = 0; i < index.numel(); i++) {
                int v = index.get(i);
                if (v < 0 || v >= c) {
                    throw new IllegalArgumentException("gather: index " + v + " at flat position " + i
                            + " is out of range for the last dimension of size " + c + " (input " + Shape.str(inShape) + ")");
                }
            }
            Tensor y = out(x.dtype(), is);
            Storage xs = x.storage(), ys = y.storage();
            for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) ys.set(r * k + j, xs.get(r * c + index.get(r * k + j)));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            int c = inShape[inShape.length - 1], k = index.shape()[index.rank() - 1];
            int rows = k == 0 ? 0 : index.numel() / k;
            Storage gs = g.storage(), out = gx.storage();
            for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) out.add(r * c + index.get(r * k + j), gs.get(r * k + j));
            return gradients(gx);
        }
    }

    /** {@code indexSelect}: the slices {@code index[i]} of {@code dim}, in order (repeats allowed). */
    static final class IndexSelect extends Function {
        private int dim;
        private IntTensor index;
        private int[] inShape;
        private int outer, inner;

        private IndexSelect() {
        }

        static IndexSelect of(int dim, IntTensor index) {
            IndexSelect op = node(IndexSelect.class, IndexSelect::new);
            op.dim = dim;
            op.index = index;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            if (index.rank() != 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + Shape.str(index.shape()));
            int d = Shape.dim("indexSelect", dim, inShape.length);
            int size = inShape.length == 0 ? 1 : inShape[d];
            for (int i = 0; i < index.numel(); i++) {
                if (index.get(i) < 0 || index.get(i) >= size) {
                    throw new IllegalArgumentException("indexSelect: index " + index.get(i) + " out of range for dim " + dim
                            + " of size " + size + " (input " + Shape.str(inShape) + ")");
                }
            }
            outer = Shape.prod(inShape, 0, d);
            inner = Shape.prod(inShape, d + 1, inShape.length);
            int[] ys = inShape.clone();
            if (ys.length > 0) ys[d] = index.numel();
            Tensor y = out(x.dtype(), ys);
            int k = index.numel();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < k; i++) {
                    y.storage().copyFrom(x.storage(), (o * size + index.get(i)) * inner, (o * k + i) * inner, inner);
                }
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            int d = Shape.dim("indexSelect", dim, inShape.length);
            int size = inShape.length == 0 ? 1 : inShape[d], k = index.numel();
            Storage gs = g.storage(), out = gx.storage();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < k; i++) {
                    int src = (o * k + i) * inner, dst = (o * size + index.get(i)) * inner;
                    for (int j = 0; j < inner; j++) out.add(dst + j, gs.get(src + j));
                }
            }
            return gradients(gx);
        }
    }
    /** Row-major (contiguous) strides of {@code shape}. */
    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        for (int i = shape.length - 1, s = 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /**
     * The strided copy every op here is built on: for each index {@code i} of {@code shape} (row-major order),
     * {@code dst[dstOff + i·dstSt] = src[srcOff + i·srcSt]}, or {@code +=} when {@code add} (each sum formed in double
     * and rounded once, in row-major order of {@code shape}). Strides may be 0 (broadcast) or negative (flip).
     */
    static void copy(Storage src, int srcOff, int[] srcSt, Storage dst, int dstOff, int[] dstSt, int[] shape, boolean add) {
        int r = shape.length;
        if (Shape.numel(shape) == 0) return;
        if (r == 0) {
            if (add) dst.add(dstOff, src.get(srcOff));
            else dst.set(dstOff, src.get(srcOff));
            return;
        }
        int last = shape[r - 1], ss = srcSt[r - 1], ds = dstSt[r - 1];
        boolean run = !add && ss == 1 && ds == 1;
        int[] idx = new int[r];
        int s = srcOff, d = dstOff;
        while (true) {
            if (run) {
                dst.copyFrom(src, s, d, last);
            } else if (add) {
                for (int j = 0; j < last; j++) dst.add(d + j * ds, src.get(s + j * ss));
            } else {
                for (int j = 0; j < last; j++) dst.set(d + j * ds, src.get(s + j * ss));
            }
            int k = r - 2;
            for (; k >= 0; k--) {
                idx[k]++;
                s += srcSt[k];
                d += dstSt[k];
                if (idx[k] < shape[k]) break;
                s -= srcSt[k] * shape[k];
                d -= dstSt[k] * shape[k];
                idx[k] = 0;
            }
            if (k < 0) return;
        }
    }

    /** {@code permute}: {@code y} has dimension {@code i} of size {@code x.size(dims[i])}; backward applies the inverse. */
    static final class Permute extends Function {
        private int[] dims;
        private int[] perm, inverse;

        private Permute() {
        }

        /** Permutes by {@code dims} (the caller's array, which must not change until apply returns). */
        static Permute of(int[] dims) {
            Permute op = node(Permute.class, Permute::new);
            op.dims = dims;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            int[] s = in[0].shape();
            if (dims.length != s.length) {
                throw new IllegalArgumentException("permute: dims " + Arrays.toString(dims) + " has " + dims.length
                        + " entries for a tensor of shape " + Shape.str(s) + " (rank " + s.length + ")");
            }
            perm = new int[s.length];
            inverse = new int[s.length];
            boolean[] seen = new boolean[s.length];
            for (int i = 0; i < s.length; i++) {
                int d = Shape.dim("permute", dims[i], s.length);
                if (seen[d]) throw new IllegalArgumentException("permute: dim " + dims[i] + " repeats in " + Arrays.toString(dims));
                seen[d] = true;
                perm[i] = d;
                inverse[d] = i;
            }
            return permuted(in[0], perm);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return gradients(permuted(g, inverse));
        }

        private static Tensor permuted(Tensor x, int[] p) {
            int[] s = x.shape(), st = strides(s), ys = new int[p.length], srcSt = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                ys[i] = s[p[i]];
                srcSt[i] = st[p[i]];
            }
            Tensor y = outUninitialized(x.dtype(), ys);
            copy(x.storage(), 0, srcSt, y.storage(), 0, strides(ys), ys, false);
            return y;
        }
    }

    /**
     * {@code expand} (PyTorch's {@code expand}/{@code broadcast_to}): size-1 dimensions repeated and new leading
     * dimensions added; backward sums the gradient back over them.
     */
    static final class Expand extends Function {
        private int[] target;
        private int[] inShape, outShape, bst;

        private Expand() {
        }

        /** Expands to {@code target} (the caller's array; {@code -1} keeps a dimension). */
        static Expand of(int[] target) {
            Expand op = node(Expand.class, Expand::new);
            op.target = target;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            int r = target.length, lead = r - inShape.length;
            if (lead < 0) {
                throw new IllegalArgumentException("expand: the target shape " + Arrays.toString(target) + " has fewer dimensions than the input "
                        + Shape.str(inShape));
            }
            outShape = new int[r];
            for (int i = 0; i < r; i++) {
                int t = target[i], have = i < lead ? -1 : inShape[i - lead];
                if (t == -1 && i >= lead) t = have;
                if (t < 0 || (i >= lead && have != 1 && have != t)) {
                    throw new IllegalArgumentException("expand: cannot expand " + Shape.str(inShape) + " to " + Arrays.toString(target)
                            + " (dimension " + i + ": " + (i < lead ? "a new dimension must be non-negative" : "size " + have + " vs " + target[i]) + ")");
                }
                outShape[i] = t;
            }
            bst = Shape.broadcastStrides(inShape, outShape);
            Tensor y = outUninitialized(in[0].dtype(), outShape);
            copy(in[0].storage(), 0, bst, y.storage(), 0, strides(outShape), outShape, false);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            copy(g.storage(), 0, strides(outShape), gx.storage(), 0, bst, outShape, true);
            return gradients(gx);
        }
    }

    /**
     * {@code slice}: {@code x[.., start:end:step, ..]} along {@code dim} with a positive step (indices already
     * clamped by the caller's rules); backward writes the gradient back into zeros at the same positions.
     */
    static final class Slice extends Function {
        private int dim, start, length, step;
        private int[] inShape, outShape, inSt, srcSt;
        private int offset;

        private Slice() {
        }

        /** {@code length} elements from {@code start} in steps of {@code step} along {@code dim} (validated by the caller). */
        static Slice of(int dim, int start, int length, int step) {
            Slice op = node(Slice.class, Slice::new);
            op.dim = dim;
            op.start = start;
            op.length = length;
            op.step = step;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            int d = Shape.dim("slice", dim, inShape.length);
            outShape = inShape.clone();
            outShape[d] = length;
            inSt = strides(inShape);
            srcSt = inSt.clone();
            srcSt[d] *= step;
            offset = start * inSt[d];
            Tensor y = outUninitialized(in[0].dtype(), outShape);
            copy(in[0].storage(), offset, srcSt, y.storage(), 0, strides(outShape), outShape, false);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            copy(g.storage(), 0, strides(outShape), gx.storage(), offset, srcSt, outShape, false);
            return gradients(gx);
        }
    }

    /** {@code flip}: reverses the order along each of {@code dims}; backward flips the gradient back. */
    static final class Flip extends Function {
        private int[] dims;
        private boolean[] flipped;

        private Flip() {
        }

        /** Flips along {@code dims} (the caller's array). */
        static Flip of(int[] dims) {
            Flip op = node(Flip.class, Flip::new);
            op.dims = dims;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            int r = in[0].rank();
            flipped = new boolean[r];
            for (int v : dims) {
                int d = Shape.dim("flip", v, r);
                if (r == 0) continue;
                if (flipped[d]) throw new IllegalArgumentException("flip: dim " + v + " appears multiple times in " + Arrays.toString(dims));
                flipped[d] = true;
            }
            return flipped(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return gradients(flipped(g));
        }

        private Tensor flipped(Tensor x) {
            int[] s = x.shape(), st = strides(s), srcSt = st.clone();
            int off = 0;
            for (int i = 0; i < s.length; i++) {
                if (flipped[i] && s[i] > 0) {
                    off += (s[i] - 1) * st[i];
                    srcSt[i] = -st[i];
                }
            }
            Tensor y = outUninitialized(x.dtype(), s);
            copy(x.storage(), off, srcSt, y.storage(), 0, st, s, false);
            return y;
        }
    }

    /**
     * {@code pad} with a constant: {@code pad[2k], pad[2k+1]} elements before and after dimension {@code rank-1-k}
     * (PyTorch's order, last dimension first); negative pads crop. Backward takes the gradient of the kept region.
     * Applied to {@code (x, value)} with the fill value a scalar input (so anomaly mode sees a non-finite fill value as
     * an input, not as a non-finite result of finite inputs); the value gets no gradient.
     */
    static final class Pad extends Function {
        private int[] pad;
        private int[] inShape, outShape, region;
        private int inOff, outOff;

        private Pad() {
        }

        /** Pads by {@code pad} (the caller's array). */
        static Pad of(int[] pad) {
            Pad op = node(Pad.class, Pad::new);
            op.pad = pad;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            int r = inShape.length;
            if (pad.length % 2 != 0 || pad.length > 2 * r) {
                throw new IllegalArgumentException("pad: the padding " + Arrays.toString(pad) + " must have an even length of at most 2·rank = "
                        + 2 * r + " for an input of shape " + Shape.str(inShape));
            }
            outShape = inShape.clone();
            region = inShape.clone();
            int[] inSt = strides(inShape), lo = new int[r];
            for (int k = 0; k < pad.length / 2; k++) {
                int d = r - 1 - k, before = pad[2 * k], after = pad[2 * k + 1];
                long size = (long) inShape[d] + before + after;
                if (size < 0 || size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("pad: padding " + Arrays.toString(pad) + " gives dimension " + d + " of input "
                            + Shape.str(inShape) + " the invalid size " + size);
                }
                outShape[d] = (int) size;
                lo[d] = before;
                region[d] = Math.max(0, inShape[d] - Math.max(0, -before) - Math.max(0, -after));
            }
            int[] outSt = strides(outShape);
            inOff = 0;
            outOff = 0;
            for (int d = 0; d < r; d++) {
                inOff += Math.max(0, -lo[d]) * inSt[d];
                outOff += Math.max(0, lo[d]) * outSt[d];
            }
            Tensor y = out(in[0].dtype(), outShape);
            double value = in[1].item();
            if (Double.doubleToRawLongBits(value) != 0) y.storage().fill(value);
            copy(in[0].storage(), inOff, inSt, y.storage(), outOff, outSt, region, false);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            copy(g.storage(), outOff, strides(outShape), gx.storage(), inOff, strides(inShape), region, false);
            return gradients(gx, null);
        }
    }
}
