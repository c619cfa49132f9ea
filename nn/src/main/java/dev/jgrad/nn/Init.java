package dev.jgrad.nn;

import dev.jgrad.core.Tensor;

import java.util.random.RandomGenerator;

/**
 * Weight initialisers for a {@code [out, in]} weight, from a seeded generator.
 * <ul>
 *   <li>{@link #HE_NORMAL}: {@code N(0, 2/in)} (He et al. 2015, for ReLU);</li>
 *   <li>{@link #HE_UNIFORM}: {@code U(±√(6/in))};</li>
 *   <li>{@link #XAVIER_NORMAL}: {@code N(0, 2/(in+out))} (Glorot &amp; Bengio 2010, for tanh/sigmoid);</li>
 *   <li>{@link #XAVIER_UNIFORM}: {@code U(±√(6/(in+out)))};</li>
 *   <li>{@link #PYTORCH_DEFAULT}: {@code nn.Linear}'s default, {@code U(±1/√in)} for weight and bias.</li>
 * </ul>
 * Biases are zero except with {@link #PYTORCH_DEFAULT}.
 */
public enum Init {
    HE_NORMAL, HE_UNIFORM, XAVIER_NORMAL, XAVIER_UNIFORM, PYTORCH_DEFAULT;

    /** Fills {@code w} ({@code [out, in]}) in place. */
    public void fillWeight(Tensor w, RandomGenerator rng) {
        if (w == null || w.rank() != 2) {
            throw new IllegalArgumentException("Init." + name() + ": weight must be 2-D [out, in], got "
                    + (w == null ? "null" : java.util.Arrays.toString(w.shape())));
        }
        if (rng == null) throw new IllegalArgumentException("Init." + name() + ": rng is null");
        int out = w.size(0), in = w.size(1);
        for (int i = 0; i < w.numel(); i++) w.set(i, sample(in, out, rng));
    }

    /** Fills a bias of a layer with {@code in} inputs in place. */
    public void fillBias(Tensor b, int in, RandomGenerator rng) {
        for (int i = 0; i < b.numel(); i++) b.set(i, this == PYTORCH_DEFAULT ? uniform(rng, 1 / Math.sqrt(in)) : 0.0);
    }

    private double sample(int in, int out, RandomGenerator rng) {
        switch (this) {
            case HE_NORMAL: return rng.nextGaussian() * Math.sqrt(2.0 / in);
            case HE_UNIFORM: return uniform(rng, Math.sqrt(6.0 / in));
            case XAVIER_NORMAL: return rng.nextGaussian() * Math.sqrt(2.0 / (in + out));
            case XAVIER_UNIFORM: return uniform(rng, Math.sqrt(6.0 / (in + out)));
            default: return uniform(rng, 1 / Math.sqrt(in));
        }
    }

    private static double uniform(RandomGenerator rng, double bound) {
        return (2 * rng.nextDouble() - 1) * bound;
    }
}
