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
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertFinite;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.avoid;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.positive;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static dev.jgrad.ops.TestSupport.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exp, log, sqrt, abs, sigmoid, tanh, relu, gelu, softplus and clamp: values, gradients and edge values. */
class PointwiseTest {
    static final double INF = Double.POSITIVE_INFINITY, NAN = Double.NaN;

    // ------------------------------------------------------------------ independent references

    /** Standard normal density. */
    static double phi(double t) {
        return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
    }

    /** Upper tail {@code ∫_a^∞ φ} for {@code a >= 0} by composite Simpson over {@code [a, a + 40]} (relative accuracy ~1e-13). */
    static double upperTail(double a) {
        int n = 200_000;
        double h = 40.0 / n, s = phi(a) + phi(a + 40);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * phi(a + i * h);
        return s * h / 3;
    }

    /** Standard normal CDF, from the tail on the side where it is small (no cancellation). */
    static double normalCdf(double x) {
        return x >= 0 ? 1 - upperTail(x) : upperTail(-x);
    }

    /** softplus via the algebraically equal {@code max(z,0) + log1p(exp(-|z|))} (not the op's formula). */
    static double softplusRef(double x, double beta, double threshold) {
        double z = beta * x;
        if (z > threshold) return x;
        return (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
    }

    static double logistic(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Each unary op with its value and derivative computed by plain Java math, and a safe input domain. */
    enum Fn {
        EXP(Ops::exp, Math::exp, Math::exp, 0, new double[0]),
        LOG(Ops::log, Math::log, x -> 1 / x, 1, new double[0]),
        SQRT(Ops::sqrt, Math::sqrt, x -> 0.5 / Math.sqrt(x), 1, new double[0]),
        ABS(Ops::abs, Math::abs, Math::signum, 0, new double[]{0}),
        SIGMOID(Ops::sigmoid, PointwiseTest::logistic, x -> logistic(x) * (1 - logistic(x)), 0, new double[0]),
        TANH(Ops::tanh, Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x), 0, new double[0]),
        RELU(Ops::relu, x -> Math.max(x, 0), x -> x > 0 ? 1 : 0, 0, new double[]{0}),
        GELU(Ops::gelu, x -> x * normalCdf(x), x -> normalCdf(x) + x * phi(x), 0, new double[0]),
        SOFTPLUS(Ops::softplus, x -> softplusRef(x, 1, 20), x -> logistic(x), 0, new double[0]),
        CLAMP(a -> Ops.clamp(a, -0.5, 0.8), x -> Math.min(Math.max(x, -0.5), 0.8),
                x -> x >= -0.5 && x <= 0.8 ? 1 : 0, 0, new double[]{-0.5, 0.8});

        final UnaryOperator<Tensor> op;
        final DoubleUnaryOperator value, derivative;
        final int domain; // 0: any real, 1: positive
        final double[] kinks;

        Fn(UnaryOperator<Tensor> op, DoubleUnaryOperator value, DoubleUnaryOperator derivative, int domain, double[] kinks) {
            this.op = op;
            this.value = value;
            this.derivative = derivative;
            this.domain = domain;
            this.kinks = kinks;
        }

        /** Inputs in the op's domain and at least 0.05 away from its kinks (randn · 2). */
        Tensor inputs(Tensor t) {
            scale(t, 2.0);
            if (domain == 1) positive(t, 0.2);
            return avoid(t, 0.05, kinks);
        }
    }

    static Stream<Arguments> fnsAndDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (Fn f : Fn.values()) for (DType d : DType.values()) args.add(Arguments.of(f, d));
        return args.stream();
    }

