package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;

import java.util.Arrays;

/**
 * The targets of a classification loss as coefficients on the log-probabilities.
 *
 * <p>Every loss of the cross-entropy family is linear in the log-probabilities {@code lp}:
 * {@code l_i = -Σ_c a_ic · lp_ic}, with
 * <ul>
 *   <li>class-index targets {@code t_i}: {@code a_ic = (1-ε)·w[t_i]·[c = t_i] + (ε/C)·w_c}, and {@code a_i· = 0}
 *       for ignored samples ({@code t_i == ignoreIndex}); the smoothing term is formed only when {@code ε > 0}
 *       (so a {@code -inf} non-target log-probability gives a finite loss when {@code ε = 0});</li>
 *   <li>probability targets {@code T}: {@code a_ic = w_c · ((1-ε)·T_ic + ε/C)}, always multiplied (so a
 *       {@code -inf} log-probability with target 0 gives NaN, {@code 0·(-inf)}, as in PyTorch).</li>
 * </ul>
 * {@code mean} divides by {@code Σ_{i not ignored} w[t_i]} (index targets) or by {@code N} (probability targets).
 * The same coefficients serve the fused cross-entropy, {@code nll_loss}, and every naive strategy.
 */
final class ClassTargets {
    // not final: inside a graph-reusing Workspace the instance of an earlier step is set again (Workspace.reuse)
    String op;
    int n, c;
    boolean batched;
    IntTensor index;     // index targets, or null
    Tensor probs;        // probability targets, or null
    Storage weight;      // [C] or null
    int ignoreIndex;
    double eps;
    Reduction reduction;

    private ClassTargets() {
    }

    /** Validated targets: a new instance, or inside a graph-reusing {@link Workspace} one that an earlier step used. */
    private static ClassTargets of(String op, int n, int c, boolean batched, IntTensor index, Tensor probs, Tensor weight,
                                   int ignoreIndex, double eps, Reduction reduction) {
        ClassTargets t = Workspace.reuse(ClassTargets.class);
        if (t == null) t = Workspace.recyclable(new ClassTargets());
        t.set(op, n, c, batched, index, probs, weight, ignoreIndex, eps, reduction);
        return t;
    }

    private void set(String op, int n, int c, boolean batched, IntTensor index, Tensor probs, Tensor weight,
                     int ignoreIndex, double eps, Reduction reduction) {
        this.meanDivisor = Double.NaN;
        this.allIgnored = null;
        this.op = op;
        this.n = n;
        this.c = c;
        this.batched = batched;
        this.index = index;
        this.probs = probs;
        this.weight = weight == null ? null : weight.storage();
        this.ignoreIndex = ignoreIndex;
        this.eps = eps;
        this.reduction = reduction;
    }

