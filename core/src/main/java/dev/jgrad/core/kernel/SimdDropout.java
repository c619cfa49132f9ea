package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 dropout mask with the Vector API ({@link KernelBackend#dropoutMask}): SplitMix64 on {@code L} 64-bit
 * lanes at once, each lane's two 32-bit halves compared (unsigned, via a sign flip) against the threshold as {@code 2L}
 * int lanes — the little-endian halves are exactly elements {@code 2k} and {@code 2k+1}. Bit-identical to
 * {@link DropoutMask}; float64 uses the scalar loops.
 */
final class SimdDropout {
    private SimdDropout() {
    }

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LS =
            VectorSpecies.of(long.class, VectorShape.forBitSize(FS.vectorBitSize()));

    /** {@code (k + 1)·γ} for lane {@code k}: each lane's first SplitMix64 state relative to the stream position. */
    private static final long[] LANE_OFFSETS = new long[LS.length()];

    static {
        for (int k = 0; k < LANE_OFFSETS.length; k++) LANE_OFFSETS[k] = (k + 1) * DropoutMask.GOLDEN_GAMMA;
    }

    static void apply(long start, long t, double scale, Storage in, Storage out, int n) {
        if (!(in instanceof Storage.F32 f) || t > DropoutMask.LOW32 || FS.length() != 2 * LS.length()) {
            DropoutMask.apply(start, t, scale, in, out, n);
            return;
        }
        float[] a = f.a, o = ((Storage.F32) out).a;
        float sc = (float) scale;
        int lanes = LS.length(), width = FS.length();
        LongVector s = LongVector.fromArray(LS, LANE_OFFSETS, 0).add(start); // lane k: start + (k + 1)·γ
        LongVector step = LongVector.broadcast(LS, lanes * DropoutMask.GOLDEN_GAMMA);
        int flipped = (int) (t ^ 0x8000_0000L);
        FloatVector zero = FloatVector.zero(FS);
        FloatVector keepScale = FloatVector.broadcast(FS, sc);
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
        DropoutMask.floats(start, t, sc, a, o, i, n);
    }
}
