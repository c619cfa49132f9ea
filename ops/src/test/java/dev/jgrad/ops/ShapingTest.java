package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** reshape, cat, gather, indexSelect and oneHot. */
class ShapingTest {

    // ------------------------------------------------------------------ reshape

    @ParameterizedTest
    @EnumSource(DType.class)
    void reshapeInfersTheMinusOneDimensionAndKeepsRowMajorOrder(DType dtype) {
        Tensor a = randn(1, dtype, 2, 3, 4);
        Tensor r = Ops.reshape(a, 4, -1);
        assertShape(r, 4, 6);
        assertExact(a.toDoubleArray(), r);
        assertShape(Ops.reshape(a, -1), 24);
        assertShape(Ops.reshape(a, 2, -1, 2), 2, 6, 2);
        assertEquals(a.at(1, 2, 3), Ops.reshape(a, -1, 4).at(5, 3));
    }

    @Test
    void reshapeToScalarAndBack() {
        Tensor s = Ops.reshape(Tensor.of(new double[]{7}, 1, 1));
        assertShape(s);
        assertEquals(7.0, s.item());
        assertShape(Ops.reshape(s, -1), 1);
    }

    @Test
    void reshapeSharesDataWithItsInput() {
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4}, 2, 2);
        Tensor r = Ops.reshape(a, 4);
        a.set(3, 40);
        assertEquals(40.0, r.get(3));
    }

    @Test
    void reshapePassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.reshape(in[0], 3, -1), randn64(2, 2, 3, 2));
        GradCheck.assertGradients(in -> Ops.mul(Ops.reshape(in[0], -1, 2), Ops.reshape(in[0], 2, -1)), randn64(3, 4));
    }

    @Test
    void reshapeRejectsTwoInferredDimensions() {
        assertIllegalArgument(() -> Ops.reshape(Tensor.zeros(DType.FLOAT64, 2, 3), -1, -1), "reshape", "-1");
    }

    @Test
    void reshapeRejectsAnIncompatibleElementCount() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3);
        assertIllegalArgument(() -> Ops.reshape(a, 4, -1), "reshape", "[2, 3]", "[4, -1]");
        assertIllegalArgument(() -> Ops.reshape(a, 5), "reshape", "[2, 3]", "[5]");
        assertIllegalArgument(() -> Ops.reshape(a, 3, -2), "reshape", "-2");
    }

    // ------------------------------------------------------------------ cat

    @ParameterizedTest
    @EnumSource(DType.class)
    void catAlongDim0StacksRows(DType dtype) {
        Tensor a = Tensor.of(dtype, new double[]{1, 2, 3, 4}, 2, 2), b = Tensor.of(dtype, new double[]{5, 6}, 1, 2);
        Tensor y = Ops.cat(0, a, b);
        assertShape(y, 3, 2);
        assertExact(new double[]{1, 2, 3, 4, 5, 6}, y);
        assertEquals(dtype, y.dtype());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, -1})
    void catAlongLastDimInterleavesRows(int dim) {
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4}, 2, 2), b = Tensor.of(new double[]{5, 6, 7, 8, 9, 10}, 2, 3);
        Tensor y = Ops.cat(dim, a, b);
        assertShape(y, 2, 5);
        assertExact(new double[]{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}, y);
    }

    @Test
    void catAlongMiddleDimOf3dTensors() {
        Tensor a = Tensor.arange(8, DType.FLOAT64).view(2, 2, 2);
        Tensor b = Ops.add(Tensor.arange(4, DType.FLOAT64).view(2, 1, 2), 100.0);
        Tensor y = Ops.cat(1, a, b);
        assertShape(y, 2, 3, 2);
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 2; k++) {
                assertEquals(a.at(i, 0, k), y.at(i, 0, k));
                assertEquals(a.at(i, 1, k), y.at(i, 1, k));
                assertEquals(b.at(i, 0, k), y.at(i, 2, k));
            }
    }

    @Test
    void catOfASingleTensorIsACopy() {
        Tensor a = Tensor.of(new double[]{1, 2}, 2);
        Tensor y = Ops.cat(0, a);
        a.set(0, 9);
        assertExact(new double[]{1, 2}, y);
    }

    @Test
    void catPassesGradcheckAlongEveryDim() {
        GradCheck.assertGradients(in -> Ops.cat(0, in), randn64(4, 1, 3, 2), randn64(5, 2, 3, 2));
        GradCheck.assertGradients(in -> Ops.cat(1, in), randn64(6, 2, 1, 2), randn64(7, 2, 3, 2), randn64(8, 2, 2, 2));
        GradCheck.assertGradients(in -> Ops.cat(-1, in), randn64(9, 2, 3, 1), randn64(10, 2, 3, 2));
    }

    @Test
    void catGradientSkipsInputsThatDoNotRequireGrad() {
        Tensor a = randn64(11, 2), c = Tensor.ones(DType.FLOAT64, 3);
        Tensor y = Ops.cat(0, c, a);
        y.backward(Tensor.of(new double[]{1, 2, 3, 4, 5}, 5));
        assertExact(new double[]{4, 5}, a.grad());
        assertEquals(null, c.grad());
    }

    @Test
    void catRejectsMismatchedShapes() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3), b = Tensor.zeros(DType.FLOAT64, 2, 4);
        assertIllegalArgument(() -> Ops.cat(0, a, b), "cat", "[2, 4]", "[2, 3]");
        assertIllegalArgument(() -> Ops.cat(0, a, Tensor.zeros(DType.FLOAT64, 3)), "cat", "[3]");
    }

    @Test
    void catRejectsBadDimEmptyInputAndScalars() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3);
        assertIllegalArgument(() -> Ops.cat(2, a, a), "cat", "dim 2");
        assertIllegalArgument(() -> Ops.cat(0), "cat");
        assertIllegalArgument(() -> Ops.cat(0, Tensor.scalar(1, DType.FLOAT64)), "cat", "zero-dimensional");
    }

    @Test
    void catRejectsMixedDtypes() {
        assertIllegalArgument(() -> Ops.cat(0, Tensor.zeros(DType.FLOAT32, 2), Tensor.zeros(DType.FLOAT64, 2)), "mixed dtypes");
    }

    // ------------------------------------------------------------------ gather

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherPicksAlongTheLastDimension(DType dtype) {
        Tensor a = Tensor.of(dtype, new double[]{10, 11, 12, 13, 20, 21, 22, 23}, 2, 4);
        IntTensor idx = IntTensor.of(new int[]{3, 0, 0, 1, 1, 2}, 2, 3);
        Tensor y = Ops.gather(a, idx);
        assertShape(y, 2, 3);
        assertExact(new double[]{13, 10, 10, 21, 21, 22}, y);
    }

    @Test
    void gatherOn1dAnd3dTensors() {
        Tensor v = Tensor.of(new double[]{5, 6, 7}, 3);
        assertExact(new double[]{7, 5}, Ops.gather(v, IntTensor.of(2, 0)));
        Tensor a = Tensor.arange(12, DType.FLOAT64).view(2, 2, 3);
        Tensor y = Ops.gather(a, IntTensor.of(new int[]{2, 1, 0, 2}, 2, 2, 1));
        assertShape(y, 2, 2, 1);
        assertExact(new double[]{2, 4, 6, 11}, y);
    }

    @Test
    void gatherGradientAccumulatesRepeatedIndices() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor y = Ops.gather(a, IntTensor.of(new int[]{1, 1, 1, 0, 2, 0}, 2, 3));
        y.backward(Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3));
        assertExact(new double[]{0, 6, 0, 10, 0, 5}, a.grad());
    }

    @Test
    void gatherPassesGradcheckWithRepeatedIndices() {
        IntTensor idx = IntTensor.of(new int[]{0, 3, 3, 1, 2, 2, 0, 0}, 2, 4);
        GradCheck.assertGradients(in -> Ops.gather(in[0], idx), randn64(12, 2, 4));
    }

    @Test
    void gatherOutOfRangeNamesTheIndex() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 4);
        IllegalArgumentException e = assertIllegalArgument(() -> Ops.gather(a, IntTensor.of(new int[]{0, 7}, 2, 1)),
                "gather", "index 7", "4");
        assertFalse(e.getMessage().contains("index 0 "));
        assertIllegalArgument(() -> Ops.gather(a, IntTensor.of(new int[]{-1, 0}, 2, 1)), "gather", "index -1");
        assertIllegalArgument(() -> Ops.gather(a, IntTensor.of(new int[]{4, 0}, 2, 1)), "gather", "index 4");
    }

    @Test
    void gatherRejectsIndexOfMismatchedShape() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 4);
        assertIllegalArgument(() -> Ops.gather(a, IntTensor.of(new int[]{0, 0, 0}, 3, 1)), "gather", "[3, 1]", "[2, 4]");
        assertIllegalArgument(() -> Ops.gather(a, IntTensor.of(0, 1)), "gather", "[2]");
    }

    // ------------------------------------------------------------------ indexSelect

    @ParameterizedTest
    @EnumSource(DType.class)
    void indexSelectAlongDim0PicksRowsInOrderWithRepeats(DType dtype) {
        Tensor a = Tensor.of(dtype, new double[]{1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor y = Ops.indexSelect(a, 0, IntTensor.of(2, 0, 2));
        assertShape(y, 3, 2);
        assertExact(new double[]{5, 6, 1, 2, 5, 6}, y);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, -1})
    void indexSelectAlongTheLastDimOf3d(int dim) {
        Tensor a = Tensor.arange(12, DType.FLOAT64).view(2, 2, 3);
        Tensor y = Ops.indexSelect(a, dim, IntTensor.of(2, 0));
        assertShape(y, 2, 2, 2);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                assertEquals(a.at(i, j, 2), y.at(i, j, 0));
                assertEquals(a.at(i, j, 0), y.at(i, j, 1));
            }
    }

    @Test
    void indexSelectAlongTheMiddleDim() {
        Tensor a = Tensor.arange(12, DType.FLOAT64).view(2, 3, 2);
        Tensor y = Ops.indexSelect(a, 1, IntTensor.of(1));
        assertShape(y, 2, 1, 2);
        assertExact(new double[]{2, 3, 8, 9}, y);
    }

    @Test
    void indexSelectPassesGradcheck() {
        GradCheck.assertGradients(in -> Ops.indexSelect(in[0], 0, IntTensor.of(1, 1, 0)), randn64(13, 3, 2));
        GradCheck.assertGradients(in -> Ops.indexSelect(in[0], 1, IntTensor.of(2, 0, 2)), randn64(14, 2, 3, 2));
        GradCheck.assertGradients(in -> Ops.indexSelect(in[0], -1, IntTensor.of(1)), randn64(15, 2, 2, 3));
    }

    @Test
    void indexSelectGradientAddsRepeatedSlices() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 3, 2).requiresGrad(true);
        Ops.indexSelect(a, 0, IntTensor.of(2, 2, 0)).backward(Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 3, 2));
        assertExact(new double[]{5, 6, 0, 0, 4, 6}, a.grad());
    }

    @Test
    void indexSelectRejectsOutOfRangeIndexBadDimAndNon1dIndex() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 3, 2);
        assertIllegalArgument(() -> Ops.indexSelect(a, 0, IntTensor.of(3)), "indexSelect", "index 3");
        assertIllegalArgument(() -> Ops.indexSelect(a, 1, IntTensor.of(-1)), "indexSelect", "index -1");
        assertIllegalArgument(() -> Ops.indexSelect(a, 2, IntTensor.of(0)), "indexSelect", "dim 2");
        assertIllegalArgument(() -> Ops.indexSelect(a, 0, IntTensor.of(new int[]{0, 1}, 1, 2)), "indexSelect", "1-D");
    }

    // ------------------------------------------------------------------ oneHot

    @ParameterizedTest
    @EnumSource(DType.class)
    void oneHotEncodesEachIndex(DType dtype) {
        Tensor y = Ops.oneHot(IntTensor.of(2, 0, 1), 4, dtype);
        assertShape(y, 3, 4);
        assertEquals(dtype, y.dtype());
        assertExact(new double[]{0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0}, y);
        assertFalse(y.requiresGrad());
    }

    @Test
    void oneHotOf2dIndexAddsATrailingClassDimension() {
        Tensor y = Ops.oneHot(IntTensor.of(new int[]{0, 1, 1, 0}, 2, 2), 2, DType.FLOAT64);
        assertShape(y, 2, 2, 2);
        assertExact(new double[]{1, 0, 0, 1, 0, 1, 1, 0}, y);
        assertShape(Ops.oneHot(IntTensor.scalar(1), 3, DType.FLOAT64), 3);
    }

    @Test
    void oneHotRejectsOutOfRangeIndex() {
        assertIllegalArgument(() -> Ops.oneHot(IntTensor.of(0, 3), 3, DType.FLOAT32), "oneHot", "index 3", "position 1");
        assertIllegalArgument(() -> Ops.oneHot(IntTensor.of(-1), 3, DType.FLOAT32), "oneHot", "index -1");
    }
}
