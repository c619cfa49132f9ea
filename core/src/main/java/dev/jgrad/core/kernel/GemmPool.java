package dev.jgrad.core.kernel;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool for splitting one large kernel call over the cores: {@code threads - 1} daemon workers
 * (created once, lazily, on the first parallel call) plus the calling thread, which always runs the first
 * part itself.
 *
 * <p>Waking a parked worker costs tens of microseconds on the VMs this was measured on, so two things keep
 * that latency off the critical path: (1) a worker that has just finished a task spins for a while
 * ({@link #SPIN_NANOS}) polling for the next one before it parks again, so the GEMMs of one forward/backward
 * pass, which come back to back, find it awake; (2) every part is claimed atomically, and a caller that has
 * finished its own part runs any part that no worker has started yet, so a call is never slower than doing
 * all the parts on the calling thread plus the cost of one hand-off. Callers still only go parallel above
 * a size threshold (see {@link SimdKernels}).
 *
 * <p>The number of threads is {@code -Djgrad.threads=N}, default {@link Runtime#availableProcessors()}.
 */
final class GemmPool {
    /** Threads a parallel call may use, including the caller. */
    static final int THREADS = Math.max(1, Integer.getInteger("jgrad.threads", Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker polls for work before parking. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private GemmPool() {
    }

    /** One part of a parallel call. */
    private static final class Part {
        final Runnable task;
        final Batch batch;
        final AtomicBoolean claimed = new AtomicBoolean();

        Part(Runnable task, Batch batch) {
            this.task = task;
            this.batch = batch;
        }

        /** Runs the task if nobody has claimed it yet. */
        void tryRun() {
            if (!claimed.compareAndSet(false, true)) return;
            try {
                task.run();
            } catch (Throwable t) {
                batch.fail(t);
            } finally {
                batch.done();
            }
        }
    }

    /** Completion state of one parallel call. */
    private static final class Batch {
        final AtomicInteger remaining;
        final Thread caller = Thread.currentThread();
        volatile Throwable failure;

        Batch(int parts) {
            remaining = new AtomicInteger(parts);
        }

        void fail(Throwable t) {
            if (failure == null) failure = t;
        }

        void done() {
            if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    private static final class Worker extends Thread {
        Worker(int i) {
            super(Workers::loop, "jgrad-kernel-" + i);
        }
    }

    /** Workers not parked (running a part or spinning for the next one); 0 before the pool exists. */
    private static final AtomicInteger AWAKE = new AtomicInteger();

    private static final class Workers {
        static final LinkedBlockingQueue<Part> QUEUE = new LinkedBlockingQueue<>();

        static {
            AWAKE.addAndGet(THREADS - 1);
            for (int i = 1; i < THREADS; i++) {
                Thread t = new Worker(i);
                t.setDaemon(true);
                t.start();
            }
        }

        private static void loop() {
            while (true) {
                Part p = QUEUE.poll();
                if (p == null) {
                    long deadline = System.nanoTime() + SPIN_NANOS;
                    while ((p = QUEUE.poll()) == null && System.nanoTime() - deadline < 0) Thread.onSpinWait();
                }
                if (p == null) {
                    AWAKE.decrementAndGet();
                    try {
                        p = QUEUE.take();
                    } catch (InterruptedException e) {
                        continue;
                    } finally {
                        AWAKE.incrementAndGet();
                    }
                }
                p.tryRun();
            }
        }
    }

    /** Whether a worker is awake (busy or spinning), so that handing it a part costs no wake-up. */
    static boolean workerAwake() {
        return AWAKE.get() > 0;
    }

    /**
     * Runs all tasks, {@code tasks[0]} on the calling thread and the rest on pool workers (or on the caller if
     * no worker gets to them first), and returns when all have finished; rethrows the first failure.
     */
    static void run(Runnable[] tasks) {
        if (tasks.length == 1 || THREADS == 1 || Thread.currentThread() instanceof Worker) {
            for (Runnable t : tasks) t.run();
            return;
        }
        Batch batch = new Batch(tasks.length);
        Part[] parts = new Part[tasks.length];
        for (int i = 0; i < tasks.length; i++) parts[i] = new Part(tasks[i], batch);
        for (int i = 1; i < tasks.length; i++) Workers.QUEUE.add(parts[i]);
        for (Part p : parts) p.tryRun();
        while (batch.remaining.get() > 0) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (batch.remaining.get() > 0 && System.nanoTime() - deadline < 0) Thread.onSpinWait();
            if (batch.remaining.get() > 0) LockSupport.park(batch);
        }
        Throwable f = batch.failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new RuntimeException(f);
    }
}
