package dev.jgrad.losses;

import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/**
 * {@code nll_loss} generalised to smoothing and probability targets: {@code l_i = -Σ_c a_ic · lp_ic}
 * (see {@link FusedCrossEntropy.Targets}), linear in the log-probabilities {@code lp}.
 *
 * <p>Backward: {@code d lp_ic = -s_i a_ic} (only the target entry for index targets without smoothing);
 * {@code d T_ic = -s_i w_c (1-ε) lp_ic} for probability targets.
 */
final class NllFromLogProbs extends Function {
    /** This node's copy of its call's targets (the node is recycled with it). */
    private final FusedCrossEntropy.Targets targets = new FusedCrossEntropy.Targets();
    private boolean allIgnoredMeanIsZero;
    private String name;

    private NllFromLogProbs() {
    }

    /**
     * The loss of log-probabilities against {@code targets} (applied to {@code lp}, or to {@code (lp, probs)} for
     * probability targets), named {@code name} in messages.
     */
    static NllFromLogProbs of(String name, FusedCrossEntropy.Targets targets, boolean allIgnoredMeanIsZero) {
        NllFromLogProbs op = node(NllFromLogProbs.class, NllFromLogProbs::new);
        op.name = name;
        op.targets.copyFrom(targets);
        op.allIgnoredMeanIsZero = allIgnoredMeanIsZero;
        return op;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor lp = in[0];
        double[] l = new double[targets.n];
        for (int i = 0; i < targets.n; i++) l[i] = targets.rowLoss(lp.storage(), i, 0.0, 0.0);
        save(lp);
        return targets.reduce(l, out(lp.dtype(), targets.outputShape()), allIgnoredMeanIsZero, lp.storage(), null, null);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor lp = saved()[0];
        Tensor[] grads = targets.probs == null ? gradients(null) : gradients(null, null);
        double[] scale = new double[targets.n];
        for (int i = 0; i < targets.n; i++) scale[i] = targets.ignored(i) ? 0 : targets.rowScale(g, i, allIgnoredMeanIsZero);
        if (needsInputGrad(0)) {
            Tensor gl = outLike(lp);
            for (int i = 0; i < targets.n; i++) targets.subtractCoefficients(gl.storage(), i, scale[i]);
            grads[0] = gl;
        }
        if (grads.length == 2 && needsInputGrad(1)) {
            Tensor gt = outLike(targets.probs);
            Storage out = gt.storage(), ls = lp.storage();
            int c = targets.c;
            for (int i = 0; i < targets.n; i++) {
                for (int k = 0; k < c; k++) {
                    int at = targets.at(i, k);
                    out.set(at, -scale[i] * targets.w(k) * (1 - targets.eps) * ls.get(at));
                }
            }
            grads[1] = gt;
        }
        return grads;
    }
}
