package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.BinaryOp;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.Operand;

/**
 * Fused linear + softmax cross-entropy: one node from {@code hidden [N, D]}, {@code weight [V, D]} and an optional
 * {@code bias [V]} to the loss of the logits {@code x = hidden·weightᵀ + bias} against class indices, computed in
 * blocks of {@link #rowBlock} rows × {@link #colBlock} classes so that the {@code [N, V]} logits never exist at once.
 *
 * <p><b>Forward</b>, per block: the logits block by the GEMM ({@link Kernels#gemm}, the bias added as {@code linear}
 * adds it), its per-row log-sum-exp parts by the fused cross-entropy's row kernel ({@link FusedCrossEntropy#logSumExps},
 * SIMD and threaded), folded into a running per-row max {@code M} and sum {@code S = Σ exp(x - M)} in double (the
 * online log-sum-exp: a larger block max rescales the sum by {@code exp(M_old - M_new)}; the max is a constant).
 * A block of all {@code -inf} logits adds nothing; a NaN or {@code +inf} logit makes the row NaN, as in
 * {@link Losses#crossEntropy}. The target logit is picked out of its block; the label-smoothing sum
 * {@code Σ_c w_c x_c} is formed as {@code hidden_i · (Σ_c w_c W_c) + Σ_c w_c b_c}, without a pass over the logits.
 * Saved: the inputs (references) and the {@code 2N} row parts (shift, log-sum).
 *
 * <p><b>Backward</b> recomputes every block's logits and forms {@code dx = K_i·softmax - α_i·onehot(t_i) - β_i·w}
 * per block (the coefficients of {@link FusedCrossEntropy}; without smoothing the target element is
 * {@code K_i·expm1(log p_t)}, as there), then accumulates {@code dHidden += dx·W_block}, {@code dW_block += dxᵀ·hidden_block}
 * (two GEMMs) and {@code dBias_block += Σ_rows dx} (in double). Extra memory: two blocks and {@code O(N + V)} doubles.
 *
 * <p><b>Eager gradients.</b> A MEAN or SUM loss whose inputs need gradients has a scalar upstream gradient, so the
 * forward pass forms the gradients for a unit upstream gradient and backward only multiplies them by it: the blocks
 * then hold all {@code V} classes of {@code N/16} rows (each block's log-sum-exp is final, the
 * fused cross-entropy's exps are scaled in place), three GEMMs in all instead of four. A second backward through a
 * retained graph, NONE, a zero total target weight under MEAN, or a non-finite upstream gradient recompute.
 */
final class LinearCrossEntropy extends Function {
    /** Default block sizes (rows × classes): measured in {@code LinearCrossEntropyBenchmark}, see {@code benchmarks/RESULTS.md}. */
    static final int ROW_BLOCK = 512, COL_BLOCK = 512;
    /** The eager pass's blocks hold all classes, of at least this many rows (see {@link #eagerRows}). */
    static final int EAGER_MIN_ROWS = 16;

    private final FusedCrossEntropy.Targets targets = new FusedCrossEntropy.Targets();
    private boolean hasBias;
    private int rowBlock, colBlock;
    private Tensor shiftT, logSumT;
    /** The gradients the forward pass formed for a unit upstream gradient (scalar losses), or null. */
    private Gradients eager;

    private LinearCrossEntropy() {
    }

    /** The node for one call: its targets, bias arity and block sizes, set on every call (the node may be recycled). */
    static LinearCrossEntropy of(FusedCrossEntropy.Targets targets, boolean hasBias, int rowBlock, int colBlock) {
        LinearCrossEntropy op = node(LinearCrossEntropy.class, LinearCrossEntropy::new);
        op.targets.copyFrom(targets);
        op.hasBias = hasBias;
        op.rowBlock = rowBlock;
        op.colBlock = colBlock;
        op.shiftT = op.logSumT = null;
        op.eager = null;
        return op;
    }

