package dev.jgrad.spark;

import dev.jgrad.data.Tabular;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small grid on Spark: one row per configuration, each the same as training that configuration alone. */
class SweepTest extends LocalSparkTest {
    @Test
    void aGridGivesOneRowPerConfigurationEqualToItsRunAlone(@TempDir Path dir) throws Exception {
        Tabular train = SparkTestSupport.synthetic(300, 10, 21), test = SparkTestSupport.synthetic(100, 10, 22);
        TrainConfig base = SparkTestSupport.config(32, 3);
        List<TrainConfig> grid = Sweep.grid(base, List.of(1e-2, 3e-3), List.of(new int[]{8}, new int[]{16, 8}), List.of(0.0), List.of("fused"),
                List.of("float64", "float32"));
        assertEquals(8, grid.size());
        List<Sweep.Row> rows = Sweep.run(sc, grid, train, test);
        assertEquals(grid.size(), rows.size());
        for (int i = 0; i < grid.size(); i++) {
            Sweep.Row r = rows.get(i), alone = Sweep.runOne(grid.get(i), train, test);
            assertEquals(grid.get(i), r.config());
            assertNull(r.error());
            assertEquals(alone.testAccuracy(), r.testAccuracy(), "row " + i);
            assertEquals(alone.testLoss(), r.testLoss(), "row " + i);
            assertArrayEquals(alone.accuracyCurve(), r.accuracyCurve());
            assertEquals(3, r.accuracyCurve().length);
        }
        Sweep.write(rows, dir);
        assertEquals(grid.size() + 2, Files.readAllLines(dir.resolve("sweep.md")).size());
        assertEquals(grid.size() + 1, Files.readAllLines(dir.resolve("sweep.csv")).size());
        assertTrue(Files.size(dir.resolve("sweep.png")) > 1000);
    }

    @Test
    void randomSearchIsSeededAndDrawsFromTheLists() {
        TrainConfig base = SparkTestSupport.config(32, 1);
        List<TrainConfig> a = Sweep.random(base, List.of(1e-2, 1e-3), List.of(new int[]{8}), List.of(0.0, 0.1), List.of("fused"), List.of("float64"), 5, 3);
        List<TrainConfig> b = Sweep.random(base, List.of(1e-2, 1e-3), List.of(new int[]{8}), List.of(0.0, 0.1), List.of("fused"), List.of("float64"), 5, 3);
        assertEquals(a, b);
        for (TrainConfig c : a) assertTrue(c.lr() == 1e-2 || c.lr() == 1e-3);
    }
}
