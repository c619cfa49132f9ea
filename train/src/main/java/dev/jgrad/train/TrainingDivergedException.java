package dev.jgrad.train;

/**
 * Thrown by a {@link DivergenceListener} when a run diverges: a training batch's loss, or the test loss after an
 * epoch, is not finite. The epoch in which it happened did not end for the listeners after the guard (a
 * {@link CheckpointListener} added after it keeps the last good epoch's checkpoint).
 */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final int step;
    private final String what;

    /**
     * @param epoch the 1-based epoch
     * @param step  the 1-based training step (batch) of the epoch, or 0 for the evaluation after the epoch
     * @param what  what became non-finite, e.g. {@code "the training loss became NaN"}
     */
    public TrainingDivergedException(int epoch, int step, String what) {
        super("training diverged in epoch " + epoch + (step > 0 ? ", step " + step : " (evaluation)") + ": " + what);
        this.epoch = epoch;
        this.step = step;
        this.what = what;
    }

    /** The 1-based epoch in which the run diverged. */
    public int epoch() {
        return epoch;
    }

    /** The 1-based step of the epoch whose loss was not finite, or 0 if the test loss after the epoch was not. */
    public int step() {
        return step;
    }

    /** What became non-finite. */
    public String what() {
        return what;
    }
}
