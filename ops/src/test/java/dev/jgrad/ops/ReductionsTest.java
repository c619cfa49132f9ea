package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sum, mean and max over all elements and along a dimension (with keepdim and negative dims). */
class ReductionsTest {

    static final int[] SHAPE = {2, 3, 4};

    /**
     * Reference reduction of a row-major {@code [2,3,4]} array along {@code dim} (0..2) by explicit nested
     * index loops; the result is in row-major order of the remaining dimensions.
     */
    static double[] reduce(double[] x, int dim, DoubleBinaryOperator combine, double init) {
        int[] s = SHAPE;
        int[] keep = new int[2];
        for (int d = 0, j = 0; d < 3; d++) if (d != dim) keep[j++] = d;
        double[] out = new double[s[keep[0]] * s[keep[1]]];
        java.util.Arrays.fill(out, init);
        for (int i = 0; i < s[0]; i++)
            for (int j = 0; j < s[1]; j++)
                for (int k = 0; k < s[2]; k++) {
                    int[] idx = {i, j, k};
                    int o = idx[keep[0]] * s[keep[1]] + idx[keep[1]];
                    out[o] = combine.applyAsDouble(out[o], x[(i * s[1] + j) * s[2] + k]);
                }
        return out;
    }

    static int[] reducedShape(int dim, boolean keepdim) {
        int d = dim < 0 ? dim + 3 : dim;
        if (keepdim) {
            int[] s = SHAPE.clone();
            s[d] = 1;
            return s;
        }
        int[] s = new int[2];
        for (int i = 0, j = 0; i < 3; i++) if (i != d) s[j++] = SHAPE[i];
        return s;
    }

