package dev.jgrad.cli;

import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad train}: output, option checks before training, divergence, resuming from the checkpoint alone. */
class TrainCommandTest {

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Result run(CommandLine cl, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static Result run(String... args) {
        return run(Main.commandLine(), args);
    }

    static String[] iris(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--dataset", "iris", "--no-progress", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static void assertUsageError(Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("jgrad: "), r.err());
        assertTrue(r.err().contains(expected), "'" + expected + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        assertEquals("", r.out(), "nothing printed, nothing trained");
    }

    @Test
    void everyBadOptionIsOneLineAndExitCode2BeforeTraining(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path out = tmp.resolve("run");
        assertUsageError(run(iris(out, "--schedule", "bogus")), "--schedule");
        assertUsageError(run(iris(out, "--schedule", "step:0")), "--schedule");
        assertUsageError(run(iris(out, "--clip", "-1")), "--clip");
        assertUsageError(run(iris(out, "--clip", "NaN")), "--clip");
        assertUsageError(run(iris(out, "--clip", "Infinity")), "--clip");
        assertUsageError(run(iris(out, "--lr", "NaN")), "--lr");
        assertUsageError(run(iris(out, "--lr", "-0.1")), "--lr");
        assertUsageError(run(iris(out, "--lr", "0")), "--lr");
        assertUsageError(run(iris(out, "--weight-decay", "-1")), "--weight-decay");
        assertUsageError(run(iris(out, "--log-every", "0")), "--log-every");
        assertUsageError(run(iris(out, "--activation", "swish")), "--activation");
        assertUsageError(run(iris(out, "--dropout", "1")), "--dropout");
        assertUsageError(run(iris(out, "--hidden", "8,-1")), "--hidden");
        assertUsageError(run(iris(out, "--loss", "bogus")), "--loss");
        assertUsageError(run(iris(out, "--optimizer", "rmsprop")), "optimizer 'rmsprop'");
        assertUsageError(run("train", "--dataset", "nope", "--out", out.toString()), "unknown data set 'nope'");
        assertUsageError(run(iris(file.resolve("sub"))), "--out");
        assertUsageError(run(iris(out, "--checkpoint", file.resolve("sub/c.safetensors").toString())), "--checkpoint");
        assertUsageError(run(iris(out, "--checkpoint", tmp.toString())), "--checkpoint");
        assertUsageError(run(iris(out, "--resume", tmp.resolve("missing").toString())), "--resume");
        assertUsageError(run(iris(out, "--resume", file.toString())), "--resume");
        assertUsageError(run(iris(out, "--name", "../x")), "--name");
        assertUsageError(run(iris(out, "--augment", "rotate")), "--augment");
        assertUsageError(run("train", "--dataset", "breast-cancer", "--augment", "flip", "--out", out.toString()), "--augment needs square images");
        assertFalse(Files.exists(out.resolve("metrics.csv")), "no run started");
    }

    @Test
    void augmentedCnnRunStoresItsAugmentationAndResumesWithIt(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("runs");
        Result r = run("train", "--dataset", "digits", "--model", "cnn", "--augment", "shift=1", "--epochs", "1", "--batch-size", "64",
                "--no-progress", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("augmentation of the training images: shift=1"), r.out());
        Path ckpt = out.resolve(TrainCommand.CHECKPOINT_FILE);
        Result again = run("train", "--resume", ckpt.toString(), "--epochs", "2", "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("augmentation of the training images: shift=1"), again.out());
        assertUsageError(run("train", "--resume", ckpt.toString(), "--augment", "flip", "--epochs", "3"), "--augment flip conflicts");
    }

    @Test
    void epochLinesFit100ColumnsLogEveryAndQuiet(@TempDir Path tmp) {
        Result r = run(iris(tmp.resolve("a"), "--epochs", "10", "--log-every", "4"));
        assertEquals(0, r.code(), r.err());
        List<String> epochs = r.lines().stream().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(3, epochs.size(), "epochs 4, 8 and the last: " + r.out());
        assertTrue(epochs.get(0).startsWith("epoch   4/10"), epochs.get(0));
        assertTrue(epochs.get(2).startsWith("epoch  10/10"), epochs.get(2));
        for (String l : epochs) assertTrue(l.length() <= 100, l.length() + " columns: " + l);
        assertTrue(r.out().contains("metrics, chart and checkpoint in " + tmp.resolve("a")), r.out());
        for (String f : List.of("metrics.csv", "metrics.json", "training.png", "checkpoint.safetensors")) {
            assertTrue(Files.isRegularFile(tmp.resolve("a").resolve(f)), f);
        }

        Result v = run(iris(tmp.resolve("b"), "--epochs", "2", "--verbose"));
        assertTrue(v.out().contains("steps ×") && v.out().contains("epoch time: mean"), v.out());

        Result q = run(iris(tmp.resolve("c"), "--epochs", "3", "--quiet"));
        assertEquals(0, q.code(), q.err());
        assertEquals(1, q.lines().size(), q.out());
        assertTrue(q.out().startsWith("final test accuracy "), q.out());
    }

    @Test
    void aDivergingRunEndsWithOneLineNamingEpochAndStep(@TempDir Path tmp) {
        Result r = run(iris(tmp.resolve("run"), "--optimizer", "sgd", "--lr", "1e30", "--epochs", "5"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().matches("(?s)jgrad: training diverged in epoch \\d+, batch \\d+ of \\d+ \\(step \\d+ of the run\\): .*(NaN|inf|non-finite).*; try a smaller --lr or --clip( \\(or --skip-nonfinite N to skip such batches\\))?; .*"), r.err());
    }

    @Test
    void skipNonFiniteSkipsAndCountsBatchesUntilItsLimit(@TempDir Path tmp) throws Exception {
        // lr 1e30: after the first step the loss is non-finite on every batch; each is skipped (the model stays put)
        Result r = run(iris(tmp.resolve("run"), "--optimizer", "sgd", "--lr", "1e30", "--epochs", "5", "--skip-nonfinite", "3"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().matches("(?s)jgrad: training diverged in epoch 1, batch 5 of \\d+ \\(step 5 of the run\\): the training loss became "
                + ".*; 3 batches with a non-finite loss were skipped before, the most allowed \\(skipNonFiniteBatches 3\\); try a smaller --lr or --clip; .*"), r.err());
        // without the option the same run stops at the first such batch, and says how to skip
        Result stop = run(iris(tmp.resolve("stop"), "--optimizer", "sgd", "--lr", "1e30", "--epochs", "5"));
        assertTrue(stop.err().contains("batch 2 of ") && stop.err().contains("(or --skip-nonfinite N to skip such batches)"), stop.err());
        // a loss that is never non-finite: the option changes nothing, the metrics count 0 skipped
        Result ok = run(iris(tmp.resolve("ok"), "--epochs", "2", "--skip-nonfinite"));
        assertEquals(0, ok.code(), ok.err());
        List<String> csv = Files.readAllLines(tmp.resolve("ok").resolve("metrics.csv"));
        assertTrue(csv.get(0).endsWith(",skipped_batches") && csv.get(2).endsWith(",0"), csv.toString());
        assertUsageError(run(iris(tmp.resolve("bad"), "--skip-nonfinite", "-2")), "--skip-nonfinite: '-2' is not a number of batches >= 0");
        assertUsageError(run(iris(tmp.resolve("bad"), "--skip-nonfinite", "x")), "--skip-nonfinite: 'x' is not a number of batches >= 0");
    }

    @Test
    void anUnexpectedErrorIsOneLineUnlessDebug() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new CommandLine(new Boom()));
        Result r = run(cl, "boom");
        assertEquals(1, r.code());
        assertEquals("jgrad: internal error: IllegalStateException: broken (run again with --debug for the stack trace)", r.err().strip());
        CommandLine cl2 = Main.commandLine();
        cl2.addSubcommand("boom", new CommandLine(new Boom()));
        Result d = run(cl2, "boom", "--debug");
        assertEquals(1, d.code());
        assertTrue(d.err().contains("\tat dev.jgrad.cli.TrainCommandTest$Boom.call"), d.err());
    }

    @CommandLine.Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("broken");
        }
    }

    @Test
    void resumeAloneContinuesTheRunExactly(@TempDir Path tmp) throws IOException {
        Result whole = run(iris(tmp.resolve("whole"), "--epochs", "4", "--schedule", "constant", "--quiet"));
        assertEquals(0, whole.code(), whole.err());

        Path dir = tmp.resolve("part"), ckpt = dir.resolve("checkpoint.safetensors");
        assertEquals(0, run(iris(dir, "--epochs", "2", "--schedule", "constant", "--quiet")).code());
        assertEquals("2", SafeTensors.readHeader(ckpt).metadata().get(Trainer.EPOCHS_COMPLETED_KEY));
        assertEquals("iris", SafeTensors.readHeader(ckpt).metadata().get(TrainCommand.OPTION_PREFIX + "dataset"));

        // the run is complete: resuming it as it is has nothing to do
        assertUsageError(run("train", "--resume", ckpt.toString()), "already completed 2 epochs");
        // a conflicting option is refused, unless overridden
        assertUsageError(run("train", "--resume", ckpt.toString(), "--epochs", "4", "--lr", "0.5"), "--lr 0.5 conflicts with the checkpoint's --lr 0.01");
        assertUsageError(run("train", "--resume", ckpt.toString(), "--epochs", "4", "--hidden", "8"), "--hidden");

        Result resumed = run("train", "--resume", ckpt.toString(), "--epochs", "4", "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed from " + ckpt + " after epoch 2; the run now has 4 epochs (was 2)"), resumed.out());
        assertEquals(whole.lines().get(0).replaceAll(", [0-9.]+ s total", ""),
                resumed.lines().get(resumed.lines().size() - 1).replaceAll(", [0-9.]+ s total", ""), "same final model");
        assertEquals(5, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header + 4 epochs in the run's own directory");

        Result overridden = run("train", "--resume", ckpt.toString(), "--epochs", "5", "--lr", "0.005", "--override", "--quiet");
        assertEquals(0, overridden.code(), overridden.err());
    }

    @Test
    void resumeRefusesADifferentSeedLossOrOptimizerUnlessOverridden(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("part"), ckpt = dir.resolve("checkpoint.safetensors");
        assertEquals(0, run(iris(dir, "--epochs", "1", "--quiet")).code());
        Map<String, String> meta = SafeTensors.readHeader(ckpt).metadata();
        assertEquals("42", meta.get(TrainCommand.OPTION_PREFIX + "seed"));
        assertEquals("fused", meta.get(TrainCommand.OPTION_PREFIX + "loss"));
        assertEquals("adamw", meta.get(TrainCommand.OPTION_PREFIX + "optimizer"));
        String c = ckpt.toString();
        assertUsageError(run("train", "--resume", c, "--epochs", "2", "--seed", "7"), "--seed 7 conflicts with the checkpoint's --seed 42");
        assertUsageError(run("train", "--resume", c, "--epochs", "2", "--loss", "naive"), "--loss naive conflicts with the checkpoint's --loss fused");
        assertUsageError(run("train", "--resume", c, "--epochs", "2", "--optimizer", "sgd"), "--optimizer sgd conflicts with the checkpoint's --optimizer adamw");
        assertUsageError(run("train", "--resume", c, "--epochs", "2", "--optimizer", "adam"), "--optimizer adam conflicts with the checkpoint's --optimizer adamw");
        // the same values given again are no conflict
        Result same = run("train", "--resume", c, "--epochs", "2", "--seed", "42", "--loss", "fused", "--optimizer", "AdamW", "--quiet");
        assertEquals(0, same.code(), same.err());
        // overridden: a seed and a loss may change; another optimizer cannot take over the stored optimizer state
        Result seed = run("train", "--resume", c, "--epochs", "3", "--seed", "7", "--loss", "naive", "--override", "--quiet");
        assertEquals(0, seed.code(), seed.err());
        Result sgd = run("train", "--resume", c, "--epochs", "4", "--optimizer", "sgd", "--override", "--quiet");
        assertEquals(2, sgd.code(), sgd.out() + sgd.err());
        assertTrue(sgd.err().startsWith("jgrad: checkpoint " + c + ": saved with a different optimizer") && sgd.err().contains("Sgd"), sgd.err());
        assertEquals(1, sgd.err().strip().lines().count(), sgd.err());
    }

    @Test
    void diabetesRegressionReportsTestR2(@TempDir Path tmp) {
        Result r = run("train", "--dataset", "diabetes", "--no-progress", "--out", tmp.resolve("d").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 features, 1 target"), r.out());
        String last = r.lines().get(r.lines().size() - 1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("final test R² (\\S+), RMSE (\\S+), MAE (\\S+) ").matcher(last);
        assertTrue(m.find(), last);
        // ordinary least squares on the same seeded split: R² 0.4772 (5-fold OLS: 0.489)
        assertTrue(Double.parseDouble(m.group(1)) >= 0.489, last);
        assertTrue(Double.parseDouble(m.group(2)) < 60, last);
        for (String l : r.lines()) if (l.startsWith("epoch ")) assertFalse(l.contains("acc"), l);
        assertUsageError(run("train", "--dataset", "iris", "--task", "regression"), "iris is a classification data set");
        assertUsageError(run("train", "--dataset", "diabetes", "--task", "classification"), "diabetes is a regression data set");
        assertUsageError(run("train", "--dataset", "diabetes", "--loss", "fused"), "for regression expected mse, l1 or huber");
        assertUsageError(run("train", "--dataset", "diabetes", "--loss", "huber:-1"), "--loss huber:-1");
        assertUsageError(run("train", "--dataset", "diabetes", "--loss", "huber:x"), "--loss huber:x");
        for (String loss : List.of("l1", "huber", "huber:0.5")) {
            Result l = run("train", "--dataset", "diabetes", "--no-progress", "--quiet", "--epochs", "5", "--loss", loss, "--out", tmp.resolve(loss).toString());
            assertEquals(0, l.code(), loss + ": " + l.err());
            assertTrue(l.out().startsWith("final test R² "), l.out());
        }
        assertUsageError(run("train", "--dataset", "diabetes", "--task", "ranking"), "unknown task 'ranking'");
    }

    @Test
    void validationSplitEarlyStoppingBestEpochAndConfusionMatrix(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("v");
        Result r = run(iris(dir, "--val-split", "0.25", "--patience", "3", "--epochs", "200", "--lr", "0.05", "--top-k", "2"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("validation: 30 rows held out"), r.out());
        assertTrue(r.out().contains("early stop after epoch "), "200 epochs at a high rate: the validation loss stops improving: " + r.out());
        assertTrue(r.out().contains("testing the best epoch, "), r.out());
        assertTrue(r.out().contains("test confusion matrix"), r.out());
        assertTrue(r.out().contains("true\\pred"), r.out());
        assertTrue(r.out().contains("setosa"), r.out());
        assertTrue(r.out().contains("top-2 "), r.out());
        assertTrue(r.lines().get(r.lines().size() - 1).matches("final test accuracy [0-9.]+, macro F1 [0-9.]+ .*"), r.out());
        for (String f : List.of("best.safetensors", "confusion.csv", "checkpoint.safetensors")) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        // the epochs were evaluated on the validation rows: the best epoch's recorded loss is not its test loss
        java.util.regex.Matcher best = java.util.regex.Pattern.compile("testing the best epoch, (\\d+),").matcher(r.out());
        assertTrue(best.find(), r.out());
        String row = Files.readAllLines(dir.resolve("metrics.csv")).get(Integer.parseInt(best.group(1)));
        double valLoss = Double.parseDouble(row.split(",")[4]);
        java.util.regex.Matcher fin = java.util.regex.Pattern.compile("\\(test loss ([0-9.]+)\\)").matcher(r.out());
        assertTrue(fin.find(), r.out());
        assertTrue(Math.abs(Double.parseDouble(fin.group(1)) - valLoss) > 1e-4, "validation " + valLoss + " vs " + r.out());
        assertUsageError(run(iris(dir, "--patience", "3")), "--patience needs --val-split");
        assertUsageError(run(iris(dir, "--val-split", "1.5")), "--val-split");
        assertUsageError(run(iris(dir, "--val-split", "0.2", "--patience", "0")), "--patience");
        assertUsageError(run(iris(dir, "--top-k", "0")), "--top-k");
    }
}
