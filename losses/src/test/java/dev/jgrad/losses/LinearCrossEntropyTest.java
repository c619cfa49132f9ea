package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.LossTestSupport.IndexCase;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertAllFinite;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Losses#linearCrossEntropy}: equal to {@code crossEntropy(linear(h, W, b), t, ...)} (values and gradients for
 * hidden, weight, bias) in every option combination and both dtypes, with blocks smaller than the shapes so that the
 * online log-sum-exp folds several class blocks and the row blocks have a partial tail; gradcheck; edge cases; errors.
 */
class LinearCrossEntropyTest {
    private static final int D = 5;

    /** The fused loss with the given block sizes. */
    private static Tensor fused(Tensor h, Tensor w, Tensor b, IntTensor t, Tensor cw, long ignore, Reduction r, double eps, int rb, int cb) {
        return LinearCrossEntropy.apply(h, w, b, t, cw, ignore, r, eps, rb, cb);
    }

    private static Tensor unfused(Tensor h, Tensor w, Tensor b, IntTensor t, Tensor cw, long ignore, Reduction r, double eps) {
        return Losses.crossEntropy(Ops.linear(h, w, b), t, cw, ignore, r, eps);
    }

    /** Runs both on copies of {@code h, w, b} (all requiring grad, or no bias) and compares value and gradients. */
    private static void assertSame(String label, Tensor h, Tensor w, Tensor b, IntTensor t, Tensor cw, long ignore, Reduction r,
                                   double eps, int rb, int cb) {
        Tensor[] in = b == null ? new Tensor[]{h.requiresGrad(true), w.requiresGrad(true)}
                : new Tensor[]{h.requiresGrad(true), w.requiresGrad(true), b.requiresGrad(true)};
        LossTestSupport.Run e = run(x -> unfused(x[0], x[1], x.length > 2 ? x[2] : null, t, cw, ignore, r, eps), in);
        LossTestSupport.Run a = run(x -> fused(x[0], x[1], x.length > 2 ? x[2] : null, t, cw, ignore, r, eps, rb, cb), in);
        boolean f64 = h.dtype() == F64;
        double rtol = f64 ? 1e-11 : 1e-4, atol = f64 ? 1e-12 : 1e-5;
        assertEquals(h.dtype(), a.out().dtype(), label + ": dtype");
        assertClose(label + ": loss", e.out(), a.out(), rtol, atol);
        String[] names = {"hidden", "weight", "bias"};
        for (int i = 0; i < in.length; i++) assertClose(label + ": d" + names[i], e.grad(i), a.grad(i), rtol, atol);
    }

    static java.util.stream.Stream<IndexCase> indexCases() {
        return LossTestSupport.indexCases();
    }

    @ParameterizedTest
    @MethodSource("indexCases")
    void equalsUnfusedInEveryOptionCombination(IndexCase k) {
        for (DType dt : new DType[]{F32, F64}) {
            for (boolean bias : new boolean[]{false, true}) {
                Tensor h = randn(1, dt, N, D), w = randn(2, dt, C, D), b = bias ? randn(3, dt, C) : null;
                // blocks 4 × 3: two row blocks (4 + 2) and two class blocks (3 + 1); and the default single block
                assertSame(k + "/" + dt + "/bias=" + bias + "/4x3", h, w, b, k.target(), k.weight(dt), k.ignore().index, k.reduction(),
                        k.eps(), 4, 3);
                assertSame(k + "/" + dt + "/bias=" + bias + "/default", h, w, b, k.target(), k.weight(dt), k.ignore().index, k.reduction(),
                        k.eps(), LinearCrossEntropy.ROW_BLOCK, LinearCrossEntropy.COL_BLOCK);
            }
        }
    }

    @Test
    void equalsUnfusedOnALargerVocabularyWithManyBlocks() {
        int n = 37, d = 16, v = 300;
        SplittableRandom r = new SplittableRandom(7);
        int[] tg = new int[n];
        for (int i = 0; i < n; i++) tg[i] = i % 5 == 0 ? -100 : r.nextInt(v);
        IntTensor t = IntTensor.of(tg);
        for (DType dt : new DType[]{F32, F64}) {
            Tensor h = randn(11, dt, n, d), w = randn(12, dt, v, d), b = randn(13, dt, v);
            Tensor cw = LossTestSupport.uniform(14, 0.5, 2, dt, v);
            for (Reduction red : LossTestSupport.CLASS_REDUCTIONS) {
                for (double eps : new double[]{0, 0.2}) {
                    assertSame("v300/" + dt + "/" + red + "/eps=" + eps, h, w, b, t, cw, -100, red, eps, 8, 64);
                    assertSame("v300/" + dt + "/" + red + "/eps=" + eps + "/noWeight", h, w, null, t, null, -100, red, eps, 16, 7);
                }
            }
        }
    }

