package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.nn.data.DataLoader;
import dev.jgrad.nn.data.Tabular;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {

    /** 10 rows: row i = [i/10, 10·i, -i + 0.5], label i % 3. */
    private static Tabular data() {
        double[][] f = new double[10][];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            f[i] = new double[] {i / 10.0, 10.0 * i, -i + 0.5};
            y[i] = i % 3;
        }
        return Tabular.of(f, y, 3);
    }

    private static List<DataLoader.Batch> batches(DataLoader l, long epoch) {
        List<DataLoader.Batch> out = new ArrayList<>();
        for (DataLoader.Batch b : l.epoch(epoch)) out.add(b);
        return out;
    }

    private static int[] order(DataLoader l, long epoch) {
        return batches(l, epoch).stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }

    @Test
    void float32BatchesInOrderWithPartialLastBatch() {
        DataLoader l = new DataLoader(data(), 4, false, false, 1, DType.FLOAT32);
        assertEquals(3, l.numBatches());
        List<DataLoader.Batch> bs = batches(l, 0);
        assertEquals(3, bs.size());
        assertArrayEquals(new int[] {4, 3}, bs.get(0).features().shape());
        assertArrayEquals(new int[] {4, 3}, bs.get(1).features().shape());
        assertArrayEquals(new int[] {2, 3}, bs.get(2).features().shape());
        assertArrayEquals(new int[] {2}, bs.get(2).labels().shape());
        assertEquals(2, bs.get(2).size());
        for (DataLoader.Batch b : bs) {
            assertEquals(DType.FLOAT32, b.features().dtype());
            assertFalse(b.features().requiresGrad());
        }
        assertArrayEquals(new int[] {0, 1, 2, 3}, bs.get(0).indices());
        assertArrayEquals(new int[] {8, 9}, bs.get(2).indices());
        // row 8 = [0.8, 80, -7.5] rounded to float32; labels 8 % 3 = 2, 9 % 3 = 0
        assertArrayEquals(new float[] {0.8f, 80f, -7.5f, 0.9f, 90f, -8.5f}, bs.get(2).features().toFloatArray(), 0f);
        assertArrayEquals(new int[] {2, 0}, bs.get(2).labels().toArray());
        assertArrayEquals(new int[] {0, 1, 2, 0}, bs.get(0).labels().toArray());
    }

    @Test
    void float64BatchesKeepExactValues() {
        DataLoader l = new DataLoader(data(), 3, false, false, 1, DType.FLOAT64);
        assertEquals(4, l.numBatches());
        DataLoader.Batch b = batches(l, 0).get(1); // rows 3, 4, 5
        assertEquals(DType.FLOAT64, b.features().dtype());
        assertArrayEquals(new int[] {3, 3}, b.features().shape());
        assertArrayEquals(new double[] {0.3, 30, -2.5, 0.4, 40, -3.5, 0.5, 50, -4.5}, b.features().toDoubleArray(), 0);
        assertArrayEquals(new int[] {0, 1, 2}, b.labels().toArray());
        assertEquals(1, batches(l, 0).get(3).size());
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader l = new DataLoader(data(), 4, true, true, 5, DType.FLOAT32);
        assertEquals(2, l.numBatches());
        List<DataLoader.Batch> bs = batches(l, 3);
        assertEquals(2, bs.size());
        for (DataLoader.Batch b : bs) assertEquals(4, b.size());
        // exactly divisible: nothing dropped
        DataLoader exact = new DataLoader(data(), 5, false, true, 5, DType.FLOAT32);
        assertEquals(2, exact.numBatches());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, order(exact, 0));
        // batch larger than the data set with dropLast: no batches
        assertEquals(0, new DataLoader(data(), 11, false, true, 5, DType.FLOAT32).numBatches());
        assertEquals(1, new DataLoader(data(), 11, false, false, 5, DType.FLOAT32).numBatches());
    }

    @Test
    void shuffledOrderIsSeededPerEpoch() {
        DataLoader a = new DataLoader(data(), 4, true, false, 42, DType.FLOAT32);
        DataLoader b = new DataLoader(data(), 4, true, false, 42, DType.FLOAT64);
        DataLoader c = new DataLoader(data(), 4, true, false, 43, DType.FLOAT32);
        int[] a0 = order(a, 0), a1 = order(a, 1);
        assertArrayEquals(a0, order(b, 0), "same seed and epoch: same order (dtype does not matter)");
        assertArrayEquals(a0, order(a, 0), "an epoch can be replayed");
        assertArrayEquals(order(a, 5), order(b, 5));
        assertFalse(Arrays.equals(a0, a1), "different epochs: different orders");
        assertFalse(Arrays.equals(a0, order(c, 0)), "different seed: different order");
        // each epoch is a permutation
        for (int e = 0; e < 5; e++) {
            int[] s = order(a, e).clone();
            Arrays.sort(s);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, s);
        }
        assertFalse(Arrays.equals(a0, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), "shuffled");
    }

    @Test
    void featuresAndLabelsMatchTheRowsOfShuffledBatches() {
        Tabular d = data();
        DataLoader l = new DataLoader(d, 3, true, false, 7, DType.FLOAT64);
        for (DataLoader.Batch b : l.epoch(2)) {
            for (int k = 0; k < b.size(); k++) {
                int row = b.indices()[k];
                assertEquals(d.label(row), b.labels().get(k));
                for (int j = 0; j < 3; j++) assertEquals(d.feature(row, j), b.features().at(k, j), 0);
                // check against the construction too, so a wrong Tabular view is caught
                assertEquals(row / 10.0, b.features().at(k, 0), 0);
                assertEquals(row % 3, b.labels().get(k));
            }
        }
    }

    @Test
    void batchOfExplicitIndicesAndIteratorContract() {
        DataLoader l = new DataLoader(data(), 4, false, false, 1, DType.FLOAT32);
        DataLoader.Batch b = l.batch(new int[] {9, 0, 9});
        assertArrayEquals(new int[] {3, 3}, b.features().shape());
        assertArrayEquals(new float[] {0.9f, 90f, -8.5f, 0f, 0f, 0.5f, 0.9f, 90f, -8.5f}, b.features().toFloatArray(), 0f);
        assertArrayEquals(new int[] {0, 0, 0}, b.labels().toArray());
        Iterator<DataLoader.Batch> it = l.epoch(0).iterator();
        for (int i = 0; i < 3; i++) it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertTrue(l.epoch(0).iterator().hasNext(), "each iterator() starts over");
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data(), 0, false, false, 1, DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(null, 2, false, false, 1, DType.FLOAT32));
    }
}
