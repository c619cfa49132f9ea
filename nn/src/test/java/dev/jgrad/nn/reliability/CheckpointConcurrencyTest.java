package dev.jgrad.nn.reliability;

import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint writes replace the file atomically: concurrent writers to one path and readers of it never see a partial file. */
class CheckpointConcurrencyTest {
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void concurrentSavesToOnePathNeverShowReadersAPartialFile() throws Exception {
        Path file = dir.resolve("shared.safetensors");
        Sequential first = CheckpointWriterMain.newModel(1);
        CheckpointWriterMain.fillVersion(first, 0);
        Checkpoint.save(file, first, null, CheckpointWriterMain.metadata(0));
        int writers = 4, readers = 2, savesEach = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try {
            java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger(writers);
            CyclicBarrier barrier = new CyclicBarrier(writers + readers);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                futures.add(pool.submit(() -> {
                    Sequential m = CheckpointWriterMain.newModel(1);
                    barrier.await();
                    try {
                        for (int i = 1; i <= savesEach; i++) {
                            long v = 1000L * (id + 1) + i;
                            CheckpointWriterMain.fillVersion(m, v);
                            Checkpoint.save(file, m, null, CheckpointWriterMain.metadata(v));
                        }
                    } finally {
                        writing.decrementAndGet();
                    }
                    return savesEach;
                }));
            }
            for (int r = 0; r < readers; r++) {
                futures.add(pool.submit(() -> {
                    Sequential m = CheckpointWriterMain.newModel(2), expected = CheckpointWriterMain.newModel(3);
                    barrier.await();
                    int loads = 0;
                    do {
                        long v = Long.parseLong(Checkpoint.load(file, m, null).get(CheckpointWriterMain.VERSION_KEY));
                        CheckpointWriterMain.fillVersion(expected, v);
                        for (int k = 0; k < m.parameters().size(); k++) {
                            assertTrue(expected.parameters().get(k).contentEquals(m.parameters().get(k)), "reader saw a mixture at version " + v);
                        }
                        loads++;
                    } while (writing.get() > 0);
                    return loads;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) total += f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(total > writers * savesEach);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        // the survivor is one writer's last version, complete; no temporaries are left behind
        Sequential m = CheckpointWriterMain.newModel(4);
        long v = Long.parseLong(Checkpoint.load(file, m, null).get(CheckpointWriterMain.VERSION_KEY));
        assertEquals(savesEach, v % 1000, "final version " + v);
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.filter(f -> f.getFileName().toString().startsWith(".shared")
                    || f.equals(file)).toList());
        }
    }
}