    @Test
    void allIgnoredMeanIsNaNWithZeroGradientsAsCrossEntropy() {
        IntTensor t = IntTensor.of(-100, -100, -100);
        for (DType dt : new DType[]{F32, F64}) {
            Tensor h = randn(1, dt, 3, D), w = randn(2, dt, C, D), b = randn(3, dt, C);
            for (double eps : new double[]{0, 0.1}) {
                Tensor loss = fused(h, w, b, t, null, -100, Reduction.MEAN, eps, 2, 3);
                assertTrue(Double.isNaN(loss.item()), "all ignored MEAN is NaN");
                assertSame("allIgnored/" + dt + "/eps=" + eps, h, w, b, t, null, -100, Reduction.MEAN, eps, 2, 3);
                assertSame("allIgnored/" + dt + "/SUM", h, w, b, t, null, -100, Reduction.SUM, eps, 2, 3);
            }
        }
    }

    @Test
    void zeroTotalTargetWeightMeanAsCrossEntropy() {
        // weights of the targets cancel: PyTorch's ±inf / NaN mean, with and without smoothing
        IntTensor t = IntTensor.of(0, 1, 2, 3);
        for (DType dt : new DType[]{F32, F64}) {
            Tensor cw = Tensor.of(dt, new double[]{1, -1, 2, -2});
            Tensor h = randn(1, dt, 4, D), w = randn(2, dt, C, D), b = randn(3, dt, C);
            for (double eps : new double[]{0, 0.1}) {
                assertSame("zeroWeight/" + dt + "/eps=" + eps, h, w, b, t, cw, -100, Reduction.MEAN, eps, 3, 3);
            }
        }
    }

    @Test
    void extremeLogitsStayFiniteWhereANaiveSoftmaxOverflows() {
        // logits of order 1e4 (float32) and 1e3 (float64, past exp's 709.8) with a wide spread across class blocks
        for (DType dt : new DType[]{F32, F64}) {
            double scale = dt == F32 ? 1e4 : 1e3;
            Tensor h = Tensor.of(dt, new double[]{1, 0, 0, 1, -1, 0.5, 0.25, -0.75}, 4, 2);
            Tensor w = Tensor.of(dt, new double[]{scale, 0, -scale, 0, 0, scale, 0.5 * scale, 0.5 * scale, 0, -scale}, 5, 2);
            IntTensor t = IntTensor.of(0, 2, 1, 4);
            for (Reduction red : LossTestSupport.CLASS_REDUCTIONS) {
                Tensor loss = fused(h, w, null, t, null, -100, red, 0.1, 3, 2);
                assertAllFinite("extreme/" + dt + "/" + red, loss);
                assertSame("extreme/" + dt + "/" + red, h, w, null, t, null, -100, red, 0.1, 3, 2);
                assertSame("extreme/" + dt + "/" + red + "/eps0", h, w, null, t, null, -100, red, 0, 3, 2);
            }
        }
    }

