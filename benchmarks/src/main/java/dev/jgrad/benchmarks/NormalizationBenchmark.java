package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
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
 * The fused normalization nodes, forward + backward (issue #14): {@code batchNorm} in training mode on
 * {@code [128, 32, 14, 14]} (running statistics updated) and {@code layerNorm} over the last dimension of
 * {@code [64, 128, 256]}, each with a weight and bias that require grad; the {@code ...Composed} twins build the same
 * function from mean / var / rsqrt / mul / add nodes, as a baseline. Each invocation clears the gradients, builds the
 * graph, back-propagates a fixed seeded upstream gradient and returns {@code x.grad()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NormalizationBenchmark {

    /** Input dtype. */
    @Param({"float32"})
    public String dtype;

    static final long SEED = 0x5EED_0014L;
    static final double EPS = 1e-5;

    Tensor bnX, bnUp, bnW, bnB, runningMean, runningVar;
    Tensor lnX, lnUp, lnW, lnB;
    /** The output of the last invocation (read by the tests). */
    Tensor out;

    /** Builds the inputs (leaves that require grad), the running statistics and the upstream gradients. */
    @Setup(Level.Trial)
    public void setup() {
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        bnX = Tensor.randn(rng, dt, 128, 32, 14, 14).requiresGrad(true);
        bnUp = Tensor.randn(rng, dt, 128, 32, 14, 14);
        bnW = Tensor.randn(rng, dt, 32).requiresGrad(true);
        bnB = Tensor.randn(rng, dt, 32).requiresGrad(true);
        runningMean = Tensor.zeros(dt, 32);
        runningVar = Tensor.ones(dt, 32);
        lnX = Tensor.randn(rng, dt, 64, 128, 256).requiresGrad(true);
        lnUp = Tensor.randn(rng, dt, 64, 128, 256);
        lnW = Tensor.randn(rng, dt, 256).requiresGrad(true);
        lnB = Tensor.randn(rng, dt, 256).requiresGrad(true);
    }

    /** @return {@code x.grad()} of the fused batch norm (training) */
    @Benchmark
    public Tensor batchNorm2dTrain() {
        return backward(Ops.batchNorm(bnX, runningMean, runningVar, bnW, bnB, true, 0.1, EPS), bnUp, bnX, bnW, bnB);
    }

    /** @return {@code x.grad()} of batch norm built from mean / var / rsqrt nodes (no running statistics) */
    @Benchmark
    public Tensor batchNorm2dTrainComposed() {
        return backward(composed(bnX, new int[] {0, 2, 3}, Ops.reshape(bnW, 32, 1, 1), Ops.reshape(bnB, 32, 1, 1)), bnUp, bnX, bnW, bnB);
    }

    /** @return {@code x.grad()} of the fused layer norm */
    @Benchmark
    public Tensor layerNorm() {
        return backward(Ops.layerNorm(lnX, new int[] {256}, lnW, lnB, EPS), lnUp, lnX, lnW, lnB);
    }

    /** @return {@code x.grad()} of layer norm built from mean / var / rsqrt nodes */
    @Benchmark
    public Tensor layerNormComposed() {
        return backward(composed(lnX, new int[] {2}, lnW, lnB), lnUp, lnX, lnW, lnB);
    }

    /** {@code (x − mean)/sqrt(var + eps)·w + b} over {@code dims}, from separate nodes (biased variance). */
    static Tensor composed(Tensor x, int[] dims, Tensor w, Tensor b) {
        Tensor centred = Ops.sub(x, Ops.mean(x, dims, true));
        Tensor y = Ops.mul(centred, Ops.rsqrt(Ops.add(Ops.var(x, dims, false, true), EPS)));
        return Ops.add(Ops.mul(y, w), b);
    }

    private Tensor backward(Tensor y, Tensor upstream, Tensor x, Tensor w, Tensor b) {
        out = y;
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        y.backward(upstream);
        return x.grad();
    }
}
