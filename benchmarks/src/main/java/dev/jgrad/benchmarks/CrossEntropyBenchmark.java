package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.CrossEntropyLoss;
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
 * Forward + backward of mean softmax cross-entropy on class-index targets, for every stability
 * strategy of {@link dev.jgrad.losses.SoftmaxCrossEntropy}:
 * <ul>
 *   <li>{@code FUSED}: one node (log-sum-exp per row; gradient {@code (softmax − onehot)/N});</li>
 *   <li>{@code MAX_SHIFT}: max-shifted softmax → log → NLL;</li>
 *   <li>{@code NAIVE}: exp → sum → divide → log → NLL;</li>
 *   <li>{@code EPS_CLAMP_1e-7}, {@code EPS_CLAMP_1e-12}: max-shifted softmax → {@code log(p + eps)} → NLL.</li>
 * </ul>
 *
 * <p>{@code shape} is {@code BATCHxCLASSES}: a tiny classifier head ({@code 128x10}), ImageNet-like
 * ({@code 1024x1000}) and an LLM-vocabulary row ({@code 256x32000}). The logits are a seeded
 * standard-normal leaf tensor (scale 1, where every strategy is finite and agrees with FUSED; see
 * {@code BenchmarkEquivalenceTest}), built once per trial and reused: each invocation clears its
 * gradient, builds the loss graph, runs backward and returns the logits' gradient. The time thus
 * includes graph construction, all forward and backward kernels and the allocation of every
 * intermediate (reported as {@code gc.alloc.rate.norm} with {@code -prof gc}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CrossEntropyBenchmark {

    /** Stability strategy: {@code FUSED}, {@code MAX_SHIFT}, {@code NAIVE} or {@code EPS_CLAMP_<eps>}. */
    @Param({"FUSED", "MAX_SHIFT", "NAIVE", "EPS_CLAMP_1e-7", "EPS_CLAMP_1e-12"})
    public String strategy;

    /** {@code BATCHxCLASSES}. */
    @Param({"128x10", "1024x1000", "256x32000"})
    public String shape;

    /** Logit dtype. */
    @Param({"float32", "float64"})
    public String dtype;

    /** Seed of the logits and targets (the same inputs for every strategy of a shape and dtype). */
    static final long SEED = 0x5EED_0CE1L;

    CrossEntropyLoss ce;
    Tensor logits;
    IntTensor target;
    /** The loss of the last invocation (read by the tests). */
    Tensor loss;

    /** Builds the loss module, the standard-normal logits leaf (requires grad) and uniform targets. */
    @Setup(Level.Trial)
    public void setup() {
        int[] bc = BenchmarkSupport.parseRowsCols(shape);
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        logits = Tensor.randn(rng, dt, bc[0], bc[1]).requiresGrad(true);
        target = BenchmarkSupport.randomTargets(rng, bc[0], bc[1]);
        ce = CrossEntropyLoss.builder().strategy(BenchmarkSupport.strategy(strategy)).build();
    }

    /**
     * One training-step worth of loss work: forward, backward, the logits' gradient.
     *
     * @return the gradient of the mean loss with respect to the logits
     */
    @Benchmark
    public Tensor forwardBackward() {
        return run();
    }

    Tensor run() {
        logits.zeroGrad();
        loss = ce.apply(logits, target);
        loss.backward();
        return logits.grad();
    }
}
