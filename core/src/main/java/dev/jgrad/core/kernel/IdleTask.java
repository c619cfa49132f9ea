package dev.jgrad.core.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Work done in the kernel pool's idle time: {@code chunks} independent pieces that a pool worker runs one at a time
 * whenever it has no part of a parallel kernel call to run, and that {@link #join()} finishes on the calling thread.
 *
 * <p>Meant for preparing the next input while a training step runs — for example gathering the next mini-batch
 * ({@code DataLoader.epochInPlace}). On two cores a separate background thread competes with the second half of every
 * parallel matrix product; the pool worker instead fills the gaps between the products (the element-wise ops, the
 * loss, the serial parts of backward, during which it would otherwise spin), and a kernel call that arrives while it
 * is running a chunk waits at most for that one chunk — so keep chunks to a few microseconds.
 *
 * <p>One task is reusable and allocates nothing per round: {@link #start(int)} publishes a round, {@link #join()}
 * completes it. The pool holds at most one started task; a task started while another one is pending simply runs in
 * its {@code join()} (as it does with {@code -Djgrad.threads=1}). Every chunk runs exactly once, on a worker or on the
 * joining thread; writes made by a chunk are visible after {@code join()} returns. A task is driven by one thread
 * ({@code start} and {@code join} alternate); chunks run concurrently only with the caller's other work, never with
 * each other on the same worker.
 */
public final class IdleTask {
    /** Most chunks one round may have. */
    public static final int MAX_CHUNKS = 0xFFFF;

    private final IntConsumer chunk;
    /** {@code round << 32 | chunks << 16 | next}: the current round and its next unclaimed chunk. */
    private final AtomicLong state = new AtomicLong();
    /** Chunks of the current round not yet finished. */
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Throwable failure;
    private boolean started;

    /**
     * @param chunk runs chunk {@code i} of the current round ({@code 0 ≤ i < chunks}); it reads the round's inputs
     *              from fields its owner sets before {@link #start(int)}
     */
    public IdleTask(IntConsumer chunk) {
        if (chunk == null) throw new IllegalArgumentException("IdleTask: chunk is null");
        this.chunk = chunk;
    }

    /**
     * Starts a round of {@code chunks} chunks: from now on an idle pool worker may run them. Inputs that the chunks
     * read must be written before this call.
     *
     * @throws IllegalStateException if the previous round was not joined
     * @throws IllegalArgumentException if {@code chunks} is outside {@code [0, MAX_CHUNKS]}
     */
    public void start(int chunks) {
        if (started) throw new IllegalStateException("IdleTask.start: the previous round was not joined");
        if (chunks < 0 || chunks > MAX_CHUNKS) {
            throw new IllegalArgumentException("IdleTask.start: chunks must be in [0, " + MAX_CHUNKS + "], got " + chunks);
        }
        started = true;
        remaining.set(chunks);
        long round = (state.get() >>> 32) + 1;
        state.set(round << 32 | (long) chunks << 16); // publishes the inputs written before
        if (chunks > 0) GemmPool.offerIdle(this);
    }

    /**
     * Finishes the round: runs every chunk no worker has claimed on the calling thread, waits for the claimed ones
     * (at most one chunk's time) and rethrows the first failure of a chunk.
     *
     * @throws IllegalStateException if the round was not started
     */
    public void join() {
        if (!started) throw new IllegalStateException("IdleTask.join: no round was started");
        started = false;
        while (runOne()) {
            // claim what no worker has
        }
        GemmPool.withdrawIdle(this);
        while (remaining.get() != 0) Thread.onSpinWait();
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            throw new RuntimeException(f);
        }
    }

    /** Whether a chunk of the current round is unclaimed. */
    boolean pending() {
        return claimable(state.get());
    }

    /** Whether the state word {@code s} has an unclaimed chunk ({@code next < chunks}). */
    private static boolean claimable(long s) {
        return (int) (s & MAX_CHUNKS) < (int) (s >>> 16 & MAX_CHUNKS);
    }

    /**
     * Claims one unclaimed chunk of the current round and runs it, recording a failure instead of throwing. A claim is
     * a compare-and-set on the round's state word, so a thread holding a stale view of an older round can never claim
     * (or run) a chunk of a newer one by accident.
     *
     * @return false if no chunk was left
     */
    boolean runOne() {
        long s = state.get();
        while (true) {
            if (!claimable(s)) return false;
            long witness = state.compareAndExchange(s, s + 1);
            if (witness == s) break;
            s = witness;
        }
        try {
            chunk.accept((int) (s & MAX_CHUNKS));
        } catch (Throwable t) {
            if (failure == null) failure = t;
        } finally {
            remaining.decrementAndGet();
        }
        return true;
    }
}
