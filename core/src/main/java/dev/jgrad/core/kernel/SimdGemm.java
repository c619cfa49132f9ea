package dev.jgrad.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

import java.util.Arrays;

/**
 * Blocked, register-tiled GEMM on the Vector API: one driver (blocking, packing layout, edge tiles, the
 * two-thread split) written once over the array type {@code T}, plus two small per-type parts (packing
 * copy loops and the micro-kernel) for {@code float[]} and {@code double[]}.
 *
 * <p><b>Algorithm</b> (GotoBLAS/BLIS loop order). {@code C[M,N] (+)= op(A)[M,K]·op(B)[K,N]} is computed in
 * blocks of {@code nc} columns × {@code kc} depth × {@code mc} rows. For each {@code (jc, pc)} the B block
 * is packed into <i>panels</i> of {@link #nr} columns ({@code panel[p][0..nr)} contiguous); for each
 * {@code ic} the A block is packed into <i>strips</i> of {@link #mr} rows ({@code strip[p][0..mr)}
 * contiguous). Transposition is handled entirely by packing: an operand is either "p-major" (element
 * {@code (p, x)} at {@code p·ld + x}: a contiguous copy per {@code p}) or "index-major" ({@code x·ld + p}:
 * a transposing copy, four source rows at a time), so all four {@code transA/transB} modes run the same
 * micro-kernel. Both packed operands are zero-padded to whole strips/panels. Block sizes ({@link #KC},
 * {@link #MC}, {@link #NC}) are maxima; a dimension is cut into equal blocks below them (784 → 2 × 392), and
 * for the layer shapes anything from kc = 256 to 800 measured within 2%. Packing costs ~5% (A strips) to
 * ~12% (a transposed B) of a 128×784×256 product.
 *
 * <p><b>Micro-kernel.</b> An {@code mr × nr} = 8 rows × 2 vectors tile of C (8×32 floats or 8×16 doubles with
 * 512-bit vectors) lives in 16 vector accumulators; per depth step it loads the 2 B vectors of the panel,
 * broadcasts each of the 8 A elements of the strip and issues 16 FMAs. The whole kc-loop, plus the
 * final load-add-store of C, is a single method with no vector-valued calls, so nothing is boxed. On this
 * machine (Zen 4, AVX-512) 4×3, 4×4, 6×4, 8×2, 8×3 and 5×4 tiles all ran at the same ~116 GFLOP/s in-cache
 * (the FMA-port limit); 8×2 was kept because {@code M} is usually a batch size (a multiple of 8) and
 * narrow panels waste little on the {@code N} tail (e.g. 784 = 24·32 + 16). Edge tiles (fewer than mr rows
 * or nr columns) run the full kernel into a scratch tile that is then added/copied into C with scalar
 * loops, so the kernel itself never needs masks. The accumulators are loop-carried, so they are never the
 * receivers of Vector API calls (see {@link VectorMath}'s JIT rules): the epilogue is
 * {@code load(C).add(acc)} / {@code negZero.add(acc)} ({@code -0 + x == x} for every {@code x}).
 *
 * <p><b>Measured</b> (single thread, 128×784·784×256 float32): ~100 GFLOP/s in all four transpose modes
 * (x·Wᵀ ~90: its B is packed transposed), vs 6.5 GFLOP/s for {@code CommonOps_FDRM.mult}; float64 ~50 GFLOP/s.
 *
 * <p><b>Accumulate.</b> The first depth block overwrites C (unless {@code accumulate}); later blocks add.
 * C therefore never needs to be zeroed first.
 *
 * <p><b>Threads.</b> {@link #gemm} splits C into {@code threads} column (or row) ranges, cut at panel
 * (strip) boundaries, along the longer of {@code N} and {@code M} — so the operand that each thread has to
 * pack in full is the smaller one — and runs the ranges on {@link GemmPool}. Each thread packs into its
 * own thread-local workspace.
 *
 * @param <T> {@code float[]} or {@code double[]}
 */
