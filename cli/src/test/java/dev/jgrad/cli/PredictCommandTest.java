package dev.jgrad.cli;

import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Tabular;
import dev.jgrad.train.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jgrad.cli.TrainCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad train} writes a model file; {@code jgrad predict} uses it with no code that re-declares the network. */
class PredictCommandTest {

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "'" + regex + "' in: " + text);
        return m.group(1);
    }

    private static void assertUsageError(TrainCommandTest.Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("jgrad: ") && r.err().contains(expected), "'" + expected + "' in: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }

    /** Iris rows as CSV: a header, the four features and (if {@code labels}) the species name. */
    private static Path irisCsv(Path file, Tabular t, boolean labels) throws IOException {
        StringBuilder s = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width" + (labels ? ",species" : "") + "\n");
        for (int i = 0; i < t.size(); i++) {
            double[] r = t.row(i);
            s.append(r[0]).append(',').append(r[1]).append(',').append(r[2]).append(',').append(r[3]);
            if (labels) s.append(',').append(t.className(t.label(i)));
            s.append('\n');
        }
        return Files.writeString(file, s);
    }

    @Test
    void aTrainedClassifierPredictsItsTestSplitAndCsvRows(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("iris");
        TrainCommandTest.Result t = run("train", "--dataset", "iris", "--no-progress", "--epochs", "20", "--out", dir.toString());
        assertEquals(0, t.code(), t.err());
        Path model = dir.resolve(Model.FILE_NAME);
        assertTrue(t.out().contains("model in " + model), t.out());
        String trained = group(t.out(), "final test accuracy ([0-9.]+)");

        // the held-out rows again, found from the model's stored seed: the same accuracy as the training run reported
        TrainCommandTest.Result p = run("predict", "--model", model.toString(), "--dataset", "iris");
        assertEquals(0, p.code(), p.err());
        assertEquals(trained, group(p.err(), "accuracy ([0-9.]+) \\("), p.err());
        List<String> lines = p.lines();
        assertEquals("row,label,probability,actual", lines.get(0));
        assertEquals(31, lines.size(), "a header and the 30 test rows");
        assertTrue(lines.get(1).matches("0,(setosa|versicolor|virginica),[01]\\.[0-9]{6},(setosa|versicolor|virginica)"), lines.get(1));

        // the same rows as a CSV file with a header and string labels, probabilities and the top 2 into a file
        Tabular test = Split.stratified(Datasets.iris(), 0.2, 42).test();
        Path csv = irisCsv(tmp.resolve("rows.csv"), test, true);
        Path out = tmp.resolve("preds.csv");
        TrainCommandTest.Result q = run("predict", "--model", model.toString(), "--data", csv.toString(), "--header", "--proba", "--top-k", "2",
                "--out", out.toString());
        assertEquals(0, q.code(), q.err());
        assertEquals(trained, group(q.out(), "accuracy ([0-9.]+) \\("), q.out());
        assertTrue(q.out().contains("predictions in " + out), q.out());
        List<String> rows = Files.readAllLines(out);
        assertEquals("row,label,probability,top1,top1_probability,top2,top2_probability,setosa,versicolor,virginica,actual", rows.get(0));
        assertEquals(31, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertEquals(f[1], f[3], "the label is the most probable class: " + row);
            assertEquals(f[2], f[4], row);
            double sum = Double.parseDouble(f[7]) + Double.parseDouble(f[8]) + Double.parseDouble(f[9]);
            assertEquals(1.0, sum, 2e-6, row);
        }

        // without the label column: the same predictions, no accuracy
        Path bare = irisCsv(tmp.resolve("bare.csv"), test, false);
        TrainCommandTest.Result b = run("predict", "--model", model.toString(), "--data", bare.toString(), "--header");
        assertEquals(0, b.code(), b.err());
        assertEquals("row,label,probability", b.lines().get(0));
        for (int i = 1; i < b.lines().size(); i++) assertTrue(p.lines().get(i).startsWith(b.lines().get(i) + ","), b.lines().get(i));
        assertTrue(!b.err().contains("accuracy"), b.err());

        // bad input: one line and exit code 2
        assertUsageError(run("predict", "--model", tmp.resolve("none.safetensors").toString(), "--dataset", "iris"), "no such model file");
        assertUsageError(run("predict", "--model", csv.toString(), "--dataset", "iris"), "not a jgrad model");
        assertUsageError(run("predict", "--model", dir.resolve("checkpoint.safetensors").toString(), "--dataset", "iris"), "a training checkpoint");
        assertUsageError(run("predict", "--model", model.toString()), "give --data FILE");
        assertUsageError(run("predict", "--model", model.toString(), "--data", tmp.resolve("missing.csv").toString()), "no such file");
        Path wide = Files.writeString(tmp.resolve("wide.csv"), "1,2,3,4,5,6\n");
        assertUsageError(run("predict", "--model", model.toString(), "--data", wide.toString()), "rows of 6 columns, but the model expects 4 features");
        Path word = Files.writeString(tmp.resolve("word.csv"), "1,2,3,4\n1,2,x,4\n");
        assertUsageError(run("predict", "--model", model.toString(), "--data", word.toString()), "word.csv:2: column 3: 'x' is not a number");
        Path ragged = Files.writeString(tmp.resolve("ragged.csv"), "1,2,3,4\n1,2,3\n");
        assertUsageError(run("predict", "--model", model.toString(), "--data", ragged.toString()), "expected 4 columns but found 3");
        Path alien = Files.writeString(tmp.resolve("alien.csv"), "1,2,3,4,rose\n");
        assertUsageError(run("predict", "--model", model.toString(), "--data", alien.toString()), "label 'rose' is not one of the model's classes");
        assertUsageError(run("predict", "--model", model.toString(), "--dataset", "digits"), "digits has 64 features, but the model");
        assertUsageError(run("predict", "--model", model.toString(), "--dataset", "iris", "--top-k", "4"), "--top-k 4: must be in [1, 3]");
        assertUsageError(run("predict", "--model", model.toString(), "--data", bare.toString(), "--label", "species"), "needs --header");
        assertUsageError(run("predict", "--model", model.toString(), "--dataset", "iris", "--split", "val"), "--split must be");
        assertUsageError(run("predict", "--model", model.toString(), "--dataset", "iris", "--out", tmp.resolve("no/such/p.csv").toString()), "--out: no such directory");
    }

    @Test
    void aTrainedRegressorPredictsValuesWithTheTrainingRunsR2(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("d");
        TrainCommandTest.Result t = run("train", "--dataset", "diabetes", "--no-progress", "--epochs", "30", "--out", dir.toString());
        assertEquals(0, t.code(), t.err());
        String r2 = group(t.out(), "final test R² ([0-9.-]+)");
        Path model = dir.resolve(Model.FILE_NAME);
        TrainCommandTest.Result p = run("predict", "--model", model.toString(), "--dataset", "diabetes");
        assertEquals(0, p.code(), p.err());
        assertEquals(r2, group(p.err(), "R² ([0-9.-]+)"), p.err() + " vs " + t.out());
        assertEquals("row,value,actual", p.lines().get(0));
        assertEquals(Split.stratified(Datasets.diabetes(), 0.2, 42).test().size(), p.lines().size() - 1, "a line per test row");
        assertUsageError(run("predict", "--model", model.toString(), "--dataset", "diabetes", "--proba"), "--proba: a regression model");
    }

    @Test
    void aTrainedCnnPredictsTheDigitsTestSplit(@TempDir Path tmp) {
        Path dir = tmp.resolve("cnn");
        TrainCommandTest.Result t = run("train", "--model", "cnn", "--epochs", "1", "--no-progress", "--out", dir.toString());
        assertEquals(0, t.code(), t.err());
        TrainCommandTest.Result p = run("predict", "--model", dir.resolve(Model.FILE_NAME).toString(), "--dataset", "digits", "--top-k", "3");
        assertEquals(0, p.code(), p.err());
        assertEquals(group(t.out(), "final test accuracy ([0-9.]+)"), group(p.err(), "accuracy ([0-9.]+) \\("), p.err());
        assertTrue(p.err().contains("CNN 8x8 conv32-conv64-fc128-10"), p.err());
    }
}
