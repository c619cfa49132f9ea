package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.CLASS_WEIGHT;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.maxAbs;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PyTorch 1.13's edge semantics: all targets ignored, zero weights, exact 0/1 probabilities, unbatched input, -inf logits. */
class EdgeSemanticsTest {

    static final IntTensor ALL_IGNORED = IntTensor.of(-100, -100, -100);

    static Stream<Arguments> strategiesAndSmoothing() {
        List<Arguments> out = new ArrayList<>();
        for (SoftmaxCrossEntropy s : StrategiesTest.allStrategies()) {
            for (double eps : new double[]{0.0, 0.1}) {
                for (boolean weighted : new boolean[]{false, true}) out.add(Arguments.of(s, eps, weighted));
            }
        }
        return out.stream();
    }

    static CrossEntropyLoss.Builder builder(SoftmaxCrossEntropy s, double eps, boolean weighted) {
        return CrossEntropyLoss.builder().strategy(s).labelSmoothing(eps).weight(weighted ? Tensor.of(F64, CLASS_WEIGHT) : null);
    }

    // ------------------------------------------------------------------ all targets ignored

    @ParameterizedTest(name = "{0} eps={1} weighted={2}")
    @MethodSource("strategiesAndSmoothing")
    void allIgnoredWithMeanIsNanWithZeroGradient(SoftmaxCrossEntropy s, double eps, boolean weighted) {
        Tensor x = randn(401, F64, 3, C).requiresGrad(true);
        Tensor loss = builder(s, eps, weighted).build().apply(x, ALL_IGNORED);
        assertTrue(Double.isNaN(loss.item()), "0/0 should be NaN, got " + loss.item());
        loss.backward();
        assertEquals(0.0, maxAbs(x.grad()), "gradient must be all zeros: " + x.grad());
        assertTrue(!Double.isNaN(x.grad().get(0)));
        // SUM and NONE are plain zeros
        assertEquals(0.0, builder(s, eps, weighted).reduction(Reduction.SUM).build().apply(x, ALL_IGNORED).item(), 0.0);
        assertEquals(0.0, maxAbs(builder(s, eps, weighted).reduction(Reduction.NONE).build().apply(x, ALL_IGNORED)), 0.0);
    }

    @ParameterizedTest(name = "{0} eps={1} weighted={2}")
    @MethodSource("strategiesAndSmoothing")
    void allIgnoredMeanIsZeroOptionGivesZeroAndZeroGradient(SoftmaxCrossEntropy s, double eps, boolean weighted) {
        Tensor x = randn(402, F64, 3, C).requiresGrad(true);
        CrossEntropyLoss ce = builder(s, eps, weighted).allIgnoredMeanIsZero(true).build();
        Tensor loss = ce.apply(x, ALL_IGNORED);
        assertEquals(0.0, loss.item(), 0.0);
        loss.backward();
        assertEquals(0.0, maxAbs(x.grad()));
        // the option changes nothing when some target is kept
        IntTensor some = IntTensor.of(-100, 1, 3);
        LossTestSupport.Run a = run(in -> ce.apply(in[0], some), x);
        LossTestSupport.Run b = run(in -> builder(s, eps, weighted).build().apply(in[0], some), x);
        assertClose("loss", b.out(), a.out(), 0, 0);
        assertClose("grad", b.grad(0), a.grad(0), 0, 0);
        assertTrue(Double.isFinite(a.out().item()) && a.out().item() > 0);
    }

    @Test
    void nllLossAllIgnored() {
        Tensor lp = randn(403, F64, 3, C).requiresGrad(true);
        Tensor loss = Losses.nllLoss(lp, ALL_IGNORED);
        assertTrue(Double.isNaN(loss.item()));
        loss.backward();
        assertEquals(0.0, maxAbs(lp.grad()));
        lp.zeroGrad();
        Tensor zero = CrossEntropyLoss.builder().allIgnoredMeanIsZero(true).build().nll(lp, ALL_IGNORED);
        assertEquals(0.0, zero.item(), 0.0);
        zero.backward();
        assertEquals(0.0, maxAbs(lp.grad()));
    }

    // ------------------------------------------------------------------ zero class weights

