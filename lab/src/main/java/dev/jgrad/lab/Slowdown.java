package dev.jgrad.lab;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.nn.optim.Sgd;

import java.util.List;

import static dev.jgrad.ops.Ops.add;
import static dev.jgrad.ops.Ops.mul;
import static dev.jgrad.ops.Ops.sigmoid;

/**
 * The learning-slowdown experiment: one sigmoid neuron {@code a = σ(w·x + b)} with input {@code x = 1} and target
 * {@code y = 0}, trained by gradient descent. With the quadratic cost {@code ½(a − y)²} the gradient carries the
 * factor {@code σ'(z) = a(1 − a)}, tiny when the neuron is saturated, so a badly wrong start learns slowly;
 * with cross-entropy {@code −[y ln a + (1 − y) ln(1 − a)]} that factor cancels and the gradient is {@code a − y}.
 * Both costs are built from jgrad's ops and differentiated by its autodiff.
 */
public final class Slowdown {
    private Slowdown() {
    }

    /** The cost function of a run. */
    public enum Cost {
        /** {@code ½(a − y)²} ({@link Losses#halfSumSquaredError}). */
        QUADRATIC,
        /** {@code −[y ln a + (1 − y) ln(1 − a)]}, as binary cross-entropy on the logit (stable). */
        CROSS_ENTROPY
    }

    /** The cost and output after each epoch of one run. */
    public record Run(Cost cost, double w0, double b0, double[] costs, double[] outputs) {
        /** The output after the last epoch. */
        public double finalOutput() {
            return outputs[outputs.length - 1];
        }
    }

    /**
     * Trains the neuron from {@code (w0, b0)} for {@code epochs} steps of gradient descent at rate {@code lr}
     * (input 1, target 0, float64). Entry {@code k} of the result is the cost and output after {@code k} steps
     * (entry 0 is the start).
     */
    public static Run run(Cost cost, double w0, double b0, double lr, int epochs) {
        Tensor w = Tensor.scalar(w0, DType.FLOAT64).requiresGrad(true);
        Tensor b = Tensor.scalar(b0, DType.FLOAT64).requiresGrad(true);
        Tensor x = Tensor.scalar(1.0, DType.FLOAT64), y = Tensor.scalar(0.0, DType.FLOAT64);
        Sgd opt = new Sgd(List.of(w, b), lr);
        double[] costs = new double[epochs + 1], outputs = new double[epochs + 1];
        for (int e = 0; e <= epochs; e++) {
            opt.zeroGrad();
            Tensor z = add(mul(w, x), b);
            Tensor c = cost == Cost.QUADRATIC ? Losses.halfSumSquaredError(sigmoid(z), y) : Losses.binaryCrossEntropyWithLogits(z, y);
            costs[e] = c.item();
            outputs[e] = 1 / (1 + Math.exp(-z.item()));
            if (e == epochs) break;
            c.backward();
            opt.step();
        }
        return new Run(cost, w0, b0, costs, outputs);
    }
}
