package dev.jgrad.core.kernel;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The block form of the GEMM seam ({@link Kernels#gemm(Storage, int, boolean, Storage, int, boolean, Storage, int, int,
 * int, int, boolean)}): a product of matrices that are slices of larger storages, read and written in place, on every
 * backend, in every transpose and accumulate mode; the rest of C is untouched.
 */
class GemmBlockTest {

    /** {m, k, n}: tiny (scalar fallback), edge tiles, several depth blocks (k > 384), a narrow C with a tall M. */
    private static final int[][] SHAPES = {{3, 5, 7}, {17, 33, 9}, {64, 32, 64}, {70, 20, 5}, {37, 400, 70}, {130, 64, 150}};

    private static List<KernelBackend> backends() {
        return List.of(new ScalarKernels(), new SimdKernels(1), new SimdKernels(2));
    }

    private static Storage random(DType dtype, int n, SplittableRandom r) {
        Storage s = Storage.allocate(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, r.nextDouble(-1, 1));
        return s;
    }

    @Test
    void blocksInsideLargerStoragesMatchAPlainProductAndLeaveTheRestAlone() {
        SplittableRandom r = new SplittableRandom(42);
        for (KernelBackend backend : backends()) {
            for (DType dtype : DType.values()) {
                double tol = dtype == DType.FLOAT32 ? 1e-4 : 1e-12;
                for (int[] s : SHAPES) {
                    int m = s[0], k = s[1], n = s[2];
                    for (int mode = 0; mode < 8; mode++) {
                        boolean ta = (mode & 1) != 0, tb = (mode & 2) != 0, acc = (mode & 4) != 0;
                        // three slices each; the product reads A's slice 1 and B's slice 2 and writes C's slice 1
                        Storage a = random(dtype, 3 * m * k, r), b = random(dtype, 3 * k * n, r), c = random(dtype, 3 * m * n, r);
                        double[] before = new double[3 * m * n];
                        for (int i = 0; i < before.length; i++) before[i] = c.get(i);
                        backend.gemm(a, m * k, ta, b, 2 * k * n, tb, c, m * n, m, n, k, acc);
                        String what = backend.name() + " " + dtype + " " + m + "x" + k + "x" + n + " mode " + mode;
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double e = acc ? before[m * n + i * n + j] : 0;
                                for (int p = 0; p < k; p++) {
                                    double av = a.get(m * k + (ta ? p * m + i : i * k + p));
                                    double bv = b.get(2 * k * n + (tb ? j * k + p : p * n + j));
                                    e += av * bv;
                                }
                                double got = c.get(m * n + i * n + j);
                                assertTrue(Math.abs(got - e) <= tol * (1 + Math.abs(e)), what + " (" + i + "," + j + "): " + got + " vs " + e);
                            }
                        }
                        for (int i = 0; i < m * n; i++) {
                            assertEquals(before[i], c.get(i), 0.0, what + ": slice 0 untouched");
                            assertEquals(before[2 * m * n + i], c.get(2 * m * n + i), 0.0, what + ": slice 2 untouched");
                        }
                    }
                }
            }
        }
    }

    @Test
    void zeroDepthClearsTheBlockAndEmptyBlocksDoNothing() {
        Storage a = Storage.allocate(DType.FLOAT64, 4), b = Storage.allocate(DType.FLOAT64, 4), c = Storage.allocate(DType.FLOAT64, 8);
        c.fill(7);
        Kernels.gemm(a, 0, false, b, 0, false, c, 4, 2, 2, 0, false);
        for (int i = 0; i < 8; i++) assertEquals(i < 4 ? 7 : 0, c.get(i), 0.0);
        c.fill(7);
        Kernels.gemm(a, 0, false, b, 0, false, c, 4, 2, 2, 0, true);
        Kernels.gemm(a, 0, false, b, 0, false, c, 8, 0, 2, 2, false);
        for (int i = 0; i < 8; i++) assertEquals(7, c.get(i), 0.0);
    }

    @Test
    void rejectsBlocksOutsideTheStorageOffRowBoundariesAndMixedDtypes() {
        Storage a = Storage.allocate(DType.FLOAT64, 12), b = Storage.allocate(DType.FLOAT64, 12), c = Storage.allocate(DType.FLOAT64, 12);
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemm(a, 8, false, b, 0, false, c, 0, 2, 2, 3, false));
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemm(a, 1, false, b, 0, false, c, 0, 2, 2, 3, false));
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemm(a, 0, false, b, 0, false, c, 10, 2, 2, 3, false));
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemm(a, 0, false, b, 0, false, a, 6, 2, 2, 3, false));
        Storage f = Storage.allocate(DType.FLOAT32, 12);
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemm(f, 0, false, b, 0, false, c, 0, 2, 2, 3, false));
    }
}
