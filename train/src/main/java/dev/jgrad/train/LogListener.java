package dev.jgrad.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints one line per epoch (or every {@code every}-th epoch, and always the last one). Verbose (the default), the
 * line is {@link EpochMetrics#line()}, followed by the time of every listener called before it in that epoch that
 * has a {@linkplain TrainingListener#timingLabel() timing label}, e.g.
 * {@code "; metrics 0.002 s; chart 0.000 s; checkpoint 0.004 s"}; otherwise it is the 100-column
 * {@link EpochMetrics#shortLine(int)}. {@link Trainer.Builder#log(PrintStream)} adds a verbose one after every other
 * listener (standard output by default). With a {@link ProgressBarListener} in the run the line is printed above the
 * bar ({@link ProgressBarListener#printAbove}), never glued to it.
 */
public final class LogListener implements TrainingListener {
    private final PrintStream out;
    private final int every;
    private final boolean verbose;

    /** Prints the verbose line of every epoch to {@code out}. */
    public LogListener(PrintStream out) {
        this(out, 1, true);
    }

    /**
     * Prints to {@code out}.
     *
     * @param every   print epochs whose number is a multiple of {@code every} ({@code >= 1}), and the run's last epoch
     * @param verbose whether the line has the time split and the listeners' times
     */
    public LogListener(PrintStream out, int every, boolean verbose) {
        if (out == null) throw new IllegalArgumentException("LogListener: out is null");
        if (every < 1) throw new IllegalArgumentException("LogListener: every " + every + " must be >= 1");
        this.out = out;
        this.every = every;
        this.verbose = verbose;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
        if (metrics.epoch() % every != 0 && metrics.epoch() != ctx.epochs()) return;
        if (!verbose) {
            print(ctx, metrics.shortLine(ctx.epochs(), ctx.objective().scoresAccuracy()));
            return;
        }
        StringBuilder line = new StringBuilder(metrics.line());
        for (TrainingListener l : ctx.listeners()) {
            String label = l == this ? null : l.timingLabel();
            double s = ctx.epochEndSeconds(l);
            if (label != null && !Double.isNaN(s)) line.append(String.format(Locale.ROOT, "; %s %.3f s", label, s));
        }
        print(ctx, line.toString());
    }

    /** Prints the line above the run's progress bar if it has one ({@link ProgressBarListener#printAbove}). */
    private void print(TrainingContext ctx, String line) {
        for (TrainingListener l : ctx.listeners()) {
            if (l instanceof ProgressBarListener bar) {
                bar.printAbove(out, line);
                return;
            }
        }
        out.println(line);
    }
}
