package dev.jgrad.conformance;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable tensor produced by jgrad for a case (forward output or a gradient): a shape and flat
 * row-major {@code double} values. Float32 results are passed widened to {@code double}
 * ({@link #ofFloats(int[], float[])}), so no precision is added or lost.
 */
public final class Computed {

    private final int[] shape;
    private final double[] values;

    private Computed(int[] shape, double[] values) {
        this.shape = shape;
        this.values = values;
    }

    /**
     * @param shape  the shape ({@code []} for a scalar); copied
     * @param values flat row-major values, length = product of {@code shape}; copied
     * @return the computed tensor
     * @throws IllegalArgumentException on a negative dimension or a length mismatch
     */
    public static Computed of(int[] shape, double[] values) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        int n = CaseTensor.numel(shape);
        if (n != values.length) {
            throw new IllegalArgumentException("computed shape " + Arrays.toString(shape) + " needs " + n
                    + " values but got " + values.length);
        }
        return new Computed(shape.clone(), values.clone());
    }

    /**
     * @param shape  the shape ({@code []} for a scalar)
     * @param values flat row-major float32 values, widened exactly to double
     * @return the computed tensor
     * @throws IllegalArgumentException on a negative dimension or a length mismatch
     */
    public static Computed ofFloats(int[] shape, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return of(shape, d);
    }

    /**
     * @param value the value of a 0-d result
     * @return a computed scalar (shape {@code []})
     */
    public static Computed scalar(double value) {
        return new Computed(new int[0], new double[] {value});
    }

    /** @return a copy of the shape */
    public int[] shape() {
        return shape.clone();
    }

    /** @return a copy of the flat row-major values */
    public double[] values() {
        return values.clone();
    }

    /**
     * @param flatIndex row-major flat index
     * @return one value (no copy)
     */
    public double value(int flatIndex) {
        return values[flatIndex];
    }

    /** @return the number of values */
    public int size() {
        return values.length;
    }

    /** @return e.g. {@code [2, 3]{0.5, ...}} with at most 8 values */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(Arrays.toString(shape)).append('{');
        int shown = Math.min(values.length, 8);
        for (int i = 0; i < shown; i++) {
            sb.append(i > 0 ? ", " : "").append(CaseTensor.formatElement(CaseTensor.FLOAT64, values[i]));
        }
        if (values.length > shown) {
            sb.append(", ... (").append(values.length).append(" values)");
        }
        return sb.append('}').toString();
    }
}
