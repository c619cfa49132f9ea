package dev.jgrad.losses;

import dev.jgrad.core.Tensor;

/**
 * The element-wise regression and ranking losses of PyTorch 1.13, each a small class with its value and partial
 * derivatives side by side (the formulas, in prose: the derivative index {@code docs/derivatives.md}). Input and target
 * broadcast as in PyTorch.
 */
final class RegressionLosses {
    private RegressionLosses() {
    }

    /** {@code l1_loss}: {@code l = |x - t|}; the gradient is {@code sign(x - t)}, 0 at a tie and where {@code x - t} is NaN (as PyTorch's {@code sgn}). */
    static final class L1 extends ElementwiseLoss {
        private L1() {
            super("l1_loss");
        }

        static L1 of(Reduction r) {
            L1 op = node(L1.class, L1::new);
            op.set(r, null, null);
            return op;
        }

        double value(double[] v) {
            return Math.abs(v[0] - v[1]);
        }

        double partial(int slot, double[] v) {
            double d = v[0] - v[1];
            double s = d > 0 ? 1 : d < 0 ? -1 : 0;
            return slot == 0 ? s : -s;
        }
    }

    /**
     * {@code smooth_l1_loss}: {@code z = |x - t|}, {@code l = z < β ? ½z²/β : z - ½β} ({@code β = 0}: {@code l = z});
     * derivative {@code d ≤ -β ? -1 : d ≥ β ? 1 : d/β} at {@code d = x - t} for the input and at {@code t - x} for the
     * target (PyTorch's branch order: at a tie with {@code β = 0} both are -1).
     */
    static final class SmoothL1 extends ElementwiseLoss {
        private double beta;

        private SmoothL1() {
            super("smooth_l1_loss");
        }

        static SmoothL1 of(Reduction r, double beta) {
            SmoothL1 op = node(SmoothL1.class, SmoothL1::new);
            op.set(r, null, null);
            op.beta = beta;
            return op;
        }

        double value(double[] v) {
            double z = Math.abs(v[0] - v[1]);
            return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
        }

        double partial(int slot, double[] v) {
            double d = slot == 0 ? v[0] - v[1] : v[1] - v[0];
            return d <= -beta ? -1 : d >= beta ? 1 : d / beta;
        }
    }

    /**
     * {@code huber_loss}: {@code z = |x - t|}, {@code l = z < δ ? ½z² : δ·(z - ½δ)}; derivative
     * {@code d ≤ -δ ? -δ : d ≥ δ ? δ : d} at {@code d = x - t} (input) and {@code t - x} (target).
     */
    static final class Huber extends ElementwiseLoss {
        private double delta;

        private Huber() {
            super("huber_loss");
        }

        static Huber of(Reduction r, double delta) {
            Huber op = node(Huber.class, Huber::new);
            op.set(r, null, null);
            op.delta = delta;
            return op;
        }

        double value(double[] v) {
            double z = Math.abs(v[0] - v[1]);
            return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
        }

        double partial(int slot, double[] v) {
            double d = slot == 0 ? v[0] - v[1] : v[1] - v[0];
            return d <= -delta ? -delta : d >= delta ? delta : d;
        }
    }

    /**
     * {@code margin_ranking_loss(x1, x2, y)}: {@code z = -y·(x1 - x2) + margin}, {@code l = max(z, 0)}; the gradient
     * passes where {@code z ≥ 0} (PyTorch's {@code clamp_min}): {@code dx1 = -y}, {@code dx2 = y}, {@code dy = -(x1 - x2)},
     * each times that 0/1 factor (so a NaN {@code x1 - x2} still reaches {@code dy} as NaN, as in PyTorch).
     */
    static final class MarginRanking extends ElementwiseLoss {
        private double margin;

        private MarginRanking() {
            super("margin_ranking_loss");
        }

