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
    void dumpRunRecordsTheSplitInitialWeightsBatchesAndLosses(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("names.txt"), "emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nella\n");
        Path run = dir.resolve("run");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("train", "--dataset", "words", "--data", file.toString(), "--steps", "5", "--eval-every", "2",
                    "--layers", "1", "--heads", "2", "--dim", "8", "--samples", "0", "--batch-size", "3", "--dtype", "float64", "--seed", "5",
                    "--dump-run", run.toString(), "--out", dir.resolve("out").toString());
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        java.util.List<String> train = Files.readAllLines(run.resolve("train.txt")), test = Files.readAllLines(run.resolve("test.txt"));
        assertEquals(9, train.size());
        assertEquals(1, test.size());
        java.util.Set<String> all = new java.util.HashSet<>(train);
        all.addAll(test);
        assertEquals(10, all.size(), "the split is a partition of the words");
        java.util.List<String> batches = Files.readAllLines(run.resolve("batches.txt")), losses = Files.readAllLines(run.resolve("losses.txt"));
        assertEquals(5, batches.size());
        assertEquals(5, losses.size());
        for (String line : batches) {
            String[] ix = line.split(" ");
            assertEquals(3, ix.length, line);
            for (String i : ix) assertTrue(Integer.parseInt(i) >= 0 && Integer.parseInt(i) < 9, line);
        }
        assertTrue(losses.get(0).startsWith("1 ") && losses.get(4).startsWith("5 "), losses.toString());
        assertEquals(java.util.List.of("0", "2", "4", "5"), Files.readAllLines(run.resolve("evals.txt")).stream().map(l -> l.split(" ")[0]).toList());
        String json = Files.readString(run.resolve("run.json"));
        assertTrue(json.contains("\"dtype\": \"float64\"") && json.contains("\"batch_size\": 3") && json.contains("\"seed\": 5"), json);
        // the initial weights are the seed's model, under PyTorch's names, in the run's dtype
        dev.jgrad.data.Words words = dev.jgrad.data.Words.read(file);
        dev.jgrad.nn.CharTransformer fresh = new dev.jgrad.nn.CharTransformer(words.vocabSize(), words.blockSize(), 8, 2, 1,
                new java.util.SplittableRandom(5), dev.jgrad.core.DType.FLOAT64);
        dev.jgrad.nn.io.SafeTensors.Contents init = dev.jgrad.nn.io.SafeTensors.read(run.resolve("init.safetensors"));
        assertEquals(fresh.stateDict().keySet(), init.tensors().keySet());
        assertTrue(init.tensors().containsKey("h.0.self_attn.in_proj_weight"), init.tensors().keySet().toString());
        for (var e : fresh.stateDict().entrySet()) {
            assertEquals(dev.jgrad.nn.io.ElementType.F64, init.tensor(e.getKey()).dtype(), e.getKey());
            org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue().toDoubleArray(), init.tensor(e.getKey()).toDoubles(), e.getKey());
        }
        assertTrue(Files.size(run.resolve("final.safetensors")) == Files.size(run.resolve("init.safetensors")));
        // replaying the recorded batches from the recorded start gives the recorded losses, bit for bit
        dev.jgrad.data.Words replayWords = dev.jgrad.data.Words.read(new java.io.ByteArrayInputStream(
                (String.join("\n", train) + "\n" + String.join("\n", test)).getBytes(StandardCharsets.UTF_8)), "replay");
        dev.jgrad.nn.CharTransformer m = new dev.jgrad.nn.CharTransformer(words.vocabSize(), words.blockSize(), 8, 2, 1,
                new java.util.SplittableRandom(1), dev.jgrad.core.DType.FLOAT64);
        dev.jgrad.nn.io.StateDict.load(run.resolve("init.safetensors"), m);
        dev.jgrad.train.LanguageModelTrainer t = new dev.jgrad.train.LanguageModelTrainer(m,
                dev.jgrad.nn.optim.Adam.adamW(m.parameters(), 1e-3, 0.01), replayWords, 3, 0);
        for (int s = 0; s < 5; s++) {
            int[] ix = java.util.Arrays.stream(batches.get(s).split(" ")).mapToInt(Integer::parseInt).toArray();
            assertEquals(Double.parseDouble(losses.get(s).split(" ")[1]), t.step(ix), 0.0, "step " + (s + 1));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(m.stateDict().get("lm_head.weight").toDoubleArray(),
                dev.jgrad.nn.io.SafeTensors.read(run.resolve("final.safetensors")).tensor("lm_head.weight").toDoubles());
        assertTrue(out.contains("run recorded in " + run), out);
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
