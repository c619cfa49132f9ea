package dev.jgrad.nn;

import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;

/**
 * Inverted dropout: in training mode each element is zeroed with probability {@code p} and the rest are
 * scaled by {@code 1/(1-p)}; in eval mode (or with {@code p = 0}) it is the identity. The output is the input
 * multiplied by the mask (so a NaN or infinite input stays NaN where dropped, as with an explicit mask
 * multiplication), and the gradient is the upstream gradient multiplied by the same mask.
 *
 * <h2>Mask distribution and reproducibility</h2>
 * The masks come from the module's own seeded SplitMix64 stream, the generator of
 * {@link java.util.SplittableRandom}: word {@code k} of the stream is the {@code k}-th {@code nextLong()} of
 * {@code new SplittableRandom(seed)}. One forward call over {@code n} elements consumes {@code ceil(n/2)} words
 * (calls always start on a fresh word): element {@code 2k} uses the low and element {@code 2k+1} the high 32 bits
 * of the call's word {@code k}, read as an unsigned integer {@code u} in {@code [0, 2^32)}, and the element is
 * dropped iff {@code u < t} with {@code t = round(p · 2^32)}. Each element is therefore dropped independently
 * with probability exactly {@code t / 2^32}: exactly {@code p} when {@code p · 2^32} is an integer (0.5, 0.25,
 * 0.125, ...) and within {@code 2^-33} of {@code p} otherwise (for {@code p = 0.2}: 0.19999999995). Kept
 * elements are multiplied by {@code 1/(1-p)}, rounded to the tensor's dtype.
 *
 * <p>The generator position — the number of words consumed — is {@link #seedState()}; together with
 * {@link #seed()} it is saved in checkpoints, and {@link #restoreSeedState(long, long)} jumps back to any
 * position in constant time, so a resumed run draws exactly the masks an uninterrupted run would have drawn.
 * (Checkpoints written before this mask layout counted one {@code nextDouble()} — also one word — per element,
 * so they restore to the same stream position; the masks drawn after it follow the layout above.)
 *
 * <p>The mask is applied by {@link #mask}: a scalar loop, or for float32 with a SIMD kernel backend
 * ({@link KernelBackend#simd()}) SplitMix64 on 64-bit vector lanes ({@link DropoutLanes}), bit-identical.
 */
public final class Dropout extends Module {
    /** SplitMix64's increment, {@code SplittableRandom}'s default gamma. */
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** The low 32 bits of a word: the draw of an even element. */
    static final long LOW32 = 0xFFFF_FFFFL;

    private final double p;
    /** Drop an element iff its 32 random bits, unsigned, are below this; in [0, 2^32]. */
    private final long threshold;
    private long seed;
    /** Words consumed so far. */
    private long draws;
    /** SplitMix64 state: {@code seed + draws · GOLDEN_GAMMA}. */
    private long state;

    /**
     * @param p    drop probability in [0, 1)
     * @param seed seed of the mask generator
     * @throws IllegalArgumentException if {@code p} is outside [0, 1) or NaN
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: p = " + p + " must be in [0, 1)");
        this.p = p;
        this.threshold = Math.round(p * 0x1p32);
        this.seed = seed;
        this.state = seed;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    /**
     * The probability with which the masks drop an element, {@code round(p · 2^32) / 2^32}: {@code p} itself when
     * {@code p · 2^32} is an integer, otherwise within {@code 2^-33} of it.
     */
    public double effectiveDropProbability() {
        return threshold * 0x1p-32;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException("Dropout: input is null");
        if (!isTraining() || p == 0) return x;
        return Mask.of(this).apply(x);
    }

    /** Number of 64-bit random words drawn so far (restoring it with {@link #restoreSeedState(long)} reproduces later masks). */
    public long seedState() {
        return draws;
    }

    /** Moves the generator to the position after {@code n} words of this module's seed (constant time). */
    public void restoreSeedState(long n) {
        restoreSeedState(seed, n);
    }

    /** The seed of the mask generator. */
    public long seed() {
        return seed;
    }

