package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.probabilityRows;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The numbers of classic textbook explanations, reproduced through jgrad's public API. */
class WorkedExamplesTest {

    /** One-hot target: the correct class is index 1. */
    static final double[] T = {0, 1, 0, 0};
    /** A wrong, confident guess (class 3 gets 0.8). */
    static final double[] Y_WRONG = {0.1, 0.05, 0.05, 0.8};
    /** A right guess (class 1 gets 0.8). */
    static final double[] Y_RIGHT = {0.1, 0.8, 0.05, 0.05};

    @Test
    void halfSumOfSquaresOfTheTwoGuesses() {
        // y_wrong - t = [0.1, -0.95, 0.05, 0.8]; squares 0.01 + 0.9025 + 0.0025 + 0.64 = 1.555; ½ · 1.555 = 0.7775
        assertEquals(0.7775, Losses.halfSumSquaredError(Tensor.of(Y_WRONG), Tensor.of(T)).item(), 1e-15);
        // y_right - t = [0.1, -0.2, 0.05, 0.05]; squares 0.01 + 0.04 + 0.0025 + 0.0025 = 0.055; ½ · 0.055 = 0.0275
        assertEquals(0.0275, Losses.halfSumSquaredError(Tensor.of(Y_RIGHT), Tensor.of(T)).item(), 1e-15);
        // the same numbers in float32, and PyTorch's mse_loss is (2/4) of that: mean of squares = 1.555/4, 0.055/4
        assertEquals(0.7775, Losses.halfSumSquaredError(Tensor.of(F32, Y_WRONG), Tensor.of(F32, T)).item(), 1e-6);
        assertEquals(1.555 / 4, Losses.mseLoss(Tensor.of(Y_WRONG), Tensor.of(T)).item(), 1e-15);
        assertEquals(0.055 / 4, Losses.mseLoss(Tensor.of(Y_RIGHT), Tensor.of(T)).item(), 1e-15);
    }

