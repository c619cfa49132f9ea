package dev.jgrad.train;

import java.io.IOException;
import java.util.List;

/**
 * Watches a {@link Trainer}'s run: the trainer runs the loop (epochs, batches, evaluation, timing) and tells its
 * listeners what happens; everything else — the progress bar, the log line, the metrics files, the chart, the
 * checkpoints, early stopping — is a listener. Every method has an empty default, so a listener overrides only
 * the events it needs. Listeners are added with {@link Trainer.Builder#listener(TrainingListener)} (and by the
 * builder's convenience methods) and are called in order, each event on every listener before the next event.
 *
 * <p>The order of the calls in {@link Trainer#fit}:
 * <pre>
 * onFitStart
 * for each epoch:  onEpochStart, onBatchEnd (or onBatchSkipped) × batches, (evaluation), onEpochEnd
 * onFitEnd          (always, also when an epoch or a listener throws)
 * </pre>
 * {@link Trainer#resume} calls {@link #onResume} once the checkpoint is loaded.
 *
 * <p>To stop training early, call {@link TrainingContext#requestStop()} (typically in {@link #onEpochEnd}): the
 * current epoch completes — its evaluation and every listener's {@code onEpochEnd} — and no further epoch starts.
 *
 * <p>{@link #onBatchEnd} runs after every training step, inside the timed training pass (it counts as the loop's
 * overhead in {@link EpochMetrics#overheadSeconds()}): keep it cheap and free of allocation, or a warm step that
 * allocated nothing starts to. The other events run once per epoch or per fit.
 *
 * <pre>{@code
 * // stop when the test loss has not improved for 3 epochs
 * TrainingListener patience = new TrainingListener() {
 *     double best = Double.POSITIVE_INFINITY;
 *     int bad;
 *     public void onEpochEnd(TrainingContext ctx, EpochMetrics m) {
 *         if (m.testLoss() < best) { best = m.testLoss(); bad = 0; }
 *         else if (++bad == 3) ctx.requestStop();
 *     }
 * };
 * Trainer t = Trainer.builder(model, optimizer).epochs(100).listener(patience).build();
 * }</pre>
 */
public interface TrainingListener {

    /** Called once at the start of {@link Trainer#fit}, before the first epoch (also when no epoch is left to run). */
    default void onFitStart(TrainingContext ctx) throws IOException {
    }

    /**
     * Called at the start of an epoch, after the learning-rate schedule has set the optimizer's rate for it.
     *
     * @param epoch the 1-based epoch number, as in {@link EpochMetrics#epoch()}
     */
    default void onEpochStart(TrainingContext ctx, int epoch) throws IOException {
    }

    /**
     * Called after every training step (forward, loss, backward, clipping, optimizer step). Must be cheap and must
     * not allocate (see the class comment).
     *
     * @param batch   the 1-based number of the batch in the epoch
     * @param batches the number of batches in the epoch
     * @param loss    the batch's mean loss
     */
    default void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
    }

    /**
     * Called instead of {@link #onBatchEnd} for a batch whose loss was not finite and which the trainer skipped
     * ({@link Trainer.Builder#skipNonFiniteBatches(int)}): no backward pass, no optimizer step. Must be cheap and must
     * not allocate.
     *
     * @param batch   the 1-based number of the batch in the epoch
     * @param batches the number of batches in the epoch
     * @param loss    the batch's non-finite loss
     * @param skipped the number of batches skipped so far in this fit, this one included
     */
    default void onBatchSkipped(TrainingContext ctx, int batch, int batches, double loss, long skipped) {
    }

    /**
     * Called at the end of an epoch, after the evaluation, with the epoch's metrics (already the last entry of
     * {@link TrainingContext#history()}). The trainer times this call ({@link TrainingContext#epochEndSeconds}).
     */
    default void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
    }

    /**
     * Called once when {@link Trainer#fit} ends: after the last epoch, after a {@linkplain TrainingContext#requestStop()
     * stop request}, and also when an epoch or a listener threw (then before the exception leaves {@code fit}) — the
     * place to release what {@link #onFitStart} acquired. {@link TrainingContext#history()} holds the epochs run.
     */
    default void onFitEnd(TrainingContext ctx) throws IOException {
    }

    /**
     * Called by {@link Trainer#resume} after the checkpoint has been loaded: the run continues after
     * {@code epochsCompleted} epochs. A listener that recorded the earlier epochs (for instance in a file) may return
     * their metrics; the trainer keeps the first non-empty answer, up to epoch {@code epochsCompleted}, as the start
     * of its {@linkplain TrainingContext#history() history}, so that outputs written from the history cover the
     * whole run. The default returns an empty list.
     */
    default List<EpochMetrics> onResume(TrainingContext ctx, int epochsCompleted) throws IOException {
        return List.of();
    }

    /**
     * A short name under which the time of this listener's {@link #onEpochEnd} is reported (by {@link LogListener},
     * e.g. {@code "; checkpoint 0.004 s"}), or null (the default) to leave it out.
     */
    default String timingLabel() {
        return null;
    }
}
