package dev.jgrad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrad train --dataset words}: a tiny run on a word file of one's own, and bad options. */
class WordsTrainingTest {
    @Test
    void trainsOnAWordFileReportsLossesAndSamples(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("names.txt"), "emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nella\n");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("train", "--dataset", "words", "--model", "transformer", "--data", file.toString(),
                    "--steps", "4", "--eval-every", "2", "--layers", "1", "--heads", "2", "--dim", "8", "--samples", "3", "--batch-size", "4");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("(9 train / 1 test, vocabulary"), out);
        assertTrue(out.contains("step      2  train loss") && out.contains("step      4  train loss"), out);
        assertTrue(out.contains("final test loss") && out.contains("samples: "), out);
    }

    @Test
    void badOptionsAreUsageErrors() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("train", "--dataset", "words", "--model", "cnn"));
        assertTrue(err.toString().contains("unknown model 'cnn'"), err.toString());
        assertEquals(2, cl.execute("train", "--dataset", "words", "--dim", "10", "--heads", "4"));
        assertEquals(2, cl.execute("train", "--dataset", "words", "--data", "/no/such/words.txt"));
    }
}
