package dev.jgrad.conformance;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable tensor value from a conformance case: a dtype, a row-major shape and flat data.
 *
 * <p>Floating tensors ({@code "float32"} / {@code "float64"}) keep their elements as {@code double}s
 * parsed with {@link Double#parseDouble(String)} from the decimal text of the case file; the strings
 * {@code "nan"}, {@code "inf"} and {@code "-inf"} become {@link Double#NaN},
 * {@link Double#POSITIVE_INFINITY} and {@link Double#NEGATIVE_INFINITY}, and {@code -0.0} keeps its
 * sign. For {@code float32} the file holds the shortest decimal that rounds to the float32 value, so
 * {@code (float) value(i)} is exactly that float32 value (it equals {@code Float.parseFloat} of the
 * same text); {@link #dtypeValue(int)} and {@link #dtypeValues()} give it back widened to
 * {@code double}. {@code "int64"} tensors (class indices) keep their elements as {@code long}s.
 *
 * <p>A scalar has shape {@code []} and exactly one element. Array-returning accessors return copies;
 * the element accessors ({@link #value(int)}, {@link #longValue(int)}) do not copy.
 * {@link #equals(Object)} compares dtype, shape and bit patterns of the data (so {@code -0.0 != 0.0}
 * and {@code NaN == NaN} there).
 */
public final class CaseTensor {

    /** The {@code float32} dtype name. */
    public static final String FLOAT32 = "float32";
    /** The {@code float64} dtype name. */
    public static final String FLOAT64 = "float64";
    /** The {@code int64} dtype name (integer class indices). */
    public static final String INT64 = "int64";

    private final String dtype;
    private final int[] shape;
    private final double[] doubles; // floating dtypes only
    private final long[] longs;     // int64 only

    private CaseTensor(String dtype, int[] shape, double[] doubles, long[] longs) {
        this.dtype = dtype;
        this.shape = shape;
        this.doubles = doubles;
        this.longs = longs;
    }

    /**
     * Creates a floating tensor.
     *
     * @param dtype  {@code "float32"} or {@code "float64"}
     * @param shape  the shape (non-negative dimensions; {@code []} for a scalar); copied
     * @param values the flat row-major elements, length = product of {@code shape}; copied. For
     *               {@code float32} every finite value must be within float range (it is the double
     *               reading of a float32 decimal), and is stored as given, not rounded.
     * @return the tensor
     * @throws IllegalArgumentException on an unknown or non-floating dtype, a negative dimension, a
     *                                  length mismatch, or a finite float32 value outside float range
     */
    public static CaseTensor ofDoubles(String dtype, int[] shape, double[] values) {
        Objects.requireNonNull(values, "values");
        if (!isFloatingDtype(dtype)) {
            throw new IllegalArgumentException("floating tensor needs dtype float32 or float64, got " + quote(dtype));
        }
        int[] s = checkShape(shape, values.length);
        if (FLOAT32.equals(dtype)) {
            for (int i = 0; i < values.length; i++) {
                double v = values[i];
                if (Double.isFinite(v) && Float.isInfinite((float) v)) {
                    throw new IllegalArgumentException("float32 value " + v + " at flat index " + i
                            + " is outside the float32 range");
                }
            }
        }
        return new CaseTensor(dtype, s, values.clone(), null);
    }

    /**
     * Creates an {@code int64} tensor.
     *
     * @param shape  the shape (non-negative dimensions; {@code []} for a scalar); copied
     * @param values the flat row-major elements, length = product of {@code shape}; copied
     * @return the tensor
     * @throws IllegalArgumentException on a negative dimension or a length mismatch
     */
    public static CaseTensor ofLongs(int[] shape, long[] values) {
        Objects.requireNonNull(values, "values");
        int[] s = checkShape(shape, values.length);
        return new CaseTensor(INT64, s, null, values.clone());
    }

    /**
     * Tells whether {@code dtype} names a floating dtype of the format.
     *
     * @param dtype a dtype name, may be {@code null}
     * @return {@code true} for {@code "float32"} and {@code "float64"}
     */
    public static boolean isFloatingDtype(String dtype) {
        return FLOAT32.equals(dtype) || FLOAT64.equals(dtype);
    }

    /**
     * Number of elements of a shape: the product of its dimensions, 1 for the scalar shape {@code []}.
     *
     * @param shape a shape with non-negative dimensions
     * @return the element count
     * @throws IllegalArgumentException if a dimension is negative or the count exceeds {@code int} range
     */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
            }
        }
        return (int) n;
    }

    private static int[] checkShape(int[] shape, int length) {
        Objects.requireNonNull(shape, "shape");
        int n = numel(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements but data has " + length);
        }
        return shape.clone();
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    /** @return the dtype name: {@code "float32"}, {@code "float64"} or {@code "int64"} */
    public String dtype() {
        return dtype;
    }

    /** @return {@code true} for {@code float32} and {@code float64} tensors */
    public boolean isFloating() {
        return longs == null;
    }

    /** @return {@code true} for {@code int64} tensors */
    public boolean isInt64() {
        return longs != null;
    }

    /** @return a copy of the shape ({@code []} for a scalar) */
    public int[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions (0 for a scalar) */
    public int rank() {
        return shape.length;
    }

    /**
     * @param axis a dimension index, {@code 0 <= axis < rank()}
     * @return the size of that dimension
     */
    public int dim(int axis) {
        return shape[axis];
    }

    /** @return the number of elements (1 for a scalar) */
    public int size() {
        return isFloating() ? doubles.length : longs.length;
    }

    /**
     * The floating elements as parsed from the file (not rounded to float32).
     *
     * @return a copy of the flat row-major data
     * @throws IllegalStateException for an {@code int64} tensor
     */
    public double[] values() {
        requireFloating();
        return doubles.clone();
    }

    /**
     * One floating element as parsed from the file (not rounded to float32); does not copy.
     *
     * @param flatIndex row-major flat index
     * @return the element
     * @throws IllegalStateException for an {@code int64} tensor
     */
    public double value(int flatIndex) {
        requireFloating();
        return doubles[flatIndex];
    }

    /**
     * One floating element at the precision of the dtype, widened to double: for {@code float32}
     * {@code (double) (float) value(i)}, for {@code float64} {@code value(i)}. Non-finite values and
     * the sign of zero are preserved. This is the value {@link Comparison} uses as "expected".
     *
     * @param flatIndex row-major flat index
     * @return the element at dtype precision
     * @throws IllegalStateException for an {@code int64} tensor
     */
    public double dtypeValue(int flatIndex) {
        requireFloating();
        double v = doubles[flatIndex];
        return FLOAT32.equals(dtype) ? (double) (float) v : v;
    }

    /**
     * All floating elements at the precision of the dtype (see {@link #dtypeValue(int)}).
     *
     * @return a new array
     * @throws IllegalStateException for an {@code int64} tensor
     */
    public double[] dtypeValues() {
        requireFloating();
        double[] out = doubles.clone();
        if (FLOAT32.equals(dtype)) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    /**
     * The floating elements cast to {@code float}; exact for {@code float32} tensors, rounded for
     * {@code float64}.
     *
     * @return a new array
     * @throws IllegalStateException for an {@code int64} tensor
     */
    public float[] floatValues() {
        requireFloating();
        float[] out = new float[doubles.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) doubles[i];
        }
        return out;
    }

    /**
     * The {@code int64} elements.
     *
     * @return a copy of the flat row-major data
     * @throws IllegalStateException for a floating tensor
     */
    public long[] longValues() {
        requireInt64();
        return longs.clone();
    }

    /**
     * One {@code int64} element; does not copy.
     *
     * @param flatIndex row-major flat index
     * @return the element
     * @throws IllegalStateException for a floating tensor
     */
    public long longValue(int flatIndex) {
        requireInt64();
        return longs[flatIndex];
    }

    /**
     * The {@code int64} elements narrowed to {@code int} (class indices and {@code ignore_index}).
     *
     * @return a new array
     * @throws IllegalStateException for a floating tensor
     * @throws ArithmeticException   if an element does not fit in an {@code int}
     */
    public int[] intValues() {
        requireInt64();
        int[] out = new int[longs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(longs[i]);
        }
        return out;
    }

    private void requireFloating() {
        if (!isFloating()) {
            throw new IllegalStateException("tensor has dtype int64; use longValues()/intValues()");
        }
    }

    private void requireInt64() {
        if (!isInt64()) {
            throw new IllegalStateException("tensor has dtype " + dtype + "; use values()");
        }
    }

    /**
     * Value equality: same dtype, same shape and bit-identical data ({@link Arrays#equals(double[], double[])}
     * semantics: {@code NaN} equals {@code NaN}, {@code -0.0} differs from {@code 0.0}).
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CaseTensor)) {
            return false;
        }
        CaseTensor t = (CaseTensor) o;
        return dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
                && Arrays.equals(doubles, t.doubles) && Arrays.equals(longs, t.longs);
    }

    /** Hash code consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(doubles), Arrays.hashCode(longs));
    }

    /** A short description, e.g. {@code float32[2, 3]{0.5, -0.0, nan, ...}} (at most 8 elements shown). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dtype).append(Arrays.toString(shape)).append('{');
        int n = size();
        int shown = Math.min(n, 8);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(isFloating() ? formatElement(dtype, doubles[i]) : Long.toString(longs[i]));
        }
        if (n > shown) {
            sb.append(", ... (").append(n).append(" elements)");
        }
        return sb.append('}').toString();
    }

    /**
     * Formats one floating element the way the case files spell it: {@code nan}, {@code inf},
     * {@code -inf}; for {@code float32} a value that is exactly a float is written with
     * {@link Float#toString(float)} (its shortest float32 decimal), any other value with
     * {@link Double#toString(double)} so no precision is hidden.
     *
     * @param dtype a dtype name; anything but {@code "float32"} is formatted as a double
     * @param v     the value
     * @return the text
     */
    public static String formatElement(String dtype, double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (FLOAT32.equals(dtype) && (double) (float) v == v) {
            return Float.toString((float) v);
        }
        return Double.toString(v);
    }
}
