package dev.jgrad.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * The vectors the replicas exchange through {@code BarrierTaskContext.allGather}, which carries strings: Base64 of
 * little-endian IEEE values, float64 (8 bytes a value) or float32 (4 bytes, for float32 models, whose gradients are
 * float32 values anyway), with a one-character tag, {@code D} or {@code F}. Base64 adds a third: a float32 gradient
 * of {@code P} parameters is {@code 4P·4/3} characters.
 */
final class Codec {
    private Codec() {
    }

    /**
     * Encodes {@code v}; with {@code float32} each value is rounded to float32 (the values of a float32 model are
     * float32 already, so nothing is lost).
     */
    static String encode(double[] v, boolean float32) {
        ByteBuffer b = ByteBuffer.allocate(v.length * (float32 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        if (float32) for (double x : v) b.putFloat((float) x);
        else for (double x : v) b.putDouble(x);
        return (float32 ? "F" : "D") + Base64.getEncoder().encodeToString(b.array());
    }

    /**
     * Decodes a string of {@link #encode}.
     *
     * @throws IllegalArgumentException for a string without the tag, bad Base64 or a length that is not whole values
     */
    static double[] decode(String s) {
        if (s == null || s.isEmpty() || (s.charAt(0) != 'F' && s.charAt(0) != 'D')) {
            throw new IllegalArgumentException("Codec.decode: not an encoded vector (tag F or D expected)");
        }
        boolean f = s.charAt(0) == 'F';
        byte[] raw = Base64.getDecoder().decode(s.substring(1));
        int width = f ? 4 : 8;
        if (raw.length % width != 0) throw new IllegalArgumentException("Codec.decode: " + raw.length + " bytes is not whole " + (f ? "float32" : "float64") + " values");
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[raw.length / width];
        for (int i = 0; i < v.length; i++) v[i] = f ? b.getFloat() : b.getDouble();
        return v;
    }
}
