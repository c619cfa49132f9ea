package dev.jgrad.core.kernel;

/**
 * The dropout mask kernel's scalar reference ({@link KernelBackend#dropoutMask}): SplitMix64 words, two 32-bit
 * halves per word, an element dropped iff its half, read unsigned, is below the threshold.
 */
final class DropoutMask {
    /** SplitMix64's increment, {@code SplittableRandom}'s default gamma. */
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    static final long LOW32 = 0xFFFF_FFFFL;

    private DropoutMask() {
    }

    /** SplitMix64's output function (Stafford's variant 13), as in {@code SplittableRandom}. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static void apply(long start, long t, double scale, dev.jgrad.core.Storage in, dev.jgrad.core.Storage out, int n) {
        if (in instanceof dev.jgrad.core.Storage.F32 f) floats(start, t, (float) scale, f.a, ((dev.jgrad.core.Storage.F32) out).a, 0, n);
        else doubles(start, t, scale, ((dev.jgrad.core.Storage.F64) in).a, ((dev.jgrad.core.Storage.F64) out).a, n);
    }

    /** Elements {@code [from, n)}; {@code from} must be even (it starts word {@code from/2}). */
    static void floats(long start, long t, float scale, float[] a, float[] o, int from, int n) {
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

    static void doubles(long start, long t, double scale, double[] a, double[] o, int n) {
        long s = start;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long r = mix64(s += GOLDEN_GAMMA);
            o[i] = a[i] * ((double) ((int) ((r & LOW32) - t >>> 63) ^ 1) * scale);
            o[i + 1] = a[i + 1] * ((double) ((int) ((r >>> 32) - t >>> 63) ^ 1) * scale);
        }
        if (i < n) o[i] = a[i] * ((double) ((int) ((mix64(s + GOLDEN_GAMMA) & LOW32) - t >>> 63) ^ 1) * scale);
    }
}
