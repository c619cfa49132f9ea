package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernel-level GEMM of the SIMD backend against EJML, on the products of one dense layer 784→256 at
 * batch 128 (the MLP's big layer), called directly through {@link KernelBackend#gemm} on preallocated
 * matrices (no tensor layer).
 *
 * <p>{@code product} is {@code <opA><opB>:MxKxN} with {@code N} (plain) or {@code T} (transposed) per
 * operand and the product's {@code M×K×N}:
 * <ul>
 *   <li>{@code NN:128x784x256}: {@code x·W} with {@code W} stored {@code [in, out]};</li>
 *   <li>{@code NT:128x784x256}: {@code x·Wᵀ} with {@code W} stored {@code [out, in]} (the {@code Linear} forward);</li>
 *   <li>{@code TN:256x128x784}: {@code gᵀ·x} (the weight gradient, {@code g = dY [128, 256]});</li>
 *   <li>{@code NN:128x256x784}: {@code g·W} (the input gradient).</li>
 * </ul>
 * {@code backend}: {@code ejml} ({@link ScalarKernels}: {@code CommonOps_FDRM}/{@code _DDRM}), {@code simd1}
 * ({@link SimdKernels} on the calling thread only), {@code simd2} (two threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SimdGemmBenchmark {

    /** {@code <opA><opB>:MxKxN}, see the class comment. */
    @Param({"NN:128x784x256", "NT:128x784x256", "TN:256x128x784", "NN:128x256x784"})
    public String product;

    /** Operand dtype. */
    @Param({"float32", "float64"})
    public String dtype;

    /** {@code ejml}, {@code simd1} or {@code simd2}. */
    @Param({"ejml", "simd1", "simd2"})
    public String backend;

    KernelBackend kernels;
    Matrix a;
    Matrix b;
    Matrix c;
    boolean transA;
    boolean transB;

    /** Seeded uniform {@code [-1, 1)} operands stored as the mode requires, and the output. */
    @Setup(Level.Trial)
    public void setup() {
        String[] parts = product.split(":");
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        int[] mkn = EjmlGemmBenchmark.parseShape(parts[1]);
        int m = mkn[0], k = mkn[1], n = mkn[2];
        boolean f32 = BenchmarkSupport.dtype(dtype) == dev.jgrad.core.DType.FLOAT32;
        SplittableRandom rng = new SplittableRandom(0x5EED_6E33L);
        a = random(f32, transA ? k : m, transA ? m : k, rng);
        b = random(f32, transB ? n : k, transB ? k : n, rng);
        c = f32 ? new FMatrixRMaj(m, n) : new DMatrixRMaj(m, n);
        kernels = switch (backend) {
            case "ejml" -> new ScalarKernels();
            case "simd1" -> new SimdKernels(1);
            case "simd2" -> new SimdKernels(2);
            default -> throw new IllegalArgumentException("backend must be ejml, simd1 or simd2, got " + backend);
        };
    }

    private static Matrix random(boolean f32, int rows, int cols, SplittableRandom rng) {
        if (f32) {
            FMatrixRMaj m = new FMatrixRMaj(rows, cols);
            for (int i = 0; i < m.data.length; i++) m.data[i] = (float) (rng.nextDouble() * 2 - 1);
            return m;
        }
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) m.data[i] = rng.nextDouble() * 2 - 1;
        return m;
    }

    /**
     * One product into the preallocated output.
     *
     * @return the output matrix
     */
    @Benchmark
    public Matrix gemm() {
        kernels.gemm(a, transA, b, transB, c, false);
        return c;
    }
}
