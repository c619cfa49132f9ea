package dev.jgrad.nn.optim;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ParallelRanges;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum (Polyak 1964; the form of Sutskever et al. 2013, as in PyTorch),
 * optional Nesterov momentum and L2 weight decay — PyTorch's {@code torch.optim.SGD} rule:
 * <pre>
 * g ← ∇ + weightDecay·p
 * b ← g                          (first step)
 * b ← momentum·b + (1 − dampening)·g
 * g ← nesterov ? g + momentum·b : b
 * p ← p − lr·g
 * </pre>
 * evaluated in the parameter's precision, as PyTorch's kernels do: the hyper-parameters rounded to it, every
 * operation rounded, no fused multiply-add ({@link #rule}). For float32 parameters with a SIMD kernel backend
 * ({@link KernelBackend#simd()}) the plain and heavy-ball steps run in float lanes ({@link UpdateLanes#sgd}: the same
 * operations in the same order, so the same bits), over large parameters on several threads ({@link ParallelRanges});
 * the first momentum step and Nesterov use the scalar rule.
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final List<Tensor> momentumBuffers;
    /** The update over element ranges, reused from call to call (a step allocates nothing). */
    private final Lanes lanes = new Lanes();

    /** Plain SGD. */
    public Sgd(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false, 0);
    }

    /**
     * @param momentum    momentum factor (0 = none)
     * @param dampening   dampening of the momentum
     * @param nesterov    Nesterov momentum (needs momentum &gt; 0 and dampening 0)
     * @param weightDecay L2 penalty added to the gradient
     */
    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        super(params, lr);
        checkNonNegative("momentum", momentum);
        checkNonNegative("dampening", dampening);
        checkNonNegative("weightDecay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Sgd: Nesterov momentum requires momentum > 0 and dampening 0");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.momentumBuffers = slots(params.size());
    }

    @Override
    protected void update(int i, Storage p, Storage grad, int n) {
        update(Kernels.backend(), i, p, grad, n);
    }

    /** {@link #update(int, Storage, Storage, int)} with the SIMD form and threads that {@code kernels} asks for. */
    void update(KernelBackend kernels, int i, Storage p, Storage grad, int n) {
        boolean first = momentumBuffers.get(i) == null;
        Storage b = momentum != 0 ? buffer(momentumBuffers, i) : null;
        boolean vector = kernels.simd() && p instanceof Storage.F32 && grad instanceof Storage.F32
                && (b == null || b instanceof Storage.F32 && !first && !nesterov);
        if (!vector) {
            rule(p, grad, b, 0, n, first);
            return;
        }
        lanes.p = p;
        lanes.g = grad;
        lanes.buf = b;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule over elements {@code [from, to)}, every operation rounded to the parameter's precision:
     * {@code d = g + wd·p} (only when {@code wd ≠ 0}); {@code buf = first ? d : momentum·buf + (1 − dampening)·d} (when
     * {@code buf != null}); {@code d = nesterov ? d + momentum·buf : buf}; {@code p = p − lr·d}.
     *
     * @param buf the momentum buffer, or null for plain SGD (momentum 0)
     */
    private void rule(Storage p, Storage g, Storage buf, int from, int to, boolean first) {
        double wd = p.round(weightDecay), mom = p.round(momentum), damp = p.round(1 - dampening), rate = p.round(lr);
        for (int k = from; k < to; k++) {
            double pk = p.get(k);
            double d = g.get(k);
            if (weightDecay != 0) d = p.round(d + p.round(wd * pk));
            if (buf != null) {
                double bk = first ? d : p.round(p.round(mom * buf.get(k)) + p.round(damp * d));
                buf.set(k, bk);
                d = nesterov ? p.round(d + p.round(mom * bk)) : bk;
            }
            p.set(k, p.round(pk - p.round(rate * d)));
        }
    }

    /** The float32 step over element ranges: float lanes, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        Storage p, g, buf;

        @Override
        protected void range(int from, int to) {
            float[] ba = buf == null ? null : ((Storage.F32) buf).a;
            int done = UpdateLanes.sgd(((Storage.F32) p).a, ((Storage.F32) g).a, ba, from, to, lr, momentum, dampening, weightDecay);
            rule(p, g, buf, done, to, false);
        }

        @Override
        protected void clear() {
            p = g = buf = null;
        }
    }

    @Override
    protected Map<String, List<Tensor>> buffers() {
        return Map.of("momentum", momentumBuffers);
    }
}
