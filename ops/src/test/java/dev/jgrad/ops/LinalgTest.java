package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** matmul (2-D, batched 3-D × 2-D, 1-D forms), linear (with/without bias, 3-D input) and transpose. */
class LinalgTest {

    /** Plain triple-loop product of row-major {@code a [m,k]} and {@code b [k,n]}, accumulated in double. */
    static double[] product(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    /** float32 GEMM accumulates in float, so allow a few ulps of the accumulated magnitude. */
    static double gemmTol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    // ------------------------------------------------------------------ matmul forward

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmul2dMatchesTripleLoop(DType dtype) {
        Tensor a = randn(1, dtype, 3, 4), b = randn(2, dtype, 4, 5);
        Tensor y = Ops.matmul(a, b);
        assertShape(y, 3, 5);
        assertEquals(dtype, y.dtype());
        assertClose(product(a.toDoubleArray(), b.toDoubleArray(), 3, 4, 5), y, gemmTol(dtype), gemmTol(dtype));
    }

    @Test
    void matmul2dOfSmallIntegerMatricesIsExact() {
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new double[]{7, 8, 9, 10, 11, 12}, 3, 2);
        assertExact(new double[]{58, 64, 139, 154}, Ops.matmul(a, b));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulBatched3dTimes2dMultipliesEachBatch(DType dtype) {
        Tensor a = randn(3, dtype, 2, 3, 4), b = randn(4, dtype, 4, 5);
        Tensor y = Ops.matmul(a, b);
        assertShape(y, 2, 3, 5);
        double[] av = a.toDoubleArray(), e = new double[30];
        for (int batch = 0; batch < 2; batch++) {
            double[] slice = java.util.Arrays.copyOfRange(av, batch * 12, batch * 12 + 12);
            System.arraycopy(product(slice, b.toDoubleArray(), 3, 4, 5), 0, e, batch * 15, 15);
        }
        assertClose(e, y, gemmTol(dtype), gemmTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulVectorTimesMatrixGivesVector(DType dtype) {
        Tensor v = randn(5, dtype, 4), b = randn(6, dtype, 4, 3);
        Tensor y = Ops.matmul(v, b);
        assertShape(y, 3);
        assertClose(product(v.toDoubleArray(), b.toDoubleArray(), 1, 4, 3), y, gemmTol(dtype), gemmTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulMatrixTimesVectorGivesVector(DType dtype) {
        Tensor a = randn(7, dtype, 3, 4), v = randn(8, dtype, 4);
        Tensor y = Ops.matmul(a, v);
        assertShape(y, 3);
        assertClose(product(a.toDoubleArray(), v.toDoubleArray(), 3, 4, 1), y, gemmTol(dtype), gemmTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulVectorTimesVectorGivesScalar(DType dtype) {
        Tensor u = Tensor.of(dtype, new double[]{1, -2, 3}, 3), v = Tensor.of(dtype, new double[]{4, 5, -6}, 3);
        Tensor y = Ops.matmul(u, v);
        assertShape(y);
        assertEquals(4 - 10 - 18, y.item());
    }

    @Test
    void matmulWithZeroInnerDimensionGivesZeros() {
        Tensor y = Ops.matmul(Tensor.zeros(DType.FLOAT64, 2, 0), Tensor.zeros(DType.FLOAT64, 0, 3));
        assertShape(y, 2, 3);
        assertExact(new double[6], y);
    }

    // ------------------------------------------------------------------ matmul gradcheck

    @Test
    void matmul2dPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(11, 3, 4), randn64(12, 4, 2));
    }

    @Test
    void matmulBatched3dTimes2dPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(13, 2, 3, 4), randn64(14, 4, 2));
    }

    @Test
    void matmulVectorFormsPassGradcheck() {
        GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(15, 4), randn64(16, 4, 3));
        GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(17, 3, 4), randn64(18, 4));
        GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(19, 4), randn64(20, 4));
    }

