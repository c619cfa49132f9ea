package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.ops.Ops;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tensor layer's overhead on a matrix product: jgrad's {@link Ops#matmul} (forward only; the
 * inputs do not require grad, so no graph is recorded) against a direct EJML
 * {@code CommonOps_FDRM.mult} / {@code CommonOps_DDRM.mult} on the very same EJML matrices
 * ({@link Tensor#fmatrix()} / {@link Tensor#dmatrix()}) into a preallocated output.
 *
 * <ul>
 *   <li>{@code jgradMatmul}: the default kernel backend, whatever {@link Kernels#backend()} is in
 *       the fork (SIMD kernels may replace the EJML GEMM there);</li>
 *   <li>{@code jgradMatmulScalarBackend}: {@link ScalarKernels} forced through
 *       {@link Kernels#use} (restored on tear-down), i.e. the same EJML GEMM as {@code ejmlMult}, so
 *       the ratio {@code jgradMatmulScalarBackend / ejmlMult} is the pure tensor-layer overhead
 *       (shape checks, the {@code Function} node, the zero-filled output allocation, matrix views);</li>
 *   <li>{@code ejmlMult}: raw EJML.</li>
 * </ul>
 *
 * <p>{@code shape} is {@code MxKxN} with the same parameter name and values as
 * {@link EjmlGemmBenchmark}, whose {@code multF32}/{@code multF64} run the same product on
 * independently generated operands.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JgradMatmulBenchmark {

    /** {@code MxKxN}: {@code a} is {@code [M,K]}, {@code b} is {@code [K,N]}. */
    @Param({"128x784x256"})
    public String shape;

    /** Operand dtype. */
    @Param({"float32", "float64"})
    public String dtype;

    static final long SEED = 0x5EED_0AA7L;

    Tensor a;
    Tensor b;
    boolean f32;
    FMatrixRMaj cF;
    DMatrixRMaj cD;

    /** Builds seeded uniform {@code [-1, 1)} operands and the preallocated EJML output. */
    @Setup(Level.Trial)
    public void setup() {
        int[] mkn = EjmlGemmBenchmark.parseShape(shape);
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        a = Tensor.rand(rng, -1, 1, dt, mkn[0], mkn[1]);
        b = Tensor.rand(rng, -1, 1, dt, mkn[1], mkn[2]);
        f32 = dt == DType.FLOAT32;
        cF = f32 ? new FMatrixRMaj(mkn[0], mkn[2]) : null;
        cD = f32 ? null : new DMatrixRMaj(mkn[0], mkn[2]);
    }

    /** Installs {@link ScalarKernels} for the trial and restores the previous backend afterwards. */
    @State(Scope.Benchmark)
    public static class ScalarBackend {
        KernelBackend previous;

        /** Forces the scalar (EJML) backend. */
        @Setup(Level.Trial)
        public void install() {
            previous = Kernels.use(new ScalarKernels());
        }

        /** Puts the previous backend back. */
        @TearDown(Level.Trial)
        public void restore() {
            Kernels.use(previous);
        }
    }

    /**
     * jgrad, default kernel backend.
     *
     * @return {@code a·b}
     */
    @Benchmark
    public Tensor jgradMatmul() {
        return Ops.matmul(a, b);
    }

    /**
     * jgrad with the scalar (EJML) kernel backend forced.
     *
     * @param backend the state that installs the backend
     * @return {@code a·b}
     */
    @Benchmark
    public Tensor jgradMatmulScalarBackend(ScalarBackend backend) {
        return Ops.matmul(a, b);
    }

    /**
     * Raw EJML on the tensors' own matrices.
     *
     * @return {@code a·b} in the preallocated output
     */
    @Benchmark
    public Matrix ejmlMult() {
        return f32 ? CommonOps_FDRM.mult(a.fmatrix(), b.fmatrix(), cF) : CommonOps_DDRM.mult(a.dmatrix(), b.dmatrix(), cD);
    }
}