    static Stream<Arguments> dimsKeepdimDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (int dim : new int[]{0, 1, 2, -1, -2, -3})
            for (boolean keep : new boolean[]{false, true})
                for (DType dt : DType.values()) args.add(Arguments.of(dim, keep, dt));
        return args.stream();
    }

    static Stream<Arguments> dimsKeepdim() {
        List<Arguments> args = new ArrayList<>();
        for (int dim : new int[]{0, 1, 2, -1, -2, -3})
            for (boolean keep : new boolean[]{false, true}) args.add(Arguments.of(dim, keep));
        return args.stream();
    }

    // ------------------------------------------------------------------ sum

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumOfAllElementsIsAScalar(DType dtype) {
        Tensor a = randn(1, dtype, SHAPE);
        Tensor s = Ops.sum(a);
        assertShape(s);
        assertEquals(dtype, s.dtype());
        double e = 0;
        for (double v : a.toDoubleArray()) e += v;
        assertClose(new double[]{e}, s);
    }

    @ParameterizedTest(name = "dim {0} keepdim {1} {2}")
    @MethodSource("dimsKeepdimDtypes")
    void sumAlongDimMatchesNestedLoops(int dim, boolean keepdim, DType dtype) {
        Tensor a = randn(2, dtype, SHAPE);
        Tensor s = Ops.sum(a, dim, keepdim);
        assertShape(s, reducedShape(dim, keepdim));
        assertClose(reduce(a.toDoubleArray(), dim < 0 ? dim + 3 : dim, Double::sum, 0.0), s, TestSupport.rtol(dtype), 1e-12);
    }

    @Test
    void sumOfAllPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.sum(in[0]), randn64(3, SHAPE));
    }

    @ParameterizedTest(name = "dim {0} keepdim {1}")
    @MethodSource("dimsKeepdim")
    void sumAlongDimPassesGradcheck(int dim, boolean keepdim) {
        GradCheck.assertGradients(in -> Ops.sum(in[0], dim, keepdim), randn64(4, SHAPE));
    }

    @Test
    void sumOfFloat32AccumulatesInDouble() {
        // in float32 arithmetic 2^24 + 1 rounds back to 2^24, so a float accumulator would return 16777216
        float[] v = new float[1001];
        v[0] = 16777216f;
        java.util.Arrays.fill(v, 1, v.length, 1f);
        Tensor a = Tensor.of(v, v.length);
        assertEquals(16778216.0, Ops.sum(a).item());
        assertEquals(16778216.0, Ops.sum(Tensor.of(v, 1, v.length), 1, false).item());
    }

    @Test
    void sumOfAScalarAlongDimZeroIsTheScalar() {
        Tensor s = Tensor.scalar(2.5, DType.FLOAT64);
        assertEquals(2.5, Ops.sum(s, 0, false).item());
        assertEquals(2.5, Ops.sum(s, -1, true).item());
    }

    @Test
    void sumPropagatesInfinityAndNaN() {
        assertEquals(Double.POSITIVE_INFINITY, Ops.sum(Tensor.of(new double[]{1, Double.POSITIVE_INFINITY}, 2)).item());
        assertTrue(Double.isNaN(Ops.sum(Tensor.of(new double[]{Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, 2)).item()));
        assertTrue(Double.isNaN(Ops.sum(Tensor.of(new double[]{1, Double.NaN}, 2)).item()));
    }

    // ------------------------------------------------------------------ mean

    @ParameterizedTest
    @EnumSource(DType.class)
    void meanOfAllElements(DType dtype) {
        Tensor a = randn(5, dtype, SHAPE);
        double e = 0;
        for (double v : a.toDoubleArray()) e += v;
        Tensor m = Ops.mean(a);
        assertShape(m);
        assertClose(new double[]{e / 24}, m);
    }

    @ParameterizedTest(name = "dim {0} keepdim {1} {2}")
    @MethodSource("dimsKeepdimDtypes")
    void meanAlongDimMatchesNestedLoops(int dim, boolean keepdim, DType dtype) {
        Tensor a = randn(6, dtype, SHAPE);
        Tensor m = Ops.mean(a, dim, keepdim);
        int d = dim < 0 ? dim + 3 : dim;
        assertShape(m, reducedShape(dim, keepdim));
        double[] e = reduce(a.toDoubleArray(), d, Double::sum, 0.0);
        for (int i = 0; i < e.length; i++) e[i] /= SHAPE[d];
        assertClose(e, m, 2 * TestSupport.rtol(dtype), 1e-12);
    }

    @Test
    void meanOfAllPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.mean(in[0]), randn64(7, SHAPE));
    }

    @ParameterizedTest(name = "dim {0} keepdim {1}")
    @MethodSource("dimsKeepdim")
    void meanAlongDimPassesGradcheck(int dim, boolean keepdim) {
        GradCheck.assertGradients(in -> Ops.mean(in[0], dim, keepdim), randn64(8, SHAPE));
    }

    @Test
    void meanGradientIsOneOverN() {
        Tensor a = randn64(9, 2, 4);
        Ops.mean(a, 1, false).backward(Tensor.ones(DType.FLOAT64, 2));
        assertExact(new double[]{0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, a.grad());
    }

    @Test
    void meanOfEmptyTensorIsNaN() {
        assertTrue(Double.isNaN(Ops.mean(Tensor.zeros(DType.FLOAT64, 0)).item()));
    }

    @Test
    void meanOfAScalarAlongDimZeroIsTheScalar() {
        // PyTorch accepts dim 0 / -1 on a 0-d tensor, as Ops.sum does
        Tensor s = Tensor.scalar(2.5, DType.FLOAT64);
        assertEquals(2.5, Ops.mean(s, 0, false).item());
        assertEquals(2.5, Ops.mean(s, -1, true).item());
    }

    // ------------------------------------------------------------------ max

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxOfAllElements(DType dtype) {
        Tensor a = randn(10, dtype, SHAPE);
        double e = Double.NEGATIVE_INFINITY;
        for (double v : a.toDoubleArray()) e = Math.max(e, v);
        Tensor m = Ops.max(a);
        assertShape(m);
        assertEquals(e, m.item());
    }

    @ParameterizedTest(name = "dim {0} keepdim {1} {2}")
    @MethodSource("dimsKeepdimDtypes")
    void maxAlongDimMatchesNestedLoops(int dim, boolean keepdim, DType dtype) {
        Tensor a = randn(11, dtype, SHAPE);
        Tensor m = Ops.max(a, dim, keepdim);
        assertShape(m, reducedShape(dim, keepdim));
        assertExact(reduce(a.toDoubleArray(), dim < 0 ? dim + 3 : dim, Math::max, Double.NEGATIVE_INFINITY), m);
    }

    @Test
    void maxOfAllPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.max(in[0]), randn64(12, SHAPE));
    }

    @ParameterizedTest(name = "dim {0} keepdim {1}")
    @MethodSource("dimsKeepdim")
    void maxAlongDimPassesGradcheck(int dim, boolean keepdim) {
        GradCheck.assertGradients(in -> Ops.max(in[0], dim, keepdim), randn64(13, SHAPE));
    }

    @Test
    void maxAlongDimWithTiesSendsTheGradientToTheFirstMaximum() {
        Tensor a = Tensor.of(new double[]{1, 3, 3, 2, 2, 0}, 2, 3).requiresGrad(true);
        Tensor m = Ops.max(a, 1, false);
        assertExact(new double[]{3, 2}, m);
        m.backward(Tensor.of(new double[]{5, 7}, 2));
        assertExact(new double[]{0, 5, 0, 7, 0, 0}, a.grad());

        Tensor b = Tensor.of(new double[]{4, 1, 4, 2}, 2, 2).requiresGrad(true);
        Ops.max(b, 0, true).backward(Tensor.ones(DType.FLOAT64, 1, 2));
        assertExact(new double[]{1, 0, 0, 1}, b.grad());
    }

    @Test
    void maxOfAllWithTiesSplitsTheGradientEvenly() {
        Tensor a = Tensor.of(new double[]{1, 3, 3, 2}, 4).requiresGrad(true);
        Tensor m = Ops.max(a);
        assertEquals(3.0, m.item());
        m.backward(Tensor.scalar(2.0, DType.FLOAT64));
        assertExact(new double[]{0, 1, 1, 0}, a.grad());

        Tensor b = Tensor.of(new double[]{5, 5, 5, -1}, 2, 2).requiresGrad(true);
        Ops.max(b).backward();
        assertClose(new double[]{1.0 / 3, 1.0 / 3, 1.0 / 3, 0}, b.grad());
    }

    @Test
    void maxOfAllTreatsPositiveAndNegativeZeroAsTied() {
        Tensor a = Tensor.of(new double[]{-0.0, 0.0, -1}, 3).requiresGrad(true);
        Ops.max(a).backward();
        assertExact(new double[]{0.5, 0.5, 0}, a.grad());
    }

    @Test
    void maxOfAllNegativeInfinityIsNegativeInfinityWithASplitGradient() {
        Tensor a = Tensor.of(new double[]{Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2).requiresGrad(true);
        Tensor m = Ops.max(a);
        assertEquals(Double.NEGATIVE_INFINITY, m.item());
        m.backward();
        assertExact(new double[]{0.5, 0.5}, a.grad());
        assertEquals(Double.NEGATIVE_INFINITY, Ops.max(a, 0, false).item());
    }

    @Test
    void maxPropagatesNaN() {
        Tensor a = Tensor.of(new double[]{1, Double.NaN, 5, 2, 3, 4}, 2, 3);
        assertTrue(Double.isNaN(Ops.max(a).item()));
        assertExact(new double[]{Double.NaN, 4}, Ops.max(a, 1, false));
        assertExact(new double[]{2, Double.NaN, 5}, Ops.max(a, 0, false));
    }

    @Test
    void maxPicksPositiveInfinity() {
        Tensor a = Tensor.of(new double[]{1, Double.POSITIVE_INFINITY, 5}, 3).requiresGrad(true);
        Tensor m = Ops.max(a, 0, false);
        assertEquals(Double.POSITIVE_INFINITY, m.item());
        m.backward();
        assertExact(new double[]{0, 1, 0}, a.grad());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void reductionsRejectOutOfRangeDims() {
        Tensor a = Tensor.zeros(DType.FLOAT64, SHAPE);
        assertIllegalArgument(() -> Ops.sum(a, 3, false), "sum", "dim 3");
        assertIllegalArgument(() -> Ops.sum(a, -4, false), "sum", "dim -4");
        assertIllegalArgument(() -> Ops.max(a, 3, true), "max", "dim 3");
        assertIllegalArgument(() -> Ops.mean(a, -4, false), "dim -4");
    }

    @Test
    void maxRejectsEmptyInputs() {
        assertIllegalArgument(() -> Ops.max(Tensor.zeros(DType.FLOAT64, 0)), "max", "empty");
        assertIllegalArgument(() -> Ops.max(Tensor.zeros(DType.FLOAT64, 2, 0), 1, false), "max", "empty");
    }
}
