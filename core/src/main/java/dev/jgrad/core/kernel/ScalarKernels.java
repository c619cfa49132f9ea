package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The reference backend: EJML {@code CommonOps_DDRM}/{@code CommonOps_FDRM} for matrix products, and plain
 * index loops over {@link Storage} (evaluated in double, rounded once on store) for everything else.
 */
public final class ScalarKernels implements KernelBackend {

    @Override
    public String name() {
        return "scalar-ejml";
    }

    @Override
    public void gemm(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate) {
        int mode = (transA ? 2 : 0) + (transB ? 1 : 0) + (accumulate ? 4 : 0);
        if (c instanceof DMatrixRMaj C) {
            DMatrixRMaj A = (DMatrixRMaj) a, B = (DMatrixRMaj) b;
            switch (mode) {
                case 0 -> CommonOps_DDRM.mult(A, B, C);
                case 1 -> CommonOps_DDRM.multTransB(A, B, C);
                case 2 -> CommonOps_DDRM.multTransA(A, B, C);
                case 3 -> CommonOps_DDRM.multTransAB(A, B, C);
                case 4 -> CommonOps_DDRM.multAdd(A, B, C);
                case 5 -> CommonOps_DDRM.multAddTransB(A, B, C);
                case 6 -> CommonOps_DDRM.multAddTransA(A, B, C);
                default -> CommonOps_DDRM.multAddTransAB(A, B, C);
            }
        } else {
            FMatrixRMaj A = (FMatrixRMaj) a, B = (FMatrixRMaj) b, C = (FMatrixRMaj) c;
            switch (mode) {
                case 0 -> CommonOps_FDRM.mult(A, B, C);
                case 1 -> CommonOps_FDRM.multTransB(A, B, C);
                case 2 -> CommonOps_FDRM.multTransA(A, B, C);
                case 3 -> CommonOps_FDRM.multTransAB(A, B, C);
                case 4 -> CommonOps_FDRM.multAdd(A, B, C);
                case 5 -> CommonOps_FDRM.multAddTransB(A, B, C);
                case 6 -> CommonOps_FDRM.multAddTransA(A, B, C);
                default -> CommonOps_FDRM.multAddTransAB(A, B, C);
            }
        }
    }

