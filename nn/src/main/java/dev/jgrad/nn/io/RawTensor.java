package dev.jgrad.nn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable tensor as stored in a checkpoint: element type, shape and the raw
 * little-endian bytes in row-major order. Converts to and from {@code float[]},
 * {@code double[]} and {@code long[]}.
 *
 * <p>All arrays are copied on the way in and out. Two instances are {@link #equals equal}
 * when dtype, shape and bytes are equal (so {@code -0.0} differs from {@code 0.0} and NaNs
 * with the same bits are equal).
 */
public final class RawTensor implements TensorSource {
    private final ElementType dtype;
    private final long[] shape;
    private final byte[] data;

    /**
     * Creates a tensor from raw little-endian bytes.
     *
     * @param dtype the element type
     * @param shape the dimensions, each at least 0 ({@code []} for a scalar)
     * @param littleEndianData exactly {@code product(shape) * dtype.byteSize()} bytes
     * @throws IllegalArgumentException for a negative dimension or a wrong byte count
     */
    public RawTensor(ElementType dtype, long[] shape, byte[] littleEndianData) {
        this(Objects.requireNonNull(dtype, "dtype"), checkShape(shape).clone(),
                Objects.requireNonNull(littleEndianData, "data").clone(), true);
    }

    /** Takes ownership of {@code shape} and {@code data}; the flag only disambiguates the signature. */
    private RawTensor(ElementType dtype, long[] shape, byte[] data, boolean owned) {
        long expected;
        try {
            expected = Math.multiplyExact(numElements(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large", e);
        }
        if (data.length != expected) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " × " + dtype + " needs "
                    + expected + " bytes but got " + data.length);
        }
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Creates a tensor from a dtype string as written in safetensors headers.
     *
     * @param dtype a name of an {@link ElementType}, e.g. {@code "F32"}
     * @param shape the dimensions
     * @param littleEndianData the raw bytes
     * @return the tensor
     * @throws IllegalArgumentException for an unknown dtype or inconsistent sizes
     */
    public static RawTensor of(String dtype, long[] shape, byte[] littleEndianData) {
        return new RawTensor(ElementType.fromName(dtype), shape, littleEndianData);
    }

    /**
     * An F32 tensor.
     *
     * @param values elements in row-major order
     * @param shape  dimensions whose product is {@code values.length}; if omitted, {@code [values.length]}
     * @return the tensor
     */
    public static RawTensor ofFloats(float[] values, long... shape) {
        long[] s = shapeFor(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new RawTensor(ElementType.F32, s, b.array(), true);
    }

    /**
     * An F64 tensor.
     *
     * @param values elements in row-major order
     * @param shape  dimensions whose product is {@code values.length}; if omitted, {@code [values.length]}
     * @return the tensor
     */
    public static RawTensor ofDoubles(double[] values, long... shape) {
        long[] s = shapeFor(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new RawTensor(ElementType.F64, s, b.array(), true);
    }

    /**
     * An I64 tensor.
     *
     * @param values elements in row-major order
     * @param shape  dimensions whose product is {@code values.length}; if omitted, {@code [values.length]}
     * @return the tensor
     */
    public static RawTensor ofLongs(long[] values, long... shape) {
        long[] s = shapeFor(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new RawTensor(ElementType.I64, s, b.array(), true);
    }

    /**
     * A rank-0 F32 tensor (shape {@code []}).
     *
     * @param value the element
     * @return the tensor
     */
    public static RawTensor scalarF32(float value) {
        return new RawTensor(ElementType.F32, new long[0],
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array(), true);
    }

    /**
     * A rank-0 F64 tensor (shape {@code []}).
     *
     * @param value the element
     * @return the tensor
     */
    public static RawTensor scalarF64(double value) {
        return new RawTensor(ElementType.F64, new long[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array(), true);
    }

    /**
     * A rank-0 I64 tensor (shape {@code []}).
     *
     * @param value the element
     * @return the tensor
     */
    public static RawTensor scalarI64(long value) {
        return new RawTensor(ElementType.I64, new long[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array(), true);
    }

    /** Wraps bytes read from a file without copying them (the reader owns nothing afterwards). */
    static RawTensor wrap(ElementType dtype, long[] shape, byte[] data) {
        return new RawTensor(dtype, shape, data, true);
    }

    // ------------------------------------------------------------------ accessors

    /**
     * The element type.
     *
     * @return the dtype
     */
    @Override
    public ElementType dtype() {
        return dtype;
    }

    /**
     * The shape.
     *
     * @return a fresh copy of the dimensions
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The shape as ints, for APIs that use int dimensions.
     *
     * @return a fresh array
     * @throws ArithmeticException if a dimension exceeds {@code Integer.MAX_VALUE}
     */
    public int[] intShape() {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
        }
        return out;
    }

    /**
     * Number of dimensions.
     *
     * @return the rank (0 for a scalar)
     */
    public int rank() {
        return shape.length;
    }

    @Override
    public long numElements() {
        return data.length / dtype.byteSize();
    }

    @Override
    public long byteSize() {
        return data.length;
    }

    /**
     * The raw bytes.
     *
     * @return a fresh copy of the little-endian data
     */
    public byte[] data() {
        return data.clone();
    }

    /**
     * A read-only little-endian view of the data, without copying.
     *
     * @return a buffer positioned at 0
     */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The elements of an F32 tensor.
     *
     * @return a fresh array
     * @throws IllegalStateException if the dtype is not F32
     */
    public float[] toFloats() {
        requireType(ElementType.F32, "toFloats");
        float[] out = new float[data.length / 4];
        buffer().asFloatBuffer().get(out);
        return out;
    }

    /**
     * The elements of an F64 tensor, or of an F32 tensor widened exactly to double.
     *
     * @return a fresh array
     * @throws IllegalStateException if the dtype is I64
     */
    public double[] toDoubles() {
        if (dtype == ElementType.F32) {
            float[] f = toFloats();
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        requireType(ElementType.F64, "toDoubles");
        double[] out = new double[data.length / 8];
        buffer().asDoubleBuffer().get(out);
        return out;
    }

    /**
     * The elements of a tensor of any dtype as doubles, by {@link ElementType#get}: exact for F16, BF16, F32 and
     * F64 and for integers of magnitude up to 2<sup>53</sup>.
     *
     * @return a fresh array
     */
    public double[] widenToDoubles() {
        ByteBuffer b = buffer();
        double[] out = new double[data.length / dtype.byteSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.get(b, i);
        }
        return out;
    }

    /**
     * A tensor of the given dtype holding {@code values} converted by {@link ElementType#put} (F16/BF16/F32 round to
     * nearest even).
     *
     * @param dtype  the element type
     * @param values elements in row-major order
     * @param shape  dimensions whose product is {@code values.length} ({@code []} for a scalar)
     * @return the tensor
     * @throws IllegalArgumentException if the shape does not match or an integer dtype gets a non-whole value
     */
    public static RawTensor convert(ElementType dtype, double[] values, long[] shape) {
        long[] s = checkShape(shape).clone();
        if (numElements(s) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " has " + numElements(s)
                    + " elements but " + values.length + " values were given");
        }
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            dtype.put(b, v);
        }
        return new RawTensor(dtype, s, b.array(), true);
    }

    /**
     * The elements of an I64 tensor.
     *
     * @return a fresh array
     * @throws IllegalStateException if the dtype is not I64
     */
    public long[] toLongs() {
        requireType(ElementType.I64, "toLongs");
        long[] out = new long[data.length / 8];
        buffer().asLongBuffer().get(out);
        return out;
    }

    /**
     * Writes the raw bytes.
     *
     * @param out where to write
     * @throws IOException if writing fails
     */
    @Override
    public void writeData(OutputStream out) throws IOException {
        out.write(data);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Product of a shape's dimensions (1 for {@code []}).
     *
     * @param shape the dimensions, each at least 0
     * @return the element count
     * @throws IllegalArgumentException for a negative dimension
     * @throws ArithmeticException      on overflow
     */
    public static long numElements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long[] checkShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        numElements(shape);
        return shape;
    }

    private static long[] shapeFor(int length, long[] shape) {
        if (shape == null || shape.length == 0) {
            // No shape given (varargs cannot tell "none" from "[]"): a vector. Scalars are
            // built with the scalarF32/F64/I64 factories.
            return new long[] {length};
        }
        long[] s = shape.clone();
        long n = numElements(s);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " has " + n
                    + " elements but " + length + " values were given");
        }
        return s;
    }

    private void requireType(ElementType expected, String method) {
        if (dtype != expected) {
            throw new IllegalStateException(method + "() needs a " + expected + " tensor but this one is " + dtype);
        }
    }

    /**
     * Equal when dtype, shape and bytes are equal.
     *
     * @param o another object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RawTensor)) {
            return false;
        }
        RawTensor t = (RawTensor) o;
        return dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    /**
     * A hash consistent with {@link #equals}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    /**
     * A short description, e.g. {@code RawTensor[F32 [3, 4]]}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "RawTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
