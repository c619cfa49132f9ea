package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Cnn;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
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
 * One full training step of the Fashion-MNIST CNN of {@code jgrad train --model cnn} ({@link Cnn#small}: conv 1→32
 * and 32→64, 3×3 pad 1, each with batch norm, ReLU and 2×2 max pooling, then 3136 → 128 → 10 with dropout 0.25),
 * float32, batch 128: {@code zeroGrad}, forward in training mode, fused cross-entropy, backward, AdamW step.
 *
 * <p>The learning rate is <b>0</b> (as in {@link MlpStepBenchmark}): every step does all of its work but the
 * parameters stay put, so the single fixed batch is never memorised. The batch-norm running statistics still move.
 * The input is a seeded standard-normal batch with uniform random labels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CnnStepBenchmark {

    /** Batch size. */
    @Param({"128"})
    public int batch;

    static final int SIDE = 28;
    static final int CLASSES = 10;
    static final long SEED = 0x5EED_0317L;

    Sequential net;
    Adam optimizer;
    CrossEntropyLoss ce;
    Tensor x;
    IntTensor y;
    Workspace reusing;

    /** Builds the network (seeded PyTorch-style init), the optimizer, the loss and the batch. */
    @Setup(Level.Trial)
    public void setup() {
        net = Cnn.small(1, SIDE, SIDE, CLASSES, 0.25, SEED, DType.FLOAT32);
        net.train(true);
        optimizer = Adam.adamW(net.parameters(), 0.0, 1e-4);
        ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.FUSED).build();
        SplittableRandom rng = new SplittableRandom(SEED);
        x = Tensor.randn(rng, DType.FLOAT32, batch, SIDE * SIDE);
        y = BenchmarkSupport.randomTargets(rng, batch, CLASSES);
        reusing = Workspace.reusingGraph();
    }

    /**
     * One step on the heap.
     *
     * @return the loss of the step
     */
    @Benchmark
    public Tensor step() {
        optimizer.zeroGrad();
        Tensor loss = ce.apply(net.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss;
    }

    /**
     * The same step in a {@linkplain Workspace#reusingGraph() graph-reusing} workspace (activations, gradients, graph
     * nodes and scratch recycled from the previous step), as {@code jgrad train} runs it.
     *
     * @return the loss value of the step
     */
    @Benchmark
    public double stepReusingGraph() {
        try (Workspace w = reusing.open()) {
            return step().item();
        }
    }
}
