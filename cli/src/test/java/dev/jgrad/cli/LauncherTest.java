package dev.jgrad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./jgrad} launcher's stream handling, with a stand-in {@code java} on the PATH (no JVM, no build): the
 * JVM's incubator notice is dropped, the exit code passes through, and when standard output and error are one file
 * (a terminal, or a log of both) the progress bar's updates and the lines between them arrive in the order they were
 * written.
 */
class LauncherTest {
    private static final int LINES = 200;

    /** A copy of the launcher beside an up-to-date jar, and a fake {@code java} that interleaves the two streams. */
    private static Path setUp(Path dir) throws IOException {
        Path launcher = dir.resolve("jgrad");
        Files.copy(Path.of("..", "jgrad"), launcher);
        Files.createDirectories(dir.resolve("cli/target"));
        Files.writeString(dir.resolve("cli/target/jgrad.jar"), "");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "echo 'WARNING: Using incubator modules: jdk.incubator.vector' >&2\n"
                + "for a in \"$@\"; do case \"$a\" in -Djgrad.stderr.tty=*) echo \"tty ${a#*=}\";; esac; done\n"
                + "for i in $(seq 1 " + LINES + "); do printf 'bar %d\\r' \"$i\" >&2; echo \"line $i\"; done\n"
                + "exit 3\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private static int run(Path dir, Path launcher, ProcessBuilder pb) throws Exception {
        pb.command("bash", launcher.toString(), "predict", "--help").directory(dir.toFile());
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("JGRAD_NO_CDS", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish");
        return p.exitValue();
    }

    @Test
    void oneFileForBothStreamsKeepsTheWriteOrder(@TempDir Path dir) throws Exception {
        Path launcher = setUp(dir);
        Path log = dir.resolve("both.log");
        int rc = run(dir, launcher, new ProcessBuilder().redirectErrorStream(true).redirectOutput(log.toFile()));
        assertEquals(3, rc, "the JVM's exit code");
        StringBuilder expected = new StringBuilder("tty false\n");
        for (int i = 1; i <= LINES; i++) expected.append("bar ").append(i).append('\r').append("line ").append(i).append('\n');
        assertEquals(expected.toString(), Files.readString(log));
    }

    @Test
    void separateFilesGetTheirOwnStreamWithoutTheNotice(@TempDir Path dir) throws Exception {
        Path launcher = setUp(dir);
        Path out = dir.resolve("out.log"), err = dir.resolve("err.log");
        int rc = run(dir, launcher, new ProcessBuilder().redirectOutput(out.toFile()).redirectError(err.toFile()));
        assertEquals(3, rc);
        String o = Files.readString(out), e = Files.readString(err);
        assertTrue(o.startsWith("tty false\nline 1\nline 2\n") && o.endsWith("line " + LINES + "\n"), o);
        assertFalse(o.contains("bar"), o);
        assertTrue(e.startsWith("bar 1\rbar 2\r") && e.endsWith("bar " + LINES + "\r"), e);
        assertFalse(e.contains("WARNING"), e);
    }
}
