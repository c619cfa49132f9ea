package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.roundedToF32;
import static dev.jgrad.losses.LossTestSupport.run;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The element-wise losses of part 2 ({@code l1}, {@code smooth_l1}, {@code huber}, {@code margin_ranking},
 * {@code cosine_embedding}, {@code poisson_nll}, {@code gaussian_nll}) and the broadcasting of {@code mse_loss} and of
 * BCE's {@code weight} / {@code pos_weight}: float64 gradchecks (every operand, broadcast ones included), float32
 * against float64, hand-computed values and PyTorch's edge semantics. PyTorch's own values: the conformance cases
 * {@code elementwise_losses.json}.
 */
class ElementwiseLossesTest {
    private static final Reduction[] ALL = {Reduction.NONE, Reduction.MEAN, Reduction.SUM};

    private static Tensor leaf(Tensor t) {
        return t.requiresGrad(true);
    }

    /** Values whose differences with {@code t} below stay clear of every kink used in these tests. */
    private static Tensor spread(DType dt, int... shape) {
        int n = dev.jgrad.core.Shape.numel(shape);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = -2.3 + 0.61 * i + (i % 2 == 0 ? 0.07 : 0);
        return Tensor.of(dt, d, shape);
    }

    @Test
    void gradcheckEveryNewLossWithBroadcastOperands() {
        for (Reduction r : ALL) {
            gradcheck("l1 " + r, in -> Losses.l1Loss(in[0], in[1], r), leaf(spread(F64, 3, 4)), leaf(uniform(1, 0.01, 0.05, F64, 4)));
            gradcheck("smooth_l1 " + r, in -> Losses.smoothL1Loss(in[0], in[1], r, 0.9), leaf(spread(F64, 3, 4)), leaf(uniform(2, 0.01, 0.05, F64, 3, 1)));
            gradcheck("smooth_l1 beta 0 " + r, in -> Losses.smoothL1Loss(in[0], in[1], r, 0.0), leaf(spread(F64, 2, 3)), leaf(uniform(3, 0.01, 0.05, F64, 3)));
            gradcheck("huber " + r, in -> Losses.huberLoss(in[0], in[1], r, 1.3), leaf(spread(F64, 3, 4)), leaf(uniform(4, 0.01, 0.05, F64, 1, 4)));
            gradcheck("mse " + r, in -> Losses.mseLoss(in[0], in[1], r), leaf(randn(5, F64, 4, 1)), leaf(randn(6, F64, 1, 3)));
            gradcheck("margin_ranking " + r, in -> Losses.marginRankingLoss(in[0], in[1], in[2], 0.4, r),
                    leaf(spread(F64, 2, 3)), leaf(uniform(7, 0.01, 0.05, F64, 1, 3)), leaf(Tensor.of(new double[]{1, -1}, 2, 1)));
            gradcheck("cosine_embedding " + r, in -> Losses.cosineEmbeddingLoss(in[0], in[1], Tensor.of(new double[]{1, -1, -1, 1, 0}, 5), -0.95, r),
                    leaf(randn(8, F64, 5, 3)), leaf(randn(9, F64, 5, 3)));
            gradcheck("cosine_embedding 1-D " + r, in -> Losses.cosineEmbeddingLoss(in[0], in[1], Tensor.scalar(-1.0, F64), -0.95, r),
                    leaf(randn(10, F64, 4)), leaf(randn(11, F64, 4)));
            gradcheck("poisson log full " + r, in -> Losses.poissonNllLoss(in[0], in[1], true, true, 1e-8, r),
                    leaf(randn(12, F64, 2, 3)), leaf(Tensor.of(new double[]{0.4, 1.6, 3.2}, 3)));
            gradcheck("poisson full " + r, in -> Losses.poissonNllLoss(in[0], in[1], false, true, 1e-8, r),
                    leaf(uniform(13, 0.3, 2, F64, 2, 3)), leaf(Tensor.of(new double[]{0.4, 1.6, 3.2, 2.2, 0.7, 5.5}, 2, 3)));
            gradcheck("gaussian " + r, in -> Losses.gaussianNllLoss(in[0], in[1], in[2], false, 1e-6, r),
                    leaf(randn(14, F64, 3, 2)), leaf(randn(15, F64, 2)), leaf(uniform(16, 0.2, 2, F64, 3, 1)));
            gradcheck("gaussian homoscedastic " + r, in -> Losses.gaussianNllLoss(in[0], in[1], in[2], true, 1e-6, r),
                    leaf(randn(17, F64, 3, 2)), leaf(randn(18, F64, 3, 2)), leaf(uniform(19, 0.2, 2, F64, 3)));
        }
    }

