package dev.jgrad.train.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.train.Objective;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long training runs keep the heap flat: every step's graph (activations, saved tensors, nodes) becomes garbage
 * once {@code backward()} has run and the caller drops the loss, and nothing in the library accumulates per step.
 * Heap use is the JVM's own figure ({@link MemoryMXBean}) after {@link System#gc()}, the minimum of a few reads,
 * taken at regular checkpoints; the end value must stay within max(16 MB, 20 %) of the value after warm-up.
 *
 * <p>The 100,000 steps take about 6 s on a 2-core VM (≈ 18,000 steps/s), so the run is part of the default suite.
 */
class SoakTest {
    private static final long MB = 1L << 20;

    @Test
    void hundredThousandStepsKeepTheHeapFlat() {
        soak(100_000, 10_000);
    }

    /** MLP 64-32-10, SGD with momentum, digits batches of 32; heap figures every {@code every} steps. */
    private static void soak(long steps, long every) {
        Tabular all = Datasets.digits();
        Split split = Split.stratified(all, 0.2, 42);
        Tabular train = Standardizer.fit(split.train()).transform(split.train());
        DataLoader loader = new DataLoader(train, 32, true, true, 42, DType.FLOAT32);
        Sequential model = Mlp.builder(64, 10).hidden(32).seed(42).build();
        Sgd opt = new Sgd(model.parameters(), 0.01, 0.9, 0, false, 0);
        Objective objective = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);

        int points = (int) (steps / every);
        long[] heap = new long[points + 1];
        double[] meanLoss = new double[points + 1];
        heap[0] = usedHeapAfterGc();
        long step = 0, t0 = System.nanoTime(), warmNanos = 0;
        double lossSum = 0;
        for (long epoch = 0; step < steps; epoch++) {
            for (DataLoader.Batch b : loader.epoch(epoch)) {
                opt.zeroGrad();
                Tensor loss = objective.loss(model.forward(b.features()), b.labels());
                loss.backward();
                opt.step();
                lossSum += loss.item();
                step++;
                if (step % every == 0) {
                    int k = (int) (step / every);
                    if (k == 1) warmNanos = System.nanoTime() - t0;
                    meanLoss[k] = lossSum / every;
                    lossSum = 0;
                    heap[k] = usedHeapAfterGc();
                }
                if (step == steps) break;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long warm = heap[1], end = heap[points];
        long margin = Math.max(16 * MB, warm / 5);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k <= points; k++) {
            sb.append(String.format(Locale.ROOT, "%n  step %7d: heap %6.2f MB%s", k * every, heap[k] / (double) MB,
                    k == 0 ? "" : String.format(Locale.ROOT, ", mean loss %.4f", meanLoss[k])));
        }
        System.out.printf(Locale.ROOT, "SoakTest: %d steps in %.1f s (%.0f steps/s including the heap checkpoints; first %d steps %.1f s); "
                        + "heap after warm-up %.2f MB, at the end %.2f MB (%+.2f MB), max %.2f MB, allowed +%.1f MB%s%n",
                steps, seconds, steps / seconds, every, warmNanos / 1e9, warm / (double) MB, end / (double) MB, (end - warm) / (double) MB,
                java.util.Arrays.stream(heap).max().getAsLong() / (double) MB, margin / (double) MB, sb);

        for (int k = 1; k <= points; k++) {
            assertTrue(heap[k] <= warm + margin, String.format(Locale.ROOT, "heap grew from %.2f MB after warm-up to %.2f MB at step %d%s",
                    warm / (double) MB, heap[k] / (double) MB, k * every, sb));
        }
        assertTrue(meanLoss[points] < meanLoss[1] && Double.isFinite(meanLoss[points]), "the model did not train:" + sb);
    }

    /** Heap in use after a full collection: the minimum of three gc-and-read rounds. */
    private static long usedHeapAfterGc() {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            min = Math.min(min, mem.getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    @Test
    void nothingRetainsAStepsGraphOnceTheCallerDropsIt() {
        Sequential model = Mlp.builder(64, 10).hidden(32).seed(1).build();
        Sgd opt = new Sgd(model.parameters(), 0.01, 0.9, 0, false, 0);
        DataLoader loader = new DataLoader(Datasets.digits(), 32, true, true, 1, DType.FLOAT32);
        Objective objective = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);
        List<WeakReference<Object>> refs = new ArrayList<>();
        int n = 0;
        for (DataLoader.Batch b : loader.epoch(0)) {
            opt.zeroGrad();
            Tensor out = model.forward(b.features());
            Tensor loss = objective.loss(out, b.labels());
            loss.backward();
            opt.step();
            Function fn = loss.gradFn();
            refs.add(new WeakReference<>(out));
            refs.add(new WeakReference<>(loss));
            refs.add(new WeakReference<>(fn));
            refs.add(new WeakReference<>(out.gradFn()));
            refs.add(new WeakReference<>(b.features()));
            if (++n == 5) break;
        }
        // the model, the optimizer (with its momentum buffers and gradients) and the loader are still alive
        for (int i = 0; i < 20 && refs.stream().anyMatch(r -> r.get() != null); i++) System.gc();
        for (WeakReference<Object> r : refs) assertNull(r.get(), "still reachable after the step: " + r.get());
        assertTrue(model.parameters().get(0).grad() != null && opt.steps() == 5);
    }
}
