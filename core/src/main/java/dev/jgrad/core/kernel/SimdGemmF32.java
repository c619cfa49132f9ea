package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;
import java.util.Arrays;

/**
 * The {@code FloatVector} instance of {@link SimdGemm}: packing and the 8×(2·lanes) FMA micro-kernel.
 *
 * <p>One source for both precisions: {@code SimdGemmF32.java} is the template and the build writes its 64-bit twin
 * ({@code SimdGemmF64}, on {@code DoubleVector} and {@code DMatrixRMaj}) by token substitution in the
 * {@code generate-f64} step of the root {@code pom.xml}, as EJML generates one precision of its code from the other.
 * Edit {@code SimdGemmF32.java} only.
 */
final class SimdGemmF32 extends SimdGemm<float[]> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Lane {@code i} ← lane {@code (i + h) mod VL}: the steps of {@link #sumLanes}' tree. */
    private static final VectorShuffle<Float> HALF8 = VectorShuffle.iota(S, 8 % VL, 1, true),
            HALF4 = VectorShuffle.iota(S, 4 % VL, 1, true), HALF2 = VectorShuffle.iota(S, 2 % VL, 1, true),
            HALF1 = VectorShuffle.iota(S, 1 % VL, 1, true);

    /** Tile edge of {@link #transposeInto}. */
    private static final int TR = 16;

    SimdGemmF32() {
        super(4, 2 * VL, KC_BYTES / Float.BYTES);
    }

    @Override float[] alloc(int n) { return new float[n]; }
    @Override int length(float[] array) { return array.length; }
    @Override float[] data(Matrix m) { return ((FMatrixRMaj) m).data; }

