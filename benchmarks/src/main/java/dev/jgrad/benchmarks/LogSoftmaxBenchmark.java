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
 * {@code logSoftmax(x)} (one node) against {@code log(softmax(x))} (two nodes) along the last
 * dimension, forward + backward, on seeded standard-normal {@code x} of shape {@code BATCHxCLASSES}.
 *
 * <p>Backward is driven by a fixed seeded standard-normal upstream gradient (not a sum, which would
 * add a third node and make the log-softmax gradient {@code 1 − C·softmax}, a special case); each
 * invocation builds the graph, clears {@code x.grad()}, back-propagates and returns {@code x.grad()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LogSoftmaxBenchmark {

    /** {@code BATCHxCLASSES}. */
    @Param({"1024x1000"})
    public String shape;

    /** Input dtype. */
    @Param({"float32", "float64"})
    public String dtype;

    static final long SEED = 0x5EED_0150L;

    Tensor x;
    Tensor upstream;
    /** The output of the last invocation (read by the tests). */
    Tensor out;

    /** Builds the input leaf (requires grad) and the upstream gradient. */
    @Setup(Level.Trial)
    public void setup() {
        int[] bc = BenchmarkSupport.parseRowsCols(shape);
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        x = Tensor.randn(rng, dt, bc[0], bc[1]).requiresGrad(true);
        upstream = Tensor.randn(rng, dt, bc[0], bc[1]);
    }

    /**
     * The fused node.
     *
     * @return {@code x.grad()}
     */
    @Benchmark
    public Tensor logSoftmax() {
        return backward(Ops.logSoftmax(x, -1));
    }

    /**
     * The two-node composition.
     *
     * @return {@code x.grad()}
     */
    @Benchmark
    public Tensor logOfSoftmax() {
        return backward(Ops.log(Ops.softmax(x, -1)));
    }

    private Tensor backward(Tensor y) {
        out = y;
        x.zeroGrad();
        y.backward(upstream);
        return x.grad();
    }
}
