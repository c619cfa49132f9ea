package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.SplittableRandom;

/**
 * Inverted dropout: in training mode each element is zeroed with probability {@code p} and the rest are
 * scaled by {@code 1/(1-p)}; in eval mode it is the identity. The mask comes from the module's own
 * seeded generator, so runs are reproducible (and the generator state is part of a checkpoint through
 * {@link #seedState()}).
 */
public final class Dropout extends Module {
    private final double p;
    private SplittableRandom rng;
    private long draws;
    private long seed;

    /**
     * @param p    drop probability in [0, 1)
     * @param seed seed of the mask generator
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: p = " + p + " must be in [0, 1)");
        this.p = p;
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException("Dropout: input is null");
        if (!isTraining() || p == 0) return x;
        Tensor mask = Tensor.zerosLike(x);
        double keep = 1 / (1 - p);
        for (int i = 0; i < mask.numel(); i++) mask.set(i, rng.nextDouble() < p ? 0.0 : keep);
        draws += mask.numel();
        return Ops.mul(x, mask);
    }

    /** Number of random draws so far (restoring it with {@link #restoreSeedState(long)} reproduces later masks). */
    public long seedState() {
        return draws;
    }

    /** Re-seeds and skips {@code n} draws, reproducing the generator state after {@code n} draws. */
    public void restoreSeedState(long n) {
        restoreSeedState(seed, n);
    }

    /** The seed of the mask generator. */
    public long seed() {
        return seed;
    }

    /**
     * Re-seeds with {@code seed} and skips {@code n} draws: the generator state of a Dropout created with that seed
     * after {@code n} draws (what a checkpoint restores, whatever seed this module was built with).
     */
    public void restoreSeedState(long seed, long n) {
        if (n < 0) throw new IllegalArgumentException("Dropout: draw count " + n + " must be >= 0");
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) r.nextDouble();
        this.seed = seed;
        this.rng = r;
        this.draws = n;
    }
}
