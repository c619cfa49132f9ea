package dev.jgrad.spark;

import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.train.Model;
import dev.jgrad.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of the Spark module: its files, its checkpoint's options, its refusals. */
class SparkMainTest {
    @Test
    void trainWritesMetricsACheckpointWithTheOptionsAndAModel(@TempDir Path dir) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = new CommandLine(new SparkMain()).execute("train", "--spark", "local[2]", "--dataset", "iris", "--epochs", "3", "--out", dir.toString());
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("2 workers × batch 8 = 16"), out);
        assertTrue(out.contains("final test accuracy"), out);
        assertEquals(4, Files.readAllLines(dir.resolve("metrics.csv")).size());
        Map<String, String> meta = SafeTensors.readHeader(dir.resolve("checkpoint.safetensors")).metadata();
        assertEquals("3", meta.get(Trainer.EPOCHS_COMPLETED_KEY));
        assertEquals("iris", meta.get(Model.OPTION_PREFIX + "dataset"));
        assertEquals("16", meta.get(Model.OPTION_PREFIX + "batch-size"));
        // the model takes raw measurements (the scaler is stored with it): a typical setosa flower
        Model m = Model.load(dir.resolve(Model.FILE_NAME));
        assertTrue(m.scaler().isPresent(), "the feature scaler is stored with the model");
        assertEquals("iris", m.trainingOptions().get("dataset"));
        assertEquals("setosa", m.predict(new double[][]{{5.1, 3.5, 1.4, 0.2}}).label(0).replace("Iris-", ""));
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefused() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(1, cl.execute("train", "--spark", "local[2]", "--workers", "3", "--batch-size", "32", "--epochs", "1"));
        assertEquals(3, SparkMain.localSlots("local[3,4]"));
        assertEquals(4, SparkMain.localSlots("local-cluster[2,2,1024]"));
        assertEquals(0, SparkMain.localSlots("spark://h:7077"));
    }
}
