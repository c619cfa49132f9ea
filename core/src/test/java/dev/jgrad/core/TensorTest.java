package dev.jgrad.core;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {

    @Test
    void shapeIsViewedAsEjmlMatrixOfLeadingRowsAndLastColumns() {
        Tensor t = Tensor.zeros(DType.FLOAT64, 2, 3, 4);
        DMatrixRMaj m = t.dmatrix();
        assertEquals(6, m.numRows);
        assertEquals(4, m.numCols);
        t.set(5, 7.0);
        assertEquals(7.0, m.data[5]);
        assertEquals(7.0, t.at(0, 1, 1));
    }

    @Test
    void float32TensorsAreHeldInFMatrixRMaj() {
        Tensor t = Tensor.of(new float[]{1f, 2f, 3f}, 3);
        FMatrixRMaj m = t.fmatrix();
        assertEquals(1, m.numRows);
        assertEquals(3, m.numCols);
        assertEquals(DType.FLOAT32, t.dtype());
        assertThrows(IllegalStateException.class, t::dmatrix);
    }

    @Test
    void scalarIsOneByOne() {
        Tensor s = Tensor.scalar(2.5, DType.FLOAT64);
        assertEquals(0, s.rank());
        assertEquals(2.5, s.item());
        assertEquals(1, s.matrix().getNumRows());
    }

    @Test
    void float32StorageRoundsOnce() {
        Tensor t = Tensor.of(DType.FLOAT32, new double[]{0.1}, 1);
        assertEquals((double) 0.1f, t.get(0));
        assertNotEquals(0.1, t.get(0));
    }

    @Test
    void factoriesFillAndCopy() {
        assertArrayEquals(new double[]{0, 1, 2, 3}, Tensor.arange(4, DType.FLOAT64).toDoubleArray());
        assertArrayEquals(new double[]{3, 3}, Tensor.full(3, DType.FLOAT32, 2).toDoubleArray());
        double[] src = {1, 2};
        Tensor t = Tensor.of(src, 2);
        src[0] = 9;
        assertEquals(1.0, t.get(0), "of() copies its input");
        Tensor a = Tensor.randn(new SplittableRandom(3), DType.FLOAT64, 5);
        Tensor b = Tensor.randn(new SplittableRandom(3), DType.FLOAT64, 5);
        assertTrue(a.contentEquals(b), "same seed, same values");
        Tensor u = Tensor.rand(new SplittableRandom(1), -2, 2, DType.FLOAT32, 1000);
        for (double v : u.toDoubleArray()) assertTrue(v >= -2 && v < 2);
    }

    @Test
    void wrongSizesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[]{1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT64, 2, -1));
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.FLOAT64, 2).item());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT64, 6).view(4));
    }

    @Test
    void viewAndDetachShareData() {
        Tensor t = Tensor.arange(6, DType.FLOAT64);
        Tensor v = t.view(2, 3);
        v.set(4, 40);
        assertEquals(40, t.get(4));
        Tensor d = t.detach();
        assertFalse(d.requiresGrad());
        d.set(0, -1);
        assertEquals(-1, t.get(0));
    }

    @Test
    void toStringShowsValuesShapeAndDtypeAndSummarisesLargeTensors() {
        String s = Tensor.of(new double[]{1, 2, 3, 4}, 2, 2).toString();
        assertEquals("tensor([[1.0, 2.0],\n        [3.0, 4.0]], shape=[2, 2], dtype=float64)", s);
        String big = Tensor.zeros(DType.FLOAT32, 2000).toString();
        assertTrue(big.contains("..."), big);
        assertTrue(big.length() < 200, "summarised: " + big.length());
        assertTrue(Tensor.of(new double[]{Double.NaN, Double.NEGATIVE_INFINITY}).toString().contains("nan, -inf"));
    }

    @Test
    void dtypeConversionAndParse() {
        Tensor t = Tensor.of(new double[]{1.0 / 3}, 1).to(DType.FLOAT32);
        assertEquals((double) (float) (1.0 / 3), t.get(0));
        assertEquals(DType.FLOAT32, DType.parse("float"));
        assertEquals(DType.FLOAT64, DType.parse("float64"));
        assertThrows(IllegalArgumentException.class, () -> DType.parse("int8"));
        assertEquals(Math.pow(2, -23), DType.FLOAT32.eps());
    }

    @Test
    void intTensorChecksRange() {
        assertThrows(IllegalArgumentException.class, () -> IntTensor.ofLongs(new long[]{1L << 40}, 1));
        IntTensor t = IntTensor.of(new int[]{1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new int[]{2, 2}, t.shape());
        assertEquals(3, t.get(2));
    }

    @Test
    void zerosOfEveryRankShareOneArrayWithTheirMatrix() {
        for (int[] shape : new int[][]{{}, {0}, {5}, {2, 3}, {3, 0}, {0, 4}, {2, 3, 4}}) {
            Tensor f = Tensor.zeros(DType.FLOAT32, shape), d = Tensor.zeros(DType.FLOAT64, shape);
            assertSame(((Storage.F32) f.storage()).a, f.fmatrix().data);
            assertSame(((Storage.F64) d.storage()).a, d.dmatrix().data);
            assertEquals(Shape.numel(shape), f.fmatrix().data.length);
            assertArrayEquals(shape, d.shape());
        }
        int[] shape = {2, 3};
        Tensor t = Tensor.zeros(DType.FLOAT32, shape);
        shape[0] = 7;
        assertArrayEquals(new int[]{2, 3}, t.shape(), "the caller's array is copied");
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(null, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT32, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT32, 65536, 65536));
    }

    @Test
    void vectorAndMatrixOutOverloadsMatchTheVarargsOnes() {
        for (boolean inWorkspace : new boolean[]{false, true}) {
            try (Workspace ws = inWorkspace ? new Workspace().open() : null) {
                Tensor v = Function.out(DType.FLOAT64, 4), m = Function.outUninitialized(DType.FLOAT32, 2, 3);
                Tensor u = Function.outUninitialized(DType.FLOAT64, 3), z = Function.out(DType.FLOAT32, 3, 2);
                assertArrayEquals(new int[]{4}, v.shape());
                assertArrayEquals(new int[]{2, 3}, m.shape());
                assertArrayEquals(new int[]{3}, u.shape());
                assertEquals(2, m.fmatrix().numRows);
                assertEquals(3, m.fmatrix().numCols);
                assertEquals(1, u.dmatrix().numRows);
                assertArrayEquals(new double[4], v.toDoubleArray());
                assertArrayEquals(new float[6], z.toFloatArray());
                assertEquals(inWorkspace, v.isPooled());
                assertEquals(inWorkspace, m.isPooled());
                assertThrows(IllegalArgumentException.class, () -> Function.out(DType.FLOAT32, -1));
                assertThrows(IllegalArgumentException.class, () -> Function.outUninitialized(null, 1, 1));
            }
        }
    }
}
