package dev.jgrad.train;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.ops.Ops;

/**
 * What a {@link Trainer} minimises and how it scores predictions: the loss of a batch of model outputs
 * against integer labels, and the number of correct predictions.
 *
 * <p>The trainer calls both inside the step's {@link dev.jgrad.core.Workspace} scope: the output tensor, and anything
 * computed from it, is valid only during the call. An implementation that keeps something across batches (say,
 * predictions for a confusion matrix) must copy it ({@link Tensor#copy()}, {@link Tensor#toDoubleArray()}); under the
 * trainer's default graph reuse a kept tensor would silently hold a later batch's values
 * ({@link Trainer.Builder#reuseGraph(boolean) reuseGraph(false)} makes such a use throw instead).
 */
public interface Objective {

    /** Mean loss of the batch (a scalar tensor). */
    Tensor loss(Tensor output, IntTensor labels);

    /** Number of correct predictions in the batch. */
    int correct(Tensor output, IntTensor labels);

    /** Name for logs. */
    String name();

    /**
     * Mean loss of a batch, the method the {@link Trainer} calls: by default {@link #loss(Tensor, IntTensor)} against
     * the batch's labels; a {@linkplain #regression() regression} objective uses the batch's
     * {@linkplain DataLoader.Batch#targets() targets}.
     */
    default Tensor loss(Tensor output, DataLoader.Batch batch) {
        return loss(output, batch.labels());
    }

    /** Number of correct predictions in a batch, the method the {@link Trainer} calls: by default against its labels. */
    default int correct(Tensor output, DataLoader.Batch batch) {
        return correct(output, batch.labels());
    }

    /**
     * Whether {@link #correct} scores predictions (true for classification). A regression objective counts nothing
     * correct (its accuracy columns are 0) and returns false, so logs leave the accuracy out; its quality is measured
     * by {@link RegressionMetrics}.
     */
    default boolean scoresAccuracy() {
        return true;
    }

    /**
     * Regression with the mean squared error {@code mean((output - target)²)} against the batch's float
     * {@linkplain DataLoader.Batch#targets() targets} {@code [B, K]} (a regression data set,
     * {@link dev.jgrad.data.Tabular#regression}); the model has {@code K} outputs.
     */
    static Objective regression() {
        return regression("mse", Losses::mseLoss);
    }

    /** Regression with the mean absolute error {@code mean(|output - target|)} ({@link Losses#l1Loss}); see {@link #regression()}. */
    static Objective l1() {
        return regression("l1", Losses::l1Loss);
    }

