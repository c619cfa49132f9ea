package dev.jgrad.cli;

import dev.jgrad.core.DType;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.ImageAugmentation;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.train.Architecture;
import dev.jgrad.train.BestCheckpointListener;
import dev.jgrad.train.CheckpointListener;
import dev.jgrad.train.ClassificationMetrics;
import dev.jgrad.train.EarlyStoppingListener;
import dev.jgrad.train.DivergenceListener;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.LogListener;
import dev.jgrad.train.Model;
import dev.jgrad.train.Objective;
import dev.jgrad.train.RegressionMetrics;
import dev.jgrad.train.Trainer;
import dev.jgrad.train.TrainingDivergedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jgrad train}: trains an MLP and prints per-epoch progress and the final test accuracy. With no
 * options it trains on the bundled digits data set (seeded 80/20 stratified split).
 *
 * <p>Every run writes its metrics ({@code metrics.csv}, {@code metrics.json}), its chart ({@code training.png}) and a
 * checkpoint after every epoch ({@code checkpoint.safetensors}) into a run directory, {@code runs/<name>} by default,
 * and prints it; at the end it writes the trained model there ({@code model.safetensors}, a {@link Model}: architecture, scaler,
 * class names and these options with the weights) for {@code jgrad predict}. Every option is checked before any data is loaded: a bad one is one line on standard error and exit
 * code 2. A diverging run (a non-finite loss) stops with one line naming the epoch, the step and what became
 * non-finite (exit code 1); its checkpoint still holds the last good epoch.
 *
 * <p>The checkpoint's metadata holds the run's options ({@value #OPTION_PREFIX}{@code <option>}), so {@code --resume
 * FILE} alone continues the run. An option given together with {@code --resume} must agree with the stored one, except
 * with {@code --override}, and {@code --epochs}, which may change the total: the learning-rate schedule is then
 * computed for the new total (the remaining epochs follow the new curve, e.g. a cosine schedule stretched to the new
 * length), and the command says so.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an MLP (default: the bundled digits data set) and report test accuracy.")
public final class TrainCommand implements Callable<Integer> {
    /** Checkpoint metadata prefix of the run's options. */
    static final String OPTION_PREFIX = "jgrad.train.";
    /** Name of the checkpoint in a run directory. */
    static final String CHECKPOINT_FILE = "checkpoint.safetensors";
    /** Name of the best epoch's checkpoint in a run directory (with --val-split). */
    static final String BEST_FILE = "best.safetensors";
    /** Name of the test confusion matrix in a run directory (classification). */
    static final String CONFUSION_FILE = "confusion.csv";
    /** What {@code --skip-nonfinite} without a number stands for. */
    static final String SKIP_ALL = "unlimited";
    /** The data sets. */
    static final List<String> DATASETS = List.of("digits", "fashion-mnist", "breast-cancer", "iris", "diabetes");

    @Spec
    CommandSpec spec;

    /** The run directory, once chosen. */
    private Path runDir;

    @Option(names = "--dataset", description = "digits (default), fashion-mnist, breast-cancer, iris or diabetes (regression).", defaultValue = "digits")
    String dataset;

    @Option(names = "--task", description = "classification or regression (default: what the data set is).")
    String task;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE}).", defaultValue = "/usr/share/datasets/fashion-mnist")
    Path dataDir;

    @Option(names = "--model", description = "mlp (default) or cnn (two conv-BN-ReLU-maxpool blocks, then 128 hidden units; square images only); with --dataset words: transformer (the default there; --data FILE: one word per line).", defaultValue = "mlp")
    String modelName;

    @Option(names = "--loss", description = "Classification: fused (default), max_shift, naive, eps_clamp(EPS) or mse (breast-cancer always uses BCE with logits); regression: mse (default), l1 or huber[:DELTA] (default 1).")
    String loss;

    @Option(names = "--optimizer", description = "sgd (momentum 0.9, Nesterov), adam or adamw. Default per data set.")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (> 0). Default per data set and optimizer.")
    Double lr;

    @Option(names = "--weight-decay", description = "Weight decay (>= 0; AdamW default 1e-4; SGD/Adam L2 default 0).")
    Double weightDecay;

    @Option(names = "--schedule", description = "constant, step[:SIZE[:GAMMA]], multistep:M1,M2[:GAMMA], exp:GAMMA, cosine[:ETA_MIN], cosine-restarts:T0[:TMULT[:ETA_MIN]], "
            + "warmup:N[:START]+cosine[:ETA_MIN], onecycle[:MAXLR[:PCT]] or plateau[:FACTOR[:PATIENCE[:COOLDOWN[:MIN_LR]]]] (default cosine).", defaultValue = "cosine")
    String schedule;

    @Option(names = "--epochs", description = "Epochs (with --resume: the new total). Default per data set.")
    Integer epochs;

    @Option(names = "--batch-size", description = "Mini-batch size. Default per data set.")
    Integer batchSize;

    @Option(names = "--seed", description = "Seed of the split, initialisation, shuffling and dropout (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--dtype", description = "float32 (default) or float64.", defaultValue = "float32")
    String dtype;

    @Option(names = "--hidden", split = ",", description = "Hidden layer widths, e.g. 256,128. Default per data set.")
    int[] hidden;

    @Option(names = "--activation", description = "relu (default), gelu, tanh or sigmoid.", defaultValue = "relu")
    String activation;

    @Option(names = "--dropout", description = "Dropout after each hidden layer. Default per data set.")
    Double dropout;

    @Option(names = "--augment", paramLabel = "SPEC", description = "Random transforms of the training images (square images): none, "
            + "or a comma-separated list of flip (left-right, p = 0.5), flip=P, shift=K (up to K pixels each way, zero fill). "
            + "Default: " + CNN_FASHION_AUGMENT + " for --model cnn on fashion-mnist, else none.")
    String augment;

    @Option(names = "--clip", description = "Clip gradients to this global norm (>= 0; 0 = off).", defaultValue = "0")
    double clip;

    @Option(names = "--skip-nonfinite", paramLabel = "N", arity = "0..1", fallbackValue = SKIP_ALL,
            description = "Skip a batch whose loss is NaN or infinite (no optimizer step; counted in the epoch line and the metrics) instead of stopping, at most N times (no N: no limit); the next one stops the run.")
    String skipNonFinite;

    @Option(names = "--val-split", paramLabel = "F", description = "Hold out this fraction of the training rows (stratified) for validation: the epochs are evaluated on it, the best epoch is kept (best.safetensors) and tested at the end.")
    Double valSplit;

    @Option(names = "--patience", paramLabel = "N", description = "With --val-split: stop when the validation loss has not improved for N epochs.")
    Integer patience;

    @Option(names = "--top-k", paramLabel = "K", description = "Report top-K test accuracy (default ${DEFAULT-VALUE}).", defaultValue = "5")
    int topK;

    @Option(names = "--name", description = "Name of the run: its directory is runs/NAME (default: the data set and the time).")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory for metrics.csv, metrics.json, training.png and the checkpoint (default runs/NAME).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint written after every epoch (default DIR/" + CHECKPOINT_FILE + ").")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue the run of this checkpoint (its options are stored in it).")
    Path resume;

    @Option(names = "--override", description = "With --resume: let given options replace the checkpoint's.")
    boolean override;

    @Option(names = "--log-every", paramLabel = "N", description = "Print every N-th epoch (and the last; default ${DEFAULT-VALUE}).", defaultValue = "1")
    int logEvery;

    @Option(names = "--verbose", description = "Epoch lines with the time split, and the epoch time summary.")
    boolean verbose;

    @Option(names = "--quiet", description = "Print only the final line.")
    boolean quiet;

    @Mixin
    WordsTraining words = new WordsTraining();

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when stderr is a terminal).")
    Boolean progress;

    /** Defaults of one data set. */
    record Preset(int[] hidden, String optimizer, double lrSgd, double lrAdam, int epochs, int batch, double dropout, boolean binary,
                  boolean regression) {
        Preset(int[] hidden, String optimizer, double lrSgd, double lrAdam, int epochs, int batch, double dropout, boolean binary) {
            this(hidden, optimizer, lrSgd, lrAdam, epochs, batch, dropout, binary, false);
        }
    }

    /** Epochs and dropout of {@code --model cnn} (the other defaults are the data set's). */
    static final int CNN_EPOCHS = 20;
    static final double CNN_DROPOUT = 0.25;
    /** The default {@code --augment} of {@code --model cnn} on Fashion-MNIST (clothes are left-right symmetric; digits are not). */
    static final String CNN_FASHION_AUGMENT = "flip";

    /**
     * Whether standard error is a terminal (the progress bar's default): the launcher says so in the system property
     * {@code jgrad.stderr.tty} (it may pipe standard output and error through one filter, so the JVM cannot tell);
     * without it, whether the JVM has a console.
     */
    static boolean stderrIsTerminal() {
        String tty = System.getProperty("jgrad.stderr.tty");
        return tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
    }

    static Preset preset(String dataset) {
        switch (dataset) {
            case "digits": return new Preset(new int[]{128, 64}, "adamw", 0.05, 2e-3, 30, 32, 0.0, false);
            case "iris": return new Preset(new int[]{16}, "adamw", 0.05, 1e-2, 60, 16, 0.0, false);
            case "breast-cancer": return new Preset(new int[]{16}, "adamw", 0.05, 2e-3, 40, 32, 0.0, true);
            case "fashion-mnist": return new Preset(new int[]{256, 128}, "adamw", 0.05, 1e-3, 20, 128, 0.2, false);
            case "diabetes": return new Preset(new int[]{8}, "adamw", 0.01, 3e-3, 100, 32, 0.0, false, true);
            default: throw new Main.UsageException("unknown data set '" + dataset + "': expected " + String.join(", ", DATASETS));
        }
    }

    /** The options of a run after the presets, every one checked. */
    private record Run(Preset preset, DType dtype, int[] widths, Activation.Kind activation, int epochs, int batch,
                       double dropout, String optimizer, double lr, Objective objective, LrSchedule schedule, boolean regression,
                       String loss) {
    }

    @Override
    public Integer call() throws Exception {
        if (dataset.equals("words") && skipNonFinite != null) {
            throw new Main.UsageException("--skip-nonfinite applies to the epoch-based runs, not to --dataset words");
        }
        if (dataset.equals("words")) return words.run(this, modelName.equalsIgnoreCase("mlp") ? null : modelName.toLowerCase(Locale.ROOT));
        if (logEvery < 1) throw new Main.UsageException("--log-every must be >= 1, got " + logEvery);
        if (topK < 1) throw new Main.UsageException("--top-k must be >= 1, got " + topK);
        int skipLimit = skipLimit();
        int epochsDone = 0;
        Integer storedEpochs = null;
        if (resume != null) {
            Map<String, String> stored = readOptions(resume);
            storedEpochs = stored.containsKey("epochs") ? Integer.valueOf(stored.get("epochs")) : null;
            adopt(stored);
            try {
                epochsDone = Integer.parseInt(SafeTensors.readHeader(resume).metadata().getOrDefault(Trainer.EPOCHS_COMPLETED_KEY, "0"));
            } catch (NumberFormatException e) {
                throw new Main.UsageException("--resume: " + resume + " has no valid " + Trainer.EPOCHS_COMPLETED_KEY + " entry");
            }
        }
        Run r = check();
        if (resume != null && r.epochs() <= epochsDone) {
            throw new Main.UsageException("--epochs " + r.epochs() + ": the checkpoint " + resume + " has already completed " + epochsDone
                    + " epochs (give a larger --epochs to extend the run)");
        }
        Path dir = runDirectory();
        runDir = dir;
        Path ckpt = checkpoint != null ? checkpoint : resume != null ? resume : dir.resolve(CHECKPOINT_FILE);
        writable(dir, "--out");
        writableFile(ckpt, "--checkpoint");

        Tabular train, test, val = null;
        double[] targetStd = null;
        Standardizer scaler = null, targetScaler = null; // stored with the model
        try {
            if (dataset.equals("fashion-mnist")) {
                train = Datasets.fashionMnist(dataDir, true);
                test = Datasets.fashionMnist(dataDir, false);
                if (valSplit != null) {
                    Split v = Split.stratified(train, valSplit, seed);
                    train = v.train();
                    val = v.test();
                }
            } else {
                Tabular all = bundled(dataset);
                Split split = Split.stratified(all, 0.2, seed); // a regression set has one class: a seeded random split
                Tabular rest = split.train();
                if (valSplit != null) {
                    Split v = Split.stratified(rest, valSplit, seed);
                    rest = v.train();
                    val = v.test();
                }
                Standardizer s = Standardizer.fit(rest);
                scaler = s;
                train = s.transform(rest);
                test = s.transform(split.test());
                if (val != null) val = s.transform(val);
                if (r.regression()) {
                    // targets standardised with the training rows' mean and deviation; RMSE and MAE are reported in their units
                    double[][] ms = meanStd(train);
                    targetStd = ms[1];
                    targetScaler = Standardizer.of(ms[0], ms[1]);
                    train = train.withTargets(standardized(train, ms), train.numTargets());
                    test = test.withTargets(standardized(test, ms), test.numTargets());
                    if (val != null) val = val.withTargets(standardized(val, ms), val.numTargets());
                }
            }
        } catch (DatasetNotFoundException e) {
            throw new Main.UsageException(e.getMessage());
        }

        Preset p = r.preset();
        int outputs = r.regression() ? train.numTargets() : p.binary() ? 1 : train.numClasses();
        boolean cnn = isCnn();
        int side = (int) Math.round(Math.sqrt(train.numFeatures()));
        if (cnn && (r.regression() || side * side != train.numFeatures() || side % 4 != 0)) {
            throw new Main.UsageException("--model cnn needs square images with a side divisible by 4; " + dataset + " has "
                    + train.numFeatures() + " features" + (r.regression() ? " and is a regression data set" : ""));
        }
        String augmentSpec = augment != null ? augment : cnn && dataset.equals("fashion-mnist") ? CNN_FASHION_AUGMENT : "none";
        ImageAugmentation augmentation;
        try {
            augmentation = ImageAugmentation.parse(augmentSpec, 1, side, side);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--augment: " + e.getMessage());
        }
        if (!augmentation.isIdentity() && side * side != train.numFeatures()) {
            throw new Main.UsageException("--augment needs square images; " + dataset + " has " + train.numFeatures() + " features");
        }
        augment = augmentation.toString();
        // the network as Cnn.small or Mlp.builder builds it, described so that the model file can rebuild it
        Architecture network = cnn ? Architecture.cnn(1, side, side, 32, 64, 128, r.dropout(), outputs)
                : Architecture.mlp(train.numFeatures(), r.widths(), r.activation(), r.dropout(), outputs);
        Sequential model = network.build(r.dtype(), seed);
        Optimizer optim = optimizer(r.optimizer(), model, r.lr());
        Objective objective = r.objective();
        if (!quiet) {
            String arch = cnn ? String.format(Locale.ROOT, "CNN %dx%d conv32-conv64-fc128-%d (%,d parameters)", side, side, outputs, model.parameterCount())
                    : String.format(Locale.ROOT, "MLP %d-%s-%d %s", train.numFeatures(),
                    Arrays.toString(r.widths()).replaceAll("[\\[\\] ]", "").replace(',', '-'), outputs, activation);
            System.out.printf("jgrad train: %s (%d train / %d test, %d features, %s), %s%n  %s lr %.3g, %s schedule, batch %d, %d epochs, %s, seed %d%n",
                    dataset, train.size(), test.size(), train.numFeatures(),
                    r.regression() ? train.numTargets() + (train.numTargets() == 1 ? " target" : " targets") : train.numClasses() + " classes",
                    arch, r.optimizer(), r.lr(), schedule, r.batch(), r.epochs(), objective.name(), seed);
            if (!augmentation.isIdentity()) System.out.println("augmentation of the training images: " + augmentation);
            if (val != null) System.out.println("validation: " + val.size() + " rows held out of the training rows; the epoch lines' test columns are the validation's");
        }

        DivergenceListener guard = new DivergenceListener();
        Trainer.Builder tb = Trainer.builder(model, optim).objective(objective).epochs(r.epochs()).schedule(r.schedule())
                .clipGradNorm(clip).outDir(dir).progress(progress != null ? progress : stderrIsTerminal()).log(null)
                .listener(guard).listener(new CheckpointListener(ckpt, options(r)));
        if (skipLimit >= 0) tb.skipNonFiniteBatches(skipLimit);
        else if (skipNonFinite != null) tb.skipNonFiniteBatches(true);
        EarlyStoppingListener early = patience != null ? new EarlyStoppingListener(patience, 0) : null;
        BestCheckpointListener best = val != null ? new BestCheckpointListener(dir.resolve(BEST_FILE), options(r)) : null;
        if (best != null) tb.listener(best);
        if (early != null) tb.listener(early);
        if (!quiet) tb.listener(new LogListener(System.out, logEvery, verbose));
        Trainer trainer = tb.build();
        if (resume != null) {
            int done = trainer.resume(resume);
            if (!quiet) {
                System.out.println("resumed from " + resume + " after epoch " + done + (storedEpochs != null && storedEpochs != r.epochs()
                        ? String.format(Locale.ROOT, "; the run now has %d epochs (was %d): the %s schedule is computed for %d epochs, lr %.3g in epoch %d",
                        r.epochs(), storedEpochs, schedule, r.epochs(), r.schedule().lr(done), done + 1) : ""));
            }
        }
        DataLoader trainLoader = new DataLoader(train, r.batch(), true, false, seed, r.dtype());
        if (!augmentation.isIdentity()) trainLoader = trainLoader.withAugmentation(augmentation);
        DataLoader testLoader = new DataLoader(test, 512, false, false, seed, r.dtype());
        DataLoader evalLoader = val != null ? new DataLoader(val, 512, false, false, seed, r.dtype()) : testLoader;
        long t0 = System.nanoTime();
        List<EpochMetrics> history;
        try {
            history = trainer.fit(trainLoader, evalLoader);
        } catch (TrainingDivergedException | IllegalStateException failure) {
            TrainingDivergedException e = failure instanceof TrainingDivergedException d ? d : guard.explain(failure);
            if (e == null) throw failure;
            int kept = trainer.history().isEmpty() ? 0 : trainer.history().get(trainer.history().size() - 1).epoch();
            System.out.flush();
            spec.commandLine().getErr().println("jgrad: " + e.getMessage() + "; try a smaller --lr or --clip"
                    + (skipNonFinite == null && e.what().startsWith("the training loss") ? " (or --skip-nonfinite N to skip such batches)" : "") + "; "
                    + (kept > 0 ? ckpt + " holds epoch " + kept : "no epoch completed, no checkpoint written"));
            spec.commandLine().getErr().flush();
            return 1;
        }
        double total = (System.nanoTime() - t0) / 1e9;
        // the last epoch already evaluated the final model on the test set; evaluate only if no epoch ran
        double testAccuracy, testLoss;
        int epochsRun = trainer.history().isEmpty() ? 0 : trainer.history().get(trainer.history().size() - 1).epoch();
        if (early != null && early.stoppedEpoch() > 0 && !quiet) {
            System.out.printf(Locale.ROOT, "early stop after epoch %d: no validation improvement for %d epochs%n", early.stoppedEpoch(), patience);
        }
        if (best != null && Files.isRegularFile(best.file())) {
            dev.jgrad.nn.io.Checkpoint.load(best.file(), model, optim);
            if (!quiet) System.out.printf(Locale.ROOT, "testing the best epoch, %d, from %s%n", best.bestEpoch(), best.file());
            history = List.of();
        }
        if (history.isEmpty()) {
            Trainer.Evaluation ev = Trainer.evaluate(model, objective, testLoader);
            testAccuracy = ev.accuracy();
            testLoss = ev.loss();
        } else {
            testAccuracy = history.get(history.size() - 1).testAccuracy();
            testLoss = history.get(history.size() - 1).testLoss();
        }
        if (verbose && !quiet && !trainer.history().isEmpty()) System.out.println(timeSplit(trainer.history()));
        Path modelFile = dir.resolve(Model.FILE_NAME);
        Model.Builder mb = r.regression() ? Model.regressor(network, model).targetScaler(targetScaler) : Model.classifier(network, model, train.classNames());
        mb.scaler(scaler).trainingOptions(unprefixed(options(r))).build().save(modelFile);
        if (!quiet) {
            System.out.println("metrics, chart and checkpoint in " + dir + (ckpt.startsWith(dir) ? "" : " (checkpoint " + ckpt + ")"));
            System.out.println("model in " + modelFile + " (./jgrad predict --model " + modelFile + " --data FILE.csv)");
        }
        if (r.regression()) {
            RegressionMetrics m = RegressionMetrics.evaluate(model, testLoader, targetStd);
            System.out.printf(Locale.ROOT, "final test R² %.4f, RMSE %.4g, MAE %.4g (test loss %.4f) after %d epochs, %.1f s total%n",
                    m.r2(), m.rmse(), m.mae(), testLoss, epochsRun, total);
            return 0;
        }
        ClassificationMetrics cm = ClassificationMetrics.evaluate(model, testLoader, train.numClasses());
        cm.writeCsv(dir.resolve(CONFUSION_FILE), train.classNames());
        if (!quiet) {
            if (cm.numClasses() <= 20) System.out.println("test confusion matrix (also in " + dir.resolve(CONFUSION_FILE) + "):\n" + cm.format(train.classNames()));
            System.out.println("test " + cm.summary(Math.min(topK, cm.numClasses())));
        }
        System.out.printf(Locale.ROOT, "final test accuracy %.4f, macro F1 %.4f (test loss %.4f) after %d epochs, %.1f s total%n",
                testAccuracy, cm.macroF1(), testLoss, epochsRun, total);
        return 0;
    }

    /** The bundled data set of that name (digits, iris, diabetes or breast-cancer). */
    static Tabular bundled(String dataset) {
        return dataset.equals("digits") ? Datasets.digits() : dataset.equals("iris") ? Datasets.iris()
                : dataset.equals("diabetes") ? Datasets.diabetes() : Datasets.breastCancer();
    }

    /** {@code --skip-nonfinite N} as N; -1 if not given or given without a number (no limit). */
    private int skipLimit() {
        if (skipNonFinite == null || skipNonFinite.equals(SKIP_ALL)) return -1;
        int n;
        try {
            n = Integer.parseInt(skipNonFinite.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) throw new Main.UsageException("--skip-nonfinite: '" + skipNonFinite + "' is not a number of batches >= 0 (or give no number: no limit)");
        return n;
    }

    /** Per target: the mean ({@code [0]}) and the standard deviation ({@code [1]}, 1 where it is 0) over the rows. */
    static double[][] meanStd(Tabular t) {
        int n = t.size(), k = t.numTargets();
        double[] y = t.targets(), mean = new double[k], std = new double[k];
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) mean[j] += y[i * k + j] / n;
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) std[j] += (y[i * k + j] - mean[j]) * (y[i * k + j] - mean[j]) / n;
        for (int j = 0; j < k; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j]) : 1;
        return new double[][]{mean, std};
    }

    /** The targets of {@code t} standardised with {@code meanStd}. */
    static double[] standardized(Tabular t, double[][] meanStd) {
        double[] y = t.targets();
        int k = t.numTargets();
        for (int i = 0; i < y.length; i++) y[i] = (y[i] - meanStd[0][i % k]) / meanStd[1][i % k];
        return y;
    }

    /** Checks every option (before any data is loaded) and resolves the data set's defaults. */
    private boolean isCnn() {
        return modelName.equalsIgnoreCase("cnn");
    }

    private Run check() {
        Preset p = preset(dataset);
        DType dt;
        try {
            dt = DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--dtype: " + e.getMessage());
        }
        int[] widths = hidden != null ? hidden : p.hidden();
        if (!modelName.equalsIgnoreCase("mlp") && !modelName.equalsIgnoreCase("cnn")) {
            throw new Main.UsageException("unknown model '" + modelName + "': expected mlp or cnn");
        }
        int nEpochs = epochs != null ? epochs : isCnn() ? CNN_EPOCHS : p.epochs();
        int batch = batchSize != null ? batchSize : p.batch();
        double drop = dropout != null ? dropout : isCnn() ? CNN_DROPOUT : p.dropout();
        String opt = (optimizer != null ? optimizer : p.optimizer()).toLowerCase(Locale.ROOT);
        if (nEpochs <= 0) throw new Main.UsageException("--epochs must be positive, got " + nEpochs);
        if (batch <= 0) throw new Main.UsageException("--batch-size must be positive, got " + batch);
        if (widths.length == 0) throw new Main.UsageException("--hidden: give at least one width");
        for (int w : widths) if (w <= 0) throw new Main.UsageException("--hidden sizes must be positive, got " + Arrays.toString(widths));
        if (!(drop >= 0 && drop < 1)) throw new Main.UsageException("--dropout must be in [0, 1), got " + drop);
        if (!opt.equals("sgd") && !opt.equals("adam") && !opt.equals("adamw")) {
            throw new Main.UsageException("unknown optimizer '" + opt + "': expected sgd, adam or adamw");
        }
        double rate = lr != null ? lr : opt.equals("sgd") ? p.lrSgd() : p.lrAdam();
        if (!(rate > 0) || Double.isInfinite(rate)) throw new Main.UsageException("--lr must be a finite number > 0, got " + rate);
        if (weightDecay != null && (!(weightDecay >= 0) || Double.isInfinite(weightDecay))) {
            throw new Main.UsageException("--weight-decay must be a finite number >= 0, got " + weightDecay);
        }
        if (valSplit != null && !(valSplit > 0 && valSplit < 1)) throw new Main.UsageException("--val-split must be in (0, 1), got " + valSplit);
        if (patience != null && patience < 1) throw new Main.UsageException("--patience must be >= 1, got " + patience);
        if (patience != null && valSplit == null) {
            throw new Main.UsageException("--patience needs --val-split (early stopping on the test data would tune on it)");
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) throw new Main.UsageException("--clip must be a finite number >= 0 (0 = off), got " + clip);
        Activation.Kind act;
        try {
            act = Activation.Kind.parse(activation);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--activation: " + e.getMessage());
        }
        String t = task != null ? task.toLowerCase(Locale.ROOT) : p.regression() ? "regression" : "classification";
        if (!t.equals("classification") && !t.equals("regression")) {
            throw new Main.UsageException("unknown task '" + task + "': expected classification or regression");
        }
        boolean regression = t.equals("regression");
        if (regression != p.regression()) {
            throw new Main.UsageException("--task " + t + ": " + dataset + " is a " + (p.regression() ? "regression" : "classification")
                    + " data set" + (regression ? " (the regression data set is diabetes)" : ""));
        }
        String lossName = loss != null ? loss : regression ? "mse" : "fused";
        Objective objective;
        if (regression) {
            objective = regressionObjective(lossName);
        } else {
            objective = p.binary() ? Objective.binaryWithLogits() : objective(lossName);
        }
        LrSchedule sched;
        try {
            sched = LrSchedule.parse(schedule, rate, nEpochs);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--schedule: " + e.getMessage());
        }
        for (int e = 0; e < nEpochs; e++) {
            double l = sched.lr(e);
            if (!(l >= 0) || Double.isInfinite(l)) {
                throw new Main.UsageException("--schedule " + schedule + ": the learning rate of epoch " + (e + 1) + " would be " + l);
            }
        }
        return new Run(p, dt, widths, act, nEpochs, batch, drop, opt, rate, objective, sched, regression, lossName);
    }

    /** The run directory: {@code --out}, else {@code runs/<--name>}, else {@code runs/<dataset>-<time>} (made unique). */
    Path runDirectory() {
        if (name != null && (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith("."))) {
            throw new Main.UsageException("--name '" + name + "' must be a plain file name (no '/', not starting with '.')");
        }
        if (out != null) return out;
        if (name != null) return Path.of("runs", name);
        String base = dataset + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = Path.of("runs", base);
        for (int i = 2; Files.exists(dir); i++) dir = Path.of("runs", base + "-" + i);
        return dir;
    }

    /** Creates {@code dir} if needed and checks that a file can be written in it. */
    static void writable(Path dir, String option) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".jgrad-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new Main.UsageException(option + ": cannot write in " + dir + " (" + reason(e) + ")");
        }
    }

    /** Checks that {@code file} can be written (its directory is created if needed). */
    private static void writableFile(Path file, String option) {
        if (Files.isDirectory(file)) throw new Main.UsageException(option + ": " + file + " is a directory");
        if (Files.exists(file) && !Files.isWritable(file)) throw new Main.UsageException(option + ": " + file + " is not writable");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) writable(parent, option);
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.FileAlreadyExistsException) return "a file of that name exists";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    /** The run's options as stored in the checkpoint's metadata (without the prefix). */
    private Map<String, String> options(Run r) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("dataset", dataset);
        o.put("model", modelName.toLowerCase(Locale.ROOT));
        if (dataset.equals("fashion-mnist")) o.put("data", dataDir.toString());
        o.put("seed", Long.toString(seed));
        o.put("dtype", r.dtype().toString());
        o.put("hidden", joined(r.widths()));
        o.put("activation", r.activation().name().toLowerCase(Locale.ROOT));
        o.put("dropout", Double.toString(r.dropout()));
        if (augment != null && !augment.equals("none")) o.put("augment", augment);
        o.put("task", r.regression() ? "regression" : "classification");
        o.put("loss", r.loss());
        o.put("optimizer", r.optimizer());
        o.put("lr", Double.toString(r.lr()));
        if (weightDecay != null) o.put("weight-decay", Double.toString(weightDecay));
        o.put("schedule", schedule);
        o.put("epochs", Integer.toString(r.epochs()));
        o.put("batch-size", Integer.toString(r.batch()));
        o.put("clip", Double.toString(clip));
        if (valSplit != null) o.put("val-split", Double.toString(valSplit));
        if (patience != null) o.put("patience", Integer.toString(patience));
        Map<String, String> meta = new LinkedHashMap<>();
        o.forEach((k, v) -> meta.put(OPTION_PREFIX + k, v));
        meta.put(OPTION_PREFIX + "out", runDir.toString());
        return meta;
    }

    /** The options of {@link #options} without their prefix (a model file adds its own). */
    private static Map<String, String> unprefixed(Map<String, String> prefixed) {
        Map<String, String> o = new LinkedHashMap<>();
        prefixed.forEach((k, v) -> o.put(k.substring(OPTION_PREFIX.length()), v));
        return o;
    }

    private static String joined(int[] a) {
        StringBuilder s = new StringBuilder();
        for (int v : a) s.append(s.length() == 0 ? "" : ",").append(v);
        return s.toString();
    }

    /** The options stored in a checkpoint (keys without the prefix). */
    private static Map<String, String> readOptions(Path file) {
        if (!Files.isRegularFile(file)) throw new Main.UsageException("--resume: no such file: " + file);
        Map<String, String> meta;
        try {
            meta = SafeTensors.readHeader(file).metadata();
        } catch (IOException | IllegalArgumentException e) {
            throw new Main.UsageException("--resume: " + file + " is not a readable checkpoint (" + e.getMessage() + ")");
        }
        Map<String, String> o = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(OPTION_PREFIX)) o.put(k.substring(OPTION_PREFIX.length()), v);
        });
        if (o.isEmpty()) {
            throw new Main.UsageException("--resume: " + file + " stores no run options (written by an older jgrad or another program); "
                    + "resume it with a library Trainer instead");
        }
        return o;
    }

    /**
     * Takes over the stored options: an option not given on the command line gets the stored value; one given with a
     * different value is an error, unless it is {@code --epochs} (a new total) or {@code --override} is given.
     */
    private void adopt(Map<String, String> stored) {
        var pr = spec.commandLine().getParseResult();
        for (Map.Entry<String, String> e : stored.entrySet()) {
            String opt = "--" + e.getKey(), value = e.getValue();
            boolean given = pr.hasMatchedOption(opt);
            if (given) {
                String mine = current(e.getKey());
                if (mine == null || mine.equals(value) || e.getKey().equals("epochs") || override) continue;
                throw new Main.UsageException(opt + " " + mine + " conflicts with the checkpoint's " + opt + " " + value
                        + " (leave it out to continue the run, or add --override)");
            }
            set(e.getKey(), value);
        }
    }

    /** The given value of a stored option, normalised as {@link #options} stores it (null: not comparable). */
    private String current(String key) {
        switch (key) {
            case "dataset": return dataset;
            case "model": return modelName.toLowerCase(Locale.ROOT);
            case "data": return dataDir.toString();
            case "seed": return Long.toString(seed);
            case "dtype":
                try {
                    return DType.parse(dtype).toString();
                } catch (IllegalArgumentException e) {
                    return dtype;
                }
            case "hidden": return hidden == null ? null : joined(hidden);
            case "activation": return activation.toLowerCase(Locale.ROOT);
            case "dropout": return dropout == null ? null : Double.toString(dropout);
            case "augment": return augment;
            case "loss": return loss;
            case "task": return task == null ? null : task.toLowerCase(Locale.ROOT);
            case "optimizer": return optimizer == null ? null : optimizer.toLowerCase(Locale.ROOT);
            case "lr": return lr == null ? null : Double.toString(lr);
            case "weight-decay": return weightDecay == null ? null : Double.toString(weightDecay);
            case "schedule": return schedule;
            case "epochs": return epochs == null ? null : Integer.toString(epochs);
            case "batch-size": return batchSize == null ? null : Integer.toString(batchSize);
            case "clip": return Double.toString(clip);
            case "val-split": return valSplit == null ? null : Double.toString(valSplit);
            case "patience": return patience == null ? null : Integer.toString(patience);
            case "out": return out == null ? null : out.toString();
            default: return null;
        }
    }

    private void set(String key, String v) {
        try {
            switch (key) {
                case "dataset": dataset = v; break;
                case "model": modelName = v; break;
                case "data": dataDir = Path.of(v); break;
                case "seed": seed = Long.parseLong(v); break;
                case "dtype": dtype = v; break;
                case "hidden": hidden = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); break;
                case "activation": activation = v; break;
                case "dropout": dropout = Double.valueOf(v); break;
                case "augment": augment = v; break;
                case "loss": loss = v; break;
                case "task": task = v; break;
                case "optimizer": optimizer = v; break;
                case "lr": lr = Double.valueOf(v); break;
                case "weight-decay": weightDecay = Double.valueOf(v); break;
                case "schedule": schedule = v; break;
                case "epochs": epochs = Integer.valueOf(v); break;
                case "batch-size": batchSize = Integer.valueOf(v); break;
                case "clip": clip = Double.parseDouble(v); break;
                case "val-split": valSplit = Double.valueOf(v); break;
                case "patience": patience = Integer.valueOf(v); break;
                case "out": out = Path.of(v); break;
                default: break; // an option of a later jgrad: ignored
            }
        } catch (RuntimeException e) {
            throw new Main.UsageException("--resume: the checkpoint's option --" + key + " '" + v + "' is not valid");
        }
    }

    /**
     * The epoch time summary: the mean over the epochs run and the fastest epoch, each as the training pass (steps ×
     * time per step + overhead) and the evaluation.
     */
    static String timeSplit(List<EpochMetrics> history) {
        int n = history.size();
        double seconds = 0, stepSeconds = 0, evalSeconds = 0;
        long steps = 0;
        EpochMetrics fastest = history.get(0);
        for (EpochMetrics m : history) {
            seconds += m.seconds();
            stepSeconds += m.stepSeconds();
            evalSeconds += m.evalSeconds();
            steps += m.steps();
            if (m.seconds() < fastest.seconds()) fastest = m;
        }
        return String.format(java.util.Locale.ROOT,
                "epoch time: mean %.3f s = %d steps × %.3f ms + overhead %.3f s (%.1f%%), eval %.3f s; fastest (epoch %d) %.3f s = %.3f s steps + %.3f s overhead, eval %.3f s",
                seconds / n, steps / n, steps == 0 ? Double.NaN : 1e3 * stepSeconds / steps, (seconds - stepSeconds) / n,
                seconds > 0 ? 100 * (seconds - stepSeconds) / seconds : 0.0, evalSeconds / n,
                fastest.epoch(), fastest.seconds(), fastest.stepSeconds(), fastest.overheadSeconds(), fastest.evalSeconds());
    }

    private Optimizer optimizer(String name, Sequential model, double rate) {
        switch (name) {
            case "sgd": return new Sgd(model.parameters(), rate, 0.9, 0, true, weightDecay != null ? weightDecay : 0);
            case "adam": return new Adam(model.parameters(), rate, 0.9, 0.999, 1e-8, weightDecay != null ? weightDecay : 0, false);
            case "adamw": return Adam.adamW(model.parameters(), rate, weightDecay != null ? weightDecay : 1e-4);
            default: throw new Main.UsageException("unknown optimizer '" + name + "': expected sgd, adam or adamw");
        }
    }

    /** {@code mse}, {@code l1} or {@code huber[:DELTA]} (DELTA default 1). */
    static Objective regressionObjective(String loss) {
        String[] p = loss.toLowerCase(Locale.ROOT).split(":", -1);
        try {
            if (p.length == 1 && p[0].equals("mse")) return Objective.regression();
            if (p.length == 1 && p[0].equals("l1")) return Objective.l1();
            if (p[0].equals("huber") && p.length <= 2) return Objective.huber(p.length == 2 ? Double.parseDouble(p[1]) : 1.0);
        } catch (IllegalArgumentException e) { // also a NumberFormatException
            throw new Main.UsageException("--loss " + loss + ": " + e.getMessage());
        }
        throw new Main.UsageException("--loss " + loss + ": for regression expected mse, l1 or huber[:DELTA]");
    }

    static Objective objective(String loss) {
        if (loss.equalsIgnoreCase("mse")) return Objective.mseOneHot();
        try {
            return Objective.crossEntropy(SoftmaxCrossEntropy.parse(loss));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--loss: " + e.getMessage() + " (or mse)");
        }
    }
}
