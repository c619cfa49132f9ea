package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The transposed path of {@link SimdGemm} for {@code A·Bᵀ} with a short A ({@link SimdGemm#DOT_ROWS} {@code < M ≤}
 * {@link SimdGemm#SWAP_ROWS}, {@code M < N}: computed as {@code Cᵀ = B·Aᵀ}, packing A instead of B) against the packed
 * product computed the ordinary way ({@link SimdGemm#serial}): each element is the same chain of FMAs over the depth
 * (the same depth blocks, {@code a·b} and {@code b·a} being the same product), so without accumulation the results are
 * bit for bit equal, on one thread and split over two; with accumulation into C, the old C is added once at the end
 * instead of at the first depth block, so they agree within {@code 4u·(|c| + Σ|a·b|)}.
 */
class SwappedProductTest {
    private static final int[] M = {17, 18, 31, 32, 33, 47, 63, 64};
    private static final int[] K = {1, 7, 33, 392, 784, 785};

    @Test
    void float32EqualsThePackedProduct() {
        check(false, new SplittableRandom(31));
    }

    @Test
    void float64EqualsThePackedProduct() {
        check(true, new SplittableRandom(37));
    }

    private static void check(boolean f64, SplittableRandom rng) {
        double u = f64 ? 0x1p-53 : 0x1p-24;
        for (int threads : new int[]{1, 2}) {
            for (int m : M) {
                for (int k : K) {
                    for (int n : new int[]{m + 1, 65, 131, 256}) {
                        for (boolean acc : new boolean[]{false, true}) {
                            int aRow0 = m % 2, bRow0 = n % 3;
                            double[] a = random(rng, (aRow0 + m) * k, f64), b = random(rng, (bRow0 + n) * k, f64), c0 = random(rng, m * n, f64);
                            double[] swapped = product(f64, true, a, aRow0, b, bRow0, c0, m, n, k, acc, threads);
                            double[] packed = product(f64, false, a, aRow0, b, bRow0, c0, m, n, k, acc, threads);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    int o = i * n + j;
                                    String what = (f64 ? "f64" : "f32") + " threads=" + threads + " m=" + m + " k=" + k + " n=" + n
                                            + " acc=" + acc + " (" + i + ", " + j + ")";
                                    if (!acc) {
                                        assertEquals(Double.doubleToRawLongBits(packed[o]), Double.doubleToRawLongBits(swapped[o]), what);
                                        continue;
                                    }
                                    double mag = Math.abs(c0[o]);
                                    for (int p = 0; p < k; p++) mag += Math.abs(a[(aRow0 + i) * k + p] * b[(bRow0 + j) * k + p]);
                                    if (!(Math.abs(swapped[o] - packed[o]) <= 4 * u * mag)) fail(what + ": " + swapped[o] + " vs " + packed[o]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Random values, exactly representable in float32 unless {@code f64}. */
    private static double[] random(SplittableRandom rng, int n, boolean f64) {
        double[] d = SimdGemmTest.randomD(rng, n);
        if (!f64) for (int i = 0; i < n; i++) d[i] = (float) d[i];
        return d;
    }

    /**
     * {@code C (+)= A·Bᵀ} in the given precision: through {@link SimdGemm#gemm} (which takes the transposed path for
     * these shapes) when {@code swapped}, else the packed product {@link SimdGemm#serial}; the result widened to double.
     */
    private static double[] product(boolean f64, boolean swapped, double[] a, int aRow0, double[] b, int bRow0, double[] c0,
                                    int m, int n, int k, boolean acc, int threads) {
        if (f64) {
            double[] c = c0.clone();
            if (swapped) SimdGemm.F64.gemm(a, k, aRow0, false, b, k, bRow0, true, c, 0, m, n, k, acc, threads, true);
            else SimdGemm.F64.serial(a, k, aRow0, false, b, k, bRow0, false, c, n, 0, k, 0, m, 0, n, acc);
            return c;
        }
        float[] af = toFloat(a), bf = toFloat(b), c = toFloat(c0);
        if (swapped) SimdGemm.F32.gemm(af, k, aRow0, false, bf, k, bRow0, true, c, 0, m, n, k, acc, threads, true);
        else SimdGemm.F32.serial(af, k, aRow0, false, bf, k, bRow0, false, c, n, 0, k, 0, m, 0, n, acc);
        double[] r = new double[c.length];
        for (int i = 0; i < c.length; i++) r[i] = c[i];
        return r;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
