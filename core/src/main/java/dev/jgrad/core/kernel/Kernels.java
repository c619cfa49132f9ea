package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import org.ejml.data.Matrix;

/**
 * Static facade over the active {@link KernelBackend}: the one place ops go for hot numeric kernels.
 *
 * <p><b>Selection</b> (once, at class initialisation): {@link SimdKernels} when the JVM has the incubating
 * Vector API module ({@code --add-modules jdk.incubator.vector}) and the system property
 * {@code jgrad.kernels} is not {@code scalar}; otherwise {@link ScalarKernels} (EJML's {@code CommonOps} for
 * matrix products, plain loops elsewhere). When the fast path was wanted but the module is missing, one line
 * saying how to enable it ({@link #NO_VECTOR_API}) is printed to stderr. {@code SimdKernels} is loaded
 * reflectively, so this class never links against {@code jdk.incubator.vector} and loads on any JVM.
 *
 * <p>Backends are stateless (apart from reusable scratch buffers and worker threads), so one is shared
 * process-wide and between threads; {@link #use} swaps it (tests, benchmarks). Kernels that live beside their owners
 * outside this package (optimizer rules, dropout mask, fused cross-entropy) follow the active backend too: they take
 * their SIMD forms iff {@code Kernels.backend().simd()}, on up to its {@link KernelBackend#threads()} threads.
 */
public final class Kernels {
    /** The system property that selects the backend: {@code scalar}, or {@code simd} / unset for the fast path. */
    public static final String PROPERTY = "jgrad.kernels";
    /** The one line printed to stderr when the Vector API is not available. */
    public static final String NO_VECTOR_API =
            "jgrad: Vector API not enabled; using scalar kernels (run java with --add-modules jdk.incubator.vector)";
    private static final String SIMD_CLASS = "dev.jgrad.core.kernel.SimdKernels";

