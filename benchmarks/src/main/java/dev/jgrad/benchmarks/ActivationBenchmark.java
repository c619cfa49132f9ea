package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ScalarKernels;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The activations used in training (sigmoid, SiLU, leaky ReLU; ReLU and exact GELU for reference), forward and
 * backward on a float32 {@code [256, 4096]} input, on the SIMD kernels (the default backend) or the scalar ones
 * ({@code backend=scalar}, set through {@link Kernels#use} and restored on tear-down). Each invocation builds the node,
 * back-propagates a fixed upstream gradient and returns {@code x.grad()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ActivationBenchmark {

    /** The activation. */
    @Param({"sigmoid", "silu", "leakyRelu", "relu", "gelu"})
    public String op;

    /** {@code simd} (the default backend) or {@code scalar}. */
    @Param({"simd", "scalar"})
    public String backend;

    /** {@code ROWSxCOLS}. */
    @Param({"256x4096"})
    public String shape;

    static final long SEED = 0x5EED_AC71L;

    Tensor x;
    Tensor upstream;
    private KernelBackend previous;

    /** Builds the input and upstream gradient and selects the backend. */
    @Setup(Level.Trial)
    public void setup() {
        int[] rc = BenchmarkSupport.parseRowsCols(shape);
        SplittableRandom rng = new SplittableRandom(SEED);
        x = Tensor.randn(rng, DType.FLOAT32, rc[0], rc[1]).requiresGrad(true);
        upstream = Tensor.randn(rng, DType.FLOAT32, rc[0], rc[1]);
        previous = "scalar".equals(backend) ? Kernels.use(new ScalarKernels()) : null;
    }

    /** Restores the backend. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (previous != null) Kernels.use(previous);
    }

    /** @return {@code x.grad()} after one forward and backward */
    @Benchmark
    public Tensor forwardBackward() {
        return run(op, x, upstream);
    }

    /** One forward and backward of {@code op}; returns {@code x.grad()}. */
    static Tensor run(String op, Tensor x, Tensor upstream) {
        x.zeroGrad();
        Tensor y = switch (op) {
            case "sigmoid" -> Ops.sigmoid(x);
            case "silu" -> Ops.silu(x);
            case "leakyRelu" -> Ops.leakyRelu(x, 0.01);
            case "relu" -> Ops.relu(x);
            case "gelu" -> Ops.gelu(x);
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
        y.backward(upstream);
        return x.grad();
    }
}
