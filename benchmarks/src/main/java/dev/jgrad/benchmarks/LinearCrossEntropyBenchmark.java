package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
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
 * Forward + backward of the language-model head's loss: mean cross-entropy of {@code hidden [N, D]·weightᵀ + bias}
 * over a vocabulary of {@code V} classes, float32, fused ({@link Losses#linearCrossEntropy}: the {@code [N, V]} logits
 * never exist) against unfused ({@code crossEntropy(linear(...))}: logits and their gradient materialised). Each
 * invocation clears the gradients, builds the loss, runs backward and returns the loss (the gradients of hidden,
 * weight and bias are on the leaves). One invocation is seconds long, so single-shot timing; run with
 * {@code -prof gc} for the bytes allocated per operation. The unfused V = 128 000 step holds two {@code [N, V]} float32
 * tensors (2 GB each), hence the larger heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {BenchmarkSupport.ADD_VECTOR_MODULE, "-Xmx12g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class LinearCrossEntropyBenchmark {

    /** Rows (tokens). */
    @Param({"4096"})
    public int n;

    /** Hidden size. */
    @Param({"512"})
    public int d;

    /** Vocabulary size. */
    @Param({"32000", "128000"})
    public int vocab;

    static final long SEED = 0x11CE_17L;

    Tensor hidden, weight, bias;
    IntTensor target;

    /** Seeded standard-normal hidden states, weights of scale {@code 1/√D} (logits of order 1), zero bias, uniform targets. */
    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom rng = new SplittableRandom(SEED);
        hidden = Tensor.randn(rng, DType.FLOAT32, n, d).requiresGrad(true);
        weight = Ops.mul(Tensor.randn(rng, DType.FLOAT32, vocab, d), 1 / Math.sqrt(d)).detach().requiresGrad(true);
        bias = Tensor.zeros(DType.FLOAT32, vocab).requiresGrad(true);
        target = BenchmarkSupport.randomTargets(rng, n, vocab);
    }

    /** Fused forward + backward; returns the loss. */
    @Benchmark
    public Tensor fused() {
        return step(true);
    }

    /** Unfused {@code linear} + {@code crossEntropy} forward + backward; returns the loss. */
    @Benchmark
    public Tensor unfused() {
        return step(false);
    }

    Tensor step(boolean fused) {
        hidden.zeroGrad();
        weight.zeroGrad();
        bias.zeroGrad();
        Tensor loss = fused ? Losses.linearCrossEntropy(hidden, weight, bias, target) : Losses.crossEntropy(Ops.linear(hidden, weight, bias), target);
        loss.backward();
        return loss;
    }
}
