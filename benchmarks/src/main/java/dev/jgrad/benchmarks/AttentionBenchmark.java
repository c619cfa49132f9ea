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
 * {@link Ops#scaledDotProductAttention} on {@code q, k, v [B=32, H=4, L=64, E=32]} (self-attention shapes; the two
 * products are batched GEMMs of 128 slices):
 *
 * <ul>
 *   <li>{@code forward}: the op, no graph recorded;</li>
 *   <li>{@code forwardBackward}: the op on leaves that require grad, then backward of {@code sum(y · upstream)};
 *       returns the gradient of {@code q};</li>
 *   <li>{@code causalForwardBackward}: the same with {@code isCausal}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AttentionBenchmark {

    /** Operand dtype. */
    @Param({"float32"})
    public String dtype;

    static final int[] SHAPE = {32, 4, 64, 32};
    static final long SEED = 0xA77E_17L;

    Tensor q;
    Tensor k;
    Tensor v;
    Tensor upstream;

    /** Seeded normal operands that require grad and the upstream gradient. */
    @Setup(Level.Trial)
    public void setup() {
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        q = Tensor.randn(rng, dt, SHAPE).requiresGrad(true);
        k = Tensor.randn(rng, dt, SHAPE).requiresGrad(true);
        v = Tensor.randn(rng, dt, SHAPE).requiresGrad(true);
        upstream = Tensor.randn(rng, dt, SHAPE);
    }

    Tensor step(boolean causal) {
        q.zeroGrad();
        k.zeroGrad();
        v.zeroGrad();
        Ops.scaledDotProductAttention(q, k, v, null, causal).backward(upstream);
        return q.grad();
    }

    /**
     * The op, no graph.
     *
     * @return the attention output
     */
    @Benchmark
    public Tensor forward() {
        return Ops.scaledDotProductAttention(q.detach(), k.detach(), v.detach(), null, false);
    }

    /**
     * Forward and backward.
     *
     * @return the gradient of q
     */
    @Benchmark
    public Tensor forwardBackward() {
        return step(false);
    }

    /**
     * Forward and backward with the causal mask.
     *
     * @return the gradient of q
     */
    @Benchmark
    public Tensor causalForwardBackward() {
        return step(true);
    }
}
