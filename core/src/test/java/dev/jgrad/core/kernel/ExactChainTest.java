package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bits {@link SimdGemm} defines, against an exact scalar emulation: every element of a packed product is, per depth
 * block of {@code balanced(k, kc, 1)}, a chain of FMAs over the depth in order starting from zero, the blocks' sums added
 * to C one after another (the first block overwriting C unless accumulating). This holds for every micro-kernel (the
 * full {@code 4 × 2}-vector one, the half-width {@code 8 × 1}-vector one of a last panel of at most one vector, edge
 * tiles), every transpose mode, one and two threads, and for the transposed products {@code Cᵀ = B·Aᵀ} (a short A,
 * including the taller A of {@link SimdGemm#swapped} up to half of B's rows; a narrow C), which add the old C once at
 * the end instead. The dot-product path (at most {@link SimdGemm#DOT_ROWS} rows on one thread) has its own order and
 * is checked against an exact reference within its bound.
 */
class ExactChainTest {
    /** Rows and columns around the panel widths (16/32 floats, 8/16 doubles), the strip height and the swap limits. */
    private static final int[] MN = {1, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 47, 48, 49, 63, 64, 65, 80, 96, 127,
            128, 129};
    private static final int[] K = {1, 5, 785};

    @Test
    void xTimesWTransposedHasTheBitsOfTheFmaChains() {
        SplittableRandom rng = new SplittableRandom(19);
        for (boolean f64 : new boolean[]{false, true}) {
            int nr = f64 ? SimdGemm.F64.nr : SimdGemm.F32.nr;
            for (int threads : new int[]{1, 2}) {
                for (int m : MN) {
                    for (int k : K) {
                        // n: past twice the rows (the taller swapped product), just above m, a narrow C, a half panel
                        for (int n : new int[]{2 * m, 2 * m - 1, m + 1, 10, 256, nr + nr / 2}) {
                            for (boolean acc : new boolean[]{false, true}) {
                                check(f64, false, true, m, n, k, acc, threads, rng);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyTransposeModeHasTheBitsOfTheFmaChains() {
        SplittableRandom rng = new SplittableRandom(23);
        int[] mn = {1, 7, 8, 9, 16, 17, 33, 40, 64, 65, 72};
        for (boolean f64 : new boolean[]{false, true}) {
            for (int threads : new int[]{1, 2}) {
                for (boolean tA : new boolean[]{false, true}) {
                    for (boolean tB : new boolean[]{false, true}) {
                        for (int m : mn) {
                            for (int n : mn) {
                                for (int k : new int[]{1, 13, 400}) {
                                    for (boolean acc : new boolean[]{false, true}) check(f64, tA, tB, m, n, k, acc, threads, rng);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theWideSwappedProductEqualsThePackedOneBitForBit() {
        // the taller swapped product (65..n/2 rows) against the ordinary packed product, same inputs: same bits
        SplittableRandom rng = new SplittableRandom(29);
        for (boolean f64 : new boolean[]{false, true}) {
            for (int threads : new int[]{1, 2}) {
                for (int m : new int[]{65, 80, 81, 96, 113, 128}) {
                    int n = 256 * threads, k = 784;
                    assertTrue(SimdGemm.swapped(m, n, false, threads) && !SimdGemm.swapped(m, n, true, threads), "m=" + m);
                    double[] a = random(rng, m * k, f64), b = random(rng, n * k, f64);
                    double[] swapped = run(f64, a, false, b, true, new double[m * n], m, n, k, false, threads, true);
                    double[] packed = run(f64, a, false, b, true, new double[m * n], m, n, k, false, threads, false);
                    // accumulating, the product keeps the packed product's bits (the old C added at the first depth block)
                    double[] c0 = random(rng, m * n, f64);
                    double[] accNarrow = run(f64, a, false, b, true, c0.clone(), m, n, k, true, threads, true);
                    double[] accPacked = run(f64, a, false, b, true, c0.clone(), m, n, k, true, threads, false);
                    for (int o = 0; o < m * n; o++) {
                        assertEquals(Double.doubleToRawLongBits(packed[o]), Double.doubleToRawLongBits(swapped[o]),
                                (f64 ? "f64" : "f32") + " threads=" + threads + " m=" + m + " element " + o);
                        assertEquals(Double.doubleToRawLongBits(accPacked[o]), Double.doubleToRawLongBits(accNarrow[o]),
                                (f64 ? "f64" : "f32") + " accumulating, threads=" + threads + " m=" + m + " element " + o);
                    }
                }
            }
        }
    }

    @Test
    void theSwapRule() {
        for (int threads : new int[]{1, 2}) {
            assertTrue(SimdGemm.swapped(17, 256, true, threads));
            assertTrue(SimdGemm.swapped(64, 65, true, threads));
            assertTrue(!SimdGemm.swapped(64, 64, false, threads));
            assertTrue(!SimdGemm.swapped(128, 256, true, threads));
            assertTrue(!SimdGemm.swapped(129, 256, false, threads));
            assertTrue(!SimdGemm.swapped(65, 128, false, threads));
        }
        assertTrue(SimdGemm.swapped(128, 256, false, 1));
        assertTrue(!SimdGemm.swapped(128, 256, false, 2));
        assertTrue(SimdGemm.swapped(128, 512, false, 2));
    }

    private static void check(boolean f64, boolean tA, boolean tB, int m, int n, int k, boolean acc, int threads,
                              SplittableRandom rng) {
        double[] a = random(rng, m * k, f64), b = random(rng, k * n, f64), c0 = random(rng, m * n, f64);
        double[] got = run(f64, a, tA, b, tB, c0.clone(), m, n, k, acc, threads, true);
        SimdGemm<?> g = f64 ? SimdGemm.F64 : SimdGemm.F32;
        boolean dots = m <= SimdGemm.DOT_ROWS && !tA && tB && threads == 1;
        boolean endAdd = !tA && tB && SimdGemm.swapped(m, n, acc, threads) || n < g.nr && m >= 2 * g.nr && threads == 1;
        int kc = SimdGemm.balanced(k, g.kc, 1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int o = i * n + j;
                String what = (f64 ? "f64" : "f32") + " tA=" + tA + " tB=" + tB + " threads=" + threads + " m=" + m
                        + " n=" + n + " k=" + k + " acc=" + acc + " (" + i + ", " + j + ")";
                if (dots) {
                    double exact = acc ? c0[o] : 0, mag = Math.abs(exact);
                    for (int p = 0; p < k; p++) {
                        double prod = SimdGemmTest.at(a, k, false, i, p) * SimdGemmTest.at(b, k, true, p, j);
                        exact += prod;
                        mag += Math.abs(prod);
                    }
                    double u = f64 ? 0x1p-53 : 0x1p-24;
                    if (!(Math.abs(got[o] - exact) <= 2 * (k / 8.0 + 6) * u * mag + 1e-300)) fail(what + ": " + got[o] + " vs " + exact);
                    continue;
                }
                double want = f64 ? chain64(a, tA, b, tB, c0[o], i, j, m, n, k, kc, acc, endAdd)
                        : chain32(a, tA, b, tB, (float) c0[o], i, j, m, n, k, kc, acc, endAdd);
                if (Double.doubleToRawLongBits(want) != Double.doubleToRawLongBits(got[o])) fail(what + ": " + got[o] + " vs " + want);
            }
        }
    }

    private static double chain64(double[] a, boolean tA, double[] b, boolean tB, double c0, int i, int j, int m, int n,
                                  int k, int kc, boolean acc, boolean endAdd) {
        double c = 0;
        for (int pc = 0; pc < k; pc += kc) {
            double s = 0;
            for (int p = pc; p < Math.min(k, pc + kc); p++) s = Math.fma(SimdGemmTest.at(a, tA ? m : k, tA, i, p), SimdGemmTest.at(b, tB ? k : n, tB, p, j), s);
            if (pc == 0) c = acc && !endAdd ? c0 + s : s;
            else c = c + s;
        }
        return acc && endAdd ? c0 + c : c;
    }

    private static double chain32(double[] a, boolean tA, double[] b, boolean tB, float c0, int i, int j, int m, int n,
                                  int k, int kc, boolean acc, boolean endAdd) {
        float c = 0;
        for (int pc = 0; pc < k; pc += kc) {
            float s = 0;
            for (int p = pc; p < Math.min(k, pc + kc); p++) {
                s = Math.fma((float) SimdGemmTest.at(a, tA ? m : k, tA, i, p), (float) SimdGemmTest.at(b, tB ? k : n, tB, p, j), s);
            }
            if (pc == 0) c = acc && !endAdd ? c0 + s : s;
            else c = c + s;
        }
        return acc && endAdd ? c0 + c : c;
    }

    /**
     * {@code C (+)= op(A)·op(B)} through {@link SimdGemm#gemm} on row-major arrays (A is {@code m × k}, or {@code k × m}
     * when transposed; B {@code k × n}, or {@code n × k}); {@code narrow = false} forbids the transposed products.
     */
    private static double[] run(boolean f64, double[] a, boolean tA, double[] b, boolean tB, double[] c, int m, int n,
                                int k, boolean acc, int threads, boolean narrow) {
        int lda = tA ? m : k, ldb = tB ? k : n;
        if (f64) {
            SimdGemm.F64.gemm(a, lda, 0, tA, b, ldb, 0, tB, c, 0, m, n, k, acc, threads, narrow);
            return c;
        }
        float[] af = toFloat(a), bf = toFloat(b), cf = toFloat(c);
        SimdGemm.F32.gemm(af, lda, 0, tA, bf, ldb, 0, tB, cf, 0, m, n, k, acc, threads, narrow);
        double[] r = new double[cf.length];
        for (int i = 0; i < cf.length; i++) r[i] = cf[i];
        return r;
    }

    /** Random values, exactly representable in float32 unless {@code f64}. */
    private static double[] random(SplittableRandom rng, int n, boolean f64) {
        double[] d = SimdGemmTest.randomD(rng, n);
        if (!f64) for (int i = 0; i < n; i++) d[i] = (float) d[i];
        return d;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
