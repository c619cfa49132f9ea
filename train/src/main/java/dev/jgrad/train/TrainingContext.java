package dev.jgrad.train;

import dev.jgrad.nn.Module;
import dev.jgrad.nn.optim.Optimizer;

import java.util.List;

/**
 * What a {@link TrainingListener} sees of the run it watches, and its one way to steer it:
 * {@link #requestStop()}. The same context is passed to every call of one trainer.
 */
public interface TrainingContext {

    /** The model being trained. */
    Module model();

    /** The optimizer (its {@link Optimizer#lr()} is the current epoch's learning rate). */
    Optimizer optimizer();

    /** The loss and scoring. */
    Objective objective();

    /**
     * The learning-rate schedule, or null if the optimizer's rate is kept.
     *
     * @return the schedule (the default: null)
     */
    default dev.jgrad.nn.optim.LrSchedule schedule() {
        return null;
    }

    /** The total number of epochs of the run (the last epoch's number). */
    int epochs();

    /**
     * The number of epochs completed so far, counting those of the run before a {@linkplain Trainer#resume resume}:
     * in {@link TrainingListener#onEpochStart} and {@link TrainingListener#onBatchEnd} those before the current
     * epoch, in {@link TrainingListener#onEpochEnd} including the epoch just ended.
     */
    int epochsCompleted();

    /** The number of batches of an epoch of the training data of the current {@link Trainer#fit}. */
    int batchesPerEpoch();

    /**
     * The metrics of every epoch so far, oldest first (on a resumed run, also the earlier epochs a listener
     * restored, see {@link TrainingListener#onResume}); a read-only view.
     */
    List<EpochMetrics> history();

    /**
     * Asks the trainer to stop: the current epoch completes (its evaluation and every listener's
     * {@link TrainingListener#onEpochEnd}), then {@link Trainer#fit} ends. The request holds until the fit ends;
     * a later {@code fit} continues with the next epoch.
     */
    void requestStop();

    /** Whether a stop was requested in the current fit. */
    boolean stopRequested();

    /** The trainer's listeners, in the order they are called. */
    List<TrainingListener> listeners();

    /**
     * Wall time in seconds of {@code listener}'s {@link TrainingListener#onEpochEnd} call of the current epoch, or NaN
     * if it has not been called yet in this epoch (or is not one of this trainer's listeners).
     */
    double epochEndSeconds(TrainingListener listener);
}
