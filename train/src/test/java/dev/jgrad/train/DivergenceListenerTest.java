package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DivergenceListener}: a non-finite loss ends the run at once, naming the epoch and step; the checkpoint keeps the last good epoch. */
class DivergenceListenerTest {

    /** Sets the first weight of the model to {@code value} when {@code epoch} starts. */
    private record Saboteur(int epoch, double value) implements TrainingListener {
        @Override
        public void onEpochStart(TrainingContext ctx, int e) {
            if (e == epoch) ctx.model().namedParameters().values().iterator().next().set(0, value);
        }
    }

    private static Trainer trainer(Sequential m, Path ckpt, TrainingListener saboteur, DivergenceListener guard) {
        return Trainer.builder(m, Adam.adamW(m.parameters(), 1e-2, 1e-4)).epochs(5).progress(false).log(null)
                .listener(guard).listener(new CheckpointListener(ckpt, Map.of("run", "test"))).listener(saboteur).build();
    }

    @Test
    void aNonFiniteLossStopsTheRunAndTheCheckpointKeepsTheLastGoodEpoch(@TempDir Path dir) throws IOException {
        Tabular[] d = TrainerTest.standardizedDigits();
        Sequential m = Mlp.builder(64, 10).hidden(16).seed(3).build();
        Path ckpt = dir.resolve("c.safetensors");
        DivergenceListener guard = new DivergenceListener();
        Trainer t = trainer(m, ckpt, new Saboteur(3, Double.POSITIVE_INFINITY), guard);
        DataLoader train = new DataLoader(d[0], 128, true, false, 1, DType.FLOAT32);
        DataLoader test = new DataLoader(d[1], 500, false, false, 1, DType.FLOAT32);
        RuntimeException failure = assertThrows(RuntimeException.class, () -> t.fit(train, test));
        // +inf in a weight: the first step's loss is non-finite (reported by the guard) or its gradient is (refused by
        // the optimizer before the guard sees the step; the guard explains it)
        TrainingDivergedException e = failure instanceof TrainingDivergedException x ? x : guard.explain(failure);
        assertTrue(e != null, "a divergence: " + failure);
        assertEquals(3, e.epoch(), e.getMessage());
        assertEquals(1, e.step(), e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 3, batch 1 of 12 (step 25 of the run): "), e.getMessage());
        assertTrue(e.what().contains("non-finite parameters: 0.weight"), e.getMessage());
        Map<String, String> meta = SafeTensors.readHeader(ckpt).metadata();
        assertEquals("2", meta.get(Trainer.EPOCHS_COMPLETED_KEY), "the last good epoch");
        assertEquals("test", meta.get("run"), "the extra metadata");
        assertEquals(2, t.history().size());
    }

    @Test
    void theGuardReportsTheTrainingLossItSees() {
        DivergenceListener guard = new DivergenceListener();
        Sequential m = Mlp.builder(2, 2).hidden(3).seed(1).build();
        TrainingContext ctx = (TrainingContext) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{TrainingContext.class}, (p, method, args) -> method.getName().equals("model") ? m : method.getName().equals("batchesPerEpoch") ? 9 : null);
        guard.onFitStart(ctx);
        guard.onEpochStart(ctx, 4);
        guard.onBatchEnd(ctx, 1, 9, 0.5);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> guard.onBatchEnd(ctx, 2, 9, Double.NaN));
        assertEquals("training diverged in epoch 4, batch 2 of 9 (step 29 of the run): the training loss became NaN (the parameters are finite)", e.getMessage());
        m.namedParameters().get("0.bias").set(1, Double.NEGATIVE_INFINITY);
        e = assertThrows(TrainingDivergedException.class, () -> guard.onBatchEnd(ctx, 3, 9, Double.POSITIVE_INFINITY));
        assertEquals("training diverged in epoch 4, batch 3 of 9 (step 30 of the run): the training loss became +inf; non-finite parameters: 0.bias", e.getMessage());
        TrainingDivergedException x = guard.explain(new IllegalStateException("Adam.step: gradient of parameter 1 [3] has a non-finite value NaN at 0"));
        assertEquals(4, x.epoch());
        assertEquals(4, x.step(), "the step after the last one seen (3)");
        assertEquals(31, x.runStep());
        assertTrue(x.what().startsWith("a gradient became non-finite (Adam.step"), x.what());
        assertNull(guard.explain(new IllegalStateException("something else")), "not a divergence");
    }
}
