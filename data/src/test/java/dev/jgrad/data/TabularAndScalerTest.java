package dev.jgrad.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabularAndScalerTest {

    private static Tabular small() {
        return Tabular.of(new double[][] {{1, 10, 5}, {2, 20, 5}, {3, 30, 5}, {4, 40, 5}},
                new int[] {0, 1, 1, 0}, 2, List.of("neg", "pos"));
    }

    @Test
    void tabularIsImmutableAndCopies() {
        double[][] f = {{1, 2}, {3, 4}};
        int[] y = {0, 1};
        Tabular t = Tabular.of(f, y, 2);
        f[0][0] = 99;
        y[0] = 1;
        assertEquals(1, t.feature(0, 0));
        assertEquals(0, t.label(0));
        t.row(0)[0] = 42;
        t.features()[1][1] = 42;
        t.labels()[1] = 0;
        assertArrayEquals(new double[] {1, 2, 3, 4}, t.flatFeatures());
        assertArrayEquals(new int[] {0, 1}, t.labels());
        assertEquals(List.of("0", "1"), t.classNames());
    }

    @Test
    void tabularValidatesItsInput() {
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{1, 2}, {3}}, new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{1}}, new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{1}}, new int[] {2}, 2));
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{Double.NaN}}, new int[] {0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{1}}, new int[] {0}, 2, List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> Tabular.of(new double[][] {{1}}, new int[] {0}, 2, List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> Tabular.ofFlat(new double[3], 2, new int[] {0, 0}, 1, null));
    }

    @Test
    void subsetGatherAndCopyRows() {
        Tabular t = small();
        Tabular s = t.subset(new int[] {3, 1, 1});
        assertEquals(3, s.size());
        assertArrayEquals(new double[] {4, 40, 5}, s.row(0));
        assertArrayEquals(new int[] {0, 1, 1}, s.labels());
        assertEquals(List.of("neg", "pos"), s.classNames());
        assertArrayEquals(new double[] {2, 20, 5, 1, 10, 5}, t.gather(new int[] {1, 0}));
        float[] fl = new float[7];
        t.copyRows(new int[] {2, 3}, fl, 1);
        assertArrayEquals(new float[] {0, 3, 30, 5, 4, 40, 5}, fl);
        assertArrayEquals(new int[] {1, 0}, t.labels(new int[] {1, 3}));
        Tabular empty = t.subset(new int[0]);
        assertEquals(0, empty.size());
        assertEquals(3, empty.numFeatures());
        assertThrows(IndexOutOfBoundsException.class, () -> t.subset(new int[] {4}));
    }

    @Test
    void byteBackedDataScalesOnAccess() {
        Tabular t = Tabular.ofUnsignedBytes(new byte[] {0, (byte) 255, (byte) 128, 1}, 2, 1.0 / 255,
                new int[] {0, 1}, 2, null);
        assertTrue(t.isByteBacked());
        assertArrayEquals(new double[] {0, 1}, t.row(0));
        assertEquals(128 / 255.0, t.feature(1, 0));
        Tabular sub = t.subset(new int[] {1});
        assertTrue(sub.isByteBacked());
        assertArrayEquals(new double[] {128 / 255.0, 1 / 255.0}, sub.row(0));
    }

    @Test
    void standardizerFitsOnTrainAndHandlesConstantFeatures() {
        Tabular train = small();
        Standardizer s = Standardizer.fit(train);
        assertArrayEquals(new double[] {2.5, 25, 5}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(1.25), Math.sqrt(125), 1.0}, s.std(), 1e-12);
        Tabular z = s.transform(train);
        for (int j = 0; j < 2; j++) {
            double mean = 0;
            double sq = 0;
            for (int i = 0; i < z.size(); i++) {
                mean += z.feature(i, j);
                sq += z.feature(i, j) * z.feature(i, j);
            }
            assertEquals(0, mean / z.size(), 1e-12);
            assertEquals(1, sq / z.size(), 1e-12);
        }
        for (int i = 0; i < z.size(); i++) {
            assertEquals(0.0, z.feature(i, 2), 0.0, "constant feature maps to exactly 0");
        }
        assertArrayEquals(train.labels(), z.labels());

        // test data uses the training statistics
        Tabular test = Tabular.of(new double[][] {{2.5, 25, 7}}, new int[] {1}, 2, List.of("neg", "pos"));
        assertArrayEquals(new double[] {0, 0, 2}, s.transform(test).row(0), 1e-12);
        assertArrayEquals(new double[] {2.5, 25, 7}, s.inverseTransformRow(s.transformRow(new double[] {2.5, 25, 7})), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> s.transformRow(new double[2]));
    }

    @Test
    void standardizerIsExactForConstantColumnsThatDoNotDivideEvenly() {
        Tabular t = Tabular.of(new double[][] {{0.1}, {0.1}, {0.1}}, new int[] {0, 0, 0}, 1);
        Tabular z = Standardizer.fit(t).transform(t);
        assertArrayEquals(new double[] {0, 0, 0}, z.flatFeatures(), 0.0);
    }

    @Test
    void standardizedDigitsHaveZeroMeanAndUnitOrZeroSpread() {
        Tabular d = Datasets.digits();
        Tabular z = Standardizer.fit(d).transform(d);
        for (int j = 0; j < d.numFeatures(); j++) {
            double mean = 0;
            for (int i = 0; i < z.size(); i++) {
                mean += z.feature(i, j);
            }
            assertEquals(0, mean / z.size(), 1e-9, "feature " + j);
        }
    }

    @Test
    void minMaxScalerMapsTrainToUnitInterval() {
        Tabular train = small();
        MinMaxScaler m = MinMaxScaler.fit(train);
        Tabular u = m.transform(train);
        assertArrayEquals(new double[] {0, 0, 0}, u.row(0), 1e-12);
        assertArrayEquals(new double[] {1, 1, 0}, u.row(3), 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 0}, u.row(1), 1e-12);
        MinMaxScaler pixels = MinMaxScaler.ofRange(64, 0, 16);
        Tabular digits = pixels.transform(Datasets.digits());
        for (double v : digits.flatFeatures()) {
            assertTrue(v >= 0 && v <= 1);
        }
    }
}
