package dev.jgrad.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Conv2d;
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
 * A {@link Conv2d} layer (3×3, padding 1, stride 1, with bias) on the two convolution shapes of a small MNIST CNN:
 * {@code [128, 1, 28, 28] → 32} channels and {@code [128, 32, 14, 14] → 64} channels.
 *
 * <ul>
 *   <li>{@code forward}: the layer's output for an input that does not require grad (the parameters do, so the
 *       graph is recorded as in training);</li>
 *   <li>{@code forwardBackward}: forward of an input that requires grad, then backward of
 *       {@code sum(y · upstream)} (dx, dW and db); returns the weight's gradient.</li>
 * </ul>
 *
 * <p>{@code shape} is {@code <N>x<C>x<H>x<W>@<out channels>}; {@code benchmarks/pytorch/conv_reference.py}
 * times the same workloads with PyTorch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchmarkSupport.ADD_VECTOR_MODULE)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBenchmark {

    /** {@code <N>x<C>x<H>x<W>@<out channels>}. */
    @Param({"128x1x28x28@32", "128x32x14x14@64"})
    public String shape;

    /** Input and parameter dtype. */
    @Param({"float32"})
    public String dtype;

    static final long SEED = 0xC0_4F2DL;

    Conv2d conv;
    Tensor x;
    Tensor xGrad;
    Tensor upstream;

    /**
     * The input dimensions and the output channels of a {@code shape} parameter.
     *
     * @param shape {@code <N>x<C>x<H>x<W>@<out>}
     * @return {@code {N, C, H, W, out}}
     * @throws IllegalArgumentException unless the string is four positive {@code x}-joined integers, {@code @} and a
     *                                  positive integer
     */
    static int[] parseShape(String shape) {
        int[][] dims = BatchedMatmulBenchmark.parseShapes(shape);
        if (dims[0].length != 4 || dims[1].length != 1) {
            throw new IllegalArgumentException("shape must be <N>x<C>x<H>x<W>@<out channels>, got '" + shape + "'");
        }
        return new int[] {dims[0][0], dims[0][1], dims[0][2], dims[0][3], dims[1][0]};
    }

    /** Builds the seeded layer, a uniform {@code [-1, 1)} input (and a grad-requiring copy) and the upstream gradient. */
    @Setup(Level.Trial)
    public void setup() {
        int[] d = parseShape(shape);
        DType dt = BenchmarkSupport.dtype(dtype);
        SplittableRandom rng = new SplittableRandom(SEED);
        conv = new Conv2d(d[1], d[4], new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 1, true, "zeros", rng, dt);
        x = Tensor.rand(rng, -1, 1, dt, d[0], d[1], d[2], d[3]);
        xGrad = x.copy().requiresGrad(true);
        upstream = Tensor.rand(rng, -1, 1, dt, d[0], d[4], d[2], d[3]);
    }

    /** Forward and backward of {@code sum(conv(x) · upstream)} on fresh gradients; returns {@code dL/dW}. */
    Tensor step() {
        conv.zeroGrad();
        xGrad.zeroGrad();
        conv.forward(xGrad).backward(upstream);
        return conv.weight().grad();
    }

    /**
     * The layer's forward pass.
     *
     * @return {@code conv(x)}
     */
    @Benchmark
    public Tensor forward() {
        return conv.forward(x);
    }

    /**
     * Forward and backward (input, weight and bias gradients).
     *
     * @return the weight's gradient
     */
    @Benchmark
    public Tensor forwardBackward() {
        return step();
    }
}