    /** Validates the arguments (naming {@code linear_cross_entropy}, the argument and the shapes) and applies the node. */
    static Tensor apply(Tensor hidden, Tensor weight, Tensor bias, IntTensor target, Tensor classWeight, long ignoreIndex,
                        Reduction reduction, double labelSmoothing, int rowBlock, int colBlock) {
        String op = "linear_cross_entropy";
        Shape.notNaN(op, "label_smoothing", labelSmoothing);
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction is null");
        if (hidden == null) throw new IllegalArgumentException(op + ": hidden is null");
        if (weight == null) throw new IllegalArgumentException(op + ": weight is null");
        if (target == null) throw new IllegalArgumentException(op + ": target is null");
        if (hidden.rank() != 2 || weight.rank() != 2) {
            throw new IllegalArgumentException(op + ": hidden must be [N, D] and weight [V, D], got hidden " + Shape.str(hidden.shape())
                    + " weight " + Shape.str(weight.shape()));
        }
        int n = hidden.size(0), d = hidden.size(1), v = weight.size(0);
        if (weight.size(1) != d) {
            throw new IllegalArgumentException(op + ": hidden " + Shape.str(hidden.shape()) + " has " + d + " features but weight "
                    + Shape.str(weight.shape()) + " expects " + weight.size(1));
        }
        if (weight.dtype() != hidden.dtype()) {
            throw new IllegalArgumentException(op + ": weight dtype " + weight.dtype() + " differs from hidden dtype " + hidden.dtype());
        }
        if (v == 0) throw new IllegalArgumentException(op + ": weight " + Shape.str(weight.shape()) + " has no classes");
        if (bias != null && (bias.rank() != 1 || bias.size(0) != v)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.str(bias.shape()) + " must have shape [" + v + "] for weight "
                    + Shape.str(weight.shape()));
        }
        if (bias != null && bias.dtype() != hidden.dtype()) {
            throw new IllegalArgumentException(op + ": bias dtype " + bias.dtype() + " differs from hidden dtype " + hidden.dtype());
        }
        if (target.rank() != 1 || target.numel() != n) {
            throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape()) + " does not match hidden "
                    + Shape.str(hidden.shape()) + " (expected [" + n + "] class indices)");
        }
        for (int i = 0; i < n; i++) {
            int t = target.get(i);
            if (t != ignoreIndex && (t < 0 || t >= v)) {
                throw new IllegalArgumentException(op + ": target " + t + " at position " + i + " is out of range [0, " + v
                        + ") for weight " + Shape.str(weight.shape()) + (t < 0 ? " (and is not ignore_index " + ignoreIndex + ")" : ""));
            }
        }
        if (rowBlock < 1 || colBlock < 1) {
            throw new IllegalArgumentException(op + ": block sizes must be positive, got " + rowBlock + " × " + colBlock);
        }
        FusedCrossEntropy.Targets t =
                FusedCrossEntropy.Targets.ofRows(op, hidden, n, v, target, classWeight, ignoreIndex, labelSmoothing, reduction);
        LinearCrossEntropy node = of(t, bias != null, rowBlock, colBlock);
        return bias == null ? node.apply(hidden, weight) : node.apply(hidden, weight, bias);
    }

    @Override
    public String name() {
        return "linear_cross_entropy";
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor h = in[0], w = in[1], b = hasBias ? in[2] : null;
        int n = h.size(0), v = w.size(0);
        shiftT = outUninitialized(DType.FLOAT64, n);
        logSumT = outUninitialized(DType.FLOAT64, n);
        double[] max = doubles(shiftT), sum = doubles(logSumT), xt = doubles(outUninitialized(DType.FLOAT64, n));
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sum, 0.0);
        // a scalar loss whose inputs need gradients: the gradients for a unit upstream gradient are formed here, from
        // row blocks of all V logits (each block's log-sum-exp is then final), and backward only scales them
        boolean eager = targets.reduction != Reduction.NONE && !targets.meanOverZeroWeight(false)
                && (needsInputGrad(0) || needsInputGrad(1) || hasBias && needsInputGrad(2));
        int rb = eager ? eagerRows(n) : rowBlock, cb = eager ? v : colBlock;
        Blocks k = new Blocks(h, w, b, rb, cb);
        Gradients gr = eager ? new Gradients(h, w, null) : null;
        for (int v0 = 0; v0 < v; v0 += cb) {
            int cv = Math.min(cb, v - v0);
            for (int r0 = 0; r0 < n; r0 += rb) {
                int rn = Math.min(rb, n - r0);
                Storage x = k.logits(r0, rn, v0, cv);
                boolean exps = FusedCrossEntropy.logSumExps(Kernels.backend(), x, k.shift, k.logSum, eager ? k.dx.storage() : null, rn, cv);
                for (int r = 0; r < rn; r++) {
                    int i = r0 + r;
                    if (cv == v) {
                        max[i] = k.shift[r];
                        sum[i] = k.logSum[r];
                    } else {
                        fold(max, sum, i, k.shift[r], k.logSum[r]);
                    }
                    if (targets.ignored(i)) continue;
                    int t = targets.target(i) - v0;
                    if (t >= 0 && t < cv) xt[i] = x.get(r * cv + t);
                }
                if (eager) {
                    for (int r = 0; r < rn; r++) if (sum[r0 + r] == Double.POSITIVE_INFINITY) sum[r0 + r] = Double.NaN;
                    gr.block(k, x, exps, r0, rn, 0, v, max, sum);
                }
            }
        }
        // the two parts of each row's log-sum-exp, as FusedCrossEntropy keeps them (a +inf row's log-sum is NaN)
        if (v > 0 && cb < v) {
            for (int i = 0; i < n; i++) {
                double m = max[i], s = sum[i];
                max[i] = Double.isFinite(m) ? m : 0;
                sum[i] = Double.isNaN(m) ? Double.NaN : Math.log(s);
            }
        } else {
            for (int i = 0; i < n; i++) if (sum[i] == Double.POSITIVE_INFINITY) sum[i] = Double.NaN;
        }
        this.eager = gr;
        if (gr != null) gr.finish();
        double[] smooth = targets.eps > 0 ? smoothingSums(h, w, b, max, sum) : null;
        double[] nll = doubles(outUninitialized(DType.FLOAT64, n)), l = doubles(outUninitialized(DType.FLOAT64, n));
        double eps = targets.eps;
        for (int i = 0; i < n; i++) {
            if (targets.ignored(i)) {
                nll[i] = l[i] = 0;
                if (smooth != null) smooth[i] = 0;
                continue;
            }
            nll[i] = -targets.w(targets.target(i)) * ((xt[i] - max[i]) - sum[i]);
            l[i] = (1 - eps) * nll[i];
            if (eps > 0) l[i] += (eps / targets.c) * smooth[i];
        }
        if (b == null) save(h, w);
        else save(h, w, b);
        return reduce(l, nll, smooth, out(h.dtype(), targets.outputShape()));
    }

    /**
     * Rows per block of the eager pass (whose blocks hold all {@code v} classes): {@code N/16} (two blocks are then 1/16
     * of the unfused pair's two {@code [N, V]} tensors), at least {@link #EAGER_MIN_ROWS} and at most {@link #rowBlock}.
     * Fewer rows per block cost time: {@code dW} is read and written once per block, and {@code W} packed once per block
     * (65-row blocks at V = 128 000 measured up to 2.8× slower than the unfused pair under load, see RESULTS.md).
     */
    private int eagerRows(int n) {
        return Math.max(EAGER_MIN_ROWS, Math.min(rowBlock, n / 16));
    }

    /**
     * Folds a block's log-sum-exp parts ({@code m, l} of {@link FusedCrossEntropy#logSumExps}) into row {@code i}'s running
     * max and sum {@code Σ exp(x - max)}: an all-{@code -inf} block adds nothing, a NaN or {@code +inf} one makes the row NaN.
     */
    private static void fold(double[] max, double[] sum, int i, double m, double l) {
        if (l == Double.NEGATIVE_INFINITY) return;
        if (!(l < Double.POSITIVE_INFINITY)) {
            max[i] = Double.NaN;
            sum[i] = Double.NaN;
        } else if (m > max[i]) {
            sum[i] = sum[i] * Math.exp(max[i] - m) + Math.exp(l);
            max[i] = m;
        } else {
            sum[i] += Math.exp(l + (m - max[i]));
        }
    }

    /**
     * The label-smoothing sums {@code -Σ_c w_c·((x_ic - shift_i) - logSum_i)} of every row (0 for ignored rows get set
     * by the caller), with {@code Σ_c w_c x_ic = hidden_i·u + Σ_c w_c b_c}, {@code u = Σ_c w_c W_c}, in double.
     */
    private double[] smoothingSums(Tensor h, Tensor w, Tensor b, double[] shift, double[] logSum) {
        int n = h.size(0), d = h.size(1), v = w.size(0);
        double[] u = doubles(out(DType.FLOAT64, d)), out = doubles(outUninitialized(DType.FLOAT64, n));
        Storage ws = w.storage(), hs = h.storage();
        double wb = 0, wsum = 0;
        for (int c = 0; c < v; c++) {
            double wc = targets.w(c);
            wsum += wc;
            if (b != null) wb += wc * b.storage().get(c);
            for (int j = 0; j < d; j++) u[j] += wc * ws.get(c * d + j);
        }
        for (int i = 0; i < n; i++) {
            double dot = wb;
            for (int j = 0; j < d; j++) dot += hs.get(i * d + j) * u[j];
            out[i] = -(dot - (shift[i] + logSum[i]) * wsum);
        }
        return out;
    }

    /** Reduces the per-row losses as {@link FusedCrossEntropy.Targets#reduce} does, from the rows' NLL and smoothing parts. */
    private Tensor reduce(double[] l, double[] nll, double[] smooth, Tensor out) {
        int n = targets.n;
        if (targets.reduction == Reduction.NONE) {
            for (int i = 0; i < n; i++) out.set(i, l[i]);
            return out;
        }
        double s = 0;
        for (int i = 0; i < n; i++) s += l[i];
        if (targets.reduction == Reduction.MEAN) {
            double d = targets.meanDivisor();
            if (d == 0 && smooth != null) {
                // PyTorch divides the NLL and smoothing terms apart (NaN where the NLL part is 0/0)
                double a = 0, c = 0;
                for (int i = 0; i < n; i++) {
                    a += nll[i];
                    c += smooth[i];
                }
                s = (1 - targets.eps) * (a / d) + (targets.eps / targets.c) * (c / d);
            } else {
                s /= d;
            }
        }
        out.set(0, s);
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor[] sv = saved();
        Tensor h = sv[0], w = sv[1], b = hasBias ? sv[2] : null;
        int n = h.size(0), v = w.size(0);
        double[] shift = doubles(shiftT), logSum = doubles(logSumT); // throws if a Workspace scope closed since forward
        Tensor[] grads = hasBias ? gradients(null, null, null) : gradients(null, null);
        Gradients gr = eager;
        eager = null; // handed out below (the engine may adopt them as the gradients): never reused
        double g0 = g.get(0);
        if (gr != null && Double.isFinite(g0)) {
            gr.scale(g0);
        } else {
            // recompute every block's logits (NONE, a second backward through a retained graph, or a non-finite upstream)
            gr = new Gradients(h, w, g);
            Blocks k = new Blocks(h, w, b, rowBlock, colBlock);
            for (int v0 = 0; v0 < v; v0 += colBlock) {
                int cv = Math.min(colBlock, v - v0);
                for (int r0 = 0; r0 < n; r0 += rowBlock) {
                    int rn = Math.min(rowBlock, n - r0);
                    gr.block(k, k.logits(r0, rn, v0, cv), false, r0, rn, v0, cv, shift, logSum);
                }
            }
            gr.finish();
        }
        grads[0] = gr.dh;
        grads[1] = gr.dw;
        if (hasBias) grads[2] = gr.db;
        return grads;
    }

    /**
     * The gradients of one pass, accumulated block by block: {@code dx = K_i·p_ic - α_i·[c = t_i] - β_i·w_c} (without
     * smoothing the target element is {@code K_i·expm1(log p_it)}), {@code dHidden += dx·W}, {@code dW += dxᵀ·hidden},
     * {@code dBias += Σ_rows dx} (in double). The per-row coefficients follow {@link FusedCrossEntropy}.
     */
    private final class Gradients {
        final Tensor h, w, dh, dw;
        Tensor db;
        final double[] kk, alpha, beta, dbAcc;
        final boolean expm1;

        /** @param g the upstream gradient, or null for a unit one (the eager pass) */
        Gradients(Tensor h, Tensor w, Tensor g) {
            this.h = h;
            this.w = w;
            int n = h.size(0), v = w.size(0);
            double eps = targets.eps;
            boolean zeroWeight = targets.meanOverZeroWeight(false);
            expm1 = eps == 0 && !zeroWeight;
            kk = doubles(outUninitialized(DType.FLOAT64, n));
            alpha = doubles(outUninitialized(DType.FLOAT64, n));
            beta = doubles(outUninitialized(DType.FLOAT64, n));
            double wsum = 0;
            if (eps > 0) for (int c = 0; c < v; c++) wsum += targets.w(c);
            for (int i = 0; i < n; i++) {
                if (targets.ignored(i)) {
                    kk[i] = alpha[i] = beta[i] = 0;
                    continue;
                }
                double wt = targets.w(targets.target(i));
                if (zeroWeight) {
                    // as FusedCrossEntropy's zeroWeightGradient: dlp = -w_t·nll·[c = t] - w_c·smooth, dx = dlp - p·Σ dlp
                    double dd = targets.meanDivisor(), gg = g.get(0), nl = (1 - eps) * gg / dd, sm = gg * eps / targets.c / dd;
                    double s = -wt * nl;
                    if (eps > 0) for (int c = 0; c < v; c++) s += -targets.w(c) * sm;
                    kk[i] = -s;
                    alpha[i] = wt * nl;
                    beta[i] = eps > 0 ? sm : 0;
                } else {
                    double s = g != null ? targets.rowScale(g, i, false) : targets.reduction == Reduction.MEAN ? 1 / targets.meanDivisor() : 1;
                    kk[i] = expm1 ? s * wt : s * ((1 - eps) * wt + (eps / targets.c) * wsum);
                    alpha[i] = s * (1 - eps) * wt;
                    beta[i] = s * (eps / targets.c);
                }
            }
            dh = needsInputGrad(0) ? outLike(h) : null;
            dw = needsInputGrad(1) ? (n == 0 ? outLike(w) : outUninitializedLike(w)) : null;
            dbAcc = hasBias && needsInputGrad(2) ? doubles(out(DType.FLOAT64, v)) : null;
        }

        /**
         * Adds the block {@code [r0, r0+rn) × [v0, v0+cv)} whose logits are {@code x}; {@code exps}: the block's gradient
         * buffer holds the exps {@link FusedCrossEntropy#logSumExps} stored for these {@code shift, logSum} (then scaled in place).
         */
        void block(Blocks k, Storage x, boolean exps, int r0, int rn, int v0, int cv, double[] shift, double[] logSum) {
            int d = h.size(1);
            double eps = targets.eps;
            for (int r = 0; r < rn; r++) {
                int i = r0 + r, t = targets.ignored(i) ? -1 : targets.target(i) - v0;
                k.shift[r] = shift[i];
                k.logSum[r] = logSum[i];
                k.scale[r] = kk[i];
                k.target[r] = expm1 && t >= 0 && t < cv ? t : -1;
            }
            Storage dx = k.dx.storage();
            FusedCrossEntropy.gradient(Kernels.backend(), x, k.shift, k.logSum, k.scale, k.target, exps ? dx : null, dx, rn, cv);
            if (!expm1) {
                for (int r = 0; r < rn; r++) {
                    int i = r0 + r;
                    if (targets.ignored(i)) continue;
                    int t = targets.target(i) - v0;
                    if (t >= 0 && t < cv) dx.add(r * cv + t, -alpha[i]);
                    if (eps > 0) for (int c = 0; c < cv; c++) dx.add(r * cv + c, -beta[i] * targets.w(v0 + c));
                }
            }
            if (dh != null && d > 0) Kernels.gemm(dx, 0, false, w.storage(), v0 * d, false, dh.storage(), r0 * d, rn, d, cv, true);
            if (dw != null && d > 0) Kernels.gemm(dx, 0, true, h.storage(), r0 * d, false, dw.storage(), v0 * d, cv, d, rn, r0 > 0);
            if (dbAcc != null) {
                Storage cs = k.colSum.storage();
                Kernels.sum(dx, cs, 1, rn, cv);
                for (int c = 0; c < cv; c++) dbAcc[v0 + c] += cs.get(c);
            }
        }

        /** Rounds the bias gradient to the dtype. */
        void finish() {
            if (dbAcc == null) return;
            db = outUninitialized(h.dtype(), dbAcc.length);
            for (int c = 0; c < dbAcc.length; c++) db.set(c, dbAcc[c]);
        }

        /** Multiplies the eager pass's gradients by the upstream gradient {@code g} (nothing to do for 1). */
        void scale(double g) {
            if (g == 1) return;
            for (Tensor t : new Tensor[]{dh, dw, db}) {
                if (t == null || t.numel() == 0) continue;
                Storage s = t.storage();
                for (int i = 0, m = t.numel(); i < m; i++) s.set(i, s.get(i) * g);
            }
        }
    }

    /** The scratch of one pass: a logits block, a gradient block and per-row parts of one block's rows. */
    private final class Blocks {
        final Tensor h, w, b, x, dx, biasBlock, colSum;
        final double[] shift, logSum, scale;
        final int[] target;

        Blocks(Tensor h, Tensor w, Tensor b, int rowBlock, int colBlock) {
            this.h = h;
            this.w = w;
            this.b = b;
            DType dt = h.dtype();
            int rows = Math.max(1, Math.min(rowBlock, h.size(0))), cols = Math.min(colBlock, w.size(0));
            x = outUninitialized(dt, rows * cols);
            dx = outUninitialized(dt, rows * cols);
            biasBlock = b == null ? null : outUninitialized(dt, cols);
            colSum = outUninitialized(dt, cols);
            shift = doubles(outUninitialized(DType.FLOAT64, rows));
            logSum = doubles(outUninitialized(DType.FLOAT64, rows));
            scale = doubles(outUninitialized(DType.FLOAT64, rows));
            target = new int[rows];
        }

        /** The logits {@code x[r0 .. r0+rn, v0 .. v0+cv)} as a contiguous {@code rn × cv} block, as {@code linear} forms them. */
        Storage logits(int r0, int rn, int v0, int cv) {
            int d = h.size(1);
            Storage xs = x.storage();
            Kernels.gemm(h.storage(), r0 * d, false, w.storage(), v0 * d, true, xs, 0, rn, cv, d, false);
            if (b != null) {
                Storage bb = biasBlock.storage();
                bb.copyFrom(b.storage(), v0, 0, cv);
                Kernels.binary(BinaryOp.ADD, xs, Operand.FULL, bb, Operand.ROW, xs, rn, cv);
            }
            return xs;
        }
    }

    /** The array of a float64 scratch tensor (row statistics live in the step's Workspace like its tensors). */
    private static double[] doubles(Tensor t) {
        return ((Storage.F64) t.storage()).a;
    }
}
