package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.BinaryOp;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.Operand;
import org.ejml.data.Matrix;

/** Matrix products and transposition; every product goes through {@link Kernels#gemm}. */
final class Linalg {
    private Linalg() {
    }

    /** The EJML matrix view {@code [rows, cols]} of a tensor's storage (no copy). */
    static Matrix view(Tensor t, int rows, int cols) {
        Matrix m = t.matrix();
        return m.getNumRows() == rows && m.getNumCols() == cols ? m : t.storage().wrap(rows, cols);
    }

    /**
     * {@code matmul} with PyTorch's rules: {@code [.., M, K] · [K, N]} (leading dimensions of the left operand are
     * folded into M, which is free in row-major storage) and the 1-D cases {@code [K]·[K, N] → [N]},
     * {@code [.., M, K]·[K] → [.., M]} and {@code [K]·[K] → []} as one product; a right operand of rank ≥ 3 makes a
     * batched product {@code [..a, M, K] · [..b, K, N] → [broadcast(..a, ..b), M, N]} (a 1-D left operand is
     * {@code [1, K]} with that dimension removed from the result), one GEMM per batch slice, whose gradients
     * are summed back over broadcast batch dimensions.
     */
    static final class MatMul extends Function {
        private int m, k, n;
        /** Batched form: number of output slices, and per output slice the slice index of A and of B. */
        private boolean batched;
        private int slices, aSlices, bSlices;
        private int[] aSlice = new int[0], bSlice = new int[0];

        private MatMul() {
        }

        static MatMul of() {
            return node(MatMul.class, MatMul::new);
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor a = in[0], b = in[1];
            int[] as = a.shape(), bs = b.shape();
            if (as.length == 0 || bs.length == 0) {
                throw new IllegalArgumentException("matmul: both arguments must be at least 1-D, got " + Shape.str(as)
                        + " and " + Shape.str(bs));
            }
            if (bs.length > 2) return batchedForward(a, b, as, bs);
            batched = false;
            k = as[as.length - 1];
            int kb = bs[0];
            if (k != kb) {
                throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(as) + " · " + Shape.str(bs)
                        + " (" + k + " vs " + kb + ")");
            }
            m = a.numel() / Math.max(k, 1);
            if (k == 0) m = Shape.prod(as, 0, as.length - 1);
            n = bs.length == 2 ? bs[1] : 1;
            int[] outShape;
            if (bs.length == 1) {
                outShape = java.util.Arrays.copyOf(as, as.length - 1);
            } else if (as.length == 1) {
                outShape = new int[]{n};
            } else {
                outShape = as.clone();
                outShape[as.length - 1] = n;
            }
            return single(a, b, outShape);
        }

        /** The unbatched product {@code [m, k]·[k, n]} (storage views) into a new tensor of {@code outShape}. */
        private Tensor single(Tensor a, Tensor b, int[] outShape) {
            Tensor y = k == 0 ? out(a.dtype(), outShape) : outUninitialized(a.dtype(), outShape);
            Kernels.gemm(view(a, m, k), false, view(b, k, n), false, view(y, m, n), false);
            save(a, b);
            return y;
        }

