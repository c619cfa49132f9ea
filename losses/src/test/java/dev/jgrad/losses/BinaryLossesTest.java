package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Element-wise losses: binary_cross_entropy (with and without logits), mse_loss, soft_margin_loss, ½Σ(y-t)². */
class BinaryLossesTest {

    /** How a per-element factor ({@code weight} / {@code pos_weight}) is given. */
    enum Factor {
        NONE, FULL, PER_CLASS, SCALAR;

        Tensor make(long seed, DType dt) {
            switch (this) {
                case FULL: return uniform(seed, 0.2, 2.0, dt, N, C);
                case PER_CLASS: return uniform(seed, 0.2, 2.0, dt, C);
                case SCALAR: return Tensor.scalar(1.7, dt);
                default: return null;
            }
        }

        /** The factor at flat element {@code e} of an {@code [N, C]} input. */
        static double at(Tensor f, int e) {
            if (f == null) return 1;
            if (f.numel() == 1) return f.get(0);
            return f.get(e % f.numel());
        }
    }

    static final Reduction[] ELEMENTWISE_REDUCTIONS = {Reduction.NONE, Reduction.MEAN, Reduction.SUM};

    static double[] reduce(double[] per, Reduction r) {
        if (r == Reduction.NONE) return per;
        double s = 0;
        for (double v : per) s += v;
        return new double[]{r == Reduction.SUM ? s : s / per.length};
    }

    static Stream<Arguments> bceCombos() {
        List<Arguments> out = new ArrayList<>();
        for (Factor w : new Factor[]{Factor.NONE, Factor.FULL, Factor.PER_CLASS}) {
            for (Reduction r : ELEMENTWISE_REDUCTIONS) out.add(Arguments.of(w, r));
        }
        return out.stream();
    }

    static Stream<Arguments> bceWithLogitsCombos() {
        List<Arguments> out = new ArrayList<>();
        for (Factor w : new Factor[]{Factor.NONE, Factor.FULL, Factor.PER_CLASS, Factor.SCALAR}) {
            for (Factor pw : new Factor[]{Factor.NONE, Factor.PER_CLASS}) {
                for (Reduction r : ELEMENTWISE_REDUCTIONS) out.add(Arguments.of(w, pw, r));
            }
        }
        return out.stream();
    }

    // ------------------------------------------------------------------ binary_cross_entropy

    @ParameterizedTest(name = "weight={0} {1}")
    @MethodSource("bceCombos")
    void bceForwardMatchesDefinition(Factor wf, Reduction r) {
        Tensor p = uniform(41, 0.02, 0.98, F64, N, C), t = uniform(42, 0, 1, F64, N, C), w = wf.make(43, F64);
        double[] per = new double[N * C];
        for (int e = 0; e < per.length; e++) {
            double pe = p.get(e), te = t.get(e);
            per[e] = -Factor.at(w, e) * (te * Math.log(pe) + (1 - te) * Math.log(1 - pe));
        }
        Tensor out = Losses.binaryCrossEntropy(p, t, w, r);
        assertArrayEquals(r == Reduction.NONE ? new int[]{N, C} : new int[0], out.shape());
        assertClose("bce " + wf + " " + r, reduce(per, r), out.toDoubleArray(), 1e-13, 1e-15);
    }

    @ParameterizedTest(name = "weight={0} {1}")
    @MethodSource("bceCombos")
    void bceGradcheckInputAndTarget(Factor wf, Reduction r) {
        // probabilities strictly inside (0, 1), away from the 1e-12 gradient clamp
        Tensor p = uniform(44, 0.05, 0.95, F64, N, C).requiresGrad(true);
        Tensor t = uniform(45, 0.0, 1.0, F64, N, C).requiresGrad(true);
        Tensor w = wf.make(46, F64);
        gradcheck("bce " + wf + " " + r, in -> Losses.binaryCrossEntropy(in[0], in[1], w, r), p, t);
    }

    @Test
    void bceDefaultOverloadIsMean() {
        Tensor p = uniform(47, 0.1, 0.9, F64, N, C), t = uniform(48, 0, 1, F64, N, C);
        assertEquals(Losses.binaryCrossEntropy(p, t, null, Reduction.MEAN).item(), Losses.binaryCrossEntropy(p, t).item(), 0.0);
    }

    // ------------------------------------------------------------------ binary_cross_entropy_with_logits

    @ParameterizedTest(name = "weight={0} pos_weight={1} {2}")
    @MethodSource("bceWithLogitsCombos")
    void bceWithLogitsForwardMatchesDefinition(Factor wf, Factor pwf, Reduction r) {
        Tensor x = randn(51, F64, N, C).requiresGrad(false), t = uniform(52, 0, 1, F64, N, C);
        Tensor w = wf.make(53, F64), pw = pwf.make(54, F64);
        double[] per = new double[N * C];
        for (int e = 0; e < per.length; e++) {
            double xe = x.get(e), te = t.get(e), s = 1 / (1 + Math.exp(-xe));
            double pwe = Factor.at(pw, e);
            per[e] = -Factor.at(w, e) * (pwe * te * Math.log(s) + (1 - te) * Math.log(1 - s));
        }
        Tensor out = Losses.binaryCrossEntropyWithLogits(x, t, w, pw, r);
        assertClose("bce_with_logits " + wf + " " + pwf + " " + r, reduce(per, r), out.toDoubleArray(), 1e-12, 1e-14);
    }

