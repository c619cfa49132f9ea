package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Function;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertFinite;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * layerNorm, groupNorm, batchNorm and rmsNorm against compositions of the existing ops (mean, var, rsqrt), values
 * and gradients; float64 gradchecks through the fused nodes; running statistics; edges and bad inputs; gelu's
 * tanh form.
 */
class NormalizationTest {
    static final double EPS = 1e-5;

    // ------------------------------------------------------------------ composite references

    /** {@code (x - mean)/sqrt(var + eps)} over {@code dims}, by existing ops (biased variance). */
    static Tensor standardize(Tensor x, int[] dims, double eps) {
        Tensor mean = Ops.mean(x, dims, true);
        Tensor var = Ops.var(x, dims, false, true);
        return Ops.mul(Ops.sub(x, mean), Ops.rsqrt(Ops.add(var, eps)));
    }

    static Tensor affine(Tensor y, Tensor w, Tensor b) {
        if (w != null) y = Ops.mul(y, w);
        return b == null ? y : Ops.add(y, b);
    }

    static int[] range(int from, int to) {
        int[] d = new int[to - from];
        for (int i = 0; i < d.length; i++) d[i] = from + i;
        return d;
    }

    static Tensor refLayerNorm(Tensor x, int trailing, Tensor w, Tensor b) {
        return affine(standardize(x, range(x.rank() - trailing, x.rank()), EPS), w, b);
    }

    static Tensor refGroupNorm(Tensor x, int groups, Tensor w, Tensor b) {
        int[] s = x.shape();
        Tensor y = Ops.reshape(standardize(Ops.reshape(x, s[0], groups, -1), new int[]{2}, EPS), s);
        int[] ch = new int[s.length - 1];
        java.util.Arrays.fill(ch, 1);
        ch[0] = s[1];
        return affine(y, w == null ? null : Ops.reshape(w, ch), b == null ? null : Ops.reshape(b, ch));
    }

    /** Batch statistics (training) by composition; the channel is dim 1. */
    static Tensor refBatchNorm(Tensor x, Tensor w, Tensor b) {
        int[] s = x.shape();
        int[] dims = new int[s.length - 1];
        dims[0] = 0;
        for (int i = 2; i < s.length; i++) dims[i - 1] = i;
        int[] ch = new int[s.length - 1];
        java.util.Arrays.fill(ch, 1);
        ch[0] = s[1];
        return affine(standardize(x, dims, EPS), w == null ? null : Ops.reshape(w, ch), b == null ? null : Ops.reshape(b, ch));
    }

    static Tensor refRmsNorm(Tensor x, int trailing, Tensor w, double eps) {
        Tensor ms = Ops.mean(Ops.mul(x, x), range(x.rank() - trailing, x.rank()), true);
        Tensor y = Ops.mul(x, Ops.rsqrt(Ops.add(ms, eps)));
        return w == null ? y : Ops.mul(y, w);
    }

