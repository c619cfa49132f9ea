package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
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
 * The MNIST-sized MLP of {@link MlpStepBenchmark} (784 → 256 → 128 → 10, ReLU, seeded He init) over a batch-size
 * sweep, to show latency at batch 1 and the absence of cliffs around the kernels' thresholds:
 * <ul>
 *   <li>{@code forwardNoGrad}: the forward pass ({@code Linear → ReLU → Linear → ReLU → Linear}) under
 *   {@link GradMode#noGrad()}, as a service answering one request at a time runs it (PyTorch:
 *   {@code with torch.no_grad(): net(x)}, {@code infer_784-256-128-10_b1} in {@code side_by_side.py});</li>
 *   <li>{@code forwardNoGradReusing}: the same inside a {@linkplain Workspace#reusingGraph() graph-reusing}
 *   workspace (outputs recycled: a warm call allocates nothing);</li>
 *   <li>{@code step}: the SGD-momentum training step (learning rate 0, see {@link MlpStepBenchmark}) in a
 *   graph-reusing workspace.</li>
 * </ul>
 * Scores are microseconds per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InferenceBenchmark {

    /** Batch size (rows of the input). */
    @Param({"1", "2", "8", "32", "127", "128", "129", "512"})
    public int batch;

    /** Element type. */
    @Param({"FLOAT32"})
    public String dtype;

    Sequential net;
    Sgd optimizer;
    CrossEntropyLoss ce;
    Tensor x;
    IntTensor y;
    Workspace inference, training;

    /** Builds the network, optimizer, loss and a seeded standard-normal batch with random labels. */
    @Setup(Level.Trial)
    public void setup() {
        DType dt = DType.valueOf(dtype);
        net = Mlp.builder(MlpStepBenchmark.IN, MlpStepBenchmark.CLASSES).hidden(MlpStepBenchmark.HIDDEN)
                .activation(Activation.Kind.RELU).dtype(dt).seed(MlpStepBenchmark.SEED).build();
        optimizer = new Sgd(net.parameters(), MlpStepBenchmark.LR, MlpStepBenchmark.MOMENTUM, 0, false, 0);
        ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.FUSED).build();
        SplittableRandom rng = new SplittableRandom(MlpStepBenchmark.SEED);
        x = Tensor.randn(rng, dt, batch, MlpStepBenchmark.IN);
        y = BenchmarkSupport.randomTargets(rng, batch, MlpStepBenchmark.CLASSES);
        inference = Workspace.reusingGraph();
        training = Workspace.reusingGraph();
    }

    /**
     * The forward pass without grad.
     *
     * @return the logits {@code [batch, 10]}
     */
    @Benchmark
    public Tensor forwardNoGrad() {
        return forward(net, x);
    }

    /**
     * The forward pass without grad in a graph-reusing workspace.
     *
     * @return the first logit (the tensors are recycled by the next call)
     */
    @Benchmark
    public double forwardNoGradReusing() {
        try (Workspace w = inference.open()) {
            return forward(net, x).get(0);
        }
    }

    /**
     * One training step in a graph-reusing workspace.
     *
     * @return the loss of the step
     */
    @Benchmark
    public double step() {
        return MlpStepBenchmark.stepIn(training, net, optimizer, ce, x, y);
    }

    static Tensor forward(Sequential net, Tensor x) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return net.forward(x);
        }
    }
}
