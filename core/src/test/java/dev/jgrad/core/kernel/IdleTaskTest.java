package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleTaskTest {

    /** Counts, per round and chunk, how often each chunk ran, and on which thread. */
    private static final class Counting {
        final int rounds, chunks;
        final AtomicIntegerArray runs;
        final AtomicIntegerArray onWorker;
        int round;

        Counting(int rounds, int chunks) {
            this.rounds = rounds;
            this.chunks = chunks;
            runs = new AtomicIntegerArray(rounds * chunks);
            onWorker = new AtomicIntegerArray(1);
        }

        void chunk(int c) {
            assertTrue(c >= 0 && c < chunks, "chunk index " + c);
            runs.incrementAndGet(round * chunks + c);
            if (Thread.currentThread().getName().startsWith("jgrad-kernel-")) onWorker.incrementAndGet(0);
            long until = System.nanoTime() + 2_000; // a little work, so that workers and the caller overlap
            while (System.nanoTime() < until) Thread.onSpinWait();
        }
    }

    /** A parallel job that keeps the pool busy between rounds, as a training step's products do. */
    private static final GemmPool.Parts SPIN = part -> {
        long until = System.nanoTime() + 20_000;
        while (System.nanoTime() < until) Thread.onSpinWait();
    };

    @Test
    void everyChunkRunsExactlyOnceAcrossRoundsInterleavedWithParallelCalls() {
        Counting c = new Counting(200, 13);
        IdleTask task = new IdleTask(c::chunk);
        for (int r = 0; r < c.rounds; r++) {
            c.round = r;
            task.start(c.chunks);
            if (r % 2 == 0) GemmPool.run(SPIN, 2); // worker busy with parts first, then idle chunks
            else {
                long until = System.nanoTime() + 30_000; // the caller does serial work: the worker takes chunks
                while (System.nanoTime() < until) Thread.onSpinWait();
            }
            task.join();
            for (int k = 0; k < c.chunks; k++) assertEquals(1, c.runs.get(r * c.chunks + k), "round " + r + " chunk " + k);
        }
        if (GemmPool.THREADS > 1) {
            // On a loaded machine the worker may not be scheduled during 200 short windows: give it longer serial
            // windows (the caller waits, so the worker is the one to take chunks) for up to 20 s before failing.
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int extra = 0; c.onWorker.get(0) == 0 && System.nanoTime() < deadline; extra++) {
                Counting more = new Counting(1, c.chunks);
                IdleTask t = new IdleTask(more::chunk);
                t.start(more.chunks);
                long until = System.nanoTime() + 1_000_000L * Math.min(1 + extra, 50);
                while (System.nanoTime() < until) Thread.onSpinWait();
                t.join();
                for (int k = 0; k < more.chunks; k++) assertEquals(1, more.runs.get(k), "extra round chunk " + k);
                c.onWorker.addAndGet(0, more.onWorker.get(0));
            }
            assertTrue(c.onWorker.get(0) > 0, "some chunks ran in the worker's idle time");
        }
    }

    @Test
    void aFailingChunkIsRethrownByJoinAndTheTaskStaysUsable() {
        AtomicReference<RuntimeException> boom = new AtomicReference<>(new IllegalStateException("chunk 3 failed"));
        int[] ran = new int[1];
        IdleTask task = new IdleTask(i -> {
            synchronized (ran) {
                ran[0]++;
            }
            if (i == 3 && boom.get() != null) throw boom.get();
        });
        task.start(8);
        RuntimeException e = assertThrows(IllegalStateException.class, task::join);
        assertSame(boom.get(), e);
        assertEquals(8, ran[0], "the other chunks still ran");
        boom.set(null);
        task.start(8);
        task.join();
        assertEquals(16, ran[0]);
    }

    @Test
    void misuseIsReported() {
        IdleTask task = new IdleTask(i -> { });
        assertThrows(IllegalStateException.class, task::join);
        task.start(2);
        assertThrows(IllegalStateException.class, () -> task.start(2));
        task.join();
        assertThrows(IllegalArgumentException.class, () -> task.start(-1));
        assertThrows(IllegalArgumentException.class, () -> task.start(IdleTask.MAX_CHUNKS + 1));
        assertThrows(IllegalArgumentException.class, () -> new IdleTask(null));
        task.start(0);
        task.join();
    }

    @Test
    void aSecondTaskWhileOneIsPendingRunsInItsJoin() {
        Counting a = new Counting(1, 50), b = new Counting(1, 5);
        IdleTask ta = new IdleTask(a::chunk), tb = new IdleTask(b::chunk);
        ta.start(a.chunks);
        tb.start(b.chunks); // the pool's slot is (probably) taken: tb runs in its join
        tb.join();
        ta.join();
        for (int k = 0; k < a.chunks; k++) assertEquals(1, a.runs.get(k));
        for (int k = 0; k < b.chunks; k++) assertEquals(1, b.runs.get(k));
    }
}
