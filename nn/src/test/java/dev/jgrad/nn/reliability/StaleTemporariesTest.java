package dev.jgrad.nn.reliability;

import dev.jgrad.nn.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Temporaries left by writers killed mid-write are swept by the next successful write of the same file. */
class StaleTemporariesTest {

    @Test
    void aSuccessfulWriteSweepsTheTargetsStaleTemporariesOnly(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.safetensors");
        Path stale = Files.writeString(dir.resolve(".model.safetensors.1f2e3d.tmp"), "partial");
        Path fresh = Files.writeString(dir.resolve(".model.safetensors.abc123.tmp"), "being written");
        Path otherTarget = Files.writeString(dir.resolve(".other.safetensors.1f2e3d.tmp"), "x");
        Path notOurs = Files.writeString(dir.resolve(".model.safetensors.notes.tmp"), "x");
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        for (Path p : new Path[] {stale, otherTarget, notOurs}) Files.setLastModifiedTime(p, old);

        AtomicFiles.write(target, new byte[] {1, 2, 3});

        assertFalse(Files.exists(stale), "a stale temporary of the target is swept");
        assertTrue(Files.exists(fresh), "a recent one may belong to a live writer");
        assertTrue(Files.exists(otherTarget), "another target's temporaries are its own business");
        assertTrue(Files.exists(notOurs), "only .<name>.<hex>.tmp is ours");
        assertEquals(3, Files.size(target));
        assertEquals(1, AtomicFiles.sweepStale(target, Duration.ZERO.minusSeconds(1)), "the fresh one, with no age limit");
    }
}
