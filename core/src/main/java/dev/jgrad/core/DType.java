package dev.jgrad.core;

/**
 * Element type of a {@link Tensor}.
 *
 * <p>Both types are stored in real EJML matrices ({@code FMatrixRMaj} / {@code DMatrixRMaj}). Scalar kernels
 * evaluate each element in double precision and round once when they store a float32 result, so float32
 * results are at least as accurate as a native float32 evaluation; overflow and underflow still happen
 * at every op boundary exactly where float32 storage forces them (e.g. a float32 {@code exp(89)} is
 * {@code +inf}).
 */
public enum DType {
    /** IEEE-754 binary32, machine epsilon 2^-23. */
    FLOAT32(Math.ulp(1.0f), "float32"),
    /** IEEE-754 binary64, machine epsilon 2^-52. */
    FLOAT64(Math.ulp(1.0), "float64");

    private final double eps;
    private final String label;

    DType(double eps, String label) {
        this.eps = eps;
        this.label = label;
    }

    /** Machine epsilon: the distance from 1.0 to the next larger representable value. */
    public double eps() {
        return eps;
    }

    /** Rounds a double to this type's precision (identity for float64). */
    public double round(double v) {
        return this == FLOAT32 ? (double) (float) v : v;
    }

    /** PyTorch's spelling: {@code float32} or {@code float64}. */
    @Override
    public String toString() {
        return label;
    }

    /** Parses {@code float32}/{@code float}/{@code f32} or {@code float64}/{@code double}/{@code f64}. */
    public static DType parse(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "float32": case "float": case "f32": case "fp32": return FLOAT32;
            case "float64": case "double": case "f64": case "fp64": return FLOAT64;
            default: throw new IllegalArgumentException("unknown dtype '" + s + "': expected float32 or float64");
        }
    }
}