    @Test
    void bceWeightsBroadcastByTheFullRulesAndAreDifferentiated() {
        Tensor p = uniform(20, 0.1, 0.9, F64, 2, 3, 4), t = uniform(21, 0, 1, F64, 2, 3, 4);
        for (Reduction r : ALL) {
            gradcheck("bce weight [3, 1] " + r, in -> Losses.binaryCrossEntropy(in[0], in[1], in[2], r),
                    leaf(p.copy()), leaf(t.copy()), leaf(uniform(22, 0.3, 2, F64, 3, 1)));
            gradcheck("bce_with_logits weight [2, 1, 1], pos_weight [3, 1] " + r,
                    in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], in[2], in[3], r),
                    leaf(randn(23, F64, 2, 3, 4)), leaf(t.copy()), leaf(uniform(24, 0.3, 2, F64, 2, 1, 1)), leaf(uniform(25, 0.3, 3, F64, 3, 1)));
            gradcheck("bce_with_logits pos_weight only [4] " + r, in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], null, in[2], r),
                    leaf(randn(26, F64, 2, 3, 4)), leaf(t.copy()), leaf(uniform(27, 0.3, 3, F64, 4)));
        }
        // the broadcast weight equals the same weight expanded to the input's shape
        Tensor w = uniform(28, 0.3, 2, F64, 3, 1);
        Tensor wide = Ops.expand(w, 2, 3, 4).copy();
        assertClose("weight [3, 1] vs expanded", Losses.binaryCrossEntropy(p, t, wide, Reduction.NONE), Losses.binaryCrossEntropy(p, t, w, Reduction.NONE), 0, 0);
        Tensor x = randn(29, F64, 2, 3, 4);
        assertClose("pos_weight [3, 1] vs expanded", Losses.binaryCrossEntropyWithLogits(x, t, null, wide, Reduction.NONE),
                Losses.binaryCrossEntropyWithLogits(x, t, null, w, Reduction.NONE), 0, 0);
    }

    @Test
    void mseBroadcastsAndSumsEachGradientToItsOperand() {
        Tensor x = randn(30, F64, 4, 3).requiresGrad(true), t = randn(31, F64, 3).requiresGrad(true);
        Tensor l = Losses.mseLoss(x, t, Reduction.MEAN);
        l.backward();
        assertArrayEquals(new int[]{3}, t.grad().shape());
        double[] expectT = new double[3];
        double expectL = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                double d = x.get(i * 3 + j) - t.get(j);
                expectL += d * d / 12;
                expectT[j] += -2 * d / 12;
                assertEquals(2 * d / 12, x.grad().get(i * 3 + j), 1e-15);
            }
        }
        assertEquals(expectL, l.item(), 1e-15);
        assertClose("target grad", expectT, t.grad().toDoubleArray(), 1e-13, 1e-15);
        // input smaller than target: the output takes the broadcast shape
        assertArrayEquals(new int[]{2, 3}, Losses.mseLoss(randn(32, F64, 3), randn(33, F64, 2, 3), Reduction.NONE).shape());
    }

    @Test
    void float32AgreesWithFloat64OnTheSameValues() {
        Function<Tensor[], Tensor>[] losses = losses();
        for (Function<Tensor[], Tensor> f : losses) {
            Tensor a = randn(40, F32, 3, 4), b = uniform(41, 0.2, 2, F32, 1, 4), c = uniform(42, 0.2, 2, F32, 3, 1);
            LossTestSupport.Run r32 = run(f, a.requiresGrad(true), b.requiresGrad(true), c.requiresGrad(true));
            LossTestSupport.Run r64 = run(f, leaf(roundedToF32(a)), leaf(roundedToF32(b)), leaf(roundedToF32(c)));
            assertEquals(F32, r32.out().dtype());
            assertClose("output", r64.out(), r32.out().to(F64), 2e-6, 1e-6);
            for (int i = 0; i < 3; i++) {
                if (r64.grad(i) == null) {
                    assertNull(r32.grad(i));
                    continue;
                }
                assertClose("grad " + i, r64.grad(i), r32.grad(i).to(F64), 2e-6, 1e-6);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<Tensor[], Tensor>[] losses() {
        return new Function[]{
            (Function<Tensor[], Tensor>) in -> Losses.l1Loss(in[0], in[1], Reduction.NONE),
            (Function<Tensor[], Tensor>) in -> Losses.smoothL1Loss(in[0], in[1], Reduction.MEAN, 0.5),
            (Function<Tensor[], Tensor>) in -> Losses.huberLoss(in[0], in[1], Reduction.SUM, 0.5),
            (Function<Tensor[], Tensor>) in -> Losses.marginRankingLoss(in[0], in[1], in[2], 0.1, Reduction.NONE),
            (Function<Tensor[], Tensor>) in -> Losses.cosineEmbeddingLoss(in[0], Ops.mul(in[2], in[1]), Tensor.of(in[0].dtype(), new double[]{1, -1, 1}, 3), 0.0, Reduction.NONE),
            (Function<Tensor[], Tensor>) in -> Losses.poissonNllLoss(in[0], in[1], true, true, 1e-8, Reduction.MEAN),
            (Function<Tensor[], Tensor>) in -> Losses.poissonNllLoss(in[2], in[1], false, false, 1e-8, Reduction.NONE),
            (Function<Tensor[], Tensor>) in -> Losses.gaussianNllLoss(in[0], in[1], in[2], true, 1e-6, Reduction.NONE),
        };
    }

    @Test
    void handComputedValues() {
        Tensor x = Tensor.of(new double[]{0.5, -3, 2}, 3), t = Tensor.of(new double[]{0, 0, 0}, 3);
        assertClose("smooth_l1", new double[]{0.125, 2.5, 1.5}, Losses.smoothL1Loss(x, t, Reduction.NONE, 1.0).toDoubleArray(), 1e-15, 0);
        assertClose("huber 2", new double[]{0.125, 4, 2}, Losses.huberLoss(x, t, Reduction.NONE, 2.0).toDoubleArray(), 1e-15, 0);
        assertClose("smooth_l1 beta 0 = l1", Losses.l1Loss(x, t, Reduction.NONE), Losses.smoothL1Loss(x, t, Reduction.NONE, 0.0), 0, 0);
        // huber(δ) = δ·smooth_l1(β = δ)
        Tensor h = Losses.huberLoss(randn(50, F64, 7), randn(51, F64, 7), Reduction.NONE, 0.6);
        Tensor s = Losses.smoothL1Loss(randn(50, F64, 7), randn(51, F64, 7), Reduction.NONE, 0.6);
        assertClose("huber vs smooth_l1", Ops.mul(s, 0.6), h, 1e-15, 1e-16);
        assertEquals(Math.max(0, -(-1) * (1.0 - 2.0) + 0.5), Losses.marginRankingLoss(Tensor.scalar(1.0, F64), Tensor.scalar(2.0, F64), Tensor.scalar(-1.0, F64), 0.5, Reduction.MEAN).item(), 0);
        // cosine: the zero row gets c = 0 (EPSILON in the norms), a label other than ±1 gives 0
        Tensor c = Losses.cosineEmbeddingLoss(Tensor.of(new double[]{0, 0, 3, 4, 1, 0}, 3, 2), Tensor.of(new double[]{1, 0, 4, 3, 1, 0}, 3, 2),
                Tensor.of(new double[]{1, 1, 2}, 3), 0.0, Reduction.NONE);
        assertClose("cosine", new double[]{1, 1 - 24.0 / 25, 0}, c.toDoubleArray(), 1e-12, 0);
        // Poisson: Stirling only where t > 1
        Tensor pt = Tensor.of(new double[]{1, 3}, 2), px = Tensor.of(new double[]{0.5, 0.5}, 2);
        double st = 3 * Math.log(3) - 3 + 0.5 * Math.log(2 * Math.PI * 3);
        assertClose("poisson full", new double[]{Math.exp(0.5) - 0.5, Math.exp(0.5) - 1.5 + st},
                Losses.poissonNllLoss(px, pt, true, true, 1e-8, Reduction.NONE).toDoubleArray(), 1e-15, 0);
        // Gaussian: var below eps clamped
        Tensor g = Losses.gaussianNllLoss(Tensor.of(new double[]{1}, 1), Tensor.of(new double[]{0}, 1), Tensor.of(new double[]{0}, 1), false, 0.01, Reduction.SUM);
        assertEquals(0.5 * (Math.log(0.01) + 100), g.item(), 1e-12);
    }

    @Test
    void pyTorchEdgeSemantics() {
        // l1: sign(NaN) = 0 in the gradient; smooth_l1 with beta 0 gives -1 at a tie (PyTorch's branch order)
        Tensor x = Tensor.of(new double[]{Double.NaN, 1}, 2).requiresGrad(true), t = Tensor.of(new double[]{0, 1}, 2).requiresGrad(true);
        Losses.l1Loss(x, t, Reduction.SUM).backward();
        assertClose("l1 dx", new double[]{0, 0}, x.grad().toDoubleArray(), 0, 0);
        x.zeroGrad();
        t.zeroGrad();
        Losses.smoothL1Loss(x, t, Reduction.SUM, 0.0).backward();
        assertClose("smooth_l1 beta 0 dx", new double[]{Double.NaN, -1}, x.grad().toDoubleArray(), 0, 0);
        assertClose("smooth_l1 beta 0 dt", new double[]{Double.NaN, -1}, t.grad().toDoubleArray(), 0, 0);
        // margin ranking: the gradient passes at a zero hinge, and a NaN difference reaches the target's gradient
        Tensor a = Tensor.of(new double[]{1, Double.NaN}, 2).requiresGrad(true), b = Tensor.of(new double[]{1, 0}, 2).requiresGrad(true);
        Tensor y = Tensor.of(new double[]{1, 1}, 2).requiresGrad(true);
        Losses.marginRankingLoss(a, b, y, 0.0, Reduction.SUM).backward();
        assertClose("mr da", new double[]{-1, 0}, a.grad().toDoubleArray(), 0, 0);
        assertClose("mr dy", new double[]{0, Double.NaN}, y.grad().toDoubleArray(), 0, 0);
        // Poisson full: the masked Stirling term still gives NaN target gradients for t <= 0
        Tensor pt = Tensor.of(new double[]{0, -1, 0.5, 2}, 4).requiresGrad(true);
        Losses.poissonNllLoss(Tensor.of(new double[]{1, 1, 1, 1}, 4), pt, true, true, 1e-8, Reduction.SUM).backward();
        assertClose("poisson dt", new double[]{Double.NaN, Double.NaN, -1, -1 + Math.log(2) + 0.25}, pt.grad().toDoubleArray(), 1e-15, 0);
        // Gaussian: the clamp of var is not differentiated
        Tensor v = Tensor.of(new double[]{0}, 1).requiresGrad(true);
        Losses.gaussianNllLoss(Tensor.of(new double[]{1}, 1), Tensor.of(new double[]{0}, 1), v, false, 0.5, Reduction.SUM).backward();
        assertEquals(0.5 * (1 / 0.5 - 1 / 0.25), v.grad().item(), 0);
        // kl_div batchmean of a 0-d input: not divided (PyTorch 1.13)
        Tensor in = Tensor.scalar(-1.2, F64), p = Tensor.scalar(0.4, F64);
        assertEquals(Losses.klDiv(in, p, Reduction.SUM, false).item(), Losses.klDiv(in, p, Reduction.BATCHMEAN, false).item(), 0);
        // empty: mean is NaN, sum 0
        assertTrue(Double.isNaN(Losses.l1Loss(Tensor.zeros(F64, 0, 3), Tensor.zeros(F64, 0, 3)).item()));
        assertEquals(0, Losses.huberLoss(Tensor.zeros(F64, 0), Tensor.zeros(F64, 0), Reduction.SUM, 1).item());
    }
}
