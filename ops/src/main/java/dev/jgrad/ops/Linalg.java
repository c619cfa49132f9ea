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
     * {@code matmul}: {@code [.., M, K] · [K, N]} (leading dimensions of the left operand are folded into M,
     * which is free in row-major storage), plus the 1-D cases {@code [K]·[K, N] → [N]},
     * {@code [M, K]·[K] → [M]} and {@code [K]·[K] → []}.
     */
    static final class MatMul extends Function {
        private int m, k, n;

        private MatMul() {
        }

        static MatMul of() {
            return node(MatMul.class, MatMul::new);
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor a = in[0], b = in[1];
            int[] as = a.shape(), bs = b.shape();
            if (as.length == 0 || bs.length == 0 || bs.length > 2) {
                throw new IllegalArgumentException("matmul: unsupported shapes " + Shape.str(as) + " and " + Shape.str(bs)
                        + " (supported: [..,M,K]·[K,N], [K]·[K,N], [M,K]·[K], [K]·[K])");
            }
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
            Tensor y = k == 0 ? out(a.dtype(), outShape) : outUninitialized(a.dtype(), outShape);
            Kernels.gemm(view(a, m, k), false, view(b, k, n), false, view(y, m, n), false);
            save(a, b);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved()[0], b = saved()[1];
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
