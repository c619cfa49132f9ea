package dev.jgrad.nn.optim;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ParallelRanges;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi et al. 2011), PyTorch 1.13's {@code torch.optim.Adagrad} rule (dense gradients):
 * <pre>
 * g ← ∇ + weightDecay·p
 * clr = lr / (1 + (t − 1)·lrDecay)
 * s ← s + g²                 (s starts at initialAccumulatorValue)
 * p ← p − clr·g / (√s + eps)
 * </pre>
 * with {@code t} counted per parameter ({@code "step.<i>"}), evaluated in the parameter's precision, as PyTorch's
 * kernels do: the hyper-parameters rounded to it, every operation rounded in the order of {@link #rule}, no fused
 * multiply-add; float32 and float64 parameters with a SIMD kernel backend run in lanes of their type ({@link UpdateLanesF32#adagrad} and its generated float64 twin, the same
 * bits). The accumulator is {@code "sum.<i>"} in the state. Options per {@linkplain ParamGroup group}: {@code lr},
 * {@code lr_decay}, {@code weight_decay}, {@code initial_accumulator_value}, {@code eps}. (PyTorch 1.13 fills every
 * group's accumulators from the constructor's {@code initial_accumulator_value}, ignoring a group's own; jgrad uses each
 * group's — the same with one group.)
 */
public final class Adagrad extends Optimizer {
    private static final int LR = 0, LR_DECAY = 1, WD = 2, INIT = 3, EPS = 4;
    private static final Map<String, Double> DEFAULTS = defaults("lr", 1e-2, "lr_decay", 0.0, "weight_decay", 0.0, "initial_accumulator_value", 0.0, "eps", 1e-10);
    private final List<Tensor> sums;
    private final long[] paramSteps;
    /** The update over element ranges, reused from call to call (a step allocates nothing). */
    private final Lanes lanes = new Lanes();

    /** Adagrad with PyTorch's defaults: no lr decay, no weight decay, accumulator from 0, eps 1e-10. */
    public Adagrad(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, 1e-10);
    }

    /** Adagrad with every option. */
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        this(List.of(new ParamGroup(dev.jgrad.core.Shape.nonNull("Adagrad", "params", params)).lr(lr).lrDecay(lrDecay).weightDecay(weightDecay)
                .initialAccumulatorValue(initialAccumulatorValue).eps(eps)));
    }

    /**
     * Adagrad over parameter groups; options a group does not set take PyTorch's defaults (lr 1e-2, lr decay 0,
     * weight decay 0, initial accumulator 0, eps 1e-10). Each accumulator is created at once, as in PyTorch.
     *
     * @throws IllegalArgumentException naming the group and option on a bad option
     */
    public Adagrad(List<ParamGroup> groups) {
        super(groups, DEFAULTS);
        sums = slots(params.size());
        paramSteps = new long[params.size()];
        for (int i = 0; i < params.size(); i++) sum(i);
    }


    /** A builder of Adagrad over parameter groups. */
    public static Builder<Adagrad> builder() {
        return new Builder<>(Adagrad::new);
    }

    @Override
    protected void checkOptions(String where, Map<String, Double> o) {
        super.checkOptions(where, o);
        checkNonNegative(where + "lrDecay", o.get("lr_decay"));
        checkNonNegative(where + "weightDecay", o.get("weight_decay"));
        checkNonNegative(where + "initialAccumulatorValue", o.get("initial_accumulator_value"));
        checkNonNegative(where + "eps", o.get("eps"));
    }

    /** The accumulator of parameter {@code i}, created filled with the group's initial value. */
    private Storage sum(int i) {
        Tensor t = sums.get(i);
        if (t == null) {
            t = Tensor.zerosLike(params.get(i));
            t.storage().fill(option(groupOf(i), INIT));
            sums.set(i, t);
        }
        return t.storage();
    }

    @Override
    protected void update(int i, Storage p, Storage grad, int n) {
        update(Kernels.backend(), i, p, grad, n);
    }

    /** {@link #update(int, Storage, Storage, int)} with the SIMD form and threads that {@code kernels} asks for. */
    void update(KernelBackend kernels, int i, Storage p, Storage grad, int n) {
        int grp = groupOf(i);
        long t = ++paramSteps[i];
        Storage s = sum(i);
        double clr = option(grp, LR) / (1 + (t - 1) * option(grp, LR_DECAY));
        if (!inLanes(kernels, p, grad, s, null, null)) {
            rule(grp, p, grad, s, 0, n, clr);
            return;
        }
        lanes.group = grp;
        lanes.p = p;
        lanes.g = grad;
        lanes.s = s;
        lanes.clr = clr;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule of group {@code grp} over {@code [from, to)}, every operation rounded to the parameter's precision in
     * PyTorch's order: {@code g ← g + wd·p} (when {@code wd ≠ 0}); {@code s ← s + g·g}; {@code d ← √s + eps};
     * {@code p ← p − (clr·g)/d}.
     */
    private void rule(int grp, Storage p, Storage g, Storage s, int from, int to, double clr) {
        double weightDecay = option(grp, WD);
        double wd = p.round(weightDecay), e = p.round(option(grp, EPS)), rate = p.round(clr);
        for (int k = from; k < to; k++) {
            double pk = p.get(k);
            double gk = g.get(k);
            if (weightDecay != 0) gk = p.round(gk + p.round(wd * pk));
            double sk = p.round(s.get(k) + p.round(gk * gk));
            s.set(k, sk);
            double d = p.round(p.round(Math.sqrt(sk)) + e);
            p.set(k, p.round(pk - p.round(p.round(rate * gk) / d)));
        }
    }

    /** The float32 / float64 step over element ranges: lanes of the element type, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        int group;
        Storage p, g, s;
        double clr;

        @Override
        protected void range(int from, int to) {
            int done = p instanceof Storage.F32
                    ? UpdateLanesF32.adagrad(f32(p), f32(g), f32(s), from, to, clr, option(group, EPS), option(group, WD))
                    : UpdateLanesF64.adagrad(f64(p), f64(g), f64(s), from, to, clr, option(group, EPS), option(group, WD));
            rule(group, p, g, s, done, to, clr);
        }

        @Override
        protected void clear() {
            p = g = s = null;
        }
    }

    @Override
    protected java.util.Set<String> nonNegativeBuffers() {
        return java.util.Set.of("sum");
    }

    @Override
    protected Map<String, long[]> counters() {
        return Map.of("step", paramSteps);
    }

    @Override
    protected Map<String, List<Tensor>> buffers() {
        return Map.of("sum", sums);
    }
}
