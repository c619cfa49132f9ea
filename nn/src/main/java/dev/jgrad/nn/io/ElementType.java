package dev.jgrad.nn.io;

import java.util.Arrays;

/**
 * Element types supported in safetensors files by this library. The constant names are the
 * format's dtype strings ({@code "F32"}, {@code "F64"}, {@code "I64"}); all are stored
 * little-endian.
 */
public enum ElementType {
    /** IEEE 754 binary32. */
    F32(4),
    /** IEEE 754 binary64. */
    F64(8),
    /** Two's-complement signed 64-bit integer. */
    I64(8);

    private final int byteSize;

    ElementType(int byteSize) {
        this.byteSize = byteSize;
    }

    /**
     * Bytes per element.
     *
     * @return 4 or 8
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
}
