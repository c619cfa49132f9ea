package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Arrays;

/**
 * Scaled dot-product attention, composed from the batched GEMM ({@link Ops#matmul}), a broadcasting add of the
 * mask, {@link CausalFill} and {@link Ops#softmax}: {@code softmax(q·kᵀ·scale + mask)·v}, the math path of PyTorch
 * 2.x's {@code F.scaled_dot_product_attention} (so its backward is the chain of those ops' backwards). The scale is
 * folded into {@code q} before the product ({@code [.., L, E]}, smaller than the scores {@code [.., L, S]}).
 */
final class Attention {
    private Attention() {
    }

    static final String OP = "scaledDotProductAttention";

    /** {@code softmax(q·kᵀ·scale + mask)} after checking every argument; {@code scale} NaN means {@code 1/√E}. */
    static Tensor weights(Tensor q, Tensor k, Tensor mask, boolean isCausal, double scale) {
        int[] scores = checkQk(q, k);
        checkMask(mask, isCausal, scores, q.dtype());
        double sc = Double.isNaN(scale) ? 1 / Math.sqrt(q.size(-1 + q.rank())) : scale;
        Tensor s = Ops.matmul(sc == 1 ? q : Ops.mul(q, sc), Ops.transpose(k));
        if (mask != null) s = Ops.add(s, mask);
        if (isCausal) s = CausalFill.of().apply(s);
        return Ops.softmax(s, -1);
    }

    /** The attention output {@code weights·v}. */
    static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor mask, boolean isCausal, double scale) {
        if (v == null) throw new IllegalArgumentException(OP + ": value is null");
        checkQk(q, k);
        if (v.rank() < 2 || v.size(v.rank() - 2) != k.size(k.rank() - 2)) {
            throw new IllegalArgumentException(OP + ": value " + Shape.str(v.shape()) + " must be [.., S, Ev] with S = "
                    + k.size(k.rank() - 2) + " of key " + Shape.str(k.shape()));
        }
        if (v.dtype() != q.dtype()) throw new IllegalArgumentException(OP + ": value is " + v.dtype() + " but query is " + q.dtype());
        Shape.broadcast(OP, Shape.broadcast(OP, batch(q), batch(k)), batch(v));
        return Ops.matmul(weights(q, k, mask, isCausal, scale), v);
    }

    /** The shape of the scores {@code [broadcast batch, L, S]} after checking query and key. */
    private static int[] checkQk(Tensor q, Tensor k) {
        if (q == null || k == null) throw new IllegalArgumentException(OP + ": " + (q == null ? "query" : "key") + " is null");
        if (q.rank() < 2 || k.rank() < 2 || q.size(q.rank() - 1) != k.size(k.rank() - 1)) {
            throw new IllegalArgumentException(OP + ": query " + Shape.str(q.shape()) + " and key " + Shape.str(k.shape())
                    + " must be [.., L, E] and [.., S, E] with the same E");
        }
        if (k.dtype() != q.dtype()) throw new IllegalArgumentException(OP + ": key is " + k.dtype() + " but query is " + q.dtype());
        int[] b = Shape.broadcast(OP, batch(q), batch(k));
        int[] s = Arrays.copyOf(b, b.length + 2);
        s[b.length] = q.size(q.rank() - 2);
        s[b.length + 1] = k.size(k.rank() - 2);
        return s;
    }

    private static void checkMask(Tensor mask, boolean isCausal, int[] scores, DType dtype) {
        if (mask == null) return;
        if (isCausal) throw new IllegalArgumentException(OP + ": give either attnMask or isCausal, not both");
        if (mask.dtype() != dtype) throw new IllegalArgumentException(OP + ": attnMask is " + mask.dtype() + " but query is " + dtype);
        int[] m = mask.shape();
        boolean fits = m.length <= scores.length;
        for (int i = 1; fits && i <= m.length; i++) {
            fits = m[m.length - i] == 1 || m[m.length - i] == scores[scores.length - i];
        }
        if (!fits) {
            throw new IllegalArgumentException(OP + ": attnMask " + Shape.str(m) + " does not broadcast to the attention scores "
                    + Shape.str(scores));
        }
    }

    private static int[] batch(Tensor t) {
        return Arrays.copyOf(t.shape(), t.rank() - 2);
    }

    /** An additive mask from a 0/1 one: 0 where {@code allowed} is non-zero (NaN counts as non-zero), else {@code -inf}. */
    static Tensor additiveMask(Tensor allowed) {
        if (allowed == null) throw new IllegalArgumentException("attentionMask: mask is null");
        Tensor m = Tensor.zeros(allowed.dtype(), allowed.shape());
        for (int i = 0; i < m.numel(); i++) if (allowed.get(i) == 0) m.set(i, Double.NEGATIVE_INFINITY);
        return m;
    }

    /**
     * The causal mask on scores {@code [.., L, S]}: {@code -inf} where {@code j > i} (top-left aligned, PyTorch's
     * {@code ones(L, S).tril()}), the score elsewhere; the gradient passes where the score was kept and is 0 where
     * it was replaced.
     */
    static final class CausalFill extends Function {
        private CausalFill() {
        }

        static CausalFill of() {
            return node(CausalFill.class, CausalFill::new);
        }

        @Override
        public String name() {
            return "CausalFill";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0], y = outUninitializedLike(x);
            fill(x, y, Double.NEGATIVE_INFINITY);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = outUninitializedLike(g);
            fill(g, gx, 0);
            return gradients(gx);
        }

        /** {@code y = x} with {@code value} above the diagonal of every {@code [L, S]} matrix. */
        private static void fill(Tensor x, Tensor y, double value) {
            int r = x.rank(), l = x.size(r - 2), s = x.size(r - 1), n = x.numel();
            Storage a = x.storage(), b = y.storage();
            if (a instanceof Storage.F32 f) {
                float[] src = f.a, dst = ((Storage.F32) b).a;
                float v = (float) value;
                for (int o = 0; o < n; o += l * s) {
                    for (int i = 0; i < l; i++) {
                        int row = o + i * s, keep = Math.min(s, i + 1);
                        System.arraycopy(src, row, dst, row, keep);
                        Arrays.fill(dst, row + keep, row + s, v);
                    }
                }
            } else {
                double[] src = ((Storage.F64) a).a, dst = ((Storage.F64) b).a;
                for (int o = 0; o < n; o += l * s) {
                    for (int i = 0; i < l; i++) {
                        int row = o + i * s, keep = Math.min(s, i + 1);
                        System.arraycopy(src, row, dst, row, keep);
                        Arrays.fill(dst, row + keep, row + s, value);
                    }
                }
            }
        }
    }
}
