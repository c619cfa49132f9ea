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

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Convolution through im2col: {@code conv1d}/{@code conv2d} (one GEMM per sample and group on the kernel seam, the
 * patches of a sample unfolded into a scratch matrix; a 1×1 kernel of stride 1 without padding reads the input in
 * place) and {@code unfold}/{@code fold} (im2col and col2im as ops). 1-D convolution is the 2-D one with a kernel
 * height of 1.
 */
final class Conv {
    private Conv() {
    }

    /**
     * The geometry of sliding {@code kh × kw} blocks over {@code c} planes of {@code h × w} with stride, dilation and
     * padding (top/left {@code ph0}/{@code pw0}; the output size already includes any bottom/right padding), and the
     * two copies between a sample {@code [c, h, w]} and its column matrix {@code [c·kh·kw, oh·ow]}.
     */
    static final class Patches {
        int c, h, w, kh, kw, sh, sw, ph0, pw0, dh, dw, oh, ow;

        /** Sets the geometry; {@code hp}/{@code wp} are the padded sizes. */
        void set(int c, int h, int w, int kh, int kw, int sh, int sw, int ph0, int pw0, int hp, int wp, int dh, int dw) {
            this.c = c;
            this.h = h;
            this.w = w;
            this.kh = kh;
            this.kw = kw;
            this.sh = sh;
            this.sw = sw;
            this.ph0 = ph0;
            this.pw0 = pw0;
            this.dh = dh;
            this.dw = dw;
            this.oh = (hp - (dh * (kh - 1) + 1)) / sh + 1;
            this.ow = (wp - (dw * (kw - 1) + 1)) / sw + 1;
        }

        int blocks() {
            return oh * ow;
        }

        int rows() {
            return c * kh * kw;
        }

        /** im2col: {@code col[colOff ..]} {@code [c·kh·kw, oh·ow]} from the sample at {@code x[xOff ..]} (zeros where padded). */
        void im2col(Storage x, int xOff, Storage col, int colOff) {
            copy(x, xOff, col, colOff, false);
        }

        /** col2im: adds every column entry {@code col[colOff ..]} into the input position it was read from, {@code x[xOff ..]}. */
        void col2im(Storage col, int colOff, Storage x, int xOff) {
            copy(x, xOff, col, colOff, true);
        }

        private void copy(Storage x, int xOff, Storage col, int colOff, boolean back) {
            if (x instanceof Storage.F32 xf) {
                PlanesF32.patches(c, h, w, kh, kw, sh, sw, ph0, pw0, dh, dw, oh, ow, xf.a, xOff, ((Storage.F32) col).a, colOff, back);
            } else {
                PlanesF64.patches(c, h, w, kh, kw, sh, sw, ph0, pw0, dh, dw, oh, ow, ((Storage.F64) x).a, xOff,
                        ((Storage.F64) col).a, colOff, back);
            }
        }
    }

    /** The message for a kernel that does not fit the padded input (PyTorch's wording). */
    static String tooLarge(String op, int dims, int hp, int wp, int ekh, int ekw) {
        String in = dims == 1 ? "(" + wp + ")" : "(" + hp + " x " + wp + ")";
        String k = dims == 1 ? "(" + ekw + ")" : "(" + ekh + " x " + ekw + ")";
        return op + ": calculated padded input size per channel: " + in + ". Kernel size: " + k
                + ". Kernel size can't be greater than actual input size";
    }

    /**
     * {@code conv1d}/{@code conv2d}: {@code y[n, o] = b[o] + Σ_{c in group(o)} Σ_{ki,kj} W[o, c, ki, kj] · x_pad[n, c,
     * i·sh + ki·dh, j·sw + kj·dw]}, applied to {@code (x, W)} or {@code (x, W, b)}; per sample and group
     * {@code Y_g = W_g · cols_g}, backward {@code dW_g += dY_g · cols_gᵀ}, {@code dcols_g = W_gᵀ · dY_g} (col2im into
     * {@code dx}) and {@code db = Σ dY}.
     */
    static final class ConvNd extends Function {
        private final Patches p = new Patches();
        private int dims, sh, sw, ph0, ph1, pw0, pw1, dh, dw, groups;
        private boolean bias, direct;
        private int n, o;

        private ConvNd() {
        }

        /** A convolution of {@code dims} (1 or 2) spatial dimensions; padding per side (top, bottom, left, right). */
        static ConvNd of(int dims, int sh, int sw, int ph0, int ph1, int pw0, int pw1, int dh, int dw, int groups) {
            ConvNd op = node(ConvNd.class, ConvNd::new);
            op.dims = dims;
            op.sh = sh;
            op.sw = sw;
            op.ph0 = ph0;
            op.ph1 = ph1;
            op.pw0 = pw0;
            op.pw1 = pw1;
            op.dh = dh;
            op.dw = dw;
            op.groups = groups;
            return op;
        }

