package dev.jgrad.train;

/**
 * Thrown when a run diverges: by the {@link Trainer} when a training batch's loss is not finite (before its backward
 * pass and optimizer step, so the model and optimizer keep the previous step's state), or when more batches than
 * allowed were {@linkplain Trainer.Builder#skipNonFiniteBatches(int) skipped}, and by a {@link DivergenceListener}
 * when the test loss after an epoch is not finite. The epoch in which it happened did not end for the listeners (a
 * {@link CheckpointListener} keeps the last good epoch's checkpoint). The message names the epoch, the batch of the
 * epoch and the step of the run, e.g. {@code training diverged in epoch 3, batch 5 of 8 (step 21 of the run): the
 * training loss became NaN (the parameters are finite)}.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final int step;
    private final int batches;
    private final long runStep;
    private final String what;

    /**
     * @param epoch the 1-based epoch
     * @param step  the 1-based training step (batch) of the epoch, or 0 for the evaluation after the epoch
     * @param what  what became non-finite, e.g. {@code "the training loss became NaN"}
     */
    public TrainingDivergedException(int epoch, int step, String what) {
        this(epoch, step, 0, 0, what);
    }

    /**
     * @param epoch   the 1-based epoch
     * @param step    the 1-based batch of the epoch, or 0 for the evaluation after the epoch
     * @param batches the number of batches in an epoch (0: unknown)
     * @param runStep the 1-based step of the whole run, counting every batch of the earlier epochs (0: unknown)
     * @param what    what became non-finite
     */
    public TrainingDivergedException(int epoch, int step, int batches, long runStep, String what) {
        super("training diverged in epoch " + epoch + where(step, batches, runStep) + ": " + what);
        this.epoch = epoch;
        this.step = step;
        this.batches = batches;
        this.runStep = runStep;
        this.what = what;
    }

    /** {@code ", batch 5 of 8 (step 21 of the run)"}, {@code ", step 5"} without the counts, or {@code " (evaluation)"}. */
    static String where(int step, int batches, long runStep) {
        if (step <= 0) return " (evaluation)";
        if (batches <= 0) return ", step " + step;
        return ", batch " + step + " of " + batches + (runStep > 0 ? " (step " + runStep + " of the run)" : "");
    }

    /** The number of batches in an epoch, or 0 if not known (e.g. for the evaluation). */
    public int batches() {
        return batches;
    }

    /** The 1-based step of the whole run at which the run diverged, or 0 if not known (e.g. for the evaluation). */
    public long runStep() {
        return runStep;
    }

    /** The 1-based epoch in which the run diverged. */
    public int epoch() {
        return epoch;
    }

    /** The 1-based step (batch) of the epoch whose loss was not finite, or 0 if the test loss after the epoch was not. */
    public int step() {
        return step;
    }

    /** What became non-finite. */
    public String what() {
        return what;
    }
}
