package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reductions over several dims (sum, mean, logSumExp, amax/amin, var/std, norm), max/min with indices,
 * argmax/argmin and topk: values against a naive multi-index reference, float64 gradchecks, edge values
 * (±inf, NaN, ties, 0-size dims, negative dims) and bad arguments.
 */
class ReductionsNdTest {

    static final int[] SHAPE = {2, 3, 4};
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /**
     * Naive reference: groups the elements of a row-major {@code shape} array by their index on the kept dims
     * (row-major) and reduces each group with {@code f}.
     */
    static double[] reference(double[] x, int[] shape, int[] dims, ToDoubleFunction<double[]> f) {
        boolean[] red = new boolean[shape.length];
        if (dims.length == 0) Arrays.fill(red, true);
        for (int d : dims) red[d < 0 ? d + shape.length : d] = true;
        int outCount = 1;
        for (int i = 0; i < shape.length; i++) if (!red[i]) outCount *= shape[i];
        List<List<Double>> groups = new ArrayList<>();
        for (int o = 0; o < outCount; o++) groups.add(new ArrayList<>());
        int[] idx = new int[shape.length];
        for (double v : x) {
            int o = 0;
            for (int i = 0; i < shape.length; i++) if (!red[i]) o = o * shape[i] + idx[i];
            groups.get(o).add(v);
            for (int i = shape.length - 1; i >= 0 && ++idx[i] == shape[i]; i--) idx[i] = 0;
        }
        double[] out = new double[outCount];
        for (int o = 0; o < outCount; o++) out[o] = f.applyAsDouble(groups.get(o).stream().mapToDouble(Double::doubleValue).toArray());
        return out;
    }

    static final int[][] DIMS = {{0, 2}, {-1, 0}, {1, 2}, {0, 1, 2}, {}, {2, -2}};

    static double sum(double[] v) {
        double s = 0;
        for (double e : v) s += e;
        return s;
    }

    static double lse(double[] v) {
        double m = Arrays.stream(v).max().orElse(0);
        double s = 0;
        for (double e : v) s += Math.exp(e - m);
        return m + Math.log(s);
    }

