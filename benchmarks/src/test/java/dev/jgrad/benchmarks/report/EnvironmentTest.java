package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentTest {

    @Test
    void cpuModelIsTheFirstModelNameLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cpuinfo");
        Files.writeString(f, "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"
                + "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n");
        assertEquals("AMD EPYC 7B13", Environment.cpuModel(f));
    }

    @Test
    void cpuModelFallsBackToHardwareLineThenUnknown(@TempDir Path dir) throws IOException {
        Path arm = dir.resolve("arm");
        Files.writeString(arm, "processor\t: 0\nBogoMIPS\t: 48.00\nHardware\t: Some SoC\n");
        assertEquals("Some SoC", Environment.cpuModel(arm));
        assertEquals("unknown", Environment.cpuModel(dir.resolve("does-not-exist")));
    }

    @Test
    void loadAverageIsTheFirstThreeFields(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("loadavg");
        Files.writeString(f, "6.48 2.77 1.22 3/250 11129\n");
        assertEquals("6.48 2.77 1.22", Environment.loadAverage(f));
        Files.writeString(f, "garbage\n");
        assertEquals("unknown", Environment.loadAverage(f));
        assertEquals("unknown", Environment.loadAverage(dir.resolve("does-not-exist")));
    }

    @Test
    void detectUsesCommitOverrideAndNeverReturnsBlankFields() {
        Environment env = Environment.detect("cafe123", null);
        assertEquals("cafe123", env.commit());
        assertEquals("", env.jmhArgs());
        assertFalse(env.date().isBlank());
        assertFalse(env.os().isBlank());
        assertFalse(Environment.gitCommit().isBlank());
        assertTrue(env.loadAverage().endsWith("(when the report was written)"), env.loadAverage());
        assertEquals("run: 1 2 3", Environment.detect("x", "", " run: 1 2 3 ").loadAverage());
    }
}