    /**
     * Re-seeds with {@code seed} and moves to the position after {@code n} words: the generator state of a Dropout
     * created with that seed after {@code n} words (what a checkpoint restores, whatever seed this module was
     * built with). Constant time.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public void restoreSeedState(long seed, long n) {
        if (n < 0) throw new IllegalArgumentException("Dropout: draw count " + n + " must be >= 0");
        this.seed = seed;
        this.draws = n;
        this.state = seed + n * GOLDEN_GAMMA;
    }

    /** SplitMix64's output function (Stafford's variant 13), as in {@code SplittableRandom}. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Inverted-dropout masking: {@code out[i] = in[i] · (kept(i) ? scale : 0)} for {@code i < n}, the mask drawn from
     * the SplitMix64 stream at {@code start}: word {@code k = mix64(start + (k+1)·γ)}, element {@code 2k} uses its low
     * and {@code 2k+1} its high 32 bits read unsigned, and an element is dropped iff those bits are below
     * {@code threshold} (in {@code [0, 2^32]}). Every element of {@code out} is written. Float32 storage with a SIMD
     * backend takes {@link DropoutLanes} for the whole vectors, bit-identical to the scalar loop.
     */
    static void mask(KernelBackend kernels, long start, long threshold, double scale, Storage in, Storage out, int n) {
        if (in instanceof Storage.F32 f) {
            float[] a = f.a, o = ((Storage.F32) out).a;
            float sc = (float) scale;
            int done = kernels.simd() ? DropoutLanes.floats(start, threshold, sc, a, o, n) : 0;
            maskFloats(start, threshold, sc, a, o, done, n);
        } else {
            maskDoubles(start, threshold, scale, ((Storage.F64) in).a, ((Storage.F64) out).a, n);
        }
    }

    /** {@link #mask} of float32 elements {@code [from, n)}; {@code from} must be even (it starts word {@code from/2}). */
    static void maskFloats(long start, long t, float scale, float[] a, float[] o, int from, int n) {
        // the factor is 0 or scale: (float) keep * scale, with keep = 1 when the 32-bit draw is >= t (no branch, no
        // lookup array, which would be allocated on every call)
        long s = start + ((long) from >>> 1) * GOLDEN_GAMMA;
        int i = from;
        for (; i + 1 < n; i += 2) {
            long r = mix64(s += GOLDEN_GAMMA);
            o[i] = a[i] * ((float) ((int) ((r & LOW32) - t >>> 63) ^ 1) * scale);
            o[i + 1] = a[i + 1] * ((float) ((int) ((r >>> 32) - t >>> 63) ^ 1) * scale);
        }
        if (i < n) o[i] = a[i] * ((float) ((int) ((mix64(s + GOLDEN_GAMMA) & LOW32) - t >>> 63) ^ 1) * scale);
    }

    /** {@link #mask} of float64 elements. */
    private static void maskDoubles(long start, long t, double scale, double[] a, double[] o, int n) {
        long s = start;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long r = mix64(s += GOLDEN_GAMMA);
            o[i] = a[i] * ((double) ((int) ((r & LOW32) - t >>> 63) ^ 1) * scale);
            o[i + 1] = a[i + 1] * ((double) ((int) ((r >>> 32) - t >>> 63) ^ 1) * scale);
        }
        if (i < n) o[i] = a[i] * ((double) ((int) ((mix64(s + GOLDEN_GAMMA) & LOW32) - t >>> 63) ^ 1) * scale);
    }

    /** The masked multiplication as one graph node; backward regenerates the same mask from the saved position. */
    private static final class Mask extends Function {
        /** The layer whose stream and probability this node uses (set by {@link #of} on every call: nodes are recycled). */
        private Dropout layer;
        private long start;

        private Mask() {
        }

        static Mask of(Dropout layer) {
            Mask op = node(Mask.class, Mask::new);
            op.layer = layer;
            return op;
        }

        @Override
        public String name() {
            return "Dropout";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Dropout d = layer;
            int n = x.numel();
            start = d.state;
            long words = ((long) n + 1) >>> 1;
            d.state += words * GOLDEN_GAMMA;
            d.draws += words;
            Tensor out = outUninitializedLike(x); // the kernel writes every element
            mask(Kernels.backend(), start, d.threshold, d.scale(), x.storage(), out.storage(), n);
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = outUninitializedLike(g);
            mask(Kernels.backend(), start, layer.threshold, layer.scale(), g.storage(), gx.storage(), g.numel());
            return gradients(gx);
        }
    }

    private double scale() {
        return 1 / (1 - p);
    }
}