    /** Validates {@code input [N,C] | [C]} against index targets {@code [N] | []}. */
    static ClassTargets ofIndices(String op, Tensor input, IntTensor target, Tensor weight, int ignoreIndex,
                                  double eps, Reduction reduction) {
        requireInput(op, input);
        // rank(), size() and numel() read the shapes without copying them (this runs on every loss call)
        boolean batched = input.rank() == 2;
        int n = batched ? input.size(0) : 1, c = input.size(-1);
        if (target == null) throw new IllegalArgumentException(op + ": target is null");
        boolean matches = batched ? target.rank() == 1 && target.numel() == n
                : target.rank() == 0 || target.rank() == 1 && target.numel() == 1;
        if (!matches) {
            throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape()) + " does not match input "
                    + Shape.str(input.shape()) + " (expected " + (batched ? "[" + n + "]" : "[]") + " class indices)");
        }
        for (int i = 0; i < target.numel(); i++) {
            int t = target.get(i);
            if (t != ignoreIndex && (t < 0 || t >= c)) {
                throw new IllegalArgumentException(op + ": target " + t + " at position " + i + " is out of range [0, " + c
                        + ") for input " + Shape.str(input.shape()) + (t < 0 ? " (and is not ignore_index " + ignoreIndex + ")" : ""));
            }
        }
        checkCommon(op, input, weight, c, eps, reduction);
        return of(op, n, c, batched, target, null, weight, ignoreIndex, eps, reduction);
    }

    /** Validates {@code input [N,C] | [C]} against probability targets of the same shape and dtype. */
    static ClassTargets ofProbabilities(String op, Tensor input, Tensor target, Tensor weight, double eps, Reduction reduction) {
        requireInput(op, input);
        int[] is = input.shape();
        if (target == null) throw new IllegalArgumentException(op + ": target is null");
        if (!Arrays.equals(target.shape(), is)) {
            throw new IllegalArgumentException(op + ": probability target of shape " + Shape.str(target.shape())
                    + " must have the input's shape " + Shape.str(is));
        }
        if (target.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": probability target dtype " + target.dtype() + " differs from input dtype " + input.dtype());
        }
        boolean batched = is.length == 2;
        int c = is[is.length - 1];
        checkCommon(op, input, weight, c, eps, reduction);
        return of(op, batched ? is[0] : 1, c, batched, null, target, weight, 0, eps, reduction);
    }

    private static void requireInput(String op, Tensor input) {
        if (input == null) throw new IllegalArgumentException(op + ": input is null");
        if (input.rank() != 1 && input.rank() != 2) {
            throw new IllegalArgumentException(op + ": input must be [N, C] or [C], got " + Shape.str(input.shape()));
        }
        if (input.size(-1) == 0) throw new IllegalArgumentException(op + ": input " + Shape.str(input.shape()) + " has no classes");
    }

    private static void checkCommon(String op, Tensor input, Tensor weight, int c, double eps, Reduction reduction) {
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction is null");
        reduction.requireNotBatchmean(op);
        if (!(eps >= 0 && eps <= 1)) throw new IllegalArgumentException(op + ": label_smoothing " + eps + " must be in [0, 1]");
        if (weight == null) return;
        if (weight.rank() != 1 || weight.size(0) != c) {
            throw new IllegalArgumentException(op + ": weight of shape " + Shape.str(weight.shape()) + " must be [" + c + "] (one per class)");
        }
        if (weight.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": weight dtype " + weight.dtype() + " differs from input dtype " + input.dtype());
        }
        for (int k = 0; k < c; k++) {
            double w = weight.get(k);
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(op + ": weight[" + k + "] = " + w + " must be finite and non-negative");
            }
        }
    }

    double w(int k) {
        return weight == null ? 1.0 : weight.get(k);
    }

    boolean ignored(int i) {
        return index != null && index.get(i) == ignoreIndex;
    }

    /** The target class of sample {@code i} (index targets). */
    int target(int i) {
        return index.get(i);
    }

    /** The smoothed probability target {@code (1-ε)·T_ic + ε/C}. */
    double smoothed(int i, int k) {
        return (1 - eps) * probs.get(i * c + k) + eps / c;
    }

    /** {@code Σ_c a_ic}: the weight of the row's softmax in the fused gradient. */
    double rowMass(int i) {
        if (ignored(i)) return 0;
        double s = 0;
        if (index != null) {
            if (eps > 0) for (int k = 0; k < c; k++) s += w(k);
            return (1 - eps) * w(target(i)) + (eps / c) * s;
        }
        for (int k = 0; k < c; k++) s += w(k) * smoothed(i, k);
        return s;
    }

    /**
     * {@code -Σ_c a_ic · v_ic} with {@code v_ic = (x[i,c] - shift) - logSum}: the log-probabilities when
     * {@code shift, logSum} are the row's log-sum-exp parts, or the input itself when both are 0.
     */
    double rowLoss(Storage x, int i, double shift, double logSum) {
        if (ignored(i)) return 0;
        int base = i * c;
        if (index != null) {
            int t = target(i);
            double l = -(1 - eps) * w(t) * ((x.get(base + t) - shift) - logSum);
            if (eps > 0) {
                double s = 0;
                for (int k = 0; k < c; k++) s += w(k) * ((x.get(base + k) - shift) - logSum);
                l -= (eps / c) * s;
            }
            return l;
        }
        double s = 0;
        for (int k = 0; k < c; k++) s += w(k) * smoothed(i, k) * ((x.get(base + k) - shift) - logSum);
        return -s;
    }

    /** Subtracts {@code scale·a_ic} from row {@code i} of {@code out}. */
    void subtractCoefficients(Storage out, int i, double scale) {
        if (ignored(i)) return;
        int base = i * c;
        if (index != null) {
            int t = target(i);
            out.add(base + t, -scale * (1 - eps) * w(t));
            if (eps > 0) for (int k = 0; k < c; k++) out.add(base + k, -scale * (eps / c) * w(k));
            return;
        }
        for (int k = 0; k < c; k++) out.add(base + k, -scale * w(k) * smoothed(i, k));
    }

    private double meanDivisor = Double.NaN;
    private Boolean allIgnored;

    /** The {@code mean} divisor (computed once: backward asks for it once per row). */
    double meanDivisor() {
        if (Double.isNaN(meanDivisor)) {
            if (index == null) {
                meanDivisor = n;
            } else {
                double s = 0;
                for (int i = 0; i < n; i++) if (!ignored(i)) s += w(target(i));
                meanDivisor = s;
            }
        }
        return meanDivisor;
    }

    private static final int[] SCALAR = new int[0];

    /** Output shape per reduction: {@code [N]} (or {@code []} unbatched) for NONE, a scalar otherwise (shared: never modify). */
    int[] outputShape() {
        return reduction == Reduction.NONE && batched ? new int[]{n} : SCALAR;
    }

    /**
     * Reduces per-sample losses {@code l} into the output tensor; {@code allIgnoredMeanIsZero} turns the
     * 0/0 of a mean over no samples into 0.
     */
    Tensor reduce(double[] l, Tensor like, boolean allIgnoredMeanIsZero) {
        Tensor out = Tensor.scratch(like.dtype(), outputShape());
        if (reduction == Reduction.NONE) {
            for (int i = 0; i < n; i++) out.set(i, l[i]);
            return out;
        }
        double s = 0;
        for (double v : l) s += v;
        if (reduction == Reduction.MEAN) {
            double d = meanDivisor();
            s = (d == 0 && allIgnoredMeanIsZero && allIgnored()) ? 0 : s / d;
        }
        out.set(0, s);
        return out;
    }

    boolean allIgnored() {
        if (allIgnored == null) {
            boolean all = true;
            for (int i = 0; i < n && all; i++) all = ignored(i);
            allIgnored = all;
        }
        return allIgnored;
    }

    /** The upstream gradient of sample {@code i}'s loss. */
    double rowScale(Tensor g, int i, boolean allIgnoredMeanIsZero) {
        if (reduction == Reduction.NONE) return g.get(i);
        if (reduction == Reduction.SUM) return g.get(0);
        double d = meanDivisor();
        if (d == 0 && allIgnoredMeanIsZero && allIgnored()) return 0;
        return g.get(0) / d;
    }
}