    // ------------------------------------------------------------------ values, gradients, gradcheck

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fnsAndDtypes")
    void forwardMatchesJavaMath(Fn fn, DType dtype) {
        Tensor x = fn.inputs(randn(1, dtype, 3, 4));
        Tensor y = fn.op.apply(x);
        assertShape(y, 3, 4);
        assertEquals(dtype, y.dtype());
        double[] e = new double[12];
        for (int i = 0; i < 12; i++) e[i] = fn.value.applyAsDouble(x.get(i));
        assertClose(e, y, TestSupport.rtol(dtype), dtype == DType.FLOAT32 ? 1e-37 : 1e-300);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fnsAndDtypes")
    void gradientMatchesClosedFormDerivative(Fn fn, DType dtype) {
        Tensor x = fn.inputs(randn(2, dtype, 3, 4)).requiresGrad(true);
        Tensor g = randn(3, dtype, 3, 4);
        fn.op.apply(x).backward(g);
        double[] e = new double[12];
        for (int i = 0; i < 12; i++) e[i] = g.get(i) * fn.derivative.applyAsDouble(x.get(i));
        // float32 gradients are formed from the float32-rounded output (e.g. y·(1-y)), so allow 1e-5
        assertClose(e, x.grad(), dtype == DType.FLOAT32 ? 1e-5 : 1e-11, dtype == DType.FLOAT32 ? 1e-7 : 1e-300);
    }

    @ParameterizedTest
    @EnumSource(Fn.class)
    void passesGradcheck(Fn fn) {
        Tensor x = fn.inputs(randn64(4, 3, 4));
        GradCheck.assertGradients(in -> fn.op.apply(in[0]), x);
    }

    @Test
    void softplusWithSeveralBetaAndThresholdPassesGradcheck() {
        double[][] params = {{1, 20}, {2, 5}, {0.5, 1}, {3, 0.5}, {1, 0}};
        for (double[] p : params) {
            double beta = p[0], threshold = p[1];
            // spread the inputs over both sides of the threshold, away from the switch point x = threshold/beta
            Tensor x = avoid(scale(randn64(5, 4, 5), 3.0), 0.05, threshold / beta);
            GradCheck.assertGradients(in -> Ops.softplus(in[0], beta, threshold), x);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softplusWithSeveralBetaAndThresholdMatchesReference(DType dtype) {
        double[][] params = {{1, 20}, {2, 5}, {0.5, 1}, {3, 0.5}};
        Tensor x = of(dtype, new double[]{-30, -4, -1, -0.1, 0, 0.3, 1, 2, 2.5, 3, 7, 25}, 12);
        for (double[] p : params) {
            Tensor y = Ops.softplus(x, p[0], p[1]);
            double[] e = new double[12];
            for (int i = 0; i < 12; i++) e[i] = softplusRef(x.get(i), p[0], p[1]);
            assertClose(e, y);
        }
    }

    @Test
    void softplusGradientIsSigmoidOfBetaXBelowTheThresholdAndOneAbove() {
        Tensor x = Tensor.of(new double[]{-1, 0.5, 2.4, 2.6}, 4).requiresGrad(true);
        Ops.sum(Ops.softplus(x, 2, 5)).backward();
        assertClose(new double[]{logistic(-2), logistic(1), logistic(4.8), 1.0}, x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void geluMatchesXTimesNormalCdfOnAGrid(DType dtype) {
        double[] xs = new double[61];
        for (int i = 0; i < xs.length; i++) xs[i] = -7.5 + 0.25 * i;
        Tensor x = of(dtype, xs, xs.length);
        double[] e = new double[xs.length];
        for (int i = 0; i < xs.length; i++) e[i] = x.get(i) * normalCdf(x.get(i));
        assertClose(e, Ops.gelu(x), dtype == DType.FLOAT32 ? 2e-6 : 1e-11, 1e-300);
    }

    @Test
    void geluIsAccurateWhereItsErfcSwitchesMethod() {
        // erfc switches from the series to the continued fraction at |x|/√2 = 2, i.e. x = ±2√2
        double c = 2 * Math.sqrt(2);
        double[] xs = {c - 1e-9, c + 1e-9, -c + 1e-9, -c - 1e-9, 2.5, -2.5, 3.2, -3.2};
        Tensor x = Tensor.of(xs, xs.length).requiresGrad(true);
        Tensor y = Ops.gelu(x);
        double[] e = new double[xs.length], de = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            e[i] = xs[i] * normalCdf(xs[i]);
            de[i] = normalCdf(xs[i]) + xs[i] * phi(xs[i]);
        }
        assertClose(e, y, 1e-11, 0);
        Ops.sum(y).backward();
        assertClose(de, x.grad(), 1e-11, 0);
    }

    @Test
    void geluEdgeValues() {
        Tensor x = Tensor.of(new double[]{0, 10, -10, 30, -30}, 5).requiresGrad(true);
        Tensor y = Ops.gelu(x);
        assertClose(new double[]{0, 10, -10 * normalCdf(-10), 30, -30 * normalCdf(-30)}, y, 1e-9, 0);
        assertTrue(y.get(4) < 0, "gelu(-30) is a tiny negative number, got " + y.get(4));
        Ops.sum(y).backward();
        assertClose(new double[]{0.5, 1, normalCdf(-10) - 10 * phi(-10), 1, normalCdf(-30) - 30 * phi(-30)}, x.grad(), 1e-9, 1e-300);
    }

    // ------------------------------------------------------------------ exp / log

    @Test
    void float32ExpOverflowsToInfinityWithInfiniteGradient() {
        Tensor x = Tensor.of(new float[]{89f, 88f}, 2).requiresGrad(true);
        Tensor y = Ops.exp(x);
        assertEquals(INF, y.get(0));
        assertClose(new double[]{(float) Math.exp(88)}, Ops.exp(Tensor.of(new float[]{88f}, 1)));
        y.backward(Tensor.ones(DType.FLOAT32, 2));
        assertEquals(INF, x.grad().get(0));
        assertTrue(Double.isFinite(x.grad().get(1)));
    }

    @Test
    void float64ExpOf89IsFinite() {
        assertClose(new double[]{Math.exp(89)}, Ops.exp(Tensor.of(new double[]{89}, 1)));
        assertEquals(INF, Ops.exp(Tensor.of(new double[]{710}, 1)).get(0));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void expEdgeValues(DType dtype) {
        Tensor x = of(dtype, new double[]{0, -0.0, INF, -INF, NAN, -1000}, 6).requiresGrad(dtype == DType.FLOAT64);
        Tensor y = Ops.exp(x);
        assertExact(new double[]{1, 1, INF, 0, NAN, 0}, y);
    }

    @Test
    void expGradientAtNegativeInfinityIsZero() {
        Tensor x = Tensor.of(new double[]{-INF}, 1).requiresGrad(true);
        Ops.sum(Ops.exp(x)).backward();
        assertExact(new double[]{0}, x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logOfZeroIsMinusInfinityWithGradientPlusInfinity(DType dtype) {
        Tensor x = of(dtype, new double[]{0.0}, 1).requiresGrad(dtype == DType.FLOAT64);
        Tensor y = Ops.log(x);
        assertExact(new double[]{-INF}, y);
        if (dtype == DType.FLOAT64) {
            y.backward(Tensor.ones(dtype, 1));
            assertExact(new double[]{INF}, x.grad());
        }
    }

    @Test
    void logOfNegativeZeroHasGradientMinusInfinity() {
        Tensor x = Tensor.of(new double[]{-0.0}, 1).requiresGrad(true);
        Tensor y = Ops.log(x);
        assertExact(new double[]{-INF}, y);
        y.backward(Tensor.ones(DType.FLOAT64, 1));
        assertExact(new double[]{-INF}, x.grad());
    }

    @Test
    void logOfNegativeIsNaNWithFiniteGradientGOverX() {
        Tensor x = Tensor.of(new double[]{-1.0, -4.0}, 2).requiresGrad(true);
        Tensor y = Ops.log(x);
        assertExact(new double[]{NAN, NAN}, y);
        y.backward(Tensor.of(new double[]{2.0, 2.0}, 2));
        assertExact(new double[]{-2.0, -0.5}, x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logOfInfinityAndNaN(DType dtype) {
        assertExact(new double[]{INF, NAN, 0}, Ops.log(of(dtype, new double[]{INF, NAN, 1}, 3)));
    }

    @Test
    void logGradientAtInfinityIsZero() {
        Tensor x = Tensor.of(new double[]{INF}, 1).requiresGrad(true);
        Ops.sum(Ops.log(x)).backward();
        assertExact(new double[]{0}, x.grad());
    }

    // ------------------------------------------------------------------ sqrt / abs / relu

    @Test
    void sqrtEdgeValues() {
        Tensor x = Tensor.of(new double[]{0, INF, -1, -0.0}, 4).requiresGrad(true);
        Tensor y = Ops.sqrt(x);
        assertExact(new double[]{0, INF, NAN, -0.0}, y);
        y.backward(Tensor.ones(DType.FLOAT64, 4));
        assertExact(new double[]{INF, 0, NAN, -INF}, x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void absEdgeValues(DType dtype) {
        Tensor x = of(dtype, new double[]{-0.0, 0.0, -INF, NAN, -2}, 5);
        assertExact(new double[]{0.0, 0.0, INF, NAN, 2}, Ops.abs(x));
    }

    @Test
    void absGradientIsZeroAtZeroAndSignElsewhere() {
        Tensor x = Tensor.of(new double[]{0.0, -0.0, -3, 2, -INF}, 5).requiresGrad(true);
        Ops.sum(Ops.abs(x)).backward();
        assertClose(new double[]{0, 0, -1, 1, -1}, x.grad(), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluEdgeValues(DType dtype) {
        Tensor x = of(dtype, new double[]{0, -0.0, -INF, INF, NAN, -1e-30, 1e-30}, 7);
        assertExact(new double[]{0, 0, 0, INF, NAN, 0, dtype.round(1e-30)}, Ops.relu(x));
    }

    @Test
    void reluGradientIsZeroAtZero() {
        Tensor x = Tensor.of(new double[]{0.0, -0.0, 1e-300, -1e-300, 2}, 5).requiresGrad(true);
        Ops.relu(x).backward(Tensor.of(new double[]{3, 3, 3, 3, 3}, 5));
        assertExact(new double[]{0, 0, 3, 0, 3}, x.grad());
    }

    // ------------------------------------------------------------------ sigmoid / tanh / softplus saturation

    @ParameterizedTest
    @EnumSource(DType.class)
    void sigmoidOfLargeMagnitudeIsExactlyOneOrZeroWithFiniteGradient(DType dtype) {
        Tensor x = of(dtype, new double[]{1000, -1000, INF, -INF}, 4).requiresGrad(dtype == DType.FLOAT64);
        Tensor y = Ops.sigmoid(x);
        assertExact(new double[]{1, 0, 1, 0}, y);
        if (dtype == DType.FLOAT64) {
            y.backward(Tensor.ones(dtype, 4));
            assertFinite(x.grad());
            assertExact(new double[]{0, 0, 0, 0}, x.grad());
        }
    }

    @Test
    void float32SigmoidGradientIsFiniteAtLargeInputs() {
        Tensor x = Tensor.of(new float[]{1000f, -1000f, 50f, -50f}, 4).requiresGrad(true);
        Ops.sigmoid(x).backward(Tensor.ones(DType.FLOAT32, 4));
        assertFinite(x.grad());
    }

    @Test
    void sigmoidOfModeratelyNegativeInputKeepsRelativeAccuracy() {
        // 1 - 1/(1+e^-x) would cancel; the op must return e^x/(1+e^x) ≈ e^-30 to full precision
        double y = Ops.sigmoid(Tensor.of(new double[]{-30}, 1)).get(0);
        assertEquals(Math.exp(-30) / (1 + Math.exp(-30)), y, 1e-15 * y);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void tanhSaturatesWithZeroGradient(DType dtype) {
        Tensor x = of(dtype, new double[]{1000, -1000, INF, -INF, -0.0}, 5).requiresGrad(dtype == DType.FLOAT64);
        Tensor y = Ops.tanh(x);
        assertExact(new double[]{1, -1, 1, -1, -0.0}, y);
        if (dtype == DType.FLOAT64) {
            y.backward(Tensor.ones(dtype, 5));
            assertExact(new double[]{0, 0, 0, 0, 1}, x.grad());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softplusAtLargeInputsIsLinearAndAtVeryNegativeInputsIsZero(DType dtype) {
        Tensor x = of(dtype, new double[]{1000, 25, 100, -1000, -INF, INF}, 6).requiresGrad(dtype == DType.FLOAT64);
        Tensor y = Ops.softplus(x);
        assertExact(new double[]{1000, 25, 100, 0, 0, INF}, y);
        if (dtype == DType.FLOAT64) {
            y.backward(Tensor.ones(dtype, 6));
            assertFinite(x.grad());
            assertExact(new double[]{1, 1, 1, 0, 0, 1}, x.grad());
        }
    }

    @Test
    void softplusJustBelowTheThresholdKeepsTheLogTerm() {
        Tensor y = Ops.softplus(Tensor.of(new double[]{19.0, -40}, 2));
        assertClose(new double[]{19.0 + Math.log1p(Math.exp(-19.0)), Math.exp(-40)}, y, 1e-15, 0);
        assertTrue(y.get(0) > 19.0);
    }

    // ------------------------------------------------------------------ clamp

    @ParameterizedTest
    @EnumSource(DType.class)
    void clampEdgeValues(DType dtype) {
        Tensor x = of(dtype, new double[]{-INF, -3, -1, 0.25, 1, 3, INF, NAN}, 8);
        assertExact(new double[]{-1, -1, -1, 0.25, 1, 1, 1, NAN}, Ops.clamp(x, -1, 1));
    }

    @Test
    void clampGradientPassesInsideAndAtTheBoundsAndIsZeroOutside() {
        Tensor x = Tensor.of(new double[]{-3, -1, 0.25, 1, 3}, 5).requiresGrad(true);
        Ops.clamp(x, -1, 1).backward(Tensor.of(new double[]{2, 2, 2, 2, 2}, 5));
        assertExact(new double[]{0, 2, 2, 2, 0}, x.grad());
    }

    @Test
    void clampWithEqualBoundsIsConstant() {
        assertExact(new double[]{0.5, 0.5}, Ops.clamp(Tensor.of(new double[]{-2, 2}, 2), 0.5, 0.5));
    }

    @Test
    void clampRejectsMinGreaterThanMax() {
        assertIllegalArgument(() -> Ops.clamp(Tensor.zeros(DType.FLOAT64, 2), 1, -1), "clamp", "1.0", "-1.0");
    }

    // ------------------------------------------------------------------ general

    @Test
    void unaryOpsPreserveShapeOfScalarsAnd3dTensors() {
        for (Fn fn : Fn.values()) {
            Tensor s = fn.op.apply(Tensor.scalar(0.5, DType.FLOAT32));
            assertShape(s);
            assertEquals(DType.FLOAT32, s.dtype());
            assertShape(fn.op.apply(Tensor.ones(DType.FLOAT64, 2, 1, 3)), 2, 1, 3);
        }
    }
}
