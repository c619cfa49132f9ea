package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ParallelRanges;
import dev.jgrad.core.kernel.PlanesF32;
import dev.jgrad.core.kernel.PlanesF64;

import java.util.Arrays;

/**
 * The normalization ops: layer, group, RMS and batch normalization, each one fused node with its own backward.
 * Statistics are two-pass in double precision (the mean, then the centred sum of squares, so a constant input has
 * variance exactly 0); the forward saves the input and the per-set mean and inverse standard deviation (a float64
 * vector of the workspace pool), so backward recomputes no statistic. Optional {@code weight} and {@code bias} are
 * inputs of the node when given (their gradients are summed in double precision). Formulas: {@code docs/derivatives.md}.
 */
final class Normalization {
    private Normalization() {
    }

    /** The shared inputs and bookkeeping: {@code x}, then the optional weight and bias, and the saved statistics. */
    abstract static class Norm extends Function {
        double eps;
        /** Position of the weight and bias among the inputs, -1 when absent. */
        int wIdx, bIdx;
        /** The weight and bias of the current application (read in backward), or null. */
        Tensor weight, bias;

        /** Applies the node to {@code x} and the given ones of {@code w} and {@code b}. */
        final Tensor run(Tensor x, Tensor w, Tensor b) {
            wIdx = w == null ? -1 : 1;
            bIdx = b == null ? -1 : w == null ? 1 : 2;
            weight = w;
            bias = b;
            if (w == null) return b == null ? apply(x) : apply(x, b);
            return b == null ? apply(x, w) : apply(x, w, b);
        }

        /** The gradient array for the inputs of this application. */
        final Tensor[] grads(Tensor gx, Tensor gw, Tensor gb) {
            if (wIdx < 0) return bIdx < 0 ? gradients(gx) : gradients(gx, gb);
            return bIdx < 0 ? gradients(gx, gw) : gradients(gx, gw, gb);
        }

        /** True if the weight (or bias) of this application needs a gradient. */
        final boolean needs(int idx) {
            return idx >= 0 && needsInputGrad(idx);
        }

        /** The double accumulators, rounded into a new gradient shaped like {@code like}. */
        static Tensor fromAcc(Tensor like, Tensor acc) {
            Tensor t = outUninitializedLike(like);
            Storage a = acc.storage(), s = t.storage();
            for (int i = 0; i < t.numel(); i++) s.set(i, a.get(i));
            return t;
        }
    }

