package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ClassificationMetrics}, {@link EarlyStoppingListener} and {@link BestCheckpointListener}. */
class ClassificationMetricsTest {

    /** The features are the logits. */
    private static final class Identity extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    // logits (3 classes) and labels: row 0 right; row 1 label 1 predicted 0 (label second); row 2 label 2 predicted 0
    // (label third); row 3 right; row 4 label 1 predicted 1 with a tie at the top (first maximum wins, class 1)
    private static final double[][] LOGITS = {{5, 1, 0}, {3, 2, 1}, {2, 1, 0}, {0, 1, 4}, {0, 2, 2}};
    private static final int[] LABELS = {0, 1, 2, 2, 1};

    private static ClassificationMetrics metrics() {
        Tabular t = Tabular.of(LOGITS, LABELS, 3, List.of("a", "b", "c"));
        return ClassificationMetrics.evaluate(new Identity(), new DataLoader(t, 2, false, false, 1, DType.FLOAT64), 3);
    }

    @Test
    void confusionPrecisionRecallF1AndTopK() {
        ClassificationMetrics m = metrics();
        assertEquals(5, m.rows());
        assertArrayEquals(new long[]{1, 0, 0}, m.confusion()[0]);
        assertArrayEquals(new long[]{1, 1, 0}, m.confusion()[1]);
        assertArrayEquals(new long[]{1, 0, 1}, m.confusion()[2]);
        assertEquals(3 / 5.0, m.accuracy(), 1e-15);
        assertEquals(m.accuracy(), m.microF1(), 1e-15);
        // precision: a 1/3, b 1/1, c 1/1; recall: a 1/1, b 1/2, c 1/2
        assertEquals(1 / 3.0, m.precision(0), 1e-15);
        assertEquals(0.5, m.recall(1), 1e-15);
        assertEquals(2 * (1 / 3.0) / (1 / 3.0 + 1), m.f1(0), 1e-15);
        assertEquals((1 / 3.0 + 1 + 1) / 3, m.macroPrecision(), 1e-15);
        assertEquals((1 + 0.5 + 0.5) / 3, m.macroRecall(), 1e-15);
        assertEquals((0.5 + 2 / 3.0 + 2 / 3.0) / 3, m.macroF1(), 1e-15);
        // top-2: row 1 (label second) in, row 2 (label third) out; top-3: all
        assertEquals(3 / 5.0, m.topKAccuracy(1), 1e-15);
        assertEquals(4 / 5.0, m.topKAccuracy(2), 1e-15);
        assertEquals(1.0, m.topKAccuracy(3), 1e-15);
        assertEquals(1.0, m.topKAccuracy(10), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> m.topKAccuracy(0));
        String text = m.format(List.of("a", "b", "c"));
        assertTrue(text.startsWith("true\\pred  a  b  c\na        "), text);
        // ten classes with two-digit counts fit 50 columns (was 9 + 10 x 11)
        double[][] oneHot = new double[360][10];
        int[] labels = new int[360];
        for (int i = 0; i < 360; i++) {
            labels[i] = i % 10;
            oneHot[i][i % 10] = 1;
        }
        ClassificationMetrics ten = ClassificationMetrics.evaluate(new Identity(),
                new DataLoader(Tabular.of(oneHot, labels, 10), 64, false, false, 1, DType.FLOAT64), 10);
        for (String line : ten.format(null).split("\n")) assertTrue(line.length() <= 50, line);
        assertTrue(m.summary(2).contains("top-2 0.8000"), m.summary(2));
    }

    @Test
    void csvAndBinaryAndBadShapes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("confusion.csv");
        metrics().writeCsv(f, List.of("a", "b", "x,y"));
        List<String> lines = Files.readAllLines(f);
        assertEquals("true\\pred,a,b,\"x,y\"", lines.get(0));
        assertEquals("b,1,1,0", lines.get(2));
        assertTrue(lines.get(4).startsWith("precision,0.333"), lines.get(4));
        assertEquals(7, lines.size());

