package dev.jgrad.nn.optim;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

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
 * As in PyTorch, {@code t} is counted per parameter: a parameter without a gradient in a step is skipped and its
 * count stays, so its bias correction is that of the updates it has actually had. The counts are in the
 * {@link #state()} as {@code "step.<index>"}.
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final List<Tensor> m, v;
    /** Updates each parameter has had (PyTorch's per-parameter {@code step}). */
    private final long[] paramSteps;

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
        Storage ms = buffer(m, i), vs = buffer(v, i);
        long t = ++paramSteps[i];
        double bc1 = 1 - Math.pow(beta1, t), bc2 = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        Kernels.adamUpdate(p, grad, ms, vs, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2);
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
