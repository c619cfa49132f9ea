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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.jgrad.core.DType;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.StateDict;

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
                    "--steps", "4", "--eval-every", "2", "--layers", "1", "--heads", "2", "--dim", "8", "--samples", "3", "--batch-size", "4",
                    "--out", dir.resolve("run").toString());
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("(9 train / 1 test, vocabulary"), out);
        assertTrue(out.contains("step      2  train loss") && out.contains("step      4  train loss"), out);
        assertTrue(out.contains("final test loss") && out.contains("samples: "), out);
        // the run directory: metrics, chart, the model (loadable, with its sizes and vocabulary) and the samples
        Path run = dir.resolve("run");
        assertTrue(out.contains("metrics, chart, model and samples in " + run), out);
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("step,train_loss,test_loss,ms_per_step", metrics.get(0));
        assertEquals(3, metrics.size(), metrics.toString());
        assertTrue(metrics.get(2).startsWith("4,"), metrics.toString());
        assertTrue(Files.size(run.resolve("training.png")) > 1000);
        assertEquals(3, Files.readAllLines(run.resolve("samples.txt")).size());
        Map<String, String> meta = SafeTensors.readHeader(run.resolve("model.safetensors")).metadata();
        assertEquals("char-transformer", meta.get("jgrad.model"));
        assertEquals("8", meta.get("dim"));
        int vocab = Integer.parseInt(meta.get("vocab_size")), block = Integer.parseInt(meta.get("block_size"));
        assertEquals(vocab - 1, meta.get("vocabulary").length());
        CharTransformer again = new CharTransformer(vocab, block, 8, 2, 1, new SplittableRandom(7), DType.FLOAT32);
        StateDict.load(run.resolve("model.safetensors"), again);
        assertTrue(again.parameterCount() > 0);
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