    @Test
    void deltaCrossEntropyOfTheTwoGuesses() {
        // -Σ t·log(y + 1e-7) = -log(y_1 + 1e-7): -log(0.0500001) ≈ 2.9957 (wrong guess), -log(0.8000001) ≈ 0.2231 (right guess)
        double delta = 1e-7;
        double wrong = -Math.log(0.05 + delta), right = -Math.log(0.8 + delta);
        assertEquals(2.9957, wrong, 1e-4);
        assertEquals(0.2231, right, 1e-4);
        double[][] ys = {Y_WRONG, Y_RIGHT};
        double[] expected = {wrong, right};
        for (int k = 0; k < 2; k++) {
            Tensor y = Tensor.of(ys[k]);
            // (a) H(t, y + δ) with crossEntropyBetween
            assertEquals(expected[k], Losses.crossEntropyBetween(Tensor.of(T), Ops.add(y, delta)).item(), 1e-13, "H(t, y+δ) " + k);
            // (b) nll_loss of log(y + δ) with the class index
            assertEquals(expected[k], Losses.nllLoss(Ops.log(Ops.add(y, delta)), IntTensor.scalar(1), null, -100, Reduction.SUM).item(),
                    1e-13, "nll(log(y+δ)) " + k);
            // (c) the epsClamp(1e-7) strategy: the logits log(y) have softmax y (y sums to 1), then log(p + δ), then NLL
            CrossEntropyLoss clamp = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.epsClamp(delta)).build();
            assertEquals(expected[k], clamp.apply(Ops.log(y), IntTensor.scalar(1)).item(), 1e-12, "epsClamp " + k);
            // the FUSED loss of the same logits is the exact -log(y_1), slightly larger than the δ version
            double exact = Losses.crossEntropy(Ops.log(y), IntTensor.scalar(1)).item();
            assertEquals(-Math.log(ys[k][1]), exact, 1e-12);
            assertEquals(Math.log1p(delta / ys[k][1]), exact - expected[k], 1e-12);
        }
    }

    @Test
    void softmaxOfOneTwoThree() {
        Tensor x = Tensor.of(new double[]{1, 2, 3});
        double[] expected = {0.090031, 0.244728, 0.665241};
        assertClose("Ops.softmax", expected, Ops.softmax(x, -1).toDoubleArray(), 0, 1e-6);
        for (SoftmaxCrossEntropy s : new SoftmaxCrossEntropy[]{SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE}) {
            assertClose(s + " exp(logProbabilities)", expected, Ops.exp(s.logProbabilities(x)).toDoubleArray(), 0, 1e-6);
        }
        assertClose("rounded", new double[]{0.090, 0.245, 0.665}, Ops.softmax(x, -1).toDoubleArray(), 0, 5e-4);
        // the gradient of the cross-entropy w.r.t. the logits is softmax - one-hot: [0.090, 0.245, 0.665 - 1]
        Tensor xg = x.copy().requiresGrad(true);
        Losses.crossEntropy(xg, IntTensor.scalar(2)).backward();
        assertClose("dCE/dx", new double[]{0.090031, 0.244728, 0.665241 - 1}, xg.grad().toDoubleArray(), 0, 1e-6);
    }

    @Test
    void crossEntropyOfAConfidentRightPrediction() {
        // logits [3, -3, -3], class 0: -log(e^3 / (e^3 + 2e^-3)) = log(1 + 2e^-6) ≈ 0.0049452
        double expected = Math.log1p(2 * Math.exp(-6));
        assertEquals(0.0049452, expected, 1e-7);
        assertEquals(expected, Losses.crossEntropy(Tensor.of(new double[]{3, -3, -3}), IntTensor.scalar(0)).item(), 1e-15);
        // float32: log Σ exp = log(1.0049575…) is formed from a sum near 1, so a float32 backend (SIMD kernels) is
        // only accurate to ~1 ulp of 1.0 (1.2e-7) in absolute terms, as in PyTorch's float32 kernels
        assertEquals(expected, Losses.crossEntropy(Tensor.of(F32, new double[]{3, -3, -3}), IntTensor.scalar(0)).item(), 5e-7);
        assertEquals(expected, Losses.crossEntropy(Tensor.of(F64, new double[][]{{3, -3, -3}}), IntTensor.of(0)).item(), 1e-15);
    }

    @Test
    void entropyInBits() {
        assertEquals(2.0, Losses.entropy(Tensor.of(new double[]{.25, .25, .25, .25}), 2).item(), 1e-15);
        // -(3·0.1·log2 0.1 + 0.7·log2 0.7) = 0.9965784 + 0.3602012 = 1.3567796
        assertEquals(1.3567796, Losses.entropy(Tensor.of(new double[]{.1, .1, .1, .7}), 2).item(), 1e-7);
        // -(3·0.001·log2 0.001 + 0.999·log2 0.999) = 0.0298974 + 0.0014420 = 0.0313394
        assertEquals(0.0313394, Losses.entropy(Tensor.of(new double[]{.001, .001, .001, .999}), 2).item(), 1e-7);
        // batched: one row each, same numbers
        Tensor rows = Tensor.of(F64, new double[][]{{.25, .25, .25, .25}, {.1, .1, .1, .7}, {.001, .001, .001, .999}});
        assertClose("batched", new double[]{2.0, 1.3567796, 0.0313394}, Losses.entropy(rows, 2).toDoubleArray(), 0, 1e-7);
    }

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void logisticLossWithPlusMinusOneLabelsEqualsBceWithLogits(Reduction r) {
        Tensor x = randn(101, F64, 5, 3).requiresGrad(true);
        Tensor y = BinaryLossesTest.plusMinusOne(102, 5, 3);
        Tensor t = Ops.div(Ops.add(y, 1.0), 2.0); // {-1, +1} -> {0, 1}
        LossTestSupport.Run a = run(in -> Losses.softMarginLoss(in[0], y, r), x);
        LossTestSupport.Run b = run(in -> Losses.binaryCrossEntropyWithLogits(in[0], t, null, null, r), x);
        assertClose("loss " + r, b.out(), a.out(), 1e-13, 1e-15);
        assertClose("grad " + r, b.grad(0), a.grad(0), 1e-13, 1e-15);
    }

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void oneHotProbabilityTargetsEqualClassIndexTargets(Reduction r) {
        IntTensor idx = IntTensor.of(2, 0, 3, 3, 1, 0);
        Tensor oneHot = Ops.oneHot(idx, 4, F64);
        Tensor x = randn(103, F64, 6, 4).requiresGrad(true);
        for (double eps : new double[]{0.0, 0.2}) {
            LossTestSupport.Run a = run(in -> Losses.crossEntropy(in[0], idx, null, -100, r, eps), x);
            LossTestSupport.Run b = run(in -> Losses.crossEntropy(in[0], oneHot, null, r, eps), x);
            assertClose("loss " + r + " eps " + eps, a.out(), b.out(), 1e-13, 1e-15);
            assertClose("grad " + r + " eps " + eps, a.grad(0), b.grad(0), 1e-12, 1e-15);
        }
    }

    @Test
    void klEqualsCrossEntropyMinusEntropy() {
        for (long seed = 0; seed < 5; seed++) {
            int n = 3 + (int) seed, c = 2 + 2 * (int) seed;
            Tensor p = probabilityRows(200 + seed, F64, n, c), q = probabilityRows(300 + seed, F64, n, c);
            Tensor hpq = Losses.crossEntropyBetween(p, q), hp = Losses.entropy(p);
            double sumDiff = 0;
            for (int i = 0; i < n; i++) sumDiff += hpq.get(i) - hp.get(i);
            Tensor logq = Ops.log(q);
            assertEquals(sumDiff, Losses.klDiv(logq, p, Reduction.SUM, false).item(), 1e-12, "sum, seed " + seed);
            assertEquals(sumDiff / n, Losses.klDiv(logq, p, Reduction.BATCHMEAN, false).item(), 1e-12, "batchmean, seed " + seed);
            assertEquals(sumDiff / n, Losses.klDiv(logq, Ops.log(p), Reduction.BATCHMEAN, true).item(), 1e-12, "log_target, seed " + seed);
            // gradient w.r.t. p agrees too: log p + 1 - log q on both sides
            Tensor pg = p.copy().requiresGrad(true);
            LossTestSupport.Run kl = run(in -> Losses.klDiv(logq, in[0], Reduction.SUM, false), pg);
            LossTestSupport.Run diff = run(in -> Ops.sum(Ops.sub(Losses.crossEntropyBetween(in[0], q), Losses.entropy(in[0]))), pg);
            assertClose("d/dp seed " + seed, kl.grad(0), diff.grad(0), 1e-12, 1e-14);
        }
    }
}
