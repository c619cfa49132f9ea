package dev.jgrad.losses.reliability;

import dev.jgrad.core.AnomalyMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anomaly mode, one test per kind of op: inside {@code try (var a = AnomalyMode.enable())} the first op that turns
 * finite values into NaN/±inf (forward) or a finite upstream gradient into a non-finite one (backward) throws an
 * {@link AnomalyMode.AnomalyException} naming the op, its input shapes and dtypes, and the creation site (this
 * class); with anomaly mode off the very same calls return the non-finite values silently, as in PyTorch.
 */
class AnomalyModeCatalogueTest {
    private static final String SITE = AnomalyModeCatalogueTest.class.getName();

    @AfterEach
    void anomalyModeIsOffAgain() {
        assertFalse(AnomalyMode.isEnabled(), "an anomaly scope leaked out of a test");
    }

    /**
     * Runs {@code call} with anomaly mode on and checks the exception's message, then with it off and checks that
     * the result is returned (non-finite, no exception).
     *
     * @param phase    "forward" or "backward"
     * @param op       the op's name as the engine reports it
     * @param inputs   the inputs' shapes and dtypes as the message lists them
     * @param call     builds the tensors afresh and runs the computation, returning the tensor to inspect
     */
    private static void assertAnomaly(String phase, String op, String inputs, Supplier<Tensor> call) {
        AnomalyMode.AnomalyException e;
        try (var a = AnomalyMode.enable()) {
            assertTrue(AnomalyMode.isEnabled());
            e = assertThrows(AnomalyMode.AnomalyException.class, call::get);
        }
        String m = e.getMessage();
        assertTrue(m.contains(phase + " of " + op + " produced"), m);
        assertTrue(m.contains(inputs), "message does not list the inputs " + inputs + ": " + m);
        assertTrue(m.contains("created at " + SITE), "message does not name the creation site " + SITE + ": " + m);
        assertTrue(e instanceof IllegalStateException);

        // anomaly mode off: PyTorch semantics, the non-finite values come back silently
        assertFalse(AnomalyMode.isEnabled());
        Tensor r = call.get();
        assertNotNull(r);
        assertTrue(hasNonFinite(r), "with anomaly mode off the result should carry the non-finite value: " + r);
    }

    private static boolean hasNonFinite(Tensor t) {
        for (int i = 0; i < t.numel(); i++) if (!Double.isFinite(t.get(i))) return true;
        return false;
    }

    private static Tensor leaf(Tensor t) {
        return t.requiresGrad(true);
    }

    // ------------------------------------------------------------------ forward anomalies, by kind of op

    @Test
    void pointwiseLogOfZeroIsMinusInfinity() {
        assertAnomaly("forward", "Log", "[3] float64", () -> Ops.log(leaf(Tensor.of(new double[] {1, 0, 2}))));
        Tensor y = Ops.log(Tensor.of(new double[] {1, 0, 2}));
        assertEquals(Double.NEGATIVE_INFINITY, y.get(1));
    }

