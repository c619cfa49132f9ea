package dev.jgrad.losses.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.BinaryStrategy;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.ops.reliability.BadInputCatalogue;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;

/**
 * The bad-input catalogue of losses: every loss in Losses, its options (weights, reductions, ignore_index, label
 * smoothing) and the loss classes and strategies. Each case is run by the shared harness
 * ({@link BadInputCatalogue}, from the ops test-jar), which checks the exception's exact type, that its message
 * names the API and the offending argument, and that no watched state changed (input and target tensors).
 */
class LossBadInputCatalogueTest extends BadInputCatalogue {
    @Override
    protected void register() {
        lossCases();
    }

    // ------------------------------------------------------------------ fixtures

    /** Values in (0.05, 0.95), requiring grad with a gradient present. */
    private static Tensor probs(DType dt, int... shape) {
        Tensor t = Tensor.rand(new SplittableRandom(5 + Arrays.hashCode(shape)), 0.05, 0.95, dt, shape).requiresGrad(true);
        t.setGrad(Tensor.ones(dt, shape));
        return t;
    }

    private static IntTensor labels(int... v) {
        return IntTensor.of(v);
    }

    // ================================================================== losses

    private void lossCases() {
        // ---- NaN options: one policy, rejected by name (NanOptionsTest sweeps them all)
        add("Losses.marginRankingLoss", "NaN margin", IAE, msg("margin_ranking_loss", "margin", "NaN"), () -> {
            Tensor x = leaf(FLOAT64, 3), y = leaf(FLOAT64, 3);
            return act(() -> Losses.marginRankingLoss(x, y, Tensor.ones(FLOAT64, 3), Double.NaN, Reduction.MEAN), x, y);
        });
        add("Losses.poissonNllLoss", "NaN eps", IAE, msg("poisson_nll_loss", "eps", "NaN"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> Losses.poissonNllLoss(x, Tensor.ones(FLOAT64, 3), true, false, Double.NaN, Reduction.MEAN), x);
        });
        // ---- cross-entropy with class indices
        add("Losses.crossEntropy", "target = C", IAE, msg("cross_entropy", "target 3", "[0, 3)"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 3, 2)), x);
        });
        add("Losses.crossEntropy", "negative target that is not ignore_index", IAE, msg("cross_entropy", "target -1", "ignore_index -100"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, -1, 2, 2)), x);
        });
        add("Losses.crossEntropy", "negative target with a custom ignore_index", IAE, msg("cross_entropy", "target -2", "ignore_index -1"), () -> {
            Tensor x = leaf(FLOAT32, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, -1, -2, 2), null, -1, Reduction.MEAN, 0.0), x);
        });
        add("Losses.crossEntropy", "too few targets", IAE, msg("cross_entropy", "target of shape [3]", "[4, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2)), x);
        });
        add("Losses.crossEntropy", "2-D target", IAE, msg("cross_entropy", "target of shape [4, 1]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, IntTensor.of(new int[] {0, 1, 2, 0}, 4, 1)), x);
        });
        add("Losses.crossEntropy", "3-D logits, 1-D target", IAE, msg("cross_entropy", "target of shape [2]", "[2, 2, 3]", "expected [2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 2, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1)), x);
        });
        add("Losses.crossEntropy", "scalar logits", IAE, msg("cross_entropy", "[C], [N, C] or [N, C, d1, ..., dk]", "scalar"), () -> {
            Tensor x = leaf(FLOAT64);
            return act(() -> Losses.crossEntropy(x, IntTensor.scalar(0)), x);
        });
        add("Losses.crossEntropy", "no classes", IAE, msg("cross_entropy", "no classes", "[4, 0]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 0);
            return act(() -> Losses.crossEntropy(x, labels(0, 0, 0, 0)), x);
        });
        add("Losses.crossEntropy", "unbatched logits with a [2] target", IAE, msg("cross_entropy", "target of shape [2]", "expected []"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1)), x);
        });
        add("Losses.crossEntropy", "weight of the wrong length", IAE, msg("cross_entropy", "weight of shape [4]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = leaf(FLOAT64, 4);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.MEAN, 0.0), x, w);
        });
        add("Losses.crossEntropy", "float32 weight for float64 logits", IAE, msg("cross_entropy", "weight dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = leaf(FLOAT32, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.MEAN, 0.0), x, w);
        });
                                add("Losses.crossEntropy", "label smoothing 1.5", IAE, msg("cross_entropy", "label_smoothing 1.5", "[0, 1]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, 1.5), x);
        });
        add("Losses.crossEntropy", "negative label smoothing", IAE, msg("cross_entropy", "label_smoothing -0.1"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, -0.1), x);
        });
        add("Losses.crossEntropy", "NaN label smoothing", IAE, msg("cross_entropy", "label_smoothing NaN"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, Double.NaN), x);
        });
        add("Losses.crossEntropy", "null reduction", IAE, msg("cross_entropy", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, null, 0.0), x);
        });
        add("Losses.crossEntropy", "batchmean reduction", IAE, msg("cross_entropy", "batchmean", "kl_div"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.BATCHMEAN, 0.0), x);
        });
        add("Losses.crossEntropy", "null logits", IAE, msg("cross_entropy", "input is null"), () ->
                act(() -> Losses.crossEntropy(null, labels(0))));
        add("Losses.crossEntropy", "null target", IAE, msg("cross_entropy", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, (IntTensor) null), x);
        });
        // ---- cross-entropy with probability targets
        add("Losses.crossEntropy(probs)", "target shape differs", IAE, msg("cross_entropy", "probability target of shape [4, 2]", "[4, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT64, 4, 2);
            return act(() -> Losses.crossEntropy(x, t), x, t);
        });
        add("Losses.crossEntropy(probs)", "float32 target for float64 logits", IAE, msg("cross_entropy", "probability target dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT32, 4, 3);
            return act(() -> Losses.crossEntropy(x, t), x, t);
        });
                add("Losses.crossEntropy(probs)", "label smoothing 2", IAE, msg("cross_entropy", "label_smoothing 2.0"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, t, null, Reduction.SUM, 2.0), x, t);
        });
        add("Losses.crossEntropy(probs)", "null target", IAE, msg("cross_entropy", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, (Tensor) null), x);
        });
        add("CrossEntropyLoss.apply", "NAIVE strategy, target out of range", IAE, msg("cross_entropy", "target 7"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build();
            return act(() -> ce.apply(x, labels(7, 0)), x);
        });
                add("CrossEntropyLoss.Builder.strategy", "null", IAE, msg("CrossEntropyLoss", "strategy is null"), () ->
                act(() -> CrossEntropyLoss.builder().strategy(null)));
        add("Losses.multiPositiveCrossEntropy", "positives not 0/1", IAE, msg("multi_positive_cross_entropy", "0/1", "0.5"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), p = Tensor.of(new double[] {1, 0, 0.5, 0, 1, 1}, 2, 3);
            return act(() -> Losses.multiPositiveCrossEntropy(x, p, Reduction.MEAN), x, p);
        });
        add("Losses.multiPositiveCrossEntropy", "null positives", IAE, msg("multi_positive_cross_entropy", "positives is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.multiPositiveCrossEntropy(x, null, Reduction.MEAN), x);
        });
        add("Losses.multiPositiveCrossEntropy", "shape differs", IAE, msg("cross_entropy", "[2, 2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), p = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2);
            return act(() -> Losses.multiPositiveCrossEntropy(x, p, Reduction.SUM), x, p);
        });
        // ---- nll_loss
        add("Losses.nllLoss", "target out of range", IAE, msg("nll_loss", "target 5", "[0, 3)"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(5, 0)), x);
        });
                add("Losses.nllLoss", "3-D input, 1-D target", IAE, msg("nll_loss", "target of shape [1]", "[1, 2, 3]", "expected [1, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 1, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0)), x);
        });
        add("Losses.nllLoss", "target length differs", IAE, msg("nll_loss", "target of shape [3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0, 1, 2)), x);
        });
        add("Losses.nllLoss", "batchmean reduction", IAE, msg("nll_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0, 1), null, -100, Reduction.BATCHMEAN), x);
        });
        // ---- stability strategies
        add("SoftmaxCrossEntropy.epsClamp", "eps 0", IAE, msg("epsClamp", "eps 0.0"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(0)));
        add("SoftmaxCrossEntropy.epsClamp", "negative eps", IAE, msg("epsClamp", "eps -1.0E-7"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(-1e-7)));
        add("SoftmaxCrossEntropy.epsClamp", "NaN eps", IAE, msg("epsClamp", "eps NaN"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(Double.NaN)));
        add("SoftmaxCrossEntropy.epsClamp", "infinite eps", IAE, msg("epsClamp", "eps Infinity"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(Double.POSITIVE_INFINITY)));
        add("SoftmaxCrossEntropy.parse", "unknown name", IAE, msg("unknown cross-entropy strategy 'softmaxx'"), () -> act(() -> SoftmaxCrossEntropy.parse("softmaxx")));
        add("SoftmaxCrossEntropy.parse", "eps not a number", IAE, msg("cross-entropy strategy", "'abc' is not a number"), () -> act(() -> SoftmaxCrossEntropy.parse("EPS_CLAMP(abc)")));
        add("BinaryStrategy.epsClip", "eps 0.5", IAE, msg("epsClip", "eps 0.5", "(0, 0.5)"), () -> act(() -> BinaryStrategy.epsClip(0.5)));
        add("BinaryStrategy.epsClip", "eps 0", IAE, msg("epsClip", "eps 0.0"), () -> act(() -> BinaryStrategy.epsClip(0)));
        add("BinaryStrategy.loss", "FUSED with a target of another shape", IAE, msg("binary_cross_entropy_with_logits", "target of shape [3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 3);
            return act(() -> BinaryStrategy.FUSED.loss(x, t), x, t);
        });
        // ---- binary cross-entropy on probabilities
        add("Losses.binaryCrossEntropy", "probability above 1", IAE, msg("binary_cross_entropy", "[0, 1]", "1.5", "flat index 2"), () -> {
            Tensor p = Tensor.of(new double[] {0.2, 0.5, 1.5}).requiresGrad(true), t = Tensor.of(new double[] {0, 1, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "negative probability", IAE, msg("binary_cross_entropy", "-0.25"), () -> {
            Tensor p = Tensor.of(new float[] {-0.25f, 0.5f}).requiresGrad(true), t = Tensor.of(new float[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "NaN probability", IAE, msg("binary_cross_entropy", "NaN", "flat index 1"), () -> {
            Tensor p = Tensor.of(new double[] {0.5, Double.NaN}).requiresGrad(true), t = Tensor.of(new double[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "infinite probability", IAE, msg("binary_cross_entropy", "Infinity"), () -> {
            Tensor p = Tensor.of(new double[] {Double.POSITIVE_INFINITY, 0.5}).requiresGrad(true), t = Tensor.of(new double[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t, null, Reduction.SUM), p, t);
        });
        add("Losses.binaryCrossEntropy", "target shape differs", IAE, msg("binary_cross_entropy", "target of shape [2, 2]", "[2, 3]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 2);
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "float32 target", IAE, msg("binary_cross_entropy", "target dtype float32", "float64"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT32, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "weight does not broadcast", IAE, msg("binary_cross_entropy", "weight of shape [2]", "[2, 3]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), w = leaf(FLOAT64, 2);
            return act(() -> Losses.binaryCrossEntropy(p, t, w, Reduction.MEAN), p, t, w);
        });
        add("Losses.binaryCrossEntropy", "float32 weight", IAE, msg("binary_cross_entropy", "weight dtype float32"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), w = leaf(FLOAT32, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, w, Reduction.MEAN), p, t, w);
        });
        add("Losses.binaryCrossEntropy", "batchmean reduction", IAE, msg("binary_cross_entropy", "batchmean"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, null, Reduction.BATCHMEAN), p, t);
        });
        add("Losses.binaryCrossEntropy", "null reduction", IAE, msg("binary_cross_entropy", "reduction is null"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, null, null), p, t);
        });
        add("Losses.binaryCrossEntropy", "null input", IAE, msg("binary_cross_entropy", "input is null"), () -> {
            Tensor t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(null, t), t);
        });
        // ---- BCE with logits
        add("Losses.binaryCrossEntropyWithLogits", "pos_weight does not broadcast", IAE, msg("binary_cross_entropy_with_logits", "pos_weight of shape [2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), pw = leaf(FLOAT64, 2);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, pw, Reduction.MEAN), x, t, pw);
        });
        add("Losses.binaryCrossEntropyWithLogits", "float32 pos_weight", IAE, msg("binary_cross_entropy_with_logits", "pos_weight dtype float32"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), pw = leaf(FLOAT32, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, pw, Reduction.MEAN), x, t, pw);
        });
        add("Losses.binaryCrossEntropyWithLogits", "weight does not broadcast", IAE, msg("binary_cross_entropy_with_logits", "weight of shape [4]"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3), t = probs(FLOAT32, 2, 3), w = leaf(FLOAT32, 4);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, w, null, Reduction.SUM), x, t, w);
        });
        add("Losses.binaryCrossEntropyWithLogits", "target shape differs", IAE, msg("binary_cross_entropy_with_logits", "target of shape [6]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 6);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t), x, t);
        });
        add("Losses.binaryCrossEntropyWithLogits", "null target", IAE, msg("binary_cross_entropy_with_logits", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, null), x);
        });
        add("Losses.binaryCrossEntropyWithLogits", "batchmean reduction", IAE, msg("binary_cross_entropy_with_logits", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.BATCHMEAN), x, t);
        });
        // ---- soft margin, MSE, ½SSE
        add("Losses.softMarginLoss", "target shape differs", IAE, msg("soft_margin_loss", "target of shape [3, 2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 3, 2);
            return act(() -> Losses.softMarginLoss(x, t), x, t);
        });
        add("Losses.softMarginLoss", "float64 target for float32 scores", IAE, msg("soft_margin_loss", "target dtype float64", "float32"), () -> {
            Tensor x = leaf(FLOAT32, 4), t = leaf(FLOAT64, 4);
            return act(() -> Losses.softMarginLoss(x, t), x, t);
        });
        add("Losses.softMarginLoss", "batchmean reduction", IAE, msg("soft_margin_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 4), t = leaf(FLOAT64, 4);
            return act(() -> Losses.softMarginLoss(x, t, Reduction.BATCHMEAN), x, t);
        });
        add("Losses.mseLoss", "target does not broadcast", IAE, msg("mse_loss", "target of shape [4]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 4);
            return act(() -> Losses.mseLoss(x, t), x, t);
        });
        add("Losses.mseLoss", "float32 target", IAE, msg("mse_loss", "target dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT32, 2, 3);
            return act(() -> Losses.mseLoss(x, t), x, t);
        });
        add("Losses.mseLoss", "null reduction", IAE, msg("mse_loss", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(x, t, null), x, t);
        });
        add("Losses.mseLoss", "batchmean reduction", IAE, msg("mse_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(x, t, Reduction.BATCHMEAN), x, t);
        });
        add("Losses.mseLoss", "null input", IAE, msg("mse_loss", "input is null"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(null, t), t);
        });
        add("Losses.halfSumSquaredError", "null target", IAE, msg("half_sum_squared_error", "target is null"), () -> {
            Tensor y = leaf(FLOAT64, 3);
            return act(() -> Losses.halfSumSquaredError(y, null), y);
        });
        add("Losses.halfSumSquaredError", "float32 target", IAE, msg("half_sum_squared_error", "target dtype float32"), () -> {
            Tensor y = leaf(FLOAT64, 3), t = leaf(FLOAT32, 3);
            return act(() -> Losses.halfSumSquaredError(y, t), y, t);
        });
        add("Losses.halfSumSquaredError", "shape differs", IAE, msg("half_sum_squared_error", "[3, 1]", "[3]"), () -> {
            Tensor y = leaf(FLOAT64, 3), t = leaf(FLOAT64, 3, 1);
            return act(() -> Losses.halfSumSquaredError(y, t), y, t);
        });
        // ---- distributions
        add("Losses.klDiv", "target shape differs", IAE, msg("kl_div", "target of shape [2, 4]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 4);
            return act(() -> Losses.klDiv(x, t, Reduction.BATCHMEAN, false), x, t);
        });
        add("Losses.klDiv", "float32 target", IAE, msg("kl_div", "target dtype float32"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT32, 2, 3);
            return act(() -> Losses.klDiv(x, t, Reduction.MEAN, false), x, t);
        });
        // ---- l1, smooth L1, Huber, margin ranking, cosine embedding, Poisson and Gaussian NLL
        add("Losses.l1Loss", "target does not broadcast", IAE, msg("l1_loss", "target of shape [2, 2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3), t = leaf(FLOAT32, 2, 2);
            return act(() -> Losses.l1Loss(x, t), x, t);
        });
        add("Losses.l1Loss", "float32 target", IAE, msg("l1_loss", "target dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT32, 2, 3);
            return act(() -> Losses.l1Loss(x, t, Reduction.SUM), x, t);
        });
        add("Losses.smoothL1Loss", "negative beta", IAE, msg("smooth_l1_loss", "beta -0.5"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.smoothL1Loss(x, t, Reduction.MEAN, -0.5), x, t);
        });
        add("Losses.smoothL1Loss", "batchmean reduction", IAE, msg("smooth_l1_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.smoothL1Loss(x, t, Reduction.BATCHMEAN, 1.0), x, t);
        });
        add("Losses.huberLoss", "delta 0", IAE, msg("huber_loss", "delta 0.0"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.huberLoss(x, t, Reduction.MEAN, 0.0), x, t);
        });
        add("Losses.huberLoss", "null target", IAE, msg("huber_loss", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.huberLoss(x, null), x);
        });
        add("Losses.marginRankingLoss", "ranks differ", IAE, msg("margin_ranking_loss", "input1 [3]", "input2 [3]", "target [1, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT64, 3), y = leaf(FLOAT64, 1, 3);
            return act(() -> Losses.marginRankingLoss(a, b, y, 0.0, Reduction.MEAN), a, b, y);
        });
        add("Losses.marginRankingLoss", "target does not broadcast", IAE, msg("margin_ranking_loss", "target of shape [2]", "input1, input2", "[3]"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT64, 3), y = leaf(FLOAT64, 2);
            return act(() -> Losses.marginRankingLoss(a, b, y, 0.0, Reduction.MEAN), a, b, y);
        });
        add("Losses.cosineEmbeddingLoss", "2-D target", IAE, msg("cosine_embedding_loss", "multi-target", "[2, 1]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 2, 3), y = leaf(FLOAT64, 2, 1);
            return act(() -> Losses.cosineEmbeddingLoss(a, b, y, 0.0, Reduction.MEAN), a, b, y);
        });
        add("Losses.cosineEmbeddingLoss", "1-D target with 1-D inputs", IAE, msg("cosine_embedding_loss", "1D target", "2D input", "[3]"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT64, 3), y = leaf(FLOAT64, 1);
            return act(() -> Losses.cosineEmbeddingLoss(a, b, y, 0.0, Reduction.MEAN), a, b, y);
        });
        add("Losses.cosineEmbeddingLoss", "one label too few", IAE, msg("cosine_embedding_loss", "target of shape [1]", "(2)"), () -> {
            Tensor a = leaf(FLOAT32, 2, 3), b = leaf(FLOAT32, 2, 3), y = leaf(FLOAT32, 1);
            return act(() -> Losses.cosineEmbeddingLoss(a, b, y, 0.0, Reduction.SUM), a, b, y);
        });
        add("Losses.cosineEmbeddingLoss", "rows do not broadcast", IAE, msg("cosine_embedding_loss", "input1 of shape [2, 3]", "input2 of shape [3, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 3, 3), y = leaf(FLOAT64, 3);
            return act(() -> Losses.cosineEmbeddingLoss(a, b, y, 0.0, Reduction.NONE), a, b, y);
        });
        add("Losses.poissonNllLoss", "target does not broadcast", IAE, msg("poisson_nll_loss", "target of shape [4]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 3), t = leaf(FLOAT64, 4);
            return act(() -> Losses.poissonNllLoss(x, t), x, t);
        });
        add("Losses.gaussianNllLoss", "var of a wrong size", IAE, msg("gaussian_nll_loss", "var is of incorrect size", "[3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3), v = probs(FLOAT64, 3);
            return act(() -> Losses.gaussianNllLoss(x, t, v), x, t, v);
        });
        add("Losses.gaussianNllLoss", "negative var", IAE, msg("gaussian_nll_loss", "var has negative", "-0.5"), () -> {
            Tensor x = leaf(FLOAT64, 2), t = leaf(FLOAT64, 2), v = Tensor.of(new double[]{1, -0.5}, 2).requiresGrad(true);
            return act(() -> Losses.gaussianNllLoss(x, t, v), x, t, v);
        });
        add("Losses.gaussianNllLoss", "float32 var", IAE, msg("gaussian_nll_loss", "var dtype float32"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3), v = probs(FLOAT32, 2, 3);
            return act(() -> Losses.gaussianNllLoss(x, t, v), x, t, v);
        });
        add("Losses.klDiv", "null reduction", IAE, msg("kl_div", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.klDiv(x, t, null, false), x, t);
        });
        add("Losses.entropy", "base 1", IAE, msg("entropy", "base 1.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, 1.0), p);
        });
        add("Losses.entropy", "base 0", IAE, msg("entropy", "base 0.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, 0.0), p);
        });
        add("Losses.entropy", "negative base", IAE, msg("entropy", "base -2.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, -2.0), p);
        });
        add("Losses.entropy", "NaN base", IAE, msg("entropy", "base NaN"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, Double.NaN), p);
        });
        add("Losses.entropy", "infinite base", IAE, msg("entropy", "base Infinity"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, Double.POSITIVE_INFINITY), p);
        });
        add("Losses.entropy", "scalar input", IAE, msg("entropy", "class dimension", "scalar"), () -> {
            Tensor p = probs(FLOAT64);
            return act(() -> Losses.entropy(p), p);
        });
        add("Losses.entropy", "null input", IAE, msg("entropy", "input is null"), () -> act(() -> Losses.entropy(null)));
        add("Losses.crossEntropyBetween", "shapes differ", IAE, msg("cross_entropy(p, q)", "[2, 3]", "[2, 4]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), q = probs(FLOAT64, 2, 4);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Losses.crossEntropyBetween", "float32 q", IAE, msg("cross_entropy(p, q)", "q dtype float32", "float64"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), q = probs(FLOAT32, 2, 3);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Losses.crossEntropyBetween", "null q", IAE, msg("cross_entropy(p, q)", "q is null"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.crossEntropyBetween(p, null), p);
        });
        add("Losses.crossEntropyBetween", "scalar p", IAE, msg("cross_entropy(p, q)", "class dimension"), () -> {
            Tensor p = probs(FLOAT64), q = probs(FLOAT64);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Reduction.parse", "avg", IAE, msg("unknown reduction 'avg'"), () -> act(() -> Reduction.parse("avg")));
    }
}