    static double var(double[] v, int correction) {
        double m = sum(v) / v.length, s = 0;
        for (double e : v) s += (e - m) * (e - m);
        return s / (v.length - correction);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumMeanLogSumExpMatchTheReferenceForEverySetOfDims(DType dtype) {
        Tensor x = randn(1, dtype, SHAPE);
        double[] xv = x.toDoubleArray();
        for (int[] dims : DIMS) {
            for (boolean keepdim : new boolean[]{false, true}) {
                String at = Arrays.toString(dims) + " keepdim " + keepdim;
                Tensor s = Ops.sum(x, dims, keepdim);
                assertArrayEquals(reducedShape(dims, keepdim), s.shape(), at);
                assertClose(reference(xv, SHAPE, dims, ReductionsNdTest::sum), s, TestSupport.rtol(dtype), 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> sum(v) / v.length), Ops.mean(x, dims, keepdim), TestSupport.rtol(dtype), 1e-6);
                assertClose(reference(xv, SHAPE, dims, ReductionsNdTest::lse), Ops.logSumExp(x, dims, keepdim), TestSupport.rtol(dtype), 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> Arrays.stream(v).max().getAsDouble()), Ops.amax(x, dims, keepdim), 0, 0);
                assertClose(reference(xv, SHAPE, dims, v -> Arrays.stream(v).min().getAsDouble()), Ops.amin(x, dims, keepdim), 0, 0);
                assertClose(reference(xv, SHAPE, dims, v -> var(v, 1)), Ops.var(x, dims, true, keepdim), 1e-5, 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> Math.sqrt(var(v, 0))), Ops.std(x, dims, 0, keepdim), 1e-5, 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> Math.sqrt(sum(Arrays.stream(v).map(e -> e * e).toArray()))),
                        Ops.norm(x, 2, dims, keepdim), 1e-5, 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> sum(Arrays.stream(v).map(Math::abs).toArray())), Ops.norm(x, 1, dims, keepdim), 1e-5, 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> Math.cbrt(sum(Arrays.stream(v).map(e -> Math.abs(e * e * e)).toArray()))),
                        Ops.norm(x, 3, dims, keepdim), 1e-5, 1e-6);
                assertClose(reference(xv, SHAPE, dims, v -> Arrays.stream(v).map(Math::abs).max().getAsDouble()),
                        Ops.norm(x, INF, dims, keepdim), 0, 0);
                assertEquals(dtype, s.dtype());
            }
        }
    }

    static int[] reducedShape(int[] dims, boolean keepdim) {
        boolean[] red = new boolean[SHAPE.length];
        if (dims.length == 0) Arrays.fill(red, true);
        for (int d : dims) red[d < 0 ? d + SHAPE.length : d] = true;
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < SHAPE.length; i++) {
            if (!red[i]) out.add(SHAPE[i]);
            else if (keepdim) out.add(1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void aSingleDimInAnArrayIsTheOneDimOp() {
        Tensor x = randn(2, DType.FLOAT64, SHAPE);
        assertExact(Ops.sum(x, 1, true).toDoubleArray(), Ops.sum(x, new int[]{1}, true));
        assertExact(Ops.logSumExp(x, -1, false).toDoubleArray(), Ops.logSumExp(x, new int[]{-1}, false));
        assertExact(Ops.mean(x, 0, false).toDoubleArray(), Ops.mean(x, new int[]{0}, false));
        assertExact(Ops.sum(x).toDoubleArray(), Ops.sum(x, new int[0], false));
        assertShape(Ops.sum(x, new int[0], true), 1, 1, 1);
    }

    // ------------------------------------------------------------------ gradients

    @Test
    void gradchecks() {
        for (int[] dims : DIMS) {
            for (boolean keepdim : new boolean[]{false, true}) {
                GradCheck.assertGradients(in -> Ops.sum(in[0], dims, keepdim), randn64(3, SHAPE));
                GradCheck.assertGradients(in -> Ops.mean(in[0], dims, keepdim), randn64(4, SHAPE));
                GradCheck.assertGradients(in -> Ops.logSumExp(in[0], dims, keepdim), randn64(5, SHAPE));
                GradCheck.assertGradients(in -> Ops.amax(in[0], dims, keepdim), randn64(6, SHAPE));
                GradCheck.assertGradients(in -> Ops.amin(in[0], dims, keepdim), randn64(7, SHAPE));
                GradCheck.assertGradients(in -> Ops.var(in[0], dims, 1, keepdim), randn64(8, SHAPE));
                GradCheck.assertGradients(in -> Ops.var(in[0], dims, false, keepdim), randn64(9, SHAPE));
                GradCheck.assertGradients(in -> Ops.std(in[0], dims, 2, keepdim), randn64(10, SHAPE));
                for (double p : new double[]{1, 2, 3, 1.5, 0.5, INF}) {
                    GradCheck.assertGradients(in -> Ops.norm(in[0], p, dims, keepdim), TestSupport.awayFrom(randn64(11, SHAPE), 0, 0.1));
                }
            }
        }
        for (int dim = -3; dim < 3; dim++) {
            int d = dim;
            GradCheck.assertGradients(in -> Ops.maxWithIndices(in[0], d, true).values(), randn64(12, SHAPE));
            GradCheck.assertGradients(in -> Ops.min(in[0], d, false), randn64(13, SHAPE));
            GradCheck.assertGradients(in -> Ops.topk(in[0], 2, d, true, true).values(), randn64(14, SHAPE));
            GradCheck.assertGradients(in -> Ops.topk(in[0], 2, d, false, true).values(), randn64(15, SHAPE));
        }
        GradCheck.assertGradients(in -> Ops.min(in[0]), randn64(16, SHAPE));
        GradCheck.assertGradients(in -> Ops.var(in[0]), randn64(17, SHAPE));
        GradCheck.assertGradients(in -> Ops.std(in[0]), randn64(18, SHAPE));
        GradCheck.assertGradients(in -> Ops.norm(in[0]), randn64(19, SHAPE));
        GradCheck.assertGradients(in -> Ops.norm(in[0], "fro", new int[]{0, 2}, true), randn64(20, SHAPE));
    }

    /** The gradient of {@code sum(f(x))} at a fresh copy of {@code x}. */
    static Tensor grad(java.util.function.Function<Tensor, Tensor> f, Tensor x) {
        Tensor c = Tensor.of(x.dtype(), x.toDoubleArray(), x.shape()).requiresGrad(true);
        Ops.sum(f.apply(c)).backward();
        return c.grad();
    }

    // ------------------------------------------------------------------ edge values

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpGuardsInfiniteSlices(DType dtype) {
        double ninf = Double.NEGATIVE_INFINITY;
        Tensor x = TestSupport.of(dtype, new double[]{ninf, ninf, ninf, ninf, INF, 1, 0, 2, 1, NAN, 0, 0}, 3, 2, 2);
        Tensor y = Ops.logSumExp(x, new int[]{1, 2}, false);
        assertEquals(ninf, y.get(0));
        assertEquals(INF, y.get(1));
        assertTrue(Double.isNaN(y.get(2)));
        Tensor finite = TestSupport.of(dtype, new double[]{ninf, 0, ninf, 0, 1e30, 1e30}, 3, 2);
        Tensor g = grad(t -> Ops.logSumExp(t, new int[]{0, 1}, true), finite);
        assertClose(new double[]{0, 0, 0, 0, 0.5, 0.5}, g, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxMinWithIndicesAndArgExtremes(DType dtype) {
        Tensor x = TestSupport.of(dtype, new double[]{1, NAN, 3, NAN, 2, 2, 1, 2, -1, 5, -1, 5}, 3, 4);
        ValuesIndices mx = Ops.maxWithIndices(x, 1, false);
        assertArrayEquals(new int[]{1, 0, 1}, mx.indices().toArray());
        assertArrayEquals(new int[]{3}, mx.indices().shape());
        assertTrue(Double.isNaN(mx.values().get(0)));
        assertEquals(5, mx.values().get(2));
        ValuesIndices mn = Ops.minWithIndices(x, -1, true);
        assertArrayEquals(new int[]{1, 2, 0}, mn.indices().toArray());
        assertArrayEquals(new int[]{3, 1}, mn.indices().shape());
        assertClose(new double[]{NAN, 1, -1}, mn.values(), 0, 0);
        assertArrayEquals(new int[]{1, 0, 1}, Ops.argmax(x, 1, false).toArray());
        assertArrayEquals(new int[]{1, 2, 0}, Ops.argmin(x, 1, false).toArray());
        assertArrayEquals(new int[]{1, 0, 0, 0}, Ops.argmax(x, 0, false).toArray()); // NaN is the max
        assertArrayEquals(new int[]{1, 4}, Ops.argmax(x, 0, true).shape());
        assertEquals(1, Ops.argmax(x).get(0));
        assertEquals(0, Ops.argmax(x).rank());
        assertEquals(1, Ops.argmin(x).get(0));
        Tensor clean = TestSupport.of(dtype, new double[]{2, -1, 5, -1, 5, 0}, 2, 3);
        assertEquals(2, Ops.argmax(clean).get(0), "first of tied maxima");
        assertEquals(1, Ops.argmin(clean).get(0), "first of tied minima");
        // the gradient of max(dim)/min(dim) goes to the returned index only
        Tensor g = grad(t -> Ops.minWithIndices(t, 1, false).values(), clean);
        assertClose(new double[]{0, 1, 0, 1, 0, 0}, g, 0, 0);
        assertEquals(-1, Ops.min(clean).item());
        assertClose(new double[]{0, 0.5, 0, 0.5, 0, 0}, grad(Ops::min, TestSupport.of(dtype, clean.toDoubleArray(), 2, 3)), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void amaxSplitsTiesAndANaNSliceGetsNaN(DType dtype) {
        Tensor x = TestSupport.of(dtype, new double[]{1, NAN, 3, 2, 2, 1, 5, 5, 5, 5, 5, 5}, 2, 2, 3);
        Tensor y = Ops.amax(x, new int[]{0, 2}, false);
        assertClose(new double[]{NAN, 5}, y, 0, 0);
        Tensor g = grad(t -> Ops.amax(t, new int[]{0, 2}, false), x);
        assertClose(new double[]{NAN, NAN, NAN, 0, 0, 0, NAN, NAN, NAN, 1.0 / 3, 1.0 / 3, 1.0 / 3}, g, 1e-7, 0);
        Tensor ties = TestSupport.of(dtype, new double[]{1, -2, -2, 0}, 2, 2);
        assertClose(new double[]{0, 0.5, 0.5, 0}, grad(t -> Ops.amin(t, new int[0], false), ties), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void varStdCorrectionAndTheirEdges(DType dtype) {
        Tensor x = TestSupport.of(dtype, new double[]{1, 2, 4, 7, 7, 7}, 2, 3);
        assertClose(new double[]{7.0 / 3, 0}, Ops.var(x, new int[]{1}, true, false), 1e-6, 0);
        assertClose(new double[]{14.0 / 9, 0}, Ops.var(x, new int[]{1}, false, false), 1e-6, 0);
        assertClose(new double[]{14.0 / 3, 0}, Ops.var(x, new int[]{-1}, 2, false), 1e-6, 0);
        assertClose(new double[]{INF, NAN}, Ops.var(x, new int[]{1}, 3, false), 0, 0); // n - correction <= 0
        assertClose(new double[]{Math.sqrt(7.0 / 3), 0}, Ops.std(x, new int[]{1}, true, false), 1e-6, 0);
        // a constant slice: std 0 with gradient 0 (PyTorch), not NaN
        Tensor g = grad(t -> Ops.std(t, new int[]{1}, 1, false), x);
        assertEquals(0.0, g.get(3));
        assertEquals(0.0, g.get(5));
        // one element, unbiased: NaN value and gradient
        Tensor one = TestSupport.of(dtype, new double[]{1, 2}, 1, 2);
        assertClose(new double[]{NAN, NAN}, Ops.var(one, new int[]{0}, true, false), 0, 0);
        assertClose(new double[]{NAN, NAN}, grad(t -> Ops.var(t, new int[]{0}, 1, false), one), 0, 0);
        Tensor all = Ops.var(x, new int[]{0, 1}, 1, true);
        assertShape(all, 1, 1);
        assertEquals(var(x.toDoubleArray(), 1), all.get(0), 1e-5);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void normGradientIsZeroAtZeroAndInfTiesShare(DType dtype) {
        Tensor z = Tensor.zeros(dtype, 2, 3);
        for (double p : new double[]{1, 2, 3, 0.5, INF}) {
            assertClose(new double[6], grad(t -> Ops.norm(t, p, new int[]{1}, false), Tensor.zeros(dtype, 2, 3)), 0, 0);
        }
        assertClose(new double[6], grad(Ops::norm, z), 0, 0);
        Tensor x = TestSupport.of(dtype, new double[]{1, -3, 3, 0, 0, 0}, 2, 3);
        assertClose(new double[]{3, 0}, Ops.norm(x, INF, new int[]{1}, false), 0, 0);
        assertClose(new double[]{0, -0.5, 0.5, 0, 0, 0}, grad(t -> Ops.norm(t, INF, new int[]{1}, false), x), 0, 0);
        assertClose(new double[]{1, -1, 1, 0, 0, 0}, grad(t -> Ops.norm(t, 1, new int[]{1}, false), x), 0, 0);
        assertClose(new double[]{NAN}, Ops.norm(TestSupport.of(dtype, new double[]{1, NAN, INF}, 3)), 0, 0);
        assertClose(new double[]{INF}, Ops.norm(TestSupport.of(dtype, new double[]{1, INF}, 2)), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void topkValuesIndicesAndGradient(DType dtype) {
        Tensor x = TestSupport.of(dtype, new double[]{1, 3, NAN, 2, 0, -1, 4, 4}, 2, 4);
        ValuesIndices t = Ops.topk(x, 2, 1, true, true);
        assertArrayEquals(new int[]{2, 1, 2, 3}, t.indices().toArray());
        assertArrayEquals(new int[]{2, 2}, t.indices().shape());
        assertClose(new double[]{NAN, 3, 4, 4}, t.values(), 0, 0);
        ValuesIndices s = Ops.topk(x, 3, -1, false, true);
        assertArrayEquals(new int[]{0, 3, 1, 1, 0, 2}, s.indices().toArray());
        assertClose(new double[]{1, 2, 3, -1, 0, 4}, s.values(), 0, 0);
        ValuesIndices cols = Ops.topk(TestSupport.of(dtype, new double[]{1, 5, 2, 4, 3, 0}, 3, 2), 2, 0, true, true);
        assertArrayEquals(new int[]{2, 0, 1, 1}, cols.indices().toArray());
        Tensor g = grad(v -> Ops.topk(v, 2, 0, true, true).values(), TestSupport.of(dtype, new double[]{1, 5, 2, 4, 3, 0}, 3, 2));
        assertClose(new double[]{0, 1, 1, 1, 1, 0}, g, 0, 0);
        assertShape(Ops.topk(x, 0, 1, true, true).values(), 2, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zeroSizeDimsAndScalars(DType dtype) {
        Tensor e = Tensor.zeros(dtype, 2, 0, 3);
        assertClose(new double[6], Ops.sum(e, new int[]{1}, false), 0, 0);
        assertClose(new double[3], Ops.sum(e, new int[]{0, 1}, false), 0, 0);
        assertShape(Ops.sum(e, new int[]{0, 2}, true), 1, 0, 1);
        assertClose(new double[]{NAN, NAN, NAN}, Ops.mean(e, new int[]{0, 1}, false), 0, 0);
        assertClose(new double[]{Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY},
                Ops.logSumExp(e, new int[]{0, 1}, false), 0, 0);
        assertClose(new double[]{NAN, NAN, NAN}, Ops.var(e, new int[]{0, 1}, true, false), 0, 0);
        assertClose(new double[]{0, 0, 0}, Ops.norm(e, 2, new int[]{0, 1}, false), 0, 0);
        assertShape(Ops.amax(e, new int[]{0, 2}, false), 0);
        Tensor s = Tensor.scalar(2.5, dtype);
        assertClose(new double[]{2.5}, Ops.sum(s, new int[]{-1}, false), 0, 0);
        assertShape(Ops.logSumExp(s, new int[0], true));
        assertEquals(0, Ops.argmax(s, 0, false).get(0));
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void badArgumentsNameTheOpAndTheArgument() {
        Tensor x = randn(30, DType.FLOAT64, SHAPE);
        assertIllegalArgument(() -> Ops.sum(x, new int[]{0, -3}, false), "sum", "dim -3", "multiple times");
        assertIllegalArgument(() -> Ops.sum(x, new int[]{0, 3}, false), "sum", "dim 3", "out of range");
        assertIllegalArgument(() -> Ops.sum(x, (int[]) null, false), "sum", "dims");
        assertIllegalArgument(() -> Ops.mean(x, new int[]{1, 1}, false), "mean", "multiple times");
        assertIllegalArgument(() -> Ops.logSumExp(x, new int[]{-4, 0}, false), "logsumexp", "dim -4");
        assertIllegalArgument(() -> Ops.amax(x, new int[]{2, 2}, true), "amax", "multiple times");
        assertIllegalArgument(() -> Ops.amin(x, new int[]{5}, true), "amin", "dim 5");
        assertIllegalArgument(() -> Ops.amax(Tensor.zeros(DType.FLOAT64, 0, 3), new int[]{0}, false), "amax", "empty", "[0, 3]");
        assertIllegalArgument(() -> Ops.var(x, new int[]{0, 0}, 1, false), "var", "multiple times");
        assertIllegalArgument(() -> Ops.std(x, new int[]{3}, true, false), "std", "dim 3");
        assertIllegalArgument(() -> Ops.norm(x, 0, new int[]{0}, false), "norm", "p 0.0");
        assertIllegalArgument(() -> Ops.norm(x, Double.NaN, new int[]{0}, false), "norm", "p NaN");
        assertIllegalArgument(() -> Ops.norm(x, "nuc", new int[]{0, 1}, false), "norm", "nuc");
        assertIllegalArgument(() -> Ops.norm(x, "fro", new int[]{0, 1, 2}, false), "norm", "fro", "at most 2");
        assertIllegalArgument(() -> Ops.argmax(Tensor.zeros(DType.FLOAT32, 0)), "argmax", "empty");
        assertIllegalArgument(() -> Ops.argmin(x, 3, false), "argmin", "dim 3");
        assertIllegalArgument(() -> Ops.argmin(Tensor.zeros(DType.FLOAT32, 2, 0), 1, false), "argmin", "empty", "[2, 0]");
        assertIllegalArgument(() -> Ops.maxWithIndices(x, -4, false), "max", "dim -4");
        assertIllegalArgument(() -> Ops.minWithIndices(x, 3, false), "min", "dim 3");
        assertIllegalArgument(() -> Ops.topk(x, 5, -1, true, true), "topk", "k 5", "size 4");
        assertIllegalArgument(() -> Ops.topk(x, -1, 0, true, true), "topk", "k -1");
        assertIllegalArgument(() -> Ops.topk(x, 1, 3, true, true), "topk", "dim 3");
        assertIllegalArgument(() -> Ops.sum(null, new int[]{0, 1}, false), "sum");
        assertIllegalArgument(() -> Ops.mean(null, new int[]{0, 1}, false), "mean");
    }

    @Test
    void indicesAreIntTensorsOfTheValuesShape() {
        Tensor x = randn(31, DType.FLOAT32, SHAPE);
        ValuesIndices m = Ops.maxWithIndices(x, 1, true);
        assertArrayEquals(m.values().shape(), m.indices().shape());
        IntTensor a = Ops.argmax(x, 1, true);
        assertArrayEquals(m.indices().toArray(), a.toArray());
        assertArrayEquals(Ops.argmin(x, 2, false).toArray(), Ops.topk(x, 1, 2, false, true).indices().toArray());
    }
}