abstract class SimdGemm<T> {
    /** Micro-tile rows. */
    final int mr;
    /** Micro-tile columns: two vectors. */
    final int nr;
    /** Block sizes: depth, rows and columns per packed block (maxima; blocks are balanced below these). */
    static final int KC = 384, MC = 192, NC = 2048;

    private final ThreadLocal<Work<T>> work = ThreadLocal.withInitial(Work::new);

    static final SimdGemm<float[]> F32 = new F32Gemm();
    static final SimdGemm<double[]> F64 = new F64Gemm();

    SimdGemm(int mr, int nr) {
        this.mr = mr;
        this.nr = nr;
    }

    // ----------------------------------------------------------------------------- per-type parts

    abstract T alloc(int n);

    abstract int length(T array);

    abstract T data(Matrix m);

    /** {@code c[off + r·ldc + j] = 0} for the given rows and columns (only for {@code K == 0}). */
    abstract void zero(T c, int off, int ldc, int rows, int cols);

    /**
     * Packs elements {@code (p, x)}, {@code p < kc}, {@code x < w} of an operand into panels of width
     * {@code pw}: element {@code (p, x)} goes to {@code dst[(x / pw)·pw·kc + p·pw + x % pw]}; the last panel
     * is zero-padded. The source element is {@code src[(p0 + p)·ld + x0 + x]} when {@code pMajor}, else
     * {@code src[(x0 + x)·ld + p0 + p]}.
     */
    abstract void pack(T src, int ld, boolean pMajor, int p0, int kc, int x0, int w, int pw, T dst);

    /**
     * The micro-kernel: {@code c[cOff + r·ldc + j] (+)= Σ_p ap[aOff + p·mr + r]·bp[bOff + p·nr + j]} for the
     * full {@code mr × nr} tile; adds to C when {@code add}, else overwrites it.
     */
    abstract void kernel(int kc, T ap, int aOff, T bp, int bOff, T c, int cOff, int ldc, boolean add);

    /** Copies (or, with {@code add}, adds) the top-left {@code rows × cols} of an {@code mr × nr} tile into C. */
    abstract void storeTile(T tile, T c, int cOff, int ldc, int rows, int cols, boolean add);

    // ----------------------------------------------------------------------------- driver

    /** Thread-local packing buffers. */
    static final class Work<T> {
        T a, b, tile;
    }

