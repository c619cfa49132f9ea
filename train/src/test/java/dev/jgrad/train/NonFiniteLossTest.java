package dev.jgrad.train;

import dev.jgrad.core.AnomalyMode;
import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.BatchNorm1d;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch whose loss is not finite though its gradients would be (issue #16): by default the run stops before that
 * batch's step, naming epoch, batch and run step, with the model and optimizer as after the previous step; with
 * {@link Trainer.Builder#skipNonFiniteBatches(int)} the batch is skipped (model, buffers and optimizer untouched) and
 * counted in the metrics, and one more than allowed stops the run; an anomaly inside a run names where it happened.
 */
class NonFiniteLossTest {
    /** The digits split: {train, test}. */
    private static final Tabular[] DIGITS = TrainerTest.standardizedDigits();
    /** Batches per epoch: 1437 training rows in batches of 128. */
    private static final int BATCHES = 12;

    @TempDir
    Path dir;

    /** Cross-entropy plus {@code poison} (+inf or NaN, a constant: the gradients stay finite) on the given training calls (1-based). */
    private static final class Poisoned implements Objective {
        private final Objective base = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);
        private final Set<Integer> calls;
        private final double poison;
        private int call;

        Poisoned(double poison, Integer... calls) {
            this.poison = poison;
            this.calls = Set.of(calls);
        }

        @Override
        public Tensor loss(Tensor output, IntTensor labels) {
            Tensor l = base.loss(output, labels);
            if (!GradMode.isEnabled()) return l; // evaluation
            return calls.contains(++call) ? Ops.add(l, poison) : l;
        }

        @Override
        public int correct(Tensor output, IntTensor labels) {
            return base.correct(output, labels);
        }

        @Override
        public String name() {
            return "poisoned";
        }
    }

    /** 64-16-BN-ReLU-10: with batch-norm buffers that a forward pass changes. */
    private static Sequential model() {
        SplittableRandom r = new SplittableRandom(7);
        return new Sequential(new Linear(64, 16, true, Init.HE_NORMAL, r, DType.FLOAT32), new BatchNorm1d(16, DType.FLOAT32),
                new Activation(Activation.Kind.RELU), new Linear(16, 10, true, Init.HE_NORMAL, r, DType.FLOAT32));
    }

    private static Map<String, double[]> values(Module m, Optimizer opt) {
        Map<String, double[]> v = new LinkedHashMap<>();
        m.stateDict().forEach((k, t) -> v.put(k, copy(t)));
        opt.state().forEach((k, t) -> v.put("optimizer." + k, copy(t)));
        return v;
    }

    private static double[] copy(Tensor t) {
        double[] d = new double[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.get(i);
        return d;
    }

    private static void assertSame(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), what + ": " + k));
    }

    /** Keeps the model's and optimizer's values after every step, and checks that a skipped batch changed none of them. */
    private static final class Watcher implements TrainingListener {
        Map<String, double[]> afterLastStep;
        int skippedSeen;

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
            afterLastStep = values(ctx.model(), ctx.optimizer());
        }

        @Override
        public void onBatchSkipped(TrainingContext ctx, int batch, int batches, double loss, long skipped) {
            skippedSeen++;
            assertEquals(skippedSeen, skipped);
            assertTrue(!Double.isFinite(loss));
            assertSame(afterLastStep, values(ctx.model(), ctx.optimizer()), "after skipping batch " + batch);
        }
    }

    private static DataLoader loader() {
        return new DataLoader(DIGITS[0], 128, true, false, 1, DType.FLOAT32);
    }

    @Test
    void aNonFiniteLossWithFiniteGradientsStopsTheRunBeforeItsStep() {
        Sequential m = model();
        Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
        Watcher w = new Watcher();
        Trainer t = Trainer.builder(m, opt).objective(new Poisoned(Double.POSITIVE_INFINITY, BATCHES + 3)).epochs(3)
                .progress(false).log(null).listener(w).build();
        DataLoader tl = loader();
        assertEquals(BATCHES, tl.numBatches());
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(tl, null));
        assertEquals("training diverged in epoch 2, batch 3 of 12 (step 15 of the run): the training loss became +inf"
                + " (the parameters are finite)", e.getMessage());
        assertEquals(2, e.epoch());
        assertEquals(3, e.step());
        assertEquals(15, e.runStep());
        // no step was taken for the poisoned batch: parameters, buffers and optimizer state as after the one before
        assertSame(w.afterLastStep, values(m, opt), "after the divergence");
        assertEquals(1, t.history().size());
    }

    @Test
    void skippedBatchesLeaveModelAndOptimizerUntouchedAndAreCounted() throws Exception {
        Sequential m = model();
        Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
        Watcher w = new Watcher();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = dir.resolve("run");
        Trainer t = Trainer.builder(m, opt).objective(new Poisoned(Double.NaN, BATCHES + 3, BATCHES + 5)).epochs(3)
                .progress(false).log(new PrintStream(log, true, StandardCharsets.UTF_8)).outDir(out).listener(w)
                .skipNonFiniteBatches(2).build();
        List<EpochMetrics> h = t.fit(loader(), new DataLoader(DIGITS[1], 500, false, false, 1, DType.FLOAT32));
        assertEquals(3, h.size());
        assertEquals(2, w.skippedSeen);
        assertEquals(2, t.skippedBatches());
        assertEquals(List.of(0, 2, 0), h.stream().map(EpochMetrics::skippedBatches).toList());
        assertEquals(List.of(12, 10, 12), h.stream().map(EpochMetrics::steps).toList());
        for (EpochMetrics x : h) assertTrue(Double.isFinite(x.trainLoss()) && Double.isFinite(x.testLoss()), x.toString());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.lines().toList().get(1).contains("; 2 batches with a non-finite loss skipped"), text);
        assertTrue(!text.lines().toList().get(0).contains("skipped"), text);
        List<String> csv = Files.readAllLines(out.resolve(MetricsFileListener.CSV));
        assertTrue(csv.get(0).endsWith(",skipped_batches"), csv.get(0));
        assertTrue(csv.get(2).endsWith(",2") && csv.get(1).endsWith(",0"), csv.toString());
        assertEquals(2, MetricsFileListener.read(out.resolve(MetricsFileListener.JSON)).get(1).skippedBatches());
        assertTrue(h.get(1).shortLine(3).endsWith("  2 skipped"), h.get(1).shortLine(3));
    }

    @Test
    void oneMoreThanTheAllowedSkipsStopsTheRun() {
        Sequential m = model();
        Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
        Watcher w = new Watcher();
        Trainer t = Trainer.builder(m, opt).objective(new Poisoned(Double.NEGATIVE_INFINITY, 3, 5)).epochs(2)
                .progress(false).log(null).listener(w).skipNonFiniteBatches(1).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(loader(), null));
        assertEquals("training diverged in epoch 1, batch 5 of 12 (step 5 of the run): the training loss became -inf"
                + " (the parameters are finite); 1 batches with a non-finite loss were skipped before, the most allowed"
                + " (skipNonFiniteBatches 1)", e.getMessage());
        assertEquals(1, w.skippedSeen);
        assertSame(w.afterLastStep, values(m, opt), "after the divergence");
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, opt).skipNonFiniteBatches(-1));
    }

    @Test
    void anAnomalyInsideARunNamesEpochBatchAndStep() {
        Sequential m = model();
        Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
        // on the 16th training call, log(0) = -inf from finite inputs: an anomaly in the forward pass
        Objective logZero = new Objective() {
            private final Objective base = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);
            private int call;

            public Tensor loss(Tensor output, IntTensor labels) {
                Tensor l = base.loss(output, labels);
                return ++call == BATCHES + 4 ? Ops.add(l, Ops.sum(Ops.log(Ops.sub(output, output)))) : l;
            }

            public int correct(Tensor output, IntTensor labels) {
                return base.correct(output, labels);
            }

            public String name() {
                return "log-zero";
            }
        };
        Trainer t = Trainer.builder(m, opt).objective(logZero).epochs(2).progress(false).log(null).build();
        AnomalyMode.AnomalyException e;
        try (var a = AnomalyMode.enable()) {
            e = assertThrows(AnomalyMode.AnomalyException.class, () -> t.fit(loader(), null));
        }
        assertTrue(e.getMessage().startsWith("epoch 2, batch 4 of 12 (step 16 of the run): anomaly: forward of "), e.getMessage());
        assertTrue(e.getCause() instanceof AnomalyMode.AnomalyException, "the original is the cause");
    }
}
