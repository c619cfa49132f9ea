package dev.jgrad.spark;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.BatchSampler;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.train.Objective;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One barrier task: a model replica that loads the broadcast state, runs steps {@code [from, to)} of one epoch on its
 * shard of each global batch, and synchronizes with the other replicas through {@link BarrierTaskContext#allGather}.
 * Everything a task does depends only on the broadcast state, the options and its partition id, so a retried stage
 * repeats it exactly.
 *
 * <p><b>Shards.</b> Step {@code k} of epoch {@code e} uses global batch {@code k} of a {@link BatchSampler} with batch
 * {@code N·b} seeded with the run's seed — the batches a single {@code ./jgrad train} with batch {@code N·b} would use.
 * Replica {@code r} takes rows {@code [⌊r·B/N⌋, ⌊(r+1)·B/N⌋)} of a batch of {@code B} rows.
 *
 * <p><b>Gradient averaging.</b> Every step each replica sends {@code (B_r/B)·∇L_r} (its shard's mean-loss gradient
 * weighted by its share of the rows) with its loss sum, correct count and row count; every replica adds the
 * {@code N} vectors in rank order, which gives the gradient of the mean loss over all {@code B} rows (exactly so in
 * real arithmetic also for unequal shards, such as an epoch's last batch), the same bits on every replica; the
 * optimizer then steps identically everywhere.
 *
 * <p><b>Parameter averaging</b> ({@code averageEvery = K > 0}): replicas step on their own shard's gradient and average
 * the parameters every {@code K} steps and at the end of the segment; each keeps its own optimizer state (replica 0's
 * is the one kept).
 */
final class Replica implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** A segment's result: the state (replica 0 only, else null) and the replica's measurements. */
    record Segment(int rank, byte[] state, double lossSum, long correct, long seen, int steps, long bytesSent,
                   long gatherNanos, long computeNanos, int stageAttempt) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final TrainConfig config;
    private final int averageEvery;
    private final Broadcast<DataSet> data;
    private final Broadcast<byte[]> state;
    private final int epoch, from, to;
    private final FaultPlan fault;
    private final boolean wake;

    Replica(TrainConfig config, int averageEvery, Broadcast<DataSet> data, Broadcast<byte[]> state, int epoch, int from, int to, FaultPlan fault,
            boolean wake) {
        this.wake = wake;
        this.config = config;
        this.averageEvery = averageEvery;
        this.data = data;
        this.state = state;
        this.epoch = epoch;
        this.from = from;
        this.to = to;
        this.fault = fault;
    }

    /** Runs the segment in the current barrier task. */
    Segment run() {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        try (BarrierWaker waker = wake ? new BarrierWaker() : null) {
            return run(ctx, waker);
        }
    }

    private String[] allGather(BarrierTaskContext ctx, BarrierWaker waker, String message) {
        return waker != null ? waker.allGather(ctx, message) : ctx.allGather(message);
    }

    private Segment run(BarrierTaskContext ctx, BarrierWaker waker) {
        int rank = ctx.partitionId(), n = ctx.getTaskInfos().length;
        Sequential model = config.buildModel();
        Optimizer opt = config.buildOptimizer(model);
        State.load(state.value(), model, opt);
        reseedDropout(model, rank);
        model.train(true);
        Objective objective = config.objective();
        LrSchedule schedule = config.buildSchedule();
        DType dtype = config.dtypeValue();
        boolean f32 = dtype == DType.FLOAT32;
        Tabular train = data.value().cached();
        DataLoader rows = new DataLoader(train, 1, false, false, config.seed(), dtype);
        BatchSampler sampler = new BatchSampler(train.size(), n * config.batchPerWorker(), true, false, config.seed());
        int[][] batches = sampler.batches(epoch);
        List<Tensor> params = opt.params();
        int total = 0;
        for (Tensor p : params) total += p.numel();
        double lossSum = 0;
        long correct = 0, seen = 0, bytes = 0, gatherNanos = 0, computeNanos = 0;
        int steps = 0;
        for (int k = from; k < to; k++) {
            long t0 = System.nanoTime();
            int[] g = batches[k];
            int lo = (int) ((long) rank * g.length / n), hi = (int) ((long) (rank + 1) * g.length / n);
            int[] shard = java.util.Arrays.copyOfRange(g, lo, hi);
            if (schedule.perBatch()) schedule.applyBatch(opt, epoch, k, batches.length);
            opt.zeroGrad();
            double loss = 0;
            int right = 0;
            if (shard.length > 0) {
                DataLoader.Batch b = rows.batch(shard);
                Tensor out = model.forward(b.features());
                Tensor l = objective.loss(out, b);
                loss = l.item();
                if (Double.isFinite(loss)) {
                    l.backward();
                    right = objective.correct(out, b);
                }
            }
            boolean average = averageEvery == 0;
            double weight = average ? (double) shard.length / g.length : 1.0;
            double[] msg = new double[(average ? total : 0) + 3];
            if (average) flattenGrads(params, weight, msg);
            msg[msg.length - 3] = loss * shard.length;
            msg[msg.length - 2] = right;
            msg[msg.length - 1] = shard.length;
            // a planned fault strikes mid-step: after the backward pass, before the exchange (the other replicas wait in it)
            if (fault != null) fault.maybeFail(rank, (long) epoch * batches.length + k, ctx);
            long t1 = System.nanoTime();
            String enc = Codec.encode(msg, f32 && average);
            bytes += enc.length();
            String[] all = allGather(ctx, waker, enc);
            long t2 = System.nanoTime();
            double[] sum = new double[msg.length];
            for (String s : all) {
                double[] v = Codec.decode(s);
                for (int i = 0; i < v.length; i++) sum[i] += v[i];
            }
            double stepLoss = sum[sum.length - 3];
            if (!Double.isFinite(stepLoss)) {
                throw new IllegalStateException("jgrad-spark: the training loss became non-finite (" + stepLoss / sum[sum.length - 1]
                        + ") in epoch " + (epoch + 1) + ", step " + (k + 1) + " of " + batches.length + "; try a smaller --lr or --clip");
            }
            if (average) setGrads(params, sum, dtype);
            if (config.clip() > 0) GradClip.clipGradNorm(params, config.clip());
            opt.step();
            lossSum += stepLoss;
            correct += (long) sum[sum.length - 2];
            seen += (long) sum[sum.length - 1];
            steps++;
            if (!average && ((k - from + 1) % averageEvery == 0 || k == to - 1)) {
                long t3 = System.nanoTime();
                double[] p = new double[total];
                flattenValues(params, p);
                String e = Codec.encode(p, f32);
                bytes += e.length();
                String[] ps = allGather(ctx, waker, e);
                double[] mean = new double[total];
                for (String s : ps) {
                    double[] v = Codec.decode(s);
                    for (int i = 0; i < total; i++) mean[i] += v[i] / ps.length;
                }
                setValues(params, mean);
                gatherNanos += System.nanoTime() - t3;
            }
            gatherNanos += t2 - t1;
            computeNanos += (t1 - t0) + (System.nanoTime() - t2);
        }
        byte[] out = null;
        if (rank == 0) {
            out = State.save(model, opt, Map.of());
        }
        return new Segment(rank, out, lossSum, correct, seen, steps, bytes, gatherNanos, computeNanos, ctx.stageAttemptNumber());
    }

    /** Each replica draws its own dropout masks: replica r's generators get seed {@code seed + r·γ} (replica 0 keeps its own). */
    private static void reseedDropout(Module model, int rank) {
        if (rank == 0) return;
        for (Module m : model.modules()) {
            if (m instanceof Dropout d) d.restoreSeedState(d.seed() + rank * GOLDEN_GAMMA, d.seedState());
        }
    }

    private static void flattenGrads(List<Tensor> params, double weight, double[] dst) {
        int o = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            int m = p.numel();
            if (g != null) for (int i = 0; i < m; i++) dst[o + i] = weight * g.get(i);
            o += m;
        }
    }

    private static void flattenValues(List<Tensor> params, double[] dst) {
        int o = 0;
        for (Tensor p : params) {
            int m = p.numel();
            for (int i = 0; i < m; i++) dst[o + i] = p.get(i);
            o += m;
        }
    }

    private static void setGrads(List<Tensor> params, double[] sum, DType dtype) {
        int o = 0;
        for (Tensor p : params) {
            int m = p.numel();
            double[] g = java.util.Arrays.copyOfRange(sum, o, o + m);
            p.setGrad(Tensor.of(dtype, g, p.shape()));
            o += m;
        }
    }

    private static void setValues(List<Tensor> params, double[] v) {
        int o = 0;
        for (Tensor p : params) {
            int m = p.numel();
            for (int i = 0; i < m; i++) p.set(i, v[o + i]);
            o += m;
        }
    }
}
