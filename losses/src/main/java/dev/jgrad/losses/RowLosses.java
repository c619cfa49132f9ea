package dev.jgrad.losses;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/** Losses that reduce the last (class) dimension of probability vectors: entropy and cross-entropy H(p, q). */
final class RowLosses {
    private RowLosses() {
    }

    static int[] rowShape(String op, Tensor p) {
        if (p == null) throw new IllegalArgumentException(op + ": input is null");
        if (p.rank() == 0) throw new IllegalArgumentException(op + ": input must have a class dimension, got a scalar");
        int[] s = p.shape();
        return java.util.Arrays.copyOf(s, s.length - 1);
    }

    /**
     * {@code H(p) = -Σ_c p_c log p_c / log(base)} with {@code 0 log 0 = 0}
     * (a {@code +inf} gradient at {@code p = 0}). Values are used as given (no renormalisation).
     */
    static final class Entropy extends Function {
        private double logBase;

        private Entropy() {
        }

        /** Entropy in the base whose natural log is {@code logBase}. */
        static Entropy of(double logBase) {
            Entropy op = node(Entropy.class, Entropy::new);
            op.logBase = logBase;
            return op;
        }

        @Override
        public String name() {
            return "entropy";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor p = in[0];
            int c = p.size(-1), rows = p.numel() / Math.max(c, 1);
            Tensor h = out(p.dtype(), rowShape("entropy", p));
            Storage ps = p.storage();
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int k = 0; k < c; k++) s += ElementwiseLoss.xlogy(ps.get(r * c + k), ps.get(r * c + k));
                h.set(r, -s / logBase);
            }
            save(p);
            return h;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor p = saved()[0];
            int c = p.size(-1), rows = p.numel() / Math.max(c, 1);
            Tensor gp = outLike(p);
            for (int r = 0; r < rows; r++) {
                double gr = g.get(r);
                for (int k = 0; k < c; k++) gp.set(r * c + k, -gr * (Math.log(p.get(r * c + k)) + 1) / logBase);
            }
            return gradients(gp);
        }
    }

    /**
     * Cross-entropy between distributions, {@code H(p, q) = -Σ_c p_c log q_c} ({@code 0 log q = 0}).
     */
    static final class CrossEntropyBetween extends Function {
        private CrossEntropyBetween() {
        }

        static CrossEntropyBetween of() {
            return node(CrossEntropyBetween.class, CrossEntropyBetween::new);
        }

        @Override
        public String name() {
            return "cross_entropy(p, q)";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor p = in[0], q = in[1];
            if (!java.util.Arrays.equals(p.shape(), q.shape())) {
                throw new IllegalArgumentException(name() + ": p " + Shape.str(p.shape()) + " and q " + Shape.str(q.shape()) + " must have the same shape");
            }
            int c = p.size(-1), rows = p.numel() / Math.max(c, 1);
            Tensor h = out(p.dtype(), rowShape(name(), p));
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int k = 0; k < c; k++) s += ElementwiseLoss.xlogy(p.get(r * c + k), q.get(r * c + k));
                h.set(r, -s);
            }
            save(p, q);
            return h;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor p = saved()[0], q = saved()[1];
            int c = p.size(-1), rows = p.numel() / Math.max(c, 1);
            Tensor gp = needsInputGrad(0) ? outLike(p) : null, gq = needsInputGrad(1) ? outLike(q) : null;
            for (int r = 0; r < rows; r++) {
                for (int k = 0; k < c; k++) {
                    int i = r * c + k;
                    if (gp != null) gp.set(i, -g.get(r) * Math.log(q.get(i)));
                    // d(p·log q)/dq = p/q, and 0 where p = 0 (the term is 0 for every q): not 0/0 = NaN at p = q = 0
                    if (gq != null) gq.set(i, p.get(i) == 0 ? 0.0 : -g.get(r) * p.get(i) / q.get(i));
                }
            }
            return gradients(gp, gq);
        }
    }
}
