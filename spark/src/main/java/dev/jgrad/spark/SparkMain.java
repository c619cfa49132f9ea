package dev.jgrad.spark;

import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.Model;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The entry point of the Spark module: {@code train --spark MASTER} (synchronous data-parallel training) and
 * {@code sweep} (one run per configuration). {@code ./jgrad} routes every invocation with {@code --spark} and every
 * {@code sweep} here; on a cluster, {@code spark-submit --class dev.jgrad.spark.SparkMain jgrad-spark.jar train ...}.
 * The options and defaults of the data and the model are those of {@code ./jgrad train}.
 */
@Command(name = "jgrad", mixinStandardHelpOptions = true, version = "jgrad-spark 0.1.0",
        description = "jgrad on Apache Spark: data-parallel training and hyperparameter sweeps.",
        subcommands = {SparkMain.Train.class, SparkMain.SweepCommand.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line; exit code 2 for bad input. */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("jgrad: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, pr) -> {
            System.out.flush();
            boolean usage = ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof DatasetNotFoundException;
            c.getErr().println("jgrad: " + (usage ? "" : "error: " + ex.getClass().getSimpleName() + ": ") + ex.getMessage());
            if (!usage) ex.printStackTrace(c.getErr());
            return usage ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

    /** The data set and model options shared by both commands (the names and defaults of {@code ./jgrad train}). */
    static final class Common {
        @Option(names = "--spark", paramLabel = "MASTER", description = "Spark master: local[N], local[N,F] (F task failures allowed), local-cluster[...], spark://HOST:PORT, yarn... (default: the one spark-submit sets, else local[2]).")
        String master;

        @Option(names = "--dataset", description = "digits (default), iris or fashion-mnist.", defaultValue = "digits")
        String dataset;

        @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE}).", defaultValue = "/usr/share/datasets/fashion-mnist")
        Path dataDir;

        @Option(names = "--model", description = "mlp (default) or cnn.", defaultValue = "mlp")
        String model;

        @Option(names = "--activation", defaultValue = "relu", description = "relu (default), gelu, tanh or sigmoid.")
        String activation;

        @Option(names = "--optimizer", description = "sgd, adam or adamw (default per data set).")
        String optimizer;

        @Option(names = "--weight-decay", description = "Weight decay (AdamW default 1e-4).")
        Double weightDecay;

        @Option(names = "--schedule", defaultValue = "cosine", description = "Learning-rate schedule (as ./jgrad train; default cosine).")
        String schedule;

        @Option(names = "--epochs", description = "Epochs (default per data set).")
        Integer epochs;

        @Option(names = "--batch-size", description = "Global batch size (train: split evenly over the workers; sweep: per run). Default per data set.")
        Integer batch;

        @Option(names = "--seed", defaultValue = "42", description = "Seed (default 42).")
        long seed;

        @Option(names = "--clip", defaultValue = "0", description = "Gradient-norm clip (0 = off).")
        double clip;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<dataset>-spark-<command>).")
        Path out;

        /** Defaults of a data set: hidden widths, optimizer, learning rate (AdamW), epochs, batch, dropout (those of ./jgrad train). */
        record Preset(int[] hidden, String optimizer, double lr, int epochs, int batch, double dropout) {
        }

        Preset preset() {
            switch (dataset) {
                case "digits": return new Preset(new int[]{128, 64}, "adamw", 2e-3, 30, 32, 0.0);
                case "iris": return new Preset(new int[]{16}, "adamw", 1e-2, 60, 16, 0.0);
                case "fashion-mnist": return new Preset(new int[]{256, 128}, "adamw", 1e-3, 20, 128, 0.2);
                default: throw new IllegalArgumentException("--dataset " + dataset + ": the Spark module trains digits, iris or fashion-mnist");
            }
        }

        /** The scaler of a bundled set's features (stored with the model), once {@link #load} ran; null for Fashion-MNIST. */
        Standardizer scaler;

        /** The train and test rows as {@code ./jgrad train} prepares them (bundled sets: seeded 80/20 split, standardised). */
        Tabular[] load() throws IOException {
            if (dataset.equals("fashion-mnist")) return new Tabular[]{Datasets.fashionMnist(dataDir, true), Datasets.fashionMnist(dataDir, false)};
            Tabular all = dataset.equals("digits") ? Datasets.digits() : Datasets.iris();
            Split split = Split.stratified(all, 0.2, seed);
            Standardizer s = Standardizer.fit(split.train());
            scaler = s;
            return new Tabular[]{s.transform(split.train()), s.transform(split.test())};
        }

        /** The run's options for {@code train} rows; {@code batch} is the batch of one worker. */
        TrainConfig config(Tabular train, int[] hidden, double lr, double dropout, String loss, String dtype, int perWorker) {
            Preset p = preset();
            return new TrainConfig(model.toLowerCase(Locale.ROOT), train.numFeatures(), hidden, activation, dropout, train.numClasses(), false, loss, dtype,
                    optimizer != null ? optimizer.toLowerCase(Locale.ROOT) : p.optimizer(), lr, weightDecay != null ? weightDecay : Double.NaN, schedule,
                    epochs != null ? epochs : p.epochs(), perWorker, seed, clip);
        }

        JavaSparkContext context(String app) {
            SparkConf conf = new SparkConf().setAppName(app);
            if (master != null) conf.setMaster(master);
            else if (!conf.contains("spark.master")) conf.setMaster("local[2]");
            conf.setIfMissing("spark.ui.showConsoleProgress", "false");
            JavaSparkContext sc = new JavaSparkContext(conf);
            sc.setLogLevel("WARN");
            return sc;
        }

        Path outDir(String command) {
            return out != null ? out : Path.of("runs", dataset + "-spark-" + command);
        }
    }

    /** Slots of a local master ({@code local[N]}, {@code local[N,F]}; {@code local[*]}: the processors), else 0. */
    static int localSlots(String master) {
        if (master == null) return 0;
        Matcher m = Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        if (master.equals("local")) return 1;
        Matcher c = Pattern.compile("local-cluster\\[(\\d+),(\\d+),\\d+]").matcher(master);
        if (c.matches()) return Integer.parseInt(c.group(1)) * Integer.parseInt(c.group(2));
        return 0;
    }

    /** {@code train --spark MASTER}: synchronous data-parallel training. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Data-parallel training: one replica per worker, gradients averaged every step (barrier stages, allGather).")
    static final class Train implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--workers", description = "Replicas (default: the slots of a local master, else 2).")
        Integer workers;

        @Option(names = "--hidden", split = ",", description = "Hidden widths (default per data set).")
        int[] hidden;

        @Option(names = "--lr", description = "Learning rate (default per data set).")
        Double lr;

        @Option(names = "--dropout", description = "Dropout (default per data set).")
        Double dropout;

        @Option(names = "--loss", defaultValue = "fused", description = "fused (default), max_shift, naive, eps_clamp(EPS) or mse.")
        String loss;

        @Option(names = "--dtype", defaultValue = "float32", description = "float32 (default) or float64.")
        String dtype;

        @Option(names = "--average-every", paramLabel = "K", defaultValue = "0", description = "Parameter averaging every K local steps instead of gradient averaging every step (0, the default).")
        int averageEvery;

        @Option(names = "--steps-per-stage", paramLabel = "S", defaultValue = "0", description = "Steps per barrier stage (0: one epoch); a failed stage is rerun from its start.")
        int stepsPerStage;

        @Option(names = "--no-barrier-wakeup", description = "Leave Spark's once-a-second check of the barrier reply (slow; for measurements).")
        boolean slowBarrier;

        @Override
        public Integer call() throws Exception {
            Common.Preset p = common.preset();
            int n = workers != null ? workers : Math.max(1, localSlots(common.master) > 0 ? localSlots(common.master) : 2);
            int batch = common.batch != null ? common.batch : p.batch();
            if (n < 1) throw new IllegalArgumentException("--workers must be >= 1, got " + n);
            if (batch % n != 0) throw new IllegalArgumentException("--batch-size " + batch + " is not divisible by " + n + " workers");
            Tabular[] d = common.load();
            TrainConfig c = common.config(d[0], hidden != null ? hidden : p.hidden(), lr != null ? lr : p.lr(), dropout != null ? dropout : p.dropout(),
                    loss, dtype, batch / n);
            Path dir = common.outDir("train");
            Files.createDirectories(dir);
            Map<String, String> opts = options(c, batch);
            Map<String, String> meta = new LinkedHashMap<>();
            opts.forEach((k, v) -> meta.put(Model.OPTION_PREFIX + k, v));
            System.out.printf(Locale.ROOT, "jgrad train --spark: %s (%d train / %d test), %s, %d workers × batch %d = %d, %s lr %.3g, %d epochs, %s%n",
                    common.dataset, d[0].size(), d[1].size(), c.architecture().describe(), n, batch / n, batch, c.optimizer(), c.lr(), c.epochs(),
                    averageEvery == 0 ? "gradient averaging every step" : "parameter averaging every " + averageEvery + " steps");
            StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER + "\n");
            try (JavaSparkContext sc = common.context("jgrad train")) {
                long t0 = System.nanoTime();
                DataParallelTrainer.Result r = new DataParallelTrainer(sc, c, n).averageEvery(averageEvery).stepsPerStage(stepsPerStage)
                        .wakeBarrier(!slowBarrier).checkpoint(dir.resolve("checkpoint.safetensors"), meta)
                        .onEpoch(m -> {
                            System.out.println(m.shortLine(c.epochs()));
                            csv.append(m.csv()).append('\n');
                        }).fit(d[0], d[1]);
                double total = (System.nanoTime() - t0) / 1e9;
                Files.writeString(dir.resolve("metrics.csv"), csv);
                Model.classifier(c.architecture(), r.model(), d[0].classNames()).scaler(common.scaler).trainingOptions(opts).build().save(dir.resolve(Model.FILE_NAME));
                EpochMetrics last = r.history().get(r.history().size() - 1);
                System.out.printf(Locale.ROOT, "synchronized step: %.2f ms (allGather %.2f ms), %.0f bytes sent per worker per step, state %d bytes; %d stages, %d attempts%n",
                        r.stepSeconds() * 1e3, r.gatherSeconds() * 1e3, r.bytesPerStep(), r.stateBytes(), r.stages(), r.stageAttempts());
                System.out.println("metrics, checkpoint and model in " + dir);
                System.out.printf(Locale.ROOT, "final test accuracy %.4f (test loss %.4f) after %d epochs, %.1f s total%n", last.testAccuracy(), last.testLoss(),
                        last.epoch(), total);
            }
            return 0;
        }

        private Map<String, String> options(TrainConfig c, int batch) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("dataset", common.dataset);
            o.put("model", c.model());
            if (common.dataset.equals("fashion-mnist")) o.put("data", common.dataDir.toString());
            o.put("seed", Long.toString(c.seed()));
            o.put("dtype", c.dtypeValue().toString());
            o.put("hidden", String.join(",", Arrays.stream(c.hidden()).mapToObj(Integer::toString).toList()));
            o.put("activation", c.activation());
            o.put("dropout", Double.toString(c.dropout()));
            o.put("task", "classification");
            o.put("loss", c.loss());
            o.put("optimizer", c.optimizer());
            o.put("lr", Double.toString(c.lr()));
            if (!Double.isNaN(c.weightDecay())) o.put("weight-decay", Double.toString(c.weightDecay()));
            o.put("schedule", c.schedule());
            o.put("epochs", Integer.toString(c.epochs()));
            o.put("batch-size", Integer.toString(batch));
            o.put("clip", Double.toString(c.clip()));
            return o;
        }
    }

    /** {@code sweep}: a grid or random search, one Spark task per configuration. */
    @Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Hyperparameter sweep: every combination of the listed values (or --random N draws), one run per Spark task; writes sweep.md, sweep.csv, sweep.png.")
    static final class SweepCommand implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--lr", split = ",", description = "Learning rates (default: the data set's).")
        List<Double> lrs;

        @Option(names = "--hidden", split = ";", description = "Hidden widths, ';' between choices: 128,64;256 (default: the data set's).")
        List<String> hidden;

        @Option(names = "--dropout", split = ",", description = "Dropouts (default: the data set's).")
        List<Double> dropouts;

        @Option(names = "--loss", split = ";", description = "Losses, ';' between choices (default fused).")
        List<String> losses;

        @Option(names = "--dtype", split = ",", description = "float32 and/or float64 (default float32).")
        List<String> dtypes;

        @Option(names = "--random", paramLabel = "N", description = "Draw N configurations at random (seeded) instead of the full grid.")
        Integer random;

        @Override
        public Integer call() throws Exception {
            Common.Preset p = common.preset();
            int batch = common.batch != null ? common.batch : p.batch();
            List<int[]> widths = new ArrayList<>();
            for (String h : hidden != null ? hidden : List.of(String.join(",", Arrays.stream(p.hidden()).mapToObj(Integer::toString).toList()))) {
                try {
                    widths.add(Arrays.stream(h.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--hidden '" + h + "': expected widths like 128,64");
                }
            }
            Tabular[] d = common.load();
            TrainConfig base = common.config(d[0], widths.get(0), p.lr(), p.dropout(), "fused", "float32", batch);
            List<Double> l = lrs != null ? lrs : List.of(p.lr());
            List<Double> dr = dropouts != null ? dropouts : List.of(p.dropout());
            List<String> lo = losses != null ? losses : List.of("fused");
            List<String> dt = dtypes != null ? dtypes : List.of("float32");
            List<TrainConfig> configs = random != null ? Sweep.random(base, l, widths, dr, lo, dt, random, common.seed) : Sweep.grid(base, l, widths, dr, lo, dt);
            System.out.printf(Locale.ROOT, "jgrad sweep: %d configurations of %s on %s (%d train / %d test), batch %d, %d epochs each%n", configs.size(),
                    common.model, common.dataset, d[0].size(), d[1].size(), batch, base.epochs());
            try (JavaSparkContext sc = common.context("jgrad sweep")) {
                long t0 = System.nanoTime();
                List<Sweep.Row> rows = Sweep.run(sc, configs, d[0], d[1]);
                Path dir = common.outDir("sweep");
                Sweep.write(rows, dir);
                System.out.print(Sweep.markdown(rows));
                System.out.printf(Locale.ROOT, "%d runs in %.1f s; table, CSV and chart in %s (sweep.md, sweep.csv, sweep.png)%n", rows.size(),
                        (System.nanoTime() - t0) / 1e9, dir);
            }
            return 0;
        }
    }
}
