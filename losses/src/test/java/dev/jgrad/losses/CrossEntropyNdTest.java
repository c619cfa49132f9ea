package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static dev.jgrad.ops.Ops.logSoftmax;
import static dev.jgrad.ops.Ops.permute;
import static dev.jgrad.ops.Ops.reshape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Losses#crossEntropy} and {@link Losses#nllLoss} in the K-dimensional form ({@code [N, C, d1..dk]} logits) and
 * the unbatched probability form: equal to the permuted {@code [N·d1·…·dk, C]} form for every strategy, option and
 * dtype, float64 gradchecks, PyTorch's edge semantics and the argument checks.
 */
class CrossEntropyNdTest {
    private static final int C = 4;
    private static final int[][] SHAPES = {{3, C, 5}, {2, C, 3, 2}, {2, C, 2, 1, 3}};
    private static final double[] W = {0.5, 2.0, -1.0, 1.5};

    // ------------------------------------------------------------------ the permuted 2-D form

    /** {@code [N, C, d..] -> [N·d.., C]}: classes last, through the graph (so gradients come back permuted). */
    private static Tensor rows(Tensor x) {
        int r = x.rank();
        if (r <= 2) return x;
        int[] dims = new int[r];
        dims[0] = 0;
        for (int d = 2; d < r; d++) dims[d - 1] = d;
        dims[r - 1] = 1;
        return reshape(permute(x, dims), -1, x.size(1));
    }

    private static int[] spatial(int[] shape) {
        int[] s = new int[shape.length - 1];
        s[0] = shape[0];
        System.arraycopy(shape, 2, s, 1, shape.length - 2);
        return s;
    }

