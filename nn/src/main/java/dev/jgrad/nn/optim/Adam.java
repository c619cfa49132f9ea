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
 * operation rounded in the order of {@link #rule}, no fused multiply-add. For float32 parameters with a SIMD kernel
 * backend ({@link KernelBackend#simd()}) the rule runs in float lanes ({@link UpdateLanes#adam}: the same operations in
 * the same order, so the same bits), over large parameters on several threads ({@link ParallelRanges}).
 *
 * <p>As in PyTorch, {@code t} is counted per parameter: a parameter without a gradient in a step is skipped and its
 * count stays, so its bias correction is that of the updates it has actually had. The counts are in the
 * {@link #state()} as {@code "step.<index>"}.
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final List<Tensor> m, v;
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
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas (" + beta1 + ", " + beta2 + ") must be in [0, 1)");
        }
        checkNonNegative("eps", eps);
        checkNonNegative("weightDecay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = slots(params.size());
        this.v = slots(params.size());
        this.paramSteps = new long[params.size()];
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
        Storage ms = buffer(m, i), vs = buffer(v, i);
        long t = ++paramSteps[i];
        double stepSize = lr / (1 - Math.pow(beta1, t)), bc2 = Math.sqrt(1 - Math.pow(beta2, t));
        if (!(kernels.simd() && p instanceof Storage.F32 && grad instanceof Storage.F32 && ms instanceof Storage.F32
                && vs instanceof Storage.F32)) {
            rule(p, grad, ms, vs, 0, n, stepSize, bc2);
            return;
        }
        lanes.p = (Storage.F32) p;
        lanes.g = (Storage.F32) grad;
        lanes.m = (Storage.F32) ms;
        lanes.v = (Storage.F32) vs;
        lanes.stepSize = stepSize;
        lanes.bc2 = bc2;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule over elements {@code [from, to)}, every operation rounded to the parameter's precision in this order:
     * AdamW {@code p ← p·(1 − lr·wd)}, Adam {@code g ← g + wd·p} (when {@code wd ≠ 0}); {@code m ← β1·m + (1 − β1)·g};
     * {@code v ← β2·v + ((1 − β2)·g)·g}; {@code p ← p − (stepSize·m) / (√v / bc2 + eps)} with
     * {@code stepSize = lr / (1 − β1^t)} and {@code bc2 = √(1 − β2^t)}.
     */
    private void rule(Storage p, Storage g, Storage m, Storage v, int from, int to, double stepSize, double bc2) {
        double decay = p.round(1 - lr * weightDecay), wd = p.round(weightDecay), b1 = p.round(beta1), c1 = p.round(1 - beta1),
                b2 = p.round(beta2), c2 = p.round(1 - beta2), e = p.round(eps), step = p.round(stepSize), bc = p.round(bc2);
        for (int k = from; k < to; k++) {
            double pk = p.get(k);
            double gk = g.get(k);
            if (decoupled) pk = p.round(pk * decay);
            else if (weightDecay != 0) gk = p.round(gk + p.round(wd * pk));
            double mk = p.round(p.round(b1 * m.get(k)) + p.round(c1 * gk));
            double vk = p.round(p.round(b2 * v.get(k)) + p.round(p.round(c2 * gk) * gk));
            m.set(k, mk);
            v.set(k, vk);
            double denom = p.round(p.round(p.round(Math.sqrt(vk)) / bc) + e);
            p.set(k, p.round(pk - p.round(p.round(step * mk) / denom)));
        }
    }

    /** The float32 step over element ranges: float lanes, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        Storage.F32 p, g, m, v;
        double stepSize, bc2;

        @Override
        protected void range(int from, int to) {
            int done = UpdateLanes.adam(p.a, g.a, m.a, v.a, from, to, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2);
            rule(p, g, m, v, done, to, stepSize, bc2);
        }

        @Override
        protected void clear() {
            p = g = m = v = null;
        }
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
        return b;
    }
}
