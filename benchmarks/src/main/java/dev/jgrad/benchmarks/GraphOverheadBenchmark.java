package dev.jgrad.benchmarks;

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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-node cost of the autograd machinery: a chain of {@value #OPS} tiny element-wise ops
 * ({@code y = y·a}, {@code y = y + b}, alternating, on {@code [numel]} float32 tensors), where the
 * arithmetic is negligible and the time is graph bookkeeping.
 *
 * <ul>
 *   <li>{@code chainForwardBackward}: record the chain from a leaf that requires grad, then
 *       back-propagate a fixed upstream gradient to the leaf;</li>
 *   <li>{@code chainForward}: record the chain only (nodes, saved tensors, outputs);</li>
 *   <li>{@code chainNoGrad}: the same ops on a leaf that does not require grad (no node is kept),
 *       i.e. the cost of the ops themselves.</li>
 * </ul>
 * With {@code @OperationsPerInvocation(OPS)} every score is <b>per op (graph node)</b>, in
 * nanoseconds, and {@code gc.alloc.rate.norm} is bytes per node. The leaf's gradient is
 * {@code upstream · a^(OPS/2)}, checked by {@code BenchmarkEquivalenceTest}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GraphOverheadBenchmark {

    /** Ops in the chain (half multiplications, half additions). */
    public static final int OPS = 1000;

    /** Elements per tensor. */
    @Param({"4"})
    public int numel;

    /** Per-element multipliers (cycled); chosen so that {@code a^500} stays near 1. */
    static final double[] A = {1.0005, 0.9995, -1.0, 1.0};
    /** Per-element addends (cycled). */
    static final double[] B = {0.25, -0.5, 1.0, 0.125};

    Tensor x;
    Tensor xNoGrad;
    Tensor a;
    Tensor b;
    Tensor upstream;

    /** Builds the leaf, the constants and the upstream gradient. */
    @Setup(Level.Trial)
    public void setup() {
        double[] xs = new double[numel];
        double[] as = new double[numel];
        double[] bs = new double[numel];
        double[] gs = new double[numel];
        for (int i = 0; i < numel; i++) {
            xs[i] = 0.5 + 0.25 * i;
            as[i] = A[i % A.length];
            bs[i] = B[i % B.length];
            gs[i] = 1.0 + i;
        }
        x = Tensor.of(DType.FLOAT32, xs, numel).requiresGrad(true);
        xNoGrad = Tensor.of(DType.FLOAT32, xs, numel);
        a = Tensor.of(DType.FLOAT32, as, numel);
        b = Tensor.of(DType.FLOAT32, bs, numel);
        upstream = Tensor.of(DType.FLOAT32, gs, numel);
    }

    /**
     * Record the chain and back-propagate through it.
     *
     * @return the leaf's gradient
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Tensor chainForwardBackward() {
        return backward(chain(x));
    }

    /**
     * Record the chain only.
     *
     * @return the chain's output (holding the whole graph)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Tensor chainForward() {
        return chain(x);
    }

    /**
     * The same ops with nothing recorded.
     *
     * @return the chain's output
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Tensor chainNoGrad() {
        return chain(xNoGrad);
    }

    /**
     * The recorded chain and its backward pass with anomaly detection on (every op's output and every gradient
     * checked for NaN/inf), to compare with {@link #chainForwardBackward}, which runs with it off. Off, an op
     * pays one volatile read ({@code AnomalyMode.isEnabled()}), so every other benchmark measures the off path.
     *
     * @return the leaf's gradient
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Tensor chainForwardBackwardAnomalyMode() {
        try (dev.jgrad.core.AnomalyMode.Scope s = dev.jgrad.core.AnomalyMode.enable()) {
            return backward(chain(x));
        }
    }

    Tensor chain(Tensor start) {
        Tensor y = start;
        for (int i = 0; i < OPS; i += 2) {
            y = Ops.add(Ops.mul(y, a), b);
        }
        return y;
    }

    Tensor backward(Tensor y) {
        x.zeroGrad();
        y.backward(upstream);
        return x.grad();
    }
}
