package dev.jgrad.core;

import java.util.Arrays;

/**
 * An immutable integer tensor for class indices and gather indices (PyTorch's int64 {@code target}).
 * Not differentiable.
 */
public final class IntTensor {
    private final int[] shape;
    private final int[] data;

    private IntTensor(int[] data, int[] shape) {
        if (Shape.numel(shape) != data.length) {
            throw new IllegalArgumentException("IntTensor: " + data.length + " values do not fill shape " + Shape.str(shape));
        }
        this.data = data;
        this.shape = shape;
    }

    /** A 1-D index tensor holding a copy of {@code values}. */
    public static IntTensor of(int... values) {
        return new IntTensor(Shape.nonNull("IntTensor.of", "values", values).clone(), new int[]{values.length});
    }

    /** An index tensor of the given shape holding a copy of {@code values}. */
    public static IntTensor of(int[] values, int... shape) {
        return new IntTensor(Shape.nonNull("IntTensor.of", "values", values).clone(), Shape.nonNull("IntTensor.of", "shape", shape).clone());
    }

    /** From int64 values (e.g. a PyTorch {@code target}); throws if a value does not fit in an int. */
    public static IntTensor ofLongs(long[] values, int... shape) {
        Shape.nonNull("IntTensor.ofLongs", "shape", shape);
        int[] d = new int[Shape.nonNull("IntTensor.ofLongs", "values", values).length];
        for (int i = 0; i < d.length; i++) {
            if (values[i] != (int) values[i]) {
                throw new IllegalArgumentException("IntTensor: index value " + values[i] + " at position " + i + " does not fit in an int");
            }
            d[i] = (int) values[i];
        }
        return new IntTensor(d, shape.clone());
    }

    /** A rank-0 index (e.g. the target of a single un-batched sample). */
    public static IntTensor scalar(int value) {
        return new IntTensor(new int[]{value}, new int[0]);
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /** Element at a flat index. */
    public int get(int i) {
        return data[i];
    }

    /** A copy of the values. */
    public int[] toArray() {
        return data.clone();
    }

    @Override
    public String toString() {
        return "IntTensor(" + (data.length <= 1000 ? Arrays.toString(data) : data.length + " values") + ", shape=" + Shape.str(shape) + ")";
    }
}
