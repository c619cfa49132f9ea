package dev.jgrad.data;

import java.util.Random;

/**
 * Seed derivation and shuffling shared by {@link Split} and {@link BatchSampler}.
 *
 * <p>Shuffles use {@link java.util.Random}, whose algorithm is fixed by its specification
 * for every Java implementation, so a given seed yields the same order on every JDK. The
 * 64-bit seed for each independent stream (per class, per epoch) is derived with the
 * SplitMix64 finaliser so that nearby seeds or epochs give unrelated orders.
 */
final class Seeds {
    /** Salt separating the split streams from the sampler streams. */
    static final long SPLIT_SALT = 0x5350_4C49_5400_0001L;
    /** Salt for the batch sampler streams. */
    static final long SAMPLER_SALT = 0x5341_4D50_4C45_0002L;

    private Seeds() {
    }

    /** Derives a well-mixed seed for stream {@code stream} of base seed {@code seed}. */
    static long derive(long seed, long salt, long stream) {
        long z = seed ^ salt;
        z += (stream + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** In-place Fisher–Yates shuffle. */
    static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
