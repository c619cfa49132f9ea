package dev.jgrad.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 dropout mask of {@link Dropout#mask} on the Vector API, used when the kernel backend runs on it (only
 * then is this class loaded): SplitMix64 on {@code L} 64-bit lanes at once, each lane's two 32-bit halves compared
 * (unsigned, via a sign flip) against the threshold as {@code 2L} int lanes — the little-endian halves are exactly
 * elements {@code 2k} and {@code 2k+1}. Bit-identical to {@link Dropout#maskFloats}, which does the tail.
 */
final class DropoutLanes {
    private DropoutLanes() {
    }

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LS =
            VectorSpecies.of(long.class, VectorShape.forBitSize(FS.vectorBitSize()));

    /** {@code (k + 1)·γ} for lane {@code k}: each lane's first SplitMix64 state relative to the stream position. */
    private static final long[] LANE_OFFSETS = new long[LS.length()];

    static {
        for (int k = 0; k < LANE_OFFSETS.length; k++) LANE_OFFSETS[k] = (k + 1) * Dropout.GOLDEN_GAMMA;
    }

    /**
     * Masks the whole vectors of {@code a[0 .. n)} into {@code o} and returns where it stopped (an even index: the
     * caller finishes with the scalar loop); 0 when the threshold is {@code 2^32} (drop all), which the unsigned 32-bit
     * comparison cannot express, or when the shape has no twice-as-wide int view of its long lanes.
     */
    static int floats(long start, long t, float scale, float[] a, float[] o, int n) {
        if (t > Dropout.LOW32 || FS.length() != 2 * LS.length()) return 0;
        int lanes = LS.length(), width = FS.length();
        LongVector s = LongVector.fromArray(LS, LANE_OFFSETS, 0).add(start); // lane k: start + (k + 1)·γ
        LongVector step = LongVector.broadcast(LS, lanes * Dropout.GOLDEN_GAMMA);
        int flipped = (int) (t ^ 0x8000_0000L);
        FloatVector zero = FloatVector.zero(FS);
        FloatVector keepScale = FloatVector.broadcast(FS, scale);
        int i = 0, bound = FS.loopBound(n);
        for (; i < bound; i += width) {
            LongVector z = s;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Float> keep = z.reinterpretAsInts()
                    .lanewise(VectorOperators.XOR, 0x8000_0000)
                    .compare(VectorOperators.GE, flipped).cast(FS);
            FloatVector.fromArray(FS, a, i).mul(zero.blend(keepScale, keep)).intoArray(o, i);
            s = s.add(step);
        }
        return i;
    }
}
