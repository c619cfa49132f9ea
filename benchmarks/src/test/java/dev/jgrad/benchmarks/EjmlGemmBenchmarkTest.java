package dev.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Checks that each benchmark computes the GEMM it claims, with the dense layer's shapes. */
class EjmlGemmBenchmarkTest {

    @Test
    void parsesShape() {
        assertArrayEquals(new int[] {128, 784, 256}, EjmlGemmBenchmark.parseShape("128x784x256"));
        assertThrows(IllegalArgumentException.class, () -> EjmlGemmBenchmark.parseShape("128x784"));
        assertThrows(IllegalArgumentException.class, () -> EjmlGemmBenchmark.parseShape("1x0x3"));
        assertThrows(IllegalArgumentException.class, () -> EjmlGemmBenchmark.parseShape("axbxc"));
    }

    /** Naive {@code op(A)·op(B)} on row-major doubles. */
    private static double[][] naive(double[][] a, double[][] b, boolean transA, boolean transB) {
        int m = transA ? a[0].length : a.length;
        int k = transA ? a.length : a[0].length;
        int n = transB ? b.length : b[0].length;
        double[][] c = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (transA ? a[p][i] : a[i][p]) * (transB ? b[j][p] : b[p][j]);
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    private static double[][] rows(DMatrixRMaj m) {
        double[][] r = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                r[i][j] = m.get(i, j);
            }
        }
        return r;
    }

    private static double[][] rows(FMatrixRMaj m) {
        double[][] r = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                r[i][j] = m.get(i, j);
            }
        }
        return r;
    }

    private static void assertMatrix(double[][] expected, double[][] actual, double tol) {
        assertEquals(expected.length, actual.length, "rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], tol, "row " + i);
        }
    }

    @Test
    void float64ProductsMatchNaiveLoopsWithLayerShapes() {
        EjmlGemmBenchmark b = new EjmlGemmBenchmark();
        b.shape = "5x4x3"; // X [5,4], W [4,3], dY [5,3]
        b.setup();
        double[][] x = rows(b.xD);
        double[][] w = rows(b.wD);
        double[][] dy = rows(b.dyD);

        DMatrixRMaj y = b.multF64();
        assertEquals(5, y.numRows);
        assertEquals(3, y.numCols);
        assertMatrix(naive(x, w, false, false), rows(y), 1e-12);

        DMatrixRMaj dw = b.multTransAF64();
        assertEquals(4, dw.numRows);
        assertEquals(3, dw.numCols);
        assertMatrix(naive(x, dy, true, false), rows(dw), 1e-12);

        DMatrixRMaj dx = b.multTransBF64();
        assertEquals(5, dx.numRows);
        assertEquals(4, dx.numCols);
        assertMatrix(naive(dy, w, false, true), rows(dx), 1e-12);
    }

    @Test
    void float32ProductsMatchNaiveLoopsWithLayerShapes() {
        EjmlGemmBenchmark b = new EjmlGemmBenchmark();
        b.shape = "6x7x2";
        b.setup();
        double[][] x = rows(b.xF);
        double[][] w = rows(b.wF);
        double[][] dy = rows(b.dyF);
        assertMatrix(naive(x, w, false, false), rows(b.multF32()), 1e-5);
        assertMatrix(naive(x, dy, true, false), rows(b.multTransAF32()), 1e-5);
        assertMatrix(naive(dy, w, false, true), rows(b.multTransBF32()), 1e-5);
        assertEquals(7, b.multTransAF32().numRows);
        assertEquals(7, b.multTransBF32().numCols);
    }
}
