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
        SplittableRandom rng = new SplittableRandom(31);
        for (int threads : new int[]{1, 2}) {
            for (int m : M) {
                for (int k : K) {
                    for (int n : new int[]{m + 1, 65, 131, 256}) {
                        for (boolean acc : new boolean[]{false, true}) {
                            int aRow0 = m % 2, bRow0 = n % 3;
                            float[] a = SimdGemmTest.randomF(rng, (aRow0 + m) * k), b = SimdGemmTest.randomF(rng, (bRow0 + n) * k);
                            float[] c0 = SimdGemmTest.randomF(rng, m * n), swapped = c0.clone(), packed = c0.clone();
                            SimdGemm.F32.gemm(a, k, aRow0, false, b, k, bRow0, true, swapped, 0, m, n, k, acc, threads, true);
                            SimdGemm.F32.serial(a, k, aRow0, false, b, k, bRow0, false, packed, n, 0, k, 0, m, 0, n, acc);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    int o = i * n + j;
                                    String what = "f32 threads=" + threads + " m=" + m + " k=" + k + " n=" + n + " acc=" + acc + " (" + i + ", " + j + ")";
                                    if (!acc) {
                                        assertEquals(Float.floatToRawIntBits(packed[o]), Float.floatToRawIntBits(swapped[o]), what);
                                        continue;
                                    }
                                    double mag = Math.abs(c0[o]);
                                    for (int p = 0; p < k; p++) mag += Math.abs((double) a[(aRow0 + i) * k + p] * b[(bRow0 + j) * k + p]);
                                    if (!(Math.abs(swapped[o] - packed[o]) <= 4 * 0x1p-24 * mag)) {
                                        fail(what + ": " + swapped[o] + " vs " + packed[o]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void float64EqualsThePackedProduct() {
        SplittableRandom rng = new SplittableRandom(37);
        for (int threads : new int[]{1, 2}) {
            for (int m : M) {
                for (int k : K) {
                    for (int n : new int[]{m + 1, 65, 131, 256}) {
                        for (boolean acc : new boolean[]{false, true}) {
                            int aRow0 = 1, bRow0 = n % 2;
                            double[] a = SimdGemmTest.randomD(rng, (aRow0 + m) * k), b = SimdGemmTest.randomD(rng, (bRow0 + n) * k);
                            double[] c0 = SimdGemmTest.randomD(rng, m * n), swapped = c0.clone(), packed = c0.clone();
                            SimdGemm.F64.gemm(a, k, aRow0, false, b, k, bRow0, true, swapped, 0, m, n, k, acc, threads, true);
                            SimdGemm.F64.serial(a, k, aRow0, false, b, k, bRow0, false, packed, n, 0, k, 0, m, 0, n, acc);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    int o = i * n + j;
                                    String what = "f64 threads=" + threads + " m=" + m + " k=" + k + " n=" + n + " acc=" + acc + " (" + i + ", " + j + ")";
                                    if (!acc) {
                                        assertEquals(Double.doubleToRawLongBits(packed[o]), Double.doubleToRawLongBits(swapped[o]), what);
                                        continue;
                                    }
                                    double mag = Math.abs(c0[o]);
                                    for (int p = 0; p < k; p++) mag += Math.abs(a[(aRow0 + i) * k + p] * b[(bRow0 + j) * k + p]);
                                    if (!(Math.abs(swapped[o] - packed[o]) <= 4 * 0x1p-53 * mag)) {
                                        fail(what + ": " + swapped[o] + " vs " + packed[o]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
