package dev.jgrad.train;

import dev.jgrad.nn.io.Checkpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static Tabular train, test;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        Tabular[] d = standardizedDigits();
        train = d[0];
        test = d[1];
    }

    /** The digits data set in a seeded 80/20 stratified split, standardised with the training part's statistics: {train, test}. */
    static Tabular[] standardizedDigits() {
        Split split = Split.stratified(Datasets.digits(), 0.2, 42);
        Standardizer s = Standardizer.fit(split.train());
        return new Tabular[] {s.transform(split.train()), s.transform(split.test())};
    }

    private static double manualAccuracy(Module model, Tabular data) {
        DataLoader all = new DataLoader(data, data.size(), false, false, 0, DType.FLOAT32);
        DataLoader.Batch b = all.epoch(0).iterator().next();
        model.eval();
        Tensor out;
        try (GradMode.Scope s = GradMode.noGrad()) {
            out = model.forward(b.features());
        }
        int correct = 0;
        for (int i = 0; i < b.size(); i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) if (out.at(i, c) > out.at(i, best)) best = c;
            if (best == data.label(b.indices()[i])) correct++;
        }
        return correct / (double) b.size();
    }

    @Test
    void resumedRunKeepsTheEarlierEpochsInItsMetrics() throws IOException {
        Path out = dir.resolve("resumed"), ck = dir.resolve("r.safetensors");
        DataLoader trainLoader = new DataLoader(train, 64, true, false, 1, DType.FLOAT32);
        Sequential first = Mlp.builder(64, 10).hidden(16).seed(5).build();
        Trainer.builder(first, new dev.jgrad.nn.optim.Sgd(first.parameters(), 0.05)).epochs(2).progress(false).log(null)
                .outDir(out).checkpoint(ck).build().fit(trainLoader, null);
        Sequential second = Mlp.builder(64, 10).hidden(16).seed(5).build();
        Trainer t = Trainer.builder(second, new dev.jgrad.nn.optim.Sgd(second.parameters(), 0.05)).epochs(4).progress(false).log(null)
                .outDir(out).checkpoint(ck).build();
        assertEquals(2, t.resume(ck));
        List<EpochMetrics> run = t.fit(trainLoader, null);
        assertEquals(2, run.size(), "this call runs epochs 3 and 4");
        assertEquals(4, t.history().size(), "history covers the whole run");
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(5, csv.size(), String.join("\n", csv));
        for (int e = 1; e <= 4; e++) assertTrue(csv.get(e).startsWith(e + ","), csv.get(e));
    }

    @Test
    void writesMetricsCsvJsonAndChartAndReportsSaneMetrics() throws IOException {
        Sequential model = Mlp.builder(64, 10).hidden(32).dropout(0.1).seed(3).build();
        Adam opt = Adam.adamW(model.parameters(), 1e-2, 1e-4);
        Path out = dir.resolve("run");  // does not exist yet: the trainer creates it
        Path ck = dir.resolve("ck.safetensors");
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        Trainer t = Trainer.builder(model, opt).epochs(3).schedule(LrSchedule.cosine(1e-2, 3, 0)).progress(false)
                .log(new PrintStream(logBytes, true, StandardCharsets.UTF_8)).outDir(out).checkpoint(ck).build();
        DataLoader trainLoader = new DataLoader(train, 32, true, false, 1, DType.FLOAT32);
        DataLoader testLoader = new DataLoader(test, 100, false, false, 1, DType.FLOAT32);
        List<EpochMetrics> h = t.fit(trainLoader, testLoader);

        assertEquals(3, h.size());
        assertEquals(h, t.history());
        double[] lrs = {1e-2, 1e-2 * (1 + Math.cos(Math.PI / 3)) / 2, 1e-2 * (1 + Math.cos(2 * Math.PI / 3)) / 2};
        for (int i = 0; i < 3; i++) {
            EpochMetrics m = h.get(i);
            assertEquals(i + 1, m.epoch());
            assertEquals(lrs[i], m.lr(), 1e-15);
            assertTrue(m.trainLoss() > 0 && Double.isFinite(m.trainLoss()), m.line());
            assertTrue(m.testLoss() > 0 && Double.isFinite(m.testLoss()), m.line());
            assertTrue(m.trainAccuracy() >= 0 && m.trainAccuracy() <= 1, m.line());
            assertTrue(m.testAccuracy() >= 0 && m.testAccuracy() <= 1, m.line());
            assertTrue(m.samplesPerSecond() > 0 && m.seconds() > 0, m.line());
            // the time split: every batch is one step, the steps are part of the pass, evaluation is separate
            assertEquals(trainLoader.numBatches(), m.steps(), m.line());
            assertTrue(m.stepSeconds() > 0 && m.stepSeconds() <= m.seconds(), m.line());
            assertEquals(m.seconds() - m.stepSeconds(), m.overheadSeconds(), 1e-15);
            assertEquals(1e3 * m.stepSeconds() / m.steps(), m.millisPerStep(), 1e-12);
            assertTrue(m.evalSeconds() > 0, m.line());
            assertTrue(m.line().contains(m.steps() + " steps"), m.line());
            // every test sample is one of test.size(): accuracy is a multiple of 1/N
            double k = m.testAccuracy() * test.size();
            assertEquals(Math.rint(k), k, 1e-9);
        }
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss(), "training loss should fall");
        assertTrue(h.get(2).testAccuracy() > 0.85, "test accuracy " + h.get(2).testAccuracy());
        assertTrue(h.get(0).trainLoss() < Math.log(10) * 1.5, "first-epoch loss " + h.get(0).trainLoss());
        // the reported test accuracy is what the model scores
        assertEquals(manualAccuracy(model, test), h.get(2).testAccuracy(), 1e-12);
        Trainer.Evaluation ev = Trainer.evaluate(model, Objective.crossEntropy(SoftmaxCrossEntropy.FUSED), testLoader);
        assertEquals(h.get(2).testAccuracy(), ev.accuracy(), 1e-12);
        assertEquals(h.get(2).testLoss(), ev.loss(), 1e-9);
        assertEquals(test.size(), ev.samples());
        assertFalse(model.isTraining(), "evaluate leaves the model in eval mode");

        // metrics.csv: header + one line per epoch
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        assertEquals(EpochMetrics.CSV_HEADER, csv.get(0));
        for (int i = 0; i < 3; i++) {
            String[] f = csv.get(i + 1).split(",");
            assertEquals(12, f.length);
            assertEquals(i + 1, Integer.parseInt(f[0]));
            assertEquals(h.get(i).lr(), Double.parseDouble(f[1]));
            assertEquals(h.get(i).trainLoss(), Double.parseDouble(f[2]));
            assertEquals(h.get(i).testAccuracy(), Double.parseDouble(f[5]));
            assertEquals(h.get(i).steps(), Integer.parseInt(f[8]));
            assertEquals(h.get(i).stepSeconds(), Double.parseDouble(f[9]));
            assertEquals(h.get(i).evalSeconds(), Double.parseDouble(f[10]));
            assertEquals(0, Integer.parseInt(f[11]), "no skipped batches");
        }
        // metrics.json: an array of the same records
        JsonNode json = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(json.isArray());
        assertEquals(3, json.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, json.get(i).get("epoch").asInt());
            assertEquals(h.get(i).trainLoss(), json.get(i).get("trainLoss").asDouble());
            assertEquals(h.get(i).testAccuracy(), json.get(i).get("testAccuracy").asDouble());
        }
        // training.png: a real, non-empty PNG
        Path png = out.resolve("training.png");
        assertTrue(Files.size(png) > 1000, "chart size " + Files.size(png));
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertTrue(img.getWidth() > 100 && img.getHeight() > 100);

        // log: one line per epoch
        String[] lines = logBytes.toString(StandardCharsets.UTF_8).trim().split("\\R");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("epoch   1"), lines[0]);

        // checkpoint of the last epoch
        assertEquals("3", SafeTensors.read(ck).metadata().get("epochs_completed"));

        // a finished trainer has nothing left to do
        assertTrue(t.fit(trainLoader, testLoader).isEmpty());
        assertEquals(3L * trainLoader.numBatches(), opt.steps());
    }

    @Test
    void trainingStepsRunInAWorkspaceThatStopsAllocatingArraysOnceWarm() throws IOException {
        Sequential model = Mlp.builder(64, 10).hidden(32, 16).dropout(0.2).seed(3).build();
        // the schedule runs at the start of each epoch: it records the arrays allocated by the epochs before
        Trainer[] trainer = new Trainer[1];
        long[] atEpochStart = {-1, -1};
        LrSchedule probe = epoch -> {
            atEpochStart[epoch] = trainer[0].workspace().arraysAllocated();
            return 1e-2;
        };
        Trainer t = trainer[0] = Trainer.builder(model, Adam.adamW(model.parameters(), 1e-2, 1e-4)).epochs(2).schedule(probe)
                .progress(false).log(null).build();
        DataLoader loader = new DataLoader(train, 64, true, true, 1, DType.FLOAT32); // equal batches: one graph shape
        assertEquals(2, t.fit(loader, null).size());
        long warm = atEpochStart[1];
        assertTrue(warm > 0, "the first epoch took its arrays from the workspace");
        assertEquals(warm, t.workspace().arraysAllocated(), "the second epoch reuses every array");
        assertFalse(t.workspace().isOpen());
        for (Tensor p : model.parameters()) assertTrue(p.grad() == null || Double.isFinite(p.grad().get(0)), "kept gradients stay readable");
    }

    @Test
    void graphReuseIsTheDefaultAndChangesNoNumber() throws IOException {
        List<List<Double>> runs = new java.util.ArrayList<>();
        for (boolean reuse : new boolean[]{true, false}) {
            Sequential model = Mlp.builder(64, 10).hidden(32, 16).dropout(0.2).seed(3).build();
            Trainer.Builder b = Trainer.builder(model, Adam.adamW(model.parameters(), 1e-2, 1e-4)).epochs(2).progress(false).log(null);
            Trainer t = reuse ? b.build() : b.reuseGraph(false).build();
            assertEquals(reuse, t.workspace().reusesGraph());
            List<Double> numbers = new java.util.ArrayList<>();
            for (EpochMetrics m : t.fit(new DataLoader(train, 64, true, true, 1, DType.FLOAT32), new DataLoader(test, 128, false, false, 0, DType.FLOAT32))) {
                numbers.addAll(List.of(m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy()));
            }
            for (Tensor p : model.parameters()) for (int i = 0; i < p.numel(); i++) numbers.add(p.get(i));
            runs.add(numbers);
        }
        assertEquals(runs.get(0), runs.get(1), "the same run, bit for bit, with and without graph reuse");
    }

    @Test
    void withoutTestLoaderTestMetricsAreNaN() throws IOException {
        Sequential model = Mlp.builder(64, 10).hidden(8).seed(3).build();
        Trainer t = Trainer.builder(model, new Adam(model.parameters(), 1e-2)).epochs(1).progress(false).log(null).build();
        List<EpochMetrics> h = t.fit(new DataLoader(train, 64, true, true, 1, DType.FLOAT32), null);
        assertEquals(1, h.size());
        assertTrue(Double.isNaN(h.get(0).testLoss()) && Double.isNaN(h.get(0).testAccuracy()));
        assertEquals(0, h.get(0).evalSeconds(), "no evaluation, no evaluation time");
        assertTrue(h.get(0).trainAccuracy() > 0);
    }

    @Test
    void builderRejectsNonPositiveEpochsAndResumeNeedsEpochMetadata() throws IOException {
        Sequential model = Mlp.builder(64, 10).hidden(8).seed(3).build();
        Adam opt = new Adam(model.parameters(), 1e-2);
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, opt).epochs(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(null, opt));
        Path f = dir.resolve("no-epochs.safetensors");
        Checkpoint.save(f, model, opt, null);
        Trainer t = Trainer.builder(model, opt).progress(false).log(null).build();
        assertThrows(IllegalArgumentException.class, () -> t.resume(f));
    }

    @Test
    void objectivesScorePredictions() {
        Tensor out = Tensor.of(new double[] {
                0.1, 0.7, 0.2,   // argmax 1
                0.5, 0.5, 0.0,   // tie: first maximum, 0
                -1, -2, -0.5},   // argmax 2
                3, 3);
        assertEquals(3, Objective.argmaxCorrect(out, IntTensor.of(1, 0, 2)));
        assertEquals(1, Objective.argmaxCorrect(out, IntTensor.of(1, 1, 0)));
        Objective ce = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);
        assertEquals(2, ce.correct(out, IntTensor.of(1, 1, 2)));
        // cross-entropy of a uniform row is log(C)
        assertEquals(Math.log(3), ce.loss(Tensor.zeros(DType.FLOAT64, 2, 3), IntTensor.of(0, 2)).item(), 1e-12);
        // MSE against one-hot: row [0, 0] vs class 1 → mean((0-0)², (0-1)²) = 0.5
        assertEquals(0.5, Objective.mseOneHot().loss(Tensor.zeros(DType.FLOAT64, 1, 2), IntTensor.of(1)).item(), 1e-12);
        Objective bin = Objective.binaryWithLogits();
        Tensor logits = Tensor.of(new double[] {2.0, -1.0, 0.0}, 3, 1);
        assertEquals(2, bin.correct(logits, IntTensor.of(1, 0, 1)), "logit 0 predicts class 0");
        // BCE with logits of 0 is log 2
        assertEquals(Math.log(2), bin.loss(Tensor.zeros(DType.FLOAT64, 2, 1), IntTensor.of(0, 1)).item(), 1e-12);
        assertTrue(ce.name().contains("FUSED"), ce.name());
    }

    @Test
    void fastEpochsWriteMetricsEveryEpochButDrawTheChartAtTheEnd() throws IOException {
        Path runDir = dir.resolve("chart");
        Path ck = dir.resolve("c.safetensors");
        List<String> seenAtLog = new java.util.ArrayList<>();
        // the log line of an epoch is printed after its outputs are written: record what exists at that moment
        PrintStream probe = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                try {
                    seenAtLog.add(Files.readAllLines(runDir.resolve("metrics.csv")).size() + " csv lines, chart "
                            + Files.exists(runDir.resolve("training.png")) + " | " + line);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Sequential model = Mlp.builder(64, 10).hidden(8).seed(3).build();
        Trainer t = Trainer.builder(model, new Adam(model.parameters(), 1e-2)).epochs(3).progress(false).log(probe)
                .outDir(runDir).checkpoint(ck).build();
        t.fit(new DataLoader(train, 64, true, false, 1, DType.FLOAT32), new DataLoader(test, 500, false, false, 1, DType.FLOAT32));
        assertEquals(3, seenAtLog.size());
        // epochs far shorter than the chart interval: metrics after every epoch, the chart only after the last
        assertTrue(seenAtLog.get(0).startsWith("2 csv lines, chart false"), seenAtLog.get(0));
        assertTrue(seenAtLog.get(1).startsWith("3 csv lines, chart false"), seenAtLog.get(1));
        assertTrue(seenAtLog.get(2).startsWith("4 csv lines, chart true"), seenAtLog.get(2));
        for (String l : seenAtLog) assertTrue(l.contains("; metrics ") && l.contains("; chart ") && l.contains("; checkpoint "), l);
        assertTrue(ChartListener.DEFAULT_INTERVAL_SECONDS > 0);
    }

    @Test
    void evaluateRejectsNullsAndScoresFloat32AndFloat64Alike() {
        Sequential model = Mlp.builder(64, 10).hidden(8).seed(3).build();
        Objective ce = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);
        DataLoader l = new DataLoader(test, 100, false, false, 1, DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(null, ce, l));
        assertTrue(e.getMessage().contains("model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(model, null, l));
        assertTrue(e.getMessage().contains("objective"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(model, ce, null));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
        // the same logits in both dtypes score the same, ties going to the first maximum
        double[] logits = {0.1, 0.7, 0.7, Double.NaN, 2, 1, -1, -1, -1};
        IntTensor y = IntTensor.of(1, 1, 0);
        assertEquals(2, Objective.argmaxCorrect(Tensor.of(logits, 3, 3), y));
        assertEquals(2, Objective.argmaxCorrect(Tensor.of(DType.FLOAT32, logits, 3, 3), y));
        Trainer.Evaluation ev = Trainer.evaluate(model, ce, l);
        assertEquals(test.size(), ev.samples());
        assertEquals(manualAccuracy(model, test), ev.accuracy(), 1e-12);
    }
}