        @Override
        public String name() {
            return dims == 1 ? "conv1d" : "conv2d";
        }

        @Override
        protected Tensor forward(Tensor... t) {
            String op = name();
            if (t.length != 2 && t.length != 3) throw new IllegalArgumentException(op + ": expected 2 or 3 inputs, got " + t.length);
            Tensor x = t[0], wt = t[1];
            bias = t.length == 3;
            if (wt.rank() != dims + 2) {
                throw new IllegalArgumentException(op + ": weight must be " + (dims + 2) + "-D [out_channels, in_channels/groups, "
                        + (dims == 1 ? "k" : "kh, kw") + "], got " + Shape.str(wt.shape()));
            }
            if (x.rank() != dims + 1 && x.rank() != dims + 2) {
                throw new IllegalArgumentException(op + ": expected a " + (dims + 1) + "-D (unbatched) or " + (dims + 2)
                        + "-D (batched) input, got input of shape " + Shape.str(x.shape()));
            }
            boolean unbatched = x.rank() == dims + 1;
            int b0 = unbatched ? 0 : 1;
            n = unbatched ? 1 : x.size(0);
            int c = x.size(b0), h = dims == 1 ? 1 : x.size(b0 + 1), w = x.size(-1);
            o = wt.size(0);
            int kh = dims == 1 ? 1 : wt.size(2), kw = wt.size(-1);
            if (o % groups != 0) {
                throw new IllegalArgumentException(op + ": out_channels " + o + " of weight " + Shape.str(wt.shape())
                        + " must be divisible by groups=" + groups);
            }
            if (wt.size(1) * groups != c) {
                throw new IllegalArgumentException(op + ": given groups=" + groups + ", weight of size " + Shape.str(wt.shape())
                        + ", expected input " + Shape.str(x.shape()) + " to have " + wt.size(1) * groups + " channels, but got "
                        + c + " channels instead");
            }
            if (bias && (t[2].rank() != 1 || t[2].size(0) != o)) {
                throw new IllegalArgumentException(op + ": bias " + Shape.str(t[2].shape()) + " must have shape [" + o + "] for weight "
                        + Shape.str(wt.shape()));
            }
            if (kh == 0 || kw == 0) throw new IllegalArgumentException(op + ": kernel size must be positive, got weight " + Shape.str(wt.shape()));
            int hp = h + ph0 + ph1, wp = w + pw0 + pw1, ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
            if (hp < ekh || wp < ekw) throw new IllegalArgumentException(tooLarge(op, dims, hp, wp, ekh, ekw) + " (input " + Shape.str(x.shape()) + ")");
            p.set(c, h, w, kh, kw, sh, sw, ph0, pw0, hp, wp, dh, dw);
            direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && hp == h && wp == w;
            int[] ys = x.shape();
            ys[b0] = o;
            if (dims == 2) ys[b0 + 1] = p.oh;
            ys[ys.length - 1] = p.ow;
            int l = p.blocks(), kk = p.rows() / groups;
            Tensor y = kk == 0 ? out(x.dtype(), ys) : outUninitialized(x.dtype(), ys);
            if (n > 0 && kk > 0) {
                samples.set(false, x.storage(), wt.storage(), null, bias ? t[2].storage() : null, y.storage(), null,
                        direct ? null : scratch(x.dtype()));
                samples.runRows(n, o * l * kk, slots());
            } else if (bias && n > 0) {
                samples.bias(y.storage(), t[2].storage(), 0, n);
            }
            save(x, wt);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], wt = saved()[1];
            Tensor[] grads = bias ? gradients(null, null, null) : gradients(null, null);
            int l = p.blocks();
            boolean gx = needsInputGrad(0), gw = needsInputGrad(1);
            if (gx) grads[0] = outLike(x);
            if (gw) grads[1] = outLike(wt);
            if (n > 0 && p.rows() > 0 && (gx || gw)) {
                int chunks = Math.min(n, CHUNKS), wn = wt.numel();
                Storage partial = gw ? outUninitialized(x.dtype(), chunks, wn).storage() : null;
                samples.set(true, x.storage(), wt.storage(), g.storage(), null, gx ? grads[0].storage() : null, partial,
                        direct ? null : scratch(x.dtype()));
                samples.chunks = chunks;
                samples.runRows(chunks, (gx && gw ? 2 : 1) * o * l * (p.rows() / groups) * (n / chunks), slots());
                if (gw) {
                    // the chunks' partial sums in chunk order, in double, rounded once (transposed partials per group
                    // hold element (oc, q) of the group's [og, kk] block at q·og + oc)
                    Storage dw = grads[1].storage();
                    int og = o / groups, kk = p.rows() / groups;
                    for (int e = 0; e < wn; e++) {
                        int src = e;
                        if (transposedWeightGrad()) {
                            int blk = e / (og * kk), oc = e % (og * kk) / kk, q = e % kk;
                            src = blk * og * kk + q * og + oc;
                        }
                        dw.set(e, blockedSum(partial, src, 1, chunks, wn));
                    }
                }
            }
            if (bias && needsInputGrad(2)) {
                Tensor gb = outUninitialized(g.dtype(), o);
                samples.set(false, null, null, g.storage(), null, gb.storage(), null, null);
                samples.biasGrad = true;
                samples.runRows(o, n * l, Kernels.backend().threads());
                grads[2] = gb;
            }
            return grads;
        }

