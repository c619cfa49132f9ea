package dev.jgrad.train;

import dev.jgrad.core.AnomalyMode;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.AtomicFiles;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.data.DataLoader;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small training loop: for each epoch, set the schedule's learning rate, run every batch (forward, loss,
 * backward, optional gradient clipping, optimizer step), evaluate on the test loader, and report
 * {@link EpochMetrics}, including where the epoch's time went (the steps proper versus the loop's overhead, and
 * the evaluation). Batches come from {@link DataLoader#epochInPlace(long)}, so their input buffers are reused
 * from step to step.
 *
 * <p>Everything that watches the run is a {@link TrainingListener}, called in order at the start and end of the
 * fit, of every epoch and after every step; a listener can {@linkplain TrainingContext#requestStop() stop} the run
 * early. The loop itself writes nothing. The builder's convenience methods add the built-in listeners:
 * {@link Builder#progress(boolean) progress} a {@link ProgressBarListener} (by default when standard error is a
 * terminal), {@link Builder#outDir(Path) outDir} a {@link MetricsFileListener} ({@code metrics.csv},
 * {@code metrics.json}) and a {@link ChartListener} ({@code training.png}), {@link Builder#checkpoint(Path)
 * checkpoint} a {@link CheckpointListener}, and {@link Builder#log(PrintStream) log} a {@link LogListener} (by
 * default to standard output); {@link Builder#listener(TrainingListener)} adds one's own. {@link #resume(Path)}
 * continues a checkpointed run exactly.
 *
 * <p>A batch whose loss is not finite (NaN or infinite, even with finite gradients) stops the run before its backward
 * pass and optimizer step, with a {@link TrainingDivergedException} naming the epoch, the batch of the epoch and the
 * step of the run: the parameters, the module buffers (put back as they were before the batch's forward pass) and the
 * optimizer state are those after the previous step. With
 * {@link Builder#skipNonFiniteBatches(int)} such a batch is skipped instead — no backward pass, no optimizer step,
 * its gradients discarded, the module buffers (e.g. batch-norm running statistics) put back as they were before its
 * forward pass — and counted ({@link EpochMetrics#skippedBatches()}); the batch after the allowed number stops the
 * run as above. (Dropout generators advance as for any batch, so a resumed run still repeats the uninterrupted one.)
 * An {@link AnomalyMode} exception raised by a step gets the same epoch, batch and step in front of its message.
 *
 * <pre>{@code
 * Trainer t = Trainer.builder(model, new Sgd(model.parameters(), 0.1, 0.9, 0, true, 0))
 *         .objective(Objective.crossEntropy(SoftmaxCrossEntropy.FUSED)).epochs(10).build();
 * List<EpochMetrics> history = t.fit(trainLoader, testLoader);
 * }</pre>
 */
public final class Trainer {
    /** Checkpoint metadata key of the number of completed epochs (written by {@link CheckpointListener}). */
    public static final String EPOCHS_COMPLETED_KEY = "epochs_completed";

    /**
     * How long the files the listeners rewrite after every epoch (checkpoint, metrics) may stay unsynced during
     * {@link #fit}: each write is atomic, but fsyncs (4–16 ms per file on the VM this was measured on, more than a
     * small network's epoch) only when its file was last synced this long ago; the end of {@code fit} syncs them all
     * ({@link AtomicFiles#syncAtMostEvery}). A process crash loses nothing; a power loss at most this interval.
     */
    public static final java.time.Duration SYNC_INTERVAL = java.time.Duration.ofSeconds(10);

    private final Module model;
    private final Optimizer optimizer;
    private final Objective objective;
    private final int epochs;
    private final LrSchedule schedule;
    private final double clipNorm;
    private final List<EpochMetrics> history = new ArrayList<>();
    private final Workspace workspace;
    /** The listeners, as an array so that the per-step calls allocate no iterator. */
    private final TrainingListener[] listeners;
    private final Context context;
    private final long skipLimit;
    /** The module buffers and their values before the current step's forward pass (a few numbers: copied every step). */
    private Tensor[] buffers;
    private double[][] bufferValues;
    private long skipped;
    private int startEpoch;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.objective = b.objective;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.clipNorm = b.clipNorm;
        this.skipLimit = b.skipLimit;
        this.workspace = b.reuseGraph ? Workspace.reusingGraph() : new Workspace();
        this.listeners = b.listeners().toArray(new TrainingListener[0]);
        this.context = new Context();
    }

    /** A builder for {@code model} trained by {@code optimizer} (over the model's parameters). */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(model, optimizer);
    }

    /**
     * Loads a checkpoint written by this trainer's configuration (model, optimizer and the number of completed
     * epochs, {@link #EPOCHS_COMPLETED_KEY}, as {@link CheckpointListener} writes them); the next {@link #fit}
     * continues with the following epoch, exactly as the uninterrupted run would have. The listeners may restore
     * the earlier epochs' metrics ({@link TrainingListener#onResume}; the {@link MetricsFileListener} reads its
     * {@code metrics.json}), so that the history, metrics files and chart of the resumed run cover the whole run.
     *
     * @return the number of completed epochs in the checkpoint
     * @throws IllegalArgumentException if the checkpoint has no valid epoch count or does not match the model or
     *                                  optimizer (nothing is changed then)
     */
    public int resume(Path file) throws IOException {
        int[] done = new int[1];
        Map<String, Double> before = schedule != null ? schedule.state() : Map.of();
        try {
            // the epoch count and the schedule's state are checked before the checkpoint changes the model or the
            // optimizer; the schedule is set back if the checkpoint is then refused
            Checkpoint.load(file, model, optimizer, meta -> {
                done[0] = epochsCompleted(file, meta);
                Map<String, Double> s = scheduleState(file, meta);
                if (schedule != null && !s.isEmpty()) schedule.loadState(s);
            });
        } catch (IOException | RuntimeException e) {
            if (!before.isEmpty()) schedule.loadState(before);
            throw e;
        }
        startEpoch = done[0];
        history.clear();
        for (TrainingListener l : listeners) {
            List<EpochMetrics> earlier = l.onResume(context, startEpoch);
            if (history.isEmpty() && earlier != null) {
                for (EpochMetrics m : earlier) if (m.epoch() <= startEpoch) history.add(m);
            }
        }
        return startEpoch;
    }

    /** The schedule's entries of a checkpoint ({@link CheckpointListener#SCHEDULE_PREFIX}), as numbers. */
    private static Map<String, Double> scheduleState(Path file, Map<String, String> meta) {
        Map<String, Double> s = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!e.getKey().startsWith(CheckpointListener.SCHEDULE_PREFIX)) continue;
            try {
                s.put(e.getKey().substring(CheckpointListener.SCHEDULE_PREFIX.length()), Double.valueOf(e.getValue()));
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("checkpoint " + file + ": schedule state " + e.getKey() + " '" + e.getValue() + "' is not a number");
            }
        }
        return s;
    }

    private static int epochsCompleted(Path file, Map<String, String> meta) {
        String done = meta.get(EPOCHS_COMPLETED_KEY);
        if (done == null) throw new IllegalArgumentException("checkpoint " + file + " has no " + EPOCHS_COMPLETED_KEY + " entry");
        int n;
        try {
            n = Integer.parseInt(done.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            throw new IllegalArgumentException("checkpoint " + file + ": " + EPOCHS_COMPLETED_KEY + " '" + done + "' is not a non-negative integer");
        }
        return n;
    }

    /**
     * Trains for the remaining epochs (until the configured number, or until a listener
     * {@linkplain TrainingContext#requestStop() requests a stop}); returns the metrics of the epochs run by this call.
     * A later call continues with the next epoch.
     *
     * @param train the training data
     * @param test  the test data evaluated after every epoch (null: none, test metrics NaN)
     */
    public List<EpochMetrics> fit(DataLoader train, DataLoader test) throws IOException {
        if (train == null) throw new IllegalArgumentException("Trainer.fit: train loader is null");
        List<EpochMetrics> run = new ArrayList<>();
        context.begin(train.numBatches());
        if (buffers == null) {
            buffers = model.namedBuffers().values().toArray(new Tensor[0]);
            bufferValues = new double[buffers.length][];
            for (int i = 0; i < buffers.length; i++) bufferValues[i] = new double[buffers[i].numel()];
        }
        Throwable failure = null;
        // the listeners rewrite checkpoints and metrics after every epoch: fsync each at most every SYNC_INTERVAL
        AtomicFiles.SyncScope sync = AtomicFiles.syncAtMostEvery(SYNC_INTERVAL);
        try {
            for (TrainingListener l : listeners) l.onFitStart(context);
            for (int epoch = startEpoch; epoch < epochs && !context.stop; epoch++) {
                if (schedule != null && !schedule.perBatch()) schedule.apply(optimizer, epoch);
                for (TrainingListener l : listeners) l.onEpochStart(context, epoch + 1);
                EpochMetrics m = runEpoch(epoch, train, test);
                run.add(m);
                history.add(m);
                if (schedule != null) schedule.epochEnd(optimizer, epoch, Double.isFinite(m.testLoss()) ? m.testLoss() : m.trainLoss());
                startEpoch = epoch + 1;
                Arrays.fill(context.epochEndSeconds, Double.NaN);
                for (int i = 0; i < listeners.length; i++) {
                    long t0 = System.nanoTime();
                    listeners[i].onEpochEnd(context, m);
                    context.epochEndSeconds[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        for (TrainingListener l : listeners) {
            try {
                l.onFitEnd(context);
            } catch (Throwable t) {
                if (failure == null) failure = t;
                else failure.addSuppressed(t);
            }
        }
        try {
            sync.close();
        } catch (Throwable t) {
            if (failure == null) failure = t;
            else failure.addSuppressed(t);
        }
        if (failure instanceof IOException e) throw e;
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure); // no other checked exception can occur
        return run;
    }

    private EpochMetrics runEpoch(int epoch, DataLoader train, DataLoader test) {
        model.train(true);
        long t0 = System.nanoTime(), stepNanos = 0;
        double lossSum = 0;
        long correct = 0, seen = 0;
        int steps = 0, batch = 0, skippedHere = 0, batches = context.batches;
        // each batch is consumed before the next is fetched, so the loader may reuse its buffers
        for (DataLoader.Batch b : train.epochInPlace(epoch)) {
            long s0 = System.nanoTime();
            batch++;
            // each step runs in the trainer's workspace (unless the caller has one open): its activations,
            // gradients and graph nodes reuse the previous step's, so a warm step allocates nothing
            Workspace ws = Workspace.current() == null ? workspace.open() : null;
            double l;
            try {
                if (schedule != null && schedule.perBatch()) schedule.applyBatch(optimizer, epoch, batch - 1, batches);
                optimizer.zeroGrad();
                if (buffers != null) saveBuffers();
                Tensor out = model.forward(b.features());
                Tensor loss = objective.loss(out, b);
                l = loss.item();
                if (Double.isFinite(l)) {
                    loss.backward();
                    if (clipNorm > 0) GradClip.clipGradNorm(optimizer.params(), clipNorm);
                    optimizer.step();
                    stepNanos += System.nanoTime() - s0;
                    correct += objective.correct(out, b);
                } else {
                    skipOrStop(epoch, batch, batches, l); // throws unless the batch is skipped
                }
            } catch (AnomalyMode.AnomalyException e) {
                throw e.in("epoch " + (epoch + 1) + TrainingDivergedException.where(batch, batches, (long) epoch * batches + batch));
            } finally {
                if (ws != null) ws.close();
            }
            if (!Double.isFinite(l)) {
                skippedHere++;
                for (int i = 0; i < listeners.length; i++) listeners[i].onBatchSkipped(context, batch, batches, l, skipped);
                continue;
            }
            steps++;
            lossSum += l * b.size();
            seen += b.size();
            for (int i = 0; i < listeners.length; i++) listeners[i].onBatchEnd(context, steps, batches, l);
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
        // every batch skipped: no training loss or accuracy
        double trainLoss = seen == 0 && skippedHere > 0 ? Double.NaN : lossSum / Math.max(seen, 1);
        double trainAccuracy = seen == 0 && skippedHere > 0 ? Double.NaN : (double) correct / Math.max(seen, 1);
        return new EpochMetrics(epoch + 1, optimizer.lr(), trainLoss, trainAccuracy,
                ev.loss(), ev.accuracy(), seen / seconds, seconds, steps, stepNanos / 1e9, evalSeconds, skippedHere);
    }

    /**
     * A batch's loss {@code l} is not finite: skips it (puts the buffers back, counts it; nothing was backpropagated
     * or stepped) if skipping is on and the limit allows, else throws the divergence.
     */
    private void skipOrStop(int epoch, int batch, int batches, double l) {
        if (buffers != null) restoreBuffers();
        long runStep = (long) epoch * batches + batch;
        if (skipLimit < 0) {
            throw new TrainingDivergedException(epoch + 1, batch, batches, runStep, DivergenceListener.describe(context, "the training loss", l));
        }
        if (skipped >= skipLimit) {
            throw new TrainingDivergedException(epoch + 1, batch, batches, runStep, DivergenceListener.describe(context, "the training loss", l)
                    + "; " + skipped + " batches with a non-finite loss were skipped before, the most allowed (skipNonFiniteBatches " + skipLimit + ")");
        }
        skipped++;
        optimizer.zeroGrad();
    }

    private void saveBuffers() {
        for (int i = 0; i < buffers.length; i++) {
            double[] v = bufferValues[i];
            for (int k = 0; k < v.length; k++) v[k] = buffers[i].get(k);
        }
    }

    private void restoreBuffers() {
        for (int i = 0; i < buffers.length; i++) {
            double[] v = bufferValues[i];
            for (int k = 0; k < v.length; k++) buffers[i].set(k, v[k]);
        }
    }

    /** The number of batches skipped so far because their loss was not finite (see {@link Builder#skipNonFiniteBatches(int)}). */
    public long skippedBatches() {
        return skipped;
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
                    lossSum += objective.loss(out, b).item() * b.size();
                    correct += objective.correct(out, b);
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

    /** The trainer's listeners, in the order they are called. */
    public List<TrainingListener> listeners() {
        return List.of(listeners);
    }

    /** The context the trainer passes to its listeners. */
    private final class Context implements TrainingContext {
        private final List<EpochMetrics> historyView = Collections.unmodifiableList(history);
        private final double[] epochEndSeconds = new double[listeners.length];
        private boolean stop;
        private int batches;

        {
            Arrays.fill(epochEndSeconds, Double.NaN);
        }

        void begin(int batchesPerEpoch) {
            stop = false;
            batches = batchesPerEpoch;
        }

        @Override
        public Module model() {
            return model;
        }

        @Override
        public Optimizer optimizer() {
            return optimizer;
        }

        @Override
        public Objective objective() {
            return objective;
        }

        @Override
        public LrSchedule schedule() {
            return schedule;
        }

        @Override
        public int epochs() {
            return epochs;
        }

        @Override
        public int epochsCompleted() {
            return startEpoch;
        }

        @Override
        public int batchesPerEpoch() {
            return batches;
        }

        @Override
        public List<EpochMetrics> history() {
            return historyView;
        }

        @Override
        public void requestStop() {
            stop = true;
        }

        @Override
        public boolean stopRequested() {
            return stop;
        }

        @Override
        public List<TrainingListener> listeners() {
            return Trainer.this.listeners();
        }

        @Override
        public double epochEndSeconds(TrainingListener listener) {
            for (int i = 0; i < listeners.length; i++) if (listeners[i] == listener) return epochEndSeconds[i];
            return Double.NaN;
        }
    }

    /**
     * Options of a {@link Trainer}. The listeners are called in this order: the progress bar, the metrics files, the
     * chart, the checkpoint, the listeners added with {@link #listener(TrainingListener)} in the order they were
     * added, and last the log (so that its line can report the time of the others).
     */
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
        private long skipLimit = -1;
        private final List<TrainingListener> listeners = new ArrayList<>();

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

        /**
         * Whether to show a {@link ProgressBarListener} on standard error (default: when standard error is a
         * terminal, decided when the trainer is built).
         */
        public Builder progress(boolean on) {
            this.progress = on;
            return this;
        }

        /**
         * Directory for {@code metrics.csv} and {@code metrics.json} (a {@link MetricsFileListener}) and
         * {@code training.png} (a {@link ChartListener}); null (the default): none.
         */
        public Builder outDir(Path dir) {
            this.outDir = dir;
            return this;
        }

        /** Checkpoint file written after every epoch (a {@link CheckpointListener}); null (the default): none. */
        public Builder checkpoint(Path file) {
            this.checkpoint = file;
            return this;
        }

        /** Where a {@link LogListener} prints a line per epoch (null for silence; standard output by default). */
        public Builder log(PrintStream out) {
            this.log = out;
            return this;
        }

        /** Adds a listener, called after the built-in ones and before the log (see the class comment). */
        public Builder listener(TrainingListener l) {
            if (l == null) throw new IllegalArgumentException("Trainer: listener is null");
            listeners.add(l);
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

        /**
         * Skip a batch whose loss is not finite instead of stopping the run, at most {@code maxSkipped} times in all
         * (the next one stops the run with a {@link TrainingDivergedException}): the skipped batch has no backward
         * pass and no optimizer step, its gradients are discarded and the module buffers are put back as they were
         * before its forward pass, so the model and optimizer are as if it had not been in the data; it is counted in
         * {@link EpochMetrics#skippedBatches()} (the log line and the metrics files) and reported to the listeners'
         * {@link TrainingListener#onBatchSkipped}. Default: off (the first non-finite loss stops the run).
         *
         * @param maxSkipped the most batches to skip ({@code >= 0}; 0 stops at the first, as without this option)
         */
        public Builder skipNonFiniteBatches(int maxSkipped) {
            if (maxSkipped < 0) throw new IllegalArgumentException("Trainer: skipNonFiniteBatches " + maxSkipped + " must be >= 0");
            this.skipLimit = maxSkipped;
            return this;
        }

        /**
         * {@link #skipNonFiniteBatches(int)} without a limit ({@code true}: every batch whose loss is not finite is
         * skipped) or off ({@code false}: the first stops the run, the default).
         */
        public Builder skipNonFiniteBatches(boolean on) {
            this.skipLimit = on ? Long.MAX_VALUE : -1;
            return this;
        }

        /** The listeners of the trainer, in calling order (a listener's class is loaded only when it is used). */
        private List<TrainingListener> listeners() {
            List<TrainingListener> all = new ArrayList<>();
            if (progress != null ? progress : System.console() != null) all.add(new ProgressBarListener());
            if (outDir != null) {
                all.add(new MetricsFileListener(outDir));
                all.add(new ChartListener(outDir));
            }
            if (checkpoint != null) all.add(new CheckpointListener(checkpoint));
            all.addAll(listeners);
            if (log != null) all.add(new LogListener(log));
            return all;
        }

        /** The trainer. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
