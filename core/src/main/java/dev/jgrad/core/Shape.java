package dev.jgrad.core;

import java.util.Arrays;

/** Static helpers for shapes (int arrays, row-major, rank 0..N). */
public final class Shape {
    private Shape() {
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            // n ≤ MAX_ELEMENTS before the product and d < 2^31: the long cannot overflow
            if (n > MAX_ELEMENTS) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than " + MAX_ELEMENTS
                        + " elements, the largest array the JVM allocates");
            }
        }
        return (int) n;
    }

    /**
     * The most elements a tensor may hold: {@code 2^31 - 9}, below {@link Integer#MAX_VALUE} because HotSpot refuses
     * arrays within a few elements of it ({@code OutOfMemoryError: Requested array size exceeds VM limit}).
     */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * Returns {@code value}, or throws naming the API and the argument if it is null.
     *
     * @param api   the API name for the message (an op or a class)
     * @param arg   the argument's name
     * @param value the argument
     * @param <T>   its type
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value} is null: {@code "api: arg is null"}
     */
    public static <T> T nonNull(String api, String arg, T value) {
        if (value == null) throw new IllegalArgumentException(api + ": " + arg + " is null");
        return value;
    }

    /**
     * Returns {@code value}, or throws naming the API and the option if it is NaN: the one policy for scalar options
     * (bounds, slopes, margins, eps, smoothing); data values are not options and may be NaN.
     *
     * @param api    the API name for the message (an op or a class)
     * @param option the option's name
     * @param value  the option
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value} is NaN: {@code "api: option is NaN"}
     */
    public static double notNaN(String api, String option, double value) {
        if (Double.isNaN(value)) throw new IllegalArgumentException(api + ": " + option + " is NaN (options must be numbers)");
        return value;
    }

    /** {@code [2, 3]} style text. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Normalises a possibly negative dimension index ({@code -1} = last) for a tensor of rank {@code rank}. */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r) {
            throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** Product of dimensions {@code [from, to)}. */
    public static int prod(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    /** The shape with dimension {@code d} removed, or set to 1 when {@code keepdim}. */
    public static int[] reduce(int[] shape, int d, boolean keepdim) {
        if (shape.length == 0) return new int[0];
        if (keepdim) {
            int[] s = shape.clone();
            s[d] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return s;
    }

    /**
     * NumPy/PyTorch broadcast of two shapes: align trailing dimensions; each pair must be equal or contain 1.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Row-major strides of {@code shape} aligned to rank {@code rank}, 0 where the dimension is broadcast. */
    public static int[] broadcastStrides(int[] shape, int[] outShape) {
        int r = outShape.length;
        int[] st = new int[r];
        int stride = 1;
        for (int i = r - 1; i >= 0; i--) {
            int k = i - (r - shape.length);
            int d = k >= 0 ? shape[k] : 1;
            st[i] = (d == 1 && outShape[i] != 1) ? 0 : stride;
            if (k >= 0) stride *= d;
        }
        return st;
    }
}