        /** {@code [..a, M, K] · [..b, K, N]} with {@code b} of rank ≥ 3 (and {@code a} 1-D as {@code [1, K]}). */
        private Tensor batchedForward(Tensor a, Tensor b, int[] as, int[] bs) {
            boolean vector = as.length == 1;
            m = vector ? 1 : as[as.length - 2];
            k = as[as.length - 1];
            n = bs[bs.length - 1];
            if (k != bs[bs.length - 2]) {
                throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(as) + " · " + Shape.str(bs)
                        + " (" + k + " vs " + bs[bs.length - 2] + ")");
            }
            int[] batchA = java.util.Arrays.copyOf(as, Math.max(as.length - 2, 0));
            int[] batchB = java.util.Arrays.copyOf(bs, bs.length - 2);
            int[] batch;
            try {
                batch = Shape.broadcast("matmul", batchA, batchB);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("matmul: batch dimensions of " + Shape.str(as) + " and " + Shape.str(bs)
                        + " cannot be broadcast (" + Shape.str(batchA) + " vs " + Shape.str(batchB) + ")");
            }
            slices = Shape.numel(batch);
            aSlices = Shape.numel(batchA);
            bSlices = Shape.numel(batchB);
            int[] outShape = java.util.Arrays.copyOf(batch, batch.length + (vector ? 1 : 2));
            if (!vector) outShape[batch.length] = m;
            outShape[outShape.length - 1] = n;
            if (bSlices == 1 && aSlices == slices) {
                // B is one matrix ([1, .., 1, K, N]) and A is not broadcast: fold A's batch into M, one product
                // exactly as [.., M, K]·[K, N] (and the same backward, which sums dB over the folded rows)
                batched = false;
                m *= slices;
                return single(a, b, outShape);
            }
            batched = true;
            if (aSlice.length < slices) {
                aSlice = new int[slices];
                bSlice = new int[slices];
            }
            sliceIndices(batchA, batch, aSlice);
            sliceIndices(batchB, batch, bSlice);
            Tensor y = outUninitialized(a.dtype(), outShape);
            if (slices > 0) sliced(y, null, a, aSlice, false, b, bSlice, false, m, k, n);
            save(a, b);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
            if (batched) return batchedBackward(g, a, b);
            Tensor ga = null, gb = null;
            if (needsInputGrad(0)) {
                ga = n == 0 ? outLike(a) : outUninitializedLike(a);
                Kernels.gemm(view(g, m, n), false, view(b, k, n), true, view(ga, m, k), false);
            }
            if (needsInputGrad(1)) {
                gb = m == 0 ? outLike(b) : outUninitializedLike(b);
                Kernels.gemm(view(a, m, k), true, view(g, m, n), false, view(gb, k, n), false);
            }
            return gradients(ga, gb);
        }

        /**
         * Per output slice {@code dA_s = g_s·B_sᵀ} and {@code dB_s = A_sᵀ·g_s}, each added into the slice of A (of B)
         * that {@code s} was broadcast from.
         */
        private Tensor[] batchedBackward(Tensor g, Tensor a, Tensor b) {
            Tensor ga = null, gb = null;
            if (needsInputGrad(0)) {
                boolean own = aSlices == slices; // no broadcast: every slice of A is hit exactly once
                ga = own ? outUninitializedLike(a) : outLike(a);
                if (slices > 0) sliced(ga, own ? null : aSlice, g, null, false, b, bSlice, true, m, n, k);
            }
            if (needsInputGrad(1)) {
                boolean own = bSlices == slices;
                gb = own ? outUninitializedLike(b) : outLike(b);
                if (slices > 0) sliced(gb, own ? null : bSlice, a, aSlice, true, g, null, false, k, m, n);
            }
            return gradients(ga, gb);
        }

        /**
         * The slice loop of the batched forward and gradients: for every output slice {@code s},
         * {@code z = op(x[xi[s]])·op(w[wi[s]])} ({@code [rows, inner]·[inner, cols]}, one {@link Kernels#gemm} that
         * reads the slices in place) is written to slice {@code s} of {@code t} when {@code ti} is null, else added to
         * its slice {@code ti[s]} (then {@code t} is zero-filled). A null index array is the identity; a transposed
         * operand's slice is stored {@code [inner, rows]} ({@code [cols, inner]}).
         */
        private void sliced(Tensor t, int[] ti, Tensor x, int[] xi, boolean tx, Tensor w, int[] wi, boolean tw,
                            int rows, int inner, int cols) {
            int xSize = rows * inner, wSize = inner * cols, zSize = rows * cols;
            Storage xs = x.storage(), ws = w.storage(), ts = t.storage();
            for (int s = 0; s < slices; s++) {
                int xIdx = xi == null ? s : xi[s], wIdx = wi == null ? s : wi[s];
                Kernels.gemm(xs, xIdx * xSize, tx, ws, wIdx * wSize, tw, ts, (ti == null ? s : ti[s]) * zSize,
                        rows, cols, inner, ti != null);
            }
        }

        /** Row-major slice index into {@code shape} (right-aligned, broadcast) of every slice of {@code batch}. */
        private static void sliceIndices(int[] shape, int[] batch, int[] idx) {
            int[] st = Shape.broadcastStrides(shape, batch);
            int r = batch.length, total = Shape.numel(batch);
            int[] pos = new int[r];
            int cur = 0;
            for (int s = 0; s < total; s++) {
                idx[s] = cur;
                for (int d = r - 1; d >= 0; d--) {
                    if (++pos[d] < batch[d]) {
                        cur += st[d];
                        break;
                    }
                    cur -= st[d] * (pos[d] - 1);
                    pos[d] = 0;
                }
            }
        }
    }

    /**
     * {@code linear} with a 1-D weight {@code [in]}: {@code x·w}, {@code [.., in] → [..]}, plus a 0-D bias for a 1-D
     * input (PyTorch 1.13 rejects a bias for any other input with a 1-D weight); composed of {@link MatMul} and add.
     */
    static Tensor linearVector(Tensor x, Tensor w, Tensor bias) {
        if (x.rank() == 0 || x.size(-1) != w.size(0)) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " does not fit the 1-D weight "
                    + Shape.str(w.shape()) + " (input must be [.., " + w.size(0) + "])");
        }
        if (bias != null && (x.rank() != 1 || bias.rank() != 0)) {
            throw new IllegalArgumentException("linear: with a 1-D weight " + Shape.str(w.shape()) + " a bias needs a 1-D input"
                    + " and must be 0-D (as in PyTorch 1.13), got input " + Shape.str(x.shape()) + " bias " + Shape.str(bias.shape()));
        }
        Tensor y = MatMul.of().apply(x, w);
        return bias == null ? y : Ops.add(y, bias);
    }

    /** The argument checks of {@code bmm}: both 3-D, equal batch sizes and inner dimensions. */
    static void checkBmm(Tensor a, Tensor b) {
        if (a.rank() != 3 || b.rank() != 3) {
            throw new IllegalArgumentException("bmm: both arguments must be 3-D, got " + Shape.str(a.shape()) + " and "
                    + Shape.str(b.shape()));
        }
        if (a.size(0) != b.size(0) || a.size(2) != b.size(1)) {
            throw new IllegalArgumentException("bmm: expected the second argument to be [" + a.size(0) + ", " + a.size(2)
                    + ", N] for " + Shape.str(a.shape()) + ", got " + Shape.str(b.shape()));
        }
    }

    /**
     * {@code linear}: {@code x [.., in] · Wᵀ [in, out] + b [out]}; the bias input is optional: applied to
     * {@code (x, W)} or {@code (x, W, b)}.
     */
    static final class Linear extends Function {
        /** Whether this application has a bias input: its arity, read by forward on every use. */
        private boolean bias;
        private int rows, in, outFeatures;

        private Linear() {
        }

        static Linear of() {
            return node(Linear.class, Linear::new);
        }

        @Override
        protected Tensor forward(Tensor... t) {
            if (t.length != 2 && t.length != 3) throw new IllegalArgumentException("linear: expected 2 or 3 inputs, got " + t.length);
            bias = t.length == 3;
            Tensor x = t[0], w = t[1];
            // rank() and size() read the shapes without the copy that shape() makes (every step runs this)
            if (w.rank() != 2 || x.rank() == 0) {
                throw new IllegalArgumentException("linear: weight must be [out, in] and input at least 1-D, got input "
                        + Shape.str(x.shape()) + " weight " + Shape.str(w.shape()));
            }
            in = w.size(1);
            outFeatures = w.size(0);
            if (x.size(-1) != in) {
                throw new IllegalArgumentException("linear: input " + Shape.str(x.shape()) + " has " + x.size(-1)
                        + " features but weight " + Shape.str(w.shape()) + " expects " + in);
            }
            if (bias && (t[2].rank() != 1 || t[2].size(0) != outFeatures)) {
                throw new IllegalArgumentException("linear: bias " + Shape.str(t[2].shape()) + " must have shape [" + outFeatures + "]");
            }
            rows = 1;
            for (int d = 0; d < x.rank() - 1; d++) rows *= x.size(d);
            Tensor y;
            if (x.rank() == 2) {
                y = in == 0 ? out(x.dtype(), rows, outFeatures) : outUninitialized(x.dtype(), rows, outFeatures);
            } else {
                int[] ys = x.shape();
                ys[ys.length - 1] = outFeatures;
                y = in == 0 ? out(x.dtype(), ys) : outUninitialized(x.dtype(), ys);
            }
            Kernels.gemm(view(x, rows, in), false, view(w, outFeatures, in), true, view(y, rows, outFeatures), false);
            if (bias) {
                Storage s = y.storage();
                Kernels.binary(BinaryOp.ADD, s, Operand.FULL, t[2].storage(), Operand.ROW, s, rows, outFeatures);
            }
            save(x, w);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], w = saved()[1];
            Tensor[] grads = bias ? gradients(null, null, null) : gradients(null, null);
            if (needsInputGrad(0)) {
                grads[0] = outFeatures == 0 ? outLike(x) : outUninitializedLike(x);
                Kernels.gemm(view(g, rows, outFeatures), false, view(w, outFeatures, in), false, view(grads[0], rows, in), false);
            }
            if (needsInputGrad(1)) {
                grads[1] = rows == 0 ? outLike(w) : outUninitializedLike(w);
                Kernels.gemm(view(g, rows, outFeatures), true, view(x, rows, in), false, view(grads[1], outFeatures, in), false);
            }
            if (bias && needsInputGrad(2)) {
                Tensor gb = outUninitialized(g.dtype(), outFeatures);
                Kernels.sum(g.storage(), gb.storage(), 1, rows, outFeatures);
                grads[2] = gb;
            }
            return grads;
        }
    }

    /** Swaps the last two dimensions (a 1-D tensor is returned as a copy). */
    static final class Transpose extends Function {
        private Transpose() {
        }

        static Transpose of() {
            return node(Transpose.class, Transpose::new);
        }

        @Override
        protected Tensor forward(Tensor... in) {
            return swapLast(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return gradients(swapLast(g));
        }

        static Tensor swapLast(Tensor x) {
            int[] s = x.shape();
            if (s.length < 2) return x.copy();
            int r = s[s.length - 2], c = s[s.length - 1], batch = Shape.prod(s, 0, s.length - 2);
            int[] ts = s.clone();
            ts[s.length - 2] = c;
            ts[s.length - 1] = r;
            Tensor y = out(x.dtype(), ts);
            Storage xs = x.storage(), ys = y.storage();
            for (int b = 0; b < batch; b++) {
                int off = b * r * c;
                for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) ys.set(off + j * r + i, xs.get(off + i * c + j));
            }
            return y;
        }
    }
}