    @ParameterizedTest(name = "weight={0} pos_weight={1} {2}")
    @MethodSource("bceWithLogitsCombos")
    void bceWithLogitsGradcheckInputAndTarget(Factor wf, Factor pwf, Reduction r) {
        Tensor x = randn(55, F64, N, C).requiresGrad(true);
        Tensor t = uniform(56, 0, 1, F64, N, C).requiresGrad(true);
        Tensor w = wf.make(57, F64), pw = pwf.make(58, F64);
        gradcheck("bce_with_logits " + wf + " " + pwf + " " + r, in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], w, pw, r), x, t);
    }

    @Test
    void bceWithLogitsEqualsBceOfSigmoid() {
        Tensor x = randn(59, F64, N, C), t = uniform(60, 0, 1, F64, N, C);
        Tensor p = dev.jgrad.ops.Ops.sigmoid(x);
        assertClose("bce(sigmoid) vs bce_with_logits", Losses.binaryCrossEntropy(p, t, null, Reduction.NONE),
                Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.NONE), 1e-12, 1e-14);
        assertEquals(Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.MEAN).item(),
                Losses.binaryCrossEntropyWithLogits(x, t).item(), 0.0);
    }

    @Test
    void bceWithLogitsIsStableAtHugeLogits() {
        // l(x=1000, t=0) = 1000 and l(-1000, t=1) = 1000 exactly; gradients σ(x) - t = ±1; l(±1000 on the right side) = 0
        for (DType dt : DType.values()) {
            Tensor x = Tensor.of(dt, new double[]{1000, -1000, 1000, -1000}).requiresGrad(true);
            Tensor t = Tensor.of(dt, new double[]{0, 1, 1, 0});
            Tensor out = Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.NONE);
            out.backward(Tensor.ones(dt, 4));
            assertClose(dt + " loss", new double[]{1000, 1000, 0, 0}, out.toDoubleArray(), 1e-7, 0);
            assertClose(dt + " grad", new double[]{1, -1, 0, 0}, x.grad().toDoubleArray(), 1e-7, 0);
        }
    }

    // ------------------------------------------------------------------ mse_loss and ½Σ

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void mseForwardAndGradcheck(Reduction r) {
        Tensor x = randn(61, F64, N, C).requiresGrad(true), t = randn(62, F64, N, C).requiresGrad(true);
        double[] per = new double[N * C];
        for (int e = 0; e < per.length; e++) per[e] = (x.get(e) - t.get(e)) * (x.get(e) - t.get(e));
        assertClose("mse " + r, reduce(per, r), Losses.mseLoss(x, t, r).toDoubleArray(), 1e-13, 1e-15);
        gradcheck("mse " + r, in -> Losses.mseLoss(in[0], in[1], r), x, t);
    }

    @Test
    void mseDefaultIsMeanAndHalfSumIsHalfTheSum() {
        Tensor x = randn(63, F64, 3, 5), t = randn(64, F64, 3, 5);
        assertEquals(Losses.mseLoss(x, t, Reduction.MEAN).item(), Losses.mseLoss(x, t).item(), 0.0);
        assertEquals(0.5 * Losses.mseLoss(x, t, Reduction.SUM).item(), Losses.halfSumSquaredError(x, t).item(), 1e-13);
        assertArrayEquals(new int[0], Losses.halfSumSquaredError(x, t).shape());
    }

    @Test
    void halfSumSquaredErrorGradcheckBothInputs() {
        Tensor y = randn(65, F64, 3, 5).requiresGrad(true), t = randn(66, F64, 3, 5).requiresGrad(true);
        gradcheck("halfSumSquaredError", in -> Losses.halfSumSquaredError(in[0], in[1]), y, t);
        // the gradient is exactly y - t (and t - y for the target)
        y.zeroGrad();
        t.zeroGrad();
        Losses.halfSumSquaredError(y, t).backward();
        for (int e = 0; e < 15; e++) {
            assertEquals(y.get(e) - t.get(e), y.grad().get(e), 1e-15);
            assertEquals(t.get(e) - y.get(e), t.grad().get(e), 1e-15);
        }
    }

    // ------------------------------------------------------------------ soft_margin_loss

    static Tensor plusMinusOne(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor y = Tensor.zeros(F64, shape);
        for (int e = 0; e < y.numel(); e++) y.set(e, r.nextBoolean() ? 1 : -1);
        return y;
    }

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void softMarginForwardAndGradcheck(Reduction r) {
        Tensor x = randn(71, F64, N, C).requiresGrad(true);
        Tensor y = plusMinusOne(72, N, C).requiresGrad(true);
        double[] per = new double[N * C];
        for (int e = 0; e < per.length; e++) per[e] = Math.log1p(Math.exp(-y.get(e) * x.get(e)));
        assertClose("soft_margin " + r, reduce(per, r), Losses.softMarginLoss(x, y, r).toDoubleArray(), 1e-13, 1e-15);
        gradcheck("soft_margin " + r, in -> Losses.softMarginLoss(in[0], in[1], r), x, y);
    }

    @Test
    void softMarginIsFiniteWherePytorchOverflows() {
        // -y·x = 1000 > 709.8: log(1 + e^1000) = 1000 (+ e^-1000); gradient -y·σ(1000) = -y
        Tensor x = Tensor.of(new double[]{-1000, 1000}).requiresGrad(true);
        Tensor y = Tensor.of(new double[]{1, -1});
        Tensor out = Losses.softMarginLoss(x, y, Reduction.NONE);
        out.backward(Tensor.ones(F64, 2));
        assertClose("loss", new double[]{1000, 1000}, out.toDoubleArray(), 1e-15, 0);
        assertClose("grad", new double[]{-1, 1}, x.grad().toDoubleArray(), 1e-15, 0);
        assertEquals(Losses.softMarginLoss(x, y, Reduction.MEAN).item(), Losses.softMarginLoss(x, y).item(), 0.0);
    }
}
