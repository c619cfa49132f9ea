package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

import static dev.jgrad.ops.Ops.mul;
import static dev.jgrad.ops.Ops.pow;
import static dev.jgrad.ops.Ops.sub;
import static dev.jgrad.ops.Ops.sum;

/**
 * The loss functions as static functions ({@code import static dev.jgrad.losses.Losses.*;}), with PyTorch
 * 1.13's names (in camel case), options, defaults and semantics. Every loss is a differentiable node
 * whose backward is exact, works in float32 and float64, and checks its arguments before computing
 * anything (a bad argument is an {@link IllegalArgumentException} naming the loss, the argument and the
 * shapes or values).
 *
 * <p>Where PyTorch's own formula overflows, jgrad evaluates the stable form: {@link #softMarginLoss} is
 * finite for any score (PyTorch's {@code log1p(exp(-y x))} is {@code inf} past ≈ 88.7 in float32). The element-wise
 * losses evaluate each element in double and round once, so a float32 loss is also finite where one of PyTorch's float32
 * intermediates overflows (e.g. {@code (input - target)²} in {@link #gaussianNllLoss}, {@code z²} in
 * {@link #smoothL1Loss} with a large {@code beta}, the squared norms of {@link #cosineEmbeddingLoss}) — documented
 * deviations.
 * The naive forms remain available as named strategies ({@link SoftmaxCrossEntropy},
 * {@link BinaryStrategy}) for comparison.
 */
public final class Losses {
    private Losses() {
    }

    // ------------------------------------------------------------------ classification: softmax family

    /** {@link #crossEntropy(Tensor, IntTensor, Tensor, long, Reduction, double)} with PyTorch's defaults (mean, no weight, no smoothing). */
    public static Tensor crossEntropy(Tensor logits, IntTensor target) {
        return CrossEntropyLoss.builder().build().apply(logits, target);
    }

    /**
     * Fused softmax cross-entropy with class-index targets ({@code F.cross_entropy}).
     * {@code l_i = (1-ε)·w[t_i]·(lse_i - x[i,t_i]) + (ε/C)·Σ_c w_c·(lse_i - x[i,c])}, 0 for ignored samples,
     * where {@code lse_i = log Σ_c exp(x[i,c])} is computed with the max shift. One graph node: softmax
     * and log-softmax are never materialised. Derivatives: {@code docs/derivatives.md}.
     *
     * <p>The K-dimensional form ({@code [N, C, d1, ..., dk]} logits, {@code [N, d1, ..., dk]} targets) treats every
     * position as a sample: NONE returns {@code [N, d1, ..., dk]}, MEAN divides by {@code Σ w[t]} over all non-ignored
     * positions. A row with a {@code +inf} logit gives NaN, as in PyTorch (but an ignored row's gradient stays 0, where
     * PyTorch's is NaN). Weights may be negative, NaN or infinite, as in PyTorch; a MEAN over target weights summing to
     * 0 is NaN (or {@code ±inf} with cancelling weights), with smoothing too, as in PyTorch.
     *
     * @param logits         {@code [N, C]}, {@code [N, C, d1, ..., dk]}, or {@code [C]} for one sample
     * @param target         class indices {@code [N]}, {@code [N, d1, ..., dk]} (or a scalar), each in {@code [0, C)} or
     *                       equal to {@code ignoreIndex}
     * @param weight         per-class weights {@code [C]} or null
     * @param ignoreIndex    target value to skip (PyTorch's default is -100; any value, also a valid class)
     * @param reduction      NONE ({@code [N, d1..dk]}), MEAN (divided by the summed target weights of non-ignored samples;
     *                       NaN if all are ignored, as in PyTorch) or SUM
     * @param labelSmoothing ε in [0, 1]
     * @throws IllegalArgumentException for a target out of range, a wrong target or weight shape (naming both shapes)
     * @see CrossEntropyLoss for the reusable module and the stability strategies
     * @see #nllLoss(Tensor, IntTensor, Tensor, int, Reduction)
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor target, Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        return CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex).reduction(reduction).labelSmoothing(labelSmoothing)
                .build().apply(logits, target);
    }

    /**
     * {@link #linearCrossEntropy(Tensor, Tensor, Tensor, IntTensor, Tensor, long, Reduction, double)} with PyTorch's
     * defaults (mean, no class weights, ignore_index -100, no smoothing).
     */
    public static Tensor linearCrossEntropy(Tensor hidden, Tensor weight, Tensor bias, IntTensor target) {
        return linearCrossEntropy(hidden, weight, bias, target, null, -100, Reduction.MEAN, 0.0);
    }

