package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;

/**
 * The reference (scalar) fused cross-entropy kernels for class-index targets, row by row: the {@link ScalarKernels}
 * implementation of {@link KernelBackend#crossEntropyForward} and {@link KernelBackend#crossEntropyBackward}, and the
 * exact path {@link SimdCrossEntropy} takes for rows with a non-finite shift, log-sum or scale. Evaluated in double,
 * rounded once on store. No Vector API here, so this class loads on any JVM.
 */
final class CrossEntropyRows {
    private CrossEntropyRows() {
    }

    /**
     * {@link KernelBackend#crossEntropyForward} without exps: the log-sum-exp parts of every row
     * ({@link ScalarKernels#logSumExpRow}). Returns false (no exps stored).
     */
    static boolean forward(Storage x, double[] shift, double[] logSum, int rows, int cols) {
        for (int r = 0; r < rows; r++) ScalarKernels.logSumExpRow(x, r * cols, cols, 1, shift, logSum, r);
        return false;
    }

    /** {@link KernelBackend#crossEntropyBackward} over all rows (from {@code x}: this path needs no saved exps). */
    static void backward(Storage x, double[] shift, double[] logSum, double[] scale, int[] target, Storage out, int rows, int cols) {
        for (int r = 0; r < rows; r++) backwardRow(x, shift[r], logSum[r], scale[r], target[r], out, r * cols, cols);
    }

    /**
     * One row at {@code base}: {@code out = s·exp((x - m) - l)} (all {@code +0} when {@code s == 0}), then, for
     * {@code t >= 0}, the target element {@code out[base + t] = s·expm1((x[base + t] - m) - l)}.
     */
    static void backwardRow(Storage x, double m, double l, double s, int t, Storage out, int base, int cols) {
        ScalarKernels.scaledSoftmaxRow(x, m, l, s, out, base, cols);
        if (t >= 0) out.set(base + t, target(x.get(base + t), m, l, s));
    }

    /** The target element's gradient {@code s·expm1((x - m) - l)}: {@code s·(p - 1)} without cancellation when {@code p ≈ 1}. */
    static double target(double x, double m, double l, double s) {
        return s * Math.expm1((x - m) - l);
    }
}