        static MarginRanking of(Reduction r, double margin, Tensor y) {
            MarginRanking op = node(MarginRanking.class, MarginRanking::new);
            op.set(r, y, null);
            op.margin = margin;
            return op;
        }

        @Override
        int mains() {
            return 3;
        }

        @Override
        String argName(int slot) {
            return slot == 0 ? "input1" : slot == 1 ? "input2" : "target";
        }

        double value(double[] v) {
            double z = -v[2] * (v[0] - v[1]) + margin;
            return Double.isNaN(z) ? z : Math.max(z, 0);
        }

        double partial(int slot, double[] v) {
            double z = -v[2] * (v[0] - v[1]) + margin;
            double pass = z >= 0 ? 1 : 0;
            switch (slot) {
                case 0: return pass * -v[2];
                case 1: return pass * v[2];
                default: return pass * -(v[0] - v[1]);
            }
        }
    }

    /**
     * {@code poisson_nll_loss}: {@code log_input}: {@code l = exp(x) - t·x}; else {@code l = x - t·log(x + eps)};
     * {@code full} adds Stirling's term {@code t·log t - t + ½·log(2πt)} where {@code t > 1} (not where {@code t ≤ 1};
     * a NaN target keeps it). The target gradient of the masked term is {@code 0·(log t + 1/(2t))}, NaN for
     * {@code t ≤ 0} as in PyTorch.
     */
    static final class PoissonNll extends ElementwiseLoss {
        private boolean logInput, full;
        private double eps;

        private PoissonNll() {
            super("poisson_nll_loss");
        }

        static PoissonNll of(Reduction r, boolean logInput, boolean full, double eps) {
            PoissonNll op = node(PoissonNll.class, PoissonNll::new);
            op.set(r, null, null);
            op.logInput = logInput;
            op.full = full;
            op.eps = eps;
            return op;
        }

        double value(double[] v) {
            double x = v[0], t = v[1];
            double l = logInput ? Math.exp(x) - t * x : x - t * Math.log(x + eps);
            if (full && !(t <= 1)) l += t * Math.log(t) - t + 0.5 * Math.log(2 * Math.PI * t);
            return l;
        }

        double partial(int slot, double[] v) {
            double x = v[0], t = v[1];
            if (slot == 0) return logInput ? Math.exp(x) - t : 1 - t / (x + eps);
            double d = logInput ? -x : -Math.log(x + eps);
            if (full) d += (t <= 1 ? 0 : 1) * (Math.log(t) + 0.5 / t);
            return d;
        }
    }

    /**
     * {@code gaussian_nll_loss(x, t, var)}: {@code v = max(var, eps)}, {@code l = ½·(log v + (x - t)²/v)} (+ {@code ½·log 2π}
     * with {@code full}); the clamp is not differentiated (as PyTorch's {@code no_grad} clamp): {@code dvar = ½·(1/v - (x - t)²/v²)}
     * also where {@code var < eps}.
     */
    static final class GaussianNll extends ElementwiseLoss {
        private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
        private boolean full;
        private double eps;

        private GaussianNll() {
            super("gaussian_nll_loss");
        }

        static GaussianNll of(Reduction r, Tensor var, boolean full, double eps) {
            GaussianNll op = node(GaussianNll.class, GaussianNll::new);
            op.set(r, var, null);
            op.full = full;
            op.eps = eps;
            return op;
        }

        @Override
        String argName(int slot) {
            return slot == 2 ? "var" : super.argName(slot);
        }

        double value(double[] v) {
            double d = v[0] - v[1], var = Math.max(v[2], eps);
            double l = 0.5 * (Math.log(var) + d * d / var);
            return full ? l + HALF_LOG_2PI : l;
        }

        double partial(int slot, double[] v) {
            double d = v[0] - v[1], var = Math.max(v[2], eps);
            switch (slot) {
                case 0: return d / var;
                case 1: return -d / var;
                default: return 0.5 * (1 / var - d * d / (var * var));
            }
        }
    }
}
