package dev.jgrad.nn.io;

/**
 * Conversions between {@code double} and the 16-bit floating-point formats of safetensors files: IEEE 754
 * binary16 ({@link ElementType#F16}) and bfloat16 ({@link ElementType#BF16}).
 *
 * <p>Narrowing rounds once, directly from the double, to the nearest representable value with ties to even (so a
 * float32 or float64 value gives the correctly rounded 16-bit value, without the double rounding of going through
 * float32 first); magnitudes that round beyond the largest finite value become ±infinity; tiny values become
 * subnormals or ±0 (keeping the sign). ±infinity stays infinite; NaN becomes the canonical quiet NaN with the
 * input's sign ({@code 0x7E00} / {@code 0x7FC0}). Widening is exact.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** binary16: 10 mantissa bits, smallest normal exponent -14, bias 15. */
    private static final Format HALF = new Format(10, -14, 15, 0x7C00, 0x7E00);
    /** bfloat16: 7 mantissa bits, smallest normal exponent -126, bias 127. */
    private static final Format BFLOAT = new Format(7, -126, 127, 0x7F80, 0x7FC0);

    /** A 16-bit format with 1 sign bit, {@code 15 - mant} exponent bits and {@code mant} mantissa bits. */
    private record Format(int mant, int minExp, int bias, int infBits, int nanBits) {
        /** Largest finite value: (2 - 2^-mant) * 2^(bias). */
        double maxFinite() {
            return (2 - Math.scalb(1.0, -mant)) * Math.scalb(1.0, bias);
        }

        int encode(double v) {
            int sign = (Double.doubleToRawLongBits(v) < 0) ? 0x8000 : 0;
            if (Double.isNaN(v)) return sign | nanBits;
            double a = Math.abs(v);
            if (a == Double.POSITIVE_INFINITY) return sign | infBits;
            if (a == 0) return sign;
            // quantum (spacing of representable values) at a's binade, never below the subnormal spacing
            int e = Math.max(Math.getExponent(a), minExp);
            double q = Math.scalb(1.0, e - mant);
            double r = Math.rint(a / q) * q; // a / q is exact (power-of-two scaling); rint rounds half to even
            if (r > maxFinite()) return sign | infBits;
            if (r == 0) return sign;
            int re = Math.getExponent(r);
            if (re < minExp) return sign | (int) (r / Math.scalb(1.0, minExp - mant)); // subnormal
            long m = (long) (r / Math.scalb(1.0, re - mant)) - (1L << mant);
            return sign | ((re + bias) << mant) | (int) m;
        }

        double decode(int bits) {
            int sign = bits & 0x8000, exp = (bits >>> mant) & ((0x7FFF >>> mant)), m = bits & ((1 << mant) - 1);
            int maxExp = 0x7FFF >>> mant;
            double mag;
            if (exp == maxExp) mag = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            else if (exp == 0) mag = m * Math.scalb(1.0, minExp - mant);
            else mag = ((1 << mant) + m) * Math.scalb(1.0, exp - bias - mant);
            return sign != 0 ? -mag : mag;
        }
    }

    /**
     * Rounds to IEEE 754 binary16 bits (round to nearest, ties to even; overflow to ±infinity).
     *
     * @param v any double
     * @return the 16 bits in the low half of the int
     */
    public static int toFloat16Bits(double v) {
        return HALF.encode(v);
    }

    /**
     * The exact value of binary16 bits.
     *
     * @param bits the 16 bits (higher bits ignored)
     * @return the value, NaN for any NaN pattern
     */
    public static double fromFloat16Bits(int bits) {
        return HALF.decode(bits & 0xFFFF);
    }

    /**
     * Rounds to bfloat16 bits (round to nearest, ties to even; overflow to ±infinity).
     *
     * @param v any double
     * @return the 16 bits in the low half of the int
     */
    public static int toBFloat16Bits(double v) {
        return BFLOAT.encode(v);
    }

    /**
     * The exact value of bfloat16 bits.
     *
     * @param bits the 16 bits (higher bits ignored)
     * @return the value, NaN for any NaN pattern
     */
    public static double fromBFloat16Bits(int bits) {
        return BFLOAT.decode(bits & 0xFFFF);
    }
}
