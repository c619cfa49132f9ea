package dev.jgrad.core.kernel;

import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The kernel thread pool: every part runs exactly once, failures propagate, concurrent callers are safe. */
class GemmPoolTest {

    @Test
    void runsEveryPartOnceAndRethrows() {
        for (int rep = 0; rep < 200; rep++) {
            AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
            GemmPool.run(new Runnable[]{runs[0]::incrementAndGet, runs[1]::incrementAndGet, runs[2]::incrementAndGet});
            for (AtomicInteger r : runs) assertEquals(1, r.get());
        }
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger other = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> GemmPool.run(new Runnable[]{
                other::incrementAndGet, () -> { throw boom; }}));
        assertSame(boom, thrown);
        assertEquals(1, other.get());
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
}
