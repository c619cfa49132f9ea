package dev.jgrad.nn.train;

/**
 * Metrics of one epoch: training loss and accuracy (averaged over the epoch's batches as they were
 * trained), test loss and accuracy (after the epoch, in eval mode), throughput and wall time.
 */
public record EpochMetrics(int epoch, double lr, double trainLoss, double trainAccuracy, double testLoss,
                           double testAccuracy, double samplesPerSecond, double seconds) {

    /** CSV header matching {@link #csv()}. */
    public static final String CSV_HEADER = "epoch,lr,train_loss,train_accuracy,test_loss,test_accuracy,samples_per_second,seconds";

    /** One CSV line. */
    public String csv() {
        return epoch + "," + lr + "," + trainLoss + "," + trainAccuracy + "," + testLoss + "," + testAccuracy + ","
                + samplesPerSecond + "," + seconds;
    }

    /** A human-readable line. */
    public String line() {
        return String.format(java.util.Locale.ROOT, "epoch %3d  lr %.4g  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %,.0f samples/s  %.2f s",
                epoch, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, samplesPerSecond, seconds);
    }
}
