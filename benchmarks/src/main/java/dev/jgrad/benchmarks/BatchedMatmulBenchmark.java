package dev.jgrad.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
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
 * N-D {@link Ops#matmul} on attention shapes: the batched product {@code [8,4,64,32]·[8,4,32,64]} (scores
 * {@code Q·Kᵀ} of 8 sequences × 4 heads, one GEMM per slice) and the folded {@code [32,128,64]·[64,128]} (a
 * projection of every token: the leading dimensions fold into one GEMM).
 *
 * <ul>
 *   <li>{@code forward}: the product, no graph recorded;</li>
 *   <li>{@code forwardBackward}: the product of leaves that require grad, then backward of
 *       {@code sum(y · upstream)}; returns the gradient of the left operand;</li>
 *   <li>{@code foldedForward}: one 2-D product with the same flops, {@code [slices·M, K]·[K, N]} (the right
 *       operand's first slice), so {@code forward / foldedForward} is the cost of batching.</li>
 * </ul>
 *
 * <p>{@code shape} is {@code <a dims>@<b dims>}, dimensions joined by {@code x}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchedMatmulBenchmark {

    /** {@code <a dims>@<b dims>}. */
    @Param({"8x4x64x32@8x4x32x64", "32x128x64@64x128"})
    public String shape;

    /** Operand dtype. */
    @Param({"float32"})
    public String dtype;

    static final long SEED = 0xBA7C_4EDL;

    Tensor a;
    Tensor b;
    Tensor aGrad;
    Tensor bGrad;
    Tensor upstream;
    Tensor aFolded;
    Tensor bFolded;

    /**
     * The two dimension lists of a {@code shape} parameter.
     *
     * @param shape {@code <a dims>@<b dims>}, e.g. {@code 8x4x64x32@8x4x32x64}
     * @return {@code {a dims, b dims}}
     * @throws IllegalArgumentException if the string is not two {@code x}-joined lists of positive integers
     */
    static int[][] parseShapes(String shape) {
        String[] sides = shape.trim().split("@");
        if (sides.length != 2) throw new IllegalArgumentException("shape must be <a dims>@<b dims>, got '" + shape + "'");
        int[][] dims = new int[2][];
        for (int s = 0; s < 2; s++) {
            try {
                dims[s] = Arrays.stream(sides[s].split("x")).mapToInt(p -> Integer.parseInt(p.trim())).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape must be <a dims>@<b dims>, got '" + shape + "'", e);
            }
            if (Arrays.stream(dims[s]).anyMatch(d -> d <= 0)) {
                throw new IllegalArgumentException("shape dimensions must be positive, got '" + shape + "'");
            }
        }
        return dims;
    }

    /** Builds seeded uniform {@code [-1, 1)} operands, grad-requiring copies, the upstream gradient and the folded pair. */
    @Setup(Level.Trial)
    public void setup() {
        int[][] dims = parseShapes(shape);
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        a = Tensor.rand(rng, -1, 1, dt, dims[0]);
        b = Tensor.rand(rng, -1, 1, dt, dims[1]);
        aGrad = a.copy().requiresGrad(true);
        bGrad = b.copy().requiresGrad(true);
        upstream = Tensor.rand(rng, -1, 1, dt, Ops.matmul(a, b).shape());
        int k = dims[0][dims[0].length - 1], n = dims[1][dims[1].length - 1];
        aFolded = Tensor.rand(rng, -1, 1, dt, Shape.numel(Ops.matmul(a, b).shape()) / n, k);
        bFolded = Tensor.rand(rng, -1, 1, dt, k, n);
    }

    /** Forward and backward of {@code sum(a·b · upstream)} on fresh gradients; returns {@code d/da}. */
    Tensor step() {
        aGrad.zeroGrad();
        bGrad.zeroGrad();
        Ops.matmul(aGrad, bGrad).backward(upstream);
        return aGrad.grad();
    }

    /**
     * The N-D product, no graph.
     *
     * @return {@code a·b}
     */
    @Benchmark
    public Tensor forward() {
        return Ops.matmul(a, b);
    }

    /**
     * Forward and backward.
     *
     * @return the gradient of the left operand
     */
    @Benchmark
    public Tensor forwardBackward() {
        return step();
    }

    /**
     * One 2-D product with the flops of {@code forward}.
     *
     * @return {@code aFolded·bFolded}
     */
    @Benchmark
    public Tensor foldedForward() {
        return Ops.matmul(aFolded, bFolded);
    }
}
