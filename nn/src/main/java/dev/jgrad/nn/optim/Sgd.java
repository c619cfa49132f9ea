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
 * operation rounded, no fused multiply-add ({@link #rule}). For float32 and float64 parameters with a SIMD kernel backend
 * ({@link KernelBackend#simd()}) the plain and heavy-ball steps run in lanes of their type ({@link UpdateLanesF32#sgd} and its float64 twin: the same
 * operations in the same order, so the same bits), over large parameters on several threads ({@link ParallelRanges});
 * the first momentum step and Nesterov use the scalar rule.
 *
 * <p>Options per {@linkplain ParamGroup group}: {@code lr}, {@code momentum}, {@code dampening}, {@code weight_decay},
 * {@code nesterov}, see {@link #builder()}.
 */
public final class Sgd extends Optimizer {
    private static final int LR = 0, MOMENTUM = 1, DAMPENING = 2, WD = 3, NESTEROV = 4;
    private static final Map<String, Double> DEFAULTS = defaults("lr", 1e-3, "momentum", 0.0, "dampening", 0.0, "weight_decay", 0.0, "nesterov", 0.0);
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
        this(List.of(new ParamGroup(dev.jgrad.core.Shape.nonNull("Sgd", "params", params)).lr(lr).momentum(momentum).dampening(dampening).nesterov(nesterov)
                .weightDecay(weightDecay)));
    }

    /**
     * SGD over parameter groups; options a group does not set take the defaults (lr 1e-3, no momentum, dampening 0,
     * no weight decay, no Nesterov). PyTorch requires an lr; jgrad's default is only for groups built with
     * {@link #builder()} without one.
     *
     * @throws IllegalArgumentException naming the group and option on a bad option
     */
    public Sgd(List<ParamGroup> groups) {
        super(groups, DEFAULTS);
        this.momentumBuffers = slots(params.size());
    }


    /** A builder of SGD over parameter groups, e.g. {@code Sgd.builder().lr(0.1).defaults(d -> d.momentum(0.9)).group(w).build()}. */
    public static Builder<Sgd> builder() {
        return new Builder<>(Sgd::new);
    }

    @Override
    protected void checkOptions(String where, Map<String, Double> o) {
        super.checkOptions(where, o);
        checkNonNegative(where + "momentum", o.get("momentum"));
        checkNonNegative(where + "dampening", o.get("dampening"));
        checkNonNegative(where + "weightDecay", o.get("weight_decay"));
        if (o.get("nesterov") != 0 && (o.get("momentum") <= 0 || o.get("dampening") != 0)) {
            throw new IllegalArgumentException("Sgd: " + where + "Nesterov momentum requires momentum > 0 and dampening 0");
        }
    }

    @Override
    protected void update(int i, Storage p, Storage grad, int n) {
        update(Kernels.backend(), i, p, grad, n);
    }

    /** {@link #update(int, Storage, Storage, int)} with the SIMD form and threads that {@code kernels} asks for. */
    void update(KernelBackend kernels, int i, Storage p, Storage grad, int n) {
        int grp = groupOf(i);
        boolean first = momentumBuffers.get(i) == null;
        Storage b = option(grp, MOMENTUM) != 0 ? buffer(momentumBuffers, i) : null;
        boolean vector = inLanes(kernels, p, grad, b, null, null) && (b == null || !first && !flag(grp, NESTEROV));
        if (!vector) {
            rule(grp, p, grad, b, 0, n, first);
            return;
        }
        lanes.group = grp;
        lanes.p = p;
        lanes.g = grad;
        lanes.buf = b;
        lanes.runElements(n, kernels.threads());
    }

    /**
     * The rule of group {@code grp} over elements {@code [from, to)}, every operation rounded to the parameter's precision:
     * {@code d = g + wd·p} (only when {@code wd ≠ 0}); {@code buf = first ? d : momentum·buf + (1 − dampening)·d} (when
     * {@code buf != null}); {@code d = nesterov ? d + momentum·buf : buf}; {@code p = p − lr·d}.
     *
     * @param buf the momentum buffer, or null for plain SGD (momentum 0)
     */
    private void rule(int grp, Storage p, Storage g, Storage buf, int from, int to, boolean first) {
        double weightDecay = option(grp, WD);
        boolean nesterov = flag(grp, NESTEROV);
        double wd = p.round(weightDecay), mom = p.round(option(grp, MOMENTUM)), damp = p.round(1 - option(grp, DAMPENING)),
                rate = p.round(option(grp, LR));
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

    /** The float32 / float64 step over element ranges: lanes of the element type, then the scalar rule for the tail. */
    private final class Lanes extends ParallelRanges {
        int group;
        Storage p, g, buf;

        @Override
        protected void range(int from, int to) {
            int done = p instanceof Storage.F32
                    ? UpdateLanesF32.sgd(f32(p), f32(g), f32(buf), from, to, option(group, LR), option(group, MOMENTUM),
                            option(group, DAMPENING), option(group, WD))
                    : UpdateLanesF64.sgd(f64(p), f64(g), f64(buf), from, to, option(group, LR), option(group, MOMENTUM),
                            option(group, DAMPENING), option(group, WD));
            rule(group, p, g, buf, done, to, false);
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
