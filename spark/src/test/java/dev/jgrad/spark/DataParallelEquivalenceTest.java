package dev.jgrad.spark;

import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Sequential;
import dev.jgrad.train.EpochMetrics;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test that decides correctness: N = 2 replicas averaging their gradients every step over batch b each reach
 * the same parameters as jgrad's single-machine {@code Trainer} with batch 2b, in float64, after 50 steps.
 */
class DataParallelEquivalenceTest extends LocalSparkTest {
    @Test
    void twoWorkersMatchOneWorkerWithTheDoubleBatch() throws Exception {
        // 800 rows, global batch 2·16 = 32: 25 steps an epoch, 2 epochs = 50 steps (cosine schedule, AdamW)
        Tabular train = SparkTestSupport.synthetic(800, 10, 3);
        TrainConfig c = SparkTestSupport.config(16, 2);
        Sequential single = SparkTestSupport.reference(c, train, 32);
        DataParallelTrainer.Result r = new DataParallelTrainer(sc, c, 2).fit(train, null);
        double diff = SparkTestSupport.maxDiff(single, r.model());
        System.out.printf("equivalence: max diff %.3g, step %.2f ms, allGather %.2f ms, %.0f chars/step/replica, state %d bytes%n", diff, r.stepSeconds() * 1e3, r.gatherSeconds() * 1e3, r.bytesPerStep(), r.stateBytes());
        assertTrue(SparkTestSupport.maxAbs(single) > 0.1, "the parameters moved");
        assertTrue(diff < 1e-12, "max |Δparameter| after 50 steps: " + diff);
        assertEquals(2, r.history().size());
        assertEquals(50, r.history().stream().mapToInt(EpochMetrics::steps).sum());
        assertEquals(2, r.stages());
    }

    @Test
    void twoWorkersMatchWithSgdAndClipping() throws Exception {
        // SGD (unlike Adam) is not invariant to the gradient's scale: a sum instead of a mean shows at once
        Tabular train = SparkTestSupport.synthetic(800, 10, 4);
        TrainConfig base = SparkTestSupport.config(16, 2);
        TrainConfig c = new TrainConfig("mlp", 10, new int[]{16}, "tanh", 0.0, 3, false, "fused", "float64", "sgd", 0.05, Double.NaN,
                "step:1:0.5", 2, 16, base.seed(), 1.0);
        Sequential single = SparkTestSupport.reference(c, train, 32);
        DataParallelTrainer.Result r = new DataParallelTrainer(sc, c, 2).fit(train, null);
        assertTrue(SparkTestSupport.maxDiff(single, r.model()) < 1e-12, "max |Δparameter|: " + SparkTestSupport.maxDiff(single, r.model()));
    }

    @Test
    void parameterAveragingEveryStepEqualsGradientAveragingForSgd() throws Exception {
        // with K = 1, equal shards and SGD (momentum is linear in the gradients), the mean of the replicas' steps is the
        // step on the mean gradient: within one stage parameter averaging follows the single-machine run
        Tabular train = SparkTestSupport.synthetic(800, 10, 6);
        TrainConfig c = new TrainConfig("mlp", 10, new int[]{16}, "tanh", 0.0, 3, false, "fused", "float64", "sgd", 0.05, 0.0,
                "constant", 1, 16, 7, 0);
        Sequential single = SparkTestSupport.reference(c, train, 32);
        DataParallelTrainer.Result every1 = new DataParallelTrainer(sc, c, 2).averageEvery(1).fit(train, null);
        assertTrue(SparkTestSupport.maxDiff(single, every1.model()) < 1e-12, "K=1: " + SparkTestSupport.maxDiff(single, every1.model()));
        DataParallelTrainer.Result every5 = new DataParallelTrainer(sc, c, 2).averageEvery(5).fit(train, null);
        double d5 = SparkTestSupport.maxDiff(single, every5.model());
        assertTrue(d5 > 1e-9 && d5 < 0.5, "K=5 differs, but not by much: " + d5);
        assertTrue(every5.bytesPerStep() < every1.bytesPerStep() / 3, "K=5 sends a fifth: " + every5.bytesPerStep() + " vs " + every1.bytesPerStep());
    }

    @Test
    void unequalLastBatchAndShortStagesStillMatch() throws Exception {
        // 790 rows: the last global batch of each epoch has 22 rows (11 + 11); 7-step stages cut the epoch in 4 stages
        Tabular train = SparkTestSupport.synthetic(790, 10, 5);
        TrainConfig c = SparkTestSupport.config(16, 2);
        Sequential single = SparkTestSupport.reference(c, train, 32);
        DataParallelTrainer.Result r = new DataParallelTrainer(sc, c, 2).stepsPerStage(7).fit(train, null);
        assertTrue(SparkTestSupport.maxDiff(single, r.model()) < 1e-12, "max |Δparameter|: " + SparkTestSupport.maxDiff(single, r.model()));
        assertEquals(8, r.stages());
    }

    @Test
    void oneWorkerIsTheSingleMachineRunBitForBit() throws Exception {
        Tabular train = SparkTestSupport.synthetic(200, 10, 9);
        TrainConfig c = SparkTestSupport.config(32, 2);
        Sequential single = SparkTestSupport.reference(c, train, 32);
        DataParallelTrainer.Result r = new DataParallelTrainer(sc, c, 1).fit(train, null);
        assertEquals(0.0, SparkTestSupport.maxDiff(single, r.model()));
    }
}