        /**
         * Whether the per-sample weight gradient is computed transposed, {@code dW_gᵀ = cols_g · dY_gᵀ} ({@code kk × og}),
         * rather than {@code dY_g · cols_gᵀ} ({@code og × kk}): when a group has fewer patch rows {@code kk} than output
         * channels (a first layer: 9 × 32), the product's columns would fill few of the GEMM's tile columns, while
         * transposed its short rows go to the unpacked dot-product kernel. The same products; the GEMM may sum them in
         * another order.
         */
        private boolean transposedWeightGrad() {
            return p.rows() / groups < o / groups;
        }

        /** Samples per weight-gradient chunk are {@code n / CHUNKS} (rounded): a split fixed by {@code n} alone. */
        private static final int CHUNKS = 8;

        /** Threads for the sample split (each busy one holds a scratch slot: at most 31). */
        private static int slots() {
            return Math.min(Kernels.backend().threads(), 31);
        }

        /** A scratch of one column matrix per thread (slots), lent by the workspace. */
        private Storage scratch(DType dtype) {
            return outUninitialized(dtype, slots(), p.rows() * p.blocks()).storage();
        }

        /** {@code Σ x[off + k·stride + i]}, {@code k < blocks}, {@code i < len}: one double sum in that order. */
        private static double blockedSum(Storage x, int off, int len, int blocks, int stride) {
            return x instanceof Storage.F32 f ? PlanesF32.blockedSum(f.a, off, len, blocks, stride)
                    : PlanesF64.blockedSum(((Storage.F64) x).a, off, len, blocks, stride);
        }

        private final Samples samples = new Samples();

        /**
         * The per-sample work as ranges for the kernel threads. Forward: samples; each im2col's its sample into a
         * scratch slot of its own and runs the sample's GEMMs on its thread ({@link Kernels#gemmSerial}), then adds the
         * bias. Backward: fixed chunks of samples ({@link #CHUNKS}); each chunk sums the weight gradient of its samples
         * into its own partial and writes the input gradient of its samples. Samples (and chunks) touch disjoint
         * outputs, and every output element is computed as before the split, so only the weight gradient's order of
         * summation differs from a single-thread loop over the samples (and it depends on {@code n} only). With
         * {@code biasGrad}, the rows are channels and each sums its bias gradient.
         */
        private final class Samples extends ParallelRanges {
            private final AtomicInteger busy = new AtomicInteger();
            boolean back, biasGrad;
            int chunks;
            Storage xs, ws, bs, gs, out, partial, cols;

            void set(boolean back, Storage xs, Storage ws, Storage gs, Storage bs, Storage out, Storage partial, Storage cols) {
                this.back = back;
                this.xs = xs;
                this.ws = ws;
                this.gs = gs;
                this.out = out;
                this.partial = partial;
                this.bs = bs;
                this.cols = cols;
            }

            @Override
            protected void range(int from, int to) {
                if (biasGrad) {
                    int l = p.blocks();
                    for (int oc = from; oc < to; oc++) out.set(oc, blockedSum(gs, oc * l, l, n, o * l));
                    return;
                }
                int slot = claim();
                try {
                    int off = slot * p.rows() * p.blocks();
                    if (!back) {
                        for (int s = from; s < to; s++) forwardSample(s, off);
                        return;
                    }
                    for (int k = from; k < to; k++) {
                        int s0 = (int) ((long) n * k / chunks), s1 = (int) ((long) n * (k + 1) / chunks);
                        for (int s = s0; s < s1; s++) backwardSample(s, s == s0, k, off);
                    }
                } finally {
                    release(slot);
                }
            }

