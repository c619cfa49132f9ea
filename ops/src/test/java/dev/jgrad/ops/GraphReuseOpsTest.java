package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Recycled op nodes in a {@link Workspace#reusingGraph() graph-reusing workspace} take this call's parameters: a
 * node used with one exponent, bound, dimension, index, shape or bias setting in one scope computes the next scope's
 * values and gradients with the new ones, exactly as on the heap. Every op with a parameter is here.
 */
class GraphReuseOpsTest {

    /** Value, input gradient (of the sum of the outputs, weighted) and output shape of {@code f} at {@code x}. */
    private static double[][] run(Function<Tensor, Tensor> f, double[] x, int[] shape) {
        Tensor in = Tensor.of(x, shape).requiresGrad(true);
        Tensor y = f.apply(in);
        Tensor w = Tensor.of(weights(y.numel()), y.shape());
        Ops.sum(Ops.mul(y, w)).backward();
        return new double[][]{y.toDoubleArray(), in.grad().toDoubleArray(), java.util.Arrays.stream(y.shape()).asDoubleStream().toArray()};
    }

    private static double[] weights(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 + 0.25 * (i % 5);
        return w;
    }

    @Test
    void recycledNodesUseTheParametersOfTheirNewCall() {
        SplittableRandom r = new SplittableRandom(4);
        double[] x = new double[12];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble(0.1, 2.0) * (i % 3 == 0 ? -1 : 1);
        double[] xPos = x.clone();
        for (int i = 0; i < xPos.length; i++) xPos[i] = Math.abs(xPos[i]);
        int[] shape = {3, 4};
        Tensor w = Tensor.randn(r, DType.FLOAT64, 5, 4), b = Tensor.randn(r, DType.FLOAT64, 5);
        // each pair: the same op class, two different parameter settings, alternated over the scopes
        List<List<Function<Tensor, Tensor>>> pairs = List.of(
                List.of(t -> Ops.pow(t, 2.0), t -> Ops.pow(t, 3.0)),
                List.of(t -> Ops.clamp(t, -0.5, 0.5), t -> Ops.clamp(t, 0.0, 1.5)),
                List.of(t -> Ops.softplus(t, 1.0, 20.0), t -> Ops.softplus(t, 3.0, 2.0)),
                List.of(t -> Ops.softmax(t, 1), t -> Ops.logSoftmax(t, 0)),
                List.of(t -> Ops.softmax(t, 1), t -> Ops.softmax(t, 0)),
                List.of(t -> Ops.logSoftmax(t, 0), t -> Ops.logSoftmax(t, -1)),
                List.of(t -> Ops.linear(t, w, b), t -> Ops.linear(t, w, null)),
                List.of(t -> Ops.relu(t), t -> Ops.exp(t)),
                List.of(t -> Ops.sum(t, 0, true), t -> Ops.sum(t, 1, false)),
                List.of(t -> Ops.sum(t, 1, true), t -> Ops.sum(t)),
                List.of(t -> Ops.max(t, 0, false), t -> Ops.max(t, 1, true)),
                List.of(t -> Ops.logSumExp(t, 0, true), t -> Ops.logSumExp(t, 1, false)),
                List.of(t -> Ops.reshape(t, 4, 3), t -> Ops.reshape(t, -1)),
                List.of(t -> Ops.cat(0, t, t), t -> Ops.cat(1, t, t)),
                List.of(t -> Ops.gather(t, dev.jgrad.core.IntTensor.of(new int[]{0, 3, 3, 1, 2, 2}, 3, 2)),
                        t -> Ops.gather(t, dev.jgrad.core.IntTensor.of(new int[]{1, 0, 2}, 3, 1))),
                List.of(t -> Ops.indexSelect(t, 0, dev.jgrad.core.IntTensor.of(new int[]{2, 0}, 2)),
                        t -> Ops.indexSelect(t, 1, dev.jgrad.core.IntTensor.of(new int[]{3, 3, 1}, 3))));
        for (List<Function<Tensor, Tensor>> pair : pairs) {
            double[][][] heap = new double[2][][];
            for (int k = 0; k < 2; k++) heap[k] = run(pair.get(k), pair.get(0) == pairs.get(0).get(0) ? xPos : x, shape);
            Workspace ws = Workspace.reusingGraph();
            for (int scope = 0; scope < 6; scope++) {
                int k = scope % 2;
                try (Workspace s = ws.open()) {
                    double[][] got = run(pair.get(k), pair.get(0) == pairs.get(0).get(0) ? xPos : x, shape);
                    assertArrayEquals(heap[k][0], got[0], 0.0, "value, setting " + k + ", scope " + scope);
                    assertArrayEquals(heap[k][1], got[1], 0.0, "gradient, setting " + k + ", scope " + scope);
                    assertArrayEquals(heap[k][2], got[2], 0.0, "shape, setting " + k + ", scope " + scope);
                }
            }
        }
    }
}