    /**
     * {@code C (+)= op(A)·op(B)} using up to {@code threads} threads (the caller plus pool workers).
     * Dimensions must already be checked.
     */
    final void gemm(Matrix A, boolean transA, Matrix B, boolean transB, Matrix C, boolean accumulate, int threads) {
        final int m = C.getNumRows(), n = C.getNumCols(), k = transA ? A.getNumRows() : A.getNumCols();
        final T a = data(A), b = data(B), c = data(C);
        final int lda = A.getNumCols(), ldb = B.getNumCols(), ldc = n;
        final boolean aPMajor = transA, bPMajor = !transB;
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(c, 0, ldc, m, n);
            return;
        }
        int parts = threads;
        boolean splitCols = n >= m;
        int units = splitCols ? ceilDiv(n, nr) : ceilDiv(m, mr);
        parts = Math.max(1, Math.min(parts, units));
        if (parts == 1) {
            serial(a, lda, aPMajor, b, ldb, bPMajor, c, ldc, k, 0, m, 0, n, accumulate);
            return;
        }
        Runnable[] tasks = new Runnable[parts];
        for (int t = 0; t < parts; t++) {
            int u0 = (int) ((long) units * t / parts), u1 = (int) ((long) units * (t + 1) / parts);
            if (splitCols) {
                int j0 = u0 * nr, j1 = Math.min(n, u1 * nr);
                tasks[t] = () -> serial(a, lda, aPMajor, b, ldb, bPMajor, c, ldc, k, 0, m, j0, j1, accumulate);
            } else {
                int i0 = u0 * mr, i1 = Math.min(m, u1 * mr);
                tasks[t] = () -> serial(a, lda, aPMajor, b, ldb, bPMajor, c, ldc, k, i0, i1, 0, n, accumulate);
            }
        }
        GemmPool.run(tasks);
    }

    /** The blocked product for the rectangle {@code [i0, i1) × [j0, j1)} of C, on the calling thread. */
    final void serial(T a, int lda, boolean aPMajor, T b, int ldb, boolean bPMajor, T c, int ldc, int k,
                      int i0, int i1, int j0, int j1, boolean accumulate) {
        final int m = i1 - i0, n = j1 - j0;
        final int kcMax = balanced(k, KC, 1), mcMax = balanced(m, MC, mr), ncMax = balanced(n, NC, nr);
        Work<T> w = work.get();
        int aSize = roundUp(mcMax, mr) * kcMax, bSize = roundUp(ncMax, nr) * kcMax;
        if (w.a == null || length(w.a) < aSize) w.a = alloc(aSize);
        if (w.b == null || length(w.b) < bSize) w.b = alloc(bSize);
        if (w.tile == null) w.tile = alloc(mr * nr);
        final T ap = w.a, bp = w.b, tile = w.tile;

        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0;
                pack(b, ldb, bPMajor, pc, kc, jc, nc, nr, bp);
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    pack(a, lda, aPMajor, pc, kc, ic, mc, mr, ap);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr);
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir);
                            int cOff = (ic + ir) * ldc + jc + jr;
                            if (rows == mr && cols == nr) {
                                kernel(kc, ap, ir * kc, bp, jr * kc, c, cOff, ldc, add);
                            } else {
                                kernel(kc, ap, ir * kc, bp, jr * kc, tile, 0, nr, false);
                                storeTile(tile, c, cOff, ldc, rows, cols, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The largest block size {@code ≤ max} (up to rounding to {@code unit}) that splits {@code n} evenly. */
    static int balanced(int n, int max, int unit) {
        int blocks = ceilDiv(n, max);
        return Math.max(unit, roundUp(ceilDiv(n, blocks), unit));
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int unit) {
        return ceilDiv(a, unit) * unit;
    }

    // ============================================================================= float32

    static final class F32Gemm extends SimdGemm<float[]> {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
        private static final int VL = S.length();

        F32Gemm() {
            super(8, 2 * VL);
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
                    // transposing copy, four source rows at a time (sequential reads, 4 adjacent writes)
                    int x = 0;
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
        void storeTile(float[] tile, float[] c, int cOff, int ldc, int rows, int cols, boolean add) {
            for (int r = 0; r < rows; r++) {
                int t = r * nr, o = cOff + r * ldc;
                if (add) {
                    for (int j = 0; j < cols; j++) c[o + j] += tile[t + j];
                } else {
                    System.arraycopy(tile, t, c, o, cols);
                }
            }
        }

        @Override
        void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean add) {
            final FloatVector zero = FloatVector.zero(S), negZero = FloatVector.broadcast(S, -0f); // -0 + x == x for every x
            FloatVector c00 = zero, c01 = zero;
            FloatVector c10 = zero, c11 = zero;
            FloatVector c20 = zero, c21 = zero;
            FloatVector c30 = zero, c31 = zero;
            FloatVector c40 = zero, c41 = zero;
            FloatVector c50 = zero, c51 = zero;
            FloatVector c60 = zero, c61 = zero;
            FloatVector c70 = zero, c71 = zero;
            for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 8, bi += 2 * VL) {
                FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + VL);
                FloatVector x;
                x = FloatVector.broadcast(S, ap[ai]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, ap[ai + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, ap[ai + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, ap[ai + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, ap[ai + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, ap[ai + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
                x = FloatVector.broadcast(S, ap[ai + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
                x = FloatVector.broadcast(S, ap[ai + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
            int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
            // the accumulators are loop-carried: never receivers (VectorMath's JIT rules)
            if (add) {
                FloatVector.fromArray(S, c, o0).add(c00).intoArray(c, o0); FloatVector.fromArray(S, c, o0 + VL).add(c01).intoArray(c, o0 + VL);
                FloatVector.fromArray(S, c, o1).add(c10).intoArray(c, o1); FloatVector.fromArray(S, c, o1 + VL).add(c11).intoArray(c, o1 + VL);
                FloatVector.fromArray(S, c, o2).add(c20).intoArray(c, o2); FloatVector.fromArray(S, c, o2 + VL).add(c21).intoArray(c, o2 + VL);
                FloatVector.fromArray(S, c, o3).add(c30).intoArray(c, o3); FloatVector.fromArray(S, c, o3 + VL).add(c31).intoArray(c, o3 + VL);
                FloatVector.fromArray(S, c, o4).add(c40).intoArray(c, o4); FloatVector.fromArray(S, c, o4 + VL).add(c41).intoArray(c, o4 + VL);
                FloatVector.fromArray(S, c, o5).add(c50).intoArray(c, o5); FloatVector.fromArray(S, c, o5 + VL).add(c51).intoArray(c, o5 + VL);
                FloatVector.fromArray(S, c, o6).add(c60).intoArray(c, o6); FloatVector.fromArray(S, c, o6 + VL).add(c61).intoArray(c, o6 + VL);
                FloatVector.fromArray(S, c, o7).add(c70).intoArray(c, o7); FloatVector.fromArray(S, c, o7 + VL).add(c71).intoArray(c, o7 + VL);
            } else {
                negZero.add(c00).intoArray(c, o0); negZero.add(c01).intoArray(c, o0 + VL);
                negZero.add(c10).intoArray(c, o1); negZero.add(c11).intoArray(c, o1 + VL);
                negZero.add(c20).intoArray(c, o2); negZero.add(c21).intoArray(c, o2 + VL);
                negZero.add(c30).intoArray(c, o3); negZero.add(c31).intoArray(c, o3 + VL);
                negZero.add(c40).intoArray(c, o4); negZero.add(c41).intoArray(c, o4 + VL);
                negZero.add(c50).intoArray(c, o5); negZero.add(c51).intoArray(c, o5 + VL);
                negZero.add(c60).intoArray(c, o6); negZero.add(c61).intoArray(c, o6 + VL);
                negZero.add(c70).intoArray(c, o7); negZero.add(c71).intoArray(c, o7 + VL);
            }
        }
    }

    // ============================================================================= float64

    static final class F64Gemm extends SimdGemm<double[]> {
        private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
        private static final int VL = S.length();

        F64Gemm() {
            super(8, 2 * VL);
        }

        @Override double[] alloc(int n) { return new double[n]; }
        @Override int length(double[] array) { return array.length; }
        @Override double[] data(Matrix m) { return ((DMatrixRMaj) m).data; }

        @Override
        void zero(double[] c, int off, int ldc, int rows, int cols) {
            for (int r = 0; r < rows; r++) Arrays.fill(c, off + r * ldc, off + r * ldc + cols, 0.0);
        }

        @Override
        void pack(double[] src, int ld, boolean pMajor, int p0, int kc, int x0, int w, int pw, double[] dst) {
            for (int q = 0; q < w; q += pw) {
                int cw = Math.min(pw, w - q), base = q * kc;
                if (pMajor) {
                    for (int p = 0, s = (p0) * ld + x0 + q, d = base; p < kc; p++, s += ld, d += pw) {
                        System.arraycopy(src, s, dst, d, cw);
                    }
                } else {
                    // transposing copy, four source rows at a time (sequential reads, 4 adjacent writes)
                    int x = 0;
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
                    for (int p = 0, d = base; p < kc; p++, d += pw) Arrays.fill(dst, d + cw, d + pw, 0.0);
                }
            }
        }

        @Override
        void storeTile(double[] tile, double[] c, int cOff, int ldc, int rows, int cols, boolean add) {
            for (int r = 0; r < rows; r++) {
                int t = r * nr, o = cOff + r * ldc;
                if (add) {
                    for (int j = 0; j < cols; j++) c[o + j] += tile[t + j];
                } else {
                    System.arraycopy(tile, t, c, o, cols);
                }
            }
        }

        @Override
        void kernel(int kc, double[] ap, int aOff, double[] bp, int bOff, double[] c, int cOff, int ldc, boolean add) {
            final DoubleVector zero = DoubleVector.zero(S), negZero = DoubleVector.broadcast(S, -0.0); // -0 + x == x for every x
            DoubleVector c00 = zero, c01 = zero;
            DoubleVector c10 = zero, c11 = zero;
            DoubleVector c20 = zero, c21 = zero;
            DoubleVector c30 = zero, c31 = zero;
            DoubleVector c40 = zero, c41 = zero;
            DoubleVector c50 = zero, c51 = zero;
            DoubleVector c60 = zero, c61 = zero;
            DoubleVector c70 = zero, c71 = zero;
            for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += 8, bi += 2 * VL) {
                DoubleVector b0 = DoubleVector.fromArray(S, bp, bi), b1 = DoubleVector.fromArray(S, bp, bi + VL);
                DoubleVector x;
                x = DoubleVector.broadcast(S, ap[ai]);     c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
                x = DoubleVector.broadcast(S, ap[ai + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
                x = DoubleVector.broadcast(S, ap[ai + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
                x = DoubleVector.broadcast(S, ap[ai + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
                x = DoubleVector.broadcast(S, ap[ai + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
                x = DoubleVector.broadcast(S, ap[ai + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
                x = DoubleVector.broadcast(S, ap[ai + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
                x = DoubleVector.broadcast(S, ap[ai + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
            int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc, o7 = o6 + ldc;
            // the accumulators are loop-carried: never receivers (VectorMath's JIT rules)
            if (add) {
                DoubleVector.fromArray(S, c, o0).add(c00).intoArray(c, o0); DoubleVector.fromArray(S, c, o0 + VL).add(c01).intoArray(c, o0 + VL);
                DoubleVector.fromArray(S, c, o1).add(c10).intoArray(c, o1); DoubleVector.fromArray(S, c, o1 + VL).add(c11).intoArray(c, o1 + VL);
                DoubleVector.fromArray(S, c, o2).add(c20).intoArray(c, o2); DoubleVector.fromArray(S, c, o2 + VL).add(c21).intoArray(c, o2 + VL);
                DoubleVector.fromArray(S, c, o3).add(c30).intoArray(c, o3); DoubleVector.fromArray(S, c, o3 + VL).add(c31).intoArray(c, o3 + VL);
                DoubleVector.fromArray(S, c, o4).add(c40).intoArray(c, o4); DoubleVector.fromArray(S, c, o4 + VL).add(c41).intoArray(c, o4 + VL);
                DoubleVector.fromArray(S, c, o5).add(c50).intoArray(c, o5); DoubleVector.fromArray(S, c, o5 + VL).add(c51).intoArray(c, o5 + VL);
                DoubleVector.fromArray(S, c, o6).add(c60).intoArray(c, o6); DoubleVector.fromArray(S, c, o6 + VL).add(c61).intoArray(c, o6 + VL);
                DoubleVector.fromArray(S, c, o7).add(c70).intoArray(c, o7); DoubleVector.fromArray(S, c, o7 + VL).add(c71).intoArray(c, o7 + VL);
            } else {
                negZero.add(c00).intoArray(c, o0); negZero.add(c01).intoArray(c, o0 + VL);
                negZero.add(c10).intoArray(c, o1); negZero.add(c11).intoArray(c, o1 + VL);
                negZero.add(c20).intoArray(c, o2); negZero.add(c21).intoArray(c, o2 + VL);
                negZero.add(c30).intoArray(c, o3); negZero.add(c31).intoArray(c, o3 + VL);
                negZero.add(c40).intoArray(c, o4); negZero.add(c41).intoArray(c, o4 + VL);
                negZero.add(c50).intoArray(c, o5); negZero.add(c51).intoArray(c, o5 + VL);
                negZero.add(c60).intoArray(c, o6); negZero.add(c61).intoArray(c, o6 + VL);
                negZero.add(c70).intoArray(c, o7); negZero.add(c71).intoArray(c, o7 + VL);
            }
        }
    }
}
