package dev.jgrad.data;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.IdleTask;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a {@link Tabular} data set as tensors: features {@code [B, D]} in the chosen dtype and labels
 * as an {@link IntTensor} {@code [B]} (for a regression set also the targets {@code [B, K]}). Shuffling is seeded per epoch ({@link BatchSampler}), so epoch {@code e}
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
    private final long seed;
    /** Applied to every sample of {@link #epoch} and {@link #epochInPlace}; null: none. */
    private final ImageAugmentation augmentation;
    /** Per gathering thread: the augmentation's scratch row. */
    private final ThreadLocal<Object> scratch;

    /**
     * One mini-batch.
     *
     * @param features the features {@code [B, D]}
     * @param labels   the class labels {@code [B]} (all 0 for a regression set)
     * @param indices  the rows of the data set
     * @param targets  a regression set's targets {@code [B, K]} in the features' dtype ({@link Tabular#numTargets()}
     *                 {@code K}); null for a classification set
     */
    public record Batch(Tensor features, IntTensor labels, int[] indices, Tensor targets) {
        /** A classification batch (no targets). */
        public Batch(Tensor features, IntTensor labels, int[] indices) {
            this(features, labels, indices, null);
        }

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
        this.seed = seed;
        this.augmentation = null;
        this.scratch = null;
    }

    private DataLoader(DataLoader base, ImageAugmentation augmentation) {
        this.data = base.data;
        this.sampler = base.sampler;
        this.dtype = base.dtype;
        this.seed = base.seed;
        this.augmentation = augmentation;
        int n = augmentation.rowLength();
        this.scratch = ThreadLocal.withInitial(() -> dtype == DType.FLOAT32 ? new float[n] : new double[n]);
    }

    /**
     * This loader with every sample of its epochs ({@link #epoch}, {@link #epochInPlace}) transformed by
     * {@code augmentation}, drawn per sample from the seed, the epoch and the sample's row (so the same in every run
     * and on resume); {@link #batch(int[])} stays untransformed. Meant for training data: evaluate with a loader
     * without it.
     *
     * @param augmentation the transforms; its image size must match the rows
     * @return a new loader with the same data, batches and seed
     * @throws IllegalArgumentException if the rows are not {@code augmentation.rowLength()} long
     */
    public DataLoader withAugmentation(ImageAugmentation augmentation) {
        if (augmentation == null) throw new IllegalArgumentException("DataLoader.withAugmentation: augmentation is null");
        if (augmentation.rowLength() != data.numFeatures()) {
            throw new IllegalArgumentException("DataLoader.withAugmentation: images of " + augmentation.rowLength()
                    + " values, but the rows have " + data.numFeatures() + " features");
        }
        return new DataLoader(this, augmentation);
    }

    /** The augmentation of {@link #withAugmentation}, or null. */
    public ImageAugmentation augmentation() {
        return augmentation;
    }

    /** Applies the augmentation (if any) to rows {@code [from, to)} of a batch of {@code indices} stored in {@code x}. */
    private void augment(int[] indices, int from, int to, Tensor x, long epoch) {
        if (augmentation == null || augmentation.isIdentity()) return;
        int d = data.numFeatures();
        if (x.storage() instanceof Storage.F32 f) {
            float[] s = (float[]) scratch.get();
            for (int i = from; i < to; i++) augmentation.apply(f.a, i * d, s, seed, epoch, indices[i]);
        } else {
            double[] s = (double[]) scratch.get();
            double[] a = ((Storage.F64) x.storage()).a;
            for (int i = from; i < to; i++) augmentation.apply(a, i * d, s, seed, epoch, indices[i]);
        }
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
        return () -> new Batches(batches, (all, k) -> {
            Batch b = batch(all[k]);
            augment(b.indices(), 0, b.size(), b.features(), epoch);
            return b;
        });
    }

    /**
     * The batches of one epoch, in that epoch's seeded order (the same batches as {@link #epoch(long)}), written
     * into buffers owned by each iterator: <b>a batch, including its features tensor, is valid only until the
     * iterator's next call to {@code next()}</b>, after which its buffer is overwritten. Use it where each batch
     * is consumed before the next one is requested — a training step, or an evaluation pass — and
     * {@link #epoch(long)} to keep batches. Each iterator has its own buffers, so two iterations do not
     * interfere; an iterator is not thread-safe.
     *
     * <p>While the caller uses one batch, the next one is gathered into a second buffer in the kernel pool's idle time
     * ({@link IdleTask}: the pool worker fills the gaps between the step's parallel matrix products, in chunks of a few
     * microseconds), and {@code next()} finishes whatever is left on the calling thread; with one kernel thread it is
     * all done in {@code next()}. The values are the same either way. (A separate background thread was tried first
     * and dropped: on two cores it competes with the parallel products and gained nothing; gathering in the idle
     * time takes 0.03–0.05 s off a Fashion-MNIST epoch.)
     *
     * @param epoch epoch number, at least 0
     * @throws IllegalArgumentException for a negative epoch
     */
    public Iterable<Batch> epochInPlace(long epoch) {
        int[][] batches = sampler.batches(epoch);
        return () -> new Batches(batches, new Prefetching(epoch)::make);
    }

    /** Makes batch {@code k} of an epoch's {@code batches} (it may look ahead at the following ones). */
    private interface Maker {
        Batch make(int[][] batches, int k);
    }

    /** Iterates the batches of an epoch, making each with {@code make} (fresh, or into reused buffers). */
    private static final class Batches implements Iterator<Batch> {
        private final int[][] batches;
        private final Maker make;
        private int next;

        Batches(int[][] batches, Maker make) {
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
            return make.make(batches, next++);
        }
    }

    /** Gathered values per idle-time chunk: about 5 µs of work, so a kernel call waits at most that long for the worker. */
    private static final int CHUNK_VALUES = 8192;

    /**
     * The in-place iteration: two feature buffers for the full-size batches (one in use, one being filled) and one for a
     * smaller last batch; the next batch is gathered by an {@link IdleTask} while the current one is in use.
     */
    private final class Prefetching {
        private final Tensor[] full = new Tensor[2];
        private Tensor partial;
        private final IdleTask gather = new IdleTask(this::gatherChunk);
        /** Rows gathered per chunk. */
        private final int rowsPerChunk = Math.max(1, CHUNK_VALUES / Math.max(1, data.numFeatures()));
        /** The round in flight: {@code idx} into {@code target}. */
        private boolean pending;
        private int[] idx;
        private Tensor target;
        private final long epoch;

        Prefetching(long epoch) {
            this.epoch = epoch;
        }

        /** Batch {@code k}: the one gathered in the idle time (finished here), then the gathering of batch {@code k + 1} starts. */
        Batch make(int[][] batches, int k) {
            int[] cur = batches[k];
            Tensor x;
            if (pending) {
                pending = false;
                gather.join();
                x = target;
            } else {
                x = buffer(cur.length, null);
                fill(cur, x);
                augment(cur, 0, cur.length, x, epoch);
            }
            if (k + 1 < batches.length) {
                idx = batches[k + 1];
                target = buffer(idx.length, x);
                pending = true;
                gather.start((idx.length + rowsPerChunk - 1) / rowsPerChunk);
            }
            return new Batch(x, IntTensor.of(data.labels(cur)), cur, targets(cur));
        }

        /** The buffer for a batch of {@code rows} samples that is not {@code inUse}. */
        private Tensor buffer(int rows, Tensor inUse) {
            if (rows != sampler.batchSize()) {
                if (partial == null) partial = Tensor.zeros(dtype, rows, data.numFeatures());
                return partial;
            }
            int i = full[0] == inUse ? 1 : 0;
            if (full[i] == null) full[i] = Tensor.zeros(dtype, rows, data.numFeatures());
            return full[i];
        }

        /** Chunk {@code c} of the round in flight: rows {@code [c·rowsPerChunk, …)} of {@code idx} into {@code target}. */
        private void gatherChunk(int c) {
            int from = c * rowsPerChunk, to = Math.min(idx.length, from + rowsPerChunk), d = data.numFeatures();
            if (target.storage() instanceof Storage.F32 f) data.copyRows(idx, from, to, f.a, from * d);
            else data.copyRows(idx, from, to, ((Storage.F64) target.storage()).a, from * d);
            augment(idx, from, to, target, epoch);
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
        return new Batch(x, IntTensor.of(data.labels(indices)), indices.clone(), targets(indices));
    }

    /** A regression set's targets of the rows at {@code indices} as a {@code [B, K]} tensor; null for a classification set. */
    private Tensor targets(int[] indices) {
        int k = data.numTargets();
        return k == 0 ? null : Tensor.of(dtype, data.targets(indices), indices.length, k);
    }
}
