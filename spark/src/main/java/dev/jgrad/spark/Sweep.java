package dev.jgrad.spark;

import dev.jgrad.core.DType;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.Trainer;
import dev.jgrad.train.plot.LineChart;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A hyperparameter sweep on Spark: one ordinary (non-barrier) task per configuration, each an ordinary single-machine
 * jgrad run ({@link Trainer} with batch {@link TrainConfig#batchPerWorker()}) on the broadcast data, the results
 * collected on the driver into one table (Markdown and CSV) and a chart of the test accuracy per epoch. A task that
 * fails is retried by Spark like any other (the run is deterministic, so a retry gives the same row); a run that
 * diverges is a row with its error instead of an accuracy.
 */
public final class Sweep {
    private Sweep() {
    }

    /**
     * One configuration's outcome.
     *
     * @param config        the options
     * @param testAccuracy  test accuracy after the last epoch (NaN for a failed run)
     * @param testLoss      test loss after the last epoch
     * @param trainLoss     training loss of the last epoch
     * @param seconds       wall time of the run in its task
     * @param accuracyCurve test accuracy per epoch
     * @param error         why the run failed (null: it did not)
     */
    public record Row(TrainConfig config, double testAccuracy, double testLoss, double trainLoss, double seconds,
                      double[] accuracyCurve, String error) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The grid: every combination of the values (outermost: learning rate, then widths, dropout, loss, dtype).
     *
     * @throws IllegalArgumentException if a list is empty or a combination is invalid
     */
    public static List<TrainConfig> grid(TrainConfig base, List<Double> lrs, List<int[]> widths, List<Double> dropouts, List<String> losses,
                                         List<String> dtypes) {
        List<TrainConfig> out = new ArrayList<>();
        for (double lr : nonEmpty(lrs, "lr"))
            for (int[] w : nonEmpty(widths, "hidden"))
                for (double d : nonEmpty(dropouts, "dropout"))
                    for (String l : nonEmpty(losses, "loss"))
                        for (String t : nonEmpty(dtypes, "dtype"))
                            out.add(base.withLr(lr).withHidden(w).withDropout(d).withLoss(l).withDtype(t));
        return out;
    }

    /**
     * A random search: {@code n} configurations, each value drawn uniformly from its list (seeded; repeats possible).
     *
     * @throws IllegalArgumentException if a list is empty or {@code n < 1}
     */
    public static List<TrainConfig> random(TrainConfig base, List<Double> lrs, List<int[]> widths, List<Double> dropouts, List<String> losses,
                                           List<String> dtypes, int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("Sweep.random: n must be >= 1, got " + n);
        SplittableRandom r = new SplittableRandom(seed);
        List<TrainConfig> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(base.withLr(pick(r, lrs, "lr")).withHidden(pick(r, widths, "hidden")).withDropout(pick(r, dropouts, "dropout"))
                    .withLoss(pick(r, losses, "loss")).withDtype(pick(r, dtypes, "dtype")));
        }
        return out;
    }

    private static <T> T pick(SplittableRandom r, List<T> values, String name) {
        return nonEmpty(values, name).get(r.nextInt(values.size()));
    }

    private static <T> List<T> nonEmpty(List<T> values, String name) {
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("Sweep: no values for " + name);
        return values;
    }

    /** Runs every configuration as one Spark task and returns the rows in the order of {@code configs}. */
    public static List<Row> run(JavaSparkContext sc, List<TrainConfig> configs, Tabular train, Tabular test) {
        if (configs == null || configs.isEmpty()) throw new IllegalArgumentException("Sweep.run: no configurations");
        Broadcast<DataSet> tr = sc.broadcast(DataSet.of(train));
        Broadcast<DataSet> te = sc.broadcast(DataSet.of(test));
        try {
            return sc.parallelize(configs, configs.size())
                    .map(c -> runOne(c, tr.value().cached(), te.value().cached())).collect();
        } finally {
            tr.destroy();
            te.destroy();
        }
    }

    /** One configuration, trained on this machine: what each task of {@link #run} does. */
    public static Row runOne(TrainConfig c, Tabular train, Tabular test) {
        long t0 = System.nanoTime();
        try {
            Sequential model = c.buildModel();
            Optimizer opt = c.buildOptimizer(model);
            Trainer t = Trainer.builder(model, opt).objective(c.objective()).epochs(c.epochs()).schedule(c.buildSchedule())
                    .clipGradNorm(c.clip()).progress(false).log(null).build();
            DType dt = c.dtypeValue();
            List<EpochMetrics> h = t.fit(new DataLoader(train, c.batchPerWorker(), true, false, c.seed(), dt),
                    new DataLoader(test, 512, false, false, c.seed(), dt));
            EpochMetrics last = h.get(h.size() - 1);
            return new Row(c, last.testAccuracy(), last.testLoss(), last.trainLoss(), (System.nanoTime() - t0) / 1e9,
                    h.stream().mapToDouble(EpochMetrics::testAccuracy).toArray(), null);
        } catch (IOException | RuntimeException e) {
            return new Row(c, Double.NaN, Double.NaN, Double.NaN, (System.nanoTime() - t0) / 1e9, new double[0],
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The rows as a Markdown table, best test accuracy first (failed runs last). */
    public static String markdown(List<Row> rows) {
        StringBuilder s = new StringBuilder("| # | lr | hidden | dropout | loss | dtype | test acc | test loss | train loss | seconds |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Row r : ranked(rows)) {
            TrainConfig c = r.config();
            s.append(String.format(Locale.ROOT, "| %d | %.3g | %s | %s | %s | %s | %s | %.4f | %.4f | %.1f |%n", i++, c.lr(), widths(c), c.dropout(), c.loss(),
                    c.dtype(), r.error() == null ? String.format(Locale.ROOT, "%.4f", r.testAccuracy()) : "failed: " + r.error().replace('|', '/'),
                    r.testLoss(), r.trainLoss(), r.seconds()));
        }
        return s.toString();
    }

    /** The rows as CSV (in the order given). */
    public static String csv(List<Row> rows) {
        StringBuilder s = new StringBuilder("lr,hidden,dropout,loss,dtype,epochs,batch,test_accuracy,test_loss,train_loss,seconds,error\n");
        for (Row r : rows) {
            TrainConfig c = r.config();
            s.append(String.format(Locale.ROOT, "%s,\"%s\",%s,\"%s\",%s,%d,%d,%s,%s,%s,%.3f,\"%s\"%n", c.lr(), widths(c), c.dropout(), c.loss(), c.dtype(),
                    c.epochs(), c.batchPerWorker(), r.testAccuracy(), r.testLoss(), r.trainLoss(), r.seconds(),
                    r.error() == null ? "" : r.error().replace('"', '\'')));
        }
        return s.toString();
    }

    /** Writes {@code sweep.md}, {@code sweep.csv} and {@code sweep.png} (test accuracy per epoch, one series per run) into {@code dir}. */
    public static void write(List<Row> rows, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sweep.md"), markdown(rows));
        Files.writeString(dir.resolve("sweep.csv"), csv(rows));
        LineChart chart = new LineChart();
        LineChart.Panel p = chart.addPanel("sweep: test accuracy per epoch").xAxis("epoch").yAxis("test accuracy");
        for (Row r : rows) {
            if (r.accuracyCurve().length == 0) continue;
            double[] x = new double[r.accuracyCurve().length];
            for (int k = 0; k < x.length; k++) x[k] = k + 1;
            p.series(r.config().describe(), x, r.accuracyCurve());
        }
        chart.writePng(dir.resolve("sweep.png"));
    }

    private static List<Row> ranked(List<Row> rows) {
        List<Row> r = new ArrayList<>(rows);
        r.sort((a, b) -> Double.compare(Double.isNaN(b.testAccuracy()) ? -1 : b.testAccuracy(), Double.isNaN(a.testAccuracy()) ? -1 : a.testAccuracy()));
        return r;
    }

    private static String widths(TrainConfig c) {
        StringBuilder s = new StringBuilder();
        for (int w : c.hidden()) s.append(s.length() == 0 ? "" : ",").append(w);
        return s.toString();
    }
}
