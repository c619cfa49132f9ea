package dev.jgrad.core.kernel;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel thread pool: every part runs exactly once, failures propagate, concurrent and nested callers are safe. */
class GemmPoolTest {

    /** Tests whose parts sleep stall the pool on purpose: each test starts and ends without a back-off. */
    @BeforeEach
    @AfterEach
    void noBackOff() {
        GemmPool.CONTENTION.reset();
    }

    @Test
    void contentionRules() {
        long us = 1_000, ms = 1_000_000;
        // a stall: the wait for the workers is over 1 ms and over half the caller's own time
        assertFalse(GemmPool.Contention.stalled(10 * ms, 999 * us));
        assertFalse(GemmPool.Contention.stalled(50 * us, 999 * us), "a slow wake-up (hundreds of µs) is no stall");
        assertFalse(GemmPool.Contention.stalled(3 * ms, 1400 * us), "a worker a little behind is no stall");
        assertTrue(GemmPool.Contention.stalled(3 * ms, 1501 * us));
        assertTrue(GemmPool.Contention.stalled(0, 1001 * us));

        GemmPool.Contention c = new GemmPool.Contention(true);
        long t0 = 5_000 * ms;
        assertFalse(c.backingOff(t0));
        c.record(ms, 10 * us, t0);
        assertFalse(c.backingOff(t0), "a clean call starts no back-off");
        c.record(ms, 3 * ms, t0);
        assertEquals(1, c.stalls());
        assertTrue(c.backingOff(t0 + 19 * ms));
        assertFalse(c.backingOff(t0 + 20 * ms), "the first back-off lasts 20 ms");
        c.record(ms, 3 * ms, t0 + 21 * ms); // stalled again on the first try after it
        assertTrue(c.backingOff(t0 + 21 * ms + 39 * ms));
        assertFalse(c.backingOff(t0 + 21 * ms + 40 * ms), "stalls in a row double the period");
        for (int i = 0; i < 10; i++) c.record(ms, 3 * ms, t0);
        assertEquals(GemmPool.Contention.MAX_BACKOFF_NANOS, c.period(), "the period is capped");
        c.record(ms, 10 * us, t0 + 10_000 * ms);
        assertEquals(GemmPool.Contention.MIN_BACKOFF_NANOS, c.period(), "a clean call resets the period");

        GemmPool.Contention off = new GemmPool.Contention(false);
        off.record(ms, 3 * ms, t0);
        assertFalse(off.backingOff(t0), "-Djgrad.threads.adaptive=false never backs off");
    }

    @Test
    void aStalledWorkerSendsTheNextCallsToTheCallingThread() {
        assumeTrue(GemmPool.THREADS > 1, "needs a pool worker");
        Thread test = Thread.currentThread();
        // part 1 runs on a worker and takes 50 ms: a stall
        assertNotSame(test, partOneOnAWorker(50));
        assertTrue(GemmPool.backingOff(), "a 50 ms wait for the worker is a stall");
        // stalls in a row lengthen the back-off to its maximum, so the call below falls inside it even on a slow machine
        for (int i = 0; i < 8; i++) GemmPool.CONTENTION.record(0, 10 * GemmPool.Contention.STALL_NANOS, System.nanoTime());
        // during the back-off every part runs here, in order (part 0 lingers, so an awake worker would take part 1)
        List<Integer> order = new ArrayList<>();
        GemmPool.run(p -> {
            assertSame(test, Thread.currentThread(), "part " + p);
            if (p == 0) sleep(2);
            order.add(p);
        }, 4);
        assertEquals(List.of(0, 1, 2, 3), order);
        // after it the workers take parts again
        GemmPool.CONTENTION.reset();
        assertNotSame(test, partOneOnAWorker(0));
    }

    /** Waits (up to 30 s) for a latch that part 1 counts down, failing the test if it never does. */
    private static void awaitPart1(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "no worker ran part 1");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs a two-part call whose part 0 (the caller's) waits until part 1 has started, so a worker must run part 1,
     * which then sleeps {@code millis}; returns the thread that ran part 1.
     */
    private static Thread partOneOnAWorker(long millis) {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> ran = new AtomicReference<>();
        GemmPool.run(p -> {
            if (p == 0) {
                awaitPart1(started);
            } else {
                ran.set(Thread.currentThread());
                started.countDown();
                sleep(millis);
            }
        }, 2);
        return ran.get();
    }

    @Test
    void runsEveryPartOnceAndRethrows() {
        for (int parts = 0; parts <= 5; parts++) {
            for (int rep = 0; rep < 200; rep++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                GemmPool.run(runs::incrementAndGet, parts);
                for (int i = 0; i < parts; i++) assertEquals(1, runs.get(i), "part " + i + " of " + parts);
            }
        }
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger other = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> GemmPool.run(p -> {
            if (p == 1) throw boom;
            other.incrementAndGet();
        }, 2));
        assertSame(boom, thrown);
        assertEquals(1, other.get());
        // the pool is usable again after a failure
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        GemmPool.run(runs::incrementAndGet, 3);
        for (int i = 0; i < 3; i++) assertEquals(1, runs.get(i));
        assertThrows(IllegalArgumentException.class, () -> GemmPool.run(p -> { }, -1));
    }

