package dev.jgrad.data;

import dev.jgrad.core.DType;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
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

    // ------------------------------------------------------------------ in-place batches

    /** A byte-backed set of {@code n} rows (like the IDX images): row i, column j = byte (7i + 3j) mod 256, label i % 4. */
    private static Tabular bytes(int n, int d) {
        byte[] px = new byte[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) px[i * d + j] = (byte) (7 * i + 3 * j);
            y[i] = i % 4;
        }
        return Tabular.ofUnsignedBytes(px, d, 1.0 / 255, y, 4, null);
    }

    @Test
    void inPlaceBatchesHaveTheSameContentsAsFreshOnesInEveryEpoch() {
        for (Tabular d : new Tabular[] {data(), bytes(1000, 37)}) {
            for (DType dt : DType.values()) {
                DataLoader l = new DataLoader(d, 64, true, false, 9, dt);
                for (long epoch = 0; epoch < 3; epoch++) assertInPlaceEqualsFresh(l, epoch, () -> { });
            }
        }
    }

    /** Iterates an epoch in place, running {@code between} after each batch, and compares it with the fresh batches. */
    private static void assertInPlaceEqualsFresh(DataLoader l, long epoch, Runnable between) {
        List<DataLoader.Batch> fresh = batches(l, epoch);
        int k = 0;
        for (DataLoader.Batch b : l.epochInPlace(epoch)) {
            DataLoader.Batch f = fresh.get(k++);
            assertArrayEquals(f.indices(), b.indices());
            assertArrayEquals(f.labels().toArray(), b.labels().toArray());
            assertArrayEquals(f.features().shape(), b.features().shape());
            assertTrue(f.features().contentEquals(b.features()), b.features().dtype() + " epoch " + epoch + " batch " + k);
            assertEquals(f.features().dtype(), b.features().dtype());
            assertFalse(b.features().requiresGrad());
            between.run();
        }
        assertEquals(fresh.size(), k);
    }

    @Test
    void inPlaceBuffersAreReusedAndTheSmallLastBatchHasItsOwn() {
        DataLoader l = new DataLoader(bytes(300, 5), 64, false, false, 1, DType.FLOAT32); // 4 × 64 + 44
        List<dev.jgrad.core.Tensor> xs = new ArrayList<>();
        for (DataLoader.Batch b : l.epochInPlace(0)) xs.add(b.features());
        assertEquals(5, xs.size());
        // two buffers for the full-size batches, alternating: one in use while the next batch is gathered into the other
        assertTrue(xs.get(0) != xs.get(1));
        for (int k = 2; k < 4; k++) assertTrue(xs.get(k) == xs.get(k % 2), "batch " + k + " reuses batch " + (k % 2) + "'s buffer");
        assertArrayEquals(new int[] {44, 5}, xs.get(4).shape());
        assertTrue(xs.get(4) != xs.get(0) && xs.get(4) != xs.get(1));
        // a second iteration has buffers of its own
        assertTrue(l.epochInPlace(0).iterator().next().features() != xs.get(0));
    }

    @Test
    void aBatchIsValidUntilTheNextOneAndThenItsBufferIsOverwritten() {
        Tabular d = bytes(256, 8);
        DataLoader l = new DataLoader(d, 32, true, false, 3, DType.FLOAT32);
        Iterator<DataLoader.Batch> it = l.epochInPlace(1).iterator();
        DataLoader.Batch b0 = it.next();
        float[] before = b0.features().toFloatArray();
        DataLoader.Batch b1 = it.next(); // from here on batch 2 is gathered into batch 0's buffer
        assertTrue(b1.features() != b0.features());
        DataLoader.Batch b2 = it.next();
        assertTrue(b2.features() == b0.features(), "batch 2 reuses batch 0's buffer");
        assertFalse(java.util.Arrays.equals(before, b0.features().toFloatArray()), "so batch 0's features are gone");
        for (DataLoader.Batch b : new DataLoader.Batch[] {b2}) {
            for (int k = 0; k < b.size(); k++) {
                for (int j = 0; j < 8; j++) assertEquals((float) d.feature(b.indices()[k], j), b.features().at(k, j), 0f);
            }
        }
    }

    @Test
    void everySampleIsVisitedExactlyOncePerEpoch() {
        Tabular d = bytes(1001, 3);
        for (boolean shuffle : new boolean[] {false, true}) {
            DataLoader l = new DataLoader(d, 50, shuffle, false, 4, DType.FLOAT32);
            for (long epoch = 0; epoch < 4; epoch++) {
                int[] seen = new int[d.size()];
                int total = 0;
                for (DataLoader.Batch b : l.epochInPlace(epoch)) {
                    for (int k = 0; k < b.size(); k++) {
                        int row = b.indices()[k];
                        seen[row]++;
                        assertEquals(d.label(row), b.labels().get(k));
                        assertEquals((float) d.feature(row, 2), b.features().at(k, 2), 0f);
                    }
                    total += b.size();
                }
                assertEquals(d.size(), total);
                for (int i = 0; i < seen.length; i++) assertEquals(1, seen[i], "row " + i + " in epoch " + epoch);
            }
        }
        // dropLast: every full batch once, the remainder (1001 = 20 × 50 + 1) left out
        DataLoader dl = new DataLoader(d, 50, true, true, 4, DType.FLOAT32);
        int n = 0;
        for (DataLoader.Batch b : dl.epochInPlace(0)) n += b.size();
        assertEquals(1000, n);
    }

    @Test
    void inPlaceIteratorContract() {
        DataLoader l = new DataLoader(data(), 4, false, false, 1, DType.FLOAT64);
        Iterator<DataLoader.Batch> it = l.epochInPlace(0).iterator();
        Iterator<DataLoader.Batch> other = l.epochInPlace(0).iterator();
        assertArrayEquals(new int[] {0, 1, 2, 3}, it.next().indices());
        assertArrayEquals(new int[] {0, 1, 2, 3}, other.next().indices(), "iterators are independent");
        DataLoader.Batch b1 = it.next();
        assertArrayEquals(new double[] {0.4, 40, -3.5}, new double[] {b1.features().at(0, 0), b1.features().at(0, 1), b1.features().at(0, 2)}, 0);
        assertArrayEquals(new int[] {8, 9}, it.next().indices());
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        // an abandoned iteration does not disturb the next one
        for (int i = 0; i < 10; i++) l.epochInPlace(0).iterator().next();
        assertEquals(3, batches(l, 0).size());
        assertThrows(IllegalArgumentException.class, () -> l.epochInPlace(-1));
    }

    @Test
    void byteBackedFloatRowsAreExactlyTheRoundedScaledBytes() {
        // all 256 byte values: the table lookup gives what (float) (b * scale) gives
        byte[] px = new byte[256];
        for (int k = 0; k < 256; k++) px[k] = (byte) k;
        for (double scale : new double[] {1.0 / 255, 0.1, 3.7, 1e-3}) {
            Tabular t = Tabular.ofUnsignedBytes(px, 256, scale, new int[] {0}, 1, null);
            float[] row = new float[256];
            t.copyRows(new int[] {0}, row, 0);
            for (int k = 0; k < 256; k++) assertEquals((float) (k * scale), row[k], 0f, "byte " + k + " scale " + scale);
        }
    }

    /**
     * Batches gathered in the kernel pool's idle time (several chunks per batch, the pool kept busy with parallel
     * matrix products between batches, as in a training step) equal the batches gathered on the calling thread.
     */
    @Test
    void batchesGatheredInTheIdleTimeOfParallelKernelsAreExact() {
        Tabular d = bytes(700, 784);
        org.ejml.data.FMatrixRMaj a = new org.ejml.data.FMatrixRMaj(128, 784), w = new org.ejml.data.FMatrixRMaj(256, 784);
        org.ejml.data.FMatrixRMaj c = new org.ejml.data.FMatrixRMaj(128, 256);
        java.util.Arrays.fill(a.data, 0.5f);
        java.util.Arrays.fill(w.data, 0.25f);
        for (DType dt : DType.values()) {
            DataLoader l = new DataLoader(d, 128, true, false, 5, dt); // 5 × 128 + 60
            for (long epoch = 0; epoch < 3; epoch++) {
                assertInPlaceEqualsFresh(l, epoch, () -> {
                    dev.jgrad.core.kernel.Kernels.gemm(a, false, w, true, c, false);
                    dev.jgrad.core.kernel.Kernels.gemm(a, false, w, true, c, false);
                });
            }
        }
    }
}
