package dev.jgrad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad stability}: the command writes the lab's report, and rejects bad arguments with exit code 2. */
class StabilityCommandTest {

    @Test
    void commandLineWritesTheReport(@TempDir Path dir) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("stability", "--quick", "--classes", "10", "--rows", "8", "--trials", "1",
                    "--lab-classes", "10,100", "--precisions", "bf16,fp16", "--accumulations", "half,float32", "--summations", "plain",
                    "--scales", "1,10", "--train-steps", "3", "--out", dir.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals(0, code);
        String md = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(md.startsWith("# jgrad numerical-stability report"));
        assertTrue(md.contains("# jgrad stability lab"), md);
        // the lab's options: two storage formats x two accumulations, plus autocast (on by default)
        for (String p : List.of("| bfloat16 | plain |", "| bfloat16/acc=float32 | plain |", "| float16 | plain |",
                "| float16/acc=float32 | plain |", "| autocast-cpu | plain |")) {
            assertTrue(md.contains(p), p);
        }
        assertTrue(md.contains("## K = 100:") && !md.contains("## K = 1000:"), md);
        for (String f : List.of("stability.md", "stability.csv", "stability.png", "stability-binary.png",
                "stability-precision.md", "stability-precision.csv", "stability-precision.png", "stability-training.png")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
    }

    @Test
    void badArgumentsExitWithCode2(@TempDir Path dir) {
        PrintStream oldErr = System.err;
        try {
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(2, Main.commandLine().execute("stability", "--rows", "0", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--classes", "1", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--classes", "x", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--precisions", "fp8", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--summations", "sorted", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--lab-classes", "1", "--out", dir.toString()));
            assertEquals(2, Main.commandLine().execute("stability", "--scales", "0", "--out", dir.toString()));
        } finally {
            System.setErr(oldErr);
        }
    }
}