    /**
     * Regression with the Huber loss ({@link Losses#huberLoss}: quadratic within {@code delta} of the target, linear
     * beyond), mean over the elements; see {@link #regression()}.
     *
     * @param delta the threshold, {@code > 0}
     */
    static Objective huber(double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) throw new IllegalArgumentException("Objective huber: delta " + delta + " must be finite and > 0");
        return regression("huber[" + delta + "]", (out, t) -> Losses.huberLoss(out, t, dev.jgrad.losses.Reduction.MEAN, delta));
    }

    /**
     * A regression objective from a loss of the outputs and the batch's float targets (both {@code [B, K]}, checked
     * to agree): the loss is applied to the targets of a regression data set's batch, nothing counts as correct
     * ({@link #scoresAccuracy()} is false), and a batch without targets is refused.
     *
     * @param name the objective's name
     * @param loss the mean loss of outputs and targets (a scalar tensor)
     */
    static Objective regression(String name, java.util.function.BiFunction<Tensor, Tensor, Tensor> loss) {
        if (name == null || loss == null) throw new IllegalArgumentException("Objective.regression: name or loss is null");
        return new Objective() {
            public Tensor loss(Tensor out, IntTensor y) {
                throw new IllegalArgumentException("Objective " + name + ": a regression objective needs float targets (a batch of a "
                        + "regression data set), not class labels");
            }

            public int correct(Tensor out, IntTensor y) {
                return 0;
            }

            @Override
            public Tensor loss(Tensor out, DataLoader.Batch b) {
                Tensor t = b.targets();
                if (t == null) return loss(out, b.labels()); // throws: no targets
                if (!java.util.Arrays.equals(out.shape(), t.shape())) {
                    throw new IllegalArgumentException("Objective " + name + ": output " + java.util.Arrays.toString(out.shape()) + " and targets "
                            + java.util.Arrays.toString(t.shape()) + " differ in shape (the model needs one output per target)");
                }
                return loss.apply(out, t);
            }

            @Override
            public int correct(Tensor out, DataLoader.Batch b) {
                return 0;
            }

            @Override
            public boolean scoresAccuracy() {
                return false;
            }

            public String name() {
                return name;
            }
        };
    }

    /** Softmax cross-entropy with a stability strategy ({@link SoftmaxCrossEntropy#FUSED} is the default choice). */
    static Objective crossEntropy(SoftmaxCrossEntropy strategy) {
        CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(strategy).build();
        return new Objective() {
            public Tensor loss(Tensor out, IntTensor y) {
                return ce.apply(out, y);
            }

            public int correct(Tensor out, IntTensor y) {
                return argmaxCorrect(out, y);
            }

            public String name() {
                return "cross_entropy[" + strategy.name() + "]";
            }
        };
    }

    /** Mean squared error against one-hot targets (the quadratic cost, for comparison). */
    static Objective mseOneHot() {
        return new Objective() {
            public Tensor loss(Tensor out, IntTensor y) {
                return Losses.mseLoss(out, Ops.oneHot(y, out.size(-1), out.dtype()));
            }

            public int correct(Tensor out, IntTensor y) {
                return argmaxCorrect(out, y);
            }

            public String name() {
                return "mse_one_hot";
            }
        };
    }

    /** Binary classification with one logit per sample: {@code binary_cross_entropy_with_logits}; predicts 1 when the logit is &gt; 0. */
    static Objective binaryWithLogits() {
        return new Objective() {
            public Tensor loss(Tensor out, IntTensor y) {
                // the targets are an input of the loss, not an op's result: a heap tensor like any other input
                Tensor t = Tensor.zeros(out.dtype(), out.shape());
                for (int i = 0; i < y.numel(); i++) t.set(i, y.get(i));
                return Losses.binaryCrossEntropyWithLogits(out, t);
            }

            public int correct(Tensor out, IntTensor y) {
                int c = 0;
                for (int i = 0; i < y.numel(); i++) if ((out.get(i) > 0 ? 1 : 0) == y.get(i)) c++;
                return c;
            }

            public String name() {
                return "binary_cross_entropy_with_logits";
            }
        };
    }

    /**
     * Number of rows whose first maximal entry (scanning left to right, replacing the best only on a strict
     * {@code >}) is the label, read straight from the logits' storage: no graph, no copies.
     */
    static int argmaxCorrect(Tensor out, IntTensor y) {
        int c = out.size(-1), n = y.numel(), correct = 0;
        Storage s = out.storage();
        if (s instanceof Storage.F32 f) {
            float[] a = f.a;
            for (int i = 0, row = 0; i < n; i++, row += c) {
                int best = 0;
                float max = a[row];
                for (int k = 1; k < c; k++) {
                    if (a[row + k] > max) {
                        max = a[row + k];
                        best = k;
                    }
                }
                if (best == y.get(i)) correct++;
            }
        } else {
            double[] a = ((Storage.F64) s).a;
            for (int i = 0, row = 0; i < n; i++, row += c) {
                int best = 0;
                double max = a[row];
                for (int k = 1; k < c; k++) {
                    if (a[row + k] > max) {
                        max = a[row + k];
                        best = k;
                    }
                }
                if (best == y.get(i)) correct++;
            }
        }
        return correct;
    }
}
