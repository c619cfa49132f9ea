package dev.jgrad.spark;

import dev.jgrad.data.Tabular;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.Success$;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task that dies mid-stage: Spark aborts the barrier stage and runs it again from the broadcast state, and the run
 * ends with exactly the parameters of an unfaulted run.
 */
class FaultRecoveryTest {
    private static JavaSparkContext sc;
    private static final AtomicInteger failedTasks = new AtomicInteger();

    @BeforeAll
    static void start() {
        sc = SparkTestSupport.context("local[2,4]"); // up to 4 task failures
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() != Success$.MODULE$) failedTasks.incrementAndGet();
            }
        });
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    @Test
    void aTaskKilledMidStageIsRetriedFromTheLastSynchronizedState() throws Exception {
        Tabular train = SparkTestSupport.synthetic(640, 10, 11);
        TrainConfig c = SparkTestSupport.config(16, 2); // 20 steps an epoch
        DataParallelTrainer.Result clean = new DataParallelTrainer(sc, c, 2).stepsPerStage(10).fit(train, null);
        assertEquals(clean.stages(), clean.stageAttempts());
        int before = failedTasks.get();
        // partition 1 throws before global step 23 (epoch 2, the fourth step of its first stage), in the first attempt only
        DataParallelTrainer.Result faulted = new DataParallelTrainer(sc, c, 2).stepsPerStage(10).fault(new FaultPlan(1, 23)).fit(train, null);
        assertTrue(failedTasks.get() > before, "a task failed");
        assertEquals(clean.stages() + 1, faulted.stageAttempts(), "one stage ran twice");
        assertEquals(clean.stages(), faulted.stages());
        assertEquals(0.0, SparkTestSupport.maxDiff(clean.model(), faulted.model()), "the same parameters, bit for bit");
        assertEquals(clean.history().get(1).trainLoss(), faulted.history().get(1).trainLoss());
    }
}
