package dev.jgrad.train;

import dev.jgrad.train.plot.LineChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws {@code training.png} in a directory: two panels, the train and test loss, and the train and test accuracy,
 * over the epochs of the run's history, titled with the run's name (by default the directory's name). The loss axis
 * is logarithmic when the losses are positive and span more than a factor of {@value #LOG_SPAN} (a first epoch far
 * above the rest no longer flattens the curve); a non-finite loss is marked at the top of its panel, not dropped. Drawing takes longer than a fast epoch's bookkeeping, so the chart is
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

    /** The ratio of the largest to the smallest loss above which the loss axis is logarithmic. */
    public static final double LOG_SPAN = 20;

    private final Path dir;
    private final double intervalSeconds;
    private final String runName;
    private long lastDraw;
    private int drawnEpochs;

    /** Draws into {@code dir} with the default redraw interval. */
    public ChartListener(Path dir) {
        this(dir, DEFAULT_INTERVAL_SECONDS);
    }

    /** Draws into {@code dir} (created at the start of a fit if needed), redrawing at most every {@code intervalSeconds} before the last epoch. */
    public ChartListener(Path dir, double intervalSeconds) {
        this(dir, intervalSeconds, dir == null || dir.toAbsolutePath().getFileName() == null ? "" : dir.toAbsolutePath().getFileName().toString());
    }

    /**
     * Draws into {@code dir}, redrawing at most every {@code intervalSeconds} before the last epoch, with panel titles
     * naming the run {@code runName}.
     *
     * @param dir             the directory (created at the start of a fit if needed)
     * @param intervalSeconds minimum time between two redraws before the last epoch, {@code >= 0}
     * @param runName         the run's name in the titles (empty: none)
     */
    public ChartListener(Path dir, double intervalSeconds, String runName) {
        if (dir == null) throw new IllegalArgumentException("ChartListener: dir is null");
        if (!(intervalSeconds >= 0)) throw new IllegalArgumentException("ChartListener: interval " + intervalSeconds + " s must be >= 0");
        if (runName == null) throw new IllegalArgumentException("ChartListener: runName is null");
        this.dir = dir;
        this.intervalSeconds = intervalSeconds;
        this.runName = runName;
    }

    /**
     * The figure for a history: loss and accuracy panels (see the class comment).
     *
     * @param history the epochs so far
     * @param lossName the objective's name, shown in the loss panel's title
     * @param runName  the run's name (empty: none)
     * @return the figure
     */
    public static LineChart figure(List<EpochMetrics> history, String lossName, String runName) {
        int n = history.size();
        double[] x = new double[n], trl = new double[n], tel = new double[n], tra = new double[n], tea = new double[n];
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        boolean positive = true;
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            x[i] = m.epoch();
            trl[i] = m.trainLoss();
            tel[i] = m.testLoss();
            tra[i] = m.trainAccuracy();
            tea[i] = m.testAccuracy();
            for (double v : new double[] {trl[i], tel[i]}) {
                if (!Double.isFinite(v)) continue;
                if (v <= 0) positive = false;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        boolean log = positive && lo > 0 && hi / lo > LOG_SPAN;
        String suffix = runName.isEmpty() ? "" : " — " + runName;
        LineChart chart = new LineChart();
        chart.addPanel("Loss (" + lossName + ")" + suffix).xAxis("epoch").yAxis(log ? "loss (log scale)" : "loss").logY(log)
                .series("train", x, trl).series("test", x, tel);
        chart.addPanel("Accuracy" + suffix).xAxis("epoch").yAxis("accuracy").series("train", x, tra).series("test", x, tea);
        return chart;
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
        figure(history, ctx.objective().name(), runName).writePng(dir.resolve(PNG));
        lastDraw = System.nanoTime();
        drawnEpochs = history.size();
    }

    /** The run's name in the panel titles (by default the directory's name). */
    public String runName() {
        return runName;
    }

    /** {@code "chart"}. */
    @Override
    public String timingLabel() {
        return "chart";
    }
}