    /** Output and every input gradient of {@code f} equal those of {@code ref} (same upstream gradient). */
    static void assertSameAsReference(Function<Tensor[], Tensor> f, Function<Tensor[], Tensor> ref, DType dtype, Tensor... inputs) {
        Tensor[] a = new Tensor[inputs.length], b = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            a[i] = inputs[i].to(dtype).detach().requiresGrad(true);
            b[i] = inputs[i].to(DType.FLOAT64).detach().requiresGrad(true);
        }
        Tensor y = f.apply(a), e = ref.apply(b);
        assertEquals(dtype, y.dtype());
        assertArrayEquals(e.shape(), y.shape());
        Tensor g = randn(99, DType.FLOAT64, y.shape());
        y.backward(g.to(dtype));
        e.backward(g);
        double rtol = dtype == DType.FLOAT32 ? 2e-5 : 1e-10, atol = dtype == DType.FLOAT32 ? 2e-5 : 1e-10;
        assertClose(e.toDoubleArray(), y, rtol, atol);
        for (int i = 0; i < inputs.length; i++) assertClose(b[i].grad().toDoubleArray(), a[i].grad(), rtol, atol);
    }

    // ------------------------------------------------------------------ values and gradients

    @ParameterizedTest
    @EnumSource(DType.class)
    void layerNormMatchesComposition(DType dtype) {
        assertSameAsReference(in -> Ops.layerNorm(in[0], new int[]{3, 4}, in[1], in[2], EPS),
                in -> refLayerNorm(in[0], 2, in[1], in[2]), dtype, randn(1, DType.FLOAT64, 2, 3, 4), randn(2, DType.FLOAT64, 3, 4), randn(3, DType.FLOAT64, 3, 4));
        assertSameAsReference(in -> Ops.layerNorm(in[0], new int[]{5}, null, null, EPS),
                in -> refLayerNorm(in[0], 1, null, null), dtype, randn(4, DType.FLOAT64, 3, 5));
        assertSameAsReference(in -> Ops.layerNorm(in[0], new int[]{5}, null, in[1], EPS),
                in -> refLayerNorm(in[0], 1, null, in[1]), dtype, randn(5, DType.FLOAT64, 2, 2, 5), randn(6, DType.FLOAT64, 5));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void groupNormMatchesComposition(DType dtype) {
        assertSameAsReference(in -> Ops.groupNorm(in[0], 3, in[1], in[2], EPS),
                in -> refGroupNorm(in[0], 3, in[1], in[2]), dtype, randn(7, DType.FLOAT64, 2, 6, 5), randn(8, DType.FLOAT64, 6), randn(9, DType.FLOAT64, 6));
        assertSameAsReference(in -> Ops.groupNorm(in[0], 2, in[1], null, EPS),
                in -> refGroupNorm(in[0], 2, in[1], null), dtype, randn(10, DType.FLOAT64, 3, 4, 2, 3), randn(11, DType.FLOAT64, 4));
        assertSameAsReference(in -> Ops.groupNorm(in[0], 4, null, null, EPS), // one channel per group, [N, C]
                in -> refGroupNorm(in[0], 4, null, null), dtype, randn(12, DType.FLOAT64, 2, 4, 3));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchNormTrainingMatchesComposition(DType dtype) {
        for (int[] shape : new int[][]{{5, 3}, {4, 3, 5}, {2, 3, 2, 2}}) {
            assertSameAsReference(in -> Ops.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, EPS),
                    in -> refBatchNorm(in[0], in[1], in[2]), dtype, randn(13, DType.FLOAT64, shape), randn(14, DType.FLOAT64, 3), randn(15, DType.FLOAT64, 3));
        }
        assertSameAsReference(in -> Ops.batchNorm(in[0], null, null, null, null, true, 0.1, EPS),
                in -> refBatchNorm(in[0], null, null), dtype, randn(16, DType.FLOAT64, 3, 2, 4));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchNormEvalUsesRunningStatistics(DType dtype) {
        Tensor rm = Tensor.of(dtype, new double[]{0.5, -1, 2}, 3), rv = Tensor.of(dtype, new double[]{0.25, 4, 1}, 3);
        assertSameAsReference(in -> Ops.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1, EPS), in -> {
            Tensor m = Ops.reshape(rm.to(DType.FLOAT64), 3, 1), v = Ops.reshape(rv.to(DType.FLOAT64), 3, 1);
            Tensor y = Ops.mul(Ops.sub(in[0], m), Ops.rsqrt(Ops.add(v, EPS)));
            return Ops.add(Ops.mul(y, Ops.reshape(in[1], 3, 1)), Ops.reshape(in[2], 3, 1));
        }, dtype, randn(17, DType.FLOAT64, 2, 3, 4), randn(18, DType.FLOAT64, 3), randn(19, DType.FLOAT64, 3));
        assertArrayEquals(new double[]{0.5, -1, 2}, rm.toDoubleArray()); // eval leaves the running statistics alone
        assertArrayEquals(new double[]{0.25, 4, 1}, rv.toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void rmsNormMatchesComposition(DType dtype) {
        assertSameAsReference(in -> Ops.rmsNorm(in[0], new int[]{4}, in[1], 1e-6),
                in -> refRmsNorm(in[0], 1, in[1], 1e-6), dtype, randn(20, DType.FLOAT64, 2, 3, 4), randn(21, DType.FLOAT64, 4));
        assertSameAsReference(in -> Ops.rmsNorm(in[0], new int[]{3, 4}, null, null),
                in -> refRmsNorm(in[0], 2, null, dtype == DType.FLOAT32 ? 0x1p-23 : 0x1p-52), dtype, randn(22, DType.FLOAT64, 2, 3, 4));
    }

    @Test
    void gradcheckFloat64() {
        GradCheck.assertGradients(in -> Ops.layerNorm(in[0], new int[]{4}, in[1], in[2], EPS), randn64(30, 3, 4), randn64(31, 4), randn64(32, 4));
        GradCheck.assertGradients(in -> Ops.groupNorm(in[0], 2, in[1], in[2], EPS), randn64(33, 2, 4, 3), randn64(34, 4), randn64(35, 4));
        GradCheck.assertGradients(in -> Ops.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, EPS), randn64(36, 3, 2, 3), randn64(37, 2), randn64(38, 2));
        Tensor rm = Tensor.of(new double[]{0.1, -0.2}, 2), rv = Tensor.of(new double[]{0.5, 2}, 2);
        GradCheck.assertGradients(in -> Ops.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1, EPS), randn64(39, 3, 2), randn64(40, 2), randn64(41, 2));
        GradCheck.assertGradients(in -> Ops.rmsNorm(in[0], new int[]{2, 3}, in[1], 1e-6), randn64(42, 2, 2, 3), randn64(43, 2, 3));
    }

    // ------------------------------------------------------------------ running statistics

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchNormTrainingUpdatesRunningStatisticsWithTheUnbiasedVariance(DType dtype) {
        Tensor x = Tensor.of(dtype, new double[]{1, 10, 2, 20, 4, 30, 9, 40}, 4, 2); // channel 0: 1 2 4 9, channel 1: 10..40
        Tensor rm = Tensor.of(dtype, new double[]{0, 1}, 2), rv = Tensor.of(dtype, new double[]{1, 2}, 2);
        Ops.batchNorm(x, rm, rv, null, null, true, 0.25, EPS);
        double m0 = 4, m1 = 25, v0 = (9 + 4 + 0 + 25) / 3.0, v1 = (225 + 25 + 25 + 225) / 3.0;
        assertClose(new double[]{0.75 * 0 + 0.25 * m0, 0.75 * 1 + 0.25 * m1}, rm, 1e-7, 0);
        assertClose(new double[]{0.75 * 1 + 0.25 * v0, 0.75 * 2 + 0.25 * v1}, rv, 1e-7, 0);
        // normalised with the biased variance
        Tensor y = Ops.batchNorm(x, null, null, null, null, true, 0.1, 0);
        assertClose(new double[]{-3 / Math.sqrt(v0 * 3 / 4), -15 / Math.sqrt(v1 * 3 / 4)}, Ops.narrow(y, 0, 0, 1), 1e-6, 0);
    }

    // ------------------------------------------------------------------ edges

    @ParameterizedTest
    @EnumSource(DType.class)
    void constantInputHasZeroVarianceAndFiniteOutputAndGradients(DType dtype) {
        Tensor x = Tensor.full(3.5, dtype, 2, 4).requiresGrad(true);
        Tensor b = Tensor.of(dtype, new double[]{1, 2, 3, 4}, 4);
        Tensor y = Ops.layerNorm(x, new int[]{4}, null, b, EPS);
        assertClose(new double[]{1, 2, 3, 4, 1, 2, 3, 4}, y, 0, 0);
        y.backward(randn(5, dtype, 2, 4));
        assertFinite(x.grad());
        for (Tensor t : new Tensor[]{Ops.groupNorm(x.detach(), 2, null, null, EPS), Ops.batchNorm(x.detach(), null, null, null, null, true, 0.1, EPS)}) {
            assertClose(new double[8], t, 0, 0);
        }
        assertClose(new double[8], Ops.rmsNorm(Tensor.zeros(dtype, 2, 4), new int[]{4}, null, null), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nanPropagatesToItsOwnSliceOnly(DType dtype) {
        Tensor x = Tensor.of(dtype, new double[]{1, Double.NaN, 3, 1, 2, 3}, 2, 3);
        Tensor y = Ops.layerNorm(x, new int[]{3}, null, null, EPS);
        for (int i = 0; i < 3; i++) assertTrue(Double.isNaN(y.get(i)));
        for (int i = 3; i < 6; i++) assertTrue(Double.isFinite(y.get(i)));
        Tensor bn = Ops.batchNorm(Tensor.of(dtype, new double[]{1, 2, Double.NaN, 4}, 2, 2), null, null, null, null, true, 0.1, EPS);
        assertTrue(Double.isNaN(bn.get(0)) && Double.isNaN(bn.get(2)));
        assertTrue(Double.isFinite(bn.get(1)) && Double.isFinite(bn.get(3)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void emptyInputsGiveEmptyOutputs(DType dtype) {
        Tensor rm = Tensor.zeros(dtype, 3), rv = Tensor.ones(dtype, 3);
        assertShape(Ops.layerNorm(Tensor.zeros(dtype, 0, 3), new int[]{3}, null, null, EPS), 0, 3);
        assertShape(Ops.groupNorm(Tensor.zeros(dtype, 0, 3, 2), 3, null, null, EPS), 0, 3, 2);
        assertShape(Ops.rmsNorm(Tensor.zeros(dtype, 0, 3), new int[]{3}, null, null), 0, 3);
        assertShape(Ops.batchNorm(Tensor.zeros(dtype, 0, 3), rm, rv, null, null, true, 0.1, EPS), 0, 3);
        assertArrayEquals(new double[3], rm.toDoubleArray());
        assertArrayEquals(new double[]{1, 1, 1}, rv.toDoubleArray());
    }

    @Test
    void batchNormInTrainingNeedsMoreThanOneValuePerChannel() {
        Tensor rm = Tensor.zeros(DType.FLOAT64, 3), rv = Tensor.ones(DType.FLOAT64, 3);
        assertIllegalArgument(() -> Ops.batchNorm(Tensor.zeros(DType.FLOAT64, 1, 3), rm, rv, null, null, true, 0.1, EPS),
                "batchNorm", "Expected more than 1 value per channel when training, got input size [1, 3]");
        assertIllegalArgument(() -> Ops.batchNorm(Tensor.zeros(DType.FLOAT64, 1, 3, 1), null, null, null, null, true, 0.1, EPS),
                "Expected more than 1 value per channel when training", "[1, 3, 1]");
        assertShape(Ops.batchNorm(Tensor.zeros(DType.FLOAT64, 1, 3), rm, rv, null, null, false, 0.1, EPS), 1, 3); // eval is fine
        assertArrayEquals(new double[3], rm.toDoubleArray());
    }

    @Test
    void badInputsNameOpArgumentAndShapesAndChangeNothing() {
        Tensor x = randn(50, DType.FLOAT64, 2, 3, 4);
        Tensor rm = Tensor.zeros(DType.FLOAT64, 3), rv = Tensor.ones(DType.FLOAT64, 3);
        assertIllegalArgument(() -> Ops.layerNorm(x, new int[]{3}, null, null, EPS), "layerNorm", "normalizedShape [3]", "[2, 3, 4]");
        assertIllegalArgument(() -> Ops.layerNorm(x, new int[]{4}, Tensor.ones(DType.FLOAT64, 3), null, EPS), "layerNorm", "weight", "[3]", "[4]");
        assertIllegalArgument(() -> Ops.layerNorm(x, new int[]{4}, null, Tensor.ones(DType.FLOAT32, 4), EPS), "layerNorm", "bias", "float32");
        assertIllegalArgument(() -> Ops.layerNorm(x, new int[]{4}, null, null, -1), "layerNorm", "eps");
        assertIllegalArgument(() -> Ops.layerNorm(null, new int[]{4}, null, null, EPS), "layerNorm", "input is null");
        assertIllegalArgument(() -> Ops.groupNorm(x, 2, null, null, EPS), "groupNorm", "3 channels", "numGroups = 2");
        assertIllegalArgument(() -> Ops.groupNorm(x, 0, null, null, EPS), "groupNorm", "numGroups = 0");
        assertIllegalArgument(() -> Ops.groupNorm(Tensor.zeros(DType.FLOAT64, 4), 2, null, null, EPS), "groupNorm", "[4]");
        assertIllegalArgument(() -> Ops.rmsNorm(x, new int[]{2, 4}, null, null), "rmsNorm", "normalizedShape [2, 4]");
        assertIllegalArgument(() -> Ops.batchNorm(x, Tensor.zeros(DType.FLOAT64, 4), rv, null, null, true, 0.1, EPS), "batchNorm", "runningMean", "[4]", "[3]");
        assertIllegalArgument(() -> Ops.batchNorm(x, null, null, null, null, false, 0.1, EPS), "batchNorm", "evaluation");
        assertIllegalArgument(() -> Ops.batchNorm(x, rm, rv, null, null, true, 1.5, EPS), "batchNorm", "momentum = 1.5");
        assertIllegalArgument(() -> Ops.batchNorm(x, rm, rv, Tensor.ones(DType.FLOAT64, 2), null, true, 0.1, EPS), "batchNorm", "weight");
        assertArrayEquals(new double[3], rm.toDoubleArray());
        assertArrayEquals(new double[]{1, 1, 1}, rv.toDoubleArray());
    }

    // ------------------------------------------------------------------ gelu, approximate = 'tanh'

    @ParameterizedTest
    @EnumSource(DType.class)
    void geluTanhMatchesTorch(DType dtype) {
        Tensor x = Tensor.of(dtype, new double[]{-3, -0.5, 0, 1, 2.5}, 5).requiresGrad(true);
        Tensor y = Ops.gelu(x, "tanh");
        y.backward(Tensor.ones(dtype, 5));
        double r = dtype == DType.FLOAT32 ? 2e-6 : 1e-13;
        // torch 1.13: F.gelu(x, approximate='tanh') and its gradient, float64
        assertClose(new double[]{-0.0036373920817729943, -0.15428599017485606, 0.0, 0.8411919906082768, 2.484915733910001}, y, r, 1e-300);
        assertClose(new double[]{-0.011584166630969648, 0.13263009646535764, 0.5, 1.0829640838457826, 1.037951576212666}, x.grad(), r, 1e-300);
        assertClose(Ops.gelu(x.detach()).toDoubleArray(), Ops.gelu(x.detach(), "none"), 0, 0);
        GradCheck.assertGradients(in -> Ops.gelu(in[0], "tanh"), randn64(60, 2, 3));
        assertIllegalArgument(() -> Ops.gelu(x, "erf"), "gelu", "approximate = erf");
    }
}
