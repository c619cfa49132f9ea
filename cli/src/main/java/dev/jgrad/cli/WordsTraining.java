package dev.jgrad.cli;

import dev.jgrad.core.DType;
import dev.jgrad.data.Words;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.io.AtomicFiles;
import dev.jgrad.nn.io.StateDict;
import dev.jgrad.train.LanguageModelTrainer;
import dev.jgrad.train.plot.LineChart;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code jgrad train --dataset words --model transformer}: a tiny character-level transformer ({@link CharTransformer})
 * trained on a word list (the bundled English words, or {@code --data FILE} with one word per line), split 90/10 by a
 * seeded shuffle; prints the train/test loss per character as it goes and samples new words at the end. Like every
 * training run it has a run directory ({@code --out}, {@code runs/--name} or {@code runs/words-<time>}) holding
 * {@code metrics.csv} (step, train and test loss per character, ms per step), {@code training.png} (the two losses
 * over the steps), {@code model.safetensors} (the trained weights as a plain state dict with PyTorch's names, the
 * model's sizes, vocabulary and the run's options in its metadata) and {@code samples.txt}. The options
 * of its own (a picocli mixin of {@link TrainCommand}) are below; {@code --batch-size}, {@code --lr},
 * {@code --weight-decay}, {@code --seed} and {@code --dtype} are the train command's.
 */
public final class WordsTraining {
    /** The train command's default {@code --data}, which here means "the bundled word list". */
    static final Path FASHION_DEFAULT = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--steps", description = "Words data set: optimisation steps (default ${DEFAULT-VALUE}).", defaultValue = "2000")
    int steps;

    @Option(names = "--layers", description = "Words data set: transformer blocks (default ${DEFAULT-VALUE}).", defaultValue = "4")
    int layers;

    @Option(names = "--heads", description = "Words data set: attention heads (default ${DEFAULT-VALUE}).", defaultValue = "4")
    int heads;

    @Option(names = "--dim", description = "Words data set: model width (default ${DEFAULT-VALUE}).", defaultValue = "64")
    int dim;

    @Option(names = "--eval-every", description = "Words data set: steps between test evaluations (default ${DEFAULT-VALUE}).", defaultValue = "500")
    int evalEvery;

    @Option(names = "--samples", description = "Words data set: words to sample at the end (default ${DEFAULT-VALUE}).", defaultValue = "10")
    int samples;

    @Option(names = "--dump-run", paramLabel = "DIR", description = "Words data set: record the run in DIR to replay it elsewhere (run.json, the split "
            + "train.txt/test.txt, init.safetensors with PyTorch's names, batches.txt, losses.txt, evals.txt, final.safetensors; "
            + "benchmarks/pytorch/char_transformer.py --replay DIR).")
    Path dumpRun;

