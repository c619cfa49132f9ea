package dev.jgrad.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
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

import static dev.jgrad.ops.Ops.permute;
import static dev.jgrad.ops.Ops.reshape;

/**
 * Forward + backward of mean (FUSED) cross-entropy in the K-dimensional, segmentation-shaped layout: logits
 * {@code [N, C, H, W]} with class-index targets {@code [N, H, W]}, every pixel a sample.
 * <ul>
 *   <li>{@link #nd}: the loss on the {@code [N, C, H, W]} logits as they are (what the loss does with that layout);</li>
 *   <li>{@link #permuted}: the alternative a caller could write, {@code permute} to {@code [N, H, W, C]} and
 *       {@code reshape} to {@code [N·H·W, C]} (a copy), then the 2-D loss (the contiguous-row fused kernel); its
 *       backward permutes the gradient back.</li>
 * </ul>
 * {@code shape} is {@code NxCxHxW}: PASCAL-VOC-like {@code 16x21x32x32} and {@code 8x10x64x64}. Each invocation clears
 * the gradient of the seeded standard-normal leaf, builds the graph, runs backward and returns the logits' gradient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CrossEntropyNdBenchmark {

    /** {@code NxCxHxW}. */
    @Param({"16x21x32x32", "8x10x64x64"})
    public String shape;

    /** Logit dtype. */
    @Param({"float32"})
    public String dtype;

    static final long SEED = 0x5EED_0CE2L;

    Tensor logits;
    IntTensor target, flatTarget;
    /** The loss of the last invocation (read by the tests). */
    Tensor loss;

    /** The seeded logits leaf (requires grad) and uniform targets, {@code [N, H, W]} and flattened. */
    @Setup(Level.Trial)
    public void setup() {
        int[] s = Arrays.stream(shape.trim().split("x")).mapToInt(Integer::parseInt).toArray();
        if (s.length != 4) throw new IllegalArgumentException("shape must be NxCxHxW, got '" + shape + "'");
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        logits = Tensor.randn(rng, dt, s).requiresGrad(true);
        flatTarget = BenchmarkSupport.randomTargets(rng, s[0] * s[2] * s[3], s[1]);
        target = IntTensor.of(flatTarget.toArray(), s[0], s[2], s[3]);
    }

    /** @return the gradient of the mean loss on the {@code [N, C, H, W]} logits */
    @Benchmark
    public Tensor nd() {
        return run(false);
    }

    /** @return the same gradient through {@code permute + reshape} to {@code [N·H·W, C]} and the 2-D loss */
    @Benchmark
    public Tensor permuted() {
        return run(true);
    }

    Tensor run(boolean permuted) {
        logits.zeroGrad();
        loss = permuted ? Losses.crossEntropy(reshape(permute(logits, 0, 2, 3, 1), -1, logits.size(1)), flatTarget)
                : Losses.crossEntropy(logits, target);
        loss.backward();
        return logits.grad();
    }
}
