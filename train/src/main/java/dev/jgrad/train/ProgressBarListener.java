package dev.jgrad.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar over a whole fit (every batch of every remaining epoch, with the time left), showing the current
 * epoch and the latest batch loss, e.g. {@code train 42% [====>     ] 840/2000 (0:00:03 / 0:00:04) epoch 3/5 loss 0.2315}.
 * The loss shown is refreshed at most every 200 ms, so that a step allocates nothing in between.
 * {@link Trainer.Builder#progress(boolean)} adds one on standard error (by default when it is a terminal). Uses the
 * {@code progressbar} library.
 */
public final class ProgressBarListener implements TrainingListener {
    private static final long MESSAGE_INTERVAL_NANOS = 200_000_000L;

    private final PrintStream out;
    private ProgressBar bar;
    private int epoch;
    private long lastMessage;

    /** A bar on standard error. */
    public ProgressBarListener() {
        this(System.err);
    }

    /** A bar printed to {@code out}. */
    public ProgressBarListener(PrintStream out) {
        if (out == null) throw new IllegalArgumentException("ProgressBarListener: out is null");
        this.out = out;
    }

    @Override
    public void onFitStart(TrainingContext ctx) {
        long steps = (long) (ctx.epochs() - ctx.epochsCompleted()) * ctx.batchesPerEpoch();
        if (steps <= 0) return;
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(200).build();
    }

    @Override
    public void onEpochStart(TrainingContext ctx, int epoch) {
        this.epoch = epoch;
        if (bar != null) bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d", epoch, ctx.epochs()));
        lastMessage = System.nanoTime();
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
        if (bar == null) return;
        bar.step();
        long now = System.nanoTime();
        if (batch == 1 || now - lastMessage >= MESSAGE_INTERVAL_NANOS) {
            bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d loss %.4f", epoch, ctx.epochs(), loss));
            lastMessage = now;
        }
    }

    @Override
    public void onFitEnd(TrainingContext ctx) {
        if (bar != null) bar.close();
        bar = null;
    }
}
