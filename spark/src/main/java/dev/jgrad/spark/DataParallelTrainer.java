package dev.jgrad.spark;

import dev.jgrad.core.DType;
import dev.jgrad.data.BatchSampler;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.train.CheckpointListener;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.Objective;
import dev.jgrad.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Synchronous data-parallel training on Spark: {@code N} model replicas, one per partition of a barrier stage
 * ({@code RDD.barrier().mapPartitions}), averaging their gradients every step through
 * {@code BarrierTaskContext.allGather}, or (as the named option {@link #averageEvery}) their parameters every
 * {@code K} local steps.
 *
 * <p>The driver runs the training as a sequence of barrier stages. Before each one it serializes the synchronized
 * state — parameters, buffers, optimizer state, as a jgrad {@link Checkpoint} — and broadcasts it; the stage's tasks
 * load it, run a segment of {@link #stepsPerStage} steps (default: one epoch) and replica 0 sends the new state back,
 * which the driver loads into its own copy of the model. If a task fails, Spark aborts the barrier stage and runs it
 * again (up to {@code spark.stage.maxConsecutiveAttempts}, default 4; in local mode give the master as
 * {@code local[N,F]} to allow task failures), and the new attempt starts from the same broadcast state: a failure
 * costs at most one segment and does not change the result.
 *
 * <p>At each epoch's end the driver evaluates the model (on the test rows, if given), lets the schedule see the
 * loss, and writes a checkpoint in the format of {@code ./jgrad train} (epochs completed, schedule state, the given
 * metadata), so {@code ./jgrad train --resume} can continue a distributed run on one machine.
 */
public final class DataParallelTrainer {
    private final JavaSparkContext sc;
    private final TrainConfig config;
    private final int workers;
    private int averageEvery;
    private int stepsPerStage;
    private FaultPlan fault;
    private Path checkpoint;
    private Map<String, String> metadata = Map.of();
    private Consumer<EpochMetrics> onEpoch;
    private boolean wakeBarrier = true;

    /**
     * @param sc      the Spark context (its master decides where the replicas run)
     * @param config  the run's options
     * @param workers number of replicas {@code N} (barrier tasks; the cluster must be able to run them all at once)
     * @throws IllegalArgumentException for a null argument or {@code workers < 1}
     */
    public DataParallelTrainer(JavaSparkContext sc, TrainConfig config, int workers) {
        if (sc == null || config == null) throw new IllegalArgumentException("DataParallelTrainer: sc and config must not be null");
        if (workers < 1) throw new IllegalArgumentException("DataParallelTrainer: workers must be >= 1, got " + workers);
        this.sc = sc;
        this.config = config;
        this.workers = workers;
    }

    /**
     * Parameter averaging instead of gradient averaging: every replica steps on its own shard and the parameters are
     * averaged every {@code k} local steps (and at the end of each stage). 0 (the default) is gradient averaging
     * every step.
     *
     * @throws IllegalArgumentException for {@code k < 0}
     */
    public DataParallelTrainer averageEvery(int k) {
        if (k < 0) throw new IllegalArgumentException("DataParallelTrainer.averageEvery: k must be >= 0, got " + k);
        this.averageEvery = k;
        return this;
    }

    /**
     * Steps per barrier stage (0, the default: one epoch). Shorter stages lose less work to a failure and cost one
     * state broadcast each.
     *
     * @throws IllegalArgumentException for {@code s < 0}
     */
    public DataParallelTrainer stepsPerStage(int s) {
        if (s < 0) throw new IllegalArgumentException("DataParallelTrainer.stepsPerStage: s must be >= 0, got " + s);
        this.stepsPerStage = s;
        return this;
    }

    /**
     * Whether the replicas shorten Spark's once-a-second check for the barrier reply ({@link BarrierWaker}; default
     * true). False leaves Spark's own waiting: up to a second per synchronization.
     */
    public DataParallelTrainer wakeBarrier(boolean on) {
        this.wakeBarrier = on;
        return this;
    }

    /** A deliberate task failure (for tests of the recovery); null: none. */
    public DataParallelTrainer fault(FaultPlan plan) {
        this.fault = plan;
        return this;
    }

    /** A checkpoint file written after every epoch (null: none), with {@code metadata} added to its entries. */
    public DataParallelTrainer checkpoint(Path file, Map<String, String> metadata) {
        this.checkpoint = file;
        this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        return this;
    }

    /** Called on the driver after every epoch (for a log line); null: nothing. */
    public DataParallelTrainer onEpoch(Consumer<EpochMetrics> listener) {
        this.onEpoch = listener;
        return this;
    }

    /**
     * The outcome of a run.
     *
     * @param model         the trained model (on the driver)
     * @param optimizer     its optimizer with the final state
     * @param history       one entry per epoch (test columns NaN without test data)
     * @param stages        barrier stages run successfully
     * @param stageAttempts stage attempts, including failed ones
     * @param stepSeconds   measured mean wall time of a synchronized step inside the tasks (compute + exchange)
     * @param gatherSeconds mean time per step spent in allGather (waiting for the slowest replica included)
     * @param bytesPerStep  mean characters one replica sends per step (the allGather payload)
     * @param stateBytes    size of the state broadcast before each stage
     */
    public record Result(Sequential model, Optimizer optimizer, List<EpochMetrics> history, int stages, int stageAttempts,
                         double stepSeconds, double gatherSeconds, double bytesPerStep, int stateBytes) {
    }

    /**
     * Trains on {@code train}, evaluating on {@code test} after every epoch (null: no evaluation).
     *
     * @throws IOException if a checkpoint cannot be written
     */
    public Result fit(Tabular train, Tabular test) throws IOException {
        if (train == null) throw new IllegalArgumentException("DataParallelTrainer.fit: train is null");
        Sequential model = config.buildModel();
        Optimizer opt = config.buildOptimizer(model);
        LrSchedule schedule = config.buildSchedule();
        Objective objective = config.objective();
        DType dtype = config.dtypeValue();
        int nb = new BatchSampler(train.size(), workers * config.batchPerWorker(), true, false, config.seed()).numBatches();
        int per = stepsPerStage == 0 ? nb : stepsPerStage;
        Broadcast<DataSet> data = sc.broadcast(DataSet.of(train));
        DataLoader testLoader = test == null ? null : new DataLoader(test, 512, false, false, config.seed(), dtype);
        List<EpochMetrics> history = new ArrayList<>();
        int stages = 0, attempts = 0, stateBytes = 0;
        long steps = 0, bytes = 0, gather = 0, compute = 0;
        try {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                if (!schedule.perBatch()) schedule.apply(opt, epoch);
                double lr = opt.lr();
                long t0 = System.nanoTime(), stepNanos = 0;
                double lossSum = 0;
                long correct = 0, seen = 0;
                int epochSteps = 0;
                for (int from = 0; from < nb; from += per) {
                    int to = Math.min(nb, from + per);
                    byte[] s = State.save(model, opt, Map.of());
                    stateBytes = s.length;
                    Broadcast<byte[]> state = sc.broadcast(s);
                    Replica replica = new Replica(config, averageEvery, data, state, epoch, from, to, fault, wakeBarrier);
                    long s0 = System.nanoTime();
                    List<Replica.Segment> out = runBarrier(replica);
                    stepNanos += System.nanoTime() - s0;
                    state.destroy();
                    stages++;
                    Replica.Segment first = null;
                    int lastAttempt = 0;
                    for (Replica.Segment seg : out) {
                        if (seg.rank() == 0) first = seg;
                        lastAttempt = Math.max(lastAttempt, seg.stageAttempt());
                        bytes += seg.bytesSent();
                        gather += seg.gatherNanos();
                        compute += seg.computeNanos();
                    }
                    attempts += 1 + lastAttempt;
                    if (first == null || first.state() == null) throw new IllegalStateException("jgrad-spark: replica 0 returned no state");
                    State.load(first.state(), model, opt);
                    lossSum += first.lossSum();
                    correct += first.correct();
                    seen += first.seen();
                    epochSteps += first.steps();
                    steps += (long) first.steps() * out.size();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long e0 = System.nanoTime();
                Trainer.Evaluation ev = testLoader == null ? new Trainer.Evaluation(Double.NaN, Double.NaN, 0) : Trainer.evaluate(model, objective, testLoader);
                double evalSeconds = testLoader == null ? 0 : (System.nanoTime() - e0) / 1e9;
                double trainLoss = lossSum / Math.max(seen, 1), trainAcc = (double) correct / Math.max(seen, 1);
                EpochMetrics m = new EpochMetrics(epoch + 1, lr, trainLoss, trainAcc, ev.loss(), ev.accuracy(), seen / seconds, seconds,
                        epochSteps, stepNanos / 1e9, evalSeconds, 0);
                history.add(m);
                schedule.epochEnd(opt, epoch, Double.isFinite(m.testLoss()) ? m.testLoss() : m.trainLoss());
                if (checkpoint != null) {
                    Map<String, String> meta = new LinkedHashMap<>(metadata);
                    meta.put(Trainer.EPOCHS_COMPLETED_KEY, Integer.toString(epoch + 1));
                    meta.put(CheckpointListener.OBJECTIVE_KEY, objective.name());
                    schedule.state().forEach((k, v) -> meta.put(CheckpointListener.SCHEDULE_PREFIX + k, Double.toString(v)));
                    Checkpoint.save(checkpoint, model, opt, meta);
                }
                if (onEpoch != null) onEpoch.accept(m);
            }
        } finally {
            data.destroy();
        }
        double perStep = steps == 0 ? Double.NaN : 1.0 / steps;
        return new Result(model, opt, history, stages, attempts, (gather + compute) / 1e9 * perStep, gather / 1e9 * perStep,
                bytes * perStep, stateBytes);
    }

    /** Runs one barrier stage of {@code workers} tasks and collects their segments. */
    private List<Replica.Segment> runBarrier(Replica replica) {
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        RDD<Integer> rdd = sc.parallelize(ranks, workers).rdd();
        ClassTag<Replica.Segment> tag = ClassTag$.MODULE$.apply(Replica.Segment.class);
        RDD<Replica.Segment> out = rdd.barrier().mapPartitions(new SegmentFunction(replica), false, tag);
        // Spark retries a failed barrier stage only if it is a shuffle-map stage (a failed barrier result stage aborts the
        // job: it may have delivered results already): the segments go through a shuffle to a one-task result stage
        return new org.apache.spark.api.java.JavaRDD<>(out, tag).repartition(1).collect();
    }

    /** The barrier tasks' function: runs the replica and yields its segment. */
    private static final class SegmentFunction extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Replica.Segment>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Replica replica;

        SegmentFunction(Replica replica) {
            this.replica = replica;
        }

        @Override
        public scala.collection.Iterator<Replica.Segment> apply(scala.collection.Iterator<Integer> ranks) {
            while (ranks.hasNext()) ranks.next();
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(replica.run()).iterator());
        }
    }
}
