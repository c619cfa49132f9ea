package dev.jgrad.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.data.DataLoader;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.train.plot.LineChart;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small training loop: for each epoch, set the schedule's learning rate, run every batch (forward, loss,
 * backward, optional gradient clipping, optimizer step), evaluate on the test loader, and report
 * {@link EpochMetrics}, including where the epoch's time went (the steps proper versus the loop's overhead, and
 * the evaluation). Batches come from {@link DataLoader#epochInPlace(long)}, so their input buffers are reused
 * from step to step. While an epoch runs a progress bar is shown on standard error when it is a terminal
 * (quiet otherwise). With an output directory it writes {@code metrics.csv} and {@code metrics.json} after every
 * epoch, and redraws {@code training.png} (loss and accuracy curves) after the last epoch and after any epoch
 * that ends at least {@link #CHART_INTERVAL_SECONDS} seconds after the chart was last drawn (drawing it takes
 * longer than a fast epoch's bookkeeping); with a checkpoint path it saves a
 * {@link Checkpoint} after every epoch, and {@link #resume(Path)} continues a run exactly.
 *
 * <pre>{@code
 * Trainer t = Trainer.builder(model, new Sgd(model.parameters(), 0.1, 0.9, 0, true, 0))
 *         .objective(Objective.crossEntropy(SoftmaxCrossEntropy.FUSED)).epochs(10).build();
 * List<EpochMetrics> history = t.fit(trainLoader, testLoader);
 * }</pre>
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final Objective objective;
    private final int epochs;
    private final LrSchedule schedule;
    private final double clipNorm;
    private final Boolean progress;
    private final Path outDir, checkpoint;
    private final PrintStream log;
    private final List<EpochMetrics> history = new ArrayList<>();
    private final Workspace workspace;
    private int startEpoch;
    private long lastChart;

    /** Minimum time between two redraws of {@code training.png} before the last epoch. */
    public static final double CHART_INTERVAL_SECONDS = 10;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.objective = b.objective;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.clipNorm = b.clipNorm;
        this.progress = b.progress;
        this.outDir = b.outDir;
        this.checkpoint = b.checkpoint;
        this.log = b.log;
        this.workspace = b.reuseGraph ? Workspace.reusingGraph() : new Workspace();
    }

    /** A builder for {@code model} trained by {@code optimizer} (over the model's parameters). */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(model, optimizer);
    }

    /**
     * Loads a checkpoint written by this trainer's configuration (model, optimizer and the number of
     * completed epochs); the next {@link #fit} continues with the following epoch. If the output directory
     * holds the run's {@code metrics.json}, its epochs up to the checkpoint are kept in the history, so the
     * metrics files and chart of the resumed run cover the whole run.
     *
     * @return the number of completed epochs in the checkpoint
     */
    public int resume(Path file) throws IOException {
        int[] done = new int[1];
        // the epoch count is checked before the checkpoint changes the model or the optimizer
        Checkpoint.load(file, model, optimizer, meta -> done[0] = epochsCompleted(file, meta));
        startEpoch = done[0];
        history.clear();
        Path prior = outDir == null ? null : outDir.resolve("metrics.json");
        if (prior != null && Files.isRegularFile(prior)) {
            // keep the earlier epochs in metrics.csv/json and the chart of the resumed run
            EpochMetrics[] earlier = new ObjectMapper().readValue(prior.toFile(), EpochMetrics[].class);
            for (EpochMetrics m : earlier) if (m.epoch() <= startEpoch) history.add(m);
        }
        return startEpoch;
    }

    private static int epochsCompleted(Path file, Map<String, String> meta) {
        String done = meta.get("epochs_completed");
        if (done == null) throw new IllegalArgumentException("checkpoint " + file + " has no epochs_completed entry");
        int n;
        try {
            n = Integer.parseInt(done.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            throw new IllegalArgumentException("checkpoint " + file + ": epochs_completed '" + done + "' is not a non-negative integer");
        }
        return n;
    }

    /** Trains for the remaining epochs; returns the metrics of the epochs run by this call. */
    public List<EpochMetrics> fit(DataLoader train, DataLoader test) throws IOException {
        List<EpochMetrics> run = new ArrayList<>();
        if (outDir != null) Files.createDirectories(outDir);
        lastChart = System.nanoTime();
        for (int epoch = startEpoch; epoch < epochs; epoch++) {
            if (schedule != null) schedule.apply(optimizer, epoch);
            EpochMetrics m = runEpoch(epoch, train, test);
            run.add(m);
            history.add(m);
            long w0 = System.nanoTime();
            if (outDir != null) {
                boolean chart = epoch == epochs - 1 || System.nanoTime() - lastChart >= CHART_INTERVAL_SECONDS * 1e9;
                writeOutputs(chart);
                if (chart) lastChart = System.nanoTime();
            }
            long w1 = System.nanoTime();
            if (checkpoint != null) {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("epochs_completed", Integer.toString(epoch + 1));
                meta.put("objective", objective.name());
                Checkpoint.save(checkpoint, model, optimizer, meta);
            }
            long w2 = System.nanoTime();
            if (log != null) {
                String io = (outDir != null ? String.format(java.util.Locale.ROOT, "; outputs %.3f s", (w1 - w0) / 1e9) : "")
                        + (checkpoint != null ? String.format(java.util.Locale.ROOT, "; checkpoint %.3f s", (w2 - w1) / 1e9) : "");
                log.println(m.line() + io);
            }
        }
        startEpoch = epochs;
        return run;
    }

    private EpochMetrics runEpoch(int epoch, DataLoader train, DataLoader test) {
        model.train(true);
        long t0 = System.nanoTime(), stepNanos = 0;
        double lossSum = 0;
        long correct = 0, seen = 0;
        int steps = 0;
        try (ProgressBar bar = progressBar(epoch, train.numBatches())) {
            // each batch is consumed before the next is fetched, so the loader may reuse its buffers
            for (DataLoader.Batch b : train.epochInPlace(epoch)) {
                long s0 = System.nanoTime();
                // each step runs in the trainer's workspace (unless the caller has one open): its activations,
                // gradients and graph nodes reuse the previous step's, so a warm step allocates nothing
                Workspace ws = Workspace.current() == null ? workspace.open() : null;
                double l;
                try {
                    optimizer.zeroGrad();
                    Tensor out = model.forward(b.features());
                    Tensor loss = objective.loss(out, b.labels());
                    loss.backward();
                    if (clipNorm > 0) GradClip.clipGradNorm(optimizer.params(), clipNorm);
                    optimizer.step();
                    stepNanos += System.nanoTime() - s0;
                    l = loss.item();
                    correct += objective.correct(out, b.labels());
                } finally {
                    if (ws != null) ws.close();
                }
                steps++;
                lossSum += l * b.size();
                seen += b.size();
                if (bar != null) {
                    bar.step();
                    if ((steps & 15) == 1) bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4f", l));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long e0 = System.nanoTime();
        Evaluation ev;
        if (test == null) {
            ev = new Evaluation(Double.NaN, Double.NaN, 0);
        } else {
            model.eval();
            ev = evaluate(model, objective, test, Workspace.current() == null ? workspace : null);
        }
        double evalSeconds = test == null ? 0 : (System.nanoTime() - e0) / 1e9;
        return new EpochMetrics(epoch + 1, optimizer.lr(), lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1),
                ev.loss(), ev.accuracy(), seen / seconds, seconds, steps, stepNanos / 1e9, evalSeconds);
    }

    private ProgressBar progressBar(int epoch, int batches) {
        boolean show = progress != null ? progress : System.console() != null;
        if (!show) return null;
        return new ProgressBarBuilder().setTaskName("epoch " + (epoch + 1)).setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200).build();
    }

    /** Loss and accuracy of a model over a data set. */
    public record Evaluation(double loss, double accuracy, int samples) {
    }

    /**
     * Evaluates in eval mode without recording a graph (the model is left in eval mode), one batch of {@code data}
     * at a time in epoch 0's order, reusing the loader's batch buffers ({@link DataLoader#epochInPlace(long)}).
     */
    public static Evaluation evaluate(Module model, Objective objective, DataLoader data) {
        if (model == null) throw new IllegalArgumentException("Trainer.evaluate: model is null");
        if (objective == null) throw new IllegalArgumentException("Trainer.evaluate: objective is null");
        if (data == null) throw new IllegalArgumentException("Trainer.evaluate: data is null");
        model.eval();
        return evaluate(model, objective, data, Workspace.current() == null ? Workspace.reusingGraph() : null);
    }

    /** {@link #evaluate(Module, Objective, DataLoader)} with each batch in {@code workspace} (null: none). */
    private static Evaluation evaluate(Module model, Objective objective, DataLoader data, Workspace workspace) {
        double lossSum = 0;
        long correct = 0;
        int n = 0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (DataLoader.Batch b : data.epochInPlace(0)) {
                if (workspace != null) workspace.open();
                try {
                    Tensor out = model.forward(b.features());
                    lossSum += objective.loss(out, b.labels()).item() * b.size();
                    correct += objective.correct(out, b.labels());
                } finally {
                    if (workspace != null) workspace.close();
                }
                n += b.size();
            }
        }
        return new Evaluation(lossSum / Math.max(n, 1), (double) correct / Math.max(n, 1), n);
    }

    /**
     * The workspace the training steps run in ({@linkplain Workspace#reusingGraph() graph-reusing} unless
     * {@link Builder#reuseGraph(boolean)} turned that off): its {@link Workspace#arraysAllocated()} stops growing once warm.
     */
    public Workspace workspace() {
        return workspace;
    }

    /** All epochs run by this trainer so far. */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    private void writeOutputs(boolean drawChart) throws IOException {
        StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) csv.append(m.csv()).append('\n');
        Files.writeString(outDir.resolve("metrics.csv"), csv);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve("metrics.json").toFile(), history);
        if (!drawChart) return;
        int n = history.size();
        double[] x = new double[n], trl = new double[n], tel = new double[n], tra = new double[n], tea = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            x[i] = m.epoch();
            trl[i] = m.trainLoss();
            tel[i] = m.testLoss();
            tra[i] = m.trainAccuracy();
            tea[i] = m.testAccuracy();
        }
        LineChart chart = new LineChart();
        chart.addPanel("Loss (" + objective.name() + ")").xAxis("epoch").yAxis("loss").series("train", x, trl).series("test", x, tel);
        chart.addPanel("Accuracy").xAxis("epoch").yAxis("accuracy").series("train", x, tra).series("test", x, tea);
        chart.writePng(outDir.resolve("training.png"));
    }

    /** Options of a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private Objective objective = Objective.crossEntropy(dev.jgrad.losses.SoftmaxCrossEntropy.FUSED);
        private int epochs = 10;
        private LrSchedule schedule;
        private double clipNorm;
        private Boolean progress;
        private Path outDir, checkpoint;
        private PrintStream log = System.out;
        private boolean reuseGraph = true;

        private Builder(Module model, Optimizer optimizer) {
            if (model == null) throw new IllegalArgumentException("Trainer: model is null");
            if (optimizer == null) throw new IllegalArgumentException("Trainer: optimizer is null");
            this.model = model;
            this.optimizer = optimizer;
        }

        /** The loss and scoring (fused cross-entropy by default). */
        public Builder objective(Objective o) {
            if (o == null) throw new IllegalArgumentException("Trainer: objective is null");
            this.objective = o;
            return this;
        }

        /** Total number of epochs ({@code > 0}). */
        public Builder epochs(int n) {
            if (n <= 0) throw new IllegalArgumentException("Trainer: epochs " + n + " must be positive");
            this.epochs = n;
            return this;
        }

        /** Learning-rate schedule applied at the start of each epoch (none: the optimizer's rate). */
        public Builder schedule(LrSchedule s) {
            this.schedule = s;
            return this;
        }

        /** Clip gradients to this global norm ({@code >= 0}; 0 = off). */
        public Builder clipGradNorm(double maxNorm) {
            if (!(maxNorm >= 0)) throw new IllegalArgumentException("Trainer: clipGradNorm " + maxNorm + " must be >= 0 (0 = off)");
            this.clipNorm = maxNorm;
            return this;
        }

        /** Force the progress bar on or off (default: on when standard error is a terminal). */
        public Builder progress(boolean on) {
            this.progress = on;
            return this;
        }

        /** Directory for metrics.csv, metrics.json and training.png. */
        public Builder outDir(Path dir) {
            this.outDir = dir;
            return this;
        }

        /** Checkpoint file written after every epoch. */
        public Builder checkpoint(Path file) {
            this.checkpoint = file;
            return this;
        }

        /** Where per-epoch lines go (null for silence; standard output by default). */
        public Builder log(PrintStream out) {
            this.log = out;
            return this;
        }

        /**
         * Whether the steps run in a {@linkplain Workspace#reusingGraph() graph-reusing} workspace (the default), so
         * that a warm step allocates nothing, or in a plain {@link Workspace}, which also recycles every array but
         * makes any use of a step's tensor after the step throw — the mode to debug a custom module or objective
         * that keeps tensors across steps (under graph reuse such a tensor silently holds a later step's values).
         */
        public Builder reuseGraph(boolean on) {
            this.reuseGraph = on;
            return this;
        }

        /** The trainer. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
