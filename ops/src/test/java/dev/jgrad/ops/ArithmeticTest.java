package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.awayFrom;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.positive;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** add, sub, mul, div (with broadcasting), the scalar overloads, rsub, neg and pow. */
class ArithmeticTest {

    /** The four broadcasting binary ops with their plain-Java reference. */
    enum Bin {
        ADD("add", Ops::add, (x, y) -> x + y),
        SUB("sub", Ops::sub, (x, y) -> x - y),
        MUL("mul", Ops::mul, (x, y) -> x * y),
        DIV("div", Ops::div, (x, y) -> x / y);

        final String label;
        final BinaryOperator<Tensor> op;
        final DoubleBinaryOperator ref;

        Bin(String label, BinaryOperator<Tensor> op, DoubleBinaryOperator ref) {
            this.label = label;
            this.op = op;
            this.ref = ref;
        }
    }

    /** Broadcast cases (left shape, right shape) named as in the project standard. */
    static final int[][][] BROADCAST_CASES = {
            {{2, 3}, {2, 3}},        // same shape
            {{2, 3}, {}},            // scalar on the right
            {{}, {2, 3}},            // scalar on the left
            {{2, 3}, {3}},           // row vector over matrix
            {{3}, {2, 3}},           // row vector on the left
            {{2, 3}, {2, 1}},        // column vector [N,1] over [N,C]
            {{2, 1, 3}, {4, 1}},     // general trailing-dimension rule -> [2,4,3]
            {{3, 1}, {1, 4}},        // both sides broadcast -> [3,4]
    };

    static Stream<Arguments> opsAndShapes() {
        List<Arguments> args = new ArrayList<>();
        for (Bin op : Bin.values()) {
            for (int[][] c : BROADCAST_CASES) args.add(Arguments.of(op, c[0], c[1]));
        }
        return args.stream();
    }

    // ------------------------------------------------------------------ gradcheck

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("opsAndShapes")
    void binaryOpPassesGradcheckWithBroadcasting(Bin op, int[] sa, int[] sb) {
        Tensor a = randn64(11, sa);
        Tensor b = randn64(12, sb);
        if (op == Bin.DIV) awayFrom(b, 0.0, 0.5);
        GradCheck.assertGradients(in -> op.op.apply(in[0], in[1]), a, b);
    }

    @ParameterizedTest
    @EnumSource(Bin.class)
    void binaryOpPassesGradcheckWithSameTensorOnBothSides(Bin op) {
        Tensor a = awayFrom(randn64(13, 3, 2), 0.0, 0.5);
        GradCheck.assertGradients(in -> op.op.apply(in[0], in[0]), a);
    }

