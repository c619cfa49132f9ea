package dev.jgrad.core.kernel;

import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The SIMD GEMM against a double-precision reference and against EJML, for every mode and awkward shapes. */
class SimdGemmTest {
    private static final int[] ODD = {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 127};

    /** (m, k, n) triples: every awkward size in each position, plus layer-like shapes. */
    static List<int[]> shapes() {
        List<int[]> s = new ArrayList<>();
        for (int v : ODD) {
            s.add(new int[]{v, 33, 17});
            s.add(new int[]{17, v, 33});
            s.add(new int[]{33, 17, v});
            s.add(new int[]{v, v, v});
        }
        s.add(new int[]{128, 784, 256});
        s.add(new int[]{129, 785, 257});
        s.add(new int[]{128, 256, 10});
        s.add(new int[]{128, 128, 10}); // narrow C: computed transposed
        s.add(new int[]{64, 9, 15});
        s.add(new int[]{3, 784, 129});
        s.add(new int[]{200, 400, 1});
        s.add(new int[]{1, 1000, 300});
        s.add(new int[]{40, 1000, 40}); // several depth blocks
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 12; i++) s.add(new int[]{1 + r.nextInt(90), 1 + r.nextInt(600), 1 + r.nextInt(90)});
        return s;
    }

    static float[] randomF(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    static double[] randomD(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble() * 2 - 1;
        return a;
    }

    /** op(X)[i][j] of a row-major rows×cols array. */
    static double at(double[] x, int cols, boolean trans, int i, int j) {
        return trans ? x[j * cols + i] : x[i * cols + j];
    }

    static double[] widen(float[] f, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = f[i];
        return d;
    }

    /** Checks c == c0 + op(a)·op(b) (or without c0) elementwise within tol·Σ|a·b| (+ tiny), in double. */
    static void check(String what, double[] a, int aCols, boolean tA, double[] b, int bCols, boolean tB,
                      double[] c0, double[] c, int m, int k, int n, boolean acc, double tol) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double t = at(a, aCols, tA, i, p) * at(b, bCols, tB, p, j);
                    s += t;
                    mag += Math.abs(t);
                }
                if (acc) {
                    s += c0[i * n + j];
                    mag += Math.abs(c0[i * n + j]);
                }
                double got = c[i * n + j];
                if (!(Math.abs(got - s) <= tol * mag + 1e-30)) {
                    fail(what + ": C[" + i + "," + j + "] = " + got + ", expected " + s + " (tol " + tol * mag + ")");
                }
            }
        }
    }

    interface Gemm {
        void run(Matrix a, boolean tA, Matrix b, boolean tB, Matrix c, boolean acc);
    }

    private void runAllF32(String name, Gemm g) {
        SplittableRandom r = new SplittableRandom(1);
        for (int[] sh : shapes()) {
            int m = sh[0], k = sh[1], n = sh[2];
            for (int mode = 0; mode < 8; mode++) {
                boolean tA = (mode & 2) != 0, tB = (mode & 1) != 0, acc = (mode & 4) != 0;
                FMatrixRMaj A = tA ? new FMatrixRMaj(k, m) : new FMatrixRMaj(m, k);
                FMatrixRMaj B = tB ? new FMatrixRMaj(n, k) : new FMatrixRMaj(k, n);
                A.data = randomF(r, m * k);
                B.data = randomF(r, k * n);
                FMatrixRMaj C = new FMatrixRMaj(m, n);
                C.data = randomF(r, m * n);
                double[] c0 = widen(C.data, m * n);
                g.run(A, tA, B, tB, C, acc);
                String what = name + " f32 " + m + "x" + k + "x" + n + " tA=" + tA + " tB=" + tB + " acc=" + acc;
                check(what, widen(A.data, m * k), A.numCols, tA, widen(B.data, k * n), B.numCols, tB, c0,
                        widen(C.data, m * n), m, k, n, acc, 4e-7 * Math.sqrt(k + 1) + 3e-7);
            }
        }
    }

    private void runAllF64(String name, Gemm g) {
        SplittableRandom r = new SplittableRandom(2);
        for (int[] sh : shapes()) {
            int m = sh[0], k = sh[1], n = sh[2];
            for (int mode = 0; mode < 8; mode++) {
                boolean tA = (mode & 2) != 0, tB = (mode & 1) != 0, acc = (mode & 4) != 0;
                DMatrixRMaj A = tA ? new DMatrixRMaj(k, m) : new DMatrixRMaj(m, k);
                DMatrixRMaj B = tB ? new DMatrixRMaj(n, k) : new DMatrixRMaj(k, n);
                A.data = randomD(r, m * k);
                B.data = randomD(r, k * n);
                DMatrixRMaj C = new DMatrixRMaj(m, n);
                C.data = randomD(r, m * n);
                double[] c0 = C.data.clone();
                g.run(A, tA, B, tB, C, acc);
                String what = name + " f64 " + m + "x" + k + "x" + n + " tA=" + tA + " tB=" + tB + " acc=" + acc;
                check(what, A.data, A.numCols, tA, B.data, B.numCols, tB, c0, C.data, m, k, n, acc, 1e-14 * Math.sqrt(k + 1));
            }
        }
    }

    @Test
    void kernelSingleThreadF32() {
        runAllF32("kernel/1", (a, tA, b, tB, c, acc) -> SimdGemm.F32.gemm(a, tA, b, tB, c, acc, 1));
    }

    @Test
    void kernelTwoThreadsF32() {
        runAllF32("kernel/2", (a, tA, b, tB, c, acc) -> SimdGemm.F32.gemm(a, tA, b, tB, c, acc, 2));
    }

    @Test
    void kernelSingleThreadF64() {
        runAllF64("kernel/1", (a, tA, b, tB, c, acc) -> SimdGemm.F64.gemm(a, tA, b, tB, c, acc, 1));
    }

    @Test
    void kernelTwoThreadsF64() {
        runAllF64("kernel/2", (a, tA, b, tB, c, acc) -> SimdGemm.F64.gemm(a, tA, b, tB, c, acc, 2));
    }

    @Test
    void backendF32AndF64() {
        SimdKernels simd = new SimdKernels();
        runAllF32("backend", simd::gemm);
        runAllF64("backend", simd::gemm);
    }

    @Test
    void closeToEjml() {
        SimdKernels simd = new SimdKernels();
        ScalarKernels ejml = new ScalarKernels();
        SplittableRandom r = new SplittableRandom(3);
        for (int[] sh : new int[][]{{128, 784, 256}, {33, 127, 17}, {16, 16, 16}, {5, 3, 2}}) {
            int m = sh[0], k = sh[1], n = sh[2];
            for (int mode = 0; mode < 8; mode++) {
                boolean tA = (mode & 2) != 0, tB = (mode & 1) != 0, acc = (mode & 4) != 0;
                FMatrixRMaj A = tA ? new FMatrixRMaj(k, m) : new FMatrixRMaj(m, k);
                FMatrixRMaj B = tB ? new FMatrixRMaj(n, k) : new FMatrixRMaj(k, n);
                A.data = randomF(r, m * k);
                B.data = randomF(r, k * n);
                FMatrixRMaj C1 = new FMatrixRMaj(m, n);
                C1.data = randomF(r, m * n);
                FMatrixRMaj C2 = C1.copy();
                simd.gemm(A, tA, B, tB, C1, acc);
                ejml.gemm(A, tA, B, tB, C2, acc);
                for (int i = 0; i < m * n; i++) {
                    assertEquals(C2.data[i], C1.data[i], 2e-5 * Math.sqrt(k), "mode " + mode + " at " + i);
                }
            }
        }
    }

    @Test
    void threadCountDoesNotChangeResults() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] sh : new int[][]{{128, 784, 256}, {300, 70, 40}, {40, 70, 300}, {9, 500, 1000}}) {
            int m = sh[0], k = sh[1], n = sh[2];
            FMatrixRMaj A = new FMatrixRMaj(m, k), B = new FMatrixRMaj(k, n);
            A.data = randomF(r, m * k);
            B.data = randomF(r, k * n);
            FMatrixRMaj C1 = new FMatrixRMaj(m, n), C2 = new FMatrixRMaj(m, n);
            SimdGemm.F32.gemm(A, false, B, false, C1, false, 1);
            SimdGemm.F32.gemm(A, false, B, false, C2, false, 2);
            assertArrayEquals(C1.data, C2.data);
        }
    }

    @Test
    void oversizedBackingArraysAndZeroDepth() {
        SimdKernels simd = new SimdKernels();
        SplittableRandom r = new SplittableRandom(5);
        // EJML keeps a longer array after reshaping smaller: only rows*cols elements are the matrix
        FMatrixRMaj A = new FMatrixRMaj(50, 50), B = new FMatrixRMaj(50, 50), C = new FMatrixRMaj(50, 50);
        A.data = randomF(r, 2500);
        B.data = randomF(r, 2500);
        A.reshape(20, 30);
        B.reshape(30, 25);
        C.reshape(20, 25);
        java.util.Arrays.fill(C.data, 7f);
        simd.gemm(A, false, B, false, C, false);
        check("oversized", widen(A.data, 600), 30, false, widen(B.data, 750), 25, false, null,
                widen(C.data, 500), 20, 30, 25, false, 1e-6);
        for (int i = 500; i < 2500; i++) assertEquals(7f, C.data[i], "untouched beyond rows*cols");

        FMatrixRMaj A0 = new FMatrixRMaj(20, 0), B0 = new FMatrixRMaj(0, 30), C0 = new FMatrixRMaj(20, 30);
        java.util.Arrays.fill(C0.data, 3f);
        SimdGemm.F32.gemm(A0, false, B0, false, C0, true, 1);
        assertEquals(3f, C0.data[17]);
        SimdGemm.F32.gemm(A0, false, B0, false, C0, false, 1);
        for (float v : C0.data) assertEquals(0f, v);
    }

    @Test
    void specialValuesPropagateLikeIeee() {
        SplittableRandom r = new SplittableRandom(6);
        int m = 19, k = 40, n = 37;
        FMatrixRMaj A = new FMatrixRMaj(m, k), B = new FMatrixRMaj(k, n), C = new FMatrixRMaj(m, n);
        A.data = randomF(r, m * k);
        B.data = randomF(r, k * n);
        A.set(3, 5, Float.NaN);
        A.set(7, 9, Float.POSITIVE_INFINITY);
        B.set(11, 30, Float.NEGATIVE_INFINITY);
        SimdGemm.F32.gemm(A, false, B, false, C, false, 1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) A.get(i, p) * B.get(p, j);
                float got = C.get(i, j);
                if (Double.isNaN(s) || Double.isInfinite(s)) assertEquals((float) s, got, "C[" + i + "," + j + "]");
                else assertTrue(Float.isFinite(got), "C[" + i + "," + j + "]");
            }
        }
        assertTrue(Float.isNaN(C.get(3, 0)));
        assertEquals(Float.POSITIVE_INFINITY, Math.abs(C.get(7, 1)));
    }

    @Test
    void dimensionChecks() {
        SimdKernels simd = new SimdKernels();
        FMatrixRMaj A = new FMatrixRMaj(20, 30), B = new FMatrixRMaj(31, 20), C = new FMatrixRMaj(20, 20);
        assertThrows(MatrixDimensionException.class, () -> simd.gemm(A, false, B, false, C, false));
        FMatrixRMaj Sq = new FMatrixRMaj(30, 30);
        assertThrows(IllegalArgumentException.class, () -> simd.gemm(Sq, false, Sq, false, Sq, false));
    }
}
