package dev.jgrad.train;

/**
 * Early stopping: {@linkplain TrainingContext#requestStop() stops} the run when the evaluation loss (the
 * {@link EpochMetrics#testLoss()} of the data passed to {@link Trainer#fit} as its second loader — a validation split,
 * so that the test data stays unseen) has not improved by more than {@code minDelta} for {@code patience} epochs in a
 * row. Pair it with a {@link BestCheckpointListener} to keep the best epoch's model. A NaN loss never counts as an
 * improvement.
 */
public final class EarlyStoppingListener implements TrainingListener {
    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch, stoppedEpoch, bad;

    /**
     * @param patience epochs without improvement before stopping ({@code >= 1})
     * @param minDelta the least decrease of the loss that counts as an improvement ({@code >= 0})
     */
    public EarlyStoppingListener(int patience, double minDelta) {
        if (patience < 1) throw new IllegalArgumentException("EarlyStoppingListener: patience " + patience + " must be >= 1");
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("EarlyStoppingListener: minDelta " + minDelta + " must be finite and >= 0");
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics m) {
        if (m.testLoss() < best - minDelta) {
            best = m.testLoss();
            bestEpoch = m.epoch();
            bad = 0;
        } else if (++bad >= patience) {
            stoppedEpoch = m.epoch();
            ctx.requestStop();
        }
    }

    /** The epoch with the lowest evaluation loss so far (0 before the first). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The lowest evaluation loss so far (+inf before the first epoch). */
    public double bestLoss() {
        return best;
    }

    /** The epoch after which this listener stopped the run, or 0 if it did not. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }
}