    @Test
    void constantOverloadsPassGradcheck() {
        Tensor a = awayFrom(randn64(14, 2, 3), 0.0, 0.5);
        GradCheck.assertGradients(in -> Ops.add(in[0], 2.5), a);
        GradCheck.assertGradients(in -> Ops.sub(in[0], 2.5), a);
        GradCheck.assertGradients(in -> Ops.rsub(2.5, in[0]), a);
        GradCheck.assertGradients(in -> Ops.mul(in[0], -1.5), a);
        GradCheck.assertGradients(in -> Ops.div(in[0], -1.5), a);
        GradCheck.assertGradients(in -> Ops.neg(in[0]), a);
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 3.0, 0.5, -1.5, 1.0, 2.7})
    void powPassesGradcheckOnPositiveInputs(double p) {
        Tensor a = positive(randn64(15, 2, 3), 0.3);
        GradCheck.assertGradients(in -> Ops.pow(in[0], p), a);
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 3.0, -2.0})
    void powWithIntegerExponentPassesGradcheckOnNegativeInputs(double p) {
        Tensor a = randn64(16, 2, 3);
        awayFrom(a, 0.0, 0.3);
        GradCheck.assertGradients(in -> Ops.pow(in[0], p), a);
    }

    @Test
    void broadcastGradientIsSummedOverBroadcastDimensions() {
        // d/db sum(a * b) for b [3] broadcast over a [2,3] is the column sums of a
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new double[]{1, 1, 1}, 3).requiresGrad(true);
        Ops.sum(Ops.mul(a, b)).backward();
        assertExact(new double[]{5, 7, 9}, b.grad());

        // [2,1] column over [2,3]: row sums
        Tensor c = Tensor.of(new double[]{1, 1}, 2, 1).requiresGrad(true);
        Ops.sum(Ops.mul(a, c)).backward();
        assertExact(new double[]{6, 15}, c.grad());
        assertShape(c.grad(), 2, 1);
    }

    @Test
    void scalarTensorOperandGetsTheSumOfTheGradient() {
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor s = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
        Ops.sum(Ops.sub(a, s)).backward();
        assertShape(s.grad());
        assertEquals(-6.0, s.grad().item());
    }

    // ------------------------------------------------------------------ forward values

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndDtypes")
    void sameShapeForwardMatchesJavaArithmetic(Bin op, DType dtype) {
        Tensor a = randn(21, dtype, 2, 3);
        Tensor b = awayFrom(randn(22, dtype, 2, 3), 0.0, 0.25);
        Tensor y = op.op.apply(a, b);
        assertShape(y, 2, 3);
        assertEquals(dtype, y.dtype());
        double[] e = new double[6];
        for (int i = 0; i < 6; i++) e[i] = op.ref.applyAsDouble(a.get(i), b.get(i));
        assertClose(e, y);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndDtypes")
    void scalarBroadcastForwardMatchesJavaArithmetic(Bin op, DType dtype) {
        Tensor a = randn(23, dtype, 2, 3);
        Tensor s = Tensor.scalar(-1.75, dtype);
        Tensor left = op.op.apply(a, s), right = op.op.apply(s, a);
        assertShape(left, 2, 3);
        assertShape(right, 2, 3);
        double[] el = new double[6], er = new double[6];
        for (int i = 0; i < 6; i++) {
            el[i] = op.ref.applyAsDouble(a.get(i), -1.75);
            er[i] = op.ref.applyAsDouble(-1.75, a.get(i));
        }
        assertClose(el, left);
        assertClose(er, right);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndDtypes")
    void rowVectorBroadcastsOverMatrixRows(Bin op, DType dtype) {
        Tensor a = randn(24, dtype, 2, 3);
        Tensor r = of(dtype, new double[]{0.5, -2, 4}, 3);
        Tensor y = op.op.apply(a, r);
        assertShape(y, 2, 3);
        double[] e = new double[6];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) e[i * 3 + j] = op.ref.applyAsDouble(a.get(i * 3 + j), r.get(j));
        assertClose(e, y);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndDtypes")
    void columnVectorBroadcastsOverMatrixColumns(Bin op, DType dtype) {
        Tensor a = randn(25, dtype, 3, 4);
        Tensor c = of(dtype, new double[]{0.5, -2, 4}, 3, 1);
        Tensor y = op.op.apply(a, c);
        assertShape(y, 3, 4);
        double[] e = new double[12];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) e[i * 4 + j] = op.ref.applyAsDouble(a.get(i * 4 + j), c.get(i));
        assertClose(e, y);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("opsAndDtypes")
    void trailingDimensionRuleBroadcasts213With41To243(Bin op, DType dtype) {
        Tensor a = randn(26, dtype, 2, 1, 3);
        Tensor b = awayFrom(randn(27, dtype, 4, 1), 0.0, 0.25);
        Tensor y = op.op.apply(a, b);
        assertShape(y, 2, 4, 3);
        double[] e = new double[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++) e[(i * 4 + j) * 3 + k] = op.ref.applyAsDouble(a.get(i * 3 + k), b.get(j));
        assertClose(e, y);
        Tensor z = op.op.apply(b, a); // the same rule with the operands swapped
        assertShape(z, 2, 4, 3);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++) e[(i * 4 + j) * 3 + k] = op.ref.applyAsDouble(b.get(j), a.get(i * 3 + k));
        assertClose(e, z);
    }

    static Stream<Arguments> opsAndDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (Bin op : Bin.values()) for (DType d : DType.values()) args.add(Arguments.of(op, d));
        return args.stream();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void constantOverloadsComputeTheExpectedValues(DType dtype) {
        Tensor a = of(dtype, new double[]{-1.5, 0.25, 3}, 3);
        assertClose(new double[]{1.0, 2.75, 5.5}, Ops.add(a, 2.5));
        assertClose(new double[]{-4.0, -2.25, 0.5}, Ops.sub(a, 2.5));
        assertClose(new double[]{4.0, 2.25, -0.5}, Ops.rsub(2.5, a));
        assertClose(new double[]{3.0, -0.5, -6.0}, Ops.mul(a, -2.0));
        assertClose(new double[]{-0.75, 0.125, 1.5}, Ops.div(a, 2.0));
        assertClose(new double[]{1.5, -0.25, -3}, Ops.neg(a));
        assertEquals(dtype, Ops.rsub(2.5, a).dtype());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void powMatchesMathPow(DType dtype) {
        Tensor a = of(dtype, new double[]{0.3, 1.7, 2.0, 4.5}, 4);
        for (double p : new double[]{2, 3, 0.5, -1.5, 0, 1}) {
            double[] e = new double[4];
            for (int i = 0; i < 4; i++) e[i] = Math.pow(a.get(i), p);
            assertClose(e, Ops.pow(a, p));
        }
    }

    @Test
    void powGradientMatchesClosedForm() {
        Tensor a = Tensor.of(new double[]{0.5, 2.0, -3.0}, 3).requiresGrad(true);
        Ops.sum(Ops.pow(a, 3)).backward();
        assertClose(new double[]{3 * 0.25, 3 * 4.0, 3 * 9.0}, a.grad());
    }

    // ------------------------------------------------------------------ edge values

    @ParameterizedTest
    @EnumSource(DType.class)
    void divisionByZeroFollowsIeee(DType dtype) {
        Tensor a = of(dtype, new double[]{1, -1, 0, 1}, 4);
        Tensor b = of(dtype, new double[]{0, 0, 0, -0.0}, 4);
        assertExact(new double[]{Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY},
                Ops.div(a, b));
    }

    @Test
    void divisionByZeroGradientIsInfiniteForTheNumerator() {
        Tensor a = Tensor.of(new double[]{2.0}, 1).requiresGrad(true);
        Tensor b = Tensor.of(new double[]{0.0}, 1);
        Ops.sum(Ops.div(a, b)).backward();
        assertEquals(Double.POSITIVE_INFINITY, a.grad().get(0));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void infinitiesAndNaNPropagateThroughArithmetic(DType dtype) {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        Tensor a = of(dtype, new double[]{inf, inf, 0, nan, -inf}, 5);
        Tensor b = of(dtype, new double[]{-inf, 1, inf, 1, 2}, 5);
        assertExact(new double[]{nan, inf, inf, nan, -inf}, Ops.add(a, b));
        assertExact(new double[]{inf, inf, -inf, nan, -inf}, Ops.sub(a, b));
        assertExact(new double[]{-inf, inf, nan, nan, -inf}, Ops.mul(a, b));
        assertExact(new double[]{nan, inf, 0, nan, -inf}, Ops.div(a, b));
    }

    @Test
    void mulGradientOfZeroTimesInfinityIsNaNAsInIeee() {
        Tensor a = Tensor.of(new double[]{0.0}, 1).requiresGrad(true);
        Tensor b = Tensor.of(new double[]{Double.POSITIVE_INFINITY}, 1).requiresGrad(true);
        Tensor y = Ops.mul(a, b);
        assertTrue(Double.isNaN(y.get(0)));
        y.backward(Tensor.ones(DType.FLOAT64, 1));
        assertEquals(Double.POSITIVE_INFINITY, a.grad().get(0)); // g·b
        assertEquals(0.0, b.grad().get(0));                      // g·a
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void negativeZeroIsPreserved(DType dtype) {
        Tensor z = of(dtype, new double[]{0.0, -0.0}, 2);
        assertExact(new double[]{-0.0, 0.0}, Ops.neg(z));
        assertExact(new double[]{-0.0, 0.0}, Ops.mul(z, -1.0));
        assertExact(new double[]{0.0, -0.0}, Ops.mul(z, 1.0));
        assertExact(new double[]{0.0, 0.0}, Ops.add(z, 0.0)); // -0 + +0 = +0
    }

    @Test
    void float32ResultOverflowsAtTheOpBoundary() {
        Tensor a = Tensor.of(new float[]{3e38f, -3e38f}, 2);
        Tensor y = Ops.add(a, a);
        assertExact(new double[]{Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, y);
        Tensor d = Tensor.of(new double[]{3e38, -3e38}, 2);
        assertClose(new double[]{6e38, -6e38}, Ops.add(d, d));
    }

    @Test
    void float32ResultIsRoundedOnceFromTheDoubleResult() {
        Tensor a = Tensor.of(new float[]{1f}, 1), b = Tensor.of(new float[]{3f}, 1);
        assertEquals((double) (1f / 3f), Ops.div(a, b).get(0));
    }

    @Test
    void powEdgeValuesAtZero() {
        Tensor z = Tensor.of(new double[]{0.0, 0.0, 0.0}, 3).requiresGrad(true);
        Tensor half = Ops.pow(z, 0.5);
        assertExact(new double[]{0, 0, 0}, half);
        half.backward(Tensor.ones(DType.FLOAT64, 3));
        assertExact(new double[]{Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}, z.grad());

        Tensor w = Tensor.of(new double[]{0.0, Double.NaN}, 2).requiresGrad(true);
        Tensor p0 = Ops.pow(w, 0);
        assertExact(new double[]{1, 1}, p0); // x^0 = 1, also for NaN (IEEE pow)
        p0.backward(Tensor.ones(DType.FLOAT64, 2));
        assertExact(new double[]{0, 0}, w.grad()); // p == 0 gives 0, not 0·x^-1 = NaN/inf

        Tensor q = Tensor.of(new double[]{0.0}, 1).requiresGrad(true);
        Ops.sum(Ops.pow(q, 2)).backward();
        assertEquals(0.0, q.grad().get(0));
    }

    @Test
    void powOfNegativeBaseWithFractionalExponentIsNaN() {
        assertTrue(Double.isNaN(Ops.pow(Tensor.of(new double[]{-8.0}, 1), 1.0 / 3).get(0)));
    }

    // ------------------------------------------------------------------ errors

    @ParameterizedTest
    @EnumSource(Bin.class)
    void broadcastFailureNamesTheOpAndBothShapes(Bin op) {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3), b = Tensor.zeros(DType.FLOAT64, 4);
        assertIllegalArgument(() -> op.op.apply(a, b), op.label, "[2, 3]", "[4]");
        Tensor c = Tensor.zeros(DType.FLOAT64, 3, 2);
        assertIllegalArgument(() -> op.op.apply(a, c), op.label, "[2, 3]", "[3, 2]");
    }

    @Test
    void broadcastFailureInTheGeneralRuleNamesBothShapes() {
        Tensor a = Tensor.zeros(DType.FLOAT32, 2, 2, 3), b = Tensor.zeros(DType.FLOAT32, 4, 1);
        assertIllegalArgument(() -> Ops.mul(a, b), "mul", "[2, 2, 3]", "[4, 1]");
    }

    @ParameterizedTest
    @EnumSource(Bin.class)
    void mixedDtypesAreRejected(Bin op) {
        Tensor a = Tensor.ones(DType.FLOAT32, 2), b = Tensor.ones(DType.FLOAT64, 2);
        assertIllegalArgument(() -> op.op.apply(a, b), "mixed dtypes", "float32", "float64");
        assertIllegalArgument(() -> op.op.apply(b, a), "mixed dtypes");
    }

    @Test
    void nullOperandIsRejected() {
        assertIllegalArgument(() -> Ops.add(Tensor.ones(DType.FLOAT64, 2), (Tensor) null), "null");
    }

    // ------------------------------------------------------------------ graph recording

    @Test
    void noGradScopeRecordsNoGraph() {
        Tensor a = randn64(31, 2);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor y = Ops.mul(a, a);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        assertTrue(Ops.mul(a, a).requiresGrad());
    }

    @Test
    void constantOperandReceivesNoGradient() {
        Tensor a = randn64(32, 3);
        Tensor c = Tensor.of(new double[]{1, 2, 3}, 3);
        Ops.sum(Ops.mul(a, c)).backward();
        assertNull(c.grad());
        assertExact(new double[]{1, 2, 3}, a.grad());
    }

    /** Wide shapes, so float32 takes the vectorised layouts (full, row, per-row column, scalar) on both sides. */
    static Stream<Arguments> wideLayouts() {
        int[][][] cases = {{{5, 37}, {5, 37}}, {{5, 37}, {37}}, {{37}, {5, 37}}, {{5, 37}, {5, 1}}, {{5, 1}, {5, 37}},
                {{5, 37}, {1}}, {{1}, {5, 37}}, {{2, 3, 40}, {40}}, {{2, 3, 40}, {2, 3, 1}}};
        List<Arguments> args = new ArrayList<>();
        for (Bin op : Bin.values()) for (int[][] c : cases) args.add(Arguments.of(op, c[0], c[1]));
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("wideLayouts")
    void vectorisedLayoutsMatchFloat64InFloat32(Bin op, int[] sa, int[] sb) {
        Tensor a64 = randn64(21, sa), b64 = randn64(22, sb);
        if (op == Bin.DIV) awayFrom(b64, 0.0, 0.5);
        Tensor a32 = a64.to(DType.FLOAT32).requiresGrad(true), b32 = b64.to(DType.FLOAT32).requiresGrad(true);
        Tensor a64r = a32.to(DType.FLOAT64).requiresGrad(true), b64r = b32.to(DType.FLOAT64).requiresGrad(true);
        Tensor y32 = op.op.apply(a32, b32), y64 = op.op.apply(a64r, b64r);
        // forward: one double operation rounded once == the float32 result, exactly
        for (int i = 0; i < y32.numel(); i++) {
            assertEquals((float) y64.get(i), (float) y32.get(i), op + " forward at " + i);
        }
        Tensor g64 = randn64(23, y64.shape());
        y64.backward(g64);
        y32.backward(g64.to(DType.FLOAT32));
        assertClose(a64r.grad().toDoubleArray(), a32.grad(), 1e-5, 1e-5);
        assertClose(b64r.grad().toDoubleArray(), b32.grad(), 1e-5, 1e-5);
    }
}
