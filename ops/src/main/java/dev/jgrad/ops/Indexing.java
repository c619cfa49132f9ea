package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/** Selection and indexing ops: where (and maskedFill), gather and scatterAdd along any dimension, embedding. */
final class Indexing {
    private Indexing() {
    }

    /**
     * {@code where(cond, a, b)}: {@code a} where {@code cond != 0}, else {@code b}, with broadcasting of all three.
     * The condition is a parameter, not an input: it has no gradient and may have either dtype.
     */
    static final class Where extends Function {
        private Tensor cond;
        private int[] aShape, bShape, outShape;

        private Where() {
        }

        static Where of(Tensor cond) {
            Where op = node(Where.class, Where::new);
            op.cond = cond;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor a = in[0], b = in[1];
            aShape = a.shape();
            bShape = b.shape();
            outShape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), aShape), bShape);
            Tensor y = outUninitialized(a.dtype(), outShape);
            Storage cs = cond.storage(), as = a.storage(), bs = b.storage(), ys = y.storage();
            Arithmetic.Walk ca = new Arithmetic.Walk(cond.shape(), aShape, outShape), bw = new Arithmetic.Walk(bShape, bShape, outShape);
            for (int o = 0, n = y.numel(); o < n; o++, ca.next(), bw.next()) {
                ys.set(o, cs.get(ca.ai) != 0 ? as.get(ca.bi) : bs.get(bw.ai));
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor ga = needsInputGrad(0) ? out(g.dtype(), aShape) : null;
            Tensor gb = needsInputGrad(1) ? out(g.dtype(), bShape) : null;
            Storage cs = cond.storage(), gs = g.storage();
            Arithmetic.Walk ca = new Arithmetic.Walk(cond.shape(), aShape, outShape), bw = new Arithmetic.Walk(bShape, bShape, outShape);
            for (int o = 0, n = g.numel(); o < n; o++, ca.next(), bw.next()) {
                if (cs.get(ca.ai) != 0) {
                    if (ga != null) ga.storage().add(ca.bi, gs.get(o));
                } else if (gb != null) {
                    gb.storage().add(bw.ai, gs.get(o));
                }
            }
            return gradients(ga, gb);
        }
    }

    /**
     * Walks every position of {@code index} (row-major) and yields, for each, the flat offset in a tensor of shape
     * {@code a} and one of shape {@code b} at the same coordinates, where the coordinate along {@code dim} is replaced
     * by the index value for {@code a} (checked against {@code a}'s size) and kept for {@code b}.
     */
    static final class IndexWalk {
        private final int[] is, ast, bst, idx;
        private final int dim, size;
        private final IntTensor index;
        private final String op;
        int aBase, bOff, pos;

        IndexWalk(String op, IntTensor index, int dim, int[] a, int[] b) {
            this.op = op;
            this.index = index;
            this.is = nonEmpty(index.shape());
            this.dim = dim;
            this.ast = Shaping.strides(nonEmpty(a));
            this.bst = Shaping.strides(nonEmpty(b));
            this.size = nonEmpty(a)[dim];
            this.idx = new int[is.length];
        }

        /** The offset in {@code a} at the current position (the index value along {@code dim}). */
        int a() {
            int v = index.get(pos);
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException(op + ": index " + v + " at flat position " + pos + " is out of bounds for dim "
                        + dim + " of size " + size);
            }
            return aBase + v * ast[dim];
        }

        void next() {
            pos++;
            for (int d = is.length - 1; d >= 0; d--) {
                idx[d]++;
                if (d != dim) aBase += ast[d];
                bOff += bst[d];
                if (idx[d] < is[d]) return;
                if (d != dim) aBase -= ast[d] * is[d];
                bOff -= bst[d] * is[d];
                idx[d] = 0;
            }
        }
    }

    /**
     * Checks PyTorch's gather/scatter shape rule: {@code index} has the rank of {@code x} and {@code index.size(d) <=
     * x.size(d)} for every {@code d != dim} (and, when {@code src} is given, {@code index.size(d) <= src.size(d)} for
     * every {@code d}); returns the normalised dim.
     */
    static int checkIndex(String op, int dim, int[] x, IntTensor index, int[] src) {
        int d = Shape.dim(op, dim, x.length);
        int[] is = nonEmpty(index.shape()), xs = nonEmpty(x), ss = src == null ? null : nonEmpty(src);
        boolean ok = is.length == xs.length && (ss == null || ss.length == is.length);
        for (int i = 0; ok && i < is.length; i++) ok = (i == d || is[i] <= xs[i]) && (ss == null || is[i] <= ss[i]);
        if (!ok) {
            throw new IllegalArgumentException(op + ": index " + Shape.str(index.shape()) + " must have the rank of the input " + Shape.str(x)
                    + " and no larger size in any dimension but dim " + dim + (src == null ? "" : ", nor be larger than src " + Shape.str(src)));
        }
        return d;
    }

    /** A 0-d shape as {@code [1]} (PyTorch treats a scalar as one element along dim 0 here). */
    private static int[] nonEmpty(int[] s) {
        return s.length == 0 ? new int[]{1} : s;
    }

    /** {@code gather(x, dim, index)}: {@code y[i][j][k] = x[index[i][j][k]][j][k]} for {@code dim = 0}; repeated indices add in backward. */
    static final class GatherDim extends Function {
        private int dim;
        private IntTensor index;
        private int[] inShape;
        private int d;

        private GatherDim() {
        }

        static GatherDim of(int dim, IntTensor index) {
            GatherDim op = node(GatherDim.class, GatherDim::new);
            op.dim = dim;
            op.index = index;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            inShape = in[0].shape();
            d = checkIndex("gather", dim, inShape, index, null);
            int[] is = index.shape();
            IndexWalk w = new IndexWalk("gather", index, d, inShape, is);
            for (int p = 0; p < index.numel(); p++, w.next()) w.a(); // validate every index before writing anything
            Tensor y = outUninitialized(in[0].dtype(), is);
            Storage xs = in[0].storage(), ys = y.storage();
            w = new IndexWalk("gather", index, d, inShape, is);
            for (int p = 0, n = index.numel(); p < n; p++, w.next()) ys.set(p, xs.get(w.a()));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            Storage gs = g.storage(), xs = gx.storage();
            IndexWalk w = new IndexWalk("gather", index, d, inShape, index.shape());
            for (int p = 0, n = index.numel(); p < n; p++, w.next()) xs.add(w.a(), gs.get(p));
            return gradients(gx);
        }
    }

    /**
     * {@code scatterAdd(x, dim, index, src)}: a copy of {@code x} with {@code y[index[i][j]][j] += src[i][j]} for
     * {@code dim = 0}. Gradients: {@code dx = g}, {@code dsrc = gather(g, dim, index)} (0 where index does not reach).
     */
    static final class ScatterAdd extends Function {
        private int dim;
        private IntTensor index;
        private int[] inShape, srcShape;
        private int d;

        private ScatterAdd() {
        }

        static ScatterAdd of(int dim, IntTensor index) {
            ScatterAdd op = node(ScatterAdd.class, ScatterAdd::new);
            op.dim = dim;
            op.index = index;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0], src = in[1];
            inShape = x.shape();
            srcShape = src.shape();
            d = checkIndex("scatterAdd", dim, inShape, index, srcShape);
            IndexWalk w = new IndexWalk("scatterAdd", index, d, inShape, srcShape);
            for (int p = 0; p < index.numel(); p++, w.next()) w.a();
            Tensor y = outUninitializedLike(x);
            y.storage().copyFrom(x.storage(), 0, 0, x.numel());
            Storage ss = src.storage(), ys = y.storage();
            w = new IndexWalk("scatterAdd", index, d, inShape, srcShape);
            for (int p = 0, n = index.numel(); p < n; p++, w.next()) ys.add(w.a(), ss.get(w.bOff));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = needsInputGrad(0) ? g : null, gsrc = null; // dx = g: the engine copies it before a leaf keeps it
            if (needsInputGrad(1)) {
                gsrc = out(g.dtype(), srcShape);
                Storage gs = g.storage(), out = gsrc.storage();
                IndexWalk w = new IndexWalk("scatterAdd", index, d, inShape, srcShape);
                for (int p = 0, n = index.numel(); p < n; p++, w.next()) out.set(w.bOff, gs.get(w.a()));
            }
            return gradients(gx, gsrc);
        }
    }

    /**
     * {@code embedding(weight, indices)}: row {@code indices[..]} of {@code weight [V, D]}, output
     * {@code indices.shape + [D]}. Backward adds each gradient row into its weight row (repeats accumulate), except
     * for the row {@code paddingIdx} (none when {@code paddingIdx} is {@code NO_PADDING}).
     */
    static final class Embedding extends Function {
        /** No padding row. */
        static final int NO_PADDING = Integer.MIN_VALUE;
        private IntTensor indices;
        private int paddingIdx;
        private int rows, dim;

        private Embedding() {
        }

        static Embedding of(IntTensor indices, int paddingIdx) {
            Embedding op = node(Embedding.class, Embedding::new);
            op.indices = indices;
            op.paddingIdx = paddingIdx;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor w = in[0];
            int[] ws = w.shape();
            if (ws.length != 2) throw new IllegalArgumentException("embedding: weight must be 2-D [num, dim], got " + Shape.str(ws));
            rows = ws[0];
            dim = ws[1];
            if (paddingIdx != NO_PADDING && (paddingIdx < 0 || paddingIdx >= rows)) {
                throw new IllegalArgumentException("embedding: paddingIdx " + paddingIdx + " must be within the " + rows + " rows of weight " + Shape.str(ws));
            }
            for (int i = 0; i < indices.numel(); i++) {
                int v = indices.get(i);
                if (v < 0 || v >= rows) {
                    throw new IllegalArgumentException("embedding: index " + v + " at flat position " + i + " is out of range for weight "
                            + Shape.str(ws) + " (valid: [0, " + rows + "))");
                }
            }
            int[] is = indices.shape(), ys = java.util.Arrays.copyOf(is, is.length + 1);
            ys[is.length] = dim;
            Tensor y = outUninitialized(w.dtype(), ys);
            Storage src = w.storage(), dst = y.storage();
            for (int i = 0, n = indices.numel(); i < n; i++) dst.copyFrom(src, indices.get(i) * dim, i * dim, dim);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gw = out(g.dtype(), rows, dim);
            Storage gs = g.storage(), out = gw.storage();
            for (int i = 0, n = indices.numel(); i < n; i++) {
                int r = indices.get(i);
                if (r == paddingIdx) continue;
                for (int j = 0; j < dim; j++) out.add(r * dim + j, gs.get(i * dim + j));
            }
            return gradients(gw);
        }
    }
}