    @Test
    void binaryDivisionByZero() {
        assertAnomaly("forward", "Div", "[2, 2] float32, [2] float32",
                () -> Ops.div(leaf(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)), Tensor.of(new float[] {1, 0})));
        Tensor y = Ops.div(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new float[] {1, 0}));
        assertEquals(Double.POSITIVE_INFINITY, y.get(1));
    }

    @Test
    void expOverflowsInFloat32() {
        // e^100 ≈ 2.7e43 is finite in float64 but beyond float32's 3.4e38
        assertAnomaly("forward", "Exp", "[3] float32", () -> Ops.exp(leaf(Tensor.of(new float[] {0, 50, 100}))));
        assertEquals(Double.POSITIVE_INFINITY, Ops.exp(Tensor.of(new float[] {0, 50, 100})).get(2));
        assertTrue(Double.isFinite(Ops.exp(Tensor.of(new double[] {0, 50, 100})).get(2)), "float64 does not overflow at 100");
    }

    @Test
    void powOfZeroToANegativeExponent() {
        assertAnomaly("forward", "Pow", "[4] float64", () -> Ops.pow(leaf(Tensor.of(new double[] {2, 1, 0, 4})), -1.0));
        assertEquals(Double.POSITIVE_INFINITY, Ops.pow(Tensor.of(new double[] {2, 1, 0, 4}), -1.0).get(2));
    }

    @Test
    void powOfANegativeBaseToAFractionalExponentIsNaN() {
        assertAnomaly("forward", "Pow", "[2] float64", () -> Ops.pow(leaf(Tensor.of(new double[] {4, -4})), 0.5));
        assertTrue(Double.isNaN(Ops.pow(Tensor.of(new double[] {4, -4}), 0.5).get(1)));
    }

    @Test
    void matmulOfHugeValuesOverflows() {
        // (1e20 · 1e20) · 2 = 2e40 > float32 max: every output element overflows
        assertAnomaly("forward", "MatMul", "[2, 2] float32, [2, 2] float32",
                () -> Ops.matmul(leaf(Tensor.full(1e20, FLOAT32, 2, 2)), Tensor.full(1e20, FLOAT32, 2, 2)));
        assertEquals(Double.POSITIVE_INFINITY, Ops.matmul(Tensor.full(1e20, FLOAT32, 2, 2), Tensor.full(1e20, FLOAT32, 2, 2)).get(0));
    }

    @Test
    void linearOfHugeValuesOverflows() {
        assertAnomaly("forward", "Linear", "[1, 2] float64, [3, 2] float64, [3] float64",
                () -> Ops.linear(leaf(Tensor.full(1e200, FLOAT64, 1, 2)), Tensor.full(1e200, FLOAT64, 3, 2), Tensor.zeros(FLOAT64, 3)));
    }

    @Test
    void sumReductionOverflowsInFloat32() {
        // each element is finite; the float32 sum 3·2e38 is not
        assertAnomaly("forward", "Sum", "[3] float32", () -> Ops.sum(leaf(Tensor.full(2e38, FLOAT32, 3))));
    }

    @Test
    void naiveCrossEntropyAtLogitsOf1e3InFloat32() {
        // NAIVE forms exp(x) first: e^1000 = inf, so the anomaly is reported at its Exp node (the creation site is this
        // class, since frames inside the losses and ops packages are skipped)
        CrossEntropyLoss naive = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build();
        IntTensor y = IntTensor.of(1, 2);
        Supplier<Tensor> logits = () -> Tensor.of(new float[] {1000, 0, -5, 3, 1000, 2}, 2, 3).requiresGrad(true);
        assertAnomaly("forward", "Exp", "[2, 3] float32", () -> naive.apply(logits.get(), y));
        Tensor loss = naive.apply(logits.get(), y);
        assertEquals(Double.POSITIVE_INFINITY, loss.item(), "NAIVE cross-entropy at 1e3 is +inf with anomaly mode off");

        // the fused default computes the same loss exactly, and anomaly mode stays silent through forward and backward
        try (var a = AnomalyMode.enable()) {
            Tensor x = logits.get();
            Tensor fused = Losses.crossEntropy(x, y);
            fused.backward();
            assertTrue(Double.isFinite(fused.item()) && fused.item() > 900, "fused loss " + fused.item());
            for (int i = 0; i < 6; i++) assertTrue(Double.isFinite(x.grad().get(i)));
        }
    }

    @Test
    void maxShiftCrossEntropyUnderflowsToLogOfZero() {
        // MAX_SHIFT: softmax is finite, but the target's probability e^-1000 underflows to 0 and log(0) = -inf
        CrossEntropyLoss maxShift = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.MAX_SHIFT).build();
        assertAnomaly("forward", "Log", "[1, 2] float32",
                () -> maxShift.apply(Tensor.of(new float[] {1000, 0}, 1, 2).requiresGrad(true), IntTensor.of(1)));
    }

    @Test
    void lossNodeItselfOverflowsInFloat32() {
        // a finite float32 input and target whose squared difference (6e38)² overflows the float32 loss
        assertAnomaly("forward", "mse_loss", "[2] float32, [2] float32",
                () -> Losses.mseLoss(leaf(Tensor.of(new float[] {3e38f, 0})), Tensor.of(new float[] {-3e38f, 0}), Reduction.SUM));
        assertAnomaly("forward", "nll_loss", "[2, 3] float32",
                () -> Losses.nllLoss(leaf(Tensor.full(-3e38, FLOAT32, 2, 3)), IntTensor.of(0, 2), null, -100, Reduction.SUM));
    }

    // ------------------------------------------------------------------ backward anomalies

    @Test
    void sqrtAtZeroHasAnInfiniteGradient() {
        Supplier<Tensor> graph = () -> {
            Tensor x = Tensor.of(new double[] {4, 0, 9}).requiresGrad(true);
            Tensor loss = Ops.sum(Ops.sqrt(x)); // forward is finite: 2 + 0 + 3
            loss.backward();
            return x.grad();
        };
        assertAnomaly("backward", "Sqrt", "[3] float64", graph);
        assertEquals(Double.POSITIVE_INFINITY, graph.get().get(1));
    }

    @Test
    void powWithAFractionalExponentAtZeroHasAnInfiniteGradient() {
        Supplier<Tensor> graph = () -> {
            Tensor x = Tensor.of(new float[] {0, 1}).requiresGrad(true);
            Ops.sum(Ops.pow(x, 0.5)).backward();
            return x.grad();
        };
        assertAnomaly("backward", "Pow", "[2] float32", graph);
    }

    @Test
    void divisionBackwardOverflowsFromATinyDenominator() {
        // forward 1/1e-200 = 1e200 is finite; the gradient -a/b² = -1e400 is not
        Supplier<Tensor> graph = () -> {
            Tensor a = Tensor.of(new double[] {1}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {1e-200}).requiresGrad(true);
            Ops.sum(Ops.div(a, b)).backward();
            return b.grad();
        };
        assertAnomaly("backward", "Div", "[1] float64, [1] float64", graph);
    }

    // ------------------------------------------------------------------ what anomaly mode does not report

    @Test
    void nonFiniteInputsPropagateWithoutAReport() {
        try (var a = AnomalyMode.enable()) {
            // the NaN came from outside (here: the data), not from an op, so there is nothing to blame
            Tensor y = Ops.exp(Tensor.of(new double[] {Double.NaN, 1}).requiresGrad(true));
            assertTrue(Double.isNaN(y.get(0)));
            Tensor z = Ops.log(Tensor.of(new double[] {Double.POSITIVE_INFINITY}));
            assertEquals(Double.POSITIVE_INFINITY, z.get(0));
        }
    }

    @Test
    void stableOpsStayQuietAtExtremeScales() {
        // log_softmax / logsumexp at ±1e300 (where exp overflows) are finite in both passes, so nothing is reported
        try (var a = AnomalyMode.enable()) {
            Tensor x = Tensor.of(new double[] {1e300, -1e300, 0, 7e299}, 2, 2).requiresGrad(true);
            Tensor lsm = Ops.logSoftmax(x, -1);
            Tensor lse = Ops.logSumExp(x, -1, false);
            Ops.add(Ops.sum(Ops.mul(lsm, 1e-300)), Ops.sum(lse)).backward();
            assertFalse(hasNonFinite(lsm), lsm.toString());
            assertFalse(hasNonFinite(lse), lse.toString());
            assertFalse(hasNonFinite(x.grad()), x.grad().toString());
        }
    }
}
