package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.TensorSource;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Self-describing model files: {@link Model#save}, {@link Model#load} and {@link Model#predict}. */
class ModelTest {
    @TempDir
    Path dir;

    /** Trains {@code net} for a few epochs on {@code train} (already scaled). */
    private static void fit(Sequential net, Objective objective, Tabular train, int epochs, DType dt) throws IOException {
        Trainer t = Trainer.builder(net, Adam.adamW(net.parameters(), 1e-2, 1e-4)).objective(objective).epochs(epochs)
                .progress(false).log(null).build();
        t.fit(new DataLoader(train, 16, true, false, 3, dt), null);
    }

    /** The in-memory network's outputs for already scaled rows, in eval mode without a graph. */
    private static double[][] direct(Module net, Tabular scaled, DType dt) {
        net.eval();
        double[][] out = new double[scaled.size()][];
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor o = net.forward(new DataLoader(scaled, scaled.size(), false, false, 0, dt).batch(java.util.stream.IntStream.range(0, scaled.size()).toArray()).features());
            int k = o.shape()[1];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[k];
                for (int j = 0; j < k; j++) out[i][j] = o.get(i * k + j);
            }
        }
        return out;
    }

    private static void assertSameOutputs(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], actual[i], 0.0, "row " + i);
    }

    @Test
    void anMlpClassifierRoundTripsWithItsScalerClassNamesAndOptions() throws IOException {
        Split split = Split.stratified(Datasets.iris(), 0.2, 7);
        Standardizer scaler = Standardizer.fit(split.train());
        Architecture arch = Architecture.mlp(4, new int[]{16, 8}, Activation.Kind.TANH, 0.2, 3);
        Sequential net = arch.build(DType.FLOAT32, 5);
        fit(net, Objective.crossEntropy(SoftmaxCrossEntropy.FUSED), scaler.transform(split.train()), 5, DType.FLOAT32);
        Model model = Model.classifier(arch, net, Datasets.iris().classNames()).scaler(scaler)
                .trainingOptions(Map.of("epochs", "5", "lr", "0.01")).build();
        Path file = dir.resolve("iris.safetensors");
        model.save(file);

        Model loaded = Model.load(file);
        assertEquals(Model.Task.CLASSIFICATION, loaded.task());
        assertEquals(List.of("setosa", "versicolor", "virginica"), loaded.classNames());
        assertEquals(4, loaded.inputFeatures());
        assertEquals(arch, loaded.architecture());
        assertEquals(DType.FLOAT32, loaded.dtype());
        assertEquals(Map.of("epochs", "5", "lr", "0.01"), loaded.trainingOptions());
        assertArrayEquals(scaler.mean(), loaded.scaler().orElseThrow().mean(), 0.0);
        assertArrayEquals(scaler.std(), loaded.scaler().orElseThrow().std(), 0.0);

        // raw rows in, the stored scaler applied: the loaded model's logits are the trained network's, bit for bit
        Tabular test = split.test();
        double[][] raw = test.features();
        double[][] expected = direct(net, scaler.transform(test), DType.FLOAT32);
        assertSameOutputs(expected, loaded.outputs(raw));
        assertSameOutputs(expected, model.outputs(raw));
        assertSameOutputs(expected, loaded.outputs(test));

        Predictions p = loaded.predict(raw);
        double[][] proba = loaded.predictProba(raw);
        int correct = 0;
        for (int i = 0; i < raw.length; i++) {
            double sum = 0;
            int arg = 0;
            for (int c = 0; c < 3; c++) {
                sum += proba[i][c];
                if (expected[i][c] > expected[i][arg]) arg = c;
            }
            assertEquals(1.0, sum, 1e-12);
            assertArrayEquals(proba[i], p.probabilities(i), 0.0);
            assertEquals(arg, p.classIndex(i));
            assertEquals(loaded.classNames().get(arg), p.label(i));
            if (arg == test.label(i)) correct++;
        }
        assertTrue(correct >= 0.8 * raw.length, correct + " of " + raw.length + " correct");
        assertEquals(0, loaded.predict(new double[0][]).size());
        assertThrows(IllegalStateException.class, () -> p.value(0));
    }

    @Test
    void aCnnRoundTripsWithItsBatchNormStatisticsInFloat64() throws IOException {
        Tabular digits = Datasets.digits();
        Split split = Split.stratified(digits, 0.1, 3);
        Standardizer scaler = Standardizer.fit(split.train());
        Architecture arch = Architecture.cnn(1, 8, 8, 4, 8, 16, 0.25, 10);
        Sequential net = arch.build(DType.FLOAT64, 11);
        Tabular train = scaler.transform(split.train()).subset(java.util.stream.IntStream.range(0, 256).toArray());
        fit(net, Objective.crossEntropy(SoftmaxCrossEntropy.FUSED), train, 1, DType.FLOAT64);
        Path file = dir.resolve("cnn.safetensors");
        Model.classifier(arch, net, digits.classNames()).scaler(scaler).build().save(file);

        Model loaded = Model.load(file);
        assertEquals(arch, loaded.architecture());
        assertEquals(DType.FLOAT64, loaded.dtype());
        assertEquals(64, loaded.inputFeatures());
        assertSameOutputs(direct(net, scaler.transform(split.test()), DType.FLOAT64), loaded.outputs(split.test()));
        // the running statistics travelled (eval mode): a batch of one row is predicted as within the batch (to rounding:
        // the convolution's blocking depends on the batch size)
        double[] row = split.test().row(5);
        assertArrayEquals(loaded.outputs(split.test())[5], loaded.outputs(new double[][]{row})[0], 1e-12);
    }

    @Test
    void aRegressorPredictsInTheTargetsUnits() throws IOException {
        Tabular all = Datasets.diabetes();
        Standardizer scaler = Standardizer.fit(all);
        double[] y = all.targets();
        double mean = 0, var = 0;
        for (double v : y) mean += v / y.length;
        for (double v : y) var += (v - mean) * (v - mean) / y.length;
        Standardizer targets = Standardizer.of(new double[]{mean}, new double[]{Math.sqrt(var)});
        double[] ys = y.clone();
        for (int i = 0; i < ys.length; i++) ys[i] = (ys[i] - mean) / Math.sqrt(var);
        Tabular train = scaler.transform(all).withTargets(ys, 1);
        Architecture arch = Architecture.mlp(10, new int[]{8}, Activation.Kind.RELU, 0, 1);
        Sequential net = arch.build(DType.FLOAT32, 2);
        fit(net, Objective.regression(), train, 20, DType.FLOAT32);
        Path file = dir.resolve("diabetes.safetensors");
        Model.regressor(arch, net).scaler(scaler).targetScaler(targets).build().save(file);

        Model loaded = Model.load(file);
        assertEquals(Model.Task.REGRESSION, loaded.task());
        assertEquals(List.of(), loaded.classNames());
        double[][] expected = direct(net, scaler.transform(all), DType.FLOAT32);
        assertSameOutputs(expected, loaded.outputs(all));
        Predictions p = loaded.predict(all);
        double se = 0, tot = 0;
        for (int i = 0; i < all.size(); i++) {
            assertEquals(expected[i][0] * Math.sqrt(var) + mean, p.value(i), 1e-9);
            se += (p.value(i) - y[i]) * (p.value(i) - y[i]);
            tot += (y[i] - mean) * (y[i] - mean);
        }
        assertTrue(1 - se / tot > 0.3, "R² " + (1 - se / tot));
        assertThrows(IllegalStateException.class, () -> p.label(0));
        assertThrows(IllegalStateException.class, () -> loaded.predictProba(all.features()));
    }

    @Test
    void aBinaryClassifierWithOneLogitGivesSigmoidProbabilities() throws IOException {
        Architecture arch = Architecture.mlp(2, new int[0], Activation.Kind.RELU, 0, 1);
        Sequential net = arch.build(DType.FLOAT64, 1);
        Path file = dir.resolve("binary.safetensors");
        Model.classifier(arch, net, List.of("no", "yes")).build().save(file);
        Model loaded = Model.load(file);
        double[][] rows = {{1, 2}, {-3, 0.5}, {0, 0}};
        double[][] z = loaded.outputs(rows);
        Predictions p = loaded.predict(rows);
        for (int i = 0; i < rows.length; i++) {
            double p1 = 1 / (1 + Math.exp(-z[i][0]));
            assertEquals(p1, p.probabilities(i)[1], 1e-15);
            assertEquals(1 - p1, p.probabilities(i)[0], 1e-15);
            assertEquals(z[i][0] > 0 ? "yes" : "no", p.label(i));
        }
    }

    @Test
    void theBuilderRefusesPartsThatDoNotFit() {
        Architecture arch = Architecture.mlp(4, new int[]{8}, Activation.Kind.RELU, 0, 3);
        Sequential net = arch.build(DType.FLOAT32, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Model.classifier(arch, net, List.of("a", "b")).build())
                .getMessage().contains("2 class names for 3 outputs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Model.classifier(arch, net, List.of("a", "b", "a")).build())
                .getMessage().contains("not distinct"));
        Sequential other = Architecture.mlp(4, new int[]{9}, Activation.Kind.RELU, 0, 3).build(DType.FLOAT32, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Model.classifier(arch, other, List.of("a", "b", "c")).build())
                .getMessage().contains("parameter '0.weight' is [9, 4]"));
        Standardizer five = Standardizer.of(new double[5], new double[]{1, 1, 1, 1, 1});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Model.classifier(arch, net, List.of("a", "b", "c")).scaler(five).build())
                .getMessage().contains("scaler of 5 features for 4 inputs"));
    }

    @Test
    void aRowOfTheWrongWidthNamesBothCounts() throws IOException {
        Architecture arch = Architecture.mlp(4, new int[]{8}, Activation.Kind.RELU, 0, 3);
        Path file = dir.resolve("m.safetensors");
        Model.classifier(arch, arch.build(DType.FLOAT32, 1), List.of("a", "b", "c")).build().save(file);
        Model m = Model.load(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(new double[][]{{1, 2, 3, 4}, {1, 2, 3}}));
        assertEquals("Model.predict: row 1 has 3 values but the model expects 4 features", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.predict(Datasets.digits()));
        assertTrue(e.getMessage().contains("the data has 64 features per row but the model (" + file + ") expects 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.predict(new double[][]{{1, 2, Double.NaN, 4}}));
        assertTrue(e.getMessage().contains("non-finite feature NaN at row 0, column 2"), e.getMessage());
    }

    @Test
    void foreignDamagedAndMissingFilesAreClearErrorsNamingTheFile() throws IOException {
        Architecture arch = Architecture.mlp(4, new int[]{8}, Activation.Kind.RELU, 0, 3);
        Sequential net = arch.build(DType.FLOAT32, 1);
        Path good = dir.resolve("good.safetensors");
        Model.classifier(arch, net, List.of("alpha", "beta", "gamma")).build().save(good);
        byte[] bytes = Files.readAllBytes(good);

        assertThrows(NoSuchFileException.class, () -> Model.load(dir.resolve("none.safetensors")));
        assertProblem(dir, "is a directory");

        Path text = dir.resolve("text.csv");
        Files.writeString(text, "1,2,3\n4,5,6\n");
        assertProblem(text, "not a jgrad model (not a readable safetensors file");

        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.<String, TensorSource>of(), Map.of("source", "elsewhere"));
        assertProblem(plain, "not a jgrad model (a safetensors file without the 'jgrad.model' metadata entry)");

        Path ckpt = dir.resolve("checkpoint.safetensors");
        Checkpoint.save(ckpt, net, null, Map.of());
        assertProblem(ckpt, "not a jgrad model (a training checkpoint");

        // a flipped weight byte: the data CRC-32 fails
        Path weights = dir.resolve("weights.safetensors");
        byte[] w = bytes.clone();
        w[w.length - 3] ^= 0x10;
        Files.write(weights, w);
        assertProblem(weights, "damaged: ");

        // a changed class name (the JSON header stays valid): the metadata CRC-32 fails
        Path names = dir.resolve("names.safetensors");
        Files.write(names, replace(bytes, "gamma", "delta"));
        assertProblem(names, "damaged: checkpoint metadata CRC-32 mismatch");

        // a description this jgrad cannot build
        Path arch2 = dir.resolve("arch.safetensors");
        Files.write(arch2, replace(bytes, "\\\"type\\\":\\\"mlp\\\"", "\\\"type\\\":\\\"rnn\\\""));
        assertProblem(arch2, "damaged model description: architecture: unknown type 'rnn'");

        Path newer = dir.resolve("newer.safetensors");
        Files.write(newer, replace(bytes, "jgrad-model/1", "jgrad-model/9"));
        assertProblem(newer, "model format 'jgrad-model/9' is not jgrad-model/1");

        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 8));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Model.load(truncated));
        assertTrue(e.getMessage().startsWith(truncated + ": "), e.getMessage());
    }

    private static void assertProblem(Path file, String problem) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> Model.load(file));
        assertTrue(e.getMessage().startsWith(file + ": " + problem), e.getMessage());
        assertEquals(file, e.file());
    }

    /** {@code bytes} with the first occurrence of {@code from} replaced by {@code to} (same length). */
    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8), t = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(f.length, t.length);
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertTrue(at >= 0, "'" + from + "' in the file");
        byte[] out = bytes.clone();
        System.arraycopy(t, 0, out, at, t.length);
        assertFalse(java.util.Arrays.equals(out, bytes));
        return out;
    }
}
