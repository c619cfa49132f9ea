package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
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
 * One full training step of an MNIST-sized MLP, 784 → 256 → 128 → 10 with ReLU, float32, batch
 * 128: {@code zeroGrad}, forward, fused cross-entropy, backward, SGD (momentum 0.9) step.
 *
 * <p>The learning rate is <b>0</b>: the step does all of its work (the update loop still reads the
 * gradient and writes the momentum buffer and the parameters), but the parameters never change.
 * With a positive rate the network would memorise the single fixed batch within a few thousand
 * steps, after which the loss gradient ({@code softmax − onehot}) decays into subnormal floats and
 * the step time is dominated by the CPU's subnormal slow paths rather than by jgrad. The input is
 * a seeded standard-normal batch with uniform random labels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MlpStepBenchmark {

    /** Batch size. */
    @Param({"128"})
    public int batch;

    static final int IN = 784;
    static final int[] HIDDEN = {256, 128};
    static final int CLASSES = 10;
    static final double LR = 0.0;
    static final double MOMENTUM = 0.9;
    static final long SEED = 0x5EED_0317L;

    Sequential net;
    Sgd optimizer;
    CrossEntropyLoss ce;
    Tensor x;
    IntTensor y;
    Workspace workspace, reusing;

    /** Builds the network (seeded He init), the optimizer, the loss and the batch. */
    @Setup(Level.Trial)
    public void setup() {
        net = Mlp.builder(IN, CLASSES).hidden(HIDDEN).activation(Activation.Kind.RELU)
                .dtype(DType.FLOAT32).seed(SEED).build();
        optimizer = new Sgd(net.parameters(), LR, MOMENTUM, 0, false, 0);
        ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.FUSED).build();
        SplittableRandom rng = new SplittableRandom(SEED);
        x = Tensor.randn(rng, DType.FLOAT32, batch, IN);
        y = BenchmarkSupport.randomTargets(rng, batch, CLASSES);
        workspace = new Workspace();
        reusing = Workspace.reusingGraph();
    }

    /**
     * One step.
     *
     * @return the loss of the step
     */
    @Benchmark
    public Tensor step() {
        return step(net, optimizer, ce, x, y);
    }

    /**
     * The same step inside a {@link Workspace} scope: activations, gradients and the engine's working sets are
     * reused from the previous step, so a warm step allocates (next to) nothing — see the GC profiler's B/op.
     *
     * @return the loss value of the step
     */
    @Benchmark
    public double stepInWorkspace() {
        return stepIn(workspace, net, optimizer, ce, x, y);
    }

    /**
     * The same step in a {@linkplain Workspace#reusingGraph() graph-reusing} workspace, which also recycles the tensor
     * objects, graph nodes and their arrays: a warm step allocates nothing (the GC profiler's B/op is 0).
     *
     * @return the loss value of the step
     */
    @Benchmark
    public double stepReusingGraph() {
        return stepIn(reusing, net, optimizer, ce, x, y);
    }

    static double stepIn(Workspace ws, Sequential net, Optimizer optimizer, CrossEntropyLoss ce, Tensor x, IntTensor y) {
        try (Workspace w = ws.open()) {
            return step(net, optimizer, ce, x, y).item();
        }
    }

    static Tensor step(Sequential net, Optimizer optimizer, CrossEntropyLoss ce, Tensor x, IntTensor y) {
        optimizer.zeroGrad();
        Tensor loss = ce.apply(net.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss;
    }
}
