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
 * is packed into <i>panels</i> of {@link #nr} columns ({@code panel[p][0..nr)} contiguous). B's transposition is
 * handled by packing: an operand is either "p-major" (element {@code (p, x)} at {@code p·ld + x}: a contiguous copy
 * per {@code p}) or "index-major" ({@code x·ld + p}: a transposing copy, four source rows at a time). A is <i>not</i>
 * packed: the micro-kernel broadcasts its elements straight from the source, with a row stride and a depth stride
 * ({@code lda, 1} row-major, {@code 1, lda} transposed), so all four {@code transA/transB} modes run the same
 * micro-kernel. Only a last strip of fewer than {@link #mr} rows is packed, zero-padded, as is the last B panel.
 * Packing A strips cost ~5% of a 128×784·784×256 product on one thread and was done by each thread in full (the split
 * is by columns), so reading A in place measured 10–30% faster per product on two threads (e.g. 128×784·(256×784)ᵀ
 * 349 → 314 µs, 128×256·256×128 60 → 46 µs). Block sizes ({@link #kc}, {@link #MC}, {@link #NC}) are maxima; a
 * dimension is cut into equal blocks below them (784 → 2 × 392), and for the layer shapes anything from kc = 256 to
 * 800 measured within 2% in isolation. The depth block is a size in bytes ({@link #KC_BYTES}: 384 floats, 192
 * doubles), so a float64 panel holds as many bytes as a float32 one: inside the float64 MLP step, whose other work
 * evicts the operands between products, 192 doubles measured 0.88–1.0× the step time of 384 (three alternated
 * pairs), while 192 floats made the float32 step 1.0–1.1× slower. Packing a transposed B costs ~10% of a 128×784×256 product (a gathering pack, one
 * {@code fromArray} with an index map per vector, measured no faster on Zen 4, and an eight-row copy ~3% slower).
 *
 * <p><b>Micro-kernel.</b> An {@code mr × nr} = 4 rows × 2 vectors tile of C (4×32 floats or 4×16 doubles with
 * 512-bit vectors) lives in 8 vector accumulators; per depth step it loads the 2 B vectors of the panel,
 * broadcasts each of the 4 A elements of the strip and issues 8 FMAs. The whole kc-loop, plus the
 * final store of C, is a single method with no vector-valued calls, so nothing is boxed; when a depth block must be
 * added to C, the kernel writes a scratch tile that {@link #storeTile} adds. The tile is kept small on purpose:
 * on this machine (Zen 4, AVX-512) 4×2 to 8×3 tiles all reach the same ~116 GFLOP/s in-cache (the FMA-port limit;
 * 4×2 measured within ~3% of 8×2 on the layer shapes), but an 8×2 kernel (16 accumulators, 16 stores) sits at the
 * edge of C2's inlining budget: in a training run C2 left the last rows' Vector API calls un-inlined, boxing
 * every accumulator there (≈ 40 KB of garbage per step and 2–3× slower products), while the JMH step happened to
 * compile it fully. Edge tiles (fewer than mr rows
 * or nr columns) run the full kernel into a scratch tile that is then added/copied into C with scalar
 * loops, so the kernel itself never needs masks. The accumulators are loop-carried, so they are never the
 * receivers of Vector API calls (see {@link VectorMath}'s JIT rules): the epilogue is
 * {@code negZero.add(acc)} ({@code -0 + x == x} for every {@code x}). A C narrower than one panel ({@code N < nr},
 * e.g. 10 logits) with a tall {@code M} is computed transposed, {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}, so the tiles are filled.
 * So is {@code A·Bᵀ} with a short A (a linear layer's {@code x·Wᵀ} at a batch below W's row count; {@link #swapped}):
 * {@code Cᵀ = B·Aᵀ} reads W's rows in place and packs only the short x, where the direct product would pack all of W
 * transposed on every call (the same FMA chains, so the same bits). Measured on one thread (CPU time, loaded machine)
 * for {@code 32 × 784 · (256 × 784)ᵀ}: 192 → 101 µs float32, 338 → 212 µs float64; {@code 32 × 256 · (128 × 256)ᵀ}
 * 30 → 20 µs.
 *
 * <p><b>Which path runs for {@code x·Wᵀ}</b> ({@code M × K · (N × K)ᵀ}, the Linear forward), and why:
 * <ul>
 *   <li>{@code M ≤} {@link #DOT_ROWS} on one thread: {@link #dots}, nothing packed (a different summation order).</li>
 *   <li>{@code M ≤} {@link #SWAP_ROWS}{@code , M < N}: transposed, x packed into {@code ⌈M / nr⌉} panels.</li>
 *   <li>{@code 64 < M}, {@code 2·M·threads ≤ N}, not accumulating: transposed too. Packing W (the 784 × 256 layer: ~70–100
 *   µs, a transposing copy bound by memory traffic, which a blocked or 8-row or gathering copy did not speed up) costs
 *   more than packing x and transposing the result. In one JVM, one thread, CPU µs, float32 (transposed vs
 *   packed W): M = 65 277–284 vs 313–317, 80 290–296 vs 343–356, 96 339–341 vs 399–405, 128 445–471 vs 482–500; float64
 *   M = 80 505 vs 558, 96 599 vs 660, 128 797 vs 819. From {@code M ≈ N/2} the two are within noise (129: 505 vs 501; 192:
 *   678 vs 683, float64 1208 vs 1188). Split over two threads the transposed product is cut along W's rows and each thread
 *   packs all of x, while the direct one has each thread pack half of W, hence {@code threads} in the rule.</li>
 *   <li>Otherwise the direct product, packing W transposed per call.</li>
 * </ul>
 * Two details make the transposed path pay at every M: the result is transposed into C in 16 × 16 tiles
 * ({@code transposeInto}; a row-at-a-time transpose wrote C at a stride of M elements, which for M = 64 or 128 hits one
 * cache set: 42 and 99 µs for the 64 × 256 and 128 × 256 results, now 10 and 20), and a last panel of at most one vector
 * of columns (M = 33..48, 65..80, ... floats) runs the half-width kernel ({@link #kernelHalf}: 8 rows × 1 vector, 8
 * accumulators like the full kernel) instead of the full kernel's FMAs on zero padding: {@code 48 × 784 · (256 × 784)ᵀ}
 * float32 189–212 → 157–161 µs, 33 rows 174–200 → 149–151 (one thread, CPU time, separate JVMs alternated).
 *
 * <p><b>Measured</b> (single thread, 128×784·784×256 float32): ~100 GFLOP/s in all four transpose modes
 * (x·Wᵀ ~90: its B is packed transposed), vs 6.5 GFLOP/s for {@code CommonOps_FDRM.mult}; float64 ~50 GFLOP/s.
 *
 * <p><b>Accumulate.</b> The first depth block overwrites C (unless {@code accumulate}); later blocks add.
 * C therefore never needs to be zeroed first.
 *
 * <p><b>Threads.</b> {@link #gemm} splits C into {@code threads} column (or row) ranges, cut at panel
 * (strip) boundaries, along the longer of {@code N} and {@code M} — so the operand that each thread has to
 * read in full is the smaller one — and runs the ranges on {@link GemmPool}. Each thread packs its part of B
 * into its own thread-local workspace.
 *
 * @param <T> {@code float[]} or {@code double[]}
 */
abstract class SimdGemm<T> {
    /** Micro-tile rows. */
    final int mr;
    /** Micro-tile columns: two vectors. */
    final int nr;
    /** The depth block in bytes (384 floats, 192 doubles). */
    static final int KC_BYTES = 1536;
    /** Block sizes: rows and columns per packed block (maxima; blocks are balanced below these). */
    static final int MC = 192, NC = 2048;
    /** The depth block in elements ({@link #KC_BYTES} / element size; a maximum, balanced below like the others). */
    final int kc;
    /**
     * Products {@code A·Bᵀ} with at most this many rows of A are done as dot products ({@link #dots}), unpacked. Measured
     * on one thread (Zen 4, loaded machine, CPU time) for {@code m × 784 · (256 × 784)ᵀ}: m = 1: 9–12 µs dot vs
     * ~115 µs packed (packing W transposed dominates); m = 5: 44 vs 129; 8: 54 vs 87; 16: 106 vs 135; 32: 198 vs 227;
     * but {@code 32 × 256 · (128 × 256)ᵀ} 58 vs 35: the dot kernel runs at ~60 GFLOP/s at every m, the packed one
     * reaches ~100 once packing is amortised.
     */
    static final int DOT_ROWS = 16;
    /**
     * Products {@code A·Bᵀ} with more than {@link #DOT_ROWS} (or, split over threads, any number of) and at most this
     * many rows of A, fewer than B has, are computed transposed ({@link #gemm}: {@code Cᵀ = B·Aᵀ}), so that the short A
     * is packed instead of B, accumulating or not; taller A only under the rule of {@link #swapped}.
     */
    static final int SWAP_ROWS = 64;

    private final ThreadLocal<Work<T>> work = ThreadLocal.withInitial(Work::new);

    static final SimdGemm<float[]> F32 = new SimdGemmF32();
    static final SimdGemm<double[]> F64 = new SimdGemmF64();

    SimdGemm(int mr, int nr, int kc) {
        this.mr = mr;
        this.nr = nr;
        this.kc = kc;
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
     * The micro-kernel: {@code c[cOff + r·ldc + j] = Σ_p a[aOff + r·rs + p·ps]·bp[bOff + p·nr + j]} for the
     * full {@code mr × nr} tile, overwriting it. A is read in place ({@code rs, ps} = {@code lda, 1} for a row-major A,
     * {@code 1, lda} for a transposed one) or from a packed strip ({@code 1, mr}). Accumulation into C goes through a
     * tile and {@link #storeTile}: a
     * kernel that also loaded and added C would be so large that C2 stops inlining the vector stores (which then box
     * every accumulator; measured 2× slower GEMMs in the MLP step).
     */
    abstract void kernel(int kc, T a, int aOff, int rs, int ps, T bp, int bOff, T c, int cOff, int ldc);

    /**
     * The dot-product micro-kernel of {@link #dots}: two rows of A (at {@code a0}, {@code a1}) against four rows of
     * {@code w} (at {@code w0 + i·ldw}, {@code i < 4}) over the first {@code k − k % VL} elements, {@code VL = nr / 2}
     * lanes per vector: lane {@code l} of the product of A row {@code r} and W row {@code i} is
     * {@code Σ a[ar + l + q·VL]·w[wi + l + q·VL]} over {@code q}, a chain of FMAs, written to
     * {@code lanes[(r·4 + i)·VL + l]}.
     */
    abstract void dots(int k, T a, int a0, int a1, T w, int w0, int ldw, T lanes);

    /** {@link #dots} for one row of A (the lanes of row 0 only; equal to those {@code dots} gives its row 0). */
    abstract void dots1(int k, T a, int a0, T w, int w0, int ldw, T lanes);

    /**
     * Sums each of the first {@code count} vectors of lanes ({@code VL} each) in the fixed pairwise order
     * {@code lane i += lane i + h} for {@code h = VL/2, .., 1}, writing the sum of vector {@code b} to {@code lanes[b]}.
     */
    abstract void sumLanes(T lanes, int count);

    /**
     * Finishes row {@code r} of a {@link #dots} block whose lanes {@link #sumLanes} summed: for {@code j < cols} the
     * remaining {@code k % VL} products are added to {@code lanes[r·4 + j]} by scalar FMAs, in order, and the result is
     * stored to (or, with {@code add}, added to) {@code c[cOff + j]}; {@code aOff} is the A row, {@code w0 + j·ldw}
     * the W rows.
     */
    abstract void finishDots(int k, T a, int aOff, int r, T w, int w0, int ldw, int cols, T lanes, T c, int cOff,
                             boolean add);

    /** {@code c[j·rows + i] (+)= t[i·cols + j]}: the {@code rows × cols} matrix {@code t}, transposed into {@code c}. */
    abstract void transposeInto(T t, int rows, int cols, T c, boolean add);

    /**
     * The half-width micro-kernel for a panel whose columns fit one vector ({@code nr / 2}): {@code c[cOff + r·ldc + j] =
     * Σ_p a[aOff + r·rs + p·ps]·bp[bOff + p·nr + j]} for {@code r < 2·mr = 8}, {@code j < nr / 2}, overwriting them: the
     * same FMA chain per element as {@link #kernel} (so the same bits), in 8 accumulators like it, but without the FMAs on
     * the panel's zero padding. A is read in place only (whole strips).
     */
    abstract void kernelHalf(int kc, T a, int aOff, int rs, int ps, T bp, int bOff, T c, int cOff, int ldc);

    /**
     * Copies (or, with {@code add}, adds) the top-left {@code rows × cols} of a tile (row stride {@code lt}) into C.
     */
    abstract void storeTile(T tile, int lt, T c, int cOff, int ldc, int rows, int cols, boolean add);

    // ----------------------------------------------------------------------------- driver

    /** Thread-local packing buffers. */
    static final class Work<T> {
        T a, b, tile, t, lanes;
        /** This thread's reusable job for parallel products. */
        Split<T> split;
    }

    /**
     * {@code C (+)= op(A)·op(B)} using up to {@code threads} threads (the caller plus pool workers).
     * Dimensions must already be checked.
     */
    final void gemm(Matrix A, boolean transA, Matrix B, boolean transB, Matrix C, boolean accumulate, int threads) {
        final int m = C.getNumRows(), n = C.getNumCols(), k = transA ? A.getNumRows() : A.getNumCols();
        gemm(data(A), A.getNumCols(), 0, transA, data(B), B.getNumCols(), 0, transB, data(C), 0, m, n, k, accumulate,
                threads, true);
    }

    /**
     * {@code C (+)= op(A)·op(B)} on row blocks of row-major arrays: operand {@code X} (leading dimension
     * {@code ldx}) starts at row {@code xRow0} of its array, i.e. at element {@code xRow0·ldx} (a slice of a contiguous
     * batch of matrices is such a block); {@code C} is {@code m × n} with leading dimension {@code n}. With
     * {@code narrow}, a narrow C with a tall M may be computed transposed (only for blocks at row 0). Dimensions must
     * already be checked.
     */
    final void gemm(T a, int lda, int aRow0, boolean transA, T b, int ldb, int bRow0, boolean transB, T c, int cRow0,
                    int m, int n, int k, boolean accumulate, int threads, boolean narrow) {
        final int ldc = n;
        final boolean aPMajor = transA, bPMajor = !transB;
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(c, cRow0 * ldc, ldc, m, n);
            return;
        }
        if (m <= DOT_ROWS && !aPMajor && !bPMajor && threads == 1) {
            dots(a, lda, aRow0, b, ldb, bRow0, c, cRow0, m, n, k, accumulate);
            return;
        }
        if (narrow && !aPMajor && !bPMajor && swapped(m, n, accumulate, threads)) {
            // A·Bᵀ with a short A (a linear layer's x·Wᵀ at a small batch): packing B = W transposed would cost as much as
            // the product; Cᵀ = B·Aᵀ reads B's rows in place as the micro-kernel's A and packs only the short A
            T t = transposeScratch(m * n);
            gemm(b, ldb, bRow0, false, a, lda, aRow0, true, t, 0, n, m, k, false, threads, false);
            transposeInto(t, n, m, c, accumulate);
            return;
        }
        if (narrow && n < nr && m >= 2 * nr && threads == 1) {
            // a narrow C (e.g. the 10 logits of a classifier) would fill few of a tile's nr columns: compute
            // Cᵀ = op(B)ᵀ·op(A)ᵀ instead (the operands swap roles; packing handles the transposes), then transpose
            T t = transposeScratch(m * n);
            serial(b, ldb, 0, bPMajor, a, lda, 0, aPMajor, t, m, 0, k, 0, n, 0, m, false);
            transposeInto(t, n, m, c, accumulate);
            return;
        }
        int parts = threads;
        boolean splitCols = n >= m;
        int units = splitCols ? ceilDiv(n, nr) : ceilDiv(m, mr);
        parts = Math.max(1, Math.min(parts, units));
        if (parts == 1) {
            serial(a, lda, aRow0, aPMajor, b, ldb, bRow0, bPMajor, c, ldc, cRow0, k, 0, m, 0, n, accumulate);
            return;
        }
        Work<T> w = work.get();
        Split<T> split = w.split != null ? w.split : (w.split = new Split<>(this));
        split.set(a, lda, aRow0, aPMajor, b, ldb, bRow0, bPMajor, c, ldc, cRow0, k, m, n, accumulate, splitCols, units, parts);
        try {
            GemmPool.run(split, parts);
        } finally {
            split.a = split.b = split.c = null; // pin no caller's arrays between calls
        }
    }

    /** This thread's buffer for a product computed transposed, with room for {@code size} elements. */
    private T transposeScratch(int size) {
        Work<T> w = work.get();
        if (w.t == null || length(w.t) < size) w.t = alloc(size);
        return w.t;
    }

    /**
     * The ranges of one parallel product: part {@code t} of {@code parts} is the {@code t}-th of equal runs of
     * {@code units} panels (or strips), cut at panel (strip) boundaries, along the columns (or rows) of C. One instance
     * per calling thread (in its {@link Work}) is refilled per call, so handing a product to {@link GemmPool} allocates
     * nothing.
     */
    static final class Split<T> implements GemmPool.Parts {
        private final SimdGemm<T> gemm;
        T a, b, c;
        private int lda, ldb, ldc, aRow0, bRow0, cRow0, k, m, n, units, parts;
        private boolean aPMajor, bPMajor, accumulate, splitCols;

        Split(SimdGemm<T> gemm) {
            this.gemm = gemm;
        }

        void set(T a, int lda, int aRow0, boolean aPMajor, T b, int ldb, int bRow0, boolean bPMajor, T c, int ldc,
                 int cRow0, int k, int m, int n, boolean accumulate, boolean splitCols, int units, int parts) {
            this.a = a;
            this.lda = lda;
            this.aRow0 = aRow0;
            this.bRow0 = bRow0;
            this.cRow0 = cRow0;
            this.aPMajor = aPMajor;
            this.b = b;
            this.ldb = ldb;
            this.bPMajor = bPMajor;
            this.c = c;
            this.ldc = ldc;
            this.k = k;
            this.m = m;
            this.n = n;
            this.accumulate = accumulate;
            this.splitCols = splitCols;
            this.units = units;
            this.parts = parts;
        }

        @Override
        public void run(int t) {
            int u0 = (int) ((long) units * t / parts), u1 = (int) ((long) units * (t + 1) / parts);
            if (splitCols) {
                gemm.serial(a, lda, aRow0, aPMajor, b, ldb, bRow0, bPMajor, c, ldc, cRow0, k, 0, m, u0 * gemm.nr,
                        Math.min(n, u1 * gemm.nr), accumulate);
            } else {
                gemm.serial(a, lda, aRow0, aPMajor, b, ldb, bRow0, bPMajor, c, ldc, cRow0, k, u0 * gemm.mr,
                        Math.min(m, u1 * gemm.mr), 0, n, accumulate);
            }
        }
    }

    /**
     * The blocked product for the rectangle {@code [i0, i1) × [j0, j1)} of C, on the calling thread; each operand starts
     * at row {@code xRow0} of its array (a p-major operand's rows are its depth index, an index-major one's its
     * row/column index, so the offset shifts that index).
     */
    final void serial(T a, int lda, int aRow0, boolean aPMajor, T b, int ldb, int bRow0, boolean bPMajor, T c, int ldc,
                      int cRow0, int k, int i0, int i1, int j0, int j1, boolean accumulate) {
        final int m = i1 - i0, n = j1 - j0;
        final int kcMax = balanced(k, kc, 1), mcMax = balanced(m, MC, mr), ncMax = balanced(n, NC, nr);
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
                if (bPMajor) pack(b, ldb, true, pc + bRow0, kc, jc, nc, nr, bp);
                else pack(b, ldb, false, pc, kc, jc + bRow0, nc, nr, bp);
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    // whole strips read A in place; only a last strip of fewer than mr rows is packed (zero-padded)
                    int full = mc - mc % mr;
                    if (full < mc) {
                        if (aPMajor) pack(a, lda, true, pc + aRow0, kc, ic + full, mc - full, mr, ap);
                        else pack(a, lda, false, pc, kc, ic + full + aRow0, mc - full, mr, ap);
                    }
                    int rs = aPMajor ? 1 : lda, ps = aPMajor ? lda : 1;
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr), ir = 0;
                        if (2 * cols <= nr) {
                            // a last panel of at most one vector of columns: pairs of whole strips in the half-width kernel
                            int half = nr / 2;
                            for (; ir + 2 * mr <= full; ir += 2 * mr) {
                                int cOff = (cRow0 + ic + ir) * ldc + jc + jr;
                                int aOff = aPMajor ? (aRow0 + pc) * lda + ic + ir : (aRow0 + ic + ir) * lda + pc;
                                if (cols == half && !add) {
                                    kernelHalf(kc, a, aOff, rs, ps, bp, jr * kc, c, cOff, ldc);
                                } else {
                                    kernelHalf(kc, a, aOff, rs, ps, bp, jr * kc, tile, 0, half);
                                    storeTile(tile, half, c, cOff, ldc, 2 * mr, cols, add);
                                }
                            }
                        }
                        for (; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir);
                            int cOff = (cRow0 + ic + ir) * ldc + jc + jr;
                            T as;
                            int aOff, aRs, aPs;
                            if (ir < full) {
                                as = a;
                                aOff = aPMajor ? (aRow0 + pc) * lda + ic + ir : (aRow0 + ic + ir) * lda + pc;
                                aRs = rs;
                                aPs = ps;
                            } else {
                                as = ap;
                                aOff = (ir - full) * kc;
                                aRs = 1;
                                aPs = mr;
                            }
                            if (rows == mr && cols == nr && !add) {
                                kernel(kc, as, aOff, aRs, aPs, bp, jr * kc, c, cOff, ldc);
                            } else {
                                kernel(kc, as, aOff, aRs, aPs, bp, jr * kc, tile, 0, nr);
                                storeTile(tile, nr, c, cOff, ldc, rows, cols, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code C (+)= A·Bᵀ} for a short row-major A ({@code m ≤} {@link #DOT_ROWS} rows) and a transposed B stored
     * {@code [n, k]} (the {@code x·Wᵀ} of a linear layer at a small batch): every element is the dot product of an A
     * row and a B row, both contiguous, so nothing is packed; four B rows at a time meet every pair of A rows, so B is
     * read from memory once. Each element is the
     * FMA chain per lane of {@link #dots} (lanes {@code p ≡ l mod VL}), the lanes summed pairwise, then the
     * {@code k % VL} tail added in order: a fixed order that depends neither on {@code m} nor on the row's position,
     * but differs from {@link #serial}'s (one FMA chain over {@code p} per depth block), so the two agree to within
     * the usual dot-product bound {@code |Δ| ≤ 2·(k/VL + log2 VL + 1)·u·Σ_p |a_p·b_p|} ({@code u} the unit roundoff),
     * not bit for bit.
     */
    final void dots(T a, int lda, int aRow0, T b, int ldb, int bRow0, T c, int cRow0, int m, int n, int k,
                    boolean accumulate) {
        Work<T> w = work.get();
        if (w.lanes == null) w.lanes = alloc(4 * nr);
        final T lanes = w.lanes;
        // W rows outer (four at a time, ~4·k elements that stay in L1), A row pairs inner: W is read from memory once
        for (int j = 0; j < n; j += 4) {
            // a last group of fewer than four B rows reads one row four times (ldw = 0), one column at a time
            int cols = Math.min(4, n - j), cc = cols == 4 ? 4 : 1, ldw = cols == 4 ? ldb : 0;
            for (int q = 0; q < cols; q += cc) {
                int w0 = (bRow0 + j + q) * ldb;
                for (int r = 0; r < m; r += 2) {
                    boolean two = r + 1 < m;
                    int a0 = (aRow0 + r) * lda, a1 = a0 + lda, c0 = (cRow0 + r) * n + j + q;
                    if (two) dots(k, a, a0, a1, b, w0, ldw, lanes);
                    else dots1(k, a, a0, b, w0, ldw, lanes);
                    sumLanes(lanes, two ? 8 : 4);
                    finishDots(k, a, a0, 0, b, w0, ldw, cc, lanes, c, c0, accumulate);
                    if (two) finishDots(k, a, a1, 1, b, w0, ldw, cc, lanes, c, c0 + n, accumulate);
                }
            }
        }
    }

    /**
     * Whether {@code A·Bᵀ} ({@code m × n}, on up to {@code threads} threads) is computed transposed, {@code Cᵀ = B·Aᵀ},
     * packing the short A instead of B: for {@code m ≤} {@link #SWAP_ROWS} rows fewer than B has, and for a taller A,
     * without accumulation, when A has at most half the rows of B that each thread would pack in the ordinary product
     * ({@code 2·m·threads ≤ n}; split over threads, the transposed product is cut along B's rows and every thread packs
     * all of A). With accumulation the transposed product adds the old C once at the end, not at the first depth
     * block; above {@link #SWAP_ROWS} rows it is therefore not used, so that the accumulating product keeps its bits.
     * Either way every element is the same FMA chain, so without accumulation the choice does not change the result.
     */
    static boolean swapped(int m, int n, boolean accumulate, int threads) {
        if (m >= n) return false;
        return m <= SWAP_ROWS || !accumulate && 2L * m * threads <= n;
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

}
