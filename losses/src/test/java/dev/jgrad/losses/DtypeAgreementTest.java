package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.CLASS_WEIGHT;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.probabilityRows;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.roundedToF32;
import static dev.jgrad.losses.LossTestSupport.run;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every loss runs in float32 and float64: on the same (float32-representable) inputs the float32 result and
 * gradients agree with the float64 ones within float32 tolerance, and carry the float32 dtype.
 */
class DtypeAgreementTest {

    interface LossFn {
        Tensor apply(DType dt, Tensor[] in);
    }

    record Case(String name, Supplier<Tensor[]> inputs, LossFn loss, double rtol) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Tensor w(DType dt) {
        return Tensor.of(dt, CLASS_WEIGHT);
    }

    static Tensor[] g(Tensor... t) {
        for (Tensor x : t) x.requiresGrad(true);
        return t;
    }

    static final IntTensor TARGET = IntTensor.of(0, -100, 1, 2, 3, 1);

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        double single = 1e-5, composite = 1e-4;
        for (Reduction r : new Reduction[]{Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
            c.add(new Case("cross_entropy index weight ignore ls " + r, () -> g(randn(1, F64, N, C)),
                    (dt, in) -> Losses.crossEntropy(in[0], TARGET, w(dt), -100, r, 0.1), single));
            c.add(new Case("cross_entropy probs weight ls " + r, () -> g(randn(2, F64, N, C), uniform(3, 0, 1, F64, N, C)),
                    (dt, in) -> Losses.crossEntropy(in[0], in[1], w(dt), r, 0.1), single));
            c.add(new Case("nll_loss weight " + r, () -> g(randn(4, F64, N, C)),
                    (dt, in) -> Losses.nllLoss(in[0], TARGET, w(dt), -100, r), single));
            c.add(new Case("binary_cross_entropy weight[C] " + r, () -> g(uniform(5, 0.05, 0.95, F64, N, C), uniform(6, 0, 1, F64, N, C)),
                    (dt, in) -> Losses.binaryCrossEntropy(in[0], in[1], w(dt), r), single));
            c.add(new Case("bce_with_logits weight pos_weight " + r, () -> g(randn(7, F64, N, C), uniform(8, 0, 1, F64, N, C)),
                    (dt, in) -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], uniform(9, 0.5, 2, dt, N, C), w(dt), r), single));
            c.add(new Case("mse_loss " + r, () -> g(randn(10, F64, N, C), randn(11, F64, N, C)),
                    (dt, in) -> Losses.mseLoss(in[0], in[1], r), single));
            c.add(new Case("soft_margin_loss " + r, () -> g(randn(12, F64, N, C), BinaryLossesTest.plusMinusOne(13, N, C)),
                    (dt, in) -> Losses.softMarginLoss(in[0], in[1], r), single));
            c.add(new Case("multi_positive " + r, () -> g(randn(14, F64, N, C)),
                    (dt, in) -> Losses.multiPositiveCrossEntropy(in[0], Ops.oneHot(IntTensor.of(0, 1, 2, 3, 0, 1), C, dt), r), single));
        }
        for (Reduction r : Reduction.values()) {
            c.add(new Case("kl_div " + r, () -> g(Ops.logSoftmax(randn(15, F64, N, C), -1).detach(), probabilityRows(16, F64, N, C)),
                    (dt, in) -> Losses.klDiv(in[0], in[1], r, false), single));
            c.add(new Case("kl_div log_target " + r, () -> g(randn(17, F64, N, C), randn(18, F64, N, C)),
                    (dt, in) -> Losses.klDiv(in[0], in[1], r, true), single));
        }
        c.add(new Case("entropy nats", () -> g(uniform(19, 0.05, 1, F64, N, C)), (dt, in) -> Losses.entropy(in[0]), single));
        c.add(new Case("entropy bits", () -> g(uniform(20, 0.05, 1, F64, N, C)), (dt, in) -> Losses.entropy(in[0], 2), single));
        c.add(new Case("cross_entropy(p, q)", () -> g(uniform(21, 0.05, 1, F64, N, C), uniform(22, 0.05, 1, F64, N, C)),
                (dt, in) -> Losses.crossEntropyBetween(in[0], in[1]), single));
        c.add(new Case("half_sum_squared_error", () -> g(randn(23, F64, N, C), randn(24, F64, N, C)),
                (dt, in) -> Losses.halfSumSquaredError(in[0], in[1]), single));
        for (SoftmaxCrossEntropy s : StrategiesTest.allStrategies()) {
            c.add(new Case("strategy " + s, () -> g(randn(25, F64, N, C)),
                    (dt, in) -> CrossEntropyLoss.builder().strategy(s).weight(w(dt)).labelSmoothing(0.1).build().apply(in[0], TARGET), composite));
            c.add(new Case("strategy " + s + " probs", () -> g(randn(26, F64, N, C), uniform(27, 0, 1, F64, N, C)),
                    (dt, in) -> CrossEntropyLoss.builder().strategy(s).reduction(Reduction.NONE).build().apply(in[0], in[1]), composite));
        }
        for (BinaryStrategy s : StrategiesTest.binaryStrategies()) {
            c.add(new Case("binary strategy " + s, () -> g(randn(28, F64, N, C)),
                    (dt, in) -> s.loss(in[0], StrategiesTest.zeroOneTargets(29, dt, N, C)), composite));
        }
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32AgreesWithFloat64(Case k) {
        Tensor[] raw = k.inputs().get();
        Tensor[] in64 = new Tensor[raw.length], in32 = new Tensor[raw.length];
        for (int i = 0; i < raw.length; i++) {
            in64[i] = roundedToF32(raw[i]).requiresGrad(raw[i].requiresGrad());
            in32[i] = raw[i].to(F32).requiresGrad(raw[i].requiresGrad());
        }
        LossTestSupport.Run r64 = run(in -> k.loss().apply(F64, in), in64);
        LossTestSupport.Run r32 = run(in -> k.loss().apply(F32, in), in32);
        assertEquals(F64, r64.out().dtype());
        assertEquals(F32, r32.out().dtype());
        assertClose(k + " output", r64.out(), r32.out(), k.rtol(), 1e-6);
        for (int i = 0; i < raw.length; i++) {
            if (r64.grad(i) == null) continue;
            assertEquals(F32, r32.grad(i).dtype());
            assertClose(k + " grad " + i, r64.grad(i), r32.grad(i), k.rtol(), 1e-6);
        }
    }
}
