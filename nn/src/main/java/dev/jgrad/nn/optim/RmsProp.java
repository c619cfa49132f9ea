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
 * RMSprop (Hinton's lecture 6e; the centered form of Graves 2013), PyTorch 1.13's {@code torch.optim.RMSprop} rule:
 * <pre>
 * g ← ∇ + weightDecay·p
 * s ← α·s + (1 − α)·g²
 * centered:  a ← α·a + (1 − α)·g;   d ← √(s − a²) + eps     otherwise  d ← √s + eps
 * momentum &gt; 0:  b ← momentum·b + g/d;   p ← p − lr·b          otherwise  p ← p − lr·g/d
 * </pre>
 * evaluated in the parameter's precision, as PyTorch's kernels do: the hyper-parameters rounded to it, every
 * operation rounded in the order of {@link #rule}, no fused multiply-add; float32 and float64 parameters with a SIMD kernel backend
 * run in lanes ({@link UpdateLanesF32#rmsprop} and its float64 twin, the same bits) over several threads for large parameters.
 *
 * <p>State per parameter (PyTorch's names): {@code "square_avg.<i>"}, {@code "grad_avg.<i>"} (centered),
 * {@code "momentum_buffer.<i>"} (momentum &gt; 0) and the count {@code "step.<i>"}. Options per
 * {@linkplain ParamGroup group}: {@code lr}, {@code alpha}, {@code eps}, {@code weight_decay}, {@code momentum},
 * {@code centered}.
 */
public final class RmsProp extends Optimizer {
    private static final int LR = 0, ALPHA = 1, EPS = 2, WD = 3, MOMENTUM = 4, CENTERED = 5;
    private static final Map<String, Double> DEFAULTS = defaults("lr", 1e-2, "alpha", 0.99, "eps", 1e-8, "weight_decay", 0.0, "momentum", 0.0, "centered", 0.0);
    private final List<Tensor> squareAvg, gradAvg, momentumBuffer;
    private final long[] paramSteps;
    /** The update over element ranges, reused from call to call (a step allocates nothing). */
    private final Lanes lanes = new Lanes();

    /** RMSprop with PyTorch's defaults: alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
    public RmsProp(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop with every option. */
    public RmsProp(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        this(List.of(new ParamGroup(dev.jgrad.core.Shape.nonNull("RmsProp", "params", params)).lr(lr).alpha(alpha).eps(eps).weightDecay(weightDecay)
                .momentum(momentum).centered(centered)));
    }

    /**
     * RMSprop over parameter groups; options a group does not set take PyTorch's defaults (lr 1e-2, alpha 0.99,
     * eps 1e-8, weight decay 0, momentum 0, not centered).
     *
     * @throws IllegalArgumentException naming the group and option on a bad option
     */
    public RmsProp(List<ParamGroup> groups) {
        super(groups, DEFAULTS);
        squareAvg = slots(params.size());
        gradAvg = slots(params.size());
        momentumBuffer = slots(params.size());
        paramSteps = new long[params.size()];
    }


    /** A builder of RMSprop over parameter groups. */
    public static Builder<RmsProp> builder() {
        return new Builder<>(RmsProp::new);
    }

    @Override
    protected void checkOptions(String where, Map<String, Double> o) {
        super.checkOptions(where, o);
        checkNonNegative(where + "alpha", o.get("alpha"));
        checkNonNegative(where + "eps", o.get("eps"));
        checkNonNegative(where + "weightDecay", o.get("weight_decay"));
        checkNonNegative(where + "momentum", o.get("momentum"));
    }

    @Override
    protected void update(int i, Storage p, Storage grad, int n) {
        update(Kernels.backend(), i, p, grad, n);
    }

    /** {@link #update(int, Storage, Storage, int)} with the SIMD form and threads that {@code kernels} asks for. */
    void update(KernelBackend kernels, int i, Storage p, Storage grad, int n) {
        int grp = groupOf(i);
        paramSteps[i]++;
        Storage s = buffer(squareAvg, i), a = flag(grp, CENTERED) ? buffer(gradAvg, i) : null,
                b = option(grp, MOMENTUM) > 0 ? buffer(momentumBuffer, i) : null;
        if (!inLanes(kernels, p, grad, s, a, b)) {
            rule(grp, p, grad, s, a, b, 0, n);
            return;
        }
        lanes.group = grp;
        lanes.p = p;
        lanes.g = grad;
        lanes.s = s;
        lanes.a = a;
        lanes.b = b;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule of group {@code grp} over {@code [from, to)}, every operation rounded to the parameter's precision in
     * PyTorch's order: {@code g ← g + wd·p} (when {@code wd ≠ 0}); {@code s ← α·s + ((1 − α)·g)·g}; centered
     * {@code a ← α·a + (1 − α)·g}, {@code d ← √(s − a·a)}, else {@code d ← √s}; {@code d ← d + eps}; momentum
     * {@code b ← momentum·b + g/d}, {@code p ← p − lr·b}, else {@code p ← p − (lr·g)/d}.
     *
     * @param a the centered average of the gradients, or null
     * @param b the momentum buffer, or null
     */
    private void rule(int grp, Storage p, Storage g, Storage s, Storage a, Storage b, int from, int to) {
        double weightDecay = option(grp, WD), alpha = option(grp, ALPHA);
        double wd = p.round(weightDecay), al = p.round(alpha), c = p.round(1 - alpha), e = p.round(option(grp, EPS)),
                mom = p.round(option(grp, MOMENTUM)), rate = p.round(option(grp, LR));
        for (int k = from; k < to; k++) {
            double pk = p.get(k);
            double gk = g.get(k);
            if (weightDecay != 0) gk = p.round(gk + p.round(wd * pk));
            double sk = p.round(p.round(al * s.get(k)) + p.round(p.round(c * gk) * gk));
            s.set(k, sk);
            double d;
            if (a != null) {
                double ak = p.round(p.round(al * a.get(k)) + p.round(c * gk));
                a.set(k, ak);
                d = p.round(Math.sqrt(p.round(sk - p.round(ak * ak))));
            } else {
                d = p.round(Math.sqrt(sk));
            }
            d = p.round(d + e);
            if (b != null) {
                double bk = p.round(p.round(mom * b.get(k)) + p.round(gk / d));
                b.set(k, bk);
                p.set(k, p.round(pk - p.round(rate * bk)));
            } else {
                p.set(k, p.round(pk - p.round(p.round(rate * gk) / d)));
            }
        }
    }

    /** The float32 / float64 step over element ranges: lanes of the element type, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        int group;
        Storage p, g, s, a, b;

        @Override
        protected void range(int from, int to) {
            int done = p instanceof Storage.F32
                    ? UpdateLanesF32.rmsprop(f32(p), f32(g), f32(s), f32(a), f32(b), from, to, option(group, LR),
                            option(group, ALPHA), option(group, EPS), option(group, WD), option(group, MOMENTUM))
                    : UpdateLanesF64.rmsprop(f64(p), f64(g), f64(s), f64(a), f64(b), from, to, option(group, LR),
                            option(group, ALPHA), option(group, EPS), option(group, WD), option(group, MOMENTUM));
            rule(group, p, g, s, a, b, done, to);
        }

        @Override
        protected void clear() {
            p = g = s = a = b = null;
        }
    }

    @Override
    protected java.util.Set<String> nonNegativeBuffers() {
        return java.util.Set.of("square_avg");
    }

    @Override
    protected Map<String, long[]> counters() {
        return Map.of("step", paramSteps);
    }

    @Override
    protected Map<String, List<Tensor>> buffers() {
        Map<String, List<Tensor>> m = new LinkedHashMap<>();
        m.put("square_avg", squareAvg);
        m.put("grad_avg", gradAvg);
        m.put("momentum_buffer", momentumBuffer);
        return m;
    }
}
