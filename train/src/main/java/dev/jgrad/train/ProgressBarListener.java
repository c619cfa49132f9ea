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
 *
 * <p>Lines printed while the bar is shown go through {@link #printAbove} (the {@link LogListener}'s epoch lines do):
 * the bar's line is cleared and flushed first, the line printed and flushed, and the bar drawn again below it, so an
 * epoch line on standard output is never glued to the bar on standard error, in a terminal or in a log of both.
 */
public final class ProgressBarListener implements TrainingListener {
    private static final long MESSAGE_INTERVAL_NANOS = 200_000_000L;

    private final PrintStream out;
    private Console console;
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
        console = new Console(out);
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(console).setUpdateIntervalMillis(200).build();
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
        console = null;
    }

    /**
     * Prints a line to {@code other} above the bar: the bar's line is cleared (and its stream flushed), the line is
     * printed and {@code other} flushed, then the bar is drawn again; the bar's refresh thread waits meanwhile. Without
     * a bar on screen it just prints the line.
     *
     * @param other the stream of the line (e.g. standard output)
     * @param line  the line, without its line break
     */
    public void printAbove(PrintStream other, String line) {
        if (other == null) throw new IllegalArgumentException("ProgressBarListener.printAbove: other is null");
        Console c = console;
        if (c == null) {
            other.println(line);
            other.flush();
        } else {
            c.printAbove(other, line);
        }
    }

    /** The bar's console consumer, with {@link #printAbove} under the same lock as the refresh thread's drawing. */
    private static final class Console extends ConsoleProgressBarConsumer {
        private final PrintStream out;
        private String last;
        private boolean closed;

        Console(PrintStream out) {
            super(out);
            this.out = out;
        }

        @Override
        public synchronized void accept(String rendered) {
            if (closed) return;
            last = rendered;
            super.accept(rendered);
            out.flush();
        }

        @Override
        public synchronized void close() {
            closed = true;
            super.close();
        }

        synchronized void printAbove(PrintStream other, String line) {
            if (last != null && !closed) {
                out.print('\r' + " ".repeat(Math.min(last.length(), getMaxRenderedLength())) + '\r');
                out.flush();
            }
            other.println(line);
            other.flush();
            if (last != null && !closed) super.accept(last);
            out.flush();
        }
    }
}