    @Test
    void zeroWeightForEveryTargetWithMeanIsNan() {
        Tensor w = Tensor.of(new double[]{0, 0, 1, 1});
        IntTensor t = IntTensor.of(0, 1, 1, -100);
        Tensor lp = randn(404, F64, 4, C).requiresGrad(true);
        Tensor loss = Losses.nllLoss(lp, t, w, -100, Reduction.MEAN);
        assertTrue(Double.isNaN(loss.item()), "0/0 should be NaN, got " + loss.item());
        loss.backward();
        // nll_loss: NaN (= -0 · (1/0)) exactly at the target entries of the zero-weight samples, 0 elsewhere
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < C; c++) {
                double g = lp.grad().at(i, c);
                boolean target = i < 3 && t.get(i) == c;
                if (target) assertTrue(Double.isNaN(g), "entry " + i + "," + c + " = " + g);
                else assertEquals(0.0, g, 0.0, "entry " + i + "," + c);
            }
        }
        // cross_entropy: NaN loss for every strategy, also with the allIgnoredMeanIsZero option (nothing is ignored here)
        Tensor x = randn(405, F64, 4, C);
        for (SoftmaxCrossEntropy s : StrategiesTest.allStrategies()) {
            for (boolean zeroOpt : new boolean[]{false, true}) {
                Tensor l = CrossEntropyLoss.builder().weight(w).strategy(s).allIgnoredMeanIsZero(zeroOpt).build().apply(x, t);
                assertTrue(Double.isNaN(l.item()), s + " zeroOpt=" + zeroOpt + ": " + l.item());
            }
        }
        // SUM is an ordinary 0 in that case
        assertEquals(0.0, Losses.crossEntropy(x, t, w, -100, Reduction.SUM, 0.0).item(), 0.0);
    }

    // ------------------------------------------------------------------ exact 0/1 probabilities

    @ParameterizedTest
    @EnumSource(DType.class)
    void bceWithExactZeroOneProbabilitiesIsFiniteWithHugeGradients(DType dt) {
        Tensor p = Tensor.of(dt, new double[]{0, 1, 0, 1}).requiresGrad(true);
        Tensor t = Tensor.of(dt, new double[]{1, 0, 0, 1});
        Tensor loss = Losses.binaryCrossEntropy(p, t, null, Reduction.NONE);
        // -max(log 0, -100) = 100 where the prediction is exactly wrong, 0 where exactly right
        assertClose(dt + " loss", new double[]{100, 100, 0, 0}, loss.toDoubleArray(), 0, 0);
        loss.backward(Tensor.ones(dt, 4));
        double eps = (double) 1e-12f; // PyTorch's epsilon, a float32 constant in both dtypes
        assertClose(dt + " grad", new double[]{-1 / eps, 1 / eps, 0, 0}, p.grad().toDoubleArray(), dt == F64 ? 1e-12 : 1e-7, 0);
        assertTrue(Math.abs(p.grad().get(0)) > 0.99e12 && Math.abs(p.grad().get(0)) < 1.01e12);
        // mean: the same scaled by 1/4
        p.zeroGrad();
        Tensor mean = Losses.binaryCrossEntropy(p, t);
        assertEquals(50.0, mean.item(), 1e-5);
        mean.backward();
        assertEquals(1 / eps / 4, p.grad().get(1), 1e-7 / eps);
    }

    // ------------------------------------------------------------------ unbatched input

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void unbatchedInputWithScalarTarget(Reduction r) {
        Tensor w = Tensor.of(F64, CLASS_WEIGHT);
        Tensor x1 = randn(406, F64, C).requiresGrad(true);
        Tensor x2 = x1.copy().view(1, C).requiresGrad(true);
        for (double eps : new double[]{0.0, 0.1}) {
            CrossEntropyLoss ce = CrossEntropyLoss.builder().weight(w).labelSmoothing(eps).reduction(r).build();
            LossTestSupport.Run un = run(in -> ce.apply(in[0], IntTensor.scalar(2)), x1);
            LossTestSupport.Run ba = run(in -> ce.apply(in[0], IntTensor.of(2)), x2);
            assertArrayEquals(new int[0], un.out().shape(), "unbatched output is a scalar for " + r);
            assertArrayEquals(new int[]{C}, un.grad(0).shape());
            assertEquals(ba.out().get(0), un.out().item(), 1e-15);
            assertClose("grad", ba.grad(0).toDoubleArray(), un.grad(0).toDoubleArray(), 1e-15, 0);
            gradcheck("unbatched " + r + " eps " + eps, in -> ce.apply(in[0], IntTensor.scalar(2)), x1);
        }
        // nll_loss and probability targets accept [C] too
        Tensor nll = Losses.nllLoss(x1, IntTensor.scalar(3), null, -100, r);
        assertArrayEquals(new int[0], nll.shape());
        assertEquals(-x1.get(3), nll.item(), 0.0);
        Tensor soft = Losses.crossEntropy(x1, Tensor.of(new double[]{0, 0, 1, 0}), null, r, 0.0);
        assertEquals(Losses.crossEntropy(x1, IntTensor.scalar(2), null, -100, r, 0.0).item(), soft.item(), 1e-15);
        // an ignored unbatched target: MEAN is NaN
        if (r == Reduction.MEAN) assertTrue(Double.isNaN(Losses.crossEntropy(x1, IntTensor.scalar(-100)).item()));
    }

    // ------------------------------------------------------------------ -inf logits

    @Test
    void minusInfinityLogitOnANonTargetClass() {
        for (DType dt : DType.values()) {
            Tensor x = Tensor.of(dt, new double[][]{{1, Double.NEGATIVE_INFINITY, 0.5}});
            IntTensor t = IntTensor.of(0);
            // ε = 0: the masked class only drops out of the softmax; finite loss log(1 + e^-0.5)
            assertEquals(Math.log1p(Math.exp(-0.5)), Losses.crossEntropy(x, t).item(), dt == F32 ? 1e-7 : 1e-15);
            // ε > 0: the smoothing term includes -lp = +inf
            assertEquals(Double.POSITIVE_INFINITY, Losses.crossEntropy(x, t, null, -100, Reduction.MEAN, 0.1).item());
            // probability target 0 at the -inf logit: 0·(-inf) = NaN
            assertTrue(Double.isNaN(Losses.crossEntropy(x, Tensor.of(dt, new double[][]{{1, 0, 0}})).item()));
        }
    }

    @Test
    void float32OutputsAreFloat32() {
        Tensor x = randn(407, F32, 2, C);
        assertEquals(F32, Losses.crossEntropy(x, IntTensor.of(0, 1)).dtype());
        assertEquals(F32, Losses.nllLoss(x, IntTensor.of(0, 1)).dtype());
    }
}
