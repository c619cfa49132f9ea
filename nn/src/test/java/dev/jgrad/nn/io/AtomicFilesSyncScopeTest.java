package dev.jgrad.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AtomicFiles#syncAtMostEvery}: fewer fsyncs inside a scope, every write still atomic, all synced at its close. */
class AtomicFilesSyncScopeTest {
    @TempDir
    Path dir;

    private static void write(Path p, String s) throws Exception {
        AtomicFiles.write(p, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p);
    }

    @Test
    void outsideAScopeEveryWriteSyncsFileAndDirectory() throws Exception {
        Path a = dir.resolve("a.txt");
        long before = AtomicFiles.FSYNCS.get();
        for (int i = 0; i < 3; i++) write(a, "v" + i);
        assertEquals(6, AtomicFiles.FSYNCS.get() - before, "file + directory per write");
        assertEquals("v2", read(a));
    }

    @Test
    void insideAScopeATargetSyncsOnceAndTheCloseSyncsWhatIsPending() throws Exception {
        Path a = dir.resolve("a.txt"), b = dir.resolve("b.txt");
        long before = AtomicFiles.FSYNCS.get();
        try (AtomicFiles.SyncScope scope = AtomicFiles.syncAtMostEvery(Duration.ofHours(1))) {
            for (int i = 0; i < 5; i++) {
                write(a, "a" + i);
                write(b, "b" + i);
                assertEquals("a" + i, read(a), "each write is complete at once");
            }
            assertEquals(4, AtomicFiles.FSYNCS.get() - before, "only the first write of each target syncs");
            assertEquals(Set.of(a.toAbsolutePath(), b.toAbsolutePath()), scope.pending());
        }
        assertEquals(8, AtomicFiles.FSYNCS.get() - before, "the close syncs both pending targets and their directory");
        assertEquals("a4", read(a));
        assertEquals("b4", read(b));
        // the scope is gone: writes sync again
        long after = AtomicFiles.FSYNCS.get();
        write(a, "x");
        assertEquals(2, AtomicFiles.FSYNCS.get() - after);
    }

    @Test
    void aZeroIntervalSyncsEveryWriteAndScopesNest() throws Exception {
        Path a = dir.resolve("a.txt");
        long before = AtomicFiles.FSYNCS.get();
        try (AtomicFiles.SyncScope outer = AtomicFiles.syncAtMostEvery(Duration.ofHours(1))) {
            write(a, "1");
            write(a, "2"); // not synced: pending in the outer scope
            try (AtomicFiles.SyncScope inner = AtomicFiles.syncAtMostEvery(Duration.ZERO)) {
                write(a, "3");
                write(a, "4");
                assertTrue(inner.pending().isEmpty());
            }
            assertEquals(2 + 4, AtomicFiles.FSYNCS.get() - before);
            write(a, "5"); // the outer scope applies again: synced an hour ago at most -> pending
            assertEquals(2 + 4, AtomicFiles.FSYNCS.get() - before);
            assertEquals(Set.of(a.toAbsolutePath()), outer.pending());
        }
        assertEquals(2 + 4 + 2, AtomicFiles.FSYNCS.get() - before);
        assertEquals("5", read(a));
    }

    @Test
    void aDeletedPendingTargetIsSkippedAndBadArgumentsAreRefused() throws Exception {
        Path a = dir.resolve("a.txt");
        try (AtomicFiles.SyncScope scope = AtomicFiles.syncAtMostEvery(Duration.ofHours(1))) {
            write(a, "1");
            write(a, "2");
            Files.delete(a);
        }
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.syncAtMostEvery(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.syncAtMostEvery(null));
        AtomicFiles.SyncScope scope = AtomicFiles.syncAtMostEvery(Duration.ofHours(1));
        try {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> {
                        try {
                            scope.close();
                        } catch (java.io.IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                    }).get());
            assertInstanceOf(IllegalStateException.class, e.getCause());
        } finally {
            scope.close();
        }
    }
}
