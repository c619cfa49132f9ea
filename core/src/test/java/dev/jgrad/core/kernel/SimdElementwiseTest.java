package dev.jgrad.core.kernel;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.jgrad.core.kernel.SimdKernelsTest.copy;
import static dev.jgrad.core.kernel.SimdKernelsTest.same;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The element-wise and optimizer kernels of {@link SimdKernels} against {@link ScalarKernels}: bit for bit, float32
 * and float64, every length class (empty, shorter than a vector, vector multiples, ragged tails) and special values.
 */
class SimdElementwiseTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 33, 255, 256, 257, 1000};
    private static final double[] SPECIAL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, 1e-40, -1e-40};
    private final SimdKernels simd = new SimdKernels();
    private final ScalarKernels ref = new ScalarKernels();

    /** Random values with special values sprinkled in (every 5th element when {@code specials}). */
    private static Storage data(DType t, SplittableRandom r, int n, boolean specials) {
        Storage s = Storage.allocate(t, n);
        for (int i = 0; i < n; i++) {
            s.set(i, specials && i % 5 == 2 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextGaussian() * 3);
        }
        return s;
    }

    @Test
    void reluAndItsGradientMatchScalar() {
        SplittableRandom r = new SplittableRandom(1);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = data(t, r, n, true), g = data(t, r, n, true);
                Storage e = Storage.allocate(t, n), a = Storage.allocate(t, n);
                ref.relu(x, e, n);
                simd.relu(x, a, n);
                same("relu " + t + " n=" + n, e, a, n);
                ref.reluBackward(x, g, e, n);
                simd.reluBackward(x, g, a, n);
                same("reluBackward " + t + " n=" + n, e, a, n);
            }
        }
    }

    @Test
    void reluKeepsNaNAndMapsNegativeZeroToZero() {
        for (DType t : DType.values()) {
            int n = 40;
            Storage x = Storage.allocate(t, n), y = Storage.allocate(t, n);
            for (int i = 0; i < n; i++) x.set(i, i % 4 == 0 ? Double.NaN : i % 4 == 1 ? -0.0 : i % 4 == 2 ? -5 : 5);
            simd.relu(x, y, n);
            for (int i = 0; i < n; i++) {
                double v = y.get(i);
                switch (i % 4) {
                    case 0 -> assertTrue(Double.isNaN(v), "relu(NaN)");
                    case 1, 2 -> assertEquals(0, Double.compare(0.0, v), "relu(" + x.get(i) + ") must be +0");
                    default -> assertEquals(5.0, v);
                }
            }
        }
    }

    @Test
    void binaryMatchesScalarForEveryLayoutAndOp() {
        SplittableRandom r = new SplittableRandom(2);
        int[][] shapes = {{1, 1}, {3, 5}, {4, 16}, {5, 17}, {2, 33}, {128, 10}, {7, 256}, {3, 257}};
        for (DType t : DType.values()) {
            for (int[] rc : shapes) {
                int rows = rc[0], cols = rc[1];
                for (BinaryOp op : BinaryOp.values()) {
                    for (Operand la : Operand.values()) {
                        for (Operand lb : Operand.values()) {
                            Storage a = data(t, r, la.length(rows, cols), true), b = data(t, r, lb.length(rows, cols), true);
                            Storage e = Storage.allocate(t, rows * cols), g = Storage.allocate(t, rows * cols);
                            ref.binary(op, a, la, b, lb, e, rows, cols);
                            simd.binary(op, a, la, b, lb, g, rows, cols);
                            same(op + " " + la + "/" + lb + " " + t + " " + rows + "x" + cols, e, g, rows * cols);
                        }
                    }
                }
            }
        }
    }

    @Test
    void binaryMayWriteIntoItsFullOperand() {
        SplittableRandom r = new SplittableRandom(3);
        for (DType t : DType.values()) {
            Storage a = data(t, r, 7 * 40, false), b = data(t, r, 40, false);
            Storage e = Storage.allocate(t, a.length());
            ref.binary(BinaryOp.ADD, a, Operand.FULL, b, Operand.ROW, e, 7, 40);
            simd.binary(BinaryOp.ADD, a, Operand.FULL, b, Operand.ROW, a, 7, 40);
            same("in-place bias add " + t, e, a, a.length());
        }
    }

    @Test
    void addInPlaceAndAllFiniteMatchScalar() {
        SplittableRandom r = new SplittableRandom(4);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                Storage x = data(t, r, n, true), y = data(t, r, n, true), y2 = copy(y);
                ref.addInPlace(x, y, n);
                simd.addInPlace(x, y2, n);
                same("addInPlace " + t + " n=" + n, y, y2, n);
                Storage f = data(t, r, n, false);
                assertTrue(simd.allFinite(f, n), "finite data " + t + " n=" + n);
                for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    for (int pos : new int[]{0, n / 2, n - 1}) {
                        if (n == 0) continue;
                        Storage h = copy(f);
                        h.set(pos, bad);
                        assertFalse(simd.allFinite(h, n), bad + " at " + pos + " of " + n + " " + t);
                        assertFalse(ref.allFinite(h, n));
                    }
                }
                if (t == DType.FLOAT32 && n > 0) {
                    Storage h = copy(f);
                    h.set(n - 1, Float.MAX_VALUE); // x − x stays 0 at the largest finite value
                    assertTrue(simd.allFinite(h, n));
                }
            }
        }
    }

    @Test
    void sgdMatchesScalarInEveryVariant() {
        SplittableRandom r = new SplittableRandom(5);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                for (int variant = 0; variant < 6; variant++) {
                    boolean withBuf = variant > 0, first = variant == 2, nesterov = variant == 3;
                    double momentum = withBuf ? 0.9 : 0, dampening = variant == 4 ? 0.1 : 0, wd = variant >= 4 ? 1e-2 : 0;
                    Storage p = data(t, r, n, false), g = data(t, r, n, variant == 5), b = withBuf ? data(t, r, n, false) : null;
                    Storage p2 = copy(p), b2 = b == null ? null : copy(b);
                    ref.sgdUpdate(p, g, b, n, 0.05, momentum, dampening, wd, nesterov, first);
                    simd.sgdUpdate(p2, g, b2, n, 0.05, momentum, dampening, wd, nesterov, first);
                    same("sgd p variant " + variant + " " + t + " n=" + n, p, p2, n);
                    if (b != null) same("sgd buffer variant " + variant + " " + t + " n=" + n, b, b2, n);
                }
            }
        }
    }

    @Test
    void adamMatchesScalarForAdamAndAdamW() {
        SplittableRandom r = new SplittableRandom(6);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                for (boolean decoupled : new boolean[]{false, true}) {
                    Storage p = data(t, r, n, false), g = data(t, r, n, false);
                    Storage m = data(t, r, n, false), v = Storage.allocate(t, n);
                    for (int i = 0; i < n; i++) v.set(i, Math.abs(g.get(i)) * 0.1 + (i % 3 == 0 ? 0 : 1e-3));
                    if (n > 3) g.set(3, -0.0);
                    Storage p2 = copy(p), m2 = copy(m), v2 = copy(v);
                    double bc2 = Math.sqrt(1 - Math.pow(0.999, 7)), stepSize = 1e-3 / (1 - Math.pow(0.9, 7));
                    ref.adamUpdate(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, 0.05, decoupled, stepSize, bc2);
                    simd.adamUpdate(p2, g, m2, v2, n, 1e-3, 0.9, 0.999, 1e-8, 0.05, decoupled, stepSize, bc2);
                    String what = (decoupled ? "adamw " : "adam ") + t + " n=" + n;
                    same(what + " p", p, p2, n);
                    same(what + " m", m, m2, n);
                    same(what + " v", v, v2, n);
                }
            }
        }
    }

    @Test
    void largeUpdatesSplitOverThePoolMatchScalar() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 300_001; // above the split threshold, not a multiple of the block or vector size
        for (int round = 0; round < 3; round++) { // the pool worker may be parked or awake
            Storage p = data(DType.FLOAT32, r, n, false), g = data(DType.FLOAT32, r, n, false), b = data(DType.FLOAT32, r, n, false);
            Storage p2 = copy(p), b2 = copy(b);
            ref.sgdUpdate(p, g, b, n, 0.05, 0.9, 0, 1e-4, false, false);
            simd.sgdUpdate(p2, g, b2, n, 0.05, 0.9, 0, 1e-4, false, false);
            same("large sgd p", p, p2, n);
            same("large sgd buffer", b, b2, n);
            Storage m = data(DType.FLOAT32, r, n, false), v = Storage.allocate(DType.FLOAT32, n);
            for (int i = 0; i < n; i++) v.set(i, Math.abs(g.get(i)) * 0.01);
            Storage p3 = copy(p), m2 = copy(m), v2 = copy(v);
            ref.adamUpdate(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, 0.05, true, 1e-2, 0.03);
            simd.adamUpdate(p3, g, m2, v2, n, 1e-3, 0.9, 0.999, 1e-8, 0.05, true, 1e-2, 0.03);
            same("large adamw p", p, p3, n);
            same("large adamw m", m, m2, n);
            same("large adamw v", v, v2, n);
        }
    }

    /**
     * For float32 parameters both backends evaluate PyTorch's update rules in float, every operation rounded (as
     * PyTorch's kernels do for float32 tensors), not in double: pinned against the rules written out in plain
     * {@code float} Java, bit for bit.
     */
    @Test
    void float32UpdatesAreEvaluatedInFloat() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 1000;
        for (KernelBackend backend : new KernelBackend[]{ref, simd}) {
            Storage p = data(DType.FLOAT32, r, n, false), g = data(DType.FLOAT32, r, n, false), b = data(DType.FLOAT32, r, n, false);
            float[] pe = ((Storage.F32) copy(p)).a, ge = ((Storage.F32) g).a, be = ((Storage.F32) copy(b)).a;
            double lr = 0.05, mom = 0.9, wd = 1e-4;
            backend.sgdUpdate(p, g, b, n, lr, mom, 0.1, wd, false, false);
            for (int i = 0; i < n; i++) {
                float d = ge[i] + (float) wd * pe[i];
                be[i] = (float) mom * be[i] + (float) (1 - 0.1) * d;
                pe[i] = pe[i] - (float) lr * be[i];
            }
            same(backend.getClass().getSimpleName() + " sgd p", Storage.of(org.ejml.data.FMatrixRMaj.wrap(1, n, pe)), p, n);
            same(backend.getClass().getSimpleName() + " sgd buffer", Storage.of(org.ejml.data.FMatrixRMaj.wrap(1, n, be)), b, n);

            for (boolean decoupled : new boolean[]{false, true}) {
                Storage q = data(DType.FLOAT32, r, n, false), m = data(DType.FLOAT32, r, n, false), v = Storage.allocate(DType.FLOAT32, n);
                for (int i = 0; i < n; i++) v.set(i, Math.abs(g.get(i)) * 0.1 + 1e-3);
                float[] qe = ((Storage.F32) copy(q)).a, me = ((Storage.F32) copy(m)).a, ve = ((Storage.F32) copy(v)).a;
                double alr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, awd = 0.05;
                double bc2 = Math.sqrt(1 - Math.pow(b2, 7)), stepSize = alr / (1 - Math.pow(b1, 7));
                backend.adamUpdate(q, g, m, v, n, alr, b1, b2, eps, awd, decoupled, stepSize, bc2);
                for (int i = 0; i < n; i++) {
                    float pi = qe[i], gi = ge[i];
                    if (decoupled) pi = pi * (float) (1 - alr * awd);
                    else gi = gi + (float) awd * pi;
                    me[i] = me[i] * (float) b1 + (float) (1 - b1) * gi;
                    ve[i] = ve[i] * (float) b2 + (float) (1 - b2) * gi * gi;
                    float denom = (float) Math.sqrt(ve[i]) / (float) bc2 + (float) eps;
                    qe[i] = pi - (float) stepSize * me[i] / denom;
                }
                String what = backend.getClass().getSimpleName() + (decoupled ? " adamw" : " adam");
                same(what + " p", Storage.of(org.ejml.data.FMatrixRMaj.wrap(1, n, qe)), q, n);
                same(what + " m", Storage.of(org.ejml.data.FMatrixRMaj.wrap(1, n, me)), m, n);
                same(what + " v", Storage.of(org.ejml.data.FMatrixRMaj.wrap(1, n, ve)), v, n);
            }
        }
    }
}