    @Override
    public void exp(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, Math.exp(x.get(i)));
    }

    @Override
    public void log(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, Math.log(x.get(i)));
    }

    /** The shift used for a row: its max, or 0 when the max is infinite (the {@code isfinite} guard). */
    static double shift(Storage x, int base, int n, int inner) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            double v = x.get(base + k * inner);
            if (v > m || Double.isNaN(v)) m = v;
            if (Double.isNaN(m)) break;
        }
        return Double.isInfinite(m) ? 0.0 : m;
    }

    @Override
    public void softmax(Storage x, Storage out, int outer, int n, int inner, boolean log) {
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) softmaxRow(x, out, o * n * inner + in, n, inner, log);
        }
    }

    /** Softmax (or log-softmax) of the {@code n} elements {@code x[base + k·inner]}, into the same places of {@code out}. */
    static void softmaxRow(Storage x, Storage out, int base, int n, int inner, boolean log) {
        double m = shift(x, base, n, inner);
        double s = 0;
        for (int k = 0; k < n; k++) s += Math.exp(x.get(base + k * inner) - m);
        if (log) {
            // (x - m) - log s: adding log s to a huge m first would lose it
            double ls = Math.log(s);
            for (int k = 0; k < n; k++) out.set(base + k * inner, (x.get(base + k * inner) - m) - ls);
        } else {
            double inv = 1.0 / s;
            for (int k = 0; k < n; k++) out.set(base + k * inner, Math.exp(x.get(base + k * inner) - m) * inv);
        }
    }

    @Override
    public void logSumExp(Storage x, double[] shift, double[] logSum, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) logSumExpRow(x, o * n * inner + in, n, inner, shift, logSum, o * inner + in);
        }
    }

    /**
     * The log-sum-exp parts ({@link KernelBackend#logSumExp}) of the {@code n} elements {@code x[base + k·inner]}, into
     * {@code shift[r]} and {@code logSum[r]}: the reference row pass, also for callers outside this package that handle
     * a row whose max is not finite exactly as this backend does.
     */
    public static void logSumExpRow(Storage x, int base, int n, int inner, double[] shift, double[] logSum, int r) {
        double m = shift(x, base, n, inner);
        double s = 0;
        for (int k = 0; k < n; k++) s += Math.exp(x.get(base + k * inner) - m);
        shift[r] = m;
        logSum[r] = Math.log(s);
    }

    @Override
    public void sum(Storage x, Storage out, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                double s = 0;
                for (int k = 0; k < n; k++) s += x.get(base + k * inner);
                out.set(o * inner + in, s);
            }
        }
    }

    /**
     * The softmax scaled per row, from the two log-sum-exp parts of the row ({@link KernelBackend#logSumExp}):
     * {@code out[base + c] = s·exp((x[base + c] - m) - l)} for {@code c < cols}, in double and rounded once on store, or
     * {@code +0} everywhere when {@code s == 0}. The reference row pass of the fused cross-entropy gradient.
     */
    public static void scaledSoftmaxRow(Storage x, double m, double l, double s, Storage out, int base, int cols) {
        if (s == 0) {
            for (int c = 0; c < cols; c++) out.set(base + c, 0.0);
            return;
        }
        for (int c = 0; c < cols; c++) out.set(base + c, s * Math.exp((x.get(base + c) - m) - l));
    }

    @Override
    public void softmaxBackward(Storage y, Storage g, Storage out, int outer, int n, int inner, boolean log) {
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) softmaxBackwardRow(y, g, out, o * n * inner + in, n, inner, log);
        }
    }

    /** {@link #softmaxBackward} of the row {@code base + k·inner}, {@code k < n}. */
    static void softmaxBackwardRow(Storage y, Storage g, Storage out, int base, int n, int inner, boolean log) {
        double acc = 0;
        for (int k = 0; k < n; k++) {
            int p = base + k * inner;
            acc += log ? g.get(p) : g.get(p) * y.get(p);
        }
        for (int k = 0; k < n; k++) {
            int p = base + k * inner;
            out.set(p, log ? g.get(p) - Math.exp(y.get(p)) * acc : y.get(p) * (g.get(p) - acc));
        }
    }

    @Override
    public void logSumExpBackward(Storage x, double[] shift, double[] logSum, Storage g, Storage out, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int r = o * inner + in;
                logSumExpBackwardRow(x, shift[r], logSum[r], g.get(r), out, o * n * inner + in, n, inner);
            }
        }
    }

    /** {@code out[p] = gr·exp((x[p] - m) - l)} for the row {@code p = base + k·inner}, {@code k < n}. */
    static void logSumExpBackwardRow(Storage x, double m, double l, double gr, Storage out, int base, int n, int inner) {
        for (int k = 0; k < n; k++) {
            int p = base + k * inner;
            out.set(p, gr * Math.exp((x.get(p) - m) - l));
        }
    }

    // ------------------------------------------------------------------ element-wise

    @Override
    public void relu(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, relu(x.get(i)));
    }

    /** {@code max(v, 0)} with NaN kept and {@code -0} mapped to {@code +0}. */
    static double relu(double v) {
        return v > 0 ? v : (v != v ? v : 0.0);
    }

    @Override
    public void reluBackward(Storage x, Storage g, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, x.get(i) <= 0 ? 0.0 : g.get(i));
    }

    /** The stable logistic function: {@code 1/(1 + e^{-x})} for {@code x ≥ 0}, {@code e^x/(1 + e^x)} otherwise. */
    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public void sigmoid(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, sigmoid(x.get(i)));
    }

    @Override
    public void sigmoidBackward(Storage y, Storage g, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = y.get(i);
            out.set(i, g.get(i) * v * (1 - v));
        }
    }

    @Override
    public void silu(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x.get(i);
            out.set(i, v * sigmoid(v));
        }
    }

    @Override
    public void siluBackward(Storage x, Storage g, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x.get(i), s = sigmoid(v);
            out.set(i, g.get(i) * s * (1 + v * (1 - s)));
        }
    }

    private static final double INV_SQRT2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327;

    @Override
    public void gelu(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x.get(i);
            out.set(i, 0.5 * v * Erf.erfc(-v * INV_SQRT2));
        }
    }

    @Override
    public void geluBackward(Storage x, Storage g, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x.get(i);
            out.set(i, g.get(i) * (0.5 * Erf.erfc(-v * INV_SQRT2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)));
        }
    }

    @Override
    public void leakyRelu(Storage x, double slope, Storage out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x.get(i);
            out.set(i, v > 0 ? v : v * slope);
        }
    }

    @Override
    public void leakyReluBackward(Storage x, double slope, Storage g, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, x.get(i) > 0 ? g.get(i) : g.get(i) * slope);
    }

    @Override
    public void binary(BinaryOp op, Storage a, Operand aLayout, Storage b, Operand bLayout, Storage out, int rows, int cols) {
        binaryRange(op, a, aLayout, b, bLayout, out, 0, rows, cols);
    }

    /** {@link #binary} for output rows {@code [r0, r1)}. */
    static void binaryRange(BinaryOp op, Storage a, Operand aLayout, Storage b, Operand bLayout, Storage out, int r0, int r1, int cols) {
        for (int r = r0; r < r1; r++) {
            for (int c = 0; c < cols; c++) {
                out.set(r * cols + c, op.apply(a.get(aLayout.index(r, c, cols)), b.get(bLayout.index(r, c, cols))));
            }
        }
    }

    @Override
    public void addInPlace(Storage x, Storage out, int n) {
        for (int i = 0; i < n; i++) out.add(i, x.get(i));
    }

    @Override
    public boolean allFinite(Storage x, int n) {
        for (int i = 0; i < n; i++) if (!Double.isFinite(x.get(i))) return false;
        return true;
    }
}
