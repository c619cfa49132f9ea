package dev.jgrad.spark;

import dev.jgrad.core.DType;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.train.Architecture;
import dev.jgrad.train.Objective;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * The options of one training run, small and serializable so that Spark ships them to every task, where they rebuild
 * the same network, optimizer, objective and schedule with jgrad's own classes ({@link Architecture},
 * {@link Adam}/{@link Sgd}, {@link Objective}, {@link LrSchedule}) — the same choices as {@code ./jgrad train}.
 *
 * @param model        {@code mlp} or {@code cnn} (square single-channel images, side divisible by 4)
 * @param inputs       features per row
 * @param hidden       hidden widths of the MLP (ignored by the CNN)
 * @param activation   activation of the MLP ({@code relu}, {@code gelu}, {@code tanh}, {@code sigmoid})
 * @param dropout      dropout after each hidden layer, in [0, 1)
 * @param outputs      outputs (classes, or regression targets)
 * @param regression   true for a regression data set
 * @param loss         classification: {@code fused}, {@code max_shift}, {@code naive}, {@code eps_clamp(EPS)} or
 *                     {@code mse}; regression: {@code mse}, {@code l1} or {@code huber[:DELTA]}
 * @param dtype        {@code float32} or {@code float64}
 * @param optimizer    {@code sgd} (momentum 0.9, Nesterov), {@code adam} or {@code adamw}
 * @param lr           learning rate, {@code > 0}
 * @param weightDecay  weight decay ({@code NaN}: the optimizer's default, 1e-4 for AdamW and 0 otherwise)
 * @param schedule     the {@link LrSchedule#parse} spec (for example {@code cosine} or {@code constant})
 * @param epochs       epochs, {@code > 0}
 * @param batchPerWorker rows per worker per step ({@code b}); the global batch is {@code workers · b}
 * @param seed         seed of the initialisation, the shuffling and dropout
 * @param clip         global gradient-norm clip (0 = off), applied to the averaged gradient
 */
public record TrainConfig(String model, int inputs, int[] hidden, String activation, double dropout, int outputs,
                          boolean regression, String loss, String dtype, String optimizer, double lr, double weightDecay,
                          String schedule, int epochs, int batchPerWorker, long seed, double clip) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Checks every field.
     *
     * @throws IllegalArgumentException naming the field and its value
     */
    public TrainConfig {
        if (!"mlp".equals(model) && !"cnn".equals(model)) throw new IllegalArgumentException("TrainConfig: model '" + model + "': expected mlp or cnn");
        if (inputs <= 0 || outputs <= 0) throw new IllegalArgumentException("TrainConfig: inputs " + inputs + " and outputs " + outputs + " must be > 0");
        if (hidden == null) throw new IllegalArgumentException("TrainConfig: hidden is null");
        hidden = hidden.clone();
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("TrainConfig: dropout must be in [0, 1), got " + dropout);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("TrainConfig: lr must be a finite number > 0, got " + lr);
        if (epochs <= 0) throw new IllegalArgumentException("TrainConfig: epochs must be > 0, got " + epochs);
        if (batchPerWorker <= 0) throw new IllegalArgumentException("TrainConfig: batchPerWorker must be > 0, got " + batchPerWorker);
        if (!(clip >= 0) || Double.isInfinite(clip)) throw new IllegalArgumentException("TrainConfig: clip must be a finite number >= 0, got " + clip);
        DType.parse(dtype);
        LrSchedule.parse(schedule, lr, epochs);
        objectiveOf(regression, loss);
        if (!"sgd".equals(optimizer) && !"adam".equals(optimizer) && !"adamw".equals(optimizer)) {
            throw new IllegalArgumentException("TrainConfig: optimizer '" + optimizer + "': expected sgd, adam or adamw");
        }
    }

    /** The hidden widths (a copy). */
    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** The element type. */
    public DType dtypeValue() {
        return DType.parse(dtype);
    }

    /** The network's description (what {@code ./jgrad train} builds for these options). */
    public Architecture architecture() {
        if (model.equals("cnn")) {
            int side = (int) Math.round(Math.sqrt(inputs));
            if (side * side != inputs || side % 4 != 0) {
                throw new IllegalArgumentException("TrainConfig: the cnn needs square images with a side divisible by 4; got " + inputs + " features");
            }
            return Architecture.cnn(1, side, side, 32, 64, 128, dropout, outputs);
        }
        return Architecture.mlp(inputs, hidden, Activation.Kind.parse(activation), dropout, outputs);
    }

    /** A freshly initialised network (seeded: every replica builds the same one). */
    public Sequential buildModel() {
        return architecture().build(dtypeValue(), seed);
    }

    /** The optimizer over {@code model}'s parameters, as {@code ./jgrad train} makes it. */
    public Optimizer buildOptimizer(Sequential model) {
        double wd = Double.isNaN(weightDecay) ? (optimizer.equals("adamw") ? 1e-4 : 0) : weightDecay;
        switch (optimizer) {
            case "sgd": return new Sgd(model.parameters(), lr, 0.9, 0, true, wd);
            case "adam": return new Adam(model.parameters(), lr, 0.9, 0.999, 1e-8, wd, false);
            default: return Adam.adamW(model.parameters(), lr, wd);
        }
    }

    /** The objective (loss and accuracy) of these options. */
    public Objective objective() {
        return objectiveOf(regression, loss);
    }

    /** A new schedule object of these options. */
    public LrSchedule buildSchedule() {
        return LrSchedule.parse(schedule, lr, epochs);
    }

    /** The same options with another learning rate. */
    public TrainConfig withLr(double v) {
        return new TrainConfig(model, inputs, hidden, activation, dropout, outputs, regression, loss, dtype, optimizer, v, weightDecay, schedule, epochs, batchPerWorker, seed, clip);
    }

    /** The same options with other hidden widths. */
    public TrainConfig withHidden(int[] v) {
        return new TrainConfig(model, inputs, v, activation, dropout, outputs, regression, loss, dtype, optimizer, lr, weightDecay, schedule, epochs, batchPerWorker, seed, clip);
    }

    /** The same options with another dropout. */
    public TrainConfig withDropout(double v) {
        return new TrainConfig(model, inputs, hidden, activation, v, outputs, regression, loss, dtype, optimizer, lr, weightDecay, schedule, epochs, batchPerWorker, seed, clip);
    }

    /** The same options with another loss. */
    public TrainConfig withLoss(String v) {
        return new TrainConfig(model, inputs, hidden, activation, dropout, outputs, regression, v, dtype, optimizer, lr, weightDecay, schedule, epochs, batchPerWorker, seed, clip);
    }

    /** The same options with another dtype. */
    public TrainConfig withDtype(String v) {
        return new TrainConfig(model, inputs, hidden, activation, dropout, outputs, regression, loss, v, optimizer, lr, weightDecay, schedule, epochs, batchPerWorker, seed, clip);
    }

    /** The same options with another batch per worker. */
    public TrainConfig withBatchPerWorker(int v) {
        return new TrainConfig(model, inputs, hidden, activation, dropout, outputs, regression, loss, dtype, optimizer, lr, weightDecay, schedule, epochs, v, seed, clip);
    }

    /** The same options with another number of epochs. */
    public TrainConfig withEpochs(int v) {
        return new TrainConfig(model, inputs, hidden, activation, dropout, outputs, regression, loss, dtype, optimizer, lr, weightDecay, schedule, v, batchPerWorker, seed, clip);
    }

    /**
     * The objective of a loss name: for classification {@code mse} (one-hot) or a {@link SoftmaxCrossEntropy} strategy;
     * for regression {@code mse}, {@code l1} or {@code huber[:DELTA]}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    static Objective objectiveOf(boolean regression, String loss) {
        if (loss == null) throw new IllegalArgumentException("TrainConfig: loss is null");
        String l = loss.toLowerCase(Locale.ROOT);
        if (regression) {
            if (l.equals("mse")) return Objective.regression();
            if (l.equals("l1")) return Objective.l1();
            if (l.startsWith("huber")) return Objective.huber(l.startsWith("huber:") ? Double.parseDouble(l.substring(6)) : 1.0);
            throw new IllegalArgumentException("TrainConfig: loss '" + loss + "': for regression expected mse, l1 or huber[:DELTA]");
        }
        if (l.equals("mse")) return Objective.mseOneHot();
        return Objective.crossEntropy(SoftmaxCrossEntropy.parse(loss));
    }

    /** A short description of the options that a sweep varies. */
    public String describe() {
        return String.format(Locale.ROOT, "%s hidden=%s lr=%g dropout=%s loss=%s dtype=%s", model, Arrays.toString(hidden).replace(" ", ""), lr, dropout, loss, dtype);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && c.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "TrainConfig[" + model + ", inputs=" + inputs + ", hidden=" + Arrays.toString(hidden) + ", " + activation + ", dropout=" + dropout
                + ", outputs=" + outputs + ", regression=" + regression + ", loss=" + loss + ", " + dtype + ", " + optimizer + ", lr=" + lr
                + ", weightDecay=" + weightDecay + ", schedule=" + schedule + ", epochs=" + epochs + ", batchPerWorker=" + batchPerWorker
                + ", seed=" + seed + ", clip=" + clip + "]";
    }
}
