package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Arrays;

/** Shape and indexing ops: reshape, concatenation, gather and index-select. */
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
}
