package dev.jgrad.nn.data;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a {@link Tabular} data set as tensors: features {@code [B, D]} in the chosen dtype and labels
 * as an {@link IntTensor} {@code [B]}. Shuffling is seeded per epoch ({@link BatchSampler}), so epoch {@code e}
 * of two loaders with the same seed visits the samples in the same order — which is what makes resuming from
 * a checkpoint exact.
 */
public final class DataLoader {
    private final Tabular data;
    private final BatchSampler sampler;
    private final DType dtype;

    /** One mini-batch. */
    public record Batch(Tensor features, IntTensor labels, int[] indices) {
        /** Number of samples. */
        public int size() {
            return indices.length;
        }
    }

    /**
     * @param data      the samples
     * @param batchSize samples per batch ({@code > 0})
     * @param shuffle   reshuffle every epoch
     * @param dropLast  drop a final incomplete batch
     * @param seed      shuffling seed
     * @param dtype     feature dtype
     */
    public DataLoader(Tabular data, int batchSize, boolean shuffle, boolean dropLast, long seed, DType dtype) {
        if (data == null) throw new IllegalArgumentException("DataLoader: data is null");
        if (dtype == null) throw new IllegalArgumentException("DataLoader: dtype is null");
        this.data = data;
        this.sampler = new BatchSampler(data.size(), batchSize, shuffle, dropLast, seed);
        this.dtype = dtype;
    }

    /** The data set. */
    public Tabular data() {
        return data;
    }

    /** Batches per epoch. */
    public int numBatches() {
        return sampler.numBatches();
    }

    /** The batches of one epoch, in that epoch's seeded order. */
    public Iterable<Batch> epoch(long epoch) {
        int[][] batches = sampler.batches(epoch);
        return () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < batches.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch(batches[next++]);
            }
        };
    }

    /**
     * The samples at {@code indices} as one batch.
     *
     * @throws IndexOutOfBoundsException naming the first index outside {@code [0, data().size())}
     */
    public Batch batch(int[] indices) {
        if (indices == null) throw new IllegalArgumentException("DataLoader.batch: indices is null");
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= data.size()) {
                throw new IndexOutOfBoundsException("DataLoader.batch: index " + indices[i] + " at position " + i
                        + " is outside the data set's rows [0, " + data.size() + ")");
            }
        }
        int d = data.numFeatures();
        Tensor x;
        if (dtype == DType.FLOAT32) {
            float[] f = new float[indices.length * d];
            data.copyRows(indices, f, 0);
            x = Tensor.of(f, indices.length, d);
        } else {
            double[] f = new double[indices.length * d];
            data.copyRows(indices, f, 0);
            x = Tensor.of(f, indices.length, d);
        }
        return new Batch(x, IntTensor.of(data.labels(indices)), indices.clone());
    }
}
