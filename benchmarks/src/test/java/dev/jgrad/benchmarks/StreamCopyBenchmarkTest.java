package dev.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Every variant must copy the whole array (odd lengths included) and clean up its pool. */
class StreamCopyBenchmarkTest {

    private interface Copy {
        float[] run(StreamCopyBenchmark b) throws Exception;
    }

    private static void check(Copy copy) throws Exception {
        StreamCopyBenchmark b = new StreamCopyBenchmark();
        b.floats = 1001;
        b.setup();
        try {
            float[] dst = copy.run(b);
            float[] expected = new float[1001];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (i & 1023) * 0.5f;
            }
            assertArrayEquals(expected, dst);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void arraycopyCopiesEverything() throws Exception {
        check(StreamCopyBenchmark::arraycopy);
    }

    @Test
    void loopCopiesEverything() throws Exception {
        check(StreamCopyBenchmark::loop);
    }

    @Test
    void twoThreadArraycopyCopiesBothHalves() throws Exception {
        check(StreamCopyBenchmark::arraycopy2Threads);
    }

    @Test
    void twoThreadLoopCopiesBothHalves() throws Exception {
        check(StreamCopyBenchmark::loop2Threads);
    }

    @Test
    void copyLoopCopiesOnlyTheRange() {
        float[] src = {1, 2, 3, 4};
        float[] dst = new float[4];
        StreamCopyBenchmark.copyLoop(src, dst, 1, 3);
        assertEquals("[0.0, 2.0, 3.0, 0.0]", Arrays.toString(dst));
    }

    @Test
    void bytesMovedCountReadAndWrite() {
        assertEquals(8, StreamCopyBenchmark.BYTES_MOVED_PER_ELEMENT);
        assertEquals(2L * 64 * 1024 * 1024, StreamCopyBenchmark.bytesMovedPerOp(16 * 1024 * 1024));
    }

    @Test
    void rejectsNonPositiveSize() {
        StreamCopyBenchmark b = new StreamCopyBenchmark();
        b.floats = 0;
        assertThrows(IllegalArgumentException.class, b::setup);
    }
}
