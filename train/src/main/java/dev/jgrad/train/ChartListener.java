package dev.jgrad.train;

import dev.jgrad.train.plot.LineChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws {@code training.png} in a directory: two panels, the train and test loss, and the train and test accuracy,
 * over the epochs of the run's history. Drawing takes longer than a fast epoch's bookkeeping, so the chart is
 * redrawn after the last epoch and after any epoch that ends at least the redraw interval
 * ({@value #DEFAULT_INTERVAL_SECONDS} s by default) after the chart was last drawn (or the fit started), and once
 * more when the fit ends with epochs not yet drawn (a stop request, an exception).
 * {@link Trainer.Builder#outDir(Path)} adds one. Uses XChart ({@link LineChart}).
 */
public final class ChartListener implements TrainingListener {
    /** Default minimum time between two redraws before the last epoch. */
    public static final double DEFAULT_INTERVAL_SECONDS = 10;
    /** The chart file's name. */
    public static final String PNG = "training.png";

    private final Path dir;
    private final double intervalSeconds;
    private long lastDraw;
    private int drawnEpochs;

    /** Draws into {@code dir} with the default redraw interval. */
    public ChartListener(Path dir) {
        this(dir, DEFAULT_INTERVAL_SECONDS);
    }

    /** Draws into {@code dir} (created at the start of a fit if needed), redrawing at most every {@code intervalSeconds} before the last epoch. */
    public ChartListener(Path dir, double intervalSeconds) {
        if (dir == null) throw new IllegalArgumentException("ChartListener: dir is null");
        if (!(intervalSeconds >= 0)) throw new IllegalArgumentException("ChartListener: interval " + intervalSeconds + " s must be >= 0");
        this.dir = dir;
        this.intervalSeconds = intervalSeconds;
    }

    @Override
    public void onFitStart(TrainingContext ctx) throws IOException {
        Files.createDirectories(dir);
        lastDraw = System.nanoTime();
        drawnEpochs = ctx.history().size();
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
        if (metrics.epoch() == ctx.epochs() || System.nanoTime() - lastDraw >= intervalSeconds * 1e9) draw(ctx);
    }

    @Override
    public void onFitEnd(TrainingContext ctx) throws IOException {
        if (ctx.history().size() != drawnEpochs) draw(ctx);
    }

    private void draw(TrainingContext ctx) throws IOException {
        List<EpochMetrics> history = ctx.history();
        int n = history.size();
        double[] x = new double[n], trl = new double[n], tel = new double[n], tra = new double[n], tea = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            x[i] = m.epoch();
            trl[i] = m.trainLoss();
            tel[i] = m.testLoss();
            tra[i] = m.trainAccuracy();
            tea[i] = m.testAccuracy();
        }
        LineChart chart = new LineChart();
        chart.addPanel("Loss (" + ctx.objective().name() + ")").xAxis("epoch").yAxis("loss").series("train", x, trl).series("test", x, tel);
        chart.addPanel("Accuracy").xAxis("epoch").yAxis("accuracy").series("train", x, tra).series("test", x, tea);
        chart.writePng(dir.resolve(PNG));
        lastDraw = System.nanoTime();
        drawnEpochs = n;
    }

    /** {@code "chart"}. */
    @Override
    public String timingLabel() {
        return "chart";
    }
}
