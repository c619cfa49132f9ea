package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import dev.jgrad.core.kernel.VectorMath64;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.jgrad.core.kernel.KernelTestSupport.specialRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The float64 SIMD rows of the fused cross-entropy ({@code SimdCrossEntropyF64}, generated from
 * {@link SimdCrossEntropyF32}) through {@link FusedCrossEntropy#logSumExps} and {@link FusedCrossEntropy#gradient},
 * against the scalar reference rows ({@link ScalarKernels#logSumExpRow}, {@link FusedCrossEntropy#gradientRow}).
 *
 * <p>Tolerances, with {@code u = 2⁻⁵³}: log-sum within {@code (C + 8)·u + 2·ulp(l)} absolute of the scalar row (the
 * scalar sequential sum is within {@code (C - 1)·u} relative, the SIMD lane sum within {@code (C/VL + 3)·u}, the exps
 * within 1 and 1.52 ulp-equivalents, the logs within 1 ulp each), and bit for bit the SIMD backend's float64
 * {@code logSumExp} (the path this replaced); gradient elements from the forward's exps within
 * {@code (|x - m| + 6)·u}, recomputed within {@code (|x - m| + |x - m - l| + l + 4)·u} relative (the class comment of
 * {@link SimdCrossEntropyF32}), plus {@code 2·|s|·MIN_NORMAL + 2·MIN_VALUE} absolute (terms the vector exp flushes to
 * 0, the rounding of subnormal products); target
 * elements, and every element of a row the kernel hands to the scalar row, bit for bit. Confident rows and one thread
 * against two, float64 included: {@link FusedCrossEntropyKernelsTest}.
 */
class SimdCrossEntropyF64Test {
    /** Below, at, above one and several vectors of doubles (VL = 8 with AVX-512, 4 with AVX2), and the benchmark's C. */
    private static final int[] LENGTHS = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 100, 1000, 1001};
    private static final double U = 0x1p-53;
    private final KernelBackend simd = new SimdKernels(1);
    private final KernelBackend ref = new ScalarKernels();

    /** Rows of {@link dev.jgrad.core.kernel.KernelTestSupport#specialRows}, plus rows with a dominant element (p ≈ 1). */
    private static Storage rows(int rows, int n, SplittableRandom r) {
        Storage x = specialRows(DType.FLOAT64, rows, n, r);
        for (int i = 9; i < rows; i += 16) x.set(i * n + r.nextInt(n), 60); // others in [-30, 30]: a confident row
        return x;
    }

    @Test
    void forwardMatchesTheScalarRowAndStoresTheExps() {
        SplittableRandom r = new SplittableRandom(31);
        for (int n : LENGTHS) {
            int rows = 32;
            Storage x = rows(rows, n, r);
            Storage e = Storage.allocate(DType.FLOAT64, rows * n);
            e.fill(7); // rows with a non-finite part must be left as they are
            double[] s1 = new double[rows], l1 = new double[rows], s2 = new double[rows], l2 = new double[rows];
            double[] s3 = new double[rows], l3 = new double[rows], s4 = new double[rows], l4 = new double[rows];
            assertTrue(!FusedCrossEntropy.logSumExps(simd, x, s1, l1, null, rows, n));
            assertTrue(FusedCrossEntropy.logSumExps(simd, x, s4, l4, e, rows, n), "the float64 SIMD forward stores exps");
            for (int i = 0; i < rows; i++) ScalarKernels.logSumExpRow(x, i * n, n, 1, s2, l2, i);
            simd.logSumExp(x, s3, l3, rows, n, 1);
            double[] row = new double[n], want = new double[n];
            for (int i = 0; i < rows; i++) {
                String what = "n=" + n + " row " + i;
                assertEquals(Double.doubleToRawLongBits(s3[i]), Double.doubleToRawLongBits(s1[i]), "shift, as the SIMD logSumExp: " + what);
                assertEquals(Double.doubleToRawLongBits(l3[i]), Double.doubleToRawLongBits(l1[i]), "logSum, as the SIMD logSumExp: " + what);
                assertEquals(Double.doubleToRawLongBits(s1[i]), Double.doubleToRawLongBits(s4[i]), "shift with exps: " + what);
                assertEquals(Double.doubleToRawLongBits(l1[i]), Double.doubleToRawLongBits(l4[i]), "logSum with exps: " + what);
                assertEquals(Double.doubleToRawLongBits(s2[i]), Double.doubleToRawLongBits(s1[i]), "shift, as the scalar row: " + what);
                if (!Double.isFinite(s2[i]) || !Double.isFinite(l2[i])) { // NaN, +inf or all -inf: the scalar row, no exps
                    assertEquals(Double.doubleToRawLongBits(l2[i]), Double.doubleToRawLongBits(l1[i]), "special row, bit for bit: " + what);
                    for (int k = 0; k < n; k++) assertEquals(7.0, e.get(i * n + k), "untouched " + what);
                    continue;
                }
                double tol = (n + 8) * U + 2 * Math.ulp(l2[i]);
                if (!(Math.abs(l1[i] - l2[i]) <= tol)) fail("logSum " + what + ": scalar " + l2[i] + ", SIMD " + l1[i]);
                for (int k = 0; k < n; k++) row[k] = x.get(i * n + k);
                VectorMath64.expStoreLoop(row, 0, s1[i], 0, 1, want, 0, n);
                for (int k = 0; k < n; k++) {
                    double got = e.get(i * n + k), exact = Math.exp(row[k] - s1[i]); // each within 1 ulp; the kernel flushes below MIN_NORMAL
                    assertEquals(Double.doubleToRawLongBits(want[k]), Double.doubleToRawLongBits(got), "exp store " + what + " [" + k + "]");
                    assertTrue(Math.abs(got - exact) <= 2 * Math.ulp(exact) || got == 0 && exact < Double.MIN_NORMAL,
                            "exp " + what + " [" + k + "]: " + got + " vs " + exact);
                }
            }
        }
    }

    private static boolean normal(double v) {
        double a = Math.abs(v);
        return a >= Double.MIN_NORMAL && a <= Double.MAX_VALUE;
    }

    @Test
    void backwardMatchesTheScalarRows() {
        SplittableRandom r = new SplittableRandom(33);
        for (boolean fromExps : new boolean[]{false, true}) {
            for (int n : LENGTHS) {
                int rows = 52;
                Storage x = rows(rows, n, r);
                double[] shift = new double[rows], logSum = new double[rows];
                Storage e = Storage.allocate(DType.FLOAT64, rows * n);
                e.fill(Double.NaN); // every element must be written (rows without stored exps are recomputed)
                FusedCrossEntropy.logSumExps(simd, x, shift, logSum, fromExps ? e : null, rows, n);
                double[] scale = FusedCrossEntropyKernelsTest.scales(rows, r);
                int[] target = FusedCrossEntropyKernelsTest.targets(rows, n, scale, r);
                Storage b = Storage.allocate(DType.FLOAT64, rows * n);
                for (int i = 0; i < rows; i++) FusedCrossEntropy.gradientRow(x, shift[i], logSum[i], scale[i], target[i], b, i * n, n);
                FusedCrossEntropy.gradient(simd, x, shift, logSum, scale, target, fromExps ? e : null, e, rows, n); // in place
                for (int i = 0; i < rows; i++) {
                    String what = (fromExps ? "from exps" : "recomputed") + " n=" + n + " row " + i + " scale " + scale[i];
                    double m = shift[i], l = logSum[i], s = scale[i];
                    boolean rowFinite = Double.isFinite(m) && Double.isFinite(l);
                    boolean viaExps = fromExps && normal(s * Math.exp(-l));
                    boolean scalarRow = s == 0 || !rowFinite || !viaExps && !normal(s);
                    for (int k = 0; k < n; k++) {
                        double want = b.get(i * n + k), got = e.get(i * n + k);
                        if (scalarRow || k == target[i]) {
                            if (Double.compare(want, got) != 0) fail(what + " [" + k + "] bit for bit: expected " + want + ", got " + got);
                            continue;
                        }
                        double xm = Math.abs(x.get(i * n + k) - m), arg = Math.abs((x.get(i * n + k) - m) - l);
                        // a -inf logit: exp(-inf) is exactly ±0 on both paths
                        double rtol = Double.isFinite(arg) ? (viaExps ? xm + 6 : xm + arg + l + 4) * U : 0;
                        // absolute: terms the vector exp flushes below MIN_NORMAL, and the rounding of subnormal results
                        if (!(Math.abs(got - want) <= rtol * Math.abs(want) + 2 * Math.abs(s) * Double.MIN_NORMAL + 2 * Double.MIN_VALUE)) {
                            fail(what + " [" + k + "]: expected " + want + ", got " + got + " (rtol " + rtol + ")");
                        }
                    }
                    if (target[i] < 0) {
                        for (int k = 0; k < n; k++) assertEquals(0, Double.compare(e.get(i * n + k), 0.0), what + ": ignored row is +0");
                    }
                }
            }
        }
    }
}
