package dev.jgrad.core.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool for splitting one large kernel call over the cores: {@code threads - 1} daemon workers
 * (created once, lazily, on the first parallel call) plus the calling thread, which always runs part 0 itself.
 *
 * <p><b>No allocation per call.</b> A call is a {@link Parts} job (an object the caller reuses, with the call's
 * arguments in mutable fields) and a part count. The pool holds at most one call in flight, in preallocated static
 * state: the job reference, a completion counter, the first failure, and one 64-bit word that packs the call's
 * sequence number, its part count and the index of the next unclaimed part. Workers and the caller claim parts by a
 * compare-and-set on that word, so a worker can never run a part of a call that has already finished: a successful
 * claim of part {@code i < parts} proves the call is still in flight (part {@code i} has not completed), hence the job
 * it reads is that call's. A thread that finds the pool busy (another user thread's call, or a nested call from inside
 * a part, on a worker or on the caller) simply runs all the parts itself, so calls never queue and never deadlock.
 *
 * <p><b>Latency.</b> Waking a parked worker costs tens of microseconds on the VMs this was measured on, so two things
 * keep that off the critical path: (1) a worker that has just finished a part spins for {@link #SPIN_NANOS} polling
 * the state word before it parks again, so the GEMMs of one forward/backward pass, which come back to back, find it
 * awake; (2) a caller that has finished part 0 runs any part that no worker has claimed yet, so a call is never
 * slower than doing all the parts on the calling thread plus the cost of one hand-off. Only parked workers are
 * unparked, and only as many as the awake ones fall short of. The caller waits for claimed parts the same way:
 * spinning, then parking until the worker that finishes the last part unparks it. Callers still only go parallel
 * above a size threshold (see {@link SimdKernels} and {@link ParallelRanges}).
 *
 * <p><b>A busy core.</b> When another process keeps a worker's core busy, the worker runs in time slices of a few
 * milliseconds, so a caller that has finished its own parts can wait far longer for a claimed part than it would
 * have taken to run it (the "busy second core" rows of {@code benchmarks/RESULTS.md}: a two-thread step slower than a
 * one-thread step). The caller therefore times its own parts and its wait: a call whose wait exceeds
 * {@link Contention#STALL_NANOS} and half the caller's own time is a stall, and after a stall every call runs all its
 * parts on the calling thread for a back-off period ({@link Contention#MIN_BACKOFF_NANOS}, doubling with every stall
 * in a row up to {@link Contention#MAX_BACKOFF_NANOS}); the first call after the period tries the workers again, and
 * a call without a stall resets the period to its minimum. Parts compute the same values wherever they run, so
 * results do not depend on this. {@code -Djgrad.threads.adaptive=false} turns it off.
 *
 * <p><b>Idle time.</b> A worker with no part to run takes chunks of the one offered {@link IdleTask} (work such as
 * gathering the next mini-batch), one at a time, checking for parts between chunks, so parallel calls keep priority.
 *
 * <p>The number of threads is {@code -Djgrad.threads=N}, default {@link Runtime#availableProcessors()}.
 */
final class GemmPool {
    /** Threads a parallel call may use, including the caller. */
    static final int THREADS = Math.max(1, Integer.getInteger("jgrad.threads", Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker polls for work before parking (and a caller for its parts before parking). */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /** Most parts a call may hand to the workers (a larger call runs on the calling thread). */
    static final int MAX_PARTS = 0xFFFF;

    private GemmPool() {
    }

    /**
     * The parts of one parallel call. An implementation keeps the call's arguments in fields that the caller sets
     * before {@link GemmPool#run} (plain fields suffice: publishing the call orders them before any worker reads
     * them), so a call allocates nothing; capturing lambdas would allocate on every call.
     */
    @FunctionalInterface
    interface Parts {
        /** Runs part {@code part} of {@code [0, parts)}; parts may run concurrently, each exactly once. */
        void run(int part);
    }

    // --------------------------------------------------------------------------- the call in flight

    /** Held by the thread whose call is in flight. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** {@code sequence << 32 | parts << 16 | next}: the call in flight (or the last one) and its next unclaimed part. */
    private static final AtomicLong STATE = new AtomicLong();
    /** Parts of the call in flight that have not finished. */
    private static final AtomicInteger REMAINING = new AtomicInteger();
    /** The first failure of the call in flight. */
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    /** The call in flight: written before {@link #STATE} publishes it, read only after claiming one of its parts. */
    private static Parts job;
    private static Thread caller;
    /** Set while the caller is (about to be) parked waiting for the last part. */
    private static volatile boolean callerParked;

    /** Workers not parked (running a part or spinning for the next one); 0 before the pool exists. */
    private static final AtomicInteger AWAKE = new AtomicInteger();

    private static final long PARTS_MASK = 0xFFFF;

    private static int next(long state) {
        return (int) (state & PARTS_MASK);
    }

    private static int parts(long state) {
        return (int) (state >>> 16 & PARTS_MASK);
    }

    private static boolean claimable(long state) {
        return next(state) < parts(state);
    }

    /** A pool thread; {@link #parked} is its slot that a caller reads to decide whether to unpark it. */
    private static final class Worker extends Thread {
        volatile boolean parked;

        Worker(int i) {
            super("jgrad-kernel-" + i);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                if (runOnePart()) continue;
                if (runIdleChunk()) continue;
                if (spinForPart()) continue;
                AWAKE.decrementAndGet();
                parked = true;
                // after announcing the park: a call published before this read is seen here, a later one sees `parked`
                if (!claimable(STATE.get()) && !idlePending()) LockSupport.park(this);
                parked = false;
                AWAKE.incrementAndGet();
                Thread.interrupted(); // nobody should interrupt a pool thread; never let it turn park into a busy loop
            }
        }

        /** Polls for a claimable part (or an idle-time chunk) for up to {@link #SPIN_NANOS}. */
        private static boolean spinForPart() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!claimable(STATE.get()) && !idlePending()) {
                if (System.nanoTime() - deadline >= 0) return false;
                Thread.onSpinWait();
            }
            return true;
        }
    }

    /** Holder of the workers: created, and started, by the first parallel call. */
    private static final class Workers {
        static final Worker[] ALL = new Worker[THREADS - 1];

        static {
            AWAKE.addAndGet(ALL.length);
            for (int i = 0; i < ALL.length; i++) {
                ALL[i] = new Worker(i + 1);
                ALL[i].start();
            }
        }
    }

    // --------------------------------------------------------------------------- idle-time work (IdleTask)

    /** The started {@link IdleTask} whose chunks workers run when they have no part to run, or null. */
    private static final AtomicReference<IdleTask> IDLE = new AtomicReference<>();

    /** Offers a started task to the workers (ignored when another task is pending: its {@code join} then runs it). */
    static void offerIdle(IdleTask task) {
        if (THREADS == 1 || !IDLE.compareAndSet(null, task)) return;
        wake(Workers.ALL, 1);
    }

    /** Takes a task back from the workers (its joining thread runs what is left). */
    static void withdrawIdle(IdleTask task) {
        IDLE.compareAndSet(task, null);
    }

    private static boolean idlePending() {
        IdleTask t = IDLE.get();
        return t != null && t.pending();
    }

    /** Runs one chunk of the offered idle task, if any is left; a drained task leaves the slot. */
    private static boolean runIdleChunk() {
        IdleTask t = IDLE.get();
        if (t == null) return false;
        if (t.runOne()) return true;
        IDLE.compareAndSet(t, null);
        return false;
    }

    /** Whether a worker is awake (busy or spinning), so that handing it a part costs no wake-up. */
    static boolean workerAwake() {
        return AWAKE.get() > 0;
    }

    /**
     * Claims one unclaimed part of the call in flight and runs it, recording a failure instead of throwing.
     *
     * @return false if there was no part left to claim
     */
    private static boolean runOnePart() {
        long s = STATE.get();
        while (true) {
            if (!claimable(s)) return false;
            long witness = STATE.compareAndExchange(s, s + 1);
            if (witness == s) break;
            s = witness;
        }
        // the claimed part has not finished, so the call is still in flight and these are its fields
        Parts j = job;
        Thread c = caller;
        try {
            j.run(next(s));
        } catch (Throwable t) {
            FAILURE.compareAndSet(null, t);
        } finally {
            if (REMAINING.decrementAndGet() == 0 && callerParked) LockSupport.unpark(c);
        }
        return true;
    }

    /**
     * Runs {@code job.run(0)} … {@code job.run(parts - 1)}: part 0 on the calling thread, the others on pool workers
     * or, when no worker has claimed them by the time the caller is free, on the caller. Returns when all have
     * finished and rethrows the first failure (a checked one wrapped in a {@link RuntimeException}). When the pool is
     * busy (another thread's call, or a call from inside a part) the parts all run here, in order, and a failure
     * propagates at once. The job may be reused as soon as this returns.
     */
    static void run(Parts job, int parts) {
        if (parts < 0) throw new IllegalArgumentException("parts must be >= 0, got " + parts);
        if (parts <= 1 || THREADS == 1 || parts > MAX_PARTS || CONTENTION.backingOff(System.nanoTime())
                || !BUSY.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) job.run(p);
            return;
        }
        try {
            Worker[] workers = Workers.ALL;
            GemmPool.job = job;
            caller = Thread.currentThread();
            REMAINING.set(parts);
            long sequence = (STATE.get() >>> 32) + 1;
            STATE.set(sequence << 32 | (long) parts << 16 | 1); // part 0 is the caller's
            wake(workers, parts - 1);
            long start = System.nanoTime();
            try {
                job.run(0);
            } catch (Throwable t) {
                FAILURE.compareAndSet(null, t);
            }
            REMAINING.decrementAndGet();
            while (runOnePart()) {
                // steal what no worker has started
            }
            long own = System.nanoTime();
            awaitParts();
            long end = System.nanoTime();
            if (FAILURE.get() == null) CONTENTION.record(own - start, end - own, end); // a failed part times nothing
            GemmPool.job = null;
            caller = null;
            rethrow(FAILURE.getAndSet(null));
        } finally {
            BUSY.set(false);
        }
    }

    /** The back-off state of the pool's (one at a time) callers; see "A busy core" above. */
    static final Contention CONTENTION = new Contention(!"false".equals(System.getProperty("jgrad.threads.adaptive")));

    /**
     * Whether a worker recently stalled a call, so that calls now run on their calling thread; see "A busy core" above.
     * For diagnostics and tests.
     */
    static boolean backingOff() {
        return CONTENTION.backingOff(System.nanoTime());
    }

    /**
     * The stall detector and back-off period of {@link #run} (times in {@link System#nanoTime()} nanoseconds). Only the
     * caller whose call is in flight records (so updates are serialised by {@link #BUSY}); any thread reads the
     * deadline.
     */
    static final class Contention {
        /**
         * A wait for the workers' parts shorter than this is never a stall: waking a parked worker can take hundreds of
         * µs on a VM (a threshold of 100 µs sent the idle float64 MLP step to one thread most of the time: 2.1–2.2 ms
         * instead of 1.5–1.6), while a worker sharing its core with another process loses whole time slices (ms).
         */
        static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
        /** The first back-off period after a stall. */
        static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
        /** The longest back-off period (stalls in a row double it up to this). */
        static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(640);

        private final boolean enabled;
        /** Until when calls run on their calling thread; meaningful only while {@link #armed}. */
        private volatile long until;
        private volatile boolean armed;
        /** The next back-off period. */
        private long period = MIN_BACKOFF_NANOS;
        /** Stalls seen (diagnostics). */
        private long stalls;

        Contention(boolean enabled) {
            this.enabled = enabled;
        }

        /** Whether calls made at {@code now} should run on their calling thread. */
        boolean backingOff(long now) {
            return armed && now - until < 0;
        }

        /** Whether a call whose caller ran its parts for {@code own} ns and then waited {@code waited} ns stalled. */
        static boolean stalled(long own, long waited) {
            return waited > STALL_NANOS && 2 * waited > own;
        }

        /** Records a parallel call that ended at {@code now}: a stall starts a back-off period, a clean call resets it. */
        void record(long own, long waited, long now) {
            if (!enabled) return;
            if (stalled(own, waited)) {
                stalls++;
                until = now + period;
                armed = true;
                period = Math.min(2 * period, MAX_BACKOFF_NANOS);
            } else {
                period = MIN_BACKOFF_NANOS;
            }
        }

        /** The period the next stall would start. */
        long period() {
            return period;
        }

        /** Stalls recorded so far. */
        long stalls() {
            return stalls;
        }

        /** Forgets the back-off (tests). */
        void reset() {
            armed = false;
            period = MIN_BACKOFF_NANOS;
        }
    }

    /** Unparks parked workers until, with the awake ones, {@code wanted} are available for the call just published. */
    private static void wake(Worker[] workers, int wanted) {
        int missing = wanted - AWAKE.get();
        for (int i = 0; i < workers.length && missing > 0; i++) {
            if (workers[i].parked) {
                LockSupport.unpark(workers[i]);
                missing--;
            }
        }
    }

    /** Waits for the claimed parts: spins for {@link #SPIN_NANOS}, then parks until the last part unparks it. */
    private static void awaitParts() {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (REMAINING.get() != 0) {
            if (System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
                continue;
            }
            callerParked = true;
            if (REMAINING.get() != 0) LockSupport.park(GemmPool.class);
            callerParked = false;
        }
    }

    private static void rethrow(Throwable f) {
        if (f == null) return;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        throw new RuntimeException(f);
    }
}