    /** Runs the words training for the train command {@code cmd} (its shared options); returns the exit code. */
    int run(TrainCommand cmd, String model) throws IOException {
        if (model != null && !model.equals("transformer")) throw new Main.UsageException("--dataset words: unknown model '" + model + "': expected transformer");
        if (steps < 0 || evalEvery <= 0 || samples < 0) throw new Main.UsageException("--steps and --samples must be >= 0 and --eval-every > 0");
        if (layers <= 0 || heads <= 0 || dim <= 0 || dim % heads != 0) {
            throw new Main.UsageException("--layers, --heads and --dim must be positive with --dim divisible by --heads, got " + layers + ", " + heads + ", " + dim);
        }
        int batch = cmd.batchSize != null ? cmd.batchSize : 32;
        double lr = cmd.lr != null ? cmd.lr : 1e-3, wd = cmd.weightDecay != null ? cmd.weightDecay : 0.01;
        if (batch <= 0) throw new Main.UsageException("--batch-size must be positive, got " + batch);
        DType dt;
        try {
            dt = DType.parse(cmd.dtype);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--dtype: " + e.getMessage());
        }
        Path file = cmd.dataDir == null || cmd.dataDir.equals(FASHION_DEFAULT) ? null : cmd.dataDir;
        if (file != null && !Files.isRegularFile(file)) throw new Main.UsageException("--data: no such file: " + file);
        Words all;
        try {
            all = file == null ? Words.bundled() : Words.read(file);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--data: " + e.getMessage());
        }
        Path dir = cmd.runDirectory();
        TrainCommand.writable(dir, "--out");
        List<Words> split = all.split(0.1, cmd.seed);
        Words train = split.get(0), test = split.get(1);
        CharTransformer net = new CharTransformer(all.vocabSize(), all.blockSize(), dim, heads, layers, new SplittableRandom(cmd.seed), dt);
        LanguageModelTrainer trainer = new LanguageModelTrainer(net, Adam.adamW(net.parameters(), lr, wd), train, batch, cmd.seed);
        System.out.printf(Locale.ROOT, "jgrad train: words %s (%d train / %d test, vocabulary %d, context %d), transformer %d layers × %d heads × %d dim"
                        + " (%,d parameters), adamw lr %.3g weight decay %.3g, batch %d, %d steps, %s, seed %d%n",
                file == null ? "(bundled)" : file, train.size(), test.size(), all.vocabSize(), all.blockSize(), layers, heads, dim,
                net.parameterCount(), lr, wd, batch, steps, dt.name().toLowerCase(Locale.ROOT), cmd.seed);
        RunDump dump = dumpRun == null ? null : RunDump.start(dumpRun, all, train, test, net, this, batch, lr, wd, dt, cmd.seed);
        double untrained = LanguageModelTrainer.evaluate(net, test);
        System.out.printf(Locale.ROOT, "step %6d  test loss %.4f (per character, untrained)%n", 0, untrained);
        List<LanguageModelTrainer.Progress> history;
        long t0 = System.nanoTime();
        try {
            if (dump != null) {
                dump.eval(0, untrained);
                trainer.setStepListener(dump::step);
            }
            history = trainer.fit(steps, evalEvery, test, p -> {
                System.out.printf(Locale.ROOT, "step %6d  train loss %.4f  test loss %.4f  %.2f ms/step%n", p.step(), p.trainLoss(), p.testLoss(), p.msPerStep());
                if (dump != null) dump.eval(p.step(), p.testLoss());
            });
            if (dump != null) dump.finish(net);
        } finally {
            if (dump != null) dump.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (dump != null) System.out.println("run recorded in " + dumpRun);
        if (!history.isEmpty()) {
            double ms = 0;
            long n = 0, prev = 0;
            for (LanguageModelTrainer.Progress p : history) {
                ms += p.msPerStep() * (p.step() - prev);
                n += p.step() - prev;
                prev = p.step();
            }
            LanguageModelTrainer.Progress last = history.get(history.size() - 1);
            System.out.printf(Locale.ROOT, "final test loss %.4f per character after %d steps, %.2f ms/step, %.1f s total%n",
                    last.testLoss(), last.step(), ms / n, seconds);
        }
        List<String> words = samples > 0 ? LanguageModelTrainer.sample(net, all, samples, cmd.seed) : List.of();
        if (samples > 0) System.out.println("samples: " + String.join(" ", words));
        writeRun(dir, history, net, all, words, file, batch, lr, wd, dt, cmd.seed);
        System.out.println("metrics, chart, model and samples in " + dir);
        return 0;
    }

    /** Writes the run directory's files (each atomically): metrics, chart, the trained model and the samples. */
    private void writeRun(Path dir, List<LanguageModelTrainer.Progress> history, CharTransformer net, Words all, List<String> words,
                          Path file, int batch, double lr, double wd, DType dt, long seed) throws IOException {
        StringBuilder csv = new StringBuilder("step,train_loss,test_loss,ms_per_step\n");
        double[] x = new double[history.size()], train = new double[x.length], test = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            LanguageModelTrainer.Progress p = history.get(i);
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%s%n", p.step(), p.trainLoss(), p.testLoss(), p.msPerStep()));
            x[i] = p.step();
            train[i] = p.trainLoss();
            test[i] = p.testLoss();
        }
        AtomicFiles.write(dir.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        LineChart chart = new LineChart();
        chart.addPanel("Loss per character — " + dir.toAbsolutePath().getFileName()).xAxis("step").yAxis("cross-entropy (nats)")
                .series("train", x, train).series("test", x, test);
        AtomicFiles.write(dir.resolve("training.png"), chart.toPng());
        StringBuilder vocabulary = new StringBuilder();
        for (int t = 1; t < all.vocabSize(); t++) vocabulary.append(all.decode(t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("jgrad.model", "char-transformer");
        meta.put("vocab_size", Integer.toString(all.vocabSize()));
        meta.put("vocabulary", vocabulary.toString());
        meta.put("block_size", Integer.toString(all.blockSize()));
        meta.put("dim", Integer.toString(dim));
        meta.put("heads", Integer.toString(heads));
        meta.put("layers", Integer.toString(layers));
        meta.put("data", file == null ? "(bundled words)" : file.toString());
        meta.put("steps", Long.toString(history.isEmpty() ? 0 : history.get(history.size() - 1).step()));
        meta.put("batch_size", Integer.toString(batch));
        meta.put("lr", Double.toString(lr));
        meta.put("weight_decay", Double.toString(wd));
        meta.put("dtype", dt.name().toLowerCase(Locale.ROOT));
        meta.put("seed", Long.toString(seed));
        StateDict.save(dir.resolve("model.safetensors"), net, null, meta);
        AtomicFiles.write(dir.resolve("samples.txt"), (String.join("\n", words) + (words.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }
}
