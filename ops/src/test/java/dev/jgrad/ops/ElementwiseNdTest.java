package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.avoid;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, element-wise slice: leakyRelu, elu, silu, hardtanh, log1p, expm1, square, rsqrt, minimum/maximum and the
 * comparison masks — values against plain Java math, float64 gradchecks, PyTorch 1.13's values and gradients at 0,
 * ±inf, NaN and ties (read off torch 1.13.1 on CPU), both dtypes, and bad arguments. Also relu's gradient at NaN.
 */
class ElementwiseNdTest {
    static final double INF = Double.POSITIVE_INFINITY, NAN = Double.NaN;

    /** The value and the input gradient of {@code f} at {@code x} for the upstream gradient 3 everywhere. */
    private static Tensor[] valueAndGrad(UnaryOperator<Tensor> f, DType dtype, double... x) {
        Tensor in = of(dtype, x, x.length).requiresGrad(true);
        Tensor y = f.apply(in);
        y.backward(Tensor.full(3.0, dtype, y.shape()));
        return new Tensor[]{y, in.grad()};
    }

    private static double[] times3(double... v) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) r[i] *= 3;
        return r;
    }

    // ------------------------------------------------------------------ values against plain Java math

    @ParameterizedTest
    @EnumSource(DType.class)
    void unaryValuesAndGradientsMatchPlainMath(DType dtype) {
        Tensor x = randn(1, dtype, 2, 3, 4);
        for (int i = 0; i < x.numel(); i++) x.set(i, 3 * x.get(i));
        record Case(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator f, DoubleUnaryOperator df, UnaryOperator<Tensor> domain) {}
        UnaryOperator<Tensor> any = t -> t;
        List<Case> cases = List.of(
                new Case("leakyRelu", Ops::leakyRelu, v -> v > 0 ? v : 0.01 * v, v -> v > 0 ? 1 : 0.01, any),
                new Case("leakyRelu(0.2)", t -> Ops.leakyRelu(t, 0.2), v -> v > 0 ? v : 0.2 * v, v -> v > 0 ? 1 : 0.2, any),
                new Case("elu", Ops::elu, v -> v > 0 ? v : Math.exp(v) - 1, v -> v > 0 ? 1 : Math.exp(v), any),
                new Case("elu(1.7)", t -> Ops.elu(t, 1.7), v -> v > 0 ? v : 1.7 * (Math.exp(v) - 1), v -> v > 0 ? 1 : 1.7 * Math.exp(v), any),
                new Case("silu", Ops::silu, v -> v / (1 + Math.exp(-v)),
                        v -> 1 / (1 + Math.exp(-v)) + v * Math.exp(-v) / ((1 + Math.exp(-v)) * (1 + Math.exp(-v))), any),
                new Case("hardtanh", Ops::hardtanh, v -> Math.max(-1, Math.min(1, v)), v -> v > -1 && v < 1 ? 1 : 0, any),
                new Case("hardtanh(-2, 0.5)", t -> Ops.hardtanh(t, -2, 0.5), v -> Math.max(-2, Math.min(0.5, v)), v -> v > -2 && v < 0.5 ? 1 : 0, any),
                new Case("log1p", Ops::log1p, v -> Math.log(1 + v), v -> 1 / (1 + v), t -> TestSupport.positive(t, 0.5)),
                new Case("expm1", Ops::expm1, v -> Math.exp(v) - 1, Math::exp, any),
                new Case("square", Ops::square, v -> v * v, v -> 2 * v, any),
                new Case("rsqrt", Ops::rsqrt, v -> 1 / Math.sqrt(v), v -> -0.5 / (v * Math.sqrt(v)), t -> TestSupport.positive(t, 0.1)));
        for (Case c : cases) {
            Tensor in = c.domain().apply(x.detach().copy()).requiresGrad(true);
            Tensor y = c.op().apply(in);
            assertShape(y, 2, 3, 4);
            y.backward(Tensor.ones(dtype, 2, 3, 4));
            double[] ev = new double[in.numel()], eg = new double[in.numel()];
            for (int i = 0; i < ev.length; i++) {
                ev[i] = c.f().applyAsDouble(in.get(i));
                eg[i] = c.df().applyAsDouble(in.get(i));
            }
            double rtol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            try {
                assertClose(ev, y, rtol, 1e-300);
                assertClose(eg, in.grad(), rtol, 1e-300);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + " " + dtype + ": " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ float64 gradchecks

    @Test
    void gradientsMatchCentralDifferences() {
        // unary ops, away from their kinks (0 for leakyRelu/elu, the bounds for hardtanh)
        GradCheck.assertGradients(in -> Ops.leakyRelu(in[0], 0.3), avoid(randn64(2, 3, 4), 1e-3, 0));
        GradCheck.assertGradients(in -> Ops.elu(in[0], 0.7), avoid(randn64(3, 3, 4), 1e-3, 0));
        GradCheck.assertGradients(in -> Ops.silu(in[0]), randn64(4, 3, 4));
        GradCheck.assertGradients(in -> Ops.hardtanh(in[0], -0.4, 0.9), avoid(randn64(5, 3, 4), 1e-3, -0.4, 0.9));
        GradCheck.assertGradients(in -> Ops.log1p(in[0]), TestSupport.positive(randn64(6, 3, 4), -0.9 + 0.05));
        GradCheck.assertGradients(in -> Ops.expm1(in[0]), randn64(7, 3, 4));
        GradCheck.assertGradients(in -> Ops.square(in[0]), randn64(8, 3, 4));
        GradCheck.assertGradients(in -> Ops.rsqrt(in[0]), TestSupport.positive(randn64(9, 3, 4), 0.2));
        // minimum/maximum: equal shapes and every broadcasting pattern (scalar, row, column, both sides expanded)
        int[][][] shapes = {{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 3, 1}, {4}}, {{3, 1}, {1, 4}}, {{}, {2, 3}}, {{2, 1, 4}, {3, 1}}};
        long seed = 10;
        for (int[][] s : shapes) {
            GradCheck.assertGradients(in -> Ops.maximum(in[0], in[1]), randn64(seed++, s[0]), randn64(seed++, s[1]));
            GradCheck.assertGradients(in -> Ops.minimum(in[0], in[1]), randn64(seed++, s[0]), randn64(seed++, s[1]));
        }
    }

    // ------------------------------------------------------------------ PyTorch 1.13 at 0, ±inf, NaN (both dtypes)

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluPassesTheGradientAtNaNLikePyTorch(DType dtype) {
        // 40 elements: the float32 SIMD kernel and its scalar tail both see NaN, ±0, ±inf
        double[] x = new double[40], expected = new double[40];
        double[] pattern = {NAN, 0.0, -0.0, INF, -INF, 2.0, -2.0, 1e-30};
        double[] grad = {3, 0, 0, 3, 0, 3, 0, 3};
        for (int i = 0; i < x.length; i++) {
            x[i] = pattern[i % pattern.length];
            expected[i] = grad[i % pattern.length];
        }
        Tensor[] r = valueAndGrad(Ops::relu, dtype, x);
        assertExact(expected, r[1]);
        assertTrue(Double.isNaN(r[0].get(0)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void leakyReluTakesTheNegativeBranchAtZeroAndNaN(DType dtype) {
        Tensor[] r = valueAndGrad(t -> Ops.leakyRelu(t, 0.2), dtype, NAN, 0.0, -0.0, INF, -INF, -1.0, 1.0);
        assertExact(new double[]{NAN, 0.0, -0.0, INF, -INF, -0.2, 1.0}, r[0]);
        assertClose(times3(0.2, 0.2, 0.2, 1, 0.2, 0.2, 1), r[1], 1e-7, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void eluAtZeroNaNAndInfinities(DType dtype) {
        // torch 1.13: elu(x, 2) at 0 has gradient 2·g (the x <= 0 branch); at NaN g (its scalar kernel); elu(-inf) = -alpha
        Tensor[] r = valueAndGrad(t -> Ops.elu(t, 2.0), dtype, NAN, 0.0, -0.0, INF, -INF, -800, -1e-8);
        assertExact(new double[]{NAN, 0.0, -0.0, INF, -2.0, -2.0, dtype.round(2 * Math.expm1(dtype.round(-1e-8)))}, r[0]);
        assertClose(times3(1, 2, 2, 1, 0, 0, 2 * Math.exp(-1e-8)), r[1], 1e-7, 0);
        // alpha·expm1 keeps full relative accuracy near 0 where exp(x) - 1 would cancel
        assertClose(new double[]{Math.expm1(-1e-12)}, Ops.elu(of(DType.FLOAT64, new double[]{-1e-12}, 1)), 1e-15, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void siluIsNaNAtMinusInfinityAndItsGradientNaNAtBothInfinitiesLikePyTorch(DType dtype) {
        Tensor[] r = valueAndGrad(Ops::silu, dtype, NAN, INF, -INF, 0.0, -800, 800);
        assertExact(new double[]{NAN, INF, NAN, 0.0, -0.0, 800}, r[0]);
        assertExact(new double[]{NAN, NAN, NAN, 1.5, -0.0, 3}, r[1]);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void hardtanhGradientIsZeroAtTheBoundsAndPassesAtNaN(DType dtype) {
        Tensor[] r = valueAndGrad(t -> Ops.hardtanh(t, -2, 3), dtype, -2, 3, INF, -INF, NAN, 0.5, -2.5);
        assertExact(new double[]{-2, 3, 3, -2, NAN, 0.5, -2}, r[0]);
        assertExact(new double[]{0, 0, 0, 0, 3, 3, 0}, r[1]);
        // clamp passes the gradient at its bounds, hardtanh does not
        Tensor[] c = valueAndGrad(t -> Ops.clamp(t, -2, 3), dtype, -2, 3);
        assertExact(new double[]{3, 3}, c[1]);
        // equal bounds: every finite input maps to the bound, no gradient anywhere
        Tensor[] e = valueAndGrad(t -> Ops.hardtanh(t, 0.25, 0.25), dtype, 0.0, 0.25, 0.5);
        assertExact(new double[]{0.25, 0.25, 0.25}, e[0]);
        assertExact(new double[]{0, 0, 0}, e[1]);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void log1pExpm1RsqrtSquareEdges(DType dtype) {
        Tensor[] l = valueAndGrad(Ops::log1p, dtype, -1.0, -2.0, INF, -INF, NAN, 0.0, -0.0);
        assertExact(new double[]{-INF, NAN, INF, NAN, NAN, 0.0, -0.0}, l[0]);
        assertExact(new double[]{INF, -3, 0, -0.0, NAN, 3, 3}, l[1]);
        Tensor[] e = valueAndGrad(Ops::expm1, dtype, -INF, INF, NAN, 0.0, -0.0, 1e3);
        assertExact(new double[]{-1, INF, NAN, 0.0, -0.0, INF}, e[0]);
        assertExact(new double[]{0, INF, NAN, 3, 3, INF}, e[1]);
        Tensor[] q = valueAndGrad(Ops::rsqrt, dtype, 0.0, -0.0, INF, -1.0, NAN, 4.0);
        assertExact(new double[]{INF, -INF, 0, NAN, NAN, 0.5}, q[0]);
        assertExact(new double[]{-INF, INF, -0.0, NAN, NAN, -0.1875}, q[1]);
        Tensor[] s = valueAndGrad(Ops::square, dtype, INF, -INF, NAN, -0.0, -3);
        assertExact(new double[]{INF, INF, NAN, 0.0, 9}, s[0]);
        assertExact(new double[]{INF, -INF, NAN, -0.0, -18}, s[1]);
    }

    @Test
    void log1pAndExpm1KeepFullRelativeAccuracyNearZero() {
        Tensor x = of(DType.FLOAT64, new double[]{1e-15, -1e-15, 3e-10}, 3);
        assertClose(new double[]{Math.log1p(1e-15), Math.log1p(-1e-15), Math.log1p(3e-10)}, Ops.log1p(x), 1e-15, 0);
        assertClose(new double[]{Math.expm1(1e-15), Math.expm1(-1e-15), Math.expm1(3e-10)}, Ops.expm1(x), 1e-15, 0);
    }

    // ------------------------------------------------------------------ minimum / maximum

    @ParameterizedTest
    @EnumSource(DType.class)
    void minimumAndMaximumSplitTheGradientAtTiesAndPassItToBothAtNaN(DType dtype) {
        // torch 1.13, g = 3: ties give 1.5 to each side, NaN in either input gives 3 to both
        double[] a = {1, 2, NAN, 1, NAN, 0.0, -0.0, INF}, b = {1, 1, 1, NAN, NAN, -0.0, 0.0, INF};
        for (boolean max : new boolean[]{true, false}) {
            Tensor ta = of(dtype, a, 8).requiresGrad(true), tb = of(dtype, b, 8).requiresGrad(true);
            Tensor y = max ? Ops.maximum(ta, tb) : Ops.minimum(ta, tb);
            y.backward(Tensor.full(3.0, dtype, 8));
            assertClose(new double[]{1, max ? 2 : 1, NAN, NAN, NAN, 0, 0, INF}, y, 0, 0);
            assertExact(new double[]{1.5, max ? 3 : 0, 3, 3, 3, 1.5, 1.5, 1.5}, ta.grad());
            assertExact(new double[]{1.5, max ? 0 : 3, 3, 3, 3, 1.5, 1.5, 1.5}, tb.grad());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void broadcastGradientsSumOverTheExpandedDimensionsIncludingTies(DType dtype) {
        // a [2, 3] against b [3]: b's gradient sums its column over the rows, half shares at ties included
        Tensor a = of(dtype, new double[]{1, 5, 0, 2, 5, -1}, 2, 3).requiresGrad(true);
        Tensor b = of(dtype, new double[]{2, 5, 0}, 3).requiresGrad(true);
        Tensor y = Ops.maximum(a, b);
        assertShape(y, 2, 3);
        assertExact(new double[]{2, 5, 0, 2, 5, 0}, y);
        Ops.sum(y).backward();
        assertExact(new double[]{0, 0.5, 0.5, 0.5, 0.5, 0}, a.grad());
        assertExact(new double[]{1.5, 1, 1.5}, b.grad());
        // a column [3, 1] against a row [1, 4] gives [3, 4]; minimum's gradients count each input's wins
        Tensor c = of(dtype, new double[]{0, 1, 2}, 3, 1).requiresGrad(true);
        Tensor r = of(dtype, new double[]{-1, 0.5, 1.5, 3}, 1, 4).requiresGrad(true);
        Tensor m = Ops.minimum(c, r);
        assertShape(m, 3, 4);
        Ops.sum(m).backward();
        assertExact(new double[]{3, 2, 1}, c.grad());
        assertExact(new double[]{3, 2, 1, 0}, r.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zeroSizeInputsGiveEmptyResultsAndGradients(DType dtype) {
        Tensor a = Tensor.zeros(dtype, 0, 3).requiresGrad(true), b = of(dtype, new double[]{1, 2, 3}, 3).requiresGrad(true);
        Tensor y = Ops.maximum(a, b);
        assertShape(y, 0, 3);
        Ops.sum(y).backward();
        assertShape(a.grad(), 0, 3);
        assertExact(new double[]{0, 0, 0}, b.grad());
        for (UnaryOperator<Tensor> f : List.<UnaryOperator<Tensor>>of(Ops::leakyRelu, Ops::elu, Ops::silu, Ops::hardtanh, Ops::log1p,
                Ops::expm1, Ops::square, Ops::rsqrt)) {
            Tensor x = Tensor.zeros(dtype, 2, 0).requiresGrad(true);
            Tensor z = f.apply(x);
            assertShape(z, 2, 0);
            Ops.sum(z).backward();
            assertShape(x.grad(), 2, 0);
        }
        assertShape(Ops.lt(Tensor.zeros(dtype, 0, 2), of(dtype, new double[]{1, 2}, 2)), 0, 2);
    }

    // ------------------------------------------------------------------ comparisons

    @ParameterizedTest
    @EnumSource(DType.class)
    void comparisonsReturnMasksOfTheInputDtypeAndNaNComparesFalseExceptNe(DType dtype) {
        double[] a = {NAN, 1, NAN, INF, -INF, 0.0, -0.0, 2, INF, 1};
        double[] b = {1, NAN, NAN, INF, -INF, -0.0, 0.0, 3, -INF, 1};
        Tensor ta = of(dtype, a, 10), tb = of(dtype, b, 10);
        List<BiFunction<Tensor, Tensor, Tensor>> ops = List.of(Ops::eq, Ops::ne, Ops::lt, Ops::le, Ops::gt, Ops::ge);
        double[][] expected = {
                {0, 0, 0, 1, 1, 1, 1, 0, 0, 1},
                {1, 1, 1, 0, 0, 0, 0, 1, 1, 0},
                {0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
                {0, 0, 0, 1, 1, 1, 1, 1, 0, 1},
                {0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
                {0, 0, 0, 1, 1, 1, 1, 0, 1, 1}};
        for (int k = 0; k < ops.size(); k++) {
            Tensor m = ops.get(k).apply(ta, tb);
            assertTrue(m.dtype() == dtype, "mask dtype");
            assertExact(expected[k], m);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void comparisonsBroadcastAndTakeScalars(DType dtype) {
        Tensor col = of(dtype, new double[]{0, 1, 2}, 3, 1), row = of(dtype, new double[]{1, 2}, 2);
        Tensor m = Ops.lt(col, row);
        assertShape(m, 3, 2);
        assertExact(new double[]{1, 1, 0, 1, 0, 0}, m);
        assertExact(new double[]{1, 1, 0, 1, 1, 1}, Ops.reshape(Ops.ge(Ops.reshape(row, 2, 1), Ops.reshape(col, 3)), 6));
        Tensor x = of(dtype, new double[]{NAN, -1, 0.5, 2}, 4);
        assertExact(new double[]{0, 0, 1, 0}, Ops.eq(x, 0.5));
        assertExact(new double[]{1, 1, 0, 1}, Ops.ne(x, 0.5));
        assertExact(new double[]{0, 1, 0, 0}, Ops.lt(x, 0.5));
        assertExact(new double[]{0, 1, 1, 0}, Ops.le(x, 0.5));
        assertExact(new double[]{0, 0, 0, 1}, Ops.gt(x, 0.5));
        assertExact(new double[]{0, 0, 1, 1}, Ops.ge(x, 0.5));
        // the constant is rounded to the input's dtype first, as PyTorch does: float32 0.1 equals 0.1
        assertExact(new double[]{1}, Ops.eq(of(dtype, new double[]{0.1}, 1), 0.1));
        // a 0-d tensor against a 0-d tensor gives a 0-d mask
        assertShape(Ops.gt(Tensor.scalar(2, dtype), Tensor.scalar(1, dtype)));
    }

    @Test
    void comparisonsAreNotDifferentiable() {
        Tensor a = randn64(40, 2, 3), b = randn64(41, 3);
        for (Tensor m : new Tensor[]{Ops.eq(a, b), Ops.ne(a, b), Ops.lt(a, b), Ops.le(a, 0.0), Ops.gt(a, 0.0), Ops.ge(a, b)}) {
            assertFalse(m.requiresGrad(), "a mask never requires grad");
        }
        // a mask used as a weight stops the gradient at itself: only a gets one, through mul
        Tensor y = Ops.sum(Ops.mul(a, Ops.gt(a, 0.0)));
        y.backward();
        for (int i = 0; i < a.numel(); i++) assertTrue(a.grad().get(i) == (a.get(i) > 0 ? 1 : 0));
        assertNull(b.grad());
    }

    // ------------------------------------------------------------------ bad arguments

    @Test
    void badArgumentsNameTheOpAndTheShapes() {
        Tensor a = randn(50, DType.FLOAT64, 2, 3), b = randn(51, DType.FLOAT64, 3, 2);
        assertIllegalArgument(() -> Ops.maximum(a, b), "maximum", "[2, 3]", "[3, 2]");
        assertIllegalArgument(() -> Ops.minimum(a, b), "minimum", "[2, 3]", "[3, 2]");
        assertIllegalArgument(() -> Ops.eq(a, b), "eq", "[2, 3]", "[3, 2]");
        assertIllegalArgument(() -> Ops.ge(a, b), "ge", "[2, 3]", "[3, 2]");
        Tensor f = randn(52, DType.FLOAT32, 2, 3);
        assertIllegalArgument(() -> Ops.lt(a, f), "lt", "mixed dtypes");
        assertIllegalArgument(() -> Ops.maximum(a, f), "mixed dtypes");
        assertIllegalArgument(() -> Ops.ne(null, a), "ne", "null");
        assertIllegalArgument(() -> Ops.le(a, (Tensor) null), "le", "null");
        assertIllegalArgument(() -> Ops.gt((Tensor) null, 1.0), "gt", "null");
        assertIllegalArgument(() -> Ops.hardtanh(a, 1, -1), "hardtanh", "min 1.0", "max -1.0");
        assertIllegalArgument(() -> Ops.hardtanh(a, NAN, 1), "hardtanh", "NaN");
        assertIllegalArgument(() -> Ops.elu(null), "input");
        assertIllegalArgument(() -> Ops.square(null), "square", "null");
    }

    // ------------------------------------------------------------------ graph reuse

    @Test
    void recycledNodesTakeTheParametersOfTheirNewCall() {
        Tensor x0 = randn64(60, 3, 4);
        List<List<UnaryOperator<Tensor>>> pairs = List.of(
                List.of(t -> Ops.leakyRelu(t, 0.1), t -> Ops.leakyRelu(t, 0.4)),
                List.of(t -> Ops.elu(t, 0.5), t -> Ops.elu(t, 2.0)),
                List.of(t -> Ops.hardtanh(t, -0.3, 0.3), t -> Ops.hardtanh(t, -1, 2)),
                List.of(t -> Ops.maximum(t, Ops.mul(t, -0.5)), t -> Ops.minimum(t, Ops.mul(t, -0.5))));
        for (List<UnaryOperator<Tensor>> pair : pairs) {
            double[][][] heap = new double[2][][];
            for (int k = 0; k < 2; k++) heap[k] = run(pair.get(k), x0);
            Workspace ws = Workspace.reusingGraph();
            for (int scope = 0; scope < 4; scope++) {
                try (Workspace s = ws.open()) {
                    double[][] got = run(pair.get(scope % 2), x0);
                    assertArrayEquals(heap[scope % 2][0], got[0], 0.0, "value, scope " + scope);
                    assertArrayEquals(heap[scope % 2][1], got[1], 0.0, "gradient, scope " + scope);
                }
            }
        }
    }

    private static double[][] run(UnaryOperator<Tensor> f, Tensor x0) {
        Tensor x = x0.detach().copy().requiresGrad(true);
        Tensor y = f.apply(x);
        Ops.sum(y).backward();
        return new double[][]{y.toDoubleArray(), x.grad().toDoubleArray()};
    }
}
