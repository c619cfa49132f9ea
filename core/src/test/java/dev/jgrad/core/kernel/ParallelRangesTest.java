package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link ParallelRanges}: every index covered exactly once, in whole rows or blocks, on one thread or several; the thresholds. */
class ParallelRangesTest {

    /** Counts how often each index is covered and checks the ranges' alignment. */
    private static class Cover extends ParallelRanges {
        AtomicIntegerArray hits;
        int align, end;
        volatile boolean misaligned;
        int[] args;

        @Override
        protected void range(int from, int to) {
            if (args == null) fail("range after clear");
            if (from % align != 0 || (to % align != 0 && to != end) || from > to) misaligned = true;
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        }

        @Override
        protected void clear() {
            args = null;
        }

        void check(String what, int n) {
            assertTrue(!misaligned, what + ": a range not on a block boundary");
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), what + ": index " + i + " covered " + hits.get(i) + " times");
            assertNull(args, what + ": cleared");
        }

        void reset(int n, int align) {
            hits = new AtomicIntegerArray(n);
            this.align = align;
            this.end = n;
            misaligned = false;
            args = new int[0];
        }
    }

    @Test
    void rowsAreCoveredExactlyOnce() {
        Cover c = new Cover();
        for (int threads : new int[]{1, 2, 4}) {
            for (int[] rc : new int[][]{{0, 10}, {1, 1 << 20}, {7, 3}, {1000, 1000}, {4097, 64}, {3, 1 << 20}}) {
                for (int round = 0; round < 3; round++) { // a pool worker parked or awake
                    c.reset(rc[0], 1);
                    c.runRows(rc[0], rc[1], threads);
                    c.check(rc[0] + "x" + rc[1] + " rows on " + threads + " threads", rc[0]);
                }
            }
        }
    }

    @Test
    void elementsAreCoveredExactlyOnceInWholeBlocks() {
        Cover c = new Cover();
        for (int threads : new int[]{1, 2}) {
            for (int n : new int[]{0, 1, 1023, 1024, 1025, 70_000, 300_001, 1 << 20}) {
                for (int round = 0; round < 3; round++) {
                    c.reset(n, ParallelRanges.ELEMENT_BLOCK);
                    c.runElements(n, threads);
                    c.check(n + " elements on " + threads + " threads", n);
                }
            }
        }
    }

    @Test
    void aFailingRangePropagatesAndStillClears() {
        Cover c = new Cover() {
            @Override
            protected void range(int from, int to) {
                throw new IllegalStateException("boom " + from);
            }
        };
        c.reset(1 << 20, 1);
        assertThrows(IllegalStateException.class, () -> c.runElements(1 << 20, 2));
        assertNull(c.args);
    }

    @Test
    void partsFollowTheThresholds() {
        assertEquals(1, ParallelRanges.parts(1, 1 << 20, 2), "one row is never split");
        assertEquals(1, ParallelRanges.parts(1000, 1000, 1), "one thread");
        assertEquals(1, ParallelRanges.parts(10, 10, 2), "small calls stay on the caller");
        assertEquals(2, ParallelRanges.parts(1024, 1000, 2));
        assertEquals(3, ParallelRanges.parts(3, 1 << 20, 8), "at most one part per row");
    }
}