    private static volatile KernelBackend backend = select(System.getProperty(PROPERTY),
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), System.err);

    private Kernels() {
    }

    /**
     * The selection rule: {@code property} is the value of {@link #PROPERTY} (or null), {@code vectorModule}
     * whether {@code jdk.incubator.vector} is in the boot layer; messages go to {@code err}.
     */
    static KernelBackend select(String property, boolean vectorModule, java.io.PrintStream err) {
        String p = property == null ? "" : property.trim();
        if (p.equalsIgnoreCase("scalar")) return new ScalarKernels();
        if (!vectorModule) {
            err.println(NO_VECTOR_API);
            return new ScalarKernels();
        }
        try {
            return (KernelBackend) Class.forName(SIMD_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            err.println("jgrad: SIMD kernels unavailable (" + cause + "); using scalar kernels");
            return new ScalarKernels();
        }
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

    /**
     * See {@link KernelBackend#gemm(Storage, int, boolean, Storage, int, boolean, Storage, int, int, int, int, boolean)}:
     * the product of matrix blocks inside storages, read in place. Empty products return at once; {@code k = 0} sets
     * the C block to zero (unless {@code accumulate}).
     *
     * @throws IllegalArgumentException naming the offending block when a block lies outside its storage, does not
     *                                  start at a whole row, or the dtypes differ
     */
    public static void gemm(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                            int m, int n, int k, boolean accumulate) {
        if (checked(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate)) {
            backend.gemm(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        }
    }

    /**
     * See {@link KernelBackend#gemmSerial}: {@link #gemm(Storage, int, boolean, Storage, int, boolean, Storage, int, int,
     * int, int, boolean) gemm} on the calling thread only, for callers that already split their work over the kernel
     * threads (e.g. one product per sample); the same checks.
     */
    public static void gemmSerial(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                                  int m, int n, int k, boolean accumulate) {
        if (checked(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate)) {
            backend.gemmSerial(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        }
    }

    /** The checks of the block products; false when the product is empty (then already done). */
    private static boolean checked(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                                   int m, int n, int k, boolean accumulate) {
        if (a.dtype() != c.dtype() || b.dtype() != c.dtype()) {
            throw new IllegalArgumentException("gemm: mixed dtypes " + a.dtype() + ", " + b.dtype() + ", " + c.dtype());
        }
        block("C", c, cOff, m * n, n);
        if (m == 0 || n == 0) return false;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m * n; i++) c.set(cOff + i, 0);
            return false;
        }
        block("A", a, aOff, m * k, transA ? m : k);
        block("B", b, bOff, k * n, transB ? k : n);
        if (a == c || b == c) throw new IllegalArgumentException("gemm: C must not share storage with A or B");
        return true;
    }

    private static void block(String name, Storage s, int off, int size, int width) {
        if (off < 0 || size < 0 || (long) off + size > s.length() || width > 0 && off % width != 0) {
            throw new IllegalArgumentException("gemm: block " + name + " of " + size + " elements (rows of " + width
                    + ") at offset " + off + " does not fit a storage of " + s.length() + " elements at a row boundary");
        }
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

    /** See {@link KernelBackend#softmaxBackward}. */
    public static void softmaxBackward(Storage y, Storage g, Storage out, int outer, int n, int inner, boolean log) {
        backend.softmaxBackward(y, g, out, outer, n, inner, log);
    }

    /** See {@link KernelBackend#logSumExpBackward}. */
    public static void logSumExpBackward(Storage x, double[] shift, double[] logSum, Storage g, Storage out, int outer, int n, int inner) {
        backend.logSumExpBackward(x, shift, logSum, g, out, outer, n, inner);
    }

    /** See {@link KernelBackend#relu}. */
    public static void relu(Storage x, Storage out, int n) {
        backend.relu(x, out, n);
    }

    /** See {@link KernelBackend#reluBackward}. */
    public static void reluBackward(Storage x, Storage g, Storage out, int n) {
        backend.reluBackward(x, g, out, n);
    }

    /** See {@link KernelBackend#sigmoid}. */
    public static void sigmoid(Storage x, Storage out, int n) {
        backend.sigmoid(x, out, n);
    }

    /** See {@link KernelBackend#sigmoidBackward}. */
    public static void sigmoidBackward(Storage y, Storage g, Storage out, int n) {
        backend.sigmoidBackward(y, g, out, n);
    }

    /** See {@link KernelBackend#silu}. */
    public static void silu(Storage x, Storage out, int n) {
        backend.silu(x, out, n);
    }

    /** See {@link KernelBackend#siluBackward}. */
    public static void siluBackward(Storage x, Storage g, Storage out, int n) {
        backend.siluBackward(x, g, out, n);
    }

    /** See {@link KernelBackend#gelu}. */
    public static void gelu(Storage x, Storage out, int n) {
        backend.gelu(x, out, n);
    }

    /** See {@link KernelBackend#geluBackward}. */
    public static void geluBackward(Storage x, Storage g, Storage out, int n) {
        backend.geluBackward(x, g, out, n);
    }

    /** See {@link KernelBackend#leakyRelu}. */
    public static void leakyRelu(Storage x, double slope, Storage out, int n) {
        backend.leakyRelu(x, slope, out, n);
    }

    /** See {@link KernelBackend#leakyReluBackward}. */
    public static void leakyReluBackward(Storage x, double slope, Storage g, Storage out, int n) {
        backend.leakyReluBackward(x, slope, g, out, n);
    }

    /** See {@link KernelBackend#binary}. */
    public static void binary(BinaryOp op, Storage a, Operand aLayout, Storage b, Operand bLayout, Storage out, int rows, int cols) {
        backend.binary(op, a, aLayout, b, bLayout, out, rows, cols);
    }

    /** See {@link KernelBackend#addInPlace}. */
    public static void addInPlace(Storage x, Storage out, int n) {
        backend.addInPlace(x, out, n);
    }

    /** See {@link KernelBackend#allFinite}. */
    public static boolean allFinite(Storage x, int n) {
        return backend.allFinite(x, n);
    }
}