    @Test
    void failureOfTheCallersPartWaitsForTheOthersAndCheckedFailuresAreWrapped() {
        AtomicInteger finished = new AtomicInteger();
        AssertionError boom = new AssertionError("caller's part");
        AssertionError thrown = assertThrows(AssertionError.class, () -> GemmPool.run(p -> {
            if (p == 0) throw boom;
            sleep(5);
            finished.incrementAndGet();
        }, 3));
        assertSame(boom, thrown);
        // on the pool, every part runs and run() waits for them; on one thread the failure propagates at once
        assertEquals(GemmPool.THREADS > 1 ? 2 : 0, finished.get(), "run returned before the other parts finished");

        if (GemmPool.THREADS == 1) return; // on the calling thread a (sneaky) checked exception passes as it is
        GemmPool.CONTENTION.reset(); // the sleeping parts above may have looked like a stalled worker
        Exception checked = new Exception("checked");
        RuntimeException wrapped = assertThrows(RuntimeException.class, () -> GemmPool.run(p -> {
            if (p == 1) sneakyThrow(checked);
        }, 2));
        assertSame(checked, wrapped.getCause());
    }

    @Test
    void concurrentCallersRunTheirOwnParts() throws Exception {
        int callers = 4, calls = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int it = 0; it < calls; it++) {
                        int parts = 2 + (it + id) % 3;
                        int[] owner = new int[parts];
                        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                        GemmPool.run(p -> {
                            owner[p] = id;
                            runs.incrementAndGet(p);
                        }, parts);
                        for (int p = 0; p < parts; p++) {
                            assertEquals(1, runs.get(p));
                            assertEquals(id, owner[p]); // plain writes by workers are visible once run returns
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nestedCallFromAWorkerRunsOnThatWorker() throws Exception {
        assumeTrue(GemmPool.THREADS > 1, "needs a pool worker");
        CountDownLatch workerDone = new CountDownLatch(1);
        AtomicReference<Thread> workerThread = new AtomicReference<>();
        AtomicIntegerArray inner = new AtomicIntegerArray(3);
        List<Thread> innerThreads = new ArrayList<>();
        Thread test = Thread.currentThread();
        GemmPool.run(p -> {
            if (p == 0) {
                // the caller stays in part 0 until part 1 has run, so a worker must have claimed it
                awaitPart1(workerDone);
                // a nested call from the caller's own part runs here too
                GemmPool.run(q -> assertSame(test, Thread.currentThread()), 2);
            } else {
                workerThread.set(Thread.currentThread());
                GemmPool.run(q -> {
                    inner.incrementAndGet(q);
                    synchronized (innerThreads) {
                        innerThreads.add(Thread.currentThread());
                    }
                }, 3);
                workerDone.countDown();
            }
        }, 2);
        assertNotSame(test, workerThread.get());
        for (int q = 0; q < 3; q++) assertEquals(1, inner.get(q));
        for (Thread t : innerThreads) assertSame(workerThread.get(), t);
    }

    @Test
    void nestedFailureFromAWorkerPropagatesToTheCaller() {
        IllegalArgumentException boom = new IllegalArgumentException("inner");
        for (int rep = 0; rep < 50; rep++) {
            Throwable thrown = assertThrows(RuntimeException.class, () -> GemmPool.run(p -> GemmPool.run(q -> {
                if (p == 1 && q == 1) throw boom;
            }, 2), 2));
            assertInstanceOf(IllegalArgumentException.class, thrown);
            assertSame(boom, thrown);
        }
    }

    @Test
    void concurrentCallersGetTheSingleThreadedResult() throws Exception {
        SplittableRandom r = new SplittableRandom(9);
        int m = 96, k = 300, n = 200;
        FMatrixRMaj a = new FMatrixRMaj(m, k), b = new FMatrixRMaj(k, n), expected = new FMatrixRMaj(m, n);
        for (int i = 0; i < a.data.length; i++) a.data[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.data.length; i++) b.data[i] = (float) r.nextDouble(-1, 1);
        SimdGemm.F32.gemm(a, false, b, false, expected, false, 1);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(callers.submit(() -> {
                    for (int it = 0; it < 30; it++) {
                        FMatrixRMaj c = new FMatrixRMaj(m, n);
                        SimdGemm.F32.gemm(a, false, b, false, c, false, 2);
                        assertArrayEquals(expected.data, c.data);
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            callers.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }
}
