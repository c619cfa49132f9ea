package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.LossTestSupport.IndexCase;
import dev.jgrad.losses.LossTestSupport.ProbCase;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertAllFinite;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stability strategies of softmax cross-entropy ({@link SoftmaxCrossEntropy}) and of binary classification
 * ({@link BinaryStrategy}): gradients, agreement of the fused node with the composite graphs, and the documented
 * behaviour of each at extreme logits.
 */
class StrategiesTest {

    static final SoftmaxCrossEntropy CLAMP_7 = SoftmaxCrossEntropy.epsClamp(1e-7);

    static SoftmaxCrossEntropy[] allStrategies() {
        return new SoftmaxCrossEntropy[]{SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE, CLAMP_7};
    }

    /** Composite strategies compared with FUSED; the clamp with a negligible eps, so that agreement is exact math. */
    static SoftmaxCrossEntropy[] compositeStrategies() {
        return new SoftmaxCrossEntropy[]{SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE, SoftmaxCrossEntropy.epsClamp(1e-14)};
    }

    static Stream<Arguments> strategyIndexCases() {
        List<Arguments> out = new ArrayList<>();
        for (SoftmaxCrossEntropy s : allStrategies()) LossTestSupport.indexCases().forEach(k -> out.add(Arguments.of(s, k)));
        return out.stream();
    }

    static Stream<Arguments> strategyProbCases() {
        List<Arguments> out = new ArrayList<>();
        for (SoftmaxCrossEntropy s : allStrategies()) LossTestSupport.probCases().forEach(k -> out.add(Arguments.of(s, k)));
        return out.stream();
    }

    static Stream<Arguments> compositeIndexCases() {
        List<Arguments> out = new ArrayList<>();
        for (DType dt : DType.values()) {
            for (SoftmaxCrossEntropy s : compositeStrategies()) LossTestSupport.indexCases().forEach(k -> out.add(Arguments.of(dt, s, k)));
        }
        return out.stream();
    }

    static Stream<Arguments> compositeProbCases() {
        List<Arguments> out = new ArrayList<>();
        for (DType dt : DType.values()) {
            for (SoftmaxCrossEntropy s : compositeStrategies()) LossTestSupport.probCases().forEach(k -> out.add(Arguments.of(dt, s, k)));
        }
        return out.stream();
    }

    /** float64: rtol 1e-6; float32: rtol 1e-4 (atol covers gradient entries near zero). */
    static double rtol(DType dt) {
        return dt == F64 ? 1e-6 : 1e-4;
    }

    static double atol(DType dt) {
        return dt == F64 ? 1e-10 : 1e-6;
    }

