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
 * Adam (Kingma &amp; Ba 2015) and AdamW (Loshchilov &amp; Hutter 2019, decoupled weight decay), PyTorch's rules:
 * <pre>
 * Adam:  g ← ∇ + weightDecay·p            AdamW: p ← p·(1 − lr·weightDecay);  g ← ∇
 * m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 * p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps)
 * </pre>
 * evaluated in the parameter's precision, as PyTorch's kernels do: the hyper-parameters rounded to it, every
 * operation rounded in the order of {@link #rule}, no fused multiply-add. For float32 and float64 parameters with a SIMD kernel
 * backend ({@link KernelBackend#simd()}) the rule runs in lanes of their type ({@link UpdateLanesF32#adam} and its float64 twin: the same operations in
 * the same order, so the same bits), over large parameters on several threads ({@link ParallelRanges}).
 *
 * <p>As in PyTorch, {@code t} is counted per parameter: a parameter without a gradient in a step is skipped and its
 * count stays, so its bias correction is that of the updates it has actually had. The counts are in the
 * {@link #state()} as {@code "step.<index>"}.
 *
 * <p>AMSGrad (Reddi et al. 2018; {@code amsgrad=True}) keeps the running maximum of the second moments
 * ({@code "max_exp_avg_sq.<index>"}, PyTorch's {@code max_exp_avg_sqs}) and divides by its root instead:
 * {@code v̂ ← max(v̂, v)}; {@code p ← p − lr/(1 − β1^t) · m / (√v̂/√(1 − β2^t) + eps)}, with Adam or AdamW.
 *
 * <p>Options per {@linkplain ParamGroup group}: {@code lr}, {@code beta1}, {@code beta2}, {@code eps},
 * {@code weight_decay}, {@code amsgrad}, {@code decoupled} (AdamW), see {@link #builder()}.
 */
public final class Adam extends Optimizer {
    private static final int LR = 0, BETA1 = 1, BETA2 = 2, EPS = 3, WD = 4, AMSGRAD = 5, DECOUPLED = 6;
    private final List<Tensor> m, v, vmax;
    /** Updates each parameter has had (PyTorch's per-parameter {@code step}). */
    private final long[] paramSteps;
    /** The update over element ranges, reused from call to call (a step allocates nothing). */
    private final Lanes lanes = new Lanes();

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /**
     * @param decoupled false: Adam with L2 in the gradient; true: AdamW
     */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        this(List.of(new ParamGroup(dev.jgrad.core.Shape.nonNull("Adam", "params", params)).lr(lr).betas(beta1, beta2).eps(eps).weightDecay(weightDecay)
                .decoupled(decoupled)));
    }

    /**
     * Adam over parameter groups; options a group does not set take PyTorch's defaults (lr 1e-3, betas (0.9, 0.999),
     * eps 1e-8, weight decay 0, no AMSGrad, not decoupled).
     *
     * @throws IllegalArgumentException naming the group and option on a bad option
     */
    public Adam(List<ParamGroup> groups) {
        super(groups, DEFAULTS);
        this.m = slots(params.size());
        this.v = slots(params.size());
        this.vmax = slots(params.size());
        this.paramSteps = new long[params.size()];
    }

    private static final Map<String, Double> DEFAULTS = defaults("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0, "amsgrad", 0.0, "decoupled", 0.0);


    /** A builder of Adam over parameter groups, e.g. {@code Adam.builder().lr(1e-3).group(w).group(b, g -> g.weightDecay(0)).build()}. */
    public static Builder<Adam> builder() {
        return new Builder<>(Adam::new);
    }

    @Override
    protected void checkOptions(String where, Map<String, Double> o) {
        super.checkOptions(where, o);
        double beta1 = o.get("beta1"), beta2 = o.get("beta2");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: " + where + "betas (" + beta1 + ", " + beta2 + ") must be in [0, 1)");
        }
        checkNonNegative(where + "eps", o.get("eps"));
        checkNonNegative(where + "weightDecay", o.get("weight_decay"));
    }

    /** AdamW with PyTorch's defaults (weight decay 0.01). */
    public static Adam adamW(List<Tensor> params, double lr) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, 0.01, true);
    }

    /** AdamW with the given weight decay. */
    public static Adam adamW(List<Tensor> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    @Override
    protected void update(int i, Storage p, Storage grad, int n) {
        update(Kernels.backend(), i, p, grad, n);
    }

    /** {@link #update(int, Storage, Storage, int)} with the SIMD form and threads that {@code kernels} asks for. */
    void update(KernelBackend kernels, int i, Storage p, Storage grad, int n) {
        int grp = groupOf(i);
        Storage ms = buffer(m, i), vs = buffer(v, i), vm = flag(grp, AMSGRAD) ? buffer(vmax, i) : null;
        long t = ++paramSteps[i];
        double stepSize = option(grp, LR) / (1 - Math.pow(option(grp, BETA1), t)), bc2 = Math.sqrt(1 - Math.pow(option(grp, BETA2), t));
        if (!inLanes(kernels, p, grad, ms, vs, vm)) {
            rule(grp, p, grad, ms, vs, vm, 0, n, stepSize, bc2);
            return;
        }
        lanes.group = grp;
        lanes.p = p;
        lanes.g = grad;
        lanes.m = ms;
        lanes.v = vs;
        lanes.vmax = vm;
        lanes.stepSize = stepSize;
        lanes.bc2 = bc2;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule of group {@code grp} over elements {@code [from, to)}, every operation rounded to the parameter's
     * precision in this order: AdamW {@code p ← p·(1 − lr·wd)}, Adam {@code g ← g + wd·p} (when {@code wd ≠ 0});
     * {@code m ← β1·m + (1 − β1)·g}; {@code v ← β2·v + ((1 − β2)·g)·g}; AMSGrad {@code v̂ ← max(v̂, v)};
     * {@code p ← p − (stepSize·m) / (√v / bc2 + eps)} (AMSGrad: {@code √v̂}) with {@code stepSize = lr / (1 − β1^t)}
     * and {@code bc2 = √(1 − β2^t)}.
     *
     * @param vmax AMSGrad's maximum of the second moments, or null
     */
    private void rule(int grp, Storage p, Storage g, Storage m, Storage v, Storage vmax, int from, int to, double stepSize, double bc2) {
        double lr = option(grp, LR), beta1 = option(grp, BETA1), beta2 = option(grp, BETA2), weightDecay = option(grp, WD);
        boolean decoupled = flag(grp, DECOUPLED);
        double decay = p.round(1 - lr * weightDecay), wd = p.round(weightDecay), b1 = p.round(beta1), c1 = p.round(1 - beta1),
                b2 = p.round(beta2), c2 = p.round(1 - beta2), e = p.round(option(grp, EPS)), step = p.round(stepSize), bc = p.round(bc2);
        for (int k = from; k < to; k++) {
            double pk = p.get(k);
            double gk = g.get(k);
            if (decoupled) pk = p.round(pk * decay);
            else if (weightDecay != 0) gk = p.round(gk + p.round(wd * pk));
            double mk = p.round(p.round(b1 * m.get(k)) + p.round(c1 * gk));
            double vk = p.round(p.round(b2 * v.get(k)) + p.round(p.round(c2 * gk) * gk));
            m.set(k, mk);
            v.set(k, vk);
            if (vmax != null) {
                vk = Math.max(vmax.get(k), vk);
                vmax.set(k, vk);
            }
            double denom = p.round(p.round(p.round(Math.sqrt(vk)) / bc) + e);
            p.set(k, p.round(pk - p.round(p.round(step * mk) / denom)));
        }
    }

    /** The float32 / float64 step over element ranges: lanes of the element type, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        int group;
        Storage p, g, m, v, vmax;
        double stepSize, bc2;

        @Override
        protected void range(int from, int to) {
            int done = p instanceof Storage.F32
                    ? UpdateLanesF32.adam(f32(p), f32(g), f32(m), f32(v), f32(vmax), from, to, option(group, LR), option(group, BETA1),
                            option(group, BETA2), option(group, EPS), option(group, WD), flag(group, DECOUPLED), stepSize, bc2)
                    : UpdateLanesF64.adam(f64(p), f64(g), f64(m), f64(v), f64(vmax), from, to, option(group, LR), option(group, BETA1),
                            option(group, BETA2), option(group, EPS), option(group, WD), flag(group, DECOUPLED), stepSize, bc2);
            rule(group, p, g, m, v, vmax, done, to, stepSize, bc2);
        }

        @Override
        protected void clear() {
            p = g = m = v = vmax = null;
        }
    }

    @Override
    protected java.util.Set<String> nonNegativeBuffers() {
        return java.util.Set.of("exp_avg_sq", "max_exp_avg_sq");
    }

    @Override
    protected Map<String, long[]> counters() {
        return Map.of("step", paramSteps);
    }

    @Override
    protected Map<String, List<Tensor>> buffers() {
        Map<String, List<Tensor>> b = new LinkedHashMap<>();
        b.put("exp_avg", m);
        b.put("exp_avg_sq", v);
        b.put("max_exp_avg_sq", vmax);
        return b;
    }
}
