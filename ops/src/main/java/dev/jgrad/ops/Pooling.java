package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ParallelRanges;

/**
 * 2-D pooling over the last two dimensions of a {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) input, with
 * PyTorch 1.13's output sizes, window clamping and checks: max pooling (gradient to the recorded argmax), average
 * pooling (divisor by {@code count_include_pad} or an override) and adaptive average pooling.
 */
final class Pooling {
    private Pooling() {
    }

    /**
     * PyTorch's {@code pooling_output_shape}: {@code ⌊(in + 2·pad − dil·(k−1) − 1 + (ceil ? stride−1 : 0)) / stride⌋ + 1},
     * minus one in ceil mode when the last window would start in the right padding.
     */
    static int outputSize(int in, int k, int pad, int stride, int dil, boolean ceil) {
        int size = Math.floorDiv(in + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0), stride) + 1;
        if (ceil && (size - 1) * stride >= in + pad) size--;
        return size;
    }

    /** The checks of PyTorch's {@code pool2d_shape_check}; returns the input's {@code [planes, H, W]}. */
    static void check(String op, Tensor x, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int oh, int ow) {
        if (x.rank() != 3 && x.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a 3-D (unbatched) or 4-D (batched) input, got " + Shape.str(x.shape()));
        }
        if (x.size(-1) == 0 || x.size(-2) == 0 || x.size(-3) == 0) {
            throw new IllegalArgumentException(op + ": expected non-empty channel and spatial dimensions, got input " + Shape.str(x.shape()));
        }
        if (kh / 2 < ph || kw / 2 < pw) {
            throw new IllegalArgumentException(op + ": pad should be smaller than or equal to half of kernel size, but got padding ("
                    + ph + ", " + pw + ") for kernel (" + kh + ", " + kw + ")");
        }
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": given input size " + Shape.str(x.shape()) + ", the calculated output size ("
                    + oh + " x " + ow + ") is too small (kernel (" + kh + ", " + kw + "), stride (" + sh + ", " + sw + "), padding ("
                    + ph + ", " + pw + "), dilation (" + dh + ", " + dw + "))");
        }
    }

    /** The shape of {@code x} with the last two dimensions replaced by {@code oh, ow}. */
    static int[] pooledShape(Tensor x, int oh, int ow) {
        int[] s = x.shape();
        s[s.length - 2] = oh;
        s[s.length - 1] = ow;
        return s;
    }

    /**
     * One average-pooling cell: {@code y[r] = Σ x[base + a·w + b] / div} over rows {@code a0..a1} and columns
     * {@code b0..b1} (0 for an empty window), or with {@code back} the gradient {@code y[r] / div} added to each.
     */
    static void cell(Storage x, int base, int w, int a0, int a1, int b0, int b1, Storage y, int r, int div, boolean back) {
        if (back) {
            double v = y.get(r) / div;
            for (int a = a0; a < a1; a++) for (int b = b0; b < b1; b++) x.add(base + a * w + b, v);
            return;
        }
        double sum = 0;
        for (int a = a0; a < a1; a++) for (int b = b0; b < b1; b++) sum += x.get(base + a * w + b);
        y.set(r, a0 >= a1 || b0 >= b1 ? 0 : sum / div);
    }

    /**
     * {@code max_pool2d}: {@code y = max} over each (dilated, padded) window, padding never selected; the argmax is the
     * first maximum in row-major window order, or the last NaN (a NaN propagates); backward adds {@code g} at it.
     */
    static final class MaxPool2d extends Function {
        private int kh, kw, sh, sw, ph, pw, dh, dw;
        private boolean ceil;
        private int planes, h, w, oh, ow;
        /** Per output element, the flat index of its argmax within its plane (grown, reused). */
        private int[] argmax = new int[0];

        private MaxPool2d() {
        }

        static MaxPool2d of(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceil) {
            MaxPool2d op = node(MaxPool2d.class, MaxPool2d::new);
            op.kh = kh;
            op.kw = kw;
            op.sh = sh;
            op.sw = sw;
            op.ph = ph;
            op.pw = pw;
            op.dh = dh;
            op.dw = dw;
            op.ceil = ceil;
            return op;
        }

        @Override
        public String name() {
            return "max_pool2d";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            if (x.rank() == 3 || x.rank() == 4) {
                h = x.size(-2);
                w = x.size(-1);
                oh = outputSize(h, kh, ph, sh, dh, ceil);
                ow = outputSize(w, kw, pw, sw, dw, ceil);
            }
            check("max_pool2d", x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
            planes = x.numel() / (h * w);
            int total = planes * oh * ow;
            if (argmax.length < total) argmax = new int[total];
            Tensor y = outUninitialized(x.dtype(), pooledShape(x, oh, ow));
            Storage xs = x.storage(), ys = y.storage();
            if (xs instanceof Storage.F32 xf && kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1
                    && 2 * oh <= h && 2 * ow <= w) {
                planeRanges.set(false, xf.a, ((Storage.F32) ys).a);
                planeRanges.runRows(planes, h * w, Kernels.backend().threads());
                return y;
            }
            int r = 0;
            for (int pl = 0; pl < planes; pl++) {
                int base = pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int h0 = i * sh - ph, h1 = Math.min(h0 + (kh - 1) * dh + 1, h);
                    while (h0 < 0) h0 += dh;
                    for (int j = 0; j < ow; j++, r++) {
                        int w0 = j * sw - pw, w1 = Math.min(w0 + (kw - 1) * dw + 1, w);
                        while (w0 < 0) w0 += dw;
                        int best = h0 * w + w0;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int a = h0; a < h1; a += dh) {
                            for (int b = w0; b < w1; b += dw) {
                                double v = xs.get(base + a * w + b);
                                if (v > max || Double.isNaN(v)) {
                                    max = v;
                                    best = a * w + b;
                                }
                            }
                        }
                        argmax[r] = best;
                        ys.set(r, xs.get(base + best));
                    }
                }
            }
            return y;
        }

        /**
         * The common 2×2 stride-2 window over float32 arrays for planes {@code [from, to)}, with the general loop's
         * semantics (first maximum in row-major window order, or the last NaN).
         */
        private void pool2x2(float[] xa, float[] ya, int from, int to) {
            int r = from * oh * ow;
            for (int pl = from; pl < to; pl++) {
                int base = pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int row = 2 * i * w, i0 = base + row, i1 = i0 + w;
                    for (int j = 0; j < ow; j++, r++) {
                        // the window's four values in row-major order: a later value wins if greater or NaN, decided
                        // in integer arithmetic on order keys (no branches, no conditional moves left to the JIT's
                        // profile: the comparisons are unpredictable on real data; ~1.8x faster than branching)
                        int q = 2 * j, best = row + q;
                        int bits = Float.floatToRawIntBits(xa[i0 + q]), key = key(bits);
                        int v = Float.floatToRawIntBits(xa[i0 + q + 1]), kv = key(v), m = wins(key, kv, v);
                        bits ^= (bits ^ v) & m;
                        key ^= (key ^ kv) & m;
                        best ^= (best ^ (row + q + 1)) & m;
                        v = Float.floatToRawIntBits(xa[i1 + q]);
                        kv = key(v);
                        m = wins(key, kv, v);
                        bits ^= (bits ^ v) & m;
                        key ^= (key ^ kv) & m;
                        best ^= (best ^ (row + w + q)) & m;
                        v = Float.floatToRawIntBits(xa[i1 + q + 1]);
                        m = wins(key, key(v), v);
                        bits ^= (bits ^ v) & m;
                        best ^= (best ^ (row + w + q + 1)) & m;
                        argmax[r] = best;
                        ya[r] = Float.intBitsToFloat(bits);
                    }
                }
            }
        }

        /**
         * The order key of a float's bits: {@code ±magnitude} for a number (monotonic, {@code -0} and {@code +0} both 0,
         * as they compare equal), {@link Integer#MAX_VALUE} for NaN (which nothing but another NaN replaces).
         */
        static int key(int bits) {
            int k = (bits ^ (bits >> 31 & 0x7fffffff)) + (bits >>> 31);
            int nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
            return k ^ ((k ^ Integer.MAX_VALUE) & nan);
        }

        /** {@code -1} if a value of key {@code kv} and bits {@code v} beats the maximum of key {@code key} (greater, or NaN), else 0. */
        static int wins(int key, int kv, int v) {
            return (int) ((long) key - kv >> 63) | (0x7f800000 - (v & 0x7fffffff)) >> 31;
        }

        /** Backward of the float32 planes {@code [from, to)}: {@code gx} at each argmax gets its output gradient added. */
        private void scatter(float[] gx, float[] g, int from, int to) {
            int per = oh * ow;
            for (int pl = from, r = from * per; pl < to; pl++) {
                int base = pl * h * w;
                for (int end = r + per; r < end; r++) gx[base + argmax[r]] += g[r];
            }
        }

        private final PlaneRanges planeRanges = new PlaneRanges();

        /** The float32 passes as plane ranges for the kernel threads (planes are independent: the split changes nothing). */
        private final class PlaneRanges extends ParallelRanges {
            boolean back;
            float[] a, b;

            void set(boolean back, float[] a, float[] b) {
                this.back = back;
                this.a = a;
                this.b = b;
            }

            @Override
            protected void range(int from, int to) {
                if (back) scatter(a, b, from, to);
                else pool2x2(a, b, from, to);
            }

            @Override
            protected void clear() {
                a = b = null;
            }
        }

        /** The argmax of every output element as a flat index into its {@code H × W} plane (PyTorch's {@code indices}). */
        IntTensor indices(int[] shape) {
            return IntTensor.of(java.util.Arrays.copyOf(argmax, planes * oh * ow), shape);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), pooledShape(g, h, w));
            Storage gs = g.storage(), xs = gx.storage();
            int per = oh * ow;
            if (xs instanceof Storage.F32 xf && gs instanceof Storage.F32 gf) {
                planeRanges.set(true, xf.a, gf.a);
                planeRanges.runRows(planes, h * w, Kernels.backend().threads());
            } else {
                for (int r = 0, total = planes * per; r < total; r++) xs.add(r / per * h * w + argmax[r], gs.get(r));
            }
            return gradients(gx);
        }
    }

    /**
     * {@code avg_pool2d}: each window's sum over the input (padding counts as zeros) divided by
     * {@code divisorOverride} if nonzero, else by the window size clamped to the padded input ({@code count_include_pad})
     * or to the input itself; backward spreads {@code g / divisor} over the window's input elements.
     */
    static final class AvgPool2d extends Function {
        private int kh, kw, sh, sw, ph, pw, divisorOverride;
        private boolean ceil, countIncludePad;
        private int planes, h, w, oh, ow;

        private AvgPool2d() {
        }

        static AvgPool2d of(int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil, boolean countIncludePad, int divisorOverride) {
            AvgPool2d op = node(AvgPool2d.class, AvgPool2d::new);
            op.kh = kh;
            op.kw = kw;
            op.sh = sh;
            op.sw = sw;
            op.ph = ph;
            op.pw = pw;
            op.ceil = ceil;
            op.countIncludePad = countIncludePad;
            op.divisorOverride = divisorOverride;
            return op;
        }

        @Override
        public String name() {
            return "avg_pool2d";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            if (x.rank() == 3 || x.rank() == 4) {
                h = x.size(-2);
                w = x.size(-1);
                oh = outputSize(h, kh, ph, sh, 1, ceil);
                ow = outputSize(w, kw, pw, sw, 1, ceil);
            }
            check("avg_pool2d", x, kh, kw, sh, sw, ph, pw, 1, 1, oh, ow);
            planes = x.numel() / (h * w);
            Tensor y = outUninitialized(x.dtype(), pooledShape(x, oh, ow));
            window(x.storage(), y.storage(), false);
            return y;
        }

        /** Forward ({@code back} false: {@code y} from {@code x}) or backward ({@code x} gets {@code y / divisor} added). */
        private void window(Storage x, Storage y, boolean back) {
            int r = 0;
            for (int pl = 0; pl < planes; pl++) {
                int base = pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int h0 = i * sh - ph, h1 = Math.min(h0 + kh, h + ph);
                    for (int j = 0; j < ow; j++, r++) {
                        int w0 = j * sw - pw, w1 = Math.min(w0 + kw, w + pw);
                        int size = (h1 - h0) * (w1 - w0);
                        int a0 = Math.max(h0, 0), b0 = Math.max(w0, 0), a1 = Math.min(h1, h), b1 = Math.min(w1, w);
                        int div = divisorOverride != 0 ? divisorOverride : countIncludePad ? size : (a1 - a0) * (b1 - b0);
                        cell(x, base, w, a0, a1, b0, b1, y, r, div, back);
                    }
                }
            }
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), pooledShape(g, h, w));
            window(gx.storage(), g.storage(), true);
            return gradients(gx);
        }
    }

    /**
     * {@code adaptive_avg_pool2d}: output cell {@code (i, j)} averages input rows {@code ⌊i·H/oh⌋ .. ⌈(i+1)·H/oh⌉} and
     * columns likewise (windows may overlap); backward spreads {@code g / window size} over each window.
     */
    static final class AdaptiveAvgPool2d extends Function {
        private int oh, ow;
        private int planes, h, w;

        private AdaptiveAvgPool2d() {
        }

        static AdaptiveAvgPool2d of(int oh, int ow) {
            AdaptiveAvgPool2d op = node(AdaptiveAvgPool2d.class, AdaptiveAvgPool2d::new);
            op.oh = oh;
            op.ow = ow;
            return op;
        }

        @Override
        public String name() {
            return "adaptive_avg_pool2d";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            if (x.rank() != 3 && x.rank() != 4) {
                throw new IllegalArgumentException("adaptive_avg_pool2d: expected a 3-D (unbatched) or 4-D (batched) input, got "
                        + Shape.str(x.shape()));
            }
            for (int d = x.rank() - 3; d < x.rank(); d++) {
                if (x.size(d) == 0) {
                    throw new IllegalArgumentException("adaptive_avg_pool2d: expected non-empty channel and spatial dimensions, got input "
                            + Shape.str(x.shape()));
                }
            }
            h = x.size(-2);
            w = x.size(-1);
            planes = x.numel() / (h * w);
            Tensor y = outUninitialized(x.dtype(), pooledShape(x, oh, ow));
            window(x.storage(), y.storage(), false);
            return y;
        }

        private void window(Storage x, Storage y, boolean back) {
            int r = 0;
            for (int pl = 0; pl < planes; pl++) {
                int base = pl * h * w;
                for (int i = 0; i < oh; i++) {
                    int a0 = (int) ((long) i * h / oh), a1 = (int) (((long) (i + 1) * h + oh - 1) / oh);
                    for (int j = 0; j < ow; j++, r++) {
                        int b0 = (int) ((long) j * w / ow), b1 = (int) (((long) (j + 1) * w + ow - 1) / ow);
                        int div = (a1 - a0) * (b1 - b0);
                        cell(x, base, w, a0, a1, b0, b1, y, r, div, back);
                    }
                }
            }
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), pooledShape(g, h, w));
            window(gx.storage(), g.storage(), true);
            return gradients(gx);
        }
    }
}
