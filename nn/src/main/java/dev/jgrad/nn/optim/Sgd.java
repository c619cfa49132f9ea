package dev.jgrad.nn.optim;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

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
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final List<Tensor> momentumBuffers;

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
        boolean first = momentumBuffers.get(i) == null;
        Storage b = momentum != 0 ? buffer(momentumBuffers, i) : null;
        Kernels.sgdUpdate(p, grad, b, n, lr, momentum, dampening, weightDecay, nesterov, first);
    }

    @Override
    protected Map<String, List<Tensor>> buffers() {
        return Map.of("momentum", momentumBuffers);
    }
}
