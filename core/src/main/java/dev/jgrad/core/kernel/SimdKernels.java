package dev.jgrad.core.kernel;

import dev.jgrad.core.Storage;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

/**
 * The fast backend, on the incubating Vector API ({@code --add-modules jdk.incubator.vector}); {@link Kernels}
 * loads it reflectively when that module is present.
 *
 * <ul>
 *   <li><b>gemm</b> (float32 and float64): the blocked, register-tiled kernel of {@link SimdGemm}, on up to
 *   {@link GemmPool#THREADS} threads for large products (see the thresholds below); products of fewer
 *   than {@link #SMALL_FLOPS} multiply-adds go to EJML.</li>
 *   <li><b>exp, log, softmax, log-softmax, logSumExp, sum</b> and the softmax-family backward passes
 *   ({@code softmaxBackward}, {@code logSumExpBackward}) on float32 and float64 storage:
 *   vectorised, for contiguous rows ({@code inner == 1}), by the row passes of {@link SimdRowsF32} (and its
 *   generated float64 twin {@code SimdRowsF64}) over the exp/log of {@link VectorMath} (float32: within 2 ulp,
 *   compensated float exp sums) and {@link VectorMath64} (float64: within 1 ulp, double-lane sums); results
 *   below the normal range are flushed to +0. Rows whose max (or given shift / log-sum / gradient) is not finite
 *   are done by the scalar code, which keeps every special case (the {@code isfinite} guard, NaN, {@code ±inf})
 *   bit-for-bit the same as {@link ScalarKernels}. {@code inner > 1} rows other than sums use
 *   {@link ScalarKernels}.
 *   The softmax / log-softmax backward passes compute in the storage precision: the row sum compensated ({@code Σ g∘y},
 *   FMA-split products and TwoSum per lane) or in double lanes ({@code Σ g}), then {@code (g - a)·y}, resp.
 *   {@code g + (-a)·exp(y)}, so each element is within a few units of the precision of {@code y·(|g| + Σ|g∘y|)}, resp.
 *   {@code |g| + exp(y)·Σ|g|} ({@code SimdKernelsTest} asserts 16), not of the (possibly cancelling) result.</li>
 *   <li><b>ReLU, leaky ReLU (and their gradients), {@code + − · /} with broadcasting, in-place accumulation, the
 *   finiteness check</b> on float32 and float64 storage: {@link SimdPointwiseF32} and its generated float64 twin, bit
 *   for bit the scalar backend's values; the logistic family and GELU on float32 storage: {@link SimdElementwise}.</li>
 * </ul>
 *
 * <p><b>Thresholds</b> (multiply-adds {@code M·N·K}; measured on the 2-core Zen 4 VM this was developed on with
 * a best-of-many-runs timing harness, {@code SimdGemmBenchmark} for the layer shapes):
 * <ul>
 *   <li>below {@value #SMALL_FLOPS} (8×8×8) EJML's plain loops win (4×4×4: 0.08 µs vs 0.15 µs; 8×8×8: 0.35 vs
 *   0.20; 16×16×16: 2.2 vs 0.5), because packing and the fixed 8×32 tile have a fixed cost;</li>
 *   <li>a second thread pays off from about 0.9 M multiply-adds (96³: 20.5 → 15.8 µs; 64³: 7.0 → 8.9 µs, a
 *   loss) <i>if the pool worker is awake</i> (it spins for {@link GemmPool#SPIN_NANOS} after each part), so
 *   from {@value #PARALLEL_FLOPS_AWAKE} (≈ 102³) the product is split when {@link GemmPool#workerAwake()};</li>
 *   <li>waking a parked worker costs ≈ 50 µs, so a cold split loses below several M multiply-adds (measured
 *   after a 1 ms pause: 128³ 49 → 57 µs, 160³ 91 → 105 µs, 128×784×64 200 → 149 µs); from
 *   {@value #PARALLEL_FLOPS_COLD} (≈ 203³) the product is split regardless, waking the worker.</li>
 * </ul>
 */