    /**
     * Fused linear + softmax cross-entropy for large vocabularies: the value and gradients of
     * {@code crossEntropy(linear(hidden, weight, bias), target, classWeight, ignoreIndex, reduction, labelSmoothing)},
     * computed in blocks of rows × classes so that the {@code [N, V]} logits never exist at once (the approach of
     * Liger-Kernel's fused linear cross-entropy and Apple's Cut Cross-Entropy). With {@code x = hidden·weightᵀ + bias},
     * {@code l_i = (1-ε)·w[t_i]·(lse_i - x[i,t_i]) + (ε/V)·Σ_c w_c·(lse_i - x[i,c])}, 0 for ignored samples, where
     * {@code lse_i} is an online log-sum-exp over the class blocks (running max and rescaled sum). Forward keeps only
     * two doubles per row; backward recomputes each block's logits and accumulates
     * {@code dHidden = dx·weight}, {@code dWeight = dxᵀ·hidden}, {@code dBias = Σ_i dx} with
     * {@code dx = softmax - onehot} (smoothed, weighted and scaled per row). A MEAN or SUM loss whose inputs need
     * gradients forms them already in forward, from row blocks of all {@code V} classes (three matrix products in all,
     * as the unfused pair; backward then only scales them by the upstream gradient), as Liger-Kernel does. Extra
     * memory: two blocks (of {@code 512 × 512} logits, or of {@code N/16} rows × {@code V} classes in the scalar-loss
     * case) and {@code O(N + V)} doubles, where the unfused pair holds {@code [N, V]} logits and their gradient.
     * Derivatives: {@code docs/derivatives.md}.
     *
     * <p>Edge cases as {@link #crossEntropy(Tensor, IntTensor, Tensor, long, Reduction, double)}: MEAN over only ignored
     * samples is NaN (gradients 0); a row whose logits hold NaN or {@code +inf} has a NaN loss and gradient; a row of all
     * {@code -inf} logits (e.g. from a {@code -inf} bias) is NaN; weights may be any values. {@code N = 0} gives an
     * empty NONE, a SUM of 0 and a NaN MEAN. Results equal the unfused composition up to rounding (the logits are formed
     * by the same GEMM; the sums run in another order).
     *
     * @param hidden         {@code [N, D]} features
     * @param weight         {@code [V, D]} classifier weight (as {@code nn.Linear(D, V).weight}), {@code V ≥ 1}
     * @param bias           {@code [V]} or null
     * @param target         {@code [N]} class indices in {@code [0, V)} or equal to {@code ignoreIndex}
     * @param classWeight    per-class weights {@code [V]} or null
     * @param ignoreIndex    target value to skip (PyTorch's default is -100)
     * @param reduction      NONE ({@code [N]}), MEAN (divided by the summed target weights of non-ignored samples) or SUM
     * @param labelSmoothing ε in [0, 1]
     * @throws IllegalArgumentException naming the argument and shapes: hidden or weight not 2-D, a feature count
     *                                  {@code D} that differs, no classes ({@code V = 0}), a wrong bias, target or class
     *                                  weight shape, a target out of range, mixed dtypes, ε outside [0, 1]
     * @see #crossEntropy(Tensor, IntTensor, Tensor, long, Reduction, double)
     * @see dev.jgrad.ops.Ops#linear
     */
    public static Tensor linearCrossEntropy(Tensor hidden, Tensor weight, Tensor bias, IntTensor target, Tensor classWeight,
                                            long ignoreIndex, Reduction reduction, double labelSmoothing) {
        return LinearCrossEntropy.apply(hidden, weight, bias, target, classWeight, ignoreIndex, reduction, labelSmoothing,
                LinearCrossEntropy.ROW_BLOCK, LinearCrossEntropy.COL_BLOCK);
    }