            private void forwardSample(int s, int colOff) {
                int l = p.blocks(), og = o / groups, kk = p.rows() / groups;
                Storage src = xs;
                int off = s * p.c * p.h * p.w;
                if (!direct) {
                    p.im2col(xs, off, cols, colOff);
                    src = cols;
                    off = colOff;
                }
                for (int g = 0; g < groups; g++) {
                    Kernels.gemmSerial(ws, g * og * kk, false, src, off + g * kk * l, false, out, (s * o + g * og) * l, og, l, kk, false);
                }
                if (bs != null) bias(out, bs, s, s + 1);
            }

            private void backwardSample(int s, boolean first, int chunk, int colOff) {
                int l = p.blocks(), og = o / groups, kk = p.rows() / groups, sample = p.c * p.h * p.w, goff = s * o * l;
                if (partial != null) {
                    Storage src = xs;
                    int off = s * sample;
                    if (!direct) {
                        p.im2col(xs, off, cols, colOff);
                        src = cols;
                        off = colOff;
                    }
                    int wn = o * kk;
                    boolean transposed = transposedWeightGrad();
                    for (int g = 0; g < groups; g++) {
                        if (transposed) {
                            Kernels.gemmSerial(src, off + g * kk * l, false, gs, goff + g * og * l, true, partial,
                                    chunk * wn + g * og * kk, kk, og, l, !first);
                        } else {
                            Kernels.gemmSerial(gs, goff + g * og * l, false, src, off + g * kk * l, true, partial,
                                    chunk * wn + g * og * kk, og, kk, l, !first);
                        }
                    }
                }
                if (out != null) {
                    Storage dst = direct ? out : cols;
                    int off = direct ? s * sample : colOff;
                    for (int g = 0; g < groups; g++) {
                        Kernels.gemmSerial(ws, g * og * kk, true, gs, goff + g * og * l, false, dst, off + g * kk * l, kk, l, og, false);
                    }
                    if (!direct) p.col2im(cols, colOff, out, s * sample);
                }
            }

            /** {@code y[s, oc, ·] += b[oc]} for the samples {@code [s0, s1)}. */
            void bias(Storage y, Storage b, int s0, int s1) {
                int l = p.blocks();
                for (int s = s0; s < s1; s++) {
                    if (y instanceof Storage.F32 yf) PlanesF32.addRows(yf.a, s * o * l, o, l, ((Storage.F32) b).a);
                    else PlanesF64.addRows(((Storage.F64) y).a, s * o * l, o, l, ((Storage.F64) b).a);
                }
            }

            /** A free scratch slot (one per concurrently running range; at most {@link #slots()} run at once). */
            private int claim() {
                for (;;) {
                    int m = busy.get(), i = Integer.numberOfTrailingZeros(~m);
                    if (busy.compareAndSet(m, m | 1 << i)) return i;
                }
            }

            private void release(int slot) {
                for (;;) {
                    int m = busy.get();
                    if (busy.compareAndSet(m, m & ~(1 << slot))) return;
                }
            }

