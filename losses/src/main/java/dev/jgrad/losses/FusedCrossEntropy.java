package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

/**
 * Fused softmax cross-entropy: one node from logits to loss.
 *
 * <p>Forward: per row the max {@code m_i} (a constant) and {@code s_i = log Σ_c exp(x_ic - m_i)}, kept apart in
 * double precision, then {@code l_i = -Σ_c a_ic ((x_ic - m_i) - s_i)} with the target
 * coefficients of {@link ClassTargets} — for a class index and no smoothing simply
 * {@code w_t (s_i - (x_it - m_i))}. Softmax and its log are never materialised.
 *
 * <p>Backward, one pass per row: {@code dx_ic = g_i (A_i · exp((x_ic - m_i) - s_i) - a_ic)} with {@code g_i} the
 * upstream gradient of row {@code i} and {@code A_i = Σ_c a_ic}. The target element of an index row is
 * written as {@code g_i w_t expm1((x_it - m_i) - s_i)}, so it keeps full relative accuracy when the prediction is
 * confident. Saves the logits (a reference) and the {@code 2N} row maxima and log-sums.
 *
 * <p>For class-index targets without smoothing, when the logits need a gradient, the forward pass also keeps the
 * unnormalised softmax {@code e_ic = exp(x_ic - m_i)} that its exp-sum computes anyway, in an {@code [N, C]} scratch
 * tensor (as much memory as the gradient, which it becomes — PyTorch's {@code cross_entropy} keeps its
 * log-softmax the same way): the first backward scales it in place, {@code dx_ic = e_ic · (g_i w_t e^{-s_i})}, one
 * multiply per element instead of a second exp, and hands it out as the gradient. A second backward through a
 * retained graph recomputes the exps from the logits.
 */
final class FusedCrossEntropy extends Function {
    private ClassTargets targets;
    private boolean allIgnoredMeanIsZero;
    private double[] shift, logSum;
    /** The scratch tensors behind {@link #shift} and {@link #logSum}: reading them in backward checks they are still live. */
    private Tensor shiftT, logSumT;
    /** The gradient's tensor, allocated by forward (index targets without smoothing); null once handed out. */
    private Tensor exps;
    /** Whether forward's kernel stored the exps in {@link #exps} (a backend may decline). */
    private boolean expsFilled;

    /** Sets the targets and the empty-mean convention (on every use: the node may be recycled, {@link Function#node}). */
    FusedCrossEntropy of(ClassTargets targets, boolean allIgnoredMeanIsZero) {
        this.targets = targets;
        this.allIgnoredMeanIsZero = allIgnoredMeanIsZero;
        return this;
    }

    @Override
    public String name() {
        return "cross_entropy";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0];
        int n = targets.n, c = targets.c;
        shiftT = Tensor.scratchUninitialized(DType.FLOAT64, n);
        logSumT = Tensor.scratchUninitialized(DType.FLOAT64, n);
        shift = doubles(shiftT);
        logSum = doubles(logSumT);
        // not cleared: the forward stores the exps of every row the backward reads them for, the backward writes all
        exps = targets.index != null && targets.eps == 0 && needsInputGrad(0) ? Tensor.scratchUninitializedLike(x) : null;
        expsFilled = Kernels.crossEntropyForward(x.storage(), shift, logSum, exps == null ? null : exps.storage(), n, c);
        double[] l = doubles(Tensor.scratchUninitialized(DType.FLOAT64, n));
        Storage xs = x.storage();
        for (int i = 0; i < n; i++) l[i] = targets.rowLoss(xs, i, shift[i], logSum[i]);
        save(x);
        return targets.reduce(l, x, allIgnoredMeanIsZero);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved()[0];
        int n = targets.n, c = targets.c;
        Storage xs = x.storage();
        shift = doubles(shiftT); // throws if a Workspace scope closed between forward and backward
        logSum = doubles(logSumT);
        double[] scale = doubles(Tensor.scratchUninitialized(DType.FLOAT64, n));
        for (int i = 0; i < n; i++) scale[i] = targets.ignored(i) ? 0 : targets.rowScale(g, i, allIgnoredMeanIsZero);
        Tensor[] grads = targets.probs == null ? gradients(null) : gradients(null, null);
        Tensor saved = exps;
        exps = null; // returned below (the engine may adopt it as the gradient): never reused
        if (needsInputGrad(0)) {
            boolean fused = targets.index != null && targets.eps == 0;
            // the fused kernel writes every element, so its tensor need not be cleared (the other loop skips ignored rows)
            Tensor gx = saved != null ? saved : fused ? Tensor.scratchUninitializedLike(x) : Tensor.scratchLike(x);
            Storage out = gx.storage();
            if (fused) {
                // one kernel writes every element (ignored rows as zeros, the target element by expm1), scaling the
                // forward's exps in place when there are some
                double[] rowScale = doubles(Tensor.scratchUninitialized(DType.FLOAT64, n));
                int[] target = targetBuffer(n);
                for (int i = 0; i < n; i++) {
                    boolean ignored = targets.ignored(i);
                    target[i] = ignored ? -1 : targets.target(i);
                    rowScale[i] = ignored ? 0 : scale[i] * targets.w(target[i]);
                }
                Kernels.crossEntropyBackward(xs, shift, logSum, rowScale, target, saved != null && expsFilled ? out : null, out, n, c);
            } else {
                for (int i = 0; i < n; i++) {
                    if (targets.ignored(i)) continue;
                    double mass = targets.rowMass(i), s = scale[i];
                    int base = i * c;
                    for (int k = 0; k < c; k++) out.set(base + k, s * (mass * Math.exp(logProb(xs.get(base + k), i)) - coefficient(i, k)));
                }
            }
            grads[0] = gx;
        }
        if (grads.length == 2 && needsInputGrad(1)) {
            Tensor gt = Tensor.scratchLike(targets.probs);
            Storage out = gt.storage();
            for (int i = 0; i < n; i++) {
                double s = scale[i];
                for (int k = 0; k < c; k++) out.set(i * c + k, -s * targets.w(k) * (1 - targets.eps) * logProb(xs.get(i * c + k), i));
            }
            grads[1] = gt;
        }
        return grads;
    }

    /** Per-thread buffer of the kernel's target indices: only read during the kernel call, so it can be reused. */
    private static final ThreadLocal<int[][]> TARGETS = ThreadLocal.withInitial(() -> new int[1][0]);

    /** This thread's target buffer with room for {@code n} rows (the kernel reads only the first {@code n}). */
    private static int[] targetBuffer(int n) {
        int[][] holder = TARGETS.get();
        if (holder[0].length < n) holder[0] = new int[n];
        return holder[0];
    }

    /** The array of a float64 scratch tensor (row statistics live in the step's Workspace like its tensors). */
    private static double[] doubles(Tensor t) {
        return ((Storage.F64) t.storage()).a;
    }

    /** {@code log softmax = (x - shift) - logSum}, never {@code x - (shift + logSum)}. */
    private double logProb(double x, int i) {
        return (x - shift[i]) - logSum[i];
    }

    private double coefficient(int i, int k) {
        if (targets.index == null) return targets.w(k) * targets.smoothed(i, k);
        int t = targets.target(i);
        return (k == t ? (1 - targets.eps) * targets.w(t) : 0) + (targets.eps / targets.c) * targets.w(k);
    }
}
