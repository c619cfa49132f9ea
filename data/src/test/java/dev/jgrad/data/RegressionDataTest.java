package dev.jgrad.data;

import dev.jgrad.core.DType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regression data sets: float targets in {@link Tabular}, read by {@link CsvLoader}, batched by {@link DataLoader}. */
class RegressionDataTest {

    private static final Tabular T = Tabular.regression(new double[][]{{1, 2}, {3, 4}, {5, 6}},
            new double[][]{{0.5, -1}, {1.5, -2}, {2.5, -3}});

    @Test
    void targetsTravelWithSubsetsScalingAndSplits() {
        assertEquals(2, T.numTargets());
        assertEquals(1, T.numClasses());
        assertEquals(-2, T.target(1, 1));
        assertArrayEquals(new double[]{2.5, -3, 0.5, -1}, T.targets(new int[]{2, 0}));
        assertArrayEquals(new double[]{2.5, -3, 0.5, -1}, T.subset(new int[]{2, 0}).targets());
        assertArrayEquals(T.targets(), Standardizer.fit(T).transform(T).targets(), "scaling keeps the targets");
        assertArrayEquals(new double[]{9, 9, 9, 9, 9, 9}, T.withTargets(new double[]{9, 9, 9, 9, 9, 9}, 2).targets());
        Split s = Split.stratified(Tabular.regression(new double[10][1], new double[10][1]), 0.2, 1);
        assertEquals(8, s.train().size());
        assertEquals(1, s.test().numTargets());
        assertEquals(0, Datasets.iris().numTargets(), "a classification set has none");
        assertEquals(0, Datasets.iris().targets(new int[]{0, 1}).length);
        assertTrue(T.toString().contains("targets=2"), T.toString());
    }

    @Test
    void badTargetsAreRejectedNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tabular.regression(new double[][]{{1}, {2}}, new double[][]{{1}, {Double.NaN}}));
        assertTrue(e.getMessage().contains("non-finite target NaN at row 1, target 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tabular.regression(new double[][]{{1}, {2}}, new double[][]{{1}}));
        assertTrue(e.getMessage().contains("2 feature rows but 1 target rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tabular.regression(new double[][]{{1}, {2}}, new double[][]{{1}, {1, 2}}));
        assertTrue(e.getMessage().contains("ragged targets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> T.withTargets(new double[5], 2));
        assertTrue(e.getMessage().contains("targets has 5 values but 3 rows × 2 targets = 6"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> T.target(0, 2));
    }

    @Test
    void csvRegressionColumnByNameAndTheBundledDiabetesSet() throws IOException {
        String csv = "a,y,b\n1,2.5,3\n4,-1e1,6\n";
        Tabular t = CsvLoader.options().header(true).label("y").regression(true)
                .read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "t.csv");
        assertEquals(1, t.numTargets());
        assertArrayEquals(new double[]{2.5, -10}, t.targets());
        assertArrayEquals(new double[]{1, 3}, t.row(0));
        MalformedDataException bad = assertThrows(MalformedDataException.class, () -> CsvLoader.options().header(true).label("y")
                .regression(true).read(new ByteArrayInputStream("a,y\n1,big\n".getBytes(StandardCharsets.UTF_8)), "t.csv"));
        assertTrue(bad.getMessage().contains("'big' is not a number"), bad.getMessage());

        Tabular d = Datasets.diabetes();
        assertEquals(442, d.size());
        assertEquals(10, d.numFeatures());
        assertEquals(1, d.numTargets());
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double y : d.targets()) {
            min = Math.min(min, y);
            max = Math.max(max, y);
        }
        assertEquals(25, min);
        assertEquals(346, max);
        assertArrayEquals(new double[]{59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87}, d.row(0));
        assertEquals(151, d.target(0, 0));
    }

    @Test
    void batchesCarryTheTargetsInTheFeaturesDtype() {
        DataLoader l = new DataLoader(T, 2, false, false, 1, DType.FLOAT32);
        DataLoader.Batch b = l.batch(new int[]{2, 1});
        assertArrayEquals(new int[]{2, 2}, b.targets().shape());
        assertEquals(DType.FLOAT32, b.targets().dtype());
        assertArrayEquals(new double[]{2.5, -3, 1.5, -2}, b.targets().toDoubleArray());
        int rows = 0;
        for (DataLoader.Batch x : l.epochInPlace(0)) {
            assertEquals(x.size(), x.targets().size(0));
            assertEquals(T.target(x.indices()[0], 1), x.targets().get(1));
            rows += x.size();
        }
        assertEquals(3, rows);
        assertNull(new DataLoader(Datasets.iris(), 8, false, false, 1, DType.FLOAT64).batch(new int[]{0}).targets());
    }
}
