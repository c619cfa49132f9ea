package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.ParallelRanges;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.jgrad.core.kernel.KernelTestSupport.close;
import static dev.jgrad.core.kernel.KernelTestSupport.random;
import static dev.jgrad.core.kernel.KernelTestSupport.same;
import static dev.jgrad.core.kernel.KernelTestSupport.specialRows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The row kernels of {@link FusedCrossEntropy} with a SIMD backend ({@link SimdCrossEntropyF32}) against the scalar ones: rows of
 * many lengths (tails shorter than a vector included), rows with NaN / {@code ±inf} / all {@code -inf} / huge shifts /
 * underflowing exps, confident predictions, ignored rows, zero and non-finite scales; one thread against two (float32
 * and float64, the exps stored or not). The float64 rows' own accuracy checks are in {@link SimdCrossEntropyF64Test}.
 */
class FusedCrossEntropyKernelsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 257, 784, 1000, 1023};
    private final KernelBackend simd = new SimdKernels(1);
    private final KernelBackend ref = new ScalarKernels();

    /** {@code log Σ exp} of float32 exps (each within 1 ulp) summed exactly, plus the float {@code x - max}: 5e-7 absolute, relative to a sum {@code >= 1}. */
    private static final double LOG_SUM_TOL = 5e-7;

    @Test
    void forwardMatchesScalar() {
        SplittableRandom r = new SplittableRandom(21);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                int rows = 24;
                Storage x = specialRows(t, rows, n, r);
                double[] s1 = new double[rows], l1 = new double[rows], s2 = new double[rows], l2 = new double[rows];
                FusedCrossEntropy.logSumExps(simd, x, s1, l1, null, rows, n);
                FusedCrossEntropy.logSumExps(ref, x, s2, l2, null, rows, n);
                for (int i = 0; i < rows; i++) {
                    String what = t + " n=" + n + " row " + i;
                    assertEquals(s2[i], s1[i], 0.0, "shift " + what);
                    if (!Double.isFinite(s2[i]) || !Double.isFinite(l2[i])) {
                        assertEquals(l2[i], l1[i], 0.0, "logSum " + what); // the scalar path, bit for bit
                    } else {
                        close("logSum " + what, l2[i], l1[i], 0, t == DType.FLOAT64 ? 1e-14 : LOG_SUM_TOL);
                    }
                }
            }
        }
    }

    @Test
    void forwardOfZeroLengthRowsIsMinusInfinity() {
        double[] s = new double[3], l = new double[3];
        FusedCrossEntropy.logSumExps(simd, Storage.allocate(DType.FLOAT32, 0), s, l, null, 3, 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(0.0, s[i]);
            assertEquals(Double.NEGATIVE_INFINITY, l[i]);
        }
    }

    @Test
    void forwardMaxKeepsJavaSemantics() {
        // the shift is the max with Math.max's rules: +0 beats -0 (the scalar
        // code keeps the first of equal values), NaN anywhere wins (and sends the row to the scalar path)
        float[][] rows = {{-0f, 0f, -1f}, {0f, -0f, -3f}, {-0f, -0f, -0f}, {-5f, Float.NaN, 7f}};
        for (float[] row : rows) {
            for (int pad : new int[]{0, 16, 64, 65}) {
                int n = pad + row.length;
                Storage x = Storage.allocate(DType.FLOAT32, n);
                for (int k = 0; k < pad; k++) x.set(k, -10 - k);
                for (int k = 0; k < row.length; k++) x.set(pad + k, row[k]);
                double[] s1 = new double[1], l1 = new double[1], s2 = new double[1], l2 = new double[1];
                FusedCrossEntropy.logSumExps(simd, x, s1, l1, null, 1, n);
                FusedCrossEntropy.logSumExps(ref, x, s2, l2, null, 1, n);
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) max = Math.max(max, (float) x.get(k));
                assertEquals(Double.doubleToRawLongBits(max), Double.doubleToRawLongBits(s1[0]), "shift of " + java.util.Arrays.toString(row));
                assertEquals(s2[0], s1[0], 0.0);
                assertEquals(l2[0], l1[0], LOG_SUM_TOL);
                assertEquals(Float.floatToRawIntBits(max), Float.floatToRawIntBits(SimdCrossEntropyF32.rowMax(((Storage.F32) x).a, 0, n)));
            }
        }
    }

    /**
     * Per-row scales covering 0 and {@code -0}, negative, NaN, infinities, a float-subnormal one, a double-subnormal one,
     * tiny and huge doubles, and one that overflows float (also used by {@link SimdCrossEntropyF64Test}).
     */
    static double[] scales(int rows, SplittableRandom r) {
        double[] s = new double[rows];
        for (int i = 0; i < rows; i++) {
            s[i] = switch (i % 17) {
                case 0 -> 0;
                case 3 -> Double.NaN;
                case 5 -> i % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                case 7 -> 1e-40;
                case 9 -> 1e40;
                case 11 -> -0.0;
                case 13 -> 1e-310;
                case 14 -> -1e-300;
                case 15 -> 1e300;
                default -> (r.nextDouble() * 4 - 2) / 1024;
            };
        }
        return s;
    }

    /** Targets: in range, except every 6th row without one (-1, its scale 0: an ignored sample). */
    static int[] targets(int rows, int n, double[] scale, SplittableRandom r) {
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = i % 6 == 1 ? -1 : r.nextInt(n);
            if (t[i] < 0) scale[i] = 0;
        }
        return t;
    }

    @Test
    void backwardMatchesScalar() {
        SplittableRandom r = new SplittableRandom(22);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                int rows = 44;
                Storage x = specialRows(t, rows, n, r);
                double[] shift = new double[rows], logSum = new double[rows];
                FusedCrossEntropy.logSumExps(ref, x, shift, logSum, null, rows, n);
                double[] scale = scales(rows, r);
                int[] target = targets(rows, n, scale, r);
                Storage a = Storage.allocate(t, rows * n), b = Storage.allocate(t, rows * n);
                a.fill(Double.NaN); // every element must be written
                b.fill(7);
                FusedCrossEntropy.gradient(simd, x, shift, logSum, scale, target, null, a, rows, n);
                FusedCrossEntropy.gradient(ref, x, shift, logSum, scale, target, null, b, rows, n);
                for (int i = 0; i < rows; i++) {
                    String what = "backward " + t + " n=" + n + " row " + i;
                    boolean exact = scale[i] == 0 || !Double.isFinite(shift[i]) || !Double.isFinite(logSum[i])
                            || (t == DType.FLOAT64 ? !Double.isFinite(scale[i]) : !normal(scale[i]));
                    if (exact) {
                        same(what, slice(b, i * n, n), slice(a, i * n, n), n);
                    } else {
                        for (int k = 0; k < n; k++) {
                            // exp of the float argument (x - m) - l: its two roundings cost |arg|·2^-24 each, the exp 1 ulp
                            double arg = Math.abs((x.get(i * n + k) - shift[i]) - logSum[i]);
                            double ulp = t == DType.FLOAT64 ? 0x1p-52 : 0x1p-24;
                            double rtol = Double.isFinite(arg) ? (2 + 2 * arg) * ulp : 0; // exp(-inf): exactly ±0
                            close(what + " [" + k + "]", b.get(i * n + k), a.get(i * n + k), rtol, 1e-38);
                        }
                        // the target element is the same double expression on both paths
                        if (target[i] >= 0) assertEquals(b.get(i * n + target[i]), a.get(i * n + target[i]), 0.0, what + " target");
                    }
                    if (target[i] < 0) {
                        for (int k = 0; k < n; k++) assertEquals(0, Double.compare(a.get(i * n + k), 0.0), what + " ignored row is +0");
                    }
                }
            }
        }
    }

    private static boolean normal(double v) {
        float f = Math.abs((float) v);
        return f >= Float.MIN_NORMAL && f <= Float.MAX_VALUE;
    }

    @Test
    void backwardFromTheForwardsExpsMatchesScalar() {
        SplittableRandom r = new SplittableRandom(26);
        for (int n : LENGTHS) {
            int rows = 44;
            Storage x = specialRows(DType.FLOAT32, rows, n, r);
            double[] shift = new double[rows], logSum = new double[rows], s2 = new double[rows], l2 = new double[rows];
            Storage exps = Storage.allocate(DType.FLOAT32, rows * n);
            assertTrue(FusedCrossEntropy.logSumExps(simd, x, shift, logSum, exps, rows, n), "the SIMD forward stores exps");
            // storing the exps changes nothing in the parts: the same exps, summed in the same order
            FusedCrossEntropy.logSumExps(simd, x, s2, l2, null, rows, n);
            for (int i = 0; i < rows; i++) {
                assertEquals(Double.doubleToRawLongBits(s2[i]), Double.doubleToRawLongBits(shift[i]), "shift n=" + n + " row " + i);
                assertEquals(Double.doubleToRawLongBits(l2[i]), Double.doubleToRawLongBits(logSum[i]), "logSum n=" + n + " row " + i);
            }
            double[] scale = scales(rows, r);
            int[] target = targets(rows, n, scale, r);
            Storage b = Storage.allocate(DType.FLOAT32, rows * n);
            FusedCrossEntropy.gradient(ref, x, shift, logSum, scale, target, null, b, rows, n);
            FusedCrossEntropy.gradient(simd, x, shift, logSum, scale, target, exps, exps, rows, n); // in place
            for (int i = 0; i < rows; i++) {
                String what = "backward from exps n=" + n + " row " + i;
                boolean exact = scale[i] == 0 || !Double.isFinite(shift[i]) || !Double.isFinite(logSum[i])
                        || !normal(scale[i] * Math.exp(-logSum[i])) && !normal(scale[i]);
                if (exact) {
                    same(what, slice(b, i * n, n), slice(exps, i * n, n), n);
                    continue;
                }
                for (int k = 0; k < n; k++) {
                    // exp of the float x - m (its rounding costs |x - m|·2^-24), 1 ulp; then q's and the product's roundings
                    double xm = Math.abs(x.get(i * n + k) - shift[i]);
                    double rtol = Double.isFinite(xm) ? (4 + 2 * xm) * 0x1p-24 : 0;
                    close(what + " [" + k + "]", b.get(i * n + k), exps.get(i * n + k), rtol, 1e-38);
                }
                if (target[i] >= 0) assertEquals(b.get(i * n + target[i]), exps.get(i * n + target[i]), 0.0, what + " target");
            }
        }
    }

    @Test
    void theScalarForwardStoresNoExps() {
        Storage x = random(DType.FLOAT32, new SplittableRandom(27), 40, -3, 3), exps = Storage.allocate(DType.FLOAT32, 40);
        assertTrue(!FusedCrossEntropy.logSumExps(ref, x, new double[4], new double[4], exps, 4, 10));
        for (int k = 0; k < 40; k++) assertEquals(0.0, exps.get(k));
        Storage x64 = random(DType.FLOAT64, new SplittableRandom(27), 40, -3, 3), e64 = Storage.allocate(DType.FLOAT64, 40);
        assertTrue(!FusedCrossEntropy.logSumExps(ref, x64, new double[4], new double[4], e64, 4, 10));
        for (int k = 0; k < 40; k++) assertEquals(0.0, e64.get(k));
    }

    private static Storage slice(Storage s, int from, int n) {
        Storage c = Storage.allocate(s.dtype(), n);
        c.copyFrom(s, from, 0, n);
        return c;
    }

    @Test
    void confidentPredictionsKeepRelativeAccuracy() {
        // the target logit far above the rest: p_t = 1 - ε with ε down to ~1e-13 (float64: ~1e-24); s·(p_t - 1) must keep
        // its digits (up to the double log-sum: log(1 + ε) is known to a few 2^-53 absolute — the last additions to the sum
        // are at magnitude 1 — so ε to about 2^-50 / ε relative); from the forward's exps or recomputed
        SplittableRandom r = new SplittableRandom(23);
        for (DType dt : DType.values()) {
            for (boolean fromExps : new boolean[]{false, true}) {
                for (int n : new int[]{2, 7, 9, 17, 100, 1000}) {
                    for (double gap : dt == DType.FLOAT64 ? new double[]{5, 12, 20, 30, 60} : new double[]{5, 12, 20, 30}) {
                        int rows = 4;
                        Storage x = random(dt, r, rows * n, -1, 1);
                        int[] target = new int[rows];
                        double[] scale = new double[rows];
                        for (int i = 0; i < rows; i++) {
                            target[i] = r.nextInt(n);
                            x.set(i * n + target[i], gap);
                            scale[i] = 1.0 / rows;
                        }
                        double[] shift = new double[rows], logSum = new double[rows];
                        Storage g = Storage.allocate(dt, rows * n);
                        FusedCrossEntropy.logSumExps(simd, x, shift, logSum, fromExps ? g : null, rows, n);
                        FusedCrossEntropy.gradient(simd, x, shift, logSum, scale, target, fromExps ? g : null, g, rows, n);
                        double rtol = dt == DType.FLOAT64 ? 1e-13 : 1e-6;
                        for (int i = 0; i < rows; i++) {
                            double rest = 0; // Σ_{c≠t} exp(x_c - x_t), exactly enough in double
                            for (int k = 0; k < n; k++) if (k != target[i]) rest += Math.exp(x.get(i * n + k) - x.get(i * n + target[i]));
                            double exact = -scale[i] * rest / (1 + rest);
                            double got = g.get(i * n + target[i]);
                            String what = dt + (fromExps ? " from exps" : "") + " n=" + n + " gap=" + gap;
                            assertTrue(Math.abs(got - exact) <= rtol * Math.abs(exact) + 0x1p-49 * scale[i],
                                    what + ": target gradient " + got + ", exact " + exact);
                            double sum = 0;
                            for (int k = 0; k < n; k++) sum += g.get(i * n + k);
                            assertEquals(0, sum, rtol * scale[i], what + ": gradient row sums to 0");
                        }
                    }
                }
            }
        }
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        SplittableRandom r = new SplittableRandom(24);
        KernelBackend two = new SimdKernels(2);
        int rows = 600, n = 1000; // above PARALLEL_ELEMENTS_COLD: split whether or not a worker is awake
        assertTrue((long) rows * n >= ParallelRanges.PARALLEL_ELEMENTS_COLD);
        assertEquals(2, ParallelRanges.parts(rows, n, 2), "the two-thread backend splits this call");
        for (DType dt : DType.values()) {
            Storage x = random(dt, r, rows * n, -8, 8);
            for (int i = 0; i < rows; i += 37) x.set(i * n + r.nextInt(n), i % 2 == 0 ? Double.NaN : Double.NEGATIVE_INFINITY);
            for (int i = 19; i < rows; i += 37) x.set(i * n + r.nextInt(n), Double.POSITIVE_INFINITY);
            for (boolean fromExps : new boolean[]{false, true}) {
                String what = dt + (fromExps ? " from exps" : " recomputed");
                double[] s1 = new double[rows], l1 = new double[rows], s2 = new double[rows], l2 = new double[rows];
                Storage a = Storage.allocate(dt, rows * n), b = Storage.allocate(dt, rows * n);
                FusedCrossEntropy.logSumExps(simd, x, s1, l1, fromExps ? a : null, rows, n);
                FusedCrossEntropy.logSumExps(two, x, s2, l2, fromExps ? b : null, rows, n);
                for (int i = 0; i < rows; i++) {
                    assertEquals(Double.doubleToRawLongBits(s1[i]), Double.doubleToRawLongBits(s2[i]), what + " shift row " + i);
                    assertEquals(Double.doubleToRawLongBits(l1[i]), Double.doubleToRawLongBits(l2[i]), what + " logSum row " + i);
                }
                double[] scale = scales(rows, r);
                int[] target = targets(rows, n, scale, r);
                FusedCrossEntropy.gradient(simd, x, s1, l1, scale, target, fromExps ? a : null, a, rows, n);
                FusedCrossEntropy.gradient(two, x, s1, l1, scale, target, fromExps ? b : null, b, rows, n);
                for (int k = 0; k < rows * n; k++) {
                    if (Double.compare(a.get(k), b.get(k)) != 0) fail(what + ", element " + k + ": one thread " + a.get(k) + ", two " + b.get(k));
                }
            }
        }
    }
}
