package dev.jgrad.nn.io;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Element types supported in safetensors files by this library. The constant names are the
 * format's dtype strings ({@code "F32"}, {@code "F64"}, {@code "F16"}, {@code "BF16"},
 * {@code "I64"}, {@code "I32"}); all are stored little-endian.
 */
public enum ElementType {
    /** IEEE 754 binary32. */
    F32(4, 11, true),
    /** IEEE 754 binary64. */
    F64(8, 12, true),
    /** Two's-complement signed 64-bit integer. */
    I64(8, 13, false),
    /** IEEE 754 binary16 (half precision: 5 exponent bits, 10 mantissa bits). */
    F16(2, 7, true),
    /** bfloat16: the upper 16 bits of a binary32 (8 exponent bits, 7 mantissa bits). */
    BF16(2, 8, true),
    /** Two's-complement signed 32-bit integer. */
    I32(4, 9, false);

    private final int byteSize;
    private final int formatRank;
    private final boolean floatingPoint;

    ElementType(int byteSize, int formatRank, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.formatRank = formatRank;
        this.floatingPoint = floatingPoint;
    }

    /**
     * Position of this dtype in the reference implementation's dtype enumeration (BOOL, U8, I8, F8_E5M2, F8_E4M3,
     * I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64), which orders dtypes by increasing alignment. Its writer
     * lays tensors out by decreasing rank, then by name.
     *
     * @return the rank (F16 7, BF16 8, I32 9, F32 11, F64 12, I64 13)
     */
    public int formatRank() {
        return formatRank;
    }

    /**
     * Whether this is a floating-point type.
     *
     * @return true for F16, BF16, F32 and F64
     */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * Bytes per element.
     *
     * @return 2, 4 or 8
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Looks up a dtype string as written in a safetensors header.
     *
     * @param dtype e.g. {@code "F32"} (case-sensitive, as the format requires)
     * @return the element type
     * @throws IllegalArgumentException for any other string, listing the supported ones
     */
    public static ElementType fromName(String dtype) {
        for (ElementType t : values()) {
            if (t.name().equals(dtype)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + dtype + "' (supported: "
                + Arrays.toString(values()) + ")");
    }

    /**
     * Appends {@code v} converted to this type at the buffer's position (the buffer must be little-endian):
     * F32 rounds to nearest even, F16/BF16 as {@link HalfFloats}, F64 is exact; the integer types need a whole
     * number in their range.
     *
     * @param b a little-endian buffer with room for {@link #byteSize()} bytes
     * @param v the value
     * @throws IllegalArgumentException for an integer type and a value that is not a whole number in range
     */
    public void put(ByteBuffer b, double v) {
        switch (this) {
            case F32 -> b.putFloat((float) v);
            case F64 -> b.putDouble(v);
            case F16 -> b.putShort((short) HalfFloats.toFloat16Bits(v));
            case BF16 -> b.putShort((short) HalfFloats.toBFloat16Bits(v));
            case I64 -> b.putLong(whole(v, Long.MIN_VALUE, Long.MAX_VALUE));
            case I32 -> b.putInt((int) whole(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
        }
    }

    private long whole(double v, long min, long max) {
        // 2^63 is exactly representable; anything at or above it does not fit a long
        if (v != Math.rint(v) || v < min || v >= 0x1p63 || (long) v > max) {
            throw new IllegalArgumentException("value " + v + " is not a whole number representable as " + this);
        }
        return (long) v;
    }

    /**
     * Element {@code i} of a little-endian buffer holding elements of this type, as a double: exact for the
     * floating-point types and for integers of magnitude up to 2<sup>53</sup> (larger ones are rounded).
     *
     * @param b the buffer (absolute indexing; its position is ignored)
     * @param i the element index
     * @return the value
     */
    public double get(ByteBuffer b, int i) {
        int at = i * byteSize;
        return switch (this) {
            case F32 -> b.getFloat(at);
            case F64 -> b.getDouble(at);
            case F16 -> HalfFloats.fromFloat16Bits(b.getShort(at));
            case BF16 -> HalfFloats.fromBFloat16Bits(b.getShort(at));
            case I64 -> b.getLong(at);
            case I32 -> b.getInt(at);
        };
    }
}
