package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * Channel-wise dropout, PyTorch's {@code nn.Dropout2d}: in training mode every channel {@code (n, c)} of a
 * {@code [N, C, H, W]} input is zeroed as a whole with probability {@code p} and the kept channels are scaled by
 * {@code 1/(1-p)}; in eval mode (or with {@code p = 0}) it is the identity. A 3-D input is {@code [N, C, L]}
 * (PyTorch 1.13's channel-wise 1-D behaviour). The output is {@code x · mask} with a {@code [N, C, 1, 1]} mask
 * (broadcast), so the gradient is {@code g · mask}.
 *
 * <p>The masks come from the module's seeded SplitMix64 stream as in {@link Dropout}: one word per channel, the
 * channel dropped iff the word's low 32 bits, unsigned, are below {@code round(p · 2^32)}; {@link #seedState()}
 * counts the words drawn.
 */
public final class Dropout2d extends Module {
    private final double p;
    private final long threshold;
    private final long seed;
    private long draws;

    /**
     * @param p    drop probability in [0, 1)
     * @param seed seed of the mask generator
     * @throws IllegalArgumentException if {@code p} is outside [0, 1) or NaN
     */
    public Dropout2d(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout2d: p = " + p + " must be in [0, 1)");
        this.p = p;
        this.threshold = Math.round(p * 0x1p32);
        this.seed = seed;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    /** Number of 64-bit random words (one per channel) drawn so far. */
    public long seedState() {
        return draws;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException("Dropout2d: input is null");
        if (x.rank() != 3 && x.rank() != 4) {
            throw new IllegalArgumentException("Dropout2d: expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got " + Shape.str(x.shape()));
        }
        if (!isTraining() || p == 0) return x;
        int n = x.size(0), c = x.size(1);
        Tensor mask = x.rank() == 4 ? Tensor.zeros(x.dtype(), n, c, 1, 1) : Tensor.zeros(x.dtype(), n, c, 1);
        double scale = x.dtype() == DType.FLOAT32 ? (float) (1 / (1 - p)) : 1 / (1 - p);
        long state = seed + draws * Dropout.GOLDEN_GAMMA;
        for (int i = 0; i < n * c; i++) {
            long r = Dropout.mix64(state += Dropout.GOLDEN_GAMMA);
            if ((r & Dropout.LOW32) >= threshold) mask.set(i, scale);
        }
        draws += (long) n * c;
        return Ops.mul(x, mask);
    }
}