public final class SimdKernels implements KernelBackend {
    /** Products with fewer multiply-adds ({@code M·N·K}) than this use EJML. */
    static final long SMALL_FLOPS = 8 * 8 * 8;
    /** Products with at least this many multiply-adds are split over the pool when a worker is awake. */
    static final long PARALLEL_FLOPS_AWAKE = 1L << 20;
    /** Products with at least this many multiply-adds are split over the pool, waking a worker if needed. */
    static final long PARALLEL_FLOPS_COLD = 1L << 23;

    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    /** Doubles of the same vector size: one float vector widens to two of these. */
    private static final VectorSpecies<Double> SD = VectorSpecies.of(double.class, SF.vectorShape());

    private final ScalarKernels scalar = new ScalarKernels();
    private final int threads;

    /** Uses up to {@link GemmPool#THREADS} threads ({@code -Djgrad.threads}, default: all processors). */
    public SimdKernels() {
        this(GemmPool.THREADS);
    }

    /** Uses up to {@code threads} threads (1: never leaves the calling thread). */
    public SimdKernels(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = Math.min(threads, GemmPool.THREADS);
    }

    @Override
    public String name() {
        return "simd-" + SF.vectorBitSize();
    }

    /** True: this backend runs on the Vector API. */
    @Override
    public boolean simd() {
        return true;
    }

    /** Threads this backend uses for large products and row or element ranges ({@link ParallelRanges}). */
    @Override
    public int threads() {
        return threads;
    }

    // ------------------------------------------------------------------------------------------ gemm

    @Override
    public void gemm(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate) {
        boolean f32 = c instanceof FMatrixRMaj && a instanceof FMatrixRMaj && b instanceof FMatrixRMaj;
        boolean f64 = c instanceof DMatrixRMaj && a instanceof DMatrixRMaj && b instanceof DMatrixRMaj;
        if (!f32 && !f64) {
            scalar.gemm(a, transA, b, transB, c, accumulate);
            return;
        }
        int m = transA ? a.getNumCols() : a.getNumRows(), k = transA ? a.getNumRows() : a.getNumCols();
        int kb = transB ? b.getNumCols() : b.getNumRows(), n = transB ? b.getNumRows() : b.getNumCols();
        if (k != kb || c.getNumRows() != m || c.getNumCols() != n) {
            throw new MatrixDimensionException("gemm: op(A) is " + m + "x" + k + ", op(B) is " + kb + "x" + n
                    + ", C is " + c.getNumRows() + "x" + c.getNumCols());
        }
        if (c == a || c == b) throw new IllegalArgumentException("gemm: C must not alias A or B");
        long flops = (long) m * n * k;
        if (flops < SMALL_FLOPS) {
            scalar.gemm(a, transA, b, transB, c, accumulate);
            return;
        }
        int t = threads > 1 && (flops >= PARALLEL_FLOPS_COLD || flops >= PARALLEL_FLOPS_AWAKE && GemmPool.workerAwake())
                ? threads : 1;
        if (f32) SimdGemm.F32.gemm(a, transA, b, transB, c, accumulate, t);
        else SimdGemm.F64.gemm(a, transA, b, transB, c, accumulate, t);
    }

    /** The blocks are read in place by the SIMD GEMM (row offsets), with {@link #gemm}'s size and thread rules. */
    @Override
    public void gemm(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                     int m, int n, int k, boolean accumulate) {
        long flops = (long) m * n * k;
        int t = threads > 1 && (flops >= PARALLEL_FLOPS_COLD || flops >= PARALLEL_FLOPS_AWAKE && GemmPool.workerAwake())
                ? threads : 1;
        blocks(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, t);
    }

    /** {@link #gemm(Storage, int, boolean, Storage, int, boolean, Storage, int, int, int, int, boolean)} on one thread. */
    @Override
    public void gemmSerial(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                           int m, int n, int k, boolean accumulate) {
        blocks(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, 1);
    }