        // one logit per row for two classes: class 1 when > 0
        Tabular bin = Tabular.of(new double[][]{{2}, {-1}, {0.5}, {-3}}, new int[]{1, 0, 0, 1}, 2);
        ClassificationMetrics b = ClassificationMetrics.evaluate(new Identity(), new DataLoader(bin, 4, false, false, 1, DType.FLOAT32), 2);
        assertArrayEquals(new long[]{1, 1}, b.confusion()[0]);
        assertArrayEquals(new long[]{1, 1}, b.confusion()[1]);
        assertEquals(0.5, b.accuracy());
        assertEquals(1.0, b.topKAccuracy(2));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.evaluate(new Identity(),
                new DataLoader(Tabular.of(LOGITS, LABELS, 3), 2, false, false, 1, DType.FLOAT64), 4));
        assertTrue(e.getMessage().contains("3 logits per row for 4 classes"), e.getMessage());
    }

    private static TrainingContext stopContext(boolean[] stopped) {
        return (TrainingContext) Proxy.newProxyInstance(ClassificationMetricsTest.class.getClassLoader(), new Class<?>[]{TrainingContext.class},
                (p, method, args) -> {
                    if (method.getName().equals("requestStop")) stopped[0] = true;
                    return null;
                });
    }

    private static EpochMetrics epoch(int e, double testLoss) {
        return new EpochMetrics(e, 1e-3, 1, 0.5, testLoss, 0.5, 100, 0.1, 1, 0.1, 0.01);
    }

    @Test
    void earlyStoppingWaitsPatienceEpochsWithoutImprovement() {
        EarlyStoppingListener l = new EarlyStoppingListener(2, 0.01);
        boolean[] stopped = {false};
        TrainingContext ctx = stopContext(stopped);
        double[] losses = {1.0, 0.8, 0.795, Double.NaN, 0.5, 0.6, 0.7};
        int stopAt = 0;
        for (int i = 0; i < losses.length && !stopped[0]; i++) {
            l.onEpochEnd(ctx, epoch(i + 1, losses[i]));
            stopAt = i + 1;
        }
        // 0.795 is not better by more than 0.01, NaN never is: stop after epoch 4, best epoch 2
        assertTrue(stopped[0]);
        assertEquals(4, stopAt);
        assertEquals(4, l.stoppedEpoch());
        assertEquals(2, l.bestEpoch());
        assertEquals(0.8, l.bestLoss());
        assertThrows(IllegalArgumentException.class, () -> new EarlyStoppingListener(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStoppingListener(1, Double.NaN));
    }

    @Test
    void theBestCheckpointHoldsTheEpochWithTheLowestEvaluationLoss(@TempDir Path dir) throws IOException {
        Tabular[] d = TrainerTest.standardizedDigits();
        Sequential m = Mlp.builder(64, 10).hidden(16).seed(3).build();
        BestCheckpointListener best = new BestCheckpointListener(dir.resolve("best.safetensors"), Map.of("run", "x"));
        // a high rate and no decay: the evaluation loss goes up again after a while
        Trainer t = Trainer.builder(m, Adam.adamW(m.parameters(), 5e-2, 0)).epochs(8).progress(false).log(null).listener(best).build();
        List<EpochMetrics> h = t.fit(new DataLoader(d[0], 64, true, false, 1, DType.FLOAT32), new DataLoader(d[1], 500, false, false, 1, DType.FLOAT32));
        EpochMetrics min = h.get(0);
        for (EpochMetrics e : h) if (e.testLoss() < min.testLoss()) min = e;
        assertEquals(min.epoch(), best.bestEpoch());
        Map<String, String> meta = SafeTensors.readHeader(best.file()).metadata();
        assertEquals(Integer.toString(min.epoch()), meta.get(Trainer.EPOCHS_COMPLETED_KEY));
        assertEquals(Double.toString(min.testLoss()), meta.get(BestCheckpointListener.BEST_LOSS_KEY));
        assertEquals("x", meta.get("run"));
        assertFalse(h.isEmpty());
    }
}