    @Test
    void tiesAndMaskedClasses() {
        for (DType dt : new DType[]{F32, F64}) {
            // identical weight rows: tied logits across blocks
            Tensor h = randn(1, dt, 3, D), row = randn(2, dt, 1, D);
            Tensor w = Ops.cat(0, row, row, row, row, row);
            IntTensor t = IntTensor.of(0, 4, 2);
            assertSame("ties/" + dt, h, w, null, t, null, -100, Reduction.MEAN, 0, 2, 2);
            Tensor loss = fused(h, w, null, t, null, -100, Reduction.NONE, 0, 2, 2);
            for (int i = 0; i < 3; i++) assertClose("ties: log 5", Math.log(5), loss.get(i), 1e-6, 0);
            // a -inf bias masks classes (a whole class block here); with smoothing their -inf log-probs give inf, as unfused
            Tensor mask = Tensor.of(dt, new double[]{0, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0});
            Tensor w5 = randn(3, dt, 5, D);
            assertSame("masked/" + dt, h, w5, mask, IntTensor.of(0, 3, 4), null, -100, Reduction.MEAN, 0, 2, 2);
            assertSame("masked/" + dt + "/eps", h, w5, mask, IntTensor.of(0, 3, 4), null, -100, Reduction.SUM, 0.1, 2, 2);
            // every class masked: the rows are NaN (as crossEntropy), ignored rows stay 0
            Tensor all = Tensor.full(Double.NEGATIVE_INFINITY, dt, 5);
            Tensor none = fused(h, w5, all, IntTensor.of(0, -100, 4), null, -100, Reduction.NONE, 0, 2, 2);
            Tensor ref = unfused(h, w5, all, IntTensor.of(0, -100, 4), null, -100, Reduction.NONE, 0);
            assertClose("fully masked/" + dt, ref, none, 0, 0);
            assertTrue(Double.isNaN(none.get(0)) && none.get(1) == 0, "fully masked rows NaN, ignored row 0");
        }
    }