    // ------------------------------------------------------------------ validated entry points (called by Ops)

    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layerNorm";
        input(op, x, 1);
        if (normalizedShape == null) throw new IllegalArgumentException(op + ": normalizedShape is null");
        trailing(op, x, normalizedShape);
        affine(op, "weight", weight, x, normalizedShape);
        affine(op, "bias", bias, x, normalizedShape);
        eps(op, eps);
        return LayerNorm.of(normalizedShape, eps).run(x, weight, bias); // read in forward only: no copy
    }

    static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, Double eps) {
        String op = "rmsNorm";
        input(op, x, 1);
        if (normalizedShape == null) throw new IllegalArgumentException(op + ": normalizedShape is null");
        trailing(op, x, normalizedShape);
        affine(op, "weight", weight, x, normalizedShape);
        double e = eps != null ? eps : x.dtype() == DType.FLOAT32 ? 0x1p-23 : 0x1p-52; // torch.finfo(dtype).eps
        eps(op, e);
        return RmsNorm.of(normalizedShape, e).run(x, weight, null);
    }

    static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        String op = "groupNorm";
        input(op, x, 2);
        int c = x.size(1);
        if (numGroups <= 0 || c % numGroups != 0) {
            throw new IllegalArgumentException(op + ": the " + c + " channels of the input " + Shape.str(x.shape())
                    + " must be divisible by numGroups = " + numGroups);
        }
        channels(op, "weight", weight, x, c);
        channels(op, "bias", bias, x, c);
        eps(op, eps);
        return GroupNorm.of(numGroups, eps).run(x, weight, bias);
    }

    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, double momentum, double eps) {
        String op = "batchNorm";
        input(op, x, 2);
        int ch = x.size(1);
        channels(op, "runningMean", runningMean, x, ch);
        channels(op, "runningVar", runningVar, x, ch);
        channels(op, "weight", weight, x, ch);
        channels(op, "bias", bias, x, ch);
        eps(op, eps);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": runningMean and runningVar must be given in evaluation mode (training = false)");
        }
        if (training && x.numel() / Math.max(ch, 1) == 1) {
            throw new IllegalArgumentException(op + ": Expected more than 1 value per channel when training, got input size "
                    + Shape.str(x.shape()));
        }
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException(op + ": momentum = " + momentum + " must be in [0, 1]");
        return BatchNorm.of(runningMean, runningVar, training, momentum, eps).run(x, weight, bias);
    }

    private static void input(String op, Tensor x, int minRank) {
        if (x == null) throw new IllegalArgumentException(op + ": input is null");
        if (x.rank() < minRank) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape()) + " needs at least " + minRank + " dimension"
                    + (minRank > 1 ? "s" : "") + (minRank > 1 ? " [N, C, *]" : ""));
        }
    }

    /** An optional per-channel tensor: null, or of {@code shape} and the input's dtype. */
    private static void affine(String op, String name, Tensor t, Tensor x, int[] shape) {
        if (t == null) return;
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + Shape.str(t.shape()) + ", expected " + Shape.str(shape)
                    + " for the input " + Shape.str(x.shape()));
        }
        if (t.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " is " + t.dtype() + " but the input is " + x.dtype());
        }
    }

    /** An optional per-channel tensor: null, or {@code [c]} of the input's dtype (no array per call). */
    private static void channels(String op, String name, Tensor t, Tensor x, int c) {
        if (t != null && (t.rank() != 1 || t.size(0) != c || t.dtype() != x.dtype())) affine(op, name, t, x, new int[]{c}); // throws
    }

    private static void eps(String op, double eps) {
        if (!(eps >= 0)) throw new IllegalArgumentException(op + ": eps = " + eps + " must be >= 0");
    }

    // ------------------------------------------------------------------ row normalization: layer, group, RMS

    /**
     * Normalization over rows: {@code x} viewed as {@code [rows, K·inner]}, one mean and inverse std per row, and
     * element {@code (k, i)} of row {@code r} scaled by the affine parameter at channel {@code (r mod G)·K + k}. Layer
     * norm is {@code G = 1, inner = 1} (one parameter per element of the normalised shape), group norm has the
     * channels of one group as {@code K} and the spatial size as {@code inner}. RMS norm skips the mean.
     */
    abstract static class RowNorm extends Norm {
        int groups, k, inner, rows;
        private boolean rms;
        /** Scratch of the row kernels: two sums. */
        private final double[] sums = new double[2];

        /** Sets the layout; called by forward after validation. */
        final void layout(int groups, int k, int inner, int rows, boolean rms) {
            this.groups = groups;
            this.k = k;
            this.inner = inner;
            this.rows = rows;
            this.rms = rms;
        }

        final Tensor normalize(Tensor x, Tensor w, Tensor b) {
            int m = k * inner;
            Tensor y = outUninitializedLike(x);
            Tensor stats = outUninitialized(DType.FLOAT64, 2 * rows);
            Storage xs = x.storage(), ys = y.storage(), st = stats.storage();
            Storage ws = w == null ? null : w.storage(), bs = b == null ? null : b.storage();
            for (int r = 0; r < rows; r++) {
                int base = r * m;
                double mean = rms ? 0 : sum(xs, base, m) / m;
                double rstd = 1 / Math.sqrt(centredSquares(xs, base, m, mean) / m + eps);
                st.set(r, mean);
                st.set(rows + r, rstd);
                int c0 = (r % groups) * k;
                if (inner == 1) {
                    affineRow(xs, ys, ws, bs, base, c0, m, mean, rstd);
                    continue;
                }
                for (int kk = 0; kk < k; kk++) {
                    double wv = ws == null ? 1 : ws.get(c0 + kk), bv = bs == null ? 0 : bs.get(c0 + kk);
                    scaleShift(xs, ys, base + kk * inner, inner, mean, rstd * wv, bv);
                }
            }
            save(x, stats);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // x̂ = (x − μ)·r, gw = g·w: dx = r·(gw − mean(gw) − x̂·mean(gw·x̂)) (RMS: without mean(gw)); dw = Σ g·x̂, db = Σ g
            Tensor x = saved()[0], stats = saved()[1];
            int m = k * inner;
            boolean nw = needs(wIdx), nb = needs(bIdx), nx = needsInputGrad(0);
            int channels = groups * k;
            Tensor accW = nw ? out(DType.FLOAT64, channels) : null, accB = nb ? out(DType.FLOAT64, channels) : null;
            Tensor gx = nx ? outUninitializedLike(x) : null;
            Storage xs = x.storage(), gs = g.storage(), st = stats.storage(), ws = weight == null ? null : weight.storage();
            Storage dx = gx == null ? null : gx.storage(), aw = accW == null ? null : accW.storage(), ab = accB == null ? null : accB.storage();
            for (int r = 0; r < rows; r++) {
                int base = r * m, c0 = (r % groups) * k;
                double mean = st.get(r), rstd = st.get(rows + r), sg = 0, sgx = 0;
                if (inner == 1) {
                    rowSums(xs, gs, ws, aw, ab, base, c0, m, mean, rstd, sums);
                    sg = sums[0];
                    sgx = sums[1];
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        double wv = ws == null ? 1 : ws.get(c0 + kk);
                        blockSums(xs, gs, base + kk * inner, inner, mean, rstd, sums);
                        sg += sums[0] * wv;
                        sgx += sums[1] * wv;
                        if (aw != null) aw.add(c0 + kk, sums[1]);
                        if (ab != null) ab.add(c0 + kk, sums[0]);
                    }
                }
                if (dx == null) continue;
                double mg = rms ? 0 : sg / m, mgx = sgx / m;
                if (inner == 1) {
                    rowGrad(xs, gs, ws, dx, base, c0, m, mean, rstd, mg, mgx);
                    continue;
                }
                for (int kk = 0; kk < k; kk++) {
                    double wv = ws == null ? 1 : ws.get(c0 + kk);
                    blockGrad(xs, gs, dx, base + kk * inner, inner, mean, rstd, wv, mg, mgx);
                }
            }
            return grads(gx, nw ? fromAcc(weight, accW) : null, nb ? fromAcc(bias, accB) : null);
        }

        /** Layer-norm row: {@code y_j = (x_j − μ)·r·w_j + b_j}, the parameters indexed per element. */
        private static void affineRow(Storage xs, Storage ys, Storage ws, Storage bs, int base, int c0, int m, double mean, double rstd) {
            for (int j = 0; j < m; j++) {
                double v = (xs.get(base + j) - mean) * rstd;
                if (ws != null) v *= ws.get(c0 + j);
                if (bs != null) v += bs.get(c0 + j);
                ys.set(base + j, v);
            }
        }

        /** Layer-norm row: {@code Σ g·w} and {@code Σ g·w·x̂} into {@code sums}, and {@code g·x̂}, {@code g} into the accumulators. */
        private static void rowSums(Storage xs, Storage gs, Storage ws, Storage aw, Storage ab, int base, int c0, int m,
                                    double mean, double rstd, double[] sums) {
            double sg = 0, sgx = 0;
            for (int j = 0; j < m; j++) {
                double gv = gs.get(base + j), xh = (xs.get(base + j) - mean) * rstd, wv = ws == null ? 1 : ws.get(c0 + j);
                sg += gv * wv;
                sgx += gv * wv * xh;
                if (aw != null) aw.add(c0 + j, gv * xh);
                if (ab != null) ab.add(c0 + j, gv);
            }
            sums[0] = sg;
            sums[1] = sgx;
        }

        /** Layer-norm row: {@code dx_j = r·(g_j·w_j − mg − x̂_j·mgx)}. */
        private static void rowGrad(Storage xs, Storage gs, Storage ws, Storage dx, int base, int c0, int m,
                                    double mean, double rstd, double mg, double mgx) {
            for (int j = 0; j < m; j++) {
                double xh = (xs.get(base + j) - mean) * rstd, wv = ws == null ? 1 : ws.get(c0 + j);
                dx.set(base + j, rstd * (gs.get(base + j) * wv - mg - xh * mgx));
            }
        }
    }

    // ------------------------------------------------------------------ contiguous-block kernels (double accumulation)
    // on the typed arrays of PlanesF32 / PlanesF64 (the same arithmetic in the same order as a Storage loop)

    /** {@code Σ x} over {@code n} elements from {@code off}. */
    static double sum(Storage xs, int off, int n) {
        return xs instanceof Storage.F32 f ? PlanesF32.sum(f.a, off, n) : PlanesF64.sum(((Storage.F64) xs).a, off, n);
    }

    /** {@code Σ (x − mean)²} over {@code n} elements from {@code off}. */
    static double centredSquares(Storage xs, int off, int n, double mean) {
        return xs instanceof Storage.F32 f ? PlanesF32.centredSquares(f.a, off, n, mean)
                : PlanesF64.centredSquares(((Storage.F64) xs).a, off, n, mean);
    }

    /** {@code y = (x − mean)·scale + shift} over {@code n} elements from {@code off} ({@code ys} of the dtype of {@code xs}). */
    static void scaleShift(Storage xs, Storage ys, int off, int n, double mean, double scale, double shift) {
        if (xs instanceof Storage.F32 f) PlanesF32.scaleShift(f.a, ((Storage.F32) ys).a, off, n, mean, scale, shift);
        else PlanesF64.scaleShift(((Storage.F64) xs).a, ((Storage.F64) ys).a, off, n, mean, scale, shift);
    }

    /** {@code Σ g} and {@code Σ g·x̂} ({@code x̂ = (x − mean)·rstd}) over {@code n} elements from {@code off}, into {@code sums}. */
    static void blockSums(Storage xs, Storage gs, int off, int n, double mean, double rstd, double[] sums) {
        if (xs instanceof Storage.F32 f) PlanesF32.blockSums(f.a, ((Storage.F32) gs).a, off, n, mean, rstd, sums);
        else PlanesF64.blockSums(((Storage.F64) xs).a, ((Storage.F64) gs).a, off, n, mean, rstd, sums);
    }

    /** {@code dx = rstd·(g·w − mg − x̂·mgx)} over {@code n} elements from {@code off}. */
    static void blockGrad(Storage xs, Storage gs, Storage dx, int off, int n, double mean, double rstd, double w, double mg, double mgx) {
        if (xs instanceof Storage.F32 f) {
            PlanesF32.blockGrad(f.a, ((Storage.F32) gs).a, ((Storage.F32) dx).a, off, n, mean, rstd, w, mg, mgx);
        } else {
            PlanesF64.blockGrad(((Storage.F64) xs).a, ((Storage.F64) gs).a, ((Storage.F64) dx).a, off, n, mean, rstd, w, mg, mgx);
        }
    }

    /** The body of {@link LayerNorm} and {@link RmsNorm}: rows are the slices of the trailing {@code normalizedShape}. */
    abstract static class TrailingNorm extends RowNorm {
        int[] normalizedShape;

        /** True for RMS norm (no mean, no bias). */
        abstract boolean rms();

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int m = trailing(rms() ? "rmsNorm" : "layerNorm", x, normalizedShape);
            layout(1, m, 1, m == 0 ? 0 : x.numel() / m, rms());
            return normalize(x, wIdx < 0 ? null : in[wIdx], bIdx < 0 ? null : in[bIdx]);
        }
    }

    /** {@code layer_norm} over the trailing {@code normalizedShape}. */
    static final class LayerNorm extends TrailingNorm {
        private LayerNorm() {
        }

        static LayerNorm of(int[] normalizedShape, double eps) {
            LayerNorm op = node(LayerNorm.class, LayerNorm::new);
            op.normalizedShape = normalizedShape;
            op.eps = eps;
            return op;
        }

        @Override
        boolean rms() {
            return false;
        }
    }

    /** {@code rms_norm} over the trailing {@code normalizedShape} (no mean, no bias). */
    static final class RmsNorm extends TrailingNorm {
        private RmsNorm() {
        }

        static RmsNorm of(int[] normalizedShape, double eps) {
            RmsNorm op = node(RmsNorm.class, RmsNorm::new);
            op.normalizedShape = normalizedShape;
            op.eps = eps;
            return op;
        }

        @Override
        boolean rms() {
            return true;
        }
    }

    /** {@code group_norm}: {@code x [N, C, *]} with {@code C} split into {@code numGroups} groups. */
    static final class GroupNorm extends RowNorm {
        private int numGroups;

        private GroupNorm() {
        }

        static GroupNorm of(int numGroups, double eps) {
            GroupNorm op = node(GroupNorm.class, GroupNorm::new);
            op.numGroups = numGroups;
            op.eps = eps;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            int n = s[0], c = s[1], spatial = Shape.prod(s, 2, s.length);
            layout(numGroups, c / numGroups, spatial, n * numGroups, false);
            return normalize(x, wIdx < 0 ? null : in[wIdx], bIdx < 0 ? null : in[bIdx]);
        }
    }

    /** The number of elements of {@code normalizedShape}, which must be the trailing dimensions of {@code x}. */
    static int trailing(String op, Tensor x, int[] normalizedShape) {
        int[] s = x.shape();
        int r = normalizedShape.length, off = s.length - r;
        boolean ok = r >= 1 && off >= 0;
        for (int i = 0; ok && i < r; i++) ok = s[off + i] == normalizedShape[i];
        if (!ok) {
            throw new IllegalArgumentException(op + ": normalizedShape " + Shape.str(normalizedShape)
                    + " must be the trailing dimensions of the input " + Shape.str(s));
        }
        return Shape.numel(normalizedShape);
    }

    // ------------------------------------------------------------------ batch normalization

    /**
     * {@code batch_norm} of {@code x [N, C, *]} per channel, viewed as {@code [N, C, L]}. In training the statistics
     * are the batch's (biased variance for normalising) and the given running statistics are updated in place with
     * the unbiased variance; in eval mode the running statistics are used.
     */
    static final class BatchNorm extends Norm {
        private Tensor runningMean, runningVar;
        private boolean training;
        private double momentum;
        private int n, c, l;

        private BatchNorm() {
        }

        static BatchNorm of(Tensor runningMean, Tensor runningVar, boolean training, double momentum, double eps) {
            BatchNorm op = node(BatchNorm.class, BatchNorm::new);
            op.runningMean = runningMean;
            op.runningVar = runningVar;
            op.training = training;
            op.momentum = momentum;
            op.eps = eps;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            n = s[0];
            c = s[1];
            l = Shape.prod(s, 2, s.length);
            Tensor w = wIdx < 0 ? null : in[wIdx], b = bIdx < 0 ? null : in[bIdx];
            Tensor y = outUninitializedLike(x);
            Tensor stats = outUninitialized(DType.FLOAT64, 2 * c);
            channels.set(false, x.storage(), null, y.storage(), stats.storage(), w == null ? null : w.storage(),
                    b == null ? null : b.storage(), null, null);
            channels.runRows(c, n * l, Kernels.backend().threads());
            save(x, stats);
            return y;
        }

        /** The forward pass of channel {@code ch}: statistics (and running statistics), then the affine map. */
        private void forwardChannel(int ch, Storage xs, Storage ys, Storage st, Storage ws, Storage bs) {
            int count = n * l;
            double mean, rstd;
            if (training) {
                double sum = 0, ss = 0;
                for (int i = 0; i < n; i++) sum += sum(xs, (i * c + ch) * l, l);
                mean = sum / count;
                for (int i = 0; i < n; i++) ss += centredSquares(xs, (i * c + ch) * l, l, mean);
                rstd = 1 / Math.sqrt(ss / count + eps);
                if (runningMean != null && count > 0) {
                    Storage rm = runningMean.storage();
                    rm.set(ch, (1 - momentum) * rm.get(ch) + momentum * mean);
                }
                if (runningVar != null && count > 0) {
                    Storage rv = runningVar.storage();
                    rv.set(ch, (1 - momentum) * rv.get(ch) + momentum * (ss / (count - 1)));
                }
            } else {
                mean = runningMean.storage().get(ch);
                rstd = 1 / Math.sqrt(runningVar.storage().get(ch) + eps);
            }
            st.set(ch, mean);
            st.set(c + ch, rstd);
            double wv = ws == null ? 1 : ws.get(ch), bv = bs == null ? 0 : bs.get(ch);
            for (int i = 0; i < n; i++) scaleShift(xs, ys, (i * c + ch) * l, l, mean, rstd * wv, bv);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // x̂ = (x − μ)·r per channel; training: dx = r·w·(g − mean(g) − x̂·mean(g·x̂)); eval: dx = r·w·g;
            // dw = Σ g·x̂, db = Σ g over the batch and the spatial positions
            Tensor x = saved()[0], stats = saved()[1];
            boolean nw = needs(wIdx), nb = needs(bIdx), nx = needsInputGrad(0);
            Tensor gw = nw ? outUninitializedLike(weight) : null, gb = nb ? outUninitializedLike(bias) : null;
            Tensor gx = nx ? outUninitializedLike(x) : null;
            channels.set(true, x.storage(), g.storage(), gx == null ? null : gx.storage(), stats.storage(),
                    weight == null ? null : weight.storage(), null, gw == null ? null : gw.storage(), gb == null ? null : gb.storage());
            channels.runRows(c, n * l, Kernels.backend().threads());
            return grads(gx, gw, gb);
        }

        /** The backward pass of channel {@code ch}: the sums {@code Σ g}, {@code Σ g·x̂}, then {@code dx} if wanted. */
        private void backwardChannel(int ch, Storage xs, Storage gs, Storage dx, Storage st, Storage ws, Storage gw, Storage gb,
                                     double[] sums) {
            int count = n * l;
            double mean = st.get(ch), rstd = st.get(c + ch), sg = 0, sgx = 0;
            for (int i = 0; i < n; i++) {
                blockSums(xs, gs, (i * c + ch) * l, l, mean, rstd, sums);
                sg += sums[0];
                sgx += sums[1];
            }
            if (gw != null) gw.set(ch, sgx);
            if (gb != null) gb.set(ch, sg);
            if (dx == null) return;
            double wv = ws == null ? 1 : ws.get(ch);
            double mg = training ? wv * sg / count : 0, mgx = training ? wv * sgx / count : 0;
            for (int i = 0; i < n; i++) blockGrad(xs, gs, dx, (i * c + ch) * l, l, mean, rstd, wv, mg, mgx);
        }

        private final Channels channels = new Channels();

        /**
         * The channels of one pass as ranges for the kernel threads: channels are independent (each has its own
         * statistics, running statistics, parameter gradients and output elements), so the split changes no result.
         */
        private final class Channels extends ParallelRanges {
            boolean back;
            Storage xs, gs, ys, st, ws, bs, gw, gb;

            void set(boolean back, Storage xs, Storage gs, Storage ys, Storage st, Storage ws, Storage bs, Storage gw, Storage gb) {
                this.back = back;
                this.xs = xs;
                this.gs = gs;
                this.ys = ys;
                this.st = st;
                this.ws = ws;
                this.bs = bs;
                this.gw = gw;
                this.gb = gb;
            }

            @Override
            protected void range(int from, int to) {
                double[] sums = SUMS.get();
                for (int ch = from; ch < to; ch++) {
                    if (back) backwardChannel(ch, xs, gs, ys, st, ws, gw, gb, sums);
                    else forwardChannel(ch, xs, ys, st, ws, bs);
                }
            }

            @Override
            protected void clear() {
                xs = gs = ys = st = ws = bs = gw = gb = null;
            }
        }
    }

    /** Per-thread scratch of the block kernels: two sums. */
    private static final ThreadLocal<double[]> SUMS = ThreadLocal.withInitial(() -> new double[2]);
}
