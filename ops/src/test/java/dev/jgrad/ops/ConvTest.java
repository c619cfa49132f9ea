package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** conv1d, conv2d, unfold and fold against a direct-loop reference; gradchecks over the options; edge cases and errors. */
class ConvTest {

    /** One conv2d configuration: input {@code [n, c, h, w]}, {@code o} output channels, kernel, stride, padding, dilation, groups. */
    record Cfg(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, boolean bias) {
        @Override
        public String toString() {
            return "[" + n + "," + c + "," + h + "," + w + "]->" + o + " k" + kh + "x" + kw + " s" + sh + "," + sw + " p" + ph + "," + pw
                    + " d" + dh + "," + dw + " g" + groups + (bias ? " bias" : "");
        }
    }

    static final List<Cfg> CONFIGS = List.of(
            new Cfg(2, 3, 5, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, true),
            new Cfg(2, 2, 5, 5, 3, 3, 2, 2, 1, 1, 0, 1, 1, 1, true),
            new Cfg(1, 2, 7, 6, 2, 2, 3, 1, 2, 1, 1, 2, 1, 1, false),
            new Cfg(2, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, true),
            new Cfg(2, 3, 4, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3, true),    // depthwise
            new Cfg(2, 4, 3, 3, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, true),    // 1x1: the direct path
            new Cfg(1, 4, 3, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2, false),   // 1x1 grouped
            new Cfg(1, 2, 6, 6, 2, 2, 2, 3, 3, 2, 1, 2, 2, 1, true),
            new Cfg(2, 1, 5, 5, 6, 2, 2, 1, 1, 1, 1, 1, 1, 1, true),    // fewer patch rows than channels: dWᵀ
            new Cfg(2, 2, 3, 3, 6, 1, 1, 1, 1, 0, 0, 1, 1, 2, true));   // the same, 1x1 grouped

    static Stream<Arguments> configsAndDtypes() {
        List<Arguments> a = new ArrayList<>();
        for (Cfg c : CONFIGS) for (DType d : DType.values()) a.add(Arguments.of(c, d));
        return a.stream();
    }

    // ------------------------------------------------------------------ reference