    @Test
    void nanAndInfinityInOneRowPoisonOnlyThatRow() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor h = randn(1, dt, 4, D), w = randn(2, dt, 7, D);
            h.set(1 * D + 2, Double.NaN);
            Tensor b = randn(3, dt, 7);
            Tensor hi = h.copy();
            IntTensor t = IntTensor.of(0, 1, 6, 3);
            assertSame("nan/" + dt, hi, w, b, t, null, -100, Reduction.NONE, 0, 3, 3);
            Tensor binf = b.copy();
            binf.set(5, Double.POSITIVE_INFINITY);
            Tensor loss = fused(randn(1, dt, 4, D), w, binf, t, null, -100, Reduction.NONE, 0, 3, 3);
            for (int i = 0; i < 4; i++) assertTrue(Double.isNaN(loss.get(i)), "+inf logit: NaN row " + i);
        }
    }

    @Test
    void gradcheckWrtHiddenWeightAndBias() {
        for (IndexCase k : new IndexCase[]{
                new IndexCase(false, LossTestSupport.Ignore.NONE, 0.0, Reduction.MEAN),
                new IndexCase(true, LossTestSupport.Ignore.MINUS_100_PRESENT, 0.1, Reduction.SUM),
                new IndexCase(true, LossTestSupport.Ignore.VALID_CLASS, 0.1, Reduction.NONE),
                new IndexCase(true, LossTestSupport.Ignore.VALID_CLASS, 0.0, Reduction.MEAN)}) {
            Tensor h = randn(1, F64, N, D).requiresGrad(true), w = randn(2, F64, C, D).requiresGrad(true);
            Tensor b = randn(3, F64, C).requiresGrad(true);
            gradcheck("gradcheck/" + k, x -> {
                Tensor l = fused(x[0], x[1], x[2], k.target(), k.weight(F64), k.ignore().index, k.reduction(), k.eps(), 4, 3);
                return k.reduction() == Reduction.NONE ? Ops.sum(Ops.mul(l, Tensor.of(F64, new double[]{1, -2, 0.5, 3, -1, 2}))) : l;
            }, h, w, b);
        }
    }

    @Test
    void eagerGradientsOfAScalarLossEqualTheRecomputedOnes() {
        // MEAN/SUM form the gradients in forward (unit upstream) and scale them; a second backward through the retained
        // graph, or a non-finite upstream gradient, recomputes the blocks: both must agree
        for (DType dt : new DType[]{F32, F64}) {
            for (Reduction red : new Reduction[]{Reduction.MEAN, Reduction.SUM}) {
                for (double eps : new double[]{0, 0.1}) {
                    Tensor h = randn(1, dt, N, D).requiresGrad(true), w = randn(2, dt, C, D).requiresGrad(true);
                    Tensor b = randn(3, dt, C).requiresGrad(true);
                    Tensor cw = Tensor.of(dt, LossTestSupport.CLASS_WEIGHT);
                    IntTensor t = LossTestSupport.Ignore.MINUS_100_PRESENT.target();
                    Tensor loss = fused(h, w, b, t, cw, -100, red, eps, 4, 3);
                    Tensor g = Tensor.full(-1.75, dt);
                    loss.backward(g, true);
                    Tensor[] first = {h.grad().copy(), w.grad().copy(), b.grad().copy()};
                    h.zeroGrad();
                    w.zeroGrad();
                    b.zeroGrad();
                    loss.backward(g, true);
                    Tensor[] second = {h.grad(), w.grad(), b.grad()};
                    double rtol = dt == F64 ? 1e-12 : 1e-5, atol = dt == F64 ? 1e-14 : 1e-6;
                    for (int i = 0; i < 3; i++) assertClose("eager vs recomputed/" + dt + "/" + red + "/" + eps + "/" + i, first[i], second[i], rtol, atol);
                    h.zeroGrad();
                    loss.backward(Tensor.full(Double.NaN, dt), true);
                    assertTrue(Double.isNaN(h.grad().get(0)), "NaN upstream gives NaN gradients");
                }
            }
        }
    }

    @Test
    void emptyBatch() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor h = Tensor.zeros(dt, 0, D).requiresGrad(true), w = randn(2, dt, C, D).requiresGrad(true);
            Tensor b = randn(3, dt, C).requiresGrad(true);
            IntTensor t = IntTensor.of(new int[0]);
            assertArrayEquals(new int[]{0}, fused(h, w, b, t, null, -100, Reduction.NONE, 0, 4, 3).shape());
            assertEquals(0.0, fused(h, w, b, t, null, -100, Reduction.SUM, 0.1, 4, 3).item());
            Tensor mean = fused(h, w, b, t, null, -100, Reduction.MEAN, 0, 4, 3);
            assertTrue(Double.isNaN(mean.item()), "empty MEAN is NaN");
            assertSame("empty/" + dt, Tensor.zeros(dt, 0, D), w, b, t, null, -100, Reduction.SUM, 0, 4, 3);
        }
    }

    @Test
    void badInputsNameTheOpArgumentAndShapes() {
        Tensor h = randn(1, F64, 3, D), w = randn(2, F64, C, D), b = randn(3, F64, C);
        IntTensor t = IntTensor.of(0, 1, 2);
        assertMessage(() -> Losses.linearCrossEntropy(h, randn(2, F64, C, D + 1), b, t), "hidden [3, 5] has 5 features but weight [4, 6] expects 6");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, IntTensor.of(0, 4, 1)), "target 4 at position 1 is out of range [0, 4) for weight [4, 5]");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, IntTensor.of(0, -1, 1)), "target -1 at position 1 is out of range");
        assertMessage(() -> Losses.linearCrossEntropy(h, Tensor.zeros(F64, 0, D), null, t), "weight [0, 5] has no classes");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, randn(3, F64, C + 1), t), "bias [5] must have shape [4]");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, IntTensor.of(0, 1)), "target of shape [2] does not match hidden [3, 5]");
        assertMessage(() -> Losses.linearCrossEntropy(randn(1, F64, 3), w, b, t), "hidden must be [N, D] and weight [V, D], got hidden [3]");
        assertMessage(() -> Losses.linearCrossEntropy(h, w.to(F32), b, t), "weight dtype float32 differs from hidden dtype float64");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b.to(F32), t), "bias dtype float32 differs");
        assertMessage(() -> Losses.linearCrossEntropy(null, w, b, t), "hidden is null");
        assertMessage(() -> Losses.linearCrossEntropy(h, null, b, t), "weight is null");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, null), "target is null");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, t, randn(4, F64, C + 2), -100, Reduction.MEAN, 0), "weight of shape [6] must be [4]");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, t, null, -100, Reduction.MEAN, 1.5), "label_smoothing 1.5 must be in [0, 1]");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, t, null, -100, Reduction.BATCHMEAN, 0), "batchmean");
        assertMessage(() -> Losses.linearCrossEntropy(h, w, b, t, null, -100, null, 0), "reduction is null");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith("linear_cross_entropy: "), "op named: " + e.getMessage());
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }

    @Test
    void defaultsAreMeanWithIgnoreIndexMinus100() {
        Tensor h = randn(1, F64, 3, D), w = randn(2, F64, C, D);
        IntTensor t = IntTensor.of(0, -100, 2);
        assertClose("defaults", unfused(h, w, null, t, null, -100, Reduction.MEAN, 0), Losses.linearCrossEntropy(h, w, null, t), 1e-12, 0);
    }
}