    // ------------------------------------------------------------------ gradcheck of every strategy

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("strategyIndexCases")
    void everyStrategyGradchecksWithIndexTargets(SoftmaxCrossEntropy s, IndexCase k) {
        Tensor x = randn(301, F64, N, C).requiresGrad(true);
        CrossEntropyLoss ce = k.module(s, F64);
        gradcheck(s + " " + k, in -> ce.apply(in[0], k.target()), x);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("strategyProbCases")
    void everyStrategyGradchecksWithProbabilityTargets(SoftmaxCrossEntropy s, ProbCase k) {
        Tensor x = randn(302, F64, N, C).requiresGrad(true);
        Tensor t = uniform(303, 0.05, 1, F64, N, C).requiresGrad(true);
        CrossEntropyLoss ce = k.module(s, F64);
        gradcheck(s + " " + k, in -> ce.apply(in[0], in[1]), x, t);
    }

    // ------------------------------------------------------------------ fused vs composite

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("compositeIndexCases")
    void fusedAndCompositeAgreeWithIndexTargets(DType dt, SoftmaxCrossEntropy s, IndexCase k) {
        Tensor x = randn(304, F64, N, C).to(dt);
        Tensor scaled = Ops.mul(x, 3.0).requiresGrad(true); // logits up to ≈ ±8: probabilities down to ~1e-6
        LossTestSupport.Run fused = run(in -> k.module(SoftmaxCrossEntropy.FUSED, dt).apply(in[0], k.target()), scaled);
        LossTestSupport.Run comp = run(in -> k.module(s, dt).apply(in[0], k.target()), scaled);
        assertEquals(dt, fused.out().dtype());
        assertClose(s + " " + k + " loss", fused.out(), comp.out(), rtol(dt), atol(dt));
        assertClose(s + " " + k + " grad", fused.grad(0), comp.grad(0), rtol(dt), atol(dt));
        if (k.eps() == 0) {
            // and the two-op composite log_softmax -> nll_loss
            LossTestSupport.Run nll = run(in -> Losses.nllLoss(Ops.logSoftmax(in[0], -1), k.target(), k.weight(dt), k.ignore().index, k.reduction()), scaled);
            assertClose(k + " nll(logSoftmax) loss", fused.out(), nll.out(), rtol(dt), atol(dt));
            assertClose(k + " nll(logSoftmax) grad", fused.grad(0), nll.grad(0), rtol(dt), atol(dt));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("compositeProbCases")
    void fusedAndCompositeAgreeWithProbabilityTargets(DType dt, SoftmaxCrossEntropy s, ProbCase k) {
        Tensor x = Ops.mul(randn(305, F64, N, C).to(dt), 3.0).requiresGrad(true);
        Tensor t = uniform(306, 0, 1, dt, N, C).requiresGrad(true);
        LossTestSupport.Run fused = run(in -> k.module(SoftmaxCrossEntropy.FUSED, dt).apply(in[0], in[1]), x, t);
        LossTestSupport.Run comp = run(in -> k.module(s, dt).apply(in[0], in[1]), x, t);
        assertClose(s + " " + k + " loss", fused.out(), comp.out(), rtol(dt), atol(dt));
        assertClose(s + " " + k + " grad logits", fused.grad(0), comp.grad(0), rtol(dt), atol(dt));
        assertClose(s + " " + k + " grad target", fused.grad(1), comp.grad(1), rtol(dt), atol(dt));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void epsClampIsBiasedDownwardByLog1pEpsOverP(DType dt) {
        // -log(p + δ) = -log p - log(1 + δ/p): the clamp under-reports each sample's loss by log1p(δ/p_t)
        double delta = dt == F64 ? 1e-7 : 1e-3; // float32 cannot resolve a 1e-7 relative bias of a loss of order 1
        Tensor x = Ops.mul(randn(307, F64, N, C), 3.0).to(dt);
        IntTensor t = LossTestSupport.Ignore.NONE.target();
        CrossEntropyLoss exact = CrossEntropyLoss.builder().reduction(Reduction.NONE).build();
        CrossEntropyLoss clamp = CrossEntropyLoss.builder().reduction(Reduction.NONE).strategy(SoftmaxCrossEntropy.epsClamp(delta)).build();
        Tensor le = exact.apply(x, t), lc = clamp.apply(x, t);
        Tensor p = Ops.softmax(x.to(F64), -1);
        for (int i = 0; i < N; i++) {
            double bias = Math.log1p(delta / p.at(i, t.get(i)));
            assertTrue(le.get(i) > lc.get(i), "row " + i + ": clamp is not below the exact loss");
            assertEquals(bias, le.get(i) - lc.get(i), dt == F64 ? 1e-6 * bias + 1e-13 : 2e-6 + 1e-2 * bias, "row " + i + " bias");
        }
    }

    // ------------------------------------------------------------------ extreme logits

    /** Two identical rows {@code [L, 0, -L]} (float32 L = 1e4, float64 L = 1e300), MEAN over N = 2. */
    static Tensor extremeLogits(DType dt) {
        double big = dt == F32 ? 1e4 : 1e300;
        return Tensor.of(dt, new double[][]{{big, 0, -big}, {big, 0, -big}});
    }

    static double big(DType dt) {
        return dt == F32 ? 1e4 : 1e300;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fusedIsFiniteAndExactAtExtremeLogits(DType dt) {
        double big = big(dt);
        Tensor x = extremeLogits(dt).requiresGrad(true);
        // target 1: lse = L + log(1 + e^-L + e^-2L) = L exactly, loss = lse - 0 = L; gradient (softmax - onehot)/N = [1, -1, 0]/2
        Tensor loss = Losses.crossEntropy(x, IntTensor.of(1, 1));
        loss.backward();
        assertEquals(big, loss.item(), big * 1e-15);
        assertClose(dt + " grad target 1", new double[]{0.5, -0.5, 0, 0.5, -0.5, 0}, x.grad().toDoubleArray(), 1e-15, 0);
        // target 2 in one row, 0 in the other: losses 2L and 0; gradient rows [1, 0, -1]/2 and [0, 0, 0]
        x.zeroGrad();
        Tensor none = Losses.crossEntropy(x, IntTensor.of(2, 0), null, -100, Reduction.NONE, 0.0);
        assertClose(dt + " loss targets 2,0", new double[]{2 * big, 0}, none.toDoubleArray(), 1e-15, 0);
        Losses.crossEntropy(x, IntTensor.of(2, 0)).backward();
        assertClose(dt + " grad targets 2,0", new double[]{0.5, 0, -0.5, 0, 0, 0}, x.grad().toDoubleArray(), 1e-15, 0);
        // label smoothing 0.1 with target 1: 0.9·L + (0.1/3)(0 + L + 2L) = L; gradient [1,0,0] - [ε/3, 1-ε+ε/3, ε/3] per row, /2
        x.zeroGrad();
        Tensor smooth = Losses.crossEntropy(x, IntTensor.of(1, 1), null, -100, Reduction.MEAN, 0.1);
        smooth.backward();
        assertEquals(big, smooth.item(), big * 1e-12);
        double e3 = 0.1 / 3;
        assertClose(dt + " smoothed grad", new double[]{(1 - e3) / 2, -(0.9 + e3) / 2, -e3 / 2, (1 - e3) / 2, -(0.9 + e3) / 2, -e3 / 2},
                x.grad().toDoubleArray(), 1e-6, 1e-7);
        // probability target [0.5, 0.5, 0]: 0.5·0 + 0.5·L
        Tensor soft = Losses.crossEntropy(x, Tensor.of(dt, new double[][]{{0.5, 0.5, 0}, {0.5, 0.5, 0}}));
        assertEquals(big / 2, soft.item(), big * 1e-15);
        // class weights: the mean is weight-normalised, so L again
        Tensor w = Tensor.of(dt, new double[]{1, 3, 2});
        assertEquals(big, Losses.crossEntropy(x, IntTensor.of(1, 1), w, -100, Reduction.MEAN, 0.0).item(), big * 1e-15);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void naiveOverflowsAtExtremeLogits(DType dt) {
        // documented: exp(L) = inf, inf/inf = NaN (and e^0/inf = 0, log 0 = -inf) — the loss is not finite
        Tensor x = extremeLogits(dt);
        CrossEntropyLoss naive = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build();
        for (IntTensor t : new IntTensor[]{IntTensor.of(1, 1), IntTensor.of(0, 0)}) {
            double l = naive.apply(x, t).item();
            assertFalse(Double.isFinite(l), dt + " NAIVE loss " + l);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxShiftGivesInfinityForAnUnderflowedTargetProbability(DType dt) {
        Tensor x = extremeLogits(dt);
        CrossEntropyLoss ms = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.MAX_SHIFT).build();
        // softmax = [1, 0, 0] exactly: the target 1 probability underflowed, log 0 = -inf, loss +inf
        assertEquals(Double.POSITIVE_INFINITY, ms.apply(x, IntTensor.of(1, 1)).item());
        // the forward itself is stable: the target with probability 1 gives 0
        assertEquals(0.0, ms.apply(x, IntTensor.of(0, 0)).item(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void epsClampStaysFiniteButIsBiasedAtExtremeLogits(DType dt) {
        Tensor x = extremeLogits(dt).requiresGrad(true);
        CrossEntropyLoss clamp = CrossEntropyLoss.builder().strategy(CLAMP_7).build();
        Tensor l = clamp.apply(x, IntTensor.of(1, 1));
        l.backward();
        // -log(0 + 1e-7) = 16.118…, while the true loss is L (1e4 or 1e300)
        assertEquals(-Math.log(1e-7), l.item(), 1e-5);
        assertTrue(l.item() < 0.01 * big(dt), "biased far below the true loss");
        assertAllFinite("epsClamp grad", x.grad());
    }

    @Test
    void float32NaiveOverflowStartsPastExpLimit() {
        // float32 exp overflows once x > ln(FLT_MAX) ≈ 88.72; scale a fixed row so that its max is s
        double[] base = {1.0, 0.25, -0.5, 0.6};
        IntTensor t = IntTensor.of(1);
        CrossEntropyLoss naive = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build();
        for (double s : new double[]{80, 88.7}) {
            Tensor x = Ops.mul(Tensor.of(F32, base, 1, 4), s);
            double l = naive.apply(x, t).item(), fused = Losses.crossEntropy(x, t).item();
            assertTrue(Double.isFinite(l), "max " + s + ": NAIVE loss " + l);
            assertEquals(fused, l, 1e-4 * fused, "max " + s);
            assertEquals(0.75 * s, fused, 1e-4 * s, "max " + s); // lse ≈ s, target logit 0.25 s
        }
        for (double s : new double[]{88.8, 90}) {
            Tensor x = Ops.mul(Tensor.of(F32, base, 1, 4), s);
            double l = naive.apply(x, t).item();
            assertFalse(Double.isFinite(l), "max " + s + ": NAIVE loss " + l);
            assertTrue(Double.isFinite(Losses.crossEntropy(x, t).item()));
            // the same logits in float64 do not overflow
            assertTrue(Double.isFinite(naive.apply(x.to(F64), t).item()), "float64 at " + s);
        }
    }

    // ------------------------------------------------------------------ strategy names

    @Test
    void parseAndNames() {
        assertSame(SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.parse("fused"));
        assertSame(SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.parse("max-shift"));
        assertSame(SoftmaxCrossEntropy.NAIVE, SoftmaxCrossEntropy.parse(" NAIVE "));
        assertEquals("EPS_CLAMP(1.0E-7)", SoftmaxCrossEntropy.parse("eps_clamp(1e-7)").name());
        assertEquals("EPS_CLAMP(1.0E-12)", SoftmaxCrossEntropy.parse("EPS_CLAMP:1e-12").name());
        assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.parse("softmax"));
        for (double bad : new double[]{0, -1e-7, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.epsClamp(bad));
            assertTrue(e.getMessage().contains("epsClamp"), e.getMessage());
        }
        for (double bad : new double[]{0, 0.5, -0.1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> BinaryStrategy.epsClip(bad));
        }
        assertEquals(Reduction.BATCHMEAN, Reduction.parse("batchmean"));
        assertThrows(IllegalArgumentException.class, () -> Reduction.parse("avg"));
    }

    // ------------------------------------------------------------------ binary strategies

    static BinaryStrategy[] binaryStrategies() {
        return new BinaryStrategy[]{BinaryStrategy.FUSED, BinaryStrategy.TORCH_CLAMP, BinaryStrategy.NAIVE, BinaryStrategy.epsClip(1e-7),
                BinaryStrategy.LOGISTIC_NAIVE, BinaryStrategy.LOGISTIC_SOFTPLUS};
    }

    static Tensor zeroOneTargets(long seed, DType dt, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(dt, shape);
        for (int e = 0; e < t.numel(); e++) t.set(e, r.nextBoolean() ? 1 : 0);
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryStrategies")
    void everyBinaryStrategyGradchecksAtModerateLogits(BinaryStrategy s) {
        Tensor x = Ops.mul(randn(311, F64, N, C), 2.0).detach().requiresGrad(true);
        Tensor t = zeroOneTargets(312, F64, N, C);
        gradcheck(s.name(), in -> s.loss(in[0], t), x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryStrategies")
    void everyBinaryStrategyAgreesWithFusedAtModerateLogits(BinaryStrategy s) {
        for (DType dt : DType.values()) {
            Tensor x = Ops.mul(randn(313, F64, N, C), 3.0).to(dt).requiresGrad(true);
            Tensor t = zeroOneTargets(314, dt, N, C);
            LossTestSupport.Run ref = run(in -> BinaryStrategy.FUSED.loss(in[0], t), x);
            LossTestSupport.Run got = run(in -> s.loss(in[0], t), x);
            assertClose(s + " " + dt + " loss", ref.out(), got.out(), rtol(dt), atol(dt));
            assertClose(s + " " + dt + " grad", ref.grad(0), got.grad(0), rtol(dt), atol(dt));
        }
    }

    @Test
    void binaryStrategiesAtExtremeLogits() {
        // x = 40, t = 0 in float64: σ(40) rounds to exactly 1, so 1 - σ = 0; the true loss is softplus(40) = 40 + 4e-18
        Tensor x = Tensor.of(new double[]{40, 40});
        Tensor t = Tensor.of(new double[]{0, 0});
        assertEquals(40.0, BinaryStrategy.FUSED.loss(x, t).item(), 1e-12);
        assertEquals(40.0, BinaryStrategy.LOGISTIC_SOFTPLUS.loss(x, t).item(), 1e-12);
        assertEquals(40.0, BinaryStrategy.LOGISTIC_NAIVE.loss(x, t).item(), 1e-12); // e^40 is still finite
        assertEquals(Double.POSITIVE_INFINITY, BinaryStrategy.NAIVE.loss(x, t).item()); // -log(0)
        assertEquals(100.0, BinaryStrategy.TORCH_CLAMP.loss(x, t).item(), 0.0);        // PyTorch's -100 log clamp
        assertEquals(-Math.log(1e-7), BinaryStrategy.epsClip(1e-7).loss(x, t).item(), 1e-6);
        // x = 800: e^800 overflows the naive logistic form, the softplus forms stay exact
        Tensor xx = Tensor.of(new double[]{800, 800});
        assertEquals(Double.POSITIVE_INFINITY, BinaryStrategy.LOGISTIC_NAIVE.loss(xx, t).item());
        assertEquals(800.0, BinaryStrategy.LOGISTIC_SOFTPLUS.loss(xx, t).item(), 0.0);
        assertEquals(800.0, BinaryStrategy.FUSED.loss(xx, t).item(), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, BinaryStrategy.NAIVE.loss(xx, t).item());
    }
}