    @Override
    void zero(float[] c, int off, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) Arrays.fill(c, off + r * ldc, off + r * ldc + cols, 0f);
    }

    @Override
    void pack(float[] src, int ld, boolean pMajor, int p0, int kc, int x0, int w, int pw, float[] dst) {
        for (int q = 0; q < w; q += pw) {
            int cw = Math.min(pw, w - q), base = q * kc;
            if (pMajor) {
                for (int p = 0, s = (p0) * ld + x0 + q, d = base; p < kc; p++, s += ld, d += pw) {
                    System.arraycopy(src, s, dst, d, cw);
                }
            } else {
                int x = 0;
                // transposing copy, four source rows at a time (sequential reads, 4 adjacent writes)
                for (; x + 4 <= cw; x += 4) {
                    int s = (x0 + q + x) * ld + p0;
                    for (int p = 0, d = base + x; p < kc; p++, d += pw) {
                        dst[d] = src[s + p];
                        dst[d + 1] = src[s + ld + p];
                        dst[d + 2] = src[s + 2 * ld + p];
                        dst[d + 3] = src[s + 3 * ld + p];
                    }
                }
                for (; x < cw; x++) {
                    for (int p = 0, s = (x0 + q + x) * ld + p0, d = base + x; p < kc; p++, d += pw) dst[d] = src[s + p];
                }
            }
            if (cw < pw) {
                for (int p = 0, d = base; p < kc; p++, d += pw) Arrays.fill(dst, d + cw, d + pw, 0f);
            }
        }
    }

    @Override
    void transposeInto(float[] t, int rows, int cols, float[] c, boolean add) {
        // in TR × TR tiles: a row-at-a-time transpose writes C with a stride of `rows` elements, which for rows = 64, 128
        // (a power of two) maps every write of a row to the same cache set (64 × 256 took 42 µs, 128 × 256 99 µs)
        for (int i0 = 0; i0 < rows; i0 += TR) {
            int i1 = Math.min(rows, i0 + TR);
            for (int j0 = 0; j0 < cols; j0 += TR) {
                int j1 = Math.min(cols, j0 + TR);
                for (int j = j0; j < j1; j++) {
                    for (int i = i0, o = j * rows + i0, s = i0 * cols + j; i < i1; i++, o++, s += cols) {
                        c[o] = add ? c[o] + t[s] : t[s];
                    }
                }
            }
        }
    }

    @Override
    void storeTile(float[] tile, int lt, float[] c, int cOff, int ldc, int rows, int cols, boolean add) {
        for (int r = 0; r < rows; r++) {
            int t = r * lt, o = cOff + r * ldc;
            if (add) {
                for (int j = 0; j < cols; j++) c[o + j] += tile[t + j];
            } else {
                System.arraycopy(tile, t, c, o, cols);
            }
        }
    }

    @Override
    void dots(int k, float[] a, int a0, int a1, float[] w, int w0, int ldw, float[] lanes) {
        final FloatVector zero = FloatVector.zero(S), negZero = FloatVector.broadcast(S, -0f);
        FloatVector s00 = zero, s01 = zero, s02 = zero, s03 = zero;
        FloatVector s10 = zero, s11 = zero, s12 = zero, s13 = zero;
        final int w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw, kv = k - k % VL;
        for (int p = 0; p < kv; p += VL) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector v;
            v = FloatVector.fromArray(S, w, w0 + p); s00 = x0.fma(v, s00); s10 = x1.fma(v, s10);
            v = FloatVector.fromArray(S, w, w1 + p); s01 = x0.fma(v, s01); s11 = x1.fma(v, s11);
            v = FloatVector.fromArray(S, w, w2 + p); s02 = x0.fma(v, s02); s12 = x1.fma(v, s12);
            v = FloatVector.fromArray(S, w, w3 + p); s03 = x0.fma(v, s03); s13 = x1.fma(v, s13);
        }
        // the accumulators are loop-carried: never receivers (VectorMath's JIT rules)
        negZero.add(s00).intoArray(lanes, 0); negZero.add(s01).intoArray(lanes, VL);
        negZero.add(s02).intoArray(lanes, 2 * VL); negZero.add(s03).intoArray(lanes, 3 * VL);
        negZero.add(s10).intoArray(lanes, 4 * VL); negZero.add(s11).intoArray(lanes, 5 * VL);
        negZero.add(s12).intoArray(lanes, 6 * VL); negZero.add(s13).intoArray(lanes, 7 * VL);
    }

    @Override
    void dots1(int k, float[] a, int a0, float[] w, int w0, int ldw, float[] lanes) {
        final FloatVector zero = FloatVector.zero(S), negZero = FloatVector.broadcast(S, -0f);
        FloatVector s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        final int w1 = w0 + ldw, w2 = w1 + ldw, w3 = w2 + ldw, kv = k - k % VL;
        for (int p = 0; p < kv; p += VL) {
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s0 = x.fma(FloatVector.fromArray(S, w, w0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, w, w1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, w, w2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, w, w3 + p), s3);
        }
        negZero.add(s0).intoArray(lanes, 0); negZero.add(s1).intoArray(lanes, VL);
        negZero.add(s2).intoArray(lanes, 2 * VL); negZero.add(s3).intoArray(lanes, 3 * VL);
    }

    @Override
    void sumLanes(float[] lanes, int count) {
        // per vector the fixed pairwise tree lane i += lane i + h, h = VL/2 .. 1 (reduceLanes' order is unspecified
        // and differs between the interpreter and C2); v is reassigned in straight-line code, never a loop phi
        for (int b = 0; b < count; b++) {
            FloatVector v = FloatVector.fromArray(S, lanes, b * VL);
            if (VL >= 16) v = v.rearrange(HALF8).add(v);
            if (VL >= 8) v = v.rearrange(HALF4).add(v);
            if (VL >= 4) v = v.rearrange(HALF2).add(v);
            if (VL >= 2) v = v.rearrange(HALF1).add(v);
            lanes[b] = v.lane(0);
        }
    }

    @Override
    void finishDots(int k, float[] a, int aOff, int r, float[] w, int w0, int ldw, int cols, float[] lanes,
                    float[] c, int cOff, boolean add) {
        final int kv = k - k % VL;
        for (int j = 0; j < cols; j++) {
            float s = lanes[r * 4 + j];
            for (int p = kv, wi = w0 + j * ldw; p < k; p++) s = Math.fma(a[aOff + p], w[wi + p], s);
            int o = cOff + j;
            c[o] = add ? c[o] + s : s;
        }
    }

    @Override
    void kernelHalf(int kc, float[] a, int aOff, int rs, int ps, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        final FloatVector zero = FloatVector.zero(S), negZero = FloatVector.broadcast(S, -0f); // -0 + x == x for every x
        FloatVector c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        final int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += ps, bi += 2 * VL) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + r1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + r2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + r3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + r4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + r5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + r6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + r7]).fma(b0, c7);
        }
        // the accumulators are loop-carried: never receivers (VectorMath's JIT rules)
        negZero.add(c0).intoArray(c, cOff); negZero.add(c1).intoArray(c, cOff + ldc);
        negZero.add(c2).intoArray(c, cOff + 2 * ldc); negZero.add(c3).intoArray(c, cOff + 3 * ldc);
        negZero.add(c4).intoArray(c, cOff + 4 * ldc); negZero.add(c5).intoArray(c, cOff + 5 * ldc);
        negZero.add(c6).intoArray(c, cOff + 6 * ldc); negZero.add(c7).intoArray(c, cOff + 7 * ldc);
    }

    @Override
    void kernel(int kc, float[] a, int aOff, int rs, int ps, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        final FloatVector zero = FloatVector.zero(S), negZero = FloatVector.broadcast(S, -0f); // -0 + x == x for every x
        FloatVector c00 = zero, c01 = zero;
        FloatVector c10 = zero, c11 = zero;
        FloatVector c20 = zero, c21 = zero;
        FloatVector c30 = zero, c31 = zero;
        final int r1 = rs, r2 = 2 * rs, r3 = 3 * rs;
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += ps, bi += 2 * VL) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]);      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + r1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + r2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + r3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
        // the accumulators are loop-carried: never receivers (VectorMath's JIT rules)
        negZero.add(c00).intoArray(c, o0); negZero.add(c01).intoArray(c, o0 + VL);
        negZero.add(c10).intoArray(c, o1); negZero.add(c11).intoArray(c, o1 + VL);
        negZero.add(c20).intoArray(c, o2); negZero.add(c21).intoArray(c, o2 + VL);
        negZero.add(c30).intoArray(c, o3); negZero.add(c31).intoArray(c, o3 + VL);
    }
}
