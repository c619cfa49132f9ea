package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** max_pool2d, avg_pool2d, adaptive_avg_pool2d and the 1-D forms: hand-computed values, gradchecks, edge cases, errors. */
class PoolingTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    /** The 4×4 plane 0..15. */
    static final double[] RAMP = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    static int[] a(int... v) {
        return v;
    }

    // ------------------------------------------------------------------ max

    @Test
    void float32TwoByTwoFastPathOnThreadsMatchesTheGeneralLoop() {
        // a batch large enough for the plane split over the kernel threads; quantised values (many ties, -0 beside +0),
        // NaNs and infinities; the float64 input takes the general loop: same values, argmax (first maximum in row-major
        // window order, or the last NaN) and gradient
        int n = 8, c = 64, h = 28, w = 28;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(17);
        double[] v = new double[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            double u = rng.nextDouble();
            v[i] = u < 0.02 ? NAN : u < 0.04 ? -0.0 : u < 0.05 ? -INF : u < 0.06 ? INF : Math.round(rng.nextGaussian() * 2) / 2.0;
        }
        Tensor x32 = of(DType.FLOAT32, v, n, c, h, w).requiresGrad(true), x64 = of(DType.FLOAT64, v, n, c, h, w).requiresGrad(true);
        ValuesIndices r32 = Ops.maxPool2dWithIndices(x32, a(2), null, a(0), a(1), false);
        ValuesIndices r64 = Ops.maxPool2dWithIndices(x64, a(2), null, a(0), a(1), false);
        assertArrayEquals(r64.indices().toArray(), r32.indices().toArray());
        assertExact(r64.values().toDoubleArray(), r32.values());
        Tensor g = randn(5, DType.FLOAT64, n, c, h / 2, w / 2);
        r32.values().backward(g.to(DType.FLOAT32));
        r64.values().backward(g);
        assertExact(x64.grad().toDoubleArray(), x32.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxPoolValuesWithPaddingStrideDilationAndCeil(DType dtype) {
        Tensor x = of(dtype, RAMP, 1, 1, 4, 4);
        assertExact(new double[]{5, 7, 13, 15}, Ops.maxPool2d(x, a(2), null, a(0), a(1), false));
        // padding 1, stride 2: windows start at -1, 1, 3 → rows {0}, {1,2}, {3}
        assertExact(new double[]{0, 2, 3, 8, 10, 11, 12, 14, 15}, Ops.maxPool2d(x, a(2), a(2), a(1), a(1), false));
        // kernel 2 dilation 2 stride 1: window {i, i+2}
        assertExact(new double[]{10, 11, 14, 15}, Ops.maxPool2d(x, a(2), a(1), a(0), a(2), false));
        // 3×3 stride 2: floor gives 1 window, ceil 2 (the second starts at 2 < 4)
        assertShape(Ops.maxPool2d(x, a(3), a(2), a(0), a(1), false), 1, 1, 1, 1);
        assertExact(new double[]{10, 11, 14, 15}, Ops.maxPool2d(x, a(3), a(2), a(0), a(1), true));
        // ceil mode drops a window that would start in the right padding: 4 + 2·1 - 2 = 4 → ceil(4/2)+1 = 3, kept (starts at 3 < 5)
        assertShape(Ops.maxPool2d(x, a(2), a(2), a(1), a(1), true), 1, 1, 3, 3);
        // unbatched and rectangular
        Tensor u = Ops.maxPool2d(of(dtype, RAMP, 1, 4, 4), a(3, 2), a(1, 2), a(1, 0), a(1), false);
        assertShape(u, 1, 4, 2);
        assertExact(new double[]{5, 7, 9, 11, 13, 15, 13, 15}, u);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxPoolTiesGoToTheFirstMaxAndNaNPropagates(DType dtype) {
        Tensor x = of(dtype, new double[]{1, 3, 3, 0, NAN, 2, NAN, 1, -INF, -INF, -INF, -INF}, 1, 1, 3, 4).requiresGrad(true);
        var r = Ops.maxPool2dWithIndices(x, a(1, 4), null, a(0), a(1), false);
        assertExact(new double[]{3, NAN, -INF}, r.values());
        assertArrayEquals(new int[]{1, 6, 8}, r.indices().toArray());
        assertArrayEquals(new int[]{1, 1, 3, 1}, r.indices().shape());
        Ops.sum(r.values()).backward();
        assertExact(new double[]{0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0}, x.grad());
    }

    @Test
    void maxPool2x2Float32FastPathMatchesTheGeneralLoopWithTiesNaNAndOddSizes() {
        // values from a small set so windows tie, plus NaN and -inf; 5×7 planes leave a row and a column unpooled
        double[] pick = {0, 1, 1, -2, NAN, -INF, INF, 3};
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        double[] v = new double[3 * 2 * 5 * 7];
        for (int i = 0; i < v.length; i++) v[i] = pick[rng.nextInt(pick.length)];
        Tensor x32 = of(DType.FLOAT32, v, 3, 2, 5, 7).requiresGrad(true), x64 = of(DType.FLOAT64, v, 3, 2, 5, 7).requiresGrad(true);
        var fast = Ops.maxPool2dWithIndices(x32, a(2), null, a(0), a(1), false);
        var general = Ops.maxPool2dWithIndices(x64, a(2), null, a(0), a(1), false);
        assertArrayEquals(general.indices().toArray(), fast.indices().toArray());
        assertArrayEquals(general.values().toDoubleArray(), fast.values().toDoubleArray());
        double[] up = new double[3 * 2 * 2 * 3];
        for (int i = 0; i < up.length; i++) up[i] = i + 1;
        fast.values().backward(of(DType.FLOAT32, up, 3, 2, 2, 3));
        general.values().backward(of(DType.FLOAT64, up, 3, 2, 2, 3));
        assertArrayEquals(x64.grad().toDoubleArray(), x32.grad().toDoubleArray());
    }

    @Test
    void maxPoolOverlappingWindowsAccumulate() {
        Tensor x = of(DType.FLOAT64, new double[]{9, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 3, 3).requiresGrad(true);
        Ops.sum(Ops.maxPool2d(x, a(2), a(1), a(0), a(1), false)).backward();
        assertExact(new double[]{1, 1, 0, 1, 1, 0, 0, 0, 0}, x.grad()); // 9 wins once; ties go to each window's first 1
    }

    @Test
    void maxPoolGradcheck() {
        int[][] opts = {{2, 2, 0, 1, 0}, {3, 2, 1, 1, 1}, {2, 1, 1, 2, 0}, {3, 2, 1, 1, 0}, {2, 3, 1, 1, 1}};
        for (int[] o : opts) {
            boolean ceil = o[4] == 1;
            GradCheck.assertGradients(t -> Ops.maxPool2d(t[0], a(o[0]), a(o[1]), a(o[2]), a(o[3]), ceil), randn64(o[0] * 10 + o[1], 2, 2, 5, 6));
        }
        GradCheck.assertGradients(t -> Ops.maxPool2d(t[0], a(2, 3), a(1, 2), a(1, 1), a(2, 1), true), randn64(3, 2, 5, 7));
        GradCheck.assertGradients(t -> Ops.maxPool1d(t[0], 3, 2, 1, 1, true), randn64(4, 2, 2, 8));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void oneDimensionalPoolsAreTheTwoDimensionalOnesOfUnitHeight(DType dtype) {
        Tensor x = randn(5, dtype, 2, 3, 9);
        assertExact(Ops.maxPool2d(Ops.unsqueeze(x, 2), a(1, 3), a(1, 2), a(0, 1), a(1, 2), true).toDoubleArray(),
                Ops.maxPool1d(x, 3, 2, 1, 2, true));
        assertShape(Ops.maxPool1d(x, 3, 2, 1, 2, true), 2, 3, 4);
        assertShape(Ops.maxPool1d(randn(6, dtype, 3, 9), 2, 0, 0, 1, false), 3, 4);
        assertExact(Ops.avgPool2d(Ops.unsqueeze(x, 2), a(1, 4), a(1, 3), a(0, 2), true, false, null).toDoubleArray(),
                Ops.avgPool1d(x, 4, 3, 2, true, false));
        GradCheck.assertGradients(t -> Ops.avgPool1d(t[0], 3, 2, 1, false, true), randn64(7, 2, 7));
    }

    // ------------------------------------------------------------------ avg

    @ParameterizedTest
    @EnumSource(DType.class)
    void avgPoolDivisors(DType dtype) {
        Tensor x = of(dtype, RAMP, 1, 1, 4, 4);
        assertClose(new double[]{2.5, 4.5, 10.5, 12.5}, Ops.avgPool2d(x, a(2), null, a(0), false, true, null));
        // padding 1 stride 2: corner window holds only x[0]: /4 with padding counted, /1 without, /3 overridden
        assertClose(new double[]{0, 0.75, 0.75, 3, 7.5, 4.5, 3, 6.75, 3.75},
                Ops.avgPool2d(x, a(2), a(2), a(1), false, true, null));
        assertClose(new double[]{0, 1.5, 3, 6, 7.5, 9, 12, 13.5, 15}, Ops.avgPool2d(x, a(2), a(2), a(1), false, false, null));
        assertClose(new double[]{0, 1, 1, 4, 10, 6, 4, 9, 5}, Ops.avgPool2d(x, a(2), a(2), a(1), false, true, 3));
        // ceil mode: 3×3 stride 2 → windows at 0 and 2; the second is clipped to 2 rows/cols: divisor 4 (clamped to the input)
        assertClose(new double[]{5, 6.5, 11, 12.5}, Ops.avgPool2d(x, a(3), a(2), a(0), true, true, null));
    }

    @Test
    void avgPoolGradcheck() {
        for (int ceil = 0; ceil < 2; ceil++) {
            for (int cip = 0; cip < 2; cip++) {
                boolean c = ceil == 1, p = cip == 1;
                GradCheck.assertGradients(t -> Ops.avgPool2d(t[0], a(3, 2), a(2, 1), a(1), c, p, null), randn64(10 + ceil * 2 + cip, 2, 2, 6, 5));
            }
        }
        GradCheck.assertGradients(t -> Ops.avgPool2d(t[0], a(2), a(2), a(1), true, true, 5), randn64(15, 1, 5, 5));
    }

    // ------------------------------------------------------------------ adaptive avg

    @ParameterizedTest
    @EnumSource(DType.class)
    void adaptiveAvgPoolOverlappingWindows(DType dtype) {
        Tensor x = of(dtype, RAMP, 1, 1, 4, 4);
        assertClose(new double[]{2.5, 4.5, 10.5, 12.5}, Ops.adaptiveAvgPool2d(x, 2, 2));
        // 4 → 3: windows [0,2), [1,3), [2,4)
        assertClose(new double[]{2.5, 3.5, 4.5, 6.5, 7.5, 8.5, 10.5, 11.5, 12.5}, Ops.adaptiveAvgPool2d(x, 3, 3));
        assertClose(new double[]{7.5}, Ops.adaptiveAvgPool2d(x, 1, 1));
        assertShape(Ops.adaptiveAvgPool2d(of(dtype, RAMP, 1, 4, 4), 5, 3), 1, 5, 3);
        assertShape(Ops.adaptiveAvgPool2d(of(dtype, RAMP, 1, 4, 4), 0, 2), 1, 0, 2);
    }

    @Test
    void adaptiveAvgPoolGradcheck() {
        GradCheck.assertGradients(t -> Ops.adaptiveAvgPool2d(t[0], 3, 2), randn64(20, 2, 2, 5, 7));
        GradCheck.assertGradients(t -> Ops.adaptiveAvgPool2d(t[0], 4, 5), randn64(21, 2, 3, 3));
    }

    // ------------------------------------------------------------------ edges and errors

    @ParameterizedTest
    @EnumSource(DType.class)
    void emptyBatchAndNonFiniteValues(DType dtype) {
        Tensor empty = Tensor.zeros(dtype, 0, 2, 4, 4).requiresGrad(true);
        assertShape(Ops.maxPool2d(empty, a(2), null, a(0), a(1), false), 0, 2, 2, 2);
        Tensor y = Ops.avgPool2d(empty, a(2), null, a(0), false, true, null);
        assertShape(y, 0, 2, 2, 2);
        Ops.sum(y).backward();
        assertShape(empty.grad(), 0, 2, 4, 4);
        assertShape(Ops.adaptiveAvgPool2d(empty, 3, 3), 0, 2, 3, 3);
        Tensor x = of(dtype, new double[]{INF, 1, 2, 3, NAN, 1, 2, 3, -INF}, 1, 3, 3);
        Tensor avg = Ops.avgPool2d(x, a(1, 3), null, a(0), false, true, null);
        assertTrue(avg.get(0) == INF && Double.isNaN(avg.get(1)) && avg.get(2) == -INF);
        assertExact(new double[]{INF, NAN, 3}, Ops.maxPool2d(x, a(1, 3), null, a(0), a(1), false));
    }

    @Test
    void badArgumentsNameOpArgumentAndShapes() {
        Tensor x = randn(30, DType.FLOAT64, 1, 1, 2, 2);
        assertIllegalArgument(() -> Ops.maxPool2d(x, a(3), null, a(0), a(1), false), "max_pool2d", "[1, 1, 2, 2]", "(0 x 0)", "too small");
        assertIllegalArgument(() -> Ops.maxPool2d(x, a(2), null, a(2), a(1), false), "max_pool2d", "pad", "half of kernel size", "(2, 2)");
        assertIllegalArgument(() -> Ops.maxPool2d(x, a(0), null, a(0), a(1), false), "max_pool2d", "kernel_size", "positive");
        assertIllegalArgument(() -> Ops.maxPool2d(x, a(1), a(0), a(0), a(1), false), "max_pool2d", "stride", "positive");
        assertIllegalArgument(() -> Ops.maxPool2d(x, a(1), null, a(0), a(0), false), "max_pool2d", "dilation", "positive");
        assertIllegalArgument(() -> Ops.maxPool2d(randn(31, DType.FLOAT64, 2, 2), a(1), null, a(0), a(1), false), "max_pool2d", "[2, 2]");
        assertIllegalArgument(() -> Ops.maxPool2d(Tensor.zeros(DType.FLOAT64, 1, 0, 2, 2), a(1), null, a(0), a(1), false),
                "max_pool2d", "[1, 0, 2, 2]", "non-empty");
        assertIllegalArgument(() -> Ops.avgPool2d(x, a(2), null, a(0), false, true, 0), "avg_pool2d", "divisor", "not zero");
        assertIllegalArgument(() -> Ops.avgPool2d(x, a(2, 2, 2), null, a(0), false, true, null), "avg_pool2d", "kernel_size", "1 or 2");
        assertIllegalArgument(() -> Ops.avgPool2d(x, a(4), null, a(0), false, true, null), "avg_pool2d", "too small");
        assertIllegalArgument(() -> Ops.adaptiveAvgPool2d(x, -1, 2), "adaptive_avg_pool2d", "(-1, 2)");
        assertIllegalArgument(() -> Ops.adaptiveAvgPool2d(randn(32, DType.FLOAT64, 4), 1, 1), "adaptive_avg_pool2d", "[4]");
        assertIllegalArgument(() -> Ops.maxPool1d(x, 2, 0, 0, 1, false), "max_pool1d", "[1, 1, 2, 2]");
    }
}
