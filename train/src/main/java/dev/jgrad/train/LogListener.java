package dev.jgrad.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints one line per epoch: {@link EpochMetrics#line()}, followed by the time of every listener called before
 * it in that epoch that has a {@linkplain TrainingListener#timingLabel() timing label}, e.g.
 * {@code "; metrics 0.002 s; chart 0.000 s; checkpoint 0.004 s"}. {@link Trainer.Builder#log(PrintStream)} adds
 * one after every other listener (standard output by default).
 */
public final class LogListener implements TrainingListener {
    private final PrintStream out;

    /** Prints to {@code out}. */
    public LogListener(PrintStream out) {
        if (out == null) throw new IllegalArgumentException("LogListener: out is null");
        this.out = out;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
        StringBuilder line = new StringBuilder(metrics.line());
        for (TrainingListener l : ctx.listeners()) {
            String label = l == this ? null : l.timingLabel();
            double s = ctx.epochEndSeconds(l);
            if (label != null && !Double.isNaN(s)) line.append(String.format(Locale.ROOT, "; %s %.3f s", label, s));
        }
        out.println(line.toString());
    }
}
