package dev.jgrad.losses;

import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.CLASS_WEIGHT;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad arguments are rejected with an {@link IllegalArgumentException} whose message names the loss and the
 * offending argument, before anything is computed: a failed call leaves the input's gradient and data untouched
 * and the thread's grad mode on.
 */
class BadInputTest {

    /** One bad call on the differentiable {@code [N, C]} float64 input {@code x} (values in (0.1, 0.9)). */
    record Bad(String label, String loss, List<String> mentions, Function<Tensor, Tensor> call) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Bad bad(String label, String loss, String mentions, Function<Tensor, Tensor> call) {
        return new Bad(label, loss, List.of(mentions.split("\\|")), call);
    }

    static IntTensor goodTarget() {
        return IntTensor.of(0, 1, 2, 3, 0, 1);
    }

    static Tensor w64() {
        return Tensor.of(F64, CLASS_WEIGHT);
    }

    static Tensor same(Tensor x) {
        return uniform(7, 0.1, 0.9, F64, N, C);
    }

    static Stream<Bad> badCalls() {
        List<Bad> b = new ArrayList<>();
        // ---------------- cross_entropy, class-index targets
        b.add(bad("ce target = C", "cross_entropy", "target|4|out of range", x -> Losses.crossEntropy(x, IntTensor.of(0, 1, 2, 3, 4, 0))));
        b.add(bad("ce target -1", "cross_entropy", "target|-1|ignore_index", x -> Losses.crossEntropy(x, IntTensor.of(0, 1, -1, 3, 0, 0))));
        b.add(bad("ce -100 with ignore_index 2", "cross_entropy", "target|-100",
                x -> Losses.crossEntropy(x, IntTensor.of(0, 1, -100, 3, 0, 0), null, 2, Reduction.MEAN, 0.0)));
        b.add(bad("ce target [N,1]", "cross_entropy", "target|[6, 1]", x -> Losses.crossEntropy(x, IntTensor.of(new int[N], N, 1))));
        b.add(bad("ce batch N-1", "cross_entropy", "target|[5]", x -> Losses.crossEntropy(x, IntTensor.of(0, 1, 2, 3, 0))));
        b.add(bad("ce scalar target for batch", "cross_entropy", "target", x -> Losses.crossEntropy(x, IntTensor.scalar(1))));
        b.add(bad("ce input rank 3", "cross_entropy", "input", x -> Losses.crossEntropy(x.view(2, 3, C), goodTarget())));
        b.add(bad("ce probs shape", "cross_entropy", "probability target|[6, 5]", x -> Losses.crossEntropy(x, Tensor.zeros(F64, N, C + 1))));
        b.add(bad("ce probs batch", "cross_entropy", "probability target|[5, 4]", x -> Losses.crossEntropy(x, Tensor.zeros(F64, N - 1, C))));
        b.add(bad("ce probs dtype", "cross_entropy", "target|float32", x -> Losses.crossEntropy(x, Tensor.zeros(F32, N, C))));
        b.add(bad("ce weight shape", "cross_entropy", "weight|[5]",
                x -> Losses.crossEntropy(x, goodTarget(), Tensor.ones(F64, C + 1), -100, Reduction.MEAN, 0)));
        b.add(bad("ce weight [1,C]", "cross_entropy", "weight|[1, 4]",
                x -> Losses.crossEntropy(x, goodTarget(), Tensor.ones(F64, 1, C), -100, Reduction.MEAN, 0)));
        b.add(bad("ce weight dtype", "cross_entropy", "weight|float32",
                x -> Losses.crossEntropy(x, goodTarget(), Tensor.ones(F32, C), -100, Reduction.MEAN, 0)));
        for (double eps : new double[]{-0.1, 1.1, Double.NaN}) {
            b.add(bad("ce label_smoothing " + eps, "cross_entropy", "label_smoothing|" + eps,
                    x -> Losses.crossEntropy(x, goodTarget(), null, -100, Reduction.MEAN, eps)));
            b.add(bad("ce probs label_smoothing " + eps, "cross_entropy", "label_smoothing",
                    x -> Losses.crossEntropy(x, Tensor.zeros(F64, N, C), null, Reduction.MEAN, eps)));
        }
        b.add(bad("ce batchmean", "cross_entropy", "batchmean", x -> Losses.crossEntropy(x, goodTarget(), null, -100, Reduction.BATCHMEAN, 0)));
        b.add(bad("ce reduction null", "cross_entropy", "reduction", x -> Losses.crossEntropy(x, goodTarget(), null, -100, null, 0)));
        b.add(bad("ce target null", "cross_entropy", "target", x -> Losses.crossEntropy(x, (IntTensor) null)));
        b.add(bad("ce probs target null", "cross_entropy", "target", x -> Losses.crossEntropy(x, (Tensor) null)));
        b.add(bad("ce input null", "cross_entropy", "input", x -> Losses.crossEntropy(null, goodTarget())));
        b.add(bad("ce builder strategy", "cross_entropy", "target|7",
                x -> CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build().apply(x, IntTensor.of(7, 0, 0, 0, 0, 0))));
        b.add(bad("multi-positive null", "multi_positive_cross_entropy", "positives",
                x -> Losses.multiPositiveCrossEntropy(x, null, Reduction.MEAN)));
        // ---------------- nll_loss
        b.add(bad("nll target = C", "nll_loss", "target|4", x -> Losses.nllLoss(x, IntTensor.of(4, 1, 2, 3, 0, 1))));
        b.add(bad("nll target -5", "nll_loss", "target|-5", x -> Losses.nllLoss(x, IntTensor.of(-5, 1, 2, 3, 0, 1))));
        b.add(bad("nll batch", "nll_loss", "target", x -> Losses.nllLoss(x, IntTensor.of(1, 2, 3, 0, 1, 2, 3))));
        b.add(bad("nll weight shape", "nll_loss", "weight", x -> Losses.nllLoss(x, goodTarget(), Tensor.ones(F64, C - 1), -100, Reduction.MEAN)));
        b.add(bad("nll batchmean", "nll_loss", "batchmean", x -> Losses.nllLoss(x, goodTarget(), null, -100, Reduction.BATCHMEAN)));
        b.add(bad("nll null target", "nll_loss", "target", x -> Losses.nllLoss(x, null)));
        // ---------------- binary_cross_entropy
        for (double p : new double[]{1.5, -0.1, Double.NaN}) {
            b.add(bad("bce prob " + p, "binary_cross_entropy", "input|" + p, x -> {
                Tensor y = x.detach().copy();
                y.set(5, p);
                return Losses.binaryCrossEntropy(Ops.add(Ops.mul(x, 0.0), y), same(x));
            }));
        }
        b.add(bad("bce x > 1", "binary_cross_entropy", "input|[0, 1]", x -> Losses.binaryCrossEntropy(Ops.add(x, 1.0), same(x))));
        b.add(bad("bce target shape", "binary_cross_entropy", "target|[5, 4]", x -> Losses.binaryCrossEntropy(x, Tensor.zeros(F64, N - 1, C))));
        b.add(bad("bce target dtype", "binary_cross_entropy", "target|float32", x -> Losses.binaryCrossEntropy(x, Tensor.zeros(F32, N, C))));
        b.add(bad("bce weight shape", "binary_cross_entropy", "weight|[5]",
                x -> Losses.binaryCrossEntropy(x, same(x), Tensor.ones(F64, C + 1), Reduction.MEAN)));
        b.add(bad("bce weight dtype", "binary_cross_entropy", "weight|float32",
                x -> Losses.binaryCrossEntropy(x, same(x), Tensor.ones(F32, C), Reduction.MEAN)));
        b.add(bad("bce batchmean", "binary_cross_entropy", "batchmean", x -> Losses.binaryCrossEntropy(x, same(x), null, Reduction.BATCHMEAN)));
        b.add(bad("bce reduction null", "binary_cross_entropy", "reduction", x -> Losses.binaryCrossEntropy(x, same(x), null, null)));
        b.add(bad("bce null target", "binary_cross_entropy", "target", x -> Losses.binaryCrossEntropy(x, null)));
        // ---------------- binary_cross_entropy_with_logits
        b.add(bad("bcel pos_weight shape", "binary_cross_entropy_with_logits", "pos_weight|[3]",
                x -> Losses.binaryCrossEntropyWithLogits(x, same(x), null, Tensor.ones(F64, C - 1), Reduction.MEAN)));
        b.add(bad("bcel pos_weight dtype", "binary_cross_entropy_with_logits", "pos_weight|float32",
                x -> Losses.binaryCrossEntropyWithLogits(x, same(x), null, Tensor.ones(F32, C), Reduction.MEAN)));
        b.add(bad("bcel weight shape", "binary_cross_entropy_with_logits", "weight|[6]",
                x -> Losses.binaryCrossEntropyWithLogits(x, same(x), Tensor.ones(F64, N), null, Reduction.MEAN)));
        b.add(bad("bcel target shape", "binary_cross_entropy_with_logits", "target", x -> Losses.binaryCrossEntropyWithLogits(x, Tensor.zeros(F64, C))));
        b.add(bad("bcel target dtype", "binary_cross_entropy_with_logits", "target|float32",
                x -> Losses.binaryCrossEntropyWithLogits(x, Tensor.zeros(F32, N, C))));
        b.add(bad("bcel batchmean", "binary_cross_entropy_with_logits", "batchmean",
                x -> Losses.binaryCrossEntropyWithLogits(x, same(x), null, null, Reduction.BATCHMEAN)));
        b.add(bad("bcel null input", "binary_cross_entropy_with_logits", "input", x -> Losses.binaryCrossEntropyWithLogits(null, x)));
        // ---------------- mse_loss / half sum
        b.add(bad("mse batchmean", "mse_loss", "batchmean", x -> Losses.mseLoss(x, same(x), Reduction.BATCHMEAN)));
        b.add(bad("mse target shape", "mse_loss", "target|[4, 6]", x -> Losses.mseLoss(x, Tensor.zeros(F64, C, N))));
        b.add(bad("mse target dtype", "mse_loss", "target|float32", x -> Losses.mseLoss(x, Tensor.zeros(F32, N, C))));
        b.add(bad("mse null target", "mse_loss", "target", x -> Losses.mseLoss(x, null)));
        b.add(bad("half-sum target shape", "half_sum_squared_error", "target", x -> Losses.halfSumSquaredError(x, Tensor.zeros(F64, N * C))));
        b.add(bad("half-sum target dtype", "half_sum_squared_error", "target|float32", x -> Losses.halfSumSquaredError(x, Tensor.zeros(F32, N, C))));
        b.add(bad("half-sum null target", "half_sum_squared_error", "target", x -> Losses.halfSumSquaredError(x, null)));
        b.add(bad("half-sum null input", "half_sum_squared_error", "input", x -> Losses.halfSumSquaredError(null, x)));
        // ---------------- soft_margin_loss
        b.add(bad("soft margin shape", "soft_margin_loss", "target", x -> Losses.softMarginLoss(x, Tensor.ones(F64, N, 1))));
        b.add(bad("soft margin batchmean", "soft_margin_loss", "batchmean", x -> Losses.softMarginLoss(x, same(x), Reduction.BATCHMEAN)));
        b.add(bad("soft margin dtype", "soft_margin_loss", "target|float32", x -> Losses.softMarginLoss(x, Tensor.ones(F32, N, C))));
        // ---------------- kl_div
        b.add(bad("kl target shape", "kl_div", "target|[6]", x -> Losses.klDiv(x, Tensor.ones(F64, N), Reduction.SUM, false)));
        b.add(bad("kl target dtype", "kl_div", "target|float32", x -> Losses.klDiv(x, Tensor.ones(F32, N, C), Reduction.SUM, false)));
        b.add(bad("kl reduction null", "kl_div", "reduction", x -> Losses.klDiv(x, same(x), null, true)));
        b.add(bad("kl null input", "kl_div", "input", x -> Losses.klDiv(null, x, Reduction.BATCHMEAN, false)));
        // ---------------- entropy and H(p, q)
        b.add(bad("entropy base 1", "entropy", "base|1.0", x -> Losses.entropy(x, 1.0)));
        b.add(bad("entropy base 0", "entropy", "base", x -> Losses.entropy(x, 0.0)));
        b.add(bad("entropy base NaN", "entropy", "base", x -> Losses.entropy(x, Double.NaN)));
        b.add(bad("entropy null", "entropy", "input", x -> Losses.entropy(null)));
        b.add(bad("entropy scalar", "entropy", "input|scalar", x -> Losses.entropy(Tensor.scalar(0.5, F64))));
        b.add(bad("H(p,q) shape", "cross_entropy(p, q)", "q|[6, 3]", x -> Losses.crossEntropyBetween(x, Tensor.ones(F64, N, C - 1))));
        b.add(bad("H(p,q) q dtype", "cross_entropy(p, q)", "q|float32", x -> Losses.crossEntropyBetween(x, Tensor.ones(F32, N, C))));
        b.add(bad("H(p,q) q null", "cross_entropy(p, q)", "q", x -> Losses.crossEntropyBetween(x, null)));
        b.add(bad("H(p,q) p null", "cross_entropy(p, q)", "p", x -> Losses.crossEntropyBetween(null, x)));
        return b.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCalls")
    void rejectedWithAMessageNamingLossAndArgumentAndNoSideEffects(Bad bad) {
        Tensor x = uniform(7, 0.1, 0.9, F64, N, C).requiresGrad(true);
        // give x a gradient from an earlier, valid backward
        Losses.mseLoss(x, Tensor.zeros(F64, N, C), Reduction.SUM).backward();
        Tensor gradBefore = x.grad().copy(), dataBefore = x.copy();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.call().apply(x), bad.label());
        String m = e.getMessage();
        assertTrue(m != null && m.startsWith(bad.loss() + ":"), bad + ": message should start with '" + bad.loss() + ":' but was: " + m);
        String rest = m.substring(bad.loss().length() + 1); // the argument must be named after the loss's own name
        for (String s : bad.mentions()) assertTrue(rest.contains(s), bad + ": message should mention '" + s + "': " + m);

        assertTrue(gradBefore.contentEquals(x.grad()), bad + ": x.grad changed: " + x.grad());
        assertTrue(dataBefore.contentEquals(x.detach().copy()), bad + ": x data changed");
        assertTrue(GradMode.isEnabled(), bad + ": grad mode left disabled");
        // and x is still usable: a new backward accumulates onto the untouched gradient (2x + 2x)
        Losses.mseLoss(x, Tensor.zeros(F64, N, C), Reduction.SUM).backward();
        for (int e2 = 0; e2 < x.numel(); e2++) assertTrue(Math.abs(x.grad().get(e2) - 4 * x.get(e2)) < 1e-15, bad + ": accumulation");
    }

    @Test
    void failureInsideForwardDoesNotRecordAGraphNode() {
        // BCE validates its probabilities inside the node's forward: the failure must not leave a half-built node behind
        Tensor x = uniform(8, 0.1, 0.9, F64, N, C).requiresGrad(true);
        Tensor p = Ops.mul(x, 2.0); // some values > 1
        assertThrows(IllegalArgumentException.class, () -> Losses.binaryCrossEntropy(p, Tensor.zeros(F64, N, C)));
        Tensor ok = Losses.binaryCrossEntropy(Ops.mul(x, 0.5), Tensor.zeros(F64, N, C), null, Reduction.SUM);
        ok.backward();
        // d/dx Σ -log(1 - x/2) = 0.5 / (1 - x/2)
        for (int e = 0; e < x.numel(); e++) assertTrue(Math.abs(x.grad().get(e) - 0.5 / (1 - x.get(e) / 2)) < 1e-12);
    }
}
