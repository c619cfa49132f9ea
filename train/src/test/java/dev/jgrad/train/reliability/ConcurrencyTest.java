package dev.jgrad.train.reliability;

import dev.jgrad.core.AnomalyMode;
import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.train.EpochMetrics;
import dev.jgrad.train.Objective;
import dev.jgrad.train.Trainer;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thread confinement: independent models trained on different threads at the same time give bit-for-bit the
 * results of training them one after another, and the per-thread switches ({@link GradMode}, {@link AnomalyMode})
 * stay on their own thread. The threads share the process-wide kernel backend and its worker pool, the cached
 * digits data set and the checkpoint writer.
 */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final long TIMEOUT_SECONDS = 600;

    @TempDir
    Path dir;

    /** Everything one training run produces. */
    private record Run(List<Tensor> params, List<double[]> metrics, byte[] checkpoint, String thread) {
    }

    /**
     * MLP 64-256-128-10 with dropout 0.1, AdamW, batch 64, 2 epochs on standardised digits, evaluating every epoch
     * (360-row batches: large enough for the kernel pool) and checkpointing every epoch.
     */
    private static Run train(long seed, Tabular train, Tabular test, Path checkpoint) throws Exception {
        Sequential model = Mlp.builder(64, 10).hidden(256, 128).dropout(0.1).seed(seed).build();
        Adam opt = Adam.adamW(model.parameters(), 2e-3, 1e-4);
        Trainer trainer = Trainer.builder(model, opt).objective(Objective.crossEntropy(SoftmaxCrossEntropy.FUSED)).epochs(2)
                .progress(false).log(null).checkpoint(checkpoint).build();
        List<EpochMetrics> history = trainer.fit(new DataLoader(train, 64, true, false, seed, DType.FLOAT32),
                new DataLoader(test, 512, false, false, seed, DType.FLOAT32));
        List<double[]> metrics = new ArrayList<>();
        for (EpochMetrics m : history) metrics.add(new double[] {m.epoch(), m.lr(), m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy()});
        List<Tensor> params = new ArrayList<>();
        for (Tensor p : model.parameters()) params.add(p.copy());
        return new Run(params, metrics, Files.readAllBytes(checkpoint), Thread.currentThread().getName());
    }

    @Test
    void eightModelsTrainedConcurrentlyMatchTheSameSeedsTrainedSeriallyBitForBit() throws Exception {
        Tabular all = Datasets.digits();
        Split split = Split.stratified(all, 0.2, 42);
        Standardizer st = Standardizer.fit(split.train());
        Tabular train = st.transform(split.train()), test = st.transform(split.test());

        List<Run> serial = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) serial.add(train(100 + i, train, test, dir.resolve("serial-" + i + ".safetensors")));

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Run>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                long seed = 100 + i;
                Path ck = dir.resolve("concurrent-" + i + ".safetensors");
                Callable<Run> task = () -> {
                    start.await();
                    return train(seed, train, test, ck);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (int i = 0; i < THREADS; i++) {
                Run c = futures.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS), s = serial.get(i);
                String what = "seed " + (100 + i) + " on " + c.thread();
                assertEquals(s.params().size(), c.params().size());
                for (int k = 0; k < s.params().size(); k++) {
                    assertTrue(s.params().get(k).contentEquals(c.params().get(k)), what + ": parameter " + k + " differs from the serial run");
                }
                for (int e = 0; e < s.metrics().size(); e++) assertArrayEquals(s.metrics().get(e), c.metrics().get(e), 0.0, what + ": epoch " + (e + 1) + " metrics");
                assertArrayEquals(s.checkpoint(), c.checkpoint(), what + ": checkpoint files differ");
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        // sanity: the runs learned something and the seeds really differ
        assertTrue(serial.get(0).metrics().get(1)[5] > 0.85, "test accuracy " + serial.get(0).metrics().get(1)[5]);
        assertFalse(serial.get(0).params().get(0).contentEquals(serial.get(1).params().get(0)));
    }

    @Test
    void largeMatrixProductsFromEightThreadsAtOnceMatchSerialResults() throws Exception {
        // 192x256 · 256x160 (≈ 7.9 M multiply-adds) is above the size at which the SIMD backend splits a product
        // over its shared worker pool; all eight threads do that at once
        int rounds = 6;
        List<List<Tensor>> serial = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) serial.add(products(t, rounds));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            List<Future<List<Tensor>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    barrier.await();
                    return products(id, rounds);
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                List<Tensor> c = futures.get(t).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                for (int r = 0; r < rounds; r++) {
                    assertTrue(serial.get(t).get(r).contentEquals(c.get(r)), "thread " + t + " round " + r);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    /** Forward and backward of a float32 and a float64 matrix product, seeded by {@code id}. */
    private static List<Tensor> products(int id, int rounds) {
        List<Tensor> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(7000 + id);
        for (int r = 0; r < rounds; r++) {
            DType dt = r % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            Tensor a = Tensor.randn(rng, dt, 192, 256).requiresGrad(true);
            Tensor b = Tensor.randn(rng, dt, 256, 160).requiresGrad(true);
            Tensor c = Ops.matmul(a, b);
            c.backward(Tensor.randn(rng, dt, 192, 160));
            out.add(c.detach());
            out.add(a.grad());
            out.add(b.grad());
        }
        return out;
    }

    @Test
    void noGradOnOneThreadDoesNotAffectAnother() throws Exception {
        Tensor w = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        CountDownLatch aInside = new CountDownLatch(1), bDone = new CountDownLatch(1);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread a = new Thread(() -> {
            try (GradMode.Scope s = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
                aInside.countDown();
                assertTrue(bDone.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                // still off here, whatever B did meanwhile
                assertFalse(GradMode.isEnabled());
                assertFalse(Ops.mul(w, 2.0).requiresGrad());
            } catch (Throwable t) {
                failures.add(t);
            }
            // reported through failures: an assertion thrown on this thread would not fail the test
            if (!GradMode.isEnabled()) failures.add(new AssertionError("grad mode not restored when the no-grad scope closed"));
        }, "no-grad");
        Thread b = new Thread(() -> {
            try {
                assertTrue(aInside.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                // A is inside its no-grad scope right now
                assertTrue(GradMode.isEnabled());
                Tensor x = Tensor.of(new double[] {1, 1, 1}, 3).requiresGrad(true);
                Tensor y = Ops.sum(Ops.mul(x, x));
                assertTrue(y.requiresGrad());
                y.backward();
                assertArrayEquals(new double[] {2, 2, 2}, x.grad().toDoubleArray());
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                bDone.countDown();
            }
        }, "grad");
        a.start();
        b.start();
        a.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        b.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertTrue(failures.isEmpty(), () -> failures.toString());
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void gradModeAndAnomalyModeScopesStayOnTheirThreadUnderContention() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    barrier.await();
                    SplittableRandom rng = new SplittableRandom(id);
                    Tensor x = Tensor.of(new double[] {0.5, 1, 2}, 3).requiresGrad(true);
                    Tensor zero = Tensor.of(new double[] {0, 1, 2}, 3);
                    int noGradScopes = 0, anomalyScopes = 0;
                    for (int i = 0; i < 3000; i++) {
                        // random nesting depth of no-grad and anomaly scopes, owned by this thread only
                        int depth = rng.nextInt(3);
                        boolean anomaly = rng.nextInt(4) == 0;
                        List<AutoCloseable> scopes = new ArrayList<>();
                        for (int d = 0; d < depth; d++) scopes.add(GradMode.noGrad());
                        if (anomaly) scopes.add(AnomalyMode.enable());
                        noGradScopes += depth;
                        anomalyScopes += anomaly ? 1 : 0;
                        assertEquals(depth == 0, GradMode.isEnabled(), "grad mode on thread " + id);
                        assertEquals(anomaly, AnomalyMode.isEnabled(), "anomaly mode on thread " + id);
                        assertEquals(depth == 0, Ops.mul(x, x).requiresGrad(), "recording on thread " + id);
                        // log(0) = -inf from finite input: an anomaly only where this thread enabled anomaly mode
                        boolean threw;
                        try {
                            Ops.log(zero);
                            threw = false;
                        } catch (AnomalyMode.AnomalyException e) {
                            threw = true;
                        }
                        assertEquals(anomaly, threw, "anomaly check on thread " + id);
                        for (int k = scopes.size() - 1; k >= 0; k--) scopes.get(k).close();
                        assertTrue(GradMode.isEnabled());
                        assertFalse(AnomalyMode.isEnabled());
                    }
                    return new int[] {noGradScopes, anomalyScopes};
                }));
            }
            int anomalies = 0, noGrads = 0;
            for (Future<int[]> f : futures) {
                int[] r = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                noGrads += r[0];
                anomalies += r[1];
            }
            assertTrue(noGrads > 1000 && anomalies > 1000, noGrads + " " + anomalies);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(AnomalyMode.isEnabled());
    }
}
