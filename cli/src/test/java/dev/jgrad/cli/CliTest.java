package dev.jgrad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and one-line errors of the jgrad command line. */
class CliTest {

    private record Result(int code, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, err.toString());
    }

    @Test
    void unknownDataSetIsAOneLineErrorWithExitCode2() {
        Result r = run("train", "--dataset", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("jgrad: unknown data set 'nope'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }

    @Test
    void nonPositiveSizesAreRejected() {
        assertEquals(2, run("train", "--epochs", "0").code());
        assertEquals(2, run("train", "--batch-size", "-1").code());
        assertEquals(2, run("train", "--hidden", "64,0").code());
        assertEquals(2, run("train", "--dtype", "int8").code());
        assertEquals(2, run("train", "--loss", "bogus").code());
        assertEquals(2, run("train", "--optimizer", "rmsprop").code());
        assertEquals(2, run("train", "--no-such-option").code());
    }

    @Test
    void missingFashionMnistSaysHowToInstallIt(@TempDir Path empty) {
        Result r = run("train", "--dataset", "fashion-mnist", "--data", empty.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
    }

    @Test
    void conformanceOnTheBundledCasesPasses(@TempDir Path copy) throws java.io.IOException {
        // the bundled cases as an ordinary directory (on the class path they may sit inside the module's jar)
        Path bundled = dev.jgrad.conformance.BundledCases.directory();
        try (java.util.stream.Stream<Path> files = Files.list(bundled)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, copy.resolve(f.getFileName().toString()));
        }
        Path cases = copy;
        assertTrue(Files.list(cases).count() > 5, "case files copied");
        assertEquals(0, run("conformance", cases.toString(), "--op", "softmax", "log_softmax").code());
        assertEquals(2, run("conformance", "/no/such/dir").code());
        assertEquals(2, run("conformance", cases.toString(), "--op", "no_such_op").code());
        assertEquals(0, run("conformance", "--op", "softmax").code(), "without DIR: the bundled cases");
    }

    @Test
    void breastCancerTrainsABinaryClassifier(@TempDir Path out) {
        assertEquals(0, run("train", "--dataset", "breast-cancer", "--out", out.toString(), "--no-progress").code());
        assertTrue(Files.exists(out.resolve("metrics.csv")));
        assertTrue(Files.exists(out.resolve("training.png")));
    }

    @Test
    void cnnModelTrainsOnTheDigitsAndNeedsSquareImages(@TempDir Path out) throws java.io.IOException {
        assertEquals(0, run("train", "--model", "cnn", "--epochs", "1", "--out", out.toString(), "--no-progress").code());
        assertTrue(Files.readString(out.resolve("metrics.csv")).lines().count() >= 2, "one epoch of metrics");
        Result r = run("train", "--model", "cnn", "--dataset", "iris");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model cnn needs square images"), r.err());
        assertEquals(2, run("train", "--model", "resnet").code());
    }

    @Test
    void slowdownWritesItsChart(@TempDir Path out) {
        assertEquals(0, run("slowdown", "--out", out.toString()).code());
        assertTrue(Files.exists(out.resolve("slowdown.png")));
        assertEquals(2, run("slowdown", "--epochs", "0").code());
    }

    @Test
    void timeSplitSummarisesStepsOverheadAndEvaluation() {
        java.util.List<dev.jgrad.train.EpochMetrics> h = java.util.List.of(
                new dev.jgrad.train.EpochMetrics(1, 1e-3, 0.5, 0.8, 0.4, 0.85, 1000, 0.60, 100, 0.50, 0.05),
                new dev.jgrad.train.EpochMetrics(2, 1e-3, 0.4, 0.9, 0.3, 0.88, 1000, 0.40, 100, 0.36, 0.03));
        String line = TrainCommand.timeSplit(h);
        // mean pass 0.5 s = 100 steps × 4.3 ms + 0.07 s overhead (14%), mean eval 0.04 s; fastest is epoch 2
        assertTrue(line.startsWith("epoch time: mean 0.500 s = 100 steps × 4.300 ms + overhead 0.070 s (14.0%), eval 0.040 s"), line);
        assertTrue(line.contains("fastest (epoch 2) 0.400 s = 0.360 s steps + 0.040 s overhead, eval 0.030 s"), line);
    }
}
