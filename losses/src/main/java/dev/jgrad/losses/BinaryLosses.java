package dev.jgrad.losses;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import static dev.jgrad.ops.Stable.sigmoid;
import static dev.jgrad.ops.Stable.softplus;

/**
 * The element-wise losses, each a small class with its value and derivatives side by side (the formulas, in prose:
 * the derivative index {@code docs/derivatives.md}).
 */
final class BinaryLosses {
    private BinaryLosses() {
    }

    /** PyTorch's {@code eps} in the BCE input gradient: {@code 1e-12} as a float32 constant, in both dtypes. */
    static final double BCE_GRAD_EPS = 1e-12f;

    /**
     * {@code binary_cross_entropy}: {@code l = -w (t·max(log p, -100) + (1-t)·max(log(1-p), -100))}.
     */
    static final class Bce extends ElementwiseLoss {
        private Bce() {
            super("binary_cross_entropy");
        }

        static Bce of(Reduction r, Tensor weight) {
            Bce op = node(Bce.class, Bce::new);
            op.set(r, weight, null);
            return op;
        }

        @Override
        boolean sameShape() {
            return true;
        }

        @Override
        void validate(Storage x, Storage t, int n) {
            for (int e = 0; e < n; e++) {
                double p = x.get(e);
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException(op + ": input (probabilities) must be in [0, 1], got " + p + " at flat index " + e
                            + " (use binary_cross_entropy_with_logits for logits)");
                }
            }
        }

        private static double clampedLog(double v) {
            return Math.max(Math.log(v), -100);
        }

        double value(double[] v) {
            double p = v[0], t = v[1];
            return -v[2] * (t * clampedLog(p) + (1 - t) * clampedLog(1 - p));
        }

        double partial(int slot, double[] v) {
            double p = v[0], t = v[1];
            switch (slot) {
                case 0: return v[2] * (p - t) / Math.max(p * (1 - p), BCE_GRAD_EPS);
                case 1: return v[2] * (clampedLog(1 - p) - clampedLog(p));
                default: return -(t * clampedLog(p) + (1 - t) * clampedLog(1 - p));
            }
        }
    }

    /**
     * {@code binary_cross_entropy_with_logits}: {@code l = w [(1-t) x + (1 + (pw-1) t) softplus(-x)]} with the
     * stable softplus.
     */
    static final class BceWithLogits extends ElementwiseLoss {
        private BceWithLogits() {
            super("binary_cross_entropy_with_logits");
        }

        static BceWithLogits of(Reduction r, Tensor weight, Tensor posWeight) {
            BceWithLogits op = node(BceWithLogits.class, BceWithLogits::new);
            op.set(r, weight, posWeight);
            return op;
        }

        @Override
        boolean sameShape() {
            return true;
        }

        double value(double[] v) {
            double x = v[0], t = v[1];
            return v[2] * ((1 - t) * x + (1 + (v[3] - 1) * t) * softplus(-x));
        }

        double partial(int slot, double[] v) {
            double x = v[0], t = v[1], w = v[2], pw = v[3];
            switch (slot) {
                // = w [(1-t) - (1 + (pw-1) t) σ(-x)], rearranged with σ(x) = 1 - σ(-x) so that neither term cancels
                // for hard targets: t = 0 gives w σ(x), t = 1 gives -w pw σ(-x), both to full relative accuracy
                case 0: return w * ((1 - t) * sigmoid(x) - pw * t * sigmoid(-x));
                case 1: return w * (-x + (pw - 1) * softplus(-x));
                case 2: return (1 - t) * x + (1 + (pw - 1) * t) * softplus(-x);
                default: return w * t * softplus(-x);
            }
        }
    }

    /** {@code mse_loss}: {@code l = (x - t)²}. */
    static final class Mse extends ElementwiseLoss {
        private Mse() {
            super("mse_loss");
        }

        static Mse of(Reduction r) {
            Mse op = node(Mse.class, Mse::new);
            op.set(r, null, null);
            return op;
        }

        double value(double[] v) {
            double d = v[0] - v[1];
            return d * d;
        }

        double partial(int slot, double[] v) {
            return slot == 0 ? 2 * (v[0] - v[1]) : -2 * (v[0] - v[1]);
        }
    }

    /**
     * {@code soft_margin_loss}: {@code l = log(1 + exp(-y·x))} evaluated as the stable {@code softplus(-y·x)}
     * (finite where PyTorch's {@code log1p(exp(·))} overflows).
     */
    static final class SoftMargin extends ElementwiseLoss {
        private SoftMargin() {
            super("soft_margin_loss");
        }

        static SoftMargin of(Reduction r) {
            SoftMargin op = node(SoftMargin.class, SoftMargin::new);
            op.set(r, null, null);
            return op;
        }

        @Override
        boolean sameShape() {
            return true;
        }

        double value(double[] v) {
            return softplus(-v[1] * v[0]);
        }

        double partial(int slot, double[] v) {
            double x = v[0], y = v[1];
            return slot == 0 ? -y * sigmoid(-y * x) : -x * sigmoid(-y * x);
        }
    }

    /**
     * {@code kl_div} pointwise term. {@code log_target = false}: {@code l = xlogy(p, p) - p·input}
     * ({@code 0·log 0 = 0}; {@code 0·(-inf)} is NaN as in PyTorch). {@code log_target = true}: {@code l = e^t (t - input)}.
     */
    static final class KlDiv extends ElementwiseLoss {
        private boolean logTarget;

        private KlDiv() {
            super("kl_div");
        }

        static KlDiv of(Reduction r, boolean logTarget) {
            KlDiv op = node(KlDiv.class, KlDiv::new);
            op.set(r, null, null);
            op.logTarget = logTarget;
            return op;
        }

        @Override
        boolean sameShape() {
            return true;
        }

        double value(double[] v) {
            double in = v[0], t = v[1];
            if (logTarget) return Math.exp(t) * (t - in);
            return xlogy(t, t) - t * in;
        }

        double partial(int slot, double[] v) {
            double in = v[0], t = v[1];
            if (slot == 0) return logTarget ? -Math.exp(t) : -t;
            if (logTarget) return Math.exp(t) * (t - in + 1);
            return Math.log(t) + 1 - in;
        }
    }
}