            @Override
            protected void clear() {
                xs = ws = bs = gs = out = partial = cols = null;
                biasGrad = false;
            }
        }
    }

    /** Validates a 4-D (or 3-D unbatched) input of unfold/fold-style ops and returns whether it is batched. */
    private static boolean batched(String op, Tensor x) {
        if (x.rank() != 3 && x.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a 3-D (unbatched) or 4-D (batched) input, got " + Shape.str(x.shape()));
        }
        return x.rank() == 4;
    }

    /**
     * {@code unfold} (im2col): {@code [N, C, H, W] → [N, C·kh·kw, L]}, column {@code l} the {@code l}-th block in
     * row-major block order, rows ordered {@code (c, ki, kj)}; backward is col2im (overlapping blocks add up).
     */
    static final class Unfold extends Function {
        private final Patches p = new Patches();
        private int kh, kw, dh, dw, ph, pw, sh, sw;
        private int n;

        private Unfold() {
        }

        static Unfold of(int kh, int kw, int dh, int dw, int ph, int pw, int sh, int sw) {
            Unfold op = node(Unfold.class, Unfold::new);
            op.kh = kh;
            op.kw = kw;
            op.dh = dh;
            op.dw = dw;
            op.ph = ph;
            op.pw = pw;
            op.sh = sh;
            op.sw = sw;
            return op;
        }

        @Override
        public String name() {
            return "unfold";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            boolean b = batched("unfold", x);
            n = b ? x.size(0) : 1;
            int c = x.size(-3), h = x.size(-2), w = x.size(-1);
            int hp = h + 2 * ph, wp = w + 2 * pw, ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
            if (hp < ekh || wp < ekw || c == 0 || h == 0 || w == 0) {
                throw new IllegalArgumentException("unfold: input " + Shape.str(x.shape()) + " with padding (" + ph + ", " + pw
                        + ") is too small for kernel (" + kh + ", " + kw + ") with dilation (" + dh + ", " + dw
                        + "): need non-empty planes of at least " + ekh + " x " + ekw + " after padding");
            }
            p.set(c, h, w, kh, kw, sh, sw, ph, pw, hp, wp, dh, dw);
            int rows = p.rows(), l = p.blocks();
            Tensor y = b ? outUninitialized(x.dtype(), n, rows, l) : outUninitialized(x.dtype(), rows, l);
            for (int s = 0; s < n; s++) p.im2col(x.storage(), s * c * h * w, y.storage(), s * rows * l);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), g.rank() == 3 ? new int[]{n, p.c, p.h, p.w} : new int[]{p.c, p.h, p.w});
            int rows = p.rows(), l = p.blocks();
            for (int s = 0; s < n; s++) p.col2im(g.storage(), s * rows * l, gx.storage(), s * p.c * p.h * p.w);
            return gradients(gx);
        }
    }

    /**
     * {@code fold} (col2im): {@code [N, C·kh·kw, L] → [N, C, H, W]}, summing every column entry into the output
     * position it covers; the adjoint of {@link Unfold}, whose backward is im2col.
     */
    static final class Fold extends Function {
        private final Patches p = new Patches();
        private int oh, ow, kh, kw, dh, dw, ph, pw, sh, sw;
        private int n;

        private Fold() {
        }

        static Fold of(int oh, int ow, int kh, int kw, int dh, int dw, int ph, int pw, int sh, int sw) {
            Fold op = node(Fold.class, Fold::new);
            op.oh = oh;
            op.ow = ow;
            op.kh = kh;
            op.kw = kw;
            op.dh = dh;
            op.dw = dw;
            op.ph = ph;
            op.pw = pw;
            op.sh = sh;
            op.sw = sw;
            return op;
        }

        @Override
        public String name() {
            return "fold";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            if (x.rank() != 2 && x.rank() != 3) {
                throw new IllegalArgumentException("fold: expected a 2-D (unbatched) or 3-D (batched) input [N, C·kh·kw, L], got "
                        + Shape.str(x.shape()));
            }
            boolean b = x.rank() == 3;
            n = b ? x.size(0) : 1;
            int rows = x.size(-2), l = x.size(-1), k = kh * kw;
            if (rows % k != 0) {
                throw new IllegalArgumentException("fold: expected size of input's dimension " + (b ? 1 : 0) + " (" + rows
                        + ") of " + Shape.str(x.shape()) + " to be divisible by the product of kernel_size " + kh + " * " + kw);
            }
            int hp = oh + 2 * ph, wp = ow + 2 * pw, ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
            if (hp < ekh || wp < ekw) {
                throw new IllegalArgumentException("fold: output_size (" + oh + ", " + ow + ") with padding (" + ph + ", " + pw
                        + ") is too small for kernel (" + kh + ", " + kw + ") with dilation (" + dh + ", " + dw + ")");
            }
            p.set(rows / k, oh, ow, kh, kw, sh, sw, ph, pw, hp, wp, dh, dw);
            if (p.blocks() != l) {
                throw new IllegalArgumentException("fold: given output_size=(" + oh + ", " + ow + "), expected size of input's dimension "
                        + (b ? 2 : 1) + " to match the calculated number of sliding blocks " + p.oh + " * " + p.ow + " = " + p.blocks()
                        + ", but got " + l + " (input " + Shape.str(x.shape()) + ")");
            }
            int c = p.c;
            Tensor y = b ? out(x.dtype(), new int[]{n, c, oh, ow}) : out(x.dtype(), new int[]{c, oh, ow});
            for (int s = 0; s < n; s++) p.col2im(x.storage(), s * rows * l, y.storage(), s * c * oh * ow);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            int rows = p.rows(), l = p.blocks();
            Tensor gx = g.rank() == 4 ? outUninitialized(g.dtype(), new int[]{n, rows, l}) : outUninitialized(g.dtype(), rows, l);
            for (int s = 0; s < n; s++) p.im2col(g.storage(), s * p.c * p.h * p.w, gx.storage(), s * rows * l);
            return gradients(gx);
        }
    }
}