    /** Direct loops in double with per-side padding; returns the flat {@code [n, o, oh, ow]} output. */
    static double[] reference(Tensor x, Tensor w, Tensor b, int sh, int sw, int ph0, int ph1, int pw0, int pw1, int dh, int dw, int groups) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0), kh = w.size(2), kw = w.size(3);
        int oh = (h + ph0 + ph1 - dh * (kh - 1) - 1) / sh + 1, ow = (wd + pw0 + pw1 - dw * (kw - 1) - 1) / sw + 1;
        int cg = c / groups, og = o / groups;
        double[] y = new double[n * o * oh * ow];
        int r = 0;
        for (int s = 0; s < n; s++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++, r++) {
                        double sum = b == null ? 0 : b.get(oc);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < kh; ki++) {
                                for (int kj = 0; kj < kw; kj++) {
                                    int ih = i * sh - ph0 + ki * dh, iw = j * sw - pw0 + kj * dw;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    sum += w.get(((oc * cg + ci) * kh + ki) * kw + kj) * x.get(((s * c + g * cg + ci) * h + ih) * wd + iw);
                                }
                            }
                        }
                        y[r] = sum;
                    }
                }
            }
        }
        return y;
    }

    static Tensor conv(Cfg k, Tensor x, Tensor w, Tensor b) {
        return Ops.conv2d(x, w, b, new int[]{k.sh, k.sw}, new int[]{k.ph, k.pw}, new int[]{k.dh, k.dw}, k.groups);
    }

    static Tensor[] inputs(Cfg k, DType dtype, long seed) {
        Tensor x = randn(seed, dtype, k.n, k.c, k.h, k.w), w = randn(seed + 1, dtype, k.o, k.c / k.groups, k.kh, k.kw);
        Tensor b = k.bias ? randn(seed + 2, dtype, k.o) : null;
        return new Tensor[]{x, w, b};
    }

    static double tol(DType d) {
        return d == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    // ------------------------------------------------------------------ conv2d

    @ParameterizedTest
    @MethodSource("configsAndDtypes")
    void conv2dMatchesDirectLoops(Cfg k, DType dtype) {
        Tensor[] in = inputs(k, dtype, 5);
        Tensor y = conv(k, in[0], in[1], in[2]);
        int oh = (k.h + 2 * k.ph - k.dh * (k.kh - 1) - 1) / k.sh + 1, ow = (k.w + 2 * k.pw - k.dw * (k.kw - 1) - 1) / k.sw + 1;
        assertShape(y, k.n, k.o, oh, ow);
        assertEquals(dtype, y.dtype());
        assertClose(reference(in[0], in[1], in[2], k.sh, k.sw, k.ph, k.ph, k.pw, k.pw, k.dh, k.dw, k.groups), y, tol(dtype), tol(dtype));
    }

    @ParameterizedTest
    @MethodSource("configsAndDtypes")
    void conv2dGradcheck(Cfg k, DType dtype) {
        if (dtype == DType.FLOAT32) {
            // float32 gradients agree with the float64 ones computed from the same values
            Tensor[] in = inputs(k, DType.FLOAT32, 7);
            Tensor[] in64 = new Tensor[3];
            for (int i = 0; i < 3; i++) if (in[i] != null) {
                in64[i] = in[i].to(DType.FLOAT64).requiresGrad(true);
                in[i].requiresGrad(true);
            }
            Tensor v = randn(9, DType.FLOAT64, conv(k, in64[0], in64[1], in64[2]).shape());
            conv(k, in[0], in[1], in[2]).backward(v.to(DType.FLOAT32));
            conv(k, in64[0], in64[1], in64[2]).backward(v);
            for (int i = 0; i < 3; i++) if (in[i] != null) assertClose(in64[i].grad().toDoubleArray(), in[i].grad(), 1e-4, 1e-4);
            return;
        }
        Tensor x = randn64(11, k.n, k.c, k.h, k.w), w = randn64(12, k.o, k.c / k.groups, k.kh, k.kw);
        if (k.bias) GradCheck.assertGradients(t -> conv(k, t[0], t[1], t[2]), x, w, randn64(13, k.o));
        else GradCheck.assertGradients(t -> conv(k, t[0], t[1], null), x, w);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchSplitOverThreadsMatchesSampleBySample(DType dtype) {
        // large enough for the sample split (forward) and the chunked backward on the kernel threads: each sample's output
        // and input gradient are bit-for-bit those of the sample alone; the weight and bias gradients (sums over the
        // batch, in another order) agree with the per-sample sums to rounding
        splitMatchesSampleBySample(new Cfg(24, 8, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true), dtype);
        splitMatchesSampleBySample(new Cfg(24, 1, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, true), dtype); // dWᵀ (9 < 16)
    }

    private static void splitMatchesSampleBySample(Cfg k, DType dtype) {
        Tensor[] in = inputs(k, dtype, 21);
        for (Tensor t : in) t.requiresGrad(true);
        Tensor y = conv(k, in[0], in[1], in[2]);
        Tensor g = randn(22, dtype, y.shape());
        y.backward(g);
        int sample = k.c * k.h * k.w, out = y.numel() / k.n;
        double[] xv = in[0].toDoubleArray(), yv = y.toDoubleArray(), gv = g.toDoubleArray(), dx = in[0].grad().toDoubleArray();
        double[] dw = new double[in[1].numel()], db = new double[k.o];
        for (int s = 0; s < k.n; s++) {
            Tensor xs = of(dtype, java.util.Arrays.copyOfRange(xv, s * sample, (s + 1) * sample), 1, k.c, k.h, k.w).requiresGrad(true);
            Tensor ws = in[1].detach().requiresGrad(true), bs = in[2].detach().requiresGrad(true);
            Tensor ys = conv(k, xs, ws, bs);
            assertExact(java.util.Arrays.copyOfRange(yv, s * out, (s + 1) * out), ys);
            ys.backward(of(dtype, java.util.Arrays.copyOfRange(gv, s * out, (s + 1) * out), ys.shape()));
            assertExact(java.util.Arrays.copyOfRange(dx, s * sample, (s + 1) * sample), xs.grad());
            for (int i = 0; i < dw.length; i++) dw[i] += ws.grad().get(i);
            for (int i = 0; i < db.length; i++) db[i] += bs.grad().get(i);
        }
        assertClose(dw, in[1].grad(), tol(dtype), tol(dtype));
        assertClose(db, in[2].grad(), tol(dtype), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void samePaddingIsAsymmetricLikePyTorch(DType dtype) {
        // kernel 4 with dilation 1: total padding 3 → 1 on the top/left, 2 on the bottom/right; kernel 3 dilation 2: 2 each side
        Tensor x = randn(21, dtype, 2, 2, 5, 6), w = randn(22, dtype, 3, 2, 4, 3), b = randn(23, dtype, 3);
        Tensor y = Ops.conv2d(x, w, b, new int[]{1}, "same", new int[]{1, 2}, 1);
        assertShape(y, 2, 3, 5, 6);
        assertClose(reference(x, w, b, 1, 1, 1, 2, 2, 2, 1, 2, 1), y, tol(dtype), tol(dtype));
        Tensor valid = Ops.conv2d(x, w, b, new int[]{1}, "valid", new int[]{1}, 1);
        assertClose(reference(x, w, b, 1, 1, 0, 0, 0, 0, 1, 1, 1), valid, tol(dtype), tol(dtype));
    }

    @Test
    void samePaddingGradcheck() {
        GradCheck.assertGradients(t -> Ops.conv2d(t[0], t[1], t[2], new int[]{1}, "same", new int[]{1}, 1),
                randn64(24, 1, 2, 4, 5), randn64(25, 2, 2, 2, 4), randn64(26, 2));
        GradCheck.assertGradients(t -> Ops.conv1d(t[0], t[1], null, 1, "same", 2, 2),
                randn64(27, 2, 4, 7), randn64(28, 2, 2, 4));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void conv1dIsConv2dWithUnitHeight(DType dtype) {
        Tensor x = randn(31, dtype, 2, 4, 9), w = randn(32, dtype, 6, 2, 3), b = randn(33, dtype, 6);
        Tensor y = Ops.conv1d(x, w, b, 2, 1, 2, 2);
        Tensor y2 = Ops.conv2d(Ops.unsqueeze(x, 2), Ops.unsqueeze(w, 2), b, new int[]{1, 2}, new int[]{0, 1}, new int[]{1, 2}, 2);
        assertShape(y, 2, 6, 4);
        assertClose(y2.toDoubleArray(), y, tol(dtype), tol(dtype));
        assertClose(reference(Ops.unsqueeze(x, 2), Ops.unsqueeze(w, 2), b, 1, 2, 0, 0, 1, 1, 1, 2, 2), y, tol(dtype), tol(dtype));
    }

    @Test
    void conv1dGradcheck() {
        GradCheck.assertGradients(t -> Ops.conv1d(t[0], t[1], t[2], 2, 1, 2, 1), randn64(34, 2, 2, 8), randn64(35, 3, 2, 3), randn64(36, 3));
        GradCheck.assertGradients(t -> Ops.conv1d(t[0], t[1], null, 1, 0, 1, 3), randn64(37, 3, 5), randn64(38, 3, 1, 2));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void unbatchedInputIsOneSample(DType dtype) {
        Tensor x = randn(41, dtype, 3, 5, 4), w = randn(42, dtype, 2, 3, 2, 2), b = randn(43, dtype, 2);
        Tensor y = Ops.conv2d(x, w, b, new int[]{1}, new int[]{1}, new int[]{1}, 1);
        assertShape(y, 2, 6, 5);
        assertClose(Ops.conv2d(Ops.unsqueeze(x, 0), w, b, new int[]{1}, new int[]{1}, new int[]{1}, 1).toDoubleArray(), y, 0, 0);
        Tensor y1 = Ops.conv1d(randn(44, dtype, 3, 6), randn(45, dtype, 2, 3, 3), null, 1, 0, 1, 1);
        assertShape(y1, 2, 4);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void emptyBatch(DType dtype) {
        Tensor x = Tensor.zeros(dtype, 0, 2, 4, 4).requiresGrad(true), w = randn(51, dtype, 3, 2, 3, 3).requiresGrad(true);
        Tensor b = randn(52, dtype, 3).requiresGrad(true);
        Tensor y = Ops.conv2d(x, w, b, new int[]{1}, new int[]{0}, new int[]{1}, 1);
        assertShape(y, 0, 3, 2, 2);
        Ops.sum(y).backward();
        assertShape(x.grad(), 0, 2, 4, 4);
        assertClose(new double[27 * 2], w.grad(), 0, 0);
        assertClose(new double[3], b.grad(), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nonFiniteInputsPropagateToTheirWindowsOnly(DType dtype) {
        Tensor x = randn(61, dtype, 1, 1, 5, 5), w = randn(62, dtype, 1, 1, 2, 2);
        x.set(0, Double.NaN);          // (0, 0): only output (0, 0) sees it
        x.set(24, Double.POSITIVE_INFINITY);  // (4, 4): only output (3, 3)
        Tensor y = Ops.conv2d(x, w, null, new int[]{1}, new int[]{0}, new int[]{1}, 1);
        for (int i = 0; i < 16; i++) {
            double v = y.get(i);
            if (i == 0) assertTrue(Double.isNaN(v));
            else if (i == 15) assertEquals(w.get(3) > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY, v);
            else assertTrue(Double.isFinite(v), "element " + i + " = " + v);
        }
    }

    @Test
    void badArgumentsNameOpArgumentAndShapes() {
        Tensor x = randn(71, DType.FLOAT64, 1, 2, 2, 2), w = randn(72, DType.FLOAT64, 3, 2, 3, 3);
        int[] one = {1}, zero = {0};
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, one, zero, one, 1), "conv2d", "(2 x 2)", "(3 x 3)", "Kernel size can't be greater");
        assertIllegalArgument(() -> Ops.conv2d(x, randn(73, DType.FLOAT64, 3, 3, 1, 1), null, one, zero, one, 1),
                "conv2d", "groups=1", "[3, 3, 1, 1]", "[1, 2, 2, 2]", "3 channels", "2 channels");
        assertIllegalArgument(() -> Ops.conv2d(x, randn(74, DType.FLOAT64, 3, 1, 1, 1), null, one, zero, one, 2),
                "conv2d", "out_channels 3", "groups=2");
        assertIllegalArgument(() -> Ops.conv2d(x, randn(75, DType.FLOAT64, 2, 2, 1, 1), randn(76, DType.FLOAT64, 3), one, zero, one, 1),
                "conv2d", "bias [3]", "[2]");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, new int[]{2}, "same", one, 1), "conv2d", "padding='same'", "strided");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, one, "full", one, 1), "conv2d", "'full'");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, one, new int[]{-1}, one, 1), "conv2d", "padding", "non-negative", "-1");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, new int[]{0}, zero, one, 1), "conv2d", "stride", "positive");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, one, zero, new int[]{1, 2, 3}, 1), "conv2d", "dilation", "1 or 2 elements");
        assertIllegalArgument(() -> Ops.conv2d(x, w, null, one, zero, one, 0), "conv2d", "groups", "positive");
        assertIllegalArgument(() -> Ops.conv2d(x, randn(77, DType.FLOAT64, 3, 2, 3), null, one, zero, one, 1), "conv2d", "weight", "[3, 2, 3]");
        assertIllegalArgument(() -> Ops.conv2d(randn(78, DType.FLOAT64, 2, 2), w, null, one, zero, one, 1), "conv2d", "input", "[2, 2]");
        assertIllegalArgument(() -> Ops.conv1d(randn(79, DType.FLOAT64, 1, 2, 2), randn(80, DType.FLOAT64, 1, 2, 3), null, 1, 0, 1, 1),
                "conv1d", "(2)", "(3)");
    }

    // ------------------------------------------------------------------ unfold and fold

    @ParameterizedTest
    @EnumSource(DType.class)
    void unfoldTimesWeightIsConvolution(DType dtype) {
        Tensor x = randn(81, dtype, 2, 3, 5, 4), w = randn(82, dtype, 4, 3, 2, 3);
        Tensor cols = Ops.unfold(x, new int[]{2, 3}, new int[]{2, 1}, new int[]{1}, new int[]{1, 2});
        assertShape(cols, 2, 18, 5 * 2);
        Tensor y = Ops.matmul(Ops.reshape(w, 4, 18), cols);
        assertClose(reference(x, w, null, 1, 2, 1, 1, 1, 1, 2, 1, 1), y, tol(dtype), tol(dtype));
        assertShape(Ops.unfold(randn(83, dtype, 3, 5, 4), new int[]{2}, new int[]{1}, new int[]{0}, new int[]{1}), 12, 12);
    }

    @Test
    void foldCountsTheBlocksCoveringEachPosition() {
        Tensor ones = Tensor.ones(DType.FLOAT64, 1, 4, 9);
        Tensor y = Ops.fold(ones, new int[]{4, 4}, new int[]{2}, new int[]{1}, new int[]{0}, new int[]{1});
        assertClose(new double[]{1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1}, y, 0, 0);
    }

    @Test
    void unfoldAndFoldGradcheck() {
        GradCheck.assertGradients(t -> Ops.unfold(t[0], new int[]{2, 3}, new int[]{1, 2}, new int[]{1, 0}, new int[]{2, 1}),
                randn64(84, 2, 2, 5, 6));
        GradCheck.assertGradients(t -> Ops.fold(t[0], new int[]{4, 5}, new int[]{2, 2}, new int[]{1}, new int[]{1}, new int[]{2}),
                randn64(85, 2, 8, 9));
    }

    @Test
    void foldAndUnfoldBadArguments() {
        assertIllegalArgument(() -> Ops.fold(randn(86, DType.FLOAT64, 1, 8, 10), new int[]{4}, new int[]{2}, new int[]{1},
                new int[]{0}, new int[]{1}), "fold", "3 * 3 = 9", "10");
        assertIllegalArgument(() -> Ops.fold(randn(87, DType.FLOAT64, 1, 7, 9), new int[]{4}, new int[]{2}, new int[]{1},
                new int[]{0}, new int[]{1}), "fold", "divisible", "(7)");
        assertIllegalArgument(() -> Ops.unfold(randn(88, DType.FLOAT64, 1, 1, 2, 2), new int[]{3}, new int[]{1}, new int[]{0},
                new int[]{1}), "unfold", "[1, 1, 2, 2]", "kernel (3, 3)");
        assertIllegalArgument(() -> Ops.unfold(randn(89, DType.FLOAT64, 2, 2), new int[]{1}, new int[]{1}, new int[]{0},
                new int[]{1}), "unfold", "[2, 2]");
    }
}
