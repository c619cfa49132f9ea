package dev.jgrad.nn.data;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a {@link Tabular} data set as tensors: features {@code [B, D]} in the chosen dtype and labels
 * as an {@link IntTensor} {@code [B]}. Shuffling is seeded per epoch ({@link BatchSampler}), so epoch {@code e}
 * of two loaders with the same seed visits the samples in the same order — which is what makes resuming from
 * a checkpoint exact.
 *
 * <p>Two ways to iterate an epoch: {@link #epoch(long)} gives every batch its own tensors (batches may be kept,
 * e.g. collected in a list), while {@link #epochInPlace(long)} writes every batch into feature buffers that the
 * iterator reuses, so a training loop allocates nothing per batch for its inputs — but each batch is valid only
 * until the iterator's next {@code next()}. Both visit the same samples in the same order with the same values.
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

    /** The batches of one epoch, in that epoch's seeded order; every batch has its own tensors. */
    public Iterable<Batch> epoch(long epoch) {
        int[][] batches = sampler.batches(epoch);
        return () -> new Batches(batches, this::batch);
    }

    /**
     * The batches of one epoch, in that epoch's seeded order (the same batches as {@link #epoch(long)}), written
     * into buffers owned by each iterator: <b>a batch, including its features tensor, is valid only until the
     * iterator's next call to {@code next()}</b>, after which its buffer is overwritten. Use it where each batch
     * is consumed before the next one is requested — a training step, or an evaluation pass — and
     * {@link #epoch(long)} to keep batches. Each iterator has its own buffers, so two iterations do not
     * interfere; an iterator is not thread-safe.
     *
     * <p>Batches are assembled on the calling thread, in {@code next()}. (Assembling the next batch on a background
     * thread was tried and dropped: on two cores it competes with the parallel matrix products of the step and
     * gained nothing overall.)
     *
     * @param epoch epoch number, at least 0
     * @throws IllegalArgumentException for a negative epoch
     */
    public Iterable<Batch> epochInPlace(long epoch) {
        int[][] batches = sampler.batches(epoch);
        return () -> new Batches(batches, new Buffers()::fill);
    }

    /** Iterates the batches of an epoch, making each with {@code make} (fresh, or into reused buffers). */
    private static final class Batches implements Iterator<Batch> {
        private final int[][] batches;
        private final java.util.function.Function<int[], Batch> make;
        private int next;

        Batches(int[][] batches, java.util.function.Function<int[], Batch> make) {
            this.batches = batches;
            this.make = make;
        }

        @Override
        public boolean hasNext() {
            return next < batches.length;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            return make.apply(batches[next++]);
        }
    }

    /** The reused feature buffers of one in-place iteration. */
    private final class Buffers {
        /** One buffer for the full-size batches; a smaller last batch gets its own. */
        private Tensor full, partial;

        Batch fill(int[] idx) {
            Tensor x;
            if (idx.length == sampler.batchSize()) {
                if (full == null) full = Tensor.zeros(dtype, idx.length, data.numFeatures());
                x = full;
            } else {
                if (partial == null) partial = Tensor.zeros(dtype, idx.length, data.numFeatures());
                x = partial;
            }
            DataLoader.this.fill(idx, x);
            return new Batch(x, IntTensor.of(data.labels(idx)), idx);
        }
    }

    /** Writes the rows at {@code indices} (already checked) into {@code x}, a contiguous {@code [indices.length, D]} tensor. */
    private void fill(int[] indices, Tensor x) {
        if (x.storage() instanceof Storage.F32 f) data.copyRows(indices, f.a, 0);
        else data.copyRows(indices, ((Storage.F64) x.storage()).a, 0);
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
        Tensor x = Tensor.zeros(dtype, indices.length, data.numFeatures());
        fill(indices, x);
        return new Batch(x, IntTensor.of(data.labels(indices)), indices.clone());
    }
}
