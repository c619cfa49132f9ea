package dev.jgrad.cli;

import dev.jgrad.core.DType;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.Objective;
import dev.jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jgrad train}: trains an MLP and prints per-epoch progress and the final test accuracy. With no
 * options it trains on the bundled digits data set (seeded 80/20 stratified split).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an MLP (default: the bundled digits data set) and report test accuracy.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--dataset", description = "digits (default), fashion-mnist, breast-cancer or iris.", defaultValue = "digits")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default ${DEFAULT-VALUE}).", defaultValue = "/usr/share/datasets/fashion-mnist")
    Path dataDir;

    @Option(names = "--loss", description = "fused (default), max_shift, naive, eps_clamp(EPS) or mse; breast-cancer always uses BCE with logits.", defaultValue = "fused")
    String loss;

    @Option(names = "--optimizer", description = "sgd (momentum 0.9, Nesterov), adam or adamw. Default per data set.")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate. Default per data set and optimizer.")
    Double lr;

    @Option(names = "--weight-decay", description = "Weight decay (AdamW default 1e-4; SGD/Adam L2 default 0).")
    Double weightDecay;

    @Option(names = "--schedule", description = "constant, step[:SIZE[:GAMMA]], multistep:M1,M2[:GAMMA], exp:GAMMA, cosine[:ETA_MIN], cosine-restarts:T0[:TMULT[:ETA_MIN]], "
            + "warmup:N[:START]+cosine[:ETA_MIN], onecycle[:MAXLR[:PCT]] or plateau[:FACTOR[:PATIENCE[:COOLDOWN[:MIN_LR]]]] (default cosine).", defaultValue = "cosine")
    String schedule;

    @Option(names = "--epochs", description = "Epochs. Default per data set.")
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

    @Option(names = "--clip", description = "Clip gradients to this global norm (0 = off).", defaultValue = "0")
    double clip;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Save a safetensors checkpoint after every epoch.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Resume from a checkpoint written with the same options.")
    Path resume;

    @Option(names = "--out", paramLabel = "DIR", description = "Write metrics.csv, metrics.json and training.png here.")
    Path out;

    @Option(names = "--model", description = "--dataset words (a character-level transformer; --data FILE: one word per line, default the bundled list): transformer.")
    String model;

    @Mixin
    WordsTraining words = new WordsTraining();

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when stderr is a terminal).")
    Boolean progress;

    /** Defaults of one data set. */
    record Preset(int[] hidden, String optimizer, double lrSgd, double lrAdam, int epochs, int batch, double dropout, boolean binary) {
    }

    static Preset preset(String dataset) {
        switch (dataset) {
            case "digits": return new Preset(new int[]{128, 64}, "adamw", 0.05, 2e-3, 30, 32, 0.0, false);
            case "iris": return new Preset(new int[]{16}, "adamw", 0.05, 1e-2, 60, 16, 0.0, false);
            case "breast-cancer": return new Preset(new int[]{16}, "adamw", 0.05, 2e-3, 40, 32, 0.0, true);
            case "fashion-mnist": return new Preset(new int[]{256, 128}, "adamw", 0.05, 1e-3, 20, 128, 0.2, false);
            default: throw new Main.UsageException("unknown data set '" + dataset + "': expected digits, fashion-mnist, breast-cancer or iris");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (dataset.equals("words")) return words.run(this, model);
        Preset p = preset(dataset);
        DType dt = parseDtype();
        int[] widths = hidden != null ? hidden : p.hidden();
        int nEpochs = epochs != null ? epochs : p.epochs();
        int batch = batchSize != null ? batchSize : p.batch();
        double drop = dropout != null ? dropout : p.dropout();
        String opt = (optimizer != null ? optimizer : p.optimizer()).toLowerCase(java.util.Locale.ROOT);
        if (nEpochs <= 0) throw new Main.UsageException("--epochs must be positive, got " + nEpochs);
        if (batch <= 0) throw new Main.UsageException("--batch-size must be positive, got " + batch);
        for (int w : widths) if (w <= 0) throw new Main.UsageException("--hidden sizes must be positive, got " + Arrays.toString(widths));
        if (!(drop >= 0 && drop < 1)) throw new Main.UsageException("--dropout must be in [0, 1), got " + drop);
        if (resume != null && !Files.isRegularFile(resume)) throw new Main.UsageException("--resume: no such file: " + resume);

        Tabular train, test;
        try {
            if (dataset.equals("fashion-mnist")) {
                train = Datasets.fashionMnist(dataDir, true);
                test = Datasets.fashionMnist(dataDir, false);
            } else {
                Tabular all = dataset.equals("digits") ? Datasets.digits() : dataset.equals("iris") ? Datasets.iris() : Datasets.breastCancer();
                Split split = Split.stratified(all, 0.2, seed);
                Standardizer s = Standardizer.fit(split.train());
                train = s.transform(split.train());
                test = s.transform(split.test());
            }
        } catch (DatasetNotFoundException e) {
            throw new Main.UsageException(e.getMessage());
        }

        int outputs = p.binary() ? 1 : train.numClasses();
        Sequential model = Mlp.builder(train.numFeatures(), outputs).hidden(widths).activation(Activation.Kind.parse(activation))
                .dropout(drop).seed(seed).dtype(dt).build();
        double rate = lr != null ? lr : opt.equals("sgd") ? p.lrSgd() : p.lrAdam();
        Optimizer optim = optimizer(opt, model, rate);
        Objective objective = p.binary() ? Objective.binaryWithLogits() : objective(loss);

        System.out.printf("jgrad train: %s (%d train / %d test, %d features, %d classes), MLP %d-%s-%d %s, %s lr %.3g, %s schedule, batch %d, %d epochs, %s, seed %d%n",
                dataset, train.size(), test.size(), train.numFeatures(), train.numClasses(), train.numFeatures(),
                Arrays.toString(widths).replaceAll("[\\[\\] ]", "").replace(',', '-'), outputs, activation, opt, rate, schedule, batch,
                nEpochs, objective.name(), seed);

        Trainer trainer = Trainer.builder(model, optim).objective(objective).epochs(nEpochs)
                .schedule(LrSchedule.parse(schedule, rate, nEpochs)).clipGradNorm(clip).outDir(out).checkpoint(checkpoint)
                .progress(progress != null ? progress : System.console() != null).build();
        if (resume != null) System.out.println("resumed from " + resume + " after epoch " + trainer.resume(resume));
        DataLoader trainLoader = new DataLoader(train, batch, true, false, seed, dt);
        DataLoader testLoader = new DataLoader(test, 512, false, false, seed, dt);
        long t0 = System.nanoTime();
        List<EpochMetrics> history = trainer.fit(trainLoader, testLoader);
        double total = (System.nanoTime() - t0) / 1e9;
        // the last epoch already evaluated the final model on the test set; evaluate only if no epoch ran
        double testAccuracy, testLoss;
        if (history.isEmpty()) {
            Trainer.Evaluation ev = Trainer.evaluate(model, objective, testLoader);
            testAccuracy = ev.accuracy();
            testLoss = ev.loss();
        } else {
            testAccuracy = history.get(history.size() - 1).testAccuracy();
            testLoss = history.get(history.size() - 1).testLoss();
        }
        System.out.printf("final test accuracy %.4f (test loss %.4f) after %d epochs, %.1f s total%n", testAccuracy, testLoss, nEpochs, total);
        if (!history.isEmpty()) System.out.println(timeSplit(history));
        if (out != null) System.out.println("metrics and chart written to " + out);
        return 0;
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

    private DType parseDtype() {
        try {
            return DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--dtype: " + e.getMessage());
        }
    }

    private Optimizer optimizer(String name, Sequential model, double rate) {
        switch (name) {
            case "sgd": return new Sgd(model.parameters(), rate, 0.9, 0, true, weightDecay != null ? weightDecay : 0);
            case "adam": return new Adam(model.parameters(), rate, 0.9, 0.999, 1e-8, weightDecay != null ? weightDecay : 0, false);
            case "adamw": return Adam.adamW(model.parameters(), rate, weightDecay != null ? weightDecay : 1e-4);
            default: throw new Main.UsageException("unknown optimizer '" + name + "': expected sgd, adam or adamw");
        }
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
