package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The unpacked dot-product path of {@link SimdGemm} ({@code A·Bᵀ} with at most {@link SimdGemm#DOT_ROWS} rows of A)
 * against the packed GEMM path ({@link SimdGemm#serial}) in both precisions: within the documented dot-product bound
 * {@code 2·(k/VL + log2 VL + 1)·u·Σ|a·b|}, for every short M, odd sizes, accumulation and row offsets; and each row's
 * result independent of how many rows are computed with it.
 */
class GemvPathTest {
    private static final int[] K = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 392, 784, 785};
    private static final int[] N = {1, 2, 3, 4, 5, 7, 9, 10, 17, 128, 131};

    @Test
    void float32MatchesGemmWithinDotBound() {
        SplittableRandom rng = new SplittableRandom(19);
        int vl = SimdGemm.F32.nr / 2;
        for (int m = 1; m <= SimdGemm.DOT_ROWS; m++) {
            for (int k : K) {
                for (int n : N) {
                    for (boolean acc : new boolean[]{false, true}) {
                        int aRow0 = m % 2, bRow0 = n % 3, cRow0 = 1;
                        float[] a = SimdGemmTest.randomF(rng, (aRow0 + m) * k), b = SimdGemmTest.randomF(rng, (bRow0 + n) * k);
                        float[] c0 = SimdGemmTest.randomF(rng, (cRow0 + m) * n), dot = c0.clone(), gemm = c0.clone();
                        SimdGemm.F32.dots(a, k, aRow0, b, k, bRow0, dot, cRow0, m, n, k, acc);
                        SimdGemm.F32.serial(a, k, aRow0, false, b, k, bRow0, false, gemm, n, cRow0, k, 0, m, 0, n, acc);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double mag = acc ? Math.abs(c0[(cRow0 + i) * n + j]) : 0;
                                for (int p = 0; p < k; p++) mag += Math.abs((double) a[(aRow0 + i) * k + p] * b[(bRow0 + j) * k + p]);
                                double bound = bound(k, vl, 0x1p-24) * mag;
                                int o = (cRow0 + i) * n + j;
                                if (!(Math.abs(dot[o] - gemm[o]) <= bound)) fail("f32 m=" + m + " k=" + k + " n=" + n
                                        + " acc=" + acc + " (" + o + "): " + dot[o] + " vs " + gemm[o] + ", bound " + bound);
                            }
                        }
                        for (int o = 0; o < cRow0 * n; o++) assertEquals(c0[o], dot[o], "rows before C untouched");
                    }
                }
            }
        }
    }

    @Test
    void float64MatchesGemmWithinDotBound() {
        SplittableRandom rng = new SplittableRandom(23);
        int vl = SimdGemm.F64.nr / 2;
        for (int m = 1; m <= SimdGemm.DOT_ROWS; m++) {
            for (int k : K) {
                for (int n : N) {
                    for (boolean acc : new boolean[]{false, true}) {
                        int aRow0 = 1, bRow0 = n % 2, cRow0 = m % 2;
                        double[] a = SimdGemmTest.randomD(rng, (aRow0 + m) * k), b = SimdGemmTest.randomD(rng, (bRow0 + n) * k);
                        double[] c0 = SimdGemmTest.randomD(rng, (cRow0 + m) * n), dot = c0.clone(), gemm = c0.clone();
                        SimdGemm.F64.dots(a, k, aRow0, b, k, bRow0, dot, cRow0, m, n, k, acc);
                        SimdGemm.F64.serial(a, k, aRow0, false, b, k, bRow0, false, gemm, n, cRow0, k, 0, m, 0, n, acc);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double mag = acc ? Math.abs(c0[(cRow0 + i) * n + j]) : 0;
                                for (int p = 0; p < k; p++) mag += Math.abs(a[(aRow0 + i) * k + p] * b[(bRow0 + j) * k + p]);
                                double bound = bound(k, vl, 0x1p-53) * mag;
                                int o = (cRow0 + i) * n + j;
                                if (!(Math.abs(dot[o] - gemm[o]) <= bound)) fail("f64 m=" + m + " k=" + k + " n=" + n
                                        + " acc=" + acc + " (" + o + "): " + dot[o] + " vs " + gemm[o] + ", bound " + bound);
                            }
                        }
                        for (int o = 0; o < cRow0 * n; o++) assertEquals(c0[o], dot[o], "rows before C untouched");
                    }
                }
            }
        }
    }

    /** A row gives the same bits alone as in a block of up to four rows (the two-row and one-row kernels agree). */
    @Test
    void rowResultDoesNotDependOnM() {
        SplittableRandom rng = new SplittableRandom(5);
        int k = 785, n = 131;
        float[] a = SimdGemmTest.randomF(rng, 4 * k), b = SimdGemmTest.randomF(rng, n * k);
        double[] ad = SimdGemmTest.randomD(rng, 4 * k), bd = SimdGemmTest.randomD(rng, n * k);
        float[] all = new float[4 * n];
        double[] allD = new double[4 * n];
        SimdGemm.F32.dots(a, k, 0, b, k, 0, all, 0, 4, n, k, false);
        SimdGemm.F64.dots(ad, k, 0, bd, k, 0, allD, 0, 4, n, k, false);
        for (int r = 0; r < 4; r++) {
            float[] one = new float[n];
            double[] oneD = new double[n];
            SimdGemm.F32.dots(a, k, r, b, k, 0, one, 0, 1, n, k, false);
            SimdGemm.F64.dots(ad, k, r, bd, k, 0, oneD, 0, 1, n, k, false);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, r * n, r * n + n), one, "f32 row " + r);
            assertArrayEquals(java.util.Arrays.copyOfRange(allD, r * n, r * n + n), oneD, "f64 row " + r);
        }
    }

    /** {@code Kernels.gemm} routes x·Wᵀ with few rows to the dot path (the same bits as calling it directly). */
    @Test
    void backendRoutesShortTransposedProductsToDots() {
        SplittableRandom rng = new SplittableRandom(3);
        int m = 3, k = 784, n = 256;
        float[] a = SimdGemmTest.randomF(rng, m * k), b = SimdGemmTest.randomF(rng, n * k);
        float[] viaBackend = new float[m * n], direct = new float[m * n];
        new SimdKernels(1).gemm(new org.ejml.data.FMatrixRMaj(m, k, true, a), false, new org.ejml.data.FMatrixRMaj(n, k, true, b), true,
                org.ejml.data.FMatrixRMaj.wrap(m, n, viaBackend), false);
        SimdGemm.F32.dots(a, k, 0, b, k, 0, direct, 0, m, n, k, false);
        assertArrayEquals(direct, viaBackend);
    }

    /** The documented bound factor {@code 2·(k/VL + log2 VL + 1)·u}. */
    static double bound(int k, int vl, double u) {
        return 2.0 * (k / vl + Integer.numberOfTrailingZeros(vl) + 1) * u;
    }
}
