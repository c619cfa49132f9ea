package dev.jgrad.data;

import java.util.Random;

/**
 * Splits the indices {@code 0 .. size-1} into mini-batches, one epoch at a time.
 *
 * <p>With shuffling on, each epoch uses a fresh permutation drawn from a
 * {@link java.util.Random} seeded from {@code (seed, epoch)}: the same seed and epoch always
 * give the same batches (on any JDK, since {@code Random}'s algorithm is specified), while
 * different epochs give unrelated orders. Nothing is stateful, so resuming training at epoch
 * {@code e} reproduces exactly the batches an uninterrupted run would have used. With
 * shuffling off, batches are consecutive runs of indices in order.
 *
 * <p>The last batch is smaller when {@code batchSize} does not divide {@code size}, unless
 * {@code dropLast} is set, in which case it is dropped. Instances are immutable and
 * thread-safe.
 */
public final class BatchSampler {
    private final int size;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;

    /**
     * Creates a sampler.
     *
     * @param size      number of items to sample from, at least 0
     * @param batchSize items per batch, at least 1
     * @param shuffle   whether to shuffle every epoch
     * @param dropLast  whether to drop a final batch smaller than {@code batchSize}
     * @param seed      base seed for shuffling (ignored without shuffling)
     * @throws IllegalArgumentException for a negative size or a batch size below 1
     */
    public BatchSampler(int size, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("BatchSampler: size must be >= 0, got " + size);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("BatchSampler: batchSize must be >= 1, got " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
    }

    /**
     * Number of items sampled from.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Items per full batch.
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Batches per epoch: {@code size / batchSize} with {@code dropLast}, otherwise
     * {@code ceil(size / batchSize)}.
     *
     * @return the number of batches
     */
    public int numBatches() {
        return dropLast ? size / batchSize : (int) (((long) size + batchSize - 1) / batchSize);
    }

    /**
     * The order in which an epoch visits the items (before cutting into batches): a seeded
     * permutation when shuffling, otherwise {@code 0 .. size-1}.
     *
     * @param epoch epoch number, at least 0
     * @return a fresh permutation of {@code 0 .. size-1}
     */
    public int[] order(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("BatchSampler: epoch must be >= 0, got " + epoch);
        }
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            Seeds.shuffle(idx, new Random(Seeds.derive(seed, Seeds.SAMPLER_SALT, epoch)));
        }
        return idx;
    }

    /**
     * The batches of one epoch.
     *
     * @param epoch epoch number, at least 0
     * @return {@link #numBatches()} fresh arrays of indices; all of size {@code batchSize}
     *         except possibly the last one (when not dropping it)
     */
    public int[][] batches(long epoch) {
        int[] idx = order(epoch);
        int nb = numBatches();
        int[][] out = new int[nb][];
        for (int b = 0; b < nb; b++) {
            int from = b * batchSize;
            int to = Math.min(size, from + batchSize);
            out[b] = java.util.Arrays.copyOfRange(idx, from, to);
        }
        return out;
    }

    /**
     * A short description.
     *
     * @return e.g. {@code BatchSampler[size=1000, batchSize=32, shuffle=true, dropLast=false, seed=7]}
     */
    @Override
    public String toString() {
        return "BatchSampler[size=" + size + ", batchSize=" + batchSize + ", shuffle=" + shuffle
                + ", dropLast=" + dropLast + ", seed=" + seed + "]";
    }
}
