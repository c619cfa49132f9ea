package dev.jgrad.lab.precision;

import dev.jgrad.nn.io.HalfFloats;

import java.util.Locale;

/**
 * A floating-point storage format emulated in double precision: every value a computation stores in this format is
 * {@link #round rounded} to it (round to nearest, ties to even; overflow to ±infinity, gradual underflow to
 * subnormals and signed zero, NaN kept), so a double holding a rounded value is exactly a value of the format.
 *
 * <p>float16 and bfloat16 use the conversions of {@link HalfFloats} (the safetensors codec, IEEE 754 binary16 and
 * bfloat16 bit-exact); float32 is Java's {@code (float)} cast.
 *
 * <p>{@link #rtol()} and {@link #atol()} are the default tolerances of PyTorch's {@code torch.testing.assert_close}
 * for the corresponding dtype ({@code torch/testing/_comparison.py}, {@code _DTYPE_PRECISIONS}, checked against
 * PyTorch 1.13).
 */
public enum Format {
    /** IEEE 754 binary16: 11 significant bits, largest finite 65504, eps 2^-10. */
    FLOAT16("float16", 0x1p-10, 1e-3, 1e-5),
    /** bfloat16: 8 significant bits with float32's exponent range, eps 2^-7. */
    BFLOAT16("bfloat16", 0x1p-7, 1.6e-2, 1e-5),
    /** IEEE 754 binary32, eps 2^-23. */
    FLOAT32("float32", 0x1p-23, 1.3e-6, 1e-5),
    /** IEEE 754 binary64, eps 2^-52 (rounding is the identity). */
    FLOAT64("float64", 0x1p-52, 1e-7, 1e-7);

    private final String label;
    private final double eps;
    private final double rtol;
    private final double atol;

    Format(String label, double eps, double rtol, double atol) {
        this.label = label;
        this.eps = eps;
        this.rtol = rtol;
        this.atol = atol;
    }

    /**
     * Rounds a double to this format (round to nearest, ties to even, overflow to ±infinity).
     *
     * @param v any double
     * @return the nearest value of this format, as a double
     */
    public double round(double v) {
        return switch (this) {
            case FLOAT16 -> HalfFloats.fromFloat16Bits(HalfFloats.toFloat16Bits(v));
            case BFLOAT16 -> HalfFloats.fromBFloat16Bits(HalfFloats.toBFloat16Bits(v));
            case FLOAT32 -> (double) (float) v;
            case FLOAT64 -> v;
        };
    }

    /**
     * Machine epsilon, the distance from 1 to the next larger value ({@code torch.finfo(dtype).eps}).
     *
     * @return the epsilon
     */
    public double eps() {
        return eps;
    }

    /**
     * Default relative tolerance of {@code torch.testing.assert_close} for this dtype.
     *
     * @return rtol
     */
    public double rtol() {
        return rtol;
    }

    /**
     * Default absolute tolerance of {@code torch.testing.assert_close} for this dtype.
     *
     * @return atol
     */
    public double atol() {
        return atol;
    }

    /**
     * Whether {@code torch.testing.assert_close(actual, expected)} with this dtype's default tolerances accepts one
     * element: {@code |actual - expected| <= atol + rtol·|expected|}; NaN is never accepted, infinities only when
     * equal (PyTorch's defaults, {@code equal_nan=False}).
     *
     * @param actual   the computed value
     * @param expected the reference value
     * @return true if accepted
     */
    public boolean accepts(double actual, double expected) {
        if (Double.isNaN(actual) || Double.isNaN(expected)) return false;
        if (Double.isInfinite(actual) || Double.isInfinite(expected)) return actual == expected;
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /**
     * The lower-case name ({@code float16}, {@code bfloat16}, {@code float32}, {@code float64}).
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    /**
     * Parses a label or a common alias ({@code fp16}, {@code half}, {@code bf16}, {@code fp32}, {@code float},
     * {@code fp64}, {@code double}).
     *
     * @param s the name
     * @return the format
     * @throws IllegalArgumentException for an unknown name
     */
    public static Format parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float16", "fp16", "half", "f16" -> FLOAT16;
            case "bfloat16", "bf16" -> BFLOAT16;
            case "float32", "fp32", "float", "f32" -> FLOAT32;
            case "float64", "fp64", "double", "f64" -> FLOAT64;
            default -> throw new IllegalArgumentException("unknown format '" + s + "' (float16, bfloat16, float32, float64)");
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