    private void blocks(Storage a, int aOff, boolean transA, Storage b, int bOff, boolean transB, Storage c, int cOff,
                        int m, int n, int k, boolean accumulate, int t) {
        if ((long) m * n * k < SMALL_FLOPS) {
            KernelBackend.super.gemm(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
            return;
        }
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (c instanceof Storage.F32 cf) {
            SimdGemm.F32.gemm(((Storage.F32) a).a, lda, aOff / lda, transA, ((Storage.F32) b).a, ldb, bOff / ldb, transB,
                    cf.a, cOff / n, m, n, k, accumulate, t, false);
        } else {
            SimdGemm.F64.gemm(((Storage.F64) a).a, lda, aOff / lda, transA, ((Storage.F64) b).a, ldb, bOff / ldb, transB,
                    ((Storage.F64) c).a, cOff / n, m, n, k, accumulate, t, false);
        }
    }

    // ------------------------------------------------------------------------------------------ pointwise

    @Override
    public void exp(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) VectorMath.exp(xf.a, 0, of.a, 0, n);
        else if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) VectorMath64.exp(xd.a, 0, od.a, 0, n);
        else scalar.exp(x, out, n);
    }

    @Override
    public void log(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) VectorMath.log(xf.a, 0, of.a, 0, n);
        else if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) VectorMath64.log(xd.a, 0, od.a, 0, n);
        else scalar.log(x, out, n);
    }

    // ------------------------------------------------------------------------------------------ rows (SimdRowsF32/F64)

    @Override
    public void softmax(Storage x, Storage out, int outer, int n, int inner, boolean log) {
        if (inner == 1 && x instanceof Storage.F32 xf && out instanceof Storage.F32 of) SimdRowsF32.softmax(x, xf.a, out, of.a, outer, n, log);
        else if (inner == 1 && x instanceof Storage.F64 xd && out instanceof Storage.F64 od) SimdRowsF64.softmax(x, xd.a, out, od.a, outer, n, log);
        else scalar.softmax(x, out, outer, n, inner, log);
    }

    @Override
    public void logSumExp(Storage x, double[] shift, double[] logSum, int outer, int n, int inner) {
        if (inner == 1 && x instanceof Storage.F32 xf) SimdRowsF32.logSumExp(x, xf.a, shift, logSum, outer, n);
        else if (inner == 1 && x instanceof Storage.F64 xd) SimdRowsF64.logSumExp(x, xd.a, shift, logSum, outer, n);
        else scalar.logSumExp(x, shift, logSum, outer, n, inner);
    }

    @Override
    public void softmaxBackward(Storage y, Storage g, Storage out, int outer, int n, int inner, boolean log) {
        if (inner == 1 && y instanceof Storage.F32 yf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of) {
            SimdRowsF32.softmaxBackward(y, yf.a, g, gf.a, out, of.a, outer, n, log);
        } else if (inner == 1 && y instanceof Storage.F64 yd && g instanceof Storage.F64 gd && out instanceof Storage.F64 od) {
            SimdRowsF64.softmaxBackward(y, yd.a, g, gd.a, out, od.a, outer, n, log);
        } else {
            scalar.softmaxBackward(y, g, out, outer, n, inner, log);
        }
    }

    @Override
    public void logSumExpBackward(Storage x, double[] shift, double[] logSum, Storage g, Storage out, int outer, int n, int inner) {
        if (inner == 1 && x instanceof Storage.F32 xf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of) {
            SimdRowsF32.logSumExpBackward(x, xf.a, shift, logSum, g, gf.a, out, of.a, outer, n);
        } else if (inner == 1 && x instanceof Storage.F64 xd && g instanceof Storage.F64 gd && out instanceof Storage.F64 od) {
            SimdRowsF64.logSumExpBackward(x, xd.a, shift, logSum, g, gd.a, out, od.a, outer, n);
        } else {
            scalar.logSumExpBackward(x, shift, logSum, g, out, outer, n, inner);
        }
    }

    // ------------------------------------------------------------------------------------------ sum

    @Override
    public void sum(Storage x, Storage out, int outer, int n, int inner) {
        if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) {
            VectorMath64.sum(xd.a, od.a, outer, n, inner);
            return;
        }
        if (!(x instanceof Storage.F32 xf) || !(out instanceof Storage.F32 of)) {
            scalar.sum(x, out, outer, n, inner);
            return;
        }
        float[] xa = xf.a, oa = of.a;
        if (inner == 1) {
            for (int r = 0; r < outer; r++) oa[r] = (float) rowSum(xa, r * n, n);
        } else {
            double[] acc = columnSums(inner);
            for (int o = 0; o < outer; o++) {
                java.util.Arrays.fill(acc, 0.0);
                for (int k = 0; k < n; k++) addTo(acc, xa, (o * n + k) * inner, inner);
                for (int i = 0; i < inner; i++) oa[o * inner + i] = (float) acc[i];
            }
        }
    }

    private static final ThreadLocal<double[][]> COLUMN_SUMS = ThreadLocal.withInitial(() -> new double[1][0]);

    /** A per-thread accumulator of at least {@code n} doubles (column sums run once per bias gradient: no garbage). */
    private static double[] columnSums(int n) {
        double[][] holder = COLUMN_SUMS.get();
        if (holder[0].length < n) holder[0] = new double[n];
        return holder[0];
    }

    /** {@code Σ x[off .. off+n)} accumulated in double lanes. */
    static double rowSum(float[] x, int off, int n) {
        final DoubleVector zero = DoubleVector.zero(SD);
        DoubleVector a0 = zero, a1 = zero;
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            // widen each half of the float vector; the loop-carried sums are never receivers (VectorMath's JIT rules)
            FloatVector v = FloatVector.fromArray(SF, x, off + i);
            a0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, SD, 0)).add(a0);
            a1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, SD, 1)).add(a1);
        }
        double s = zero.add(a0).add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** {@code acc[i] += x[off + i]} for {@code i < n}, in double. */
    private static void addTo(double[] acc, float[] x, int off, int n) {
        final int dl = SD.length();
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, x, off + i);
            ((DoubleVector) v.convertShape(VectorOperators.F2D, SD, 0)).add(DoubleVector.fromArray(SD, acc, i)).intoArray(acc, i);
            ((DoubleVector) v.convertShape(VectorOperators.F2D, SD, 1)).add(DoubleVector.fromArray(SD, acc, i + dl)).intoArray(acc, i + dl);
        }
        for (; i < n; i++) acc[i] += x[off + i];
    }

    // ------------------------------------------------------------------------------------------ element-wise (SimdPointwiseF32/F64, SimdElementwise)

    @Override
    public void relu(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) SimdPointwiseF32.relu(xf.a, of.a, n);
        else if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) SimdPointwiseF64.relu(xd.a, od.a, n);
        else scalar.relu(x, out, n);
    }

    @Override
    public void reluBackward(Storage x, Storage g, Storage out, int n) {
        if (x instanceof Storage.F32 xf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of) {
            SimdPointwiseF32.reluBackward(xf.a, gf.a, of.a, n);
        } else if (x instanceof Storage.F64 xd && g instanceof Storage.F64 gd && out instanceof Storage.F64 od) {
            SimdPointwiseF64.reluBackward(xd.a, gd.a, od.a, n);
        } else {
            scalar.reluBackward(x, g, out, n);
        }
    }

    @Override
    public void sigmoid(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) SimdElementwise.sigmoid(xf.a, of.a, n);
        else scalar.sigmoid(x, out, n);
    }

    @Override
    public void sigmoidBackward(Storage y, Storage g, Storage out, int n) {
        if (y instanceof Storage.F32 yf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of) {
            SimdElementwise.sigmoidBackward(yf.a, gf.a, of.a, n);
        } else {
            scalar.sigmoidBackward(y, g, out, n);
        }
    }

    @Override
    public void silu(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of && xf.a != of.a) SimdElementwise.silu(xf.a, of.a, n);
        else scalar.silu(x, out, n);
    }

    @Override
    public void siluBackward(Storage x, Storage g, Storage out, int n) {
        if (x instanceof Storage.F32 xf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of && of.a != xf.a && of.a != gf.a) {
            SimdElementwise.siluBackward(xf.a, gf.a, of.a, n);
        } else {
            scalar.siluBackward(x, g, out, n);
        }
    }

    @Override
    public void gelu(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of && xf.a != of.a) SimdElementwise.gelu(xf.a, of.a, n);
        else scalar.gelu(x, out, n);
    }

    @Override
    public void geluBackward(Storage x, Storage g, Storage out, int n) {
        if (x instanceof Storage.F32 xf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of && of.a != xf.a && of.a != gf.a) {
            SimdElementwise.geluBackward(xf.a, gf.a, of.a, n);
        } else {
            scalar.geluBackward(x, g, out, n);
        }
    }

    @Override
    public void leakyRelu(Storage x, double slope, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) SimdPointwiseF32.leakyRelu(xf.a, (float) slope, of.a, n);
        else if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) SimdPointwiseF64.leakyRelu(xd.a, slope, od.a, n);
        else scalar.leakyRelu(x, slope, out, n);
    }

    @Override
    public void leakyReluBackward(Storage x, double slope, Storage g, Storage out, int n) {
        if (x instanceof Storage.F32 xf && g instanceof Storage.F32 gf && out instanceof Storage.F32 of) {
            SimdPointwiseF32.leakyReluBackward(xf.a, (float) slope, gf.a, of.a, n);
        } else if (x instanceof Storage.F64 xd && g instanceof Storage.F64 gd && out instanceof Storage.F64 od) {
            SimdPointwiseF64.leakyReluBackward(xd.a, slope, gd.a, od.a, n);
        } else {
            scalar.leakyReluBackward(x, slope, g, out, n);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, Operand aLayout, Storage b, Operand bLayout, Storage out, int rows, int cols) {
        if (a instanceof Storage.F32 af && b instanceof Storage.F32 bf && out instanceof Storage.F32 of && cols >= SimdPointwiseF32.LANES) {
            SimdPointwiseF32.binary(op, af.a, aLayout, bf.a, bLayout, of.a, rows, cols);
        } else if (a instanceof Storage.F64 ad && b instanceof Storage.F64 bd && out instanceof Storage.F64 od
                && cols >= SimdPointwiseF64.LANES) {
            SimdPointwiseF64.binary(op, ad.a, aLayout, bd.a, bLayout, od.a, rows, cols);
        } else {
            scalar.binary(op, a, aLayout, b, bLayout, out, rows, cols);
        }
    }

    @Override
    public void addInPlace(Storage x, Storage out, int n) {
        if (x instanceof Storage.F32 xf && out instanceof Storage.F32 of) SimdPointwiseF32.binary(BinaryOp.ADD, of.a, 0, xf.a, 0, of.a, 0, n);
        else if (x instanceof Storage.F64 xd && out instanceof Storage.F64 od) SimdPointwiseF64.binary(BinaryOp.ADD, od.a, 0, xd.a, 0, od.a, 0, n);
        else scalar.addInPlace(x, out, n);
    }

    @Override
    public boolean allFinite(Storage x, int n) {
        if (x instanceof Storage.F32 xf) return SimdPointwiseF32.allFinite(xf.a, n);
        if (x instanceof Storage.F64 xd) return SimdPointwiseF64.allFinite(xd.a, n);
        return scalar.allFinite(x, n);
    }
}