    private static IntTensor targets(long seed, int[] spatialShape, int ignore, int ignoreEvery) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Arrays.stream(spatialShape).reduce(1, (a, b) -> a * b);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = ignoreEvery > 0 && i % ignoreEvery == 1 ? ignore : r.nextInt(C);
        return IntTensor.of(t, spatialShape);
    }

    private static Tensor weight(DType dt) {
        return Tensor.of(dt, W, C);
    }

    static Stream<Arguments> forms() {
        List<Arguments> out = new ArrayList<>();
        SoftmaxCrossEntropy[] strategies = {SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE,
                SoftmaxCrossEntropy.epsClamp(1e-7)};
        for (int[] shape : SHAPES) {
            for (DType dt : new DType[]{F32, F64}) {
                for (SoftmaxCrossEntropy s : strategies) {
                    for (Reduction red : new Reduction[]{Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
                        out.add(Arguments.of(shape, dt, s, red, 0.0, false));
                        out.add(Arguments.of(shape, dt, s, red, 0.2, true));
                    }
                }
            }
        }
        return out.stream();
    }

    /** The K-dim loss equals the 2-D loss of the permuted rows: values ([N, d..] for NONE) and logit gradients. */
    @ParameterizedTest(name = "{0} {1} {2} {3} eps={4} options={5}")
    @MethodSource("forms")
    void indexTargetsEqualThePermutedRows(int[] shape, DType dt, SoftmaxCrossEntropy strategy, Reduction red, double eps, boolean options) {
        Tensor x = randn(11, dt, shape).requiresGrad(true);
        IntTensor t = targets(12, spatial(shape), options ? 3 : -100, options ? 4 : 0);
        CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(strategy).reduction(red).labelSmoothing(eps)
                .weight(options ? weight(dt) : null).ignoreIndex(options ? 3 : -100).build();
        IntTensor flat = IntTensor.of(t.toArray());
        int[] outShape = spatial(shape);
        var nd = run(in -> ce.apply(in[0], t), x);
        var twoD = run(in -> {
            Tensor l = ce.apply(rows(in[0]), flat);
            return red == Reduction.NONE ? reshape(l, outShape) : l;
        }, x);
        double tol = dt == F64 ? 1e-12 : 2e-6;
        assertClose("loss", twoD.out(), nd.out(), tol, tol);
        assertClose("grad", twoD.grad(0), nd.grad(0), tol, tol);
        if (red == Reduction.NONE) assertArrayEquals(outShape, nd.out().shape());
    }

    /** Probability targets of the input's shape: equal to the permuted rows, MEAN divides by N·d1·…·dk. */
    @ParameterizedTest(name = "{0} {1} {2} {3} eps={4} options={5}")
    @MethodSource("forms")
    void probabilityTargetsEqualThePermutedRows(int[] shape, DType dt, SoftmaxCrossEntropy strategy, Reduction red, double eps, boolean options) {
        Tensor x = randn(21, dt, shape).requiresGrad(true);
        Tensor p = uniform(22, 0, 1, dt, shape).requiresGrad(true);
        CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(strategy).reduction(red).labelSmoothing(eps)
                .weight(options ? weight(dt) : null).build();
        int[] outShape = spatial(shape);
        var nd = run(in -> ce.apply(in[0], in[1]), x, p);
        var twoD = run(in -> {
            Tensor l = ce.apply(rows(in[0]), rows(in[1]));
            return red == Reduction.NONE ? reshape(l, outShape) : l;
        }, x, p);
        double tol = dt == F64 ? 1e-12 : 2e-6;
        assertClose("loss", twoD.out(), nd.out(), tol, tol);
        assertClose("grad logits", twoD.grad(0), nd.grad(0), tol, tol);
        assertClose("grad target", twoD.grad(1), nd.grad(1), tol, tol);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void nllLossEqualsThePermutedRows(int[] shape) {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor lp = logSoftmax(randn(31, dt, shape), 1).detach().requiresGrad(true);
            IntTensor t = targets(32, spatial(shape), 0, 3);
            var nd = run(in -> Losses.nllLoss(in[0], t, weight(dt), 0, Reduction.NONE), lp);
            var twoD = run(in -> reshape(Losses.nllLoss(rows(in[0]), IntTensor.of(t.toArray()), weight(dt), 0, Reduction.NONE), spatial(shape)), lp);
            assertClose("nll " + dt, twoD.out(), nd.out(), 0, 0);
            assertClose("nll grad " + dt, twoD.grad(0), nd.grad(0), 0, 0);
        }
    }

    static Stream<int[]> shapes() {
        return Arrays.stream(SHAPES);
    }

    // ------------------------------------------------------------------ float64 gradchecks

    @ParameterizedTest
    @MethodSource("shapes")
    void gradcheckIndexTargets(int[] shape) {
        IntTensor t = targets(41, spatial(shape), 1, 3);
        Tensor w = weight(F64);
        gradcheck("ce nd index", in -> Losses.crossEntropy(in[0], t, w, 1, Reduction.MEAN, 0.1), randn(42, F64, shape).requiresGrad(true));
        gradcheck("ce nd index none", in -> Losses.crossEntropy(in[0], t, null, -100, Reduction.NONE, 0.0),
                randn(43, F64, shape).requiresGrad(true));
        gradcheck("nll nd", in -> Losses.nllLoss(in[0], t, w, 1, Reduction.SUM), randn(44, F64, shape).requiresGrad(true));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void gradcheckProbabilityTargets(int[] shape) {
        Tensor w = weight(F64);
        gradcheck("ce nd probs", in -> Losses.crossEntropy(in[0], in[1], w, Reduction.MEAN, 0.3),
                randn(51, F64, shape).requiresGrad(true), uniform(52, 0, 1, F64, shape).requiresGrad(true));
    }

    // ------------------------------------------------------------------ unbatched

    @Test
    void unbatchedProbabilityTargetEqualsOneRow() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor x = randn(61, dt, C).requiresGrad(true), p = uniform(62, 0, 1, dt, C).requiresGrad(true);
            for (Reduction red : new Reduction[]{Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
                var one = run(in -> Losses.crossEntropy(in[0], in[1], weight(dt), red, 0.1), x, p);
                var row = run(in -> reshape(Losses.crossEntropy(reshape(in[0], 1, C), reshape(in[1], 1, C), weight(dt), red, 0.1)), x, p);
                assertArrayEquals(new int[0], one.out().shape());
                assertClose("unbatched " + red, row.out(), one.out(), 0, 0);
                assertClose("unbatched grad " + red, row.grad(0), one.grad(0), 0, 0);
                assertClose("unbatched target grad " + red, row.grad(1), one.grad(1), 0, 0);
            }
        }
    }

    // ------------------------------------------------------------------ edge semantics (values from PyTorch 1.13)

    /** A +inf logit makes its sample's loss and gradient NaN; other samples are unaffected; an ignored sample keeps 0. */
    @Test
    void positiveInfinityMakesTheRowNaN() {
        for (DType dt : new DType[]{F32, F64}) {
            for (SoftmaxCrossEntropy s : new SoftmaxCrossEntropy[]{SoftmaxCrossEntropy.FUSED}) {
                Tensor x = Tensor.of(dt, new double[]{1, Double.POSITIVE_INFINITY, 3, 0.5, -1, 2, Double.POSITIVE_INFINITY, 1, 2}, 3, 3);
                x.requiresGrad(true);
                CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(s).reduction(Reduction.NONE).build();
                var r = run(in -> ce.apply(in[0], IntTensor.of(1, 2, -100)), x);
                assertTrue(Double.isNaN(r.out().get(0)), "row with +inf at its target: " + r.out());
                assertClose("finite row", 0.2413112967, r.out().get(1), 1e-6, 0);
                assertEquals(0.0, r.out().get(2), "ignored row");
                for (int k = 0; k < 3; k++) {
                    assertTrue(Double.isNaN(r.grad(0).at(0, k)), "NaN gradient of the +inf row");
                    assertTrue(Double.isFinite(r.grad(0).at(1, k)));
                    assertEquals(0.0, r.grad(0).at(2, k), "ignored row: gradient 0 (PyTorch: NaN, documented)");
                }
                Tensor y = Tensor.of(dt, new double[]{1, Double.POSITIVE_INFINITY, 3}, 1, 3);
                assertTrue(Double.isNaN(ce.apply(y, IntTensor.of(0)).get(0)), "+inf at a non-target class: NaN too");
                assertTrue(Double.isNaN(Losses.crossEntropy(y, Tensor.of(dt, new double[]{0.2, 0.3, 0.5}, 1, 3)).item()));
            }
        }
    }

    /** Negative weights are accepted as in PyTorch: CE mean 4.5739006322, NLL mean -0. */
    @Test
    void negativeWeightsAreAccepted() {
        Tensor x = Tensor.of(F64, new double[]{1, 2, 3, 0.5, -1, 2}, 2, 3);
        Tensor w = Tensor.of(F64, new double[]{-1, 2, 0.5}, 3);
        IntTensor t = IntTensor.of(0, 2);
        assertClose("ce", 4.5739006322, Losses.crossEntropy(x, t, w, -100, Reduction.MEAN, 0).item(), 1e-10, 0);
        assertClose("ce none", new double[]{-2.4076059644, 0.1206556483},
                Losses.crossEntropy(x, t, w, -100, Reduction.NONE, 0).toDoubleArray(), 1e-9, 0);
        double nll = Losses.nllLoss(x, t, w, -100, Reduction.MEAN).item();
        assertEquals(-0.0, nll, "PyTorch's -0");
    }

    /** Target weights summing to 0 under MEAN: NaN loss, NaN gradient on every non-ignored row, with smoothing too. */
    @Test
    void zeroTargetWeightsGiveNaNAsPyTorch() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor x = Tensor.of(dt, new double[]{1, 2, 3, 0.5, -1, 2}, 2, 3).requiresGrad(true);
            Tensor w0 = Tensor.of(dt, new double[]{0, 0, 1}, 3);
            for (SoftmaxCrossEntropy s : new SoftmaxCrossEntropy[]{SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT}) {
                CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(s).weight(w0).labelSmoothing(0.1).build();
                var r = run(in -> ce.apply(in[0], IntTensor.of(0, -100)), x);
                assertTrue(Double.isNaN(r.out().item()), s + " loss " + r.out());
                for (int k = 0; k < 3; k++) {
                    assertTrue(Double.isNaN(r.grad(0).at(0, k)), s + " grad " + r.grad(0));
                    assertEquals(0.0, r.grad(0).at(1, k), s + " ignored row");
                }
                // the same targets under SUM are finite (PyTorch: 0.0216305754 with both targets kept)
                CrossEntropyLoss sum = CrossEntropyLoss.builder().strategy(s).weight(w0).labelSmoothing(0.1).reduction(Reduction.SUM).build();
                assertClose(s + " sum", 0.0216305754, sum.apply(x, IntTensor.of(0, 1)).item(), 1e-6, 0);
            }
        }
    }

    /** Cancelling weights: a non-zero sum over 0 gives -inf, and PyTorch's mixed inf/NaN gradient. */
    @Test
    void cancellingWeightsGiveInfinityAsPyTorch() {
        Tensor x = Tensor.of(F64, new double[]{1, 2, 3, 0.5, -1, 2}, 2, 3).requiresGrad(true);
        Tensor w = Tensor.of(F64, new double[]{1, -1, 0.5}, 3);
        var r = run(in -> Losses.crossEntropy(in[0], IntTensor.of(0, 1), w, -100, Reduction.MEAN, 0), x);
        assertEquals(Double.NEGATIVE_INFINITY, r.out().item());
        // PyTorch (upstream 1): [[nan, inf, inf], [-inf, nan, -inf]]; LossTestSupport's upstream is a seeded normal
        double sign = Math.signum(LossTestSupport.upstream(r.out()).item());
        assertTrue(Double.isNaN(r.grad(0).at(0, 0)) && Double.isNaN(r.grad(0).at(1, 1)), r.grad(0).toString());
        assertEquals(sign * Double.POSITIVE_INFINITY, r.grad(0).at(0, 1));
        assertEquals(sign * Double.NEGATIVE_INFINITY, r.grad(0).at(1, 2));
    }

    /** ignore_index may be any long: a valid class, or one no int target can equal. */
    @Test
    void ignoreIndexAnyLong() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor x = randn(71, dt, 2, C, 3);
            IntTensor t = targets(72, new int[]{2, 3}, 0, 0);
            double all = Losses.crossEntropy(x, t, null, 1L << 40, Reduction.SUM, 0).item();
            assertEquals(Losses.crossEntropy(x, t, null, -100, Reduction.SUM, 0).item(), all);
            // ignoring class 2 equals dropping those positions (mean over the rest)
            double kept = 0;
            int count = 0;
            Tensor none = Losses.crossEntropy(x, t, null, -100, Reduction.NONE, 0.1);
            Tensor ignoring = Losses.crossEntropy(x, t, null, 2, Reduction.NONE, 0.1);
            for (int i = 0; i < t.numel(); i++) {
                if (t.get(i) == 2) {
                    assertEquals(0.0, ignoring.get(i));
                } else {
                    assertEquals(none.get(i), ignoring.get(i));
                    kept += none.get(i);
                    count++;
                }
            }
            assertClose("mean over kept", kept / count, Losses.crossEntropy(x, t, null, 2, Reduction.MEAN, 0.1).item(), 1e-6, 0);
        }
    }

    /** Spatial sizes of 1 keep their dimensions in NONE's shape; empty spatial sizes give PyTorch's empty results. */
    @Test
    void unitAndEmptySpatialDimensions() {
        for (DType dt : new DType[]{F32, F64}) {
            Tensor x = randn(91, dt, 2, C, 1).requiresGrad(true);
            IntTensor t = IntTensor.of(new int[]{1, 3}, 2, 1);
            var r = run(in -> Losses.crossEntropy(in[0], t, null, -100, Reduction.NONE, 0.1), x);
            assertArrayEquals(new int[]{2, 1}, r.out().shape());
            var rows2 = run(in -> reshape(Losses.crossEntropy(reshape(in[0], 2, C), IntTensor.of(1, 3), null, -100, Reduction.NONE, 0.1), 2, 1), x);
            assertClose("[2, C, 1]", rows2.out(), r.out(), 0, 0);
            assertClose("[2, C, 1] grad", rows2.grad(0), r.grad(0), 0, 0);
            assertArrayEquals(new int[]{2, 1}, Losses.crossEntropy(x, randn(92, dt, 2, C, 1), null, Reduction.NONE, 0).shape());

            Tensor empty = randn(93, dt, 2, C, 0).requiresGrad(true);
            IntTensor none = IntTensor.of(new int[0], 2, 0);
            assertArrayEquals(new int[]{2, 0}, Losses.crossEntropy(empty, none, null, -100, Reduction.NONE, 0).shape());
            assertEquals(0.0, Losses.crossEntropy(empty, none, null, -100, Reduction.SUM, 0).item());
            Tensor mean = Losses.crossEntropy(empty, none);
            assertTrue(Double.isNaN(mean.item()), "PyTorch: mean over no samples is NaN");
            mean.backward();
            assertArrayEquals(new int[]{2, C, 0}, empty.grad().shape());
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badInputNamesTheShapes() {
        Tensor x = randn(81, F64, 2, C, 3, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, IntTensor.of(new int[2 * 3 * 4], 2, 3, 4)));
        assertTrue(e.getMessage().contains("cross_entropy") && e.getMessage().contains("[2, 3, 4]") && e.getMessage().contains("[2, 4, 3, 5]")
                && e.getMessage().contains("expected [2, 3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(x, IntTensor.of(new int[6], 2, 3)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("expected [2, 3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(x, randn(82, F64, 2, C, 5, 3)));
        assertTrue(e.getMessage().contains("probability target of shape [2, 4, 5, 3]") && e.getMessage().contains("[2, 4, 3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.nllLoss(x, IntTensor.of(new int[30], 2, 15)));
        assertTrue(e.getMessage().startsWith("nll_loss") && e.getMessage().contains("[2, 15]"), e.getMessage());
        IntTensor bad = IntTensor.of(new int[]{0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2, 3, 5);
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(x, bad));
        assertTrue(e.getMessage().contains("target 4 at position 4 is out of range [0, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.scalar(1.0, F64), IntTensor.scalar(0)));
        assertTrue(e.getMessage().contains("[N, C, d1, ..., dk]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(randn(83, F64, 2, 0, 3), IntTensor.of(new int[6], 2, 3)));
        assertTrue(e.getMessage().contains("no classes"), e.getMessage());
        assertFalse(x.requiresGrad());
    }
}
