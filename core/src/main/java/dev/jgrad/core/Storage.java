package dev.jgrad.core;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * The one storage abstraction that lets every scalar kernel be written once for both dtypes.
 *
 * <p>A {@code Storage} is a flat, row-major view of the array inside a tensor's EJML matrix. Kernels read
 * elements as {@code double} and write {@code double}s, which the float32 storage rounds to the nearest
 * float. The JIT sees at most two receiver types at each call site and inlines both, so a loop over a
 * {@code Storage} compiles to a plain array loop per dtype.
 */
public abstract sealed class Storage permits Storage.F32, Storage.F64 {

    /** Number of elements. */
    public abstract int length();

    /** Element type. */
    public abstract DType dtype();

    /** Element {@code i} widened to double. */
    public abstract double get(int i);

    /** Stores {@code v} at {@code i}, rounded to the storage's precision. */
    public abstract void set(int i, double v);

    /** {@code this[i] += v}, with the sum formed in double and rounded once. */
    public abstract void add(int i, double v);

    /**
     * {@code v} rounded to this storage's precision ({@code (float) v} for float32, {@code v} for float64). An
     * operation on values of this precision, computed in double and then rounded, equals the operation computed in
     * this precision (for {@code + − · / √}: a double holds more than twice float's 24 bits), so a scalar rule
     * written over {@code round} evaluates exactly as if it were written in float for float32 storage.
     */
    public abstract double round(double v);

    /** Fills every element with {@code v}. */
    public abstract void fill(double v);

    /** Copies {@code n} elements from {@code src[srcPos..]} into {@code this[dstPos..]}; same dtype. */
    public abstract void copyFrom(Storage src, int srcPos, int dstPos, int n);

    /** Wraps this storage's array as an EJML matrix of the given size (no copy). */
    public abstract Matrix wrap(int rows, int cols);

    /** A fresh zero-filled storage of the given length and dtype. */
    public static Storage allocate(DType dtype, int n) {
        return dtype == DType.FLOAT32 ? new F32(new float[n]) : new F64(new double[n]);
    }

    /** The storage behind an EJML matrix (no copy); {@code m} must be a {@code DMatrixRMaj} or {@code FMatrixRMaj}. */
    public static Storage of(Matrix m) {
        if (m instanceof DMatrixRMaj d) return new F64(d.data);
        if (m instanceof FMatrixRMaj f) return new F32(f.data);
        throw new IllegalArgumentException("unsupported EJML matrix type " + m.getClass().getSimpleName()
                + ": expected DMatrixRMaj or FMatrixRMaj");
    }

    /** float32 storage over a {@code float[]}. */
    public static final class F32 extends Storage {
        /** The backing array (shared with the EJML matrix). */
        public final float[] a;

        F32(float[] a) {
            this.a = a;
        }

        @Override public int length() { return a.length; }
        @Override public DType dtype() { return DType.FLOAT32; }
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = (float) v; }
        @Override public void add(int i, double v) { a[i] = (float) (a[i] + v); }
        @Override public double round(double v) { return (float) v; }
        @Override public void fill(double v) { java.util.Arrays.fill(a, (float) v); }

        @Override
        public void copyFrom(Storage src, int srcPos, int dstPos, int n) {
            System.arraycopy(((F32) src).a, srcPos, a, dstPos, n);
        }

        @Override
        public Matrix wrap(int rows, int cols) {
            return FMatrixRMaj.wrap(rows, cols, a);
        }
    }

    /** float64 storage over a {@code double[]}. */
    public static final class F64 extends Storage {
        /** The backing array (shared with the EJML matrix). */
        public final double[] a;

        F64(double[] a) {
            this.a = a;
        }

        @Override public int length() { return a.length; }
        @Override public DType dtype() { return DType.FLOAT64; }
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = v; }
        @Override public void add(int i, double v) { a[i] += v; }
        @Override public double round(double v) { return v; }
        @Override public void fill(double v) { java.util.Arrays.fill(a, v); }

        @Override
        public void copyFrom(Storage src, int srcPos, int dstPos, int n) {
            System.arraycopy(((F64) src).a, srcPos, a, dstPos, n);
        }

        @Override
        public Matrix wrap(int rows, int cols) {
            return DMatrixRMaj.wrap(rows, cols, a);
        }
    }
}
