package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Recycled loss nodes in a {@link Workspace#reusingGraph() graph-reusing workspace} take this call's parameters: a
 * node used with one reduction, weight, base or target convention in one scope computes the next scope's values and
 * gradients with the new ones, exactly as on the heap. Every loss node with a parameter is here.
 */
class GraphReuseLossesTest {

    /** Value, input gradient (of the sum of the outputs, weighted) and output shape of {@code f} at {@code x}. */
    private static double[][] run(Function<Tensor, Tensor> f, double[] x, int[] shape) {
        Tensor in = Tensor.of(x, shape).requiresGrad(true);
        Tensor y = f.apply(in);
        double[] w = new double[y.numel()];
        for (int i = 0; i < w.length; i++) w[i] = 0.5 + 0.25 * (i % 5);
        Ops.sum(Ops.mul(y, Tensor.of(w, y.shape()))).backward();
        return new double[][]{y.toDoubleArray(), in.grad().toDoubleArray(), java.util.Arrays.stream(y.shape()).asDoubleStream().toArray()};
    }

    @Test
    void recycledLossNodesUseTheParametersOfTheirNewCall() {
        SplittableRandom r = new SplittableRandom(7);
        int[] shape = {3, 4};
        double[] p = new double[12];
        for (int i = 0; i < p.length; i++) p[i] = r.nextDouble(0.05, 0.95);
        Tensor t = Tensor.of(new double[]{1, 0, 0.25, 1, 0, 0, 0.5, 1, 1, 0.75, 0, 0}, 3, 4);
        Tensor weight = Tensor.of(new double[]{0.5, 2, 1, 3}, 4), posWeight = Tensor.of(new double[]{2, 1, 0.5, 4}, 4);
        IntTensor labels = IntTensor.of(2, 0, 3);
        List<List<Function<Tensor, Tensor>>> pairs = List.of(
                List.of(x -> Losses.mseLoss(x, t, Reduction.MEAN), x -> Losses.mseLoss(x, t, Reduction.NONE)),
                List.of(x -> Losses.mseLoss(x, t, Reduction.SUM), x -> Losses.mseLoss(x, t, Reduction.MEAN)),
                List.of(x -> Losses.binaryCrossEntropy(x, t, weight, Reduction.SUM), x -> Losses.binaryCrossEntropy(x, t, null, Reduction.MEAN)),
                List.of(x -> Losses.binaryCrossEntropyWithLogits(x, t, weight, posWeight, Reduction.NONE),
                        x -> Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.SUM)),
                List.of(x -> Losses.softMarginLoss(x, t, Reduction.SUM), x -> Losses.softMarginLoss(x, t, Reduction.NONE)),
                List.of(x -> Losses.klDiv(x, t, Reduction.BATCHMEAN, false), x -> Losses.klDiv(x, t, Reduction.SUM, true)),
                List.of(x -> Losses.entropy(x, Math.E), x -> Losses.entropy(x, 2)),
                List.of(x -> Losses.nllLoss(x, labels, weight, 3, Reduction.MEAN), x -> Losses.nllLoss(x, labels, null, -100, Reduction.NONE)));
        for (List<Function<Tensor, Tensor>> pair : pairs) {
            double[][][] heap = new double[2][][];
            for (int k = 0; k < 2; k++) heap[k] = run(pair.get(k), p, shape);
            Workspace ws = Workspace.reusingGraph();
            for (int scope = 0; scope < 6; scope++) {
                int k = scope % 2;
                try (Workspace s = ws.open()) {
                    double[][] got = run(pair.get(k), p, shape);
                    assertArrayEquals(heap[k][0], got[0], 0.0, "value, setting " + k + ", scope " + scope);
                    assertArrayEquals(heap[k][1], got[1], 0.0, "gradient, setting " + k + ", scope " + scope);
                    assertArrayEquals(heap[k][2], got[2], 0.0, "shape, setting " + k + ", scope " + scope);
                }
            }
        }
    }

    @Test
    void aLossNodeIsRecycledInAGraphReusingWorkspace() {
        Tensor x = Tensor.of(new double[]{0.2, 0.7}, 2).requiresGrad(true), t = Tensor.of(new double[]{0, 1}, 2);
        Workspace ws = Workspace.reusingGraph();
        dev.jgrad.core.Function first;
        try (Workspace s = ws.open()) {
            first = Losses.mseLoss(x, t).gradFn();
        }
        try (Workspace s = ws.open()) {
            assertSame(first, Losses.mseLoss(x, t, Reduction.SUM).gradFn());
        }
    }

    /**
     * The class-index losses validate their targets into one per-thread staging object that each node copies: two
     * losses built before either backward keep their own targets, weights and reduction (fused and via NLL), exactly
     * as each computed alone.
     */
    @Test
    void lossesBuiltBeforeEitherBackwardKeepTheirOwnTargets() {
        SplittableRandom r = new SplittableRandom(11);
        double[] a = new double[12], b = new double[12];
        for (int i = 0; i < 12; i++) {
            a[i] = r.nextDouble(-3, 3);
            b[i] = r.nextDouble(-3, 3);
        }
        IntTensor ta = IntTensor.of(0, 3, 1), tb = IntTensor.of(2, 2, 0);
        Tensor w = Tensor.of(new double[]{0.5, 2, 1, 3}, 4);
        for (SoftmaxCrossEntropy strategy : List.of(SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT)) {
            CrossEntropyLoss la = CrossEntropyLoss.builder().strategy(strategy).build();
            CrossEntropyLoss lb = CrossEntropyLoss.builder().strategy(strategy).weight(w).reduction(Reduction.SUM).build();
            double[][] aloneA = run(x -> la.apply(x, ta), a, new int[]{3, 4});
            double[][] aloneB = run(x -> lb.apply(x, tb), b, new int[]{3, 4});
            Tensor xa = Tensor.of(a, 3, 4).requiresGrad(true), xb = Tensor.of(b, 3, 4).requiresGrad(true);
            Tensor ya = la.apply(xa, ta), yb = lb.apply(xb, tb); // both built, then one backward through both
            Ops.add(Ops.mul(ya, 0.5), Ops.mul(yb, 0.5)).backward();
            assertArrayEquals(aloneA[0], ya.toDoubleArray(), 0.0, strategy + " first loss");
            assertArrayEquals(aloneB[0], yb.toDoubleArray(), 0.0, strategy + " second loss");
            assertArrayEquals(aloneA[1], xa.grad().toDoubleArray(), 0.0, strategy + " first gradient");
            assertArrayEquals(aloneB[1], xb.grad().toDoubleArray(), 0.0, strategy + " second gradient");
        }
    }
}