    @Test
    void matmulGradientOfOnlyOneOperandLeavesTheOtherNull() {
        Tensor a = randn64(21, 2, 3);
        Tensor b = Tensor.of(new double[]{1, 0, 0, 1, 1, 1}, 3, 2);
        Ops.sum(Ops.matmul(a, b)).backward();
        assertNull(b.grad());
        // d sum(A·B) / dA = ones · Bᵀ: row sums of B per column of A
        assertExact(new double[]{1, 1, 2, 1, 1, 2}, a.grad());
    }

    // ------------------------------------------------------------------ matmul errors

    @Test
    void matmulInnerDimensionMismatchNamesBothShapes() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3), b = Tensor.zeros(DType.FLOAT64, 4, 5);
        assertIllegalArgument(() -> Ops.matmul(a, b), "matmul", "[2, 3]", "[4, 5]");
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 4)), "matmul", "[3]", "[4]");
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(DType.FLOAT64, 2, 2, 3), b), "matmul", "[2, 2, 3]");
    }

    @Test
    void matmulRejectsUnsupportedRanks() {
        Tensor m = Tensor.zeros(DType.FLOAT64, 3, 3);
        assertIllegalArgument(() -> Ops.matmul(Tensor.scalar(1, DType.FLOAT64), m), "matmul", "[]");
        assertIllegalArgument(() -> Ops.matmul(m, Tensor.scalar(1, DType.FLOAT64)), "matmul");
        // [3,3]·[2,3,3] is a batched product since the N-D forms (MatmulNdTest); batch dims that do not broadcast fail
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(DType.FLOAT64, 2, 3, 3), Tensor.zeros(DType.FLOAT64, 4, 3, 3)),
                "matmul", "[2, 3, 3]", "[4, 3, 3]");
    }

    @Test
    void matmulRejectsMixedDtypes() {
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(DType.FLOAT32, 2, 3), Tensor.zeros(DType.FLOAT64, 3, 2)), "mixed dtypes");
    }

    // ------------------------------------------------------------------ linear

    /** Reference {@code x·Wᵀ + b} over rows of {@code x [rows, in]}. */
    static double[] linearRef(double[] x, double[] w, double[] bias, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        return y;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void linearWithBiasMatchesReference(DType dtype) {
        Tensor x = randn(31, dtype, 3, 4), w = randn(32, dtype, 2, 4), b = randn(33, dtype, 2);
        Tensor y = Ops.linear(x, w, b);
        assertShape(y, 3, 2);
        assertClose(linearRef(x.toDoubleArray(), w.toDoubleArray(), b.toDoubleArray(), 3, 4, 2), y, gemmTol(dtype), gemmTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void linearWithoutBiasMatchesReference(DType dtype) {
        Tensor x = randn(34, dtype, 3, 4), w = randn(35, dtype, 2, 4);
        Tensor y = Ops.linear(x, w, null);
        assertShape(y, 3, 2);
        assertClose(linearRef(x.toDoubleArray(), w.toDoubleArray(), null, 3, 4, 2), y, gemmTol(dtype), gemmTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void linearWith3dInputKeepsLeadingDimensions(DType dtype) {
        Tensor x = randn(36, dtype, 2, 3, 4), w = randn(37, dtype, 5, 4), b = randn(38, dtype, 5);
        Tensor y = Ops.linear(x, w, b);
        assertShape(y, 2, 3, 5);
        assertClose(linearRef(x.toDoubleArray(), w.toDoubleArray(), b.toDoubleArray(), 6, 4, 5), y, gemmTol(dtype), gemmTol(dtype));
    }

    @Test
    void linearWith1dInputGivesVector() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2);
        Tensor w = Tensor.of(new double[]{1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor b = Tensor.of(new double[]{10, 20, 30}, 3);
        Tensor y = Ops.linear(x, w, b);
        assertShape(y, 3);
        assertExact(new double[]{11, 22, 33}, y);
    }

    @Test
    void linearWithBiasPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.linear(in[0], in[1], in[2]), randn64(41, 3, 4), randn64(42, 2, 4), randn64(43, 2));
    }

    @Test
    void linearWithoutBiasPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.linear(in[0], in[1], null), randn64(44, 3, 4), randn64(45, 2, 4));
    }

    @Test
    void linearWith3dInputPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.linear(in[0], in[1], in[2]), randn64(46, 2, 3, 4), randn64(47, 5, 4), randn64(48, 5));
    }

    @Test
    void linearBiasGradientIsTheColumnSumOfG() {
        Tensor x = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor w = Tensor.of(new double[]{1, 1}, 1, 2);
        Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        Tensor y = Ops.linear(x, w, b);
        y.backward(Tensor.of(new double[]{1, 2, 3}, 3, 1));
        assertExact(new double[]{6}, b.grad());
    }

    @Test
    void linearRejectsFeatureMismatch() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 4), w = Tensor.zeros(DType.FLOAT64, 2, 5);
        assertIllegalArgument(() -> Ops.linear(x, w, null), "linear", "[3, 4]", "[2, 5]");
    }

    @Test
    void linearRejectsBiasOfWrongShape() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 4), w = Tensor.zeros(DType.FLOAT64, 2, 4);
        assertIllegalArgument(() -> Ops.linear(x, w, Tensor.zeros(DType.FLOAT64, 3)), "linear", "bias", "[3]");
        assertIllegalArgument(() -> Ops.linear(x, w, Tensor.zeros(DType.FLOAT64, 1, 2)), "linear", "bias");
    }

    @Test
    void linearRejectsWrongRanks() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 4);
        // a 1-D weight [4] is PyTorch's vector form since the N-D forms (MatmulNdTest); 0-D and 3-D weights stay errors
        assertIllegalArgument(() -> Ops.linear(x, Tensor.zeros(DType.FLOAT64, 2, 3, 4), null), "linear", "[2, 3, 4]");
        assertIllegalArgument(() -> Ops.linear(x, Tensor.scalar(1, DType.FLOAT64), null), "linear", "[]");
        assertIllegalArgument(() -> Ops.linear(Tensor.scalar(1, DType.FLOAT64), Tensor.zeros(DType.FLOAT64, 2, 1), null), "linear");
    }

    @Test
    void linearRejectsMixedDtypes() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 3, 4), w = Tensor.zeros(DType.FLOAT32, 2, 4);
        assertIllegalArgument(() -> Ops.linear(x, w, Tensor.zeros(DType.FLOAT64, 2)), "mixed dtypes");
        assertIllegalArgument(() -> Ops.linear(x, Tensor.zeros(DType.FLOAT64, 2, 4), null), "mixed dtypes");
    }

    // ------------------------------------------------------------------ transpose

    @ParameterizedTest
    @EnumSource(DType.class)
    void transpose2dSwapsRowsAndColumns(DType dtype) {
        Tensor a = Tensor.of(dtype, new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = Ops.transpose(a);
        assertShape(t, 3, 2);
        assertExact(new double[]{1, 4, 2, 5, 3, 6}, t);
    }

    @Test
    void transpose3dSwapsTheLastTwoDimensionsPerBatch() {
        Tensor a = Tensor.arange(12, DType.FLOAT64).view(2, 2, 3);
        Tensor t = Ops.transpose(a);
        assertShape(t, 2, 3, 2);
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++) assertEquals(a.at(b, i, j), t.at(b, j, i));
    }

    @Test
    void transposeOf1dIsAnIndependentCopy() {
        Tensor a = Tensor.of(new double[]{1, 2, 3}, 3);
        Tensor t = Ops.transpose(a);
        assertShape(t, 3);
        a.set(0, 99);
        assertEquals(1.0, t.get(0));
    }

    @Test
    void transposePassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.transpose(in[0]), randn64(51, 3, 4));
        GradCheck.assertGradients(in -> Ops.transpose(in[0]), randn64(52, 2, 3, 4));
        GradCheck.assertGradients(in -> Ops.matmul(Ops.transpose(in[0]), in[0]), randn64(53, 3, 2));
    }
}