    /** Cross-entropy with probability targets and PyTorch's defaults. @see #crossEntropy(Tensor, Tensor, Tensor, Reduction, double) */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return CrossEntropyLoss.builder().build().apply(logits, target);
    }

    /**
     * Fused softmax cross-entropy with probability (soft) targets: {@code l_i = -Σ_c w_c·t'_ic·log_softmax(x)_ic}
     * with {@code t' = (1-ε)·t + ε/C}; rows need not sum to 1 (multi-hot rows give the several-positives loss);
     * MEAN divides by N ({@code N·d1·…·dk} for {@code [N, C, d1, ..., dk]} logits and targets; {@code [C]} logits take a
     * {@code [C]} target). A {@code -inf} logit with target 0 gives NaN for that row ({@code 0·(-inf)}), as in PyTorch.
     * The gradient w.r.t. the target is available when it requires grad.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, Reduction reduction, double labelSmoothing) {
        return CrossEntropyLoss.builder().weight(weight).reduction(reduction).labelSmoothing(labelSmoothing).build().apply(logits, target);
    }

    /**
     * The several-positives-at-once loss {@code -Σ_{i ∈ P} log softmax(s)_i} for each row, where {@code positives}
     * is a 0/1 (multi-hot) tensor of the logits' shape. Equal to {@link #crossEntropy(Tensor, Tensor)} with a
     * multi-hot target; MEAN averages over rows.
     */
    public static Tensor multiPositiveCrossEntropy(Tensor logits, Tensor positives, Reduction reduction) {
        if (positives == null) throw new IllegalArgumentException("multi_positive_cross_entropy: positives is null");
        for (int i = 0; i < positives.numel(); i++) {
            double v = positives.get(i);
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException("multi_positive_cross_entropy: positives must be 0/1, got " + v + " at flat index " + i);
            }
        }
        return crossEntropy(logits, positives, null, reduction, 0.0);
    }

    /** {@code nll_loss} with PyTorch's defaults. */
    public static Tensor nllLoss(Tensor logProbs, IntTensor target) {
        return nllLoss(logProbs, target, null, -100, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood of log-probabilities ({@code F.nll_loss}): {@code l_i = -w[t_i]·input[i, t_i]},
     * 0 where {@code t_i == ignoreIndex}; MEAN divides by {@code Σ_{i not ignored} w[t_i]} — NaN when every target
     * is ignored (use {@link CrossEntropyLoss.Builder#allIgnoredMeanIsZero} for 0 instead), and NaN with a NaN
     * gradient at the targets when all their weights are 0, as in PyTorch. Any input values are accepted.
     *
     * @param logProbs {@code [N, C]}, {@code [N, C, d1, ..., dk]} or {@code [C]}
     * @param target   {@code [N]} / {@code [N, d1, ..., dk]} class indices (or a scalar)
     * @param weight   per-class weights {@code [C]} (any values, negative included, as in PyTorch) or null
     */
    public static Tensor nllLoss(Tensor logProbs, IntTensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        return CrossEntropyLoss.builder().weight(weight).ignoreIndex(ignoreIndex).reduction(reduction).build().nll(logProbs, target);
    }

    // ------------------------------------------------------------------ binary

    /** {@code binary_cross_entropy} with mean reduction and no weight. */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target) {
        return binaryCrossEntropy(probs, target, null, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of probabilities ({@code F.binary_cross_entropy}):
     * {@code l = -w·(t·max(log p, -100) + (1-t)·max(log(1-p), -100))} — PyTorch's log clamp keeps exact 0/1
     * probabilities finite; the input gradient has PyTorch's {@code eps} (derivative index: {@code docs/derivatives.md}).
     *
     * @param probs  probabilities in [0, 1] (anything else, NaN included, is rejected)
     * @param target same shape, usually in [0, 1]
     * @param weight null, or any shape that broadcasts to the input's (PyTorch's rules: {@code [C]}, {@code [N, 1]},
     *               {@code [C, 1, 1]}, ...; no new leading dimensions). PyTorch refuses a weight that requires grad; jgrad
     *               differentiates it ({@code dl/dw = l/w})
     * @see #binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, Tensor, Reduction)
     */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Tensor weight, Reduction reduction) {
        return elementwise(BinaryLosses.Bce.of(notBatchmean("binary_cross_entropy", reduction), weight), probs, target);
    }

    /** {@code binary_cross_entropy_with_logits} with mean reduction and no weights. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, null, null, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy on logits, stable for any {@code |x|}: {@code l = w·[(1-t)·x + (1 + (pw-1)·t)·softplus(-x)]}
     * with {@code softplus(z) = max(z,0) + log1p(exp(-|z|))}; without {@code pos_weight} this is
     * {@code max(x,0) - x·t + log1p(exp(-|x|))}.
     *
     * @param weight    null, or any shape that broadcasts to the input's ({@code [C]}, {@code [N, 1]}, {@code [C, 1, 1]}, ...)
     * @param posWeight weight of positive examples (e.g. {@code [C]} per class), broadcast to the input's shape, or null.
     *                  PyTorch refuses a weight or pos_weight that requires grad; jgrad differentiates both
     *                  ({@code dl/dpw = w·t·softplus(-x)})
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        return elementwise(BinaryLosses.BceWithLogits.of(notBatchmean("binary_cross_entropy_with_logits", reduction), weight, posWeight), logits, target);
    }

    /** {@code soft_margin_loss} with mean reduction. */
    public static Tensor softMarginLoss(Tensor scores, Tensor target) {
        return softMarginLoss(scores, target, Reduction.MEAN);
    }

    /**
     * The logistic loss for ±1 labels, {@code l = log(1 + exp(-y·x))}, evaluated as {@code softplus(-y·x)}: finite
     * and exact for any score, where PyTorch's {@code log1p(exp(-y·x))} overflows to {@code inf} (gradient NaN)
     * once {@code -y·x} passes ≈ 88.7 (float32) / 709.8 (float64). Equal to BCE with logits for {@code t = (y+1)/2}.
     */
    public static Tensor softMarginLoss(Tensor scores, Tensor target, Reduction reduction) {
        return elementwise(BinaryLosses.SoftMargin.of(notBatchmean("soft_margin_loss", reduction)), scores, target);
    }

    // ------------------------------------------------------------------ regression

    /** {@code mse_loss} with mean reduction. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /**
     * PyTorch's {@code mse_loss}: {@code (input - target)²}, averaged over all elements of the broadcast shape by default.
     * Input and target broadcast (PyTorch's rules); PyTorch warns ({@code UserWarning}) when their sizes differ, jgrad
     * accepts it silently. Each operand's gradient is summed back to its own shape. Compare
     * {@link #halfSumSquaredError}, the textbook ½Σ form.
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return elementwise(BinaryLosses.Mse.of(notBatchmean("mse_loss", reduction)), input, target);
    }

    /** {@code l1_loss} with mean reduction. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    /**
     * PyTorch's {@code l1_loss}: {@code |input - target|}. Input and target broadcast (PyTorch warns when their sizes
     * differ; jgrad accepts it silently). The gradient is {@code sign(input - target)}: 0 at a tie, and 0 (not NaN) where
     * the difference is NaN, as PyTorch's {@code sgn}. MEAN of an empty input is NaN.
     *
     * @see #smoothL1Loss(Tensor, Tensor, Reduction, double)
     */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return elementwise(RegressionLosses.L1.of(notBatchmean("l1_loss", reduction)), input, target);
    }

    /** {@code smooth_l1_loss} with mean reduction and {@code beta = 1}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, Reduction.MEAN, 1.0);
    }

    /**
     * PyTorch's {@code smooth_l1_loss}: with {@code z = |input - target|}, {@code l = z < beta ? 0.5·z²/beta : z - 0.5·beta}.
     * {@code beta = 0} gives the L1 value; its gradient follows PyTorch's branch order ({@code d ≤ -beta ? -1 : d ≥ beta ? 1 : d/beta}),
     * so at an exact tie it is -1 for both input and target, where {@link #l1Loss} gives 0. Input and target broadcast.
     *
     * @param beta ≥ 0 (a negative or NaN beta is rejected, as in PyTorch)
     * @see #huberLoss(Tensor, Tensor, Reduction, double)
     */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        if (!(beta >= 0)) throw new IllegalArgumentException("smooth_l1_loss: beta " + beta + " must be >= 0 (smooth_l1_loss does not support negative values for beta)");
        return elementwise(RegressionLosses.SmoothL1.of(notBatchmean("smooth_l1_loss", reduction), beta), input, target);
    }

    /** {@code huber_loss} with mean reduction and {@code delta = 1}. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, Reduction.MEAN, 1.0);
    }

    /**
     * PyTorch's {@code huber_loss}: with {@code z = |input - target|}, {@code l = z < delta ? 0.5·z² : delta·(z - 0.5·delta)}
     * ({@code = delta·smooth_l1(beta = delta)}). Input and target broadcast.
     *
     * @param delta {@code > 0} (PyTorch rejects non-positive values)
     */
    public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
        if (!(delta > 0)) throw new IllegalArgumentException("huber_loss: delta " + delta + " must be > 0 (huber_loss does not support non-positive values for delta)");
        return elementwise(RegressionLosses.Huber.of(notBatchmean("huber_loss", reduction), delta), input, target);
    }

    /**
     * PyTorch's {@code margin_ranking_loss}: {@code l = max(0, -y·(x1 - x2) + margin)}, {@code y = ±1}. The three tensors
     * must have one rank (as PyTorch checks) and broadcast together; gradients for all three where {@code -y·(x1 - x2) + margin ≥ 0}.
     */
    public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin, Reduction reduction) {
        String op = "margin_ranking_loss";
        dev.jgrad.core.Shape.notNaN(op, "margin", margin);
        if (input1 != null && input2 != null && target != null && (input1.rank() != input2.rank() || input1.rank() != target.rank())) {
            throw new IllegalArgumentException(op + ": all input tensors should have the same dimension but got sizes: input1 "
                    + dev.jgrad.core.Shape.str(input1.shape()) + ", input2 " + dev.jgrad.core.Shape.str(input2.shape()) + ", target "
                    + dev.jgrad.core.Shape.str(target.shape()));
        }
        if (target == null) throw new IllegalArgumentException(op + ": target is null");
        return elementwise(RegressionLosses.MarginRanking.of(notBatchmean(op, reduction), margin, target), input1, input2);
    }

    /**
     * PyTorch's {@code cosine_embedding_loss}: per row {@code c = Σx1·x2 / √((Σx1² + ε)(Σx2² + ε))} ({@code ε = 1e-12},
     * ATen's EPSILON); {@code l = 1 - c} where {@code y = 1}, {@code max(0, c - margin)} where {@code y = -1}, 0 for any
     * other label. Inputs {@code [N, D]} with {@code y} of {@code [N]}, or {@code [D]} with a 0-d {@code y}; an input with
     * one row broadcasts over the other's rows (other broadcasts PyTorch allows, e.g. {@code [N, 1]} against {@code [N, D]},
     * are rejected). No gradient for {@code y}.
     */
    public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin, Reduction reduction) {
        dev.jgrad.core.Shape.notNaN("cosine_embedding_loss", "margin", margin);
        CosineEmbedding.check(input1, input2, target, reduction);
        return CosineEmbedding.of(margin, reduction).apply(input1, input2, target);
    }

    /** {@code poisson_nll_loss} with PyTorch's defaults ({@code log_input}, not {@code full}, {@code eps = 1e-8}, mean). */
    public static Tensor poissonNllLoss(Tensor input, Tensor target) {
        return poissonNllLoss(input, target, true, false, 1e-8, Reduction.MEAN);
    }

    /**
     * PyTorch's {@code poisson_nll_loss}: {@code logInput}: {@code l = exp(input) - target·input}; otherwise
     * {@code l = input - target·log(input + eps)}. {@code full} adds Stirling's approximation
     * {@code t·log t - t + ½·log(2πt)} where {@code t > 1} only. Input and target broadcast. The target gradient of the
     * masked Stirling term is {@code 0·(log t + 1/(2t))}: NaN for a target ≤ 0 with {@code full}, as in PyTorch.
     */
    public static Tensor poissonNllLoss(Tensor input, Tensor target, boolean logInput, boolean full, double eps, Reduction reduction) {
        dev.jgrad.core.Shape.notNaN("poisson_nll_loss", "eps", eps);
        return elementwise(RegressionLosses.PoissonNll.of(notBatchmean("poisson_nll_loss", reduction), logInput, full, eps), input, target);
    }

    /** {@code gaussian_nll_loss} with PyTorch's defaults (not {@code full}, {@code eps = 1e-6}, mean). */
    public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var) {
        return gaussianNllLoss(input, target, var, false, 1e-6, Reduction.MEAN);
    }

    /**
     * PyTorch's {@code gaussian_nll_loss}: {@code l = ½·(log v + (input - target)²/v)} (+ {@code ½·log 2π} with {@code full}),
     * {@code v = max(var, eps)}; the clamp is not differentiated (PyTorch clamps under {@code no_grad}), so
     * {@code dvar = ½·(1/v - (input - target)²/v²)} also where {@code var < eps}. Input and target broadcast. Deviation: in
     * float32 the loss is evaluated in double, finite where PyTorch's float32 {@code (input - target)²} overflows to inf.
     *
     * @param var the input's shape, the input's shape without its last dimension (homoscedastic: unsqueezed), or that
     *            with a last dimension of 1; entries ≥ 0 (a negative entry is rejected, NaN passes as in PyTorch)
     */
    public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var, boolean full, double eps, Reduction reduction) {
        String op = "gaussian_nll_loss";
        dev.jgrad.core.Shape.notNaN(op, "eps", eps);
        if (input == null || target == null || var == null) {
            throw new IllegalArgumentException(op + ": " + (input == null ? "input" : target == null ? "target" : "var") + " is null");
        }
        int[] is = input.shape(), vs = var.shape();
        if (!java.util.Arrays.equals(is, vs)) {
            boolean lastDropped = is.length > 0 && java.util.Arrays.equals(java.util.Arrays.copyOf(is, is.length - 1), vs);
            boolean lastOne = is.length > 0 && vs.length == is.length && vs[vs.length - 1] == 1
                    && java.util.Arrays.equals(java.util.Arrays.copyOf(is, is.length - 1), java.util.Arrays.copyOf(vs, vs.length - 1));
            if (!lastDropped && !lastOne) {
                throw new IllegalArgumentException(op + ": var is of incorrect size: " + dev.jgrad.core.Shape.str(vs) + " for input "
                        + dev.jgrad.core.Shape.str(is) + " (use the input's shape, the input's shape without its last dimension, or that with a last dimension of 1)");
            }
            if (lastDropped && var.dtype() == input.dtype()) var = dev.jgrad.ops.Ops.unsqueeze(var, -1);
        }
        for (int i = 0, n = var.numel(); i < n; i++) {
            if (var.get(i) < 0) throw new IllegalArgumentException(op + ": var has negative entry/entries: " + var.get(i) + " at flat index " + i);
        }
        return elementwise(RegressionLosses.GaussianNll.of(notBatchmean(op, reduction), var, full, eps), input, target);
    }

    /**
     * The textbook "sum of squares" cost {@code E = ½·Σ (y - t)²} over all elements (not averaged; gradient
     * {@code y - t}). Differs from {@link #mseLoss}, which averages {@code (y - t)²} without the ½.
     */
    public static Tensor halfSumSquaredError(Tensor y, Tensor t) {
        if (y == null || t == null) throw new IllegalArgumentException("half_sum_squared_error: " + (y == null ? "input" : "target") + " is null");
        if (y.dtype() != t.dtype()) {
            throw new IllegalArgumentException("half_sum_squared_error: target dtype " + t.dtype() + " differs from input dtype " + y.dtype());
        }
        if (!java.util.Arrays.equals(y.shape(), t.shape())) {
            throw new IllegalArgumentException("half_sum_squared_error: target shape " + java.util.Arrays.toString(t.shape())
                    + " must equal input shape " + java.util.Arrays.toString(y.shape()));
        }
        return mul(sum(pow(sub(y, t), 2)), 0.5);
    }

    // ------------------------------------------------------------------ distributions

    /**
     * {@code kl_div(input, target)} where {@code input} is {@code log q} and {@code target} is {@code p} (or {@code log p}
     * with {@code logTarget}): pointwise {@code p·(log p - input)} with {@code 0·log 0 = 0}; {@code logTarget}:
     * {@code exp(t)·(t - input)}. MEAN divides by the number of elements, BATCHMEAN by {@code input.shape[0]}
     * (the KL divergence per sample; a 0-d input is not divided, as in PyTorch 1.13). {@code 0·(-inf)} gives NaN, as in PyTorch.
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        return elementwise(BinaryLosses.KlDiv.of(reduction, logTarget), input, target);
    }

    /** Shannon entropy in nats. @see #entropy(Tensor, double) */
    public static Tensor entropy(Tensor p) {
        return entropy(p, Math.E);
    }

    /**
     * Entropy {@code H(p) = -Σ_c p_c·log_b p_c} over the last dimension, with {@code 0·log 0 = 0}; values are used
     * as given (no renormalisation). The gradient is infinite at {@code p = 0}.
     *
     * @param base {@code Math.E} (nats) or 2 (bits); any base {@code > 0}, {@code != 1}
     * @return shape of {@code p} without the last dimension
     */
    public static Tensor entropy(Tensor p, double base) {
        if (!(base > 0) || base == 1 || Double.isInfinite(base)) {
            throw new IllegalArgumentException("entropy: base " + base + " must be positive, finite and not 1");
        }
        RowLosses.rowShape("entropy", p);
        return RowLosses.Entropy.of(Math.log(base)).apply(p);
    }

    /**
     * Cross-entropy between two distributions, {@code H(p, q) = -Σ_c p_c·log q_c} over the last dimension
     * ({@code 0·log q = 0}); {@code KL(p‖q) = H(p, q) - H(p)}.
     *
     * Edge: the gradient with respect to {@code q} is 0 where {@code p = 0}, also at {@code q = 0} (PyTorch's
     * {@code xlogy} backward gives {@code 0/0 = NaN} there); with respect to {@code p} it is {@code -log q}
     * ({@code +inf} at {@code q = 0}).
     */
    public static Tensor crossEntropyBetween(Tensor p, Tensor q) {
        if (p == null || q == null) throw new IllegalArgumentException("cross_entropy(p, q): " + (p == null ? "p" : "q") + " is null");
        if (p.dtype() != q.dtype()) {
            throw new IllegalArgumentException("cross_entropy(p, q): q dtype " + q.dtype() + " differs from p dtype " + p.dtype());
        }
        RowLosses.rowShape("cross_entropy(p, q)", p);
        return RowLosses.CrossEntropyBetween.of().apply(p, q);
    }

    /** Applies an element-wise loss node after checking its arguments (naming the loss). */
    private static Tensor elementwise(ElementwiseLoss loss, Tensor input, Tensor target) {
        loss.check(input, target);
        return loss.applyTo(input, target);
    }

    private static Reduction notBatchmean(String op, Reduction r) {
        if (r == null) throw new IllegalArgumentException(op + ": reduction is null");
        r.requireNotBatchmean(op);
        return r;
    }
}
