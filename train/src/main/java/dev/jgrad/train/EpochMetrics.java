package dev.jgrad.train;

/**
 * Metrics of one epoch: training loss and accuracy (averaged over the epoch's batches as they were
 * trained), test loss and accuracy (after the epoch, in eval mode), throughput and where the time went.
 *
 * <p>Timing: {@code seconds} is the wall time of the training pass (every batch, from fetching it to the
 * bookkeeping after the optimizer step; not the evaluation), of which {@code stepSeconds} were spent in the
 * {@code steps} training steps proper (zeroing gradients, forward, loss, backward, clipping, optimizer step); the
 * rest, {@link #overheadSeconds()}, is batch assembly, metrics and progress reporting. {@code evalSeconds} is the
 * evaluation on the test data after the pass (0 without test data). Metrics files written before these
 * columns existed read back with {@code steps}, {@code stepSeconds}, {@code evalSeconds} and
 * {@code skippedBatches} as 0.
 *
 * <p>Batches whose loss was not finite and which the trainer {@linkplain Trainer.Builder#skipNonFiniteBatches(int)
 * skipped} are counted in {@code skippedBatches} and left out of everything else: the training loss and accuracy
 * average the other batches (NaN if every batch was skipped), and {@code steps} counts only the steps taken.
 *
 * @param epoch            1-based epoch number
 * @param lr               learning rate used in the epoch
 * @param trainLoss        mean training loss over the epoch's samples
 * @param trainAccuracy    training accuracy over the epoch's samples
 * @param testLoss         test loss after the epoch (NaN without test data)
 * @param testAccuracy     test accuracy after the epoch (NaN without test data)
 * @param samplesPerSecond training samples per second of the training pass
 * @param seconds          wall time of the training pass
 * @param steps            number of training steps taken (batches, without the skipped ones)
 * @param stepSeconds      time spent in the training steps proper
 * @param evalSeconds      wall time of the evaluation after the pass
 * @param skippedBatches   batches skipped because their loss was not finite
 */
public record EpochMetrics(int epoch, double lr, double trainLoss, double trainAccuracy, double testLoss,
                           double testAccuracy, double samplesPerSecond, double seconds, int steps,
                           double stepSeconds, double evalSeconds, int skippedBatches) {

    /** CSV header matching {@link #csv()}. */
    public static final String CSV_HEADER = "epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,samples_per_second,seconds,"
            + "steps,step_seconds,eval_seconds,skipped_batches";

    /** The metrics of an epoch without skipped batches. */
    public EpochMetrics(int epoch, double lr, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                        double samplesPerSecond, double seconds, int steps, double stepSeconds, double evalSeconds) {
        this(epoch, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, samplesPerSecond, seconds, steps, stepSeconds,
                evalSeconds, 0);
    }

    /** Time of the training pass outside the steps proper: {@code seconds - stepSeconds}. */
    public double overheadSeconds() {
        return seconds - stepSeconds;
    }

    /** Mean time of one training step in milliseconds (NaN without steps). */
    public double millisPerStep() {
        return steps == 0 ? Double.NaN : 1e3 * stepSeconds / steps;
    }

    /** One CSV line. */
    public String csv() {
        return epoch + "," + lr + "," + trainLoss + "," + trainAccuracy + "," + testLoss + "," + testAccuracy + ","
                + samplesPerSecond + "," + seconds + "," + steps + "," + stepSeconds + "," + evalSeconds + "," + skippedBatches;
    }

    /**
     * A human-readable line that fits 100 columns (up to 999 epochs, losses below 100, passes under 1000 s): the epoch, the rate, the training and
     * test loss and accuracy, the throughput and the time of the training pass, e.g.
     * {@code epoch  3/30  lr 1.95e-03  train 0.1123 acc 0.9680  test 0.1378 acc 0.9611  41,250/s  0.035 s}, followed
     * by {@code "  2 skipped"} in an epoch with {@linkplain #skippedBatches() skipped batches}; {@link #line()} adds
     * the time split.
     *
     * @param epochs the run's total number of epochs (shown after the epoch's number)
     */
    public String shortLine(int epochs) {
        return shortLine(epochs, true);
    }

    /**
     * {@link #shortLine(int)}, with or without the accuracies (without for a regression objective, see
     * {@link Objective#scoresAccuracy()}).
     */
    public String shortLine(int epochs, boolean accuracy) {
        if (!accuracy) {
            return String.format(java.util.Locale.ROOT, "epoch %3d/%d  lr %.2e  train loss %.4f  test loss %.4f  %,.0f/s  %.3f s",
                    epoch, epochs, lr, trainLoss, testLoss, samplesPerSecond, seconds) + skipped();
        }
        return String.format(java.util.Locale.ROOT, "epoch %3d/%d  lr %.2e  train %.4f acc %.4f  test %.4f acc %.4f  %,.0f/s  %.3f s",
                epoch, epochs, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, samplesPerSecond, seconds) + skipped();
    }

    /** {@code "  N skipped"} if batches were skipped, else empty. */
    private String skipped() {
        return skippedBatches == 0 ? "" : "  " + skippedBatches + " skipped";
    }

    /** A human-readable line, ending with the time split: steps × time per step, the overhead, the evaluation. */
    public String line() {
        return String.format(java.util.Locale.ROOT, "epoch %3d  lr %.4g  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f samples/s  %.3f s"
                        + " (%d steps × %.3f ms = %.3f s, overhead %.3f s; eval %.3f s)",
                epoch, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, samplesPerSecond, seconds,
                steps, millisPerStep(), stepSeconds, overheadSeconds(), evalSeconds)
                + (skippedBatches == 0 ? "" : "; " + skippedBatches + " batches with a non-finite loss skipped");
    }
}
