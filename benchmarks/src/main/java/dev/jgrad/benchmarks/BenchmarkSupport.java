package dev.jgrad.benchmarks;

import java.util.SplittableRandom;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.losses.SoftmaxCrossEntropy;

/** Parameter parsing and seeded inputs shared by the jgrad benchmarks (and their tests). */
final class BenchmarkSupport {

    /**
     * JVM flags for the forks of the jgrad benchmarks: the SIMD kernels of {@code core} use the
     * incubating Vector API, which is only resolvable with this module added (the same flag the
     * Maven build, the tests and the {@code ./jgrad} launcher use).
     */
    static final String ADD_VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    private BenchmarkSupport() {
    }

    /**
     * Parses {@code "RxC"} (e.g. {@code "1024x1000"}: batch × classes) into {@code {R, C}}.
     *
     * @param shape the shape string
     * @return the two positive dimensions
     * @throws IllegalArgumentException if the string is not two positive integers joined by {@code x}
     */
    static int[] parseRowsCols(String shape) {
        String[] parts = shape.trim().split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape must be RxC, got '" + shape + "'");
        }
        int[] dims = new int[2];
        for (int i = 0; i < 2; i++) {
            try {
                dims[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape must be RxC, got '" + shape + "'", e);
            }
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got '" + shape + "'");
            }
        }
        return dims;
    }

    /**
     * The dtype named by a {@code dtype} parameter ({@code float32} or {@code float64}).
     *
     * @param name the parameter value
     * @return the dtype
     */
    static DType dtype(String name) {
        return DType.parse(name);
    }

    /**
     * The cross-entropy strategy named by a {@code strategy} parameter: {@code FUSED},
     * {@code MAX_SHIFT}, {@code NAIVE} or {@code EPS_CLAMP_<eps>} (e.g. {@code EPS_CLAMP_1e-7}).
     *
     * @param name the parameter value
     * @return the strategy
     * @throws IllegalArgumentException for any other name
     */
    static SoftmaxCrossEntropy strategy(String name) {
        switch (name) {
            case "FUSED": return SoftmaxCrossEntropy.FUSED;
            case "MAX_SHIFT": return SoftmaxCrossEntropy.MAX_SHIFT;
            case "NAIVE": return SoftmaxCrossEntropy.NAIVE;
            default:
                if (name.startsWith("EPS_CLAMP_")) {
                    String eps = name.substring("EPS_CLAMP_".length());
                    try {
                        return SoftmaxCrossEntropy.epsClamp(Double.parseDouble(eps));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("strategy '" + name + "': '" + eps + "' is not a number", e);
                    }
                }
                throw new IllegalArgumentException("unknown strategy '" + name
                        + "': expected FUSED, MAX_SHIFT, NAIVE or EPS_CLAMP_<eps>");
        }
    }

    /**
     * The eps of an {@code EPS_CLAMP_<eps>} strategy name.
     *
     * @param name the parameter value
     * @return the eps, or NaN if the name is not an eps-clamp strategy
     */
    static double epsOf(String name) {
        return name.startsWith("EPS_CLAMP_") ? Double.parseDouble(name.substring("EPS_CLAMP_".length())) : Double.NaN;
    }

    /**
     * Uniform class indices in {@code [0, classes)} from a seeded generator.
     *
     * @param rng the generator
     * @param n number of targets
     * @param classes number of classes
     * @return an {@link IntTensor} of shape {@code [n]}
     */
    static IntTensor randomTargets(SplittableRandom rng, int n, int classes) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(classes);
        }
        return IntTensor.of(t);
    }
}
