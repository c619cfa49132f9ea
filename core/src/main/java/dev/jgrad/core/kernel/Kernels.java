package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import org.ejml.data.Matrix;

/**
 * Static facade over the active {@link KernelBackend}: the one place ops go for hot numeric kernels.
 *
 * <p>The default backend is {@link ScalarKernels} (EJML's {@code CommonOps} for matrix products, plain
 * loops elsewhere). The backend is chosen once, process-wide, and is stateless, so it is safe to share
 * between threads.
 */
public final class Kernels {
    private static volatile KernelBackend backend = new ScalarKernels();

    private Kernels() {
    }

    /** The active backend. */
    public static KernelBackend backend() {
        return backend;
    }

    /** Installs a backend (for tests and benchmarks that compare backends); returns the previous one. */
    public static KernelBackend use(KernelBackend b) {
        KernelBackend prev = backend;
        backend = java.util.Objects.requireNonNull(b, "backend");
        return prev;
    }

    /** See {@link KernelBackend#gemm}. */
    public static void gemm(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate) {
        backend.gemm(a, transA, b, transB, c, accumulate);
    }

    /** See {@link KernelBackend#exp}. */
    public static void exp(Storage x, Storage out, int n) {
        backend.exp(x, out, n);
    }

    /** See {@link KernelBackend#log}. */
    public static void log(Storage x, Storage out, int n) {
        backend.log(x, out, n);
    }

    /** See {@link KernelBackend#softmax}. */
    public static void softmax(Storage x, Storage out, int outer, int n, int inner, boolean log) {
        backend.softmax(x, out, outer, n, inner, log);
    }

    /** See {@link KernelBackend#logSumExp}. */
    public static void logSumExp(Storage x, double[] shift, double[] logSum, int outer, int n, int inner) {
        backend.logSumExp(x, shift, logSum, outer, n, inner);
    }

    /** See {@link KernelBackend#sum}. */
    public static void sum(Storage x, Storage out, int outer, int n, int inner) {
        backend.sum(x, out, outer, n, inner);
    }

    /** See {@link KernelBackend#scaledSoftmax}. */
    public static void scaledSoftmax(Storage x, double[] shift, double[] logSum, double[] scale, Storage out, int rows, int cols) {
        backend.scaledSoftmax(x, shift, logSum, scale, out, rows, cols);
    }
}
