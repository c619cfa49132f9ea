package dev.jgrad.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.ejml.dense.row.RandomMatrices_FDRM;
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
 * Raw EJML matrix-multiply baseline: the three GEMMs of one dense layer {@code Y = X·W}, with no
 * autodiff machinery around them, in float32 ({@link CommonOps_FDRM}) and float64
 * ({@link CommonOps_DDRM}).
 *
 * <p>The {@code shape} parameter is {@code MxKxN}: {@code X} is {@code [M,K]}, {@code W} is
 * {@code [K,N]}, the upstream gradient {@code dY} is {@code [M,N]}. The benchmarks are
 * <ul>
 *   <li>{@code mult*}: forward {@code Y = X·W} ({@code [M,N]}),</li>
 *   <li>{@code multTransA*}: weight gradient {@code dW = Xᵀ·dY} ({@code [K,N]}),</li>
 *   <li>{@code multTransB*}: input gradient {@code dX = dY·Wᵀ} ({@code [M,K]}).</li>
 * </ul>
 * Outputs are preallocated in {@link #setup()}, so a benchmark invocation should allocate nothing;
 * each method returns its output so the JIT cannot drop the work.
 *
 * <p>The jgrad counterparts (same shapes, same {@code shape} parameter values) are meant to be
 * compared with these through the ratio definitions of the report, see
 * {@code dev/jgrad/benchmarks/report/report-definitions.txt}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EjmlGemmBenchmark {

    /** {@code MxKxN}; the MLP's layers at batch 128: 784→256 and 256→10. */
    @Param({"128x784x256", "128x256x10"})
    public String shape;

    FMatrixRMaj xF;
    FMatrixRMaj wF;
    FMatrixRMaj dyF;
    FMatrixRMaj yF;
    FMatrixRMaj dwF;
    FMatrixRMaj dxF;

    DMatrixRMaj xD;
    DMatrixRMaj wD;
    DMatrixRMaj dyD;
    DMatrixRMaj yD;
    DMatrixRMaj dwD;
    DMatrixRMaj dxD;

    /** Allocates random operands (fixed seed) and the preallocated outputs. */
    @Setup(Level.Trial)
    public void setup() {
        int[] mkn = parseShape(shape);
        int m = mkn[0];
        int k = mkn[1];
        int n = mkn[2];
        Random random = new Random(0x5EED_0001L);

        xF = RandomMatrices_FDRM.rectangle(m, k, -1f, 1f, random);
        wF = RandomMatrices_FDRM.rectangle(k, n, -1f, 1f, random);
        dyF = RandomMatrices_FDRM.rectangle(m, n, -1f, 1f, random);
        yF = new FMatrixRMaj(m, n);
        dwF = new FMatrixRMaj(k, n);
        dxF = new FMatrixRMaj(m, k);

        xD = RandomMatrices_DDRM.rectangle(m, k, -1d, 1d, random);
        wD = RandomMatrices_DDRM.rectangle(k, n, -1d, 1d, random);
        dyD = RandomMatrices_DDRM.rectangle(m, n, -1d, 1d, random);
        yD = new DMatrixRMaj(m, n);
        dwD = new DMatrixRMaj(k, n);
        dxD = new DMatrixRMaj(m, k);
    }

    /**
     * Parses {@code "MxKxN"} into {@code {M, K, N}}.
     *
     * @param shape the shape string, e.g. {@code "128x784x256"}
     * @return the three positive dimensions
     * @throws IllegalArgumentException if the string is not three positive integers joined by {@code x}
     */
    public static int[] parseShape(String shape) {
        String[] parts = shape.trim().split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("shape must be MxKxN, got '" + shape + "'");
        }
        int[] dims = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                dims[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape must be MxKxN, got '" + shape + "'", e);
            }
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got '" + shape + "'");
            }
        }
        return dims;
    }

    /** float32 forward: {@code Y = X·W}. */
    @Benchmark
    public FMatrixRMaj multF32() {
        return CommonOps_FDRM.mult(xF, wF, yF);
    }

    /** float32 weight gradient: {@code dW = Xᵀ·dY}. */
    @Benchmark
    public FMatrixRMaj multTransAF32() {
        return CommonOps_FDRM.multTransA(xF, dyF, dwF);
    }

    /** float32 input gradient: {@code dX = dY·Wᵀ}. */
    @Benchmark
    public FMatrixRMaj multTransBF32() {
        return CommonOps_FDRM.multTransB(dyF, wF, dxF);
    }

    /** float64 forward: {@code Y = X·W}. */
    @Benchmark
    public DMatrixRMaj multF64() {
        return CommonOps_DDRM.mult(xD, wD, yD);
    }

    /** float64 weight gradient: {@code dW = Xᵀ·dY}. */
    @Benchmark
    public DMatrixRMaj multTransAF64() {
        return CommonOps_DDRM.multTransA(xD, dyD, dwD);
    }

    /** float64 input gradient: {@code dX = dY·Wᵀ}. */
    @Benchmark
    public DMatrixRMaj multTransBF64() {
        return CommonOps_DDRM.multTransB(dyD, wD, dxD);
    }
}
