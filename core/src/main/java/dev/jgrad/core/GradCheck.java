package dev.jgrad.core;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Central-difference gradient check in float64, with PyTorch's {@code gradcheck} defaults
 * ({@code eps = 1e-6}, {@code atol = 1e-5}, {@code rtol = 1e-3}).
 *
 * <p>For a function {@code f} of the given inputs, it draws a seeded random {@code v} of the output's shape
 * and compares the analytic gradient of {@code <f(x), v>} (one backward pass) with
 * {@code (<f(x + eps·e_j), v> - <f(x - eps·e_j), v>) / (2 eps)} for every element {@code j} of every input
 * that requires grad. An element passes when {@code |analytic - numeric| <= atol + rtol·|numeric|}.
 * The inputs are perturbed in place and restored.
 */
public final class GradCheck {

    /** Tolerances and the seed of the projection vector. */
    public record Options(double eps, double atol, double rtol, long seed) {
        /** PyTorch's defaults. */
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, 1234L);
        }
    }

    /** The outcome, with the worst element (largest error relative to its allowance). */
    public record Result(boolean passed, int input, int index, double analytic, double numeric, double error,
                         double allowed, int checked) {
        /** One-line description of the worst element. */
        public String report() {
            if (checked == 0) return "gradcheck: no input requires grad";
            return String.format("gradcheck %s: worst element input %d [%d]: analytic %.10g, numeric %.10g, |diff| %.3g (allowed %.3g), %d elements checked",
                    passed ? "passed" : "FAILED", input, index, analytic, numeric, error, allowed, checked);
        }
    }

    private GradCheck() {
    }

    /** Checks with default options. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(Options.defaults(), f, inputs);
    }

    /** Checks and throws {@link AssertionError} with the report when any element fails. */
    public static Result assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, inputs);
        if (!r.passed()) throw new AssertionError(r.report());
        return r;
    }

    /**
     * Runs the check.
     *
     * @throws IllegalArgumentException if an input that requires grad is not float64
     */
    public static Result check(Options opt, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.requiresGrad() && t.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradcheck: inputs must be float64, got " + t.dtype() + " of shape " + Shape.str(t.shape()));
            }
            if (t.requiresGrad()) t.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        SplittableRandom rng = new SplittableRandom(opt.seed());
        Tensor v = Tensor.randn(rng, out.dtype(), out.shape());
        if (out.requiresGrad()) out.backward(v);

        Result worst = null;
        double worstRatio = -1;
        int checked = 0;
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.requiresGrad()) continue;
            Tensor g = x.grad();
            for (int j = 0; j < x.numel(); j++) {
                double orig = x.get(j);
                x.set(j, orig + opt.eps());
                double fp = dot(f, inputs, v);
                x.set(j, orig - opt.eps());
                double fm = dot(f, inputs, v);
                x.set(j, orig);
                double numeric = (fp - fm) / (2 * opt.eps());
                double analytic = g == null ? 0.0 : g.get(j);
                double err = Math.abs(analytic - numeric);
                double allowed = opt.atol() + opt.rtol() * Math.abs(numeric);
                boolean ok = err <= allowed || (Double.isNaN(analytic) && Double.isNaN(numeric))
                        || (analytic == numeric);
                double ratio = ok ? err / allowed : Double.POSITIVE_INFINITY;
                if (Double.isNaN(ratio)) ratio = Double.POSITIVE_INFINITY;
                checked++;
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worst = new Result(ok, i, j, analytic, numeric, err, allowed, 0);
                }
            }
        }
        if (worst == null) return new Result(true, -1, -1, 0, 0, 0, 0, 0);
        return new Result(worstRatio <= 1.0, worst.input(), worst.index(), worst.analytic(), worst.numeric(),
                worst.error(), worst.allowed(), checked);
    }

    private static double dot(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor v) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor o = f.apply(inputs);
            double acc = 0;
            for (int k = 0; k < o.numel(); k++) acc += o.get(k) * v.get(k);
            return acc;
        }
    }
}
