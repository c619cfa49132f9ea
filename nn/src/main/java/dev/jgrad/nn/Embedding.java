package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/**
 * A lookup table, PyTorch's {@code nn.Embedding}: row {@code i} of {@code weight [numEmbeddings, embeddingDim]} for
 * each index {@code i}. Initialised {@code N(0, 1)} with the padding row (if any) zeroed; the padding row receives no
 * gradient ({@link Ops#embedding(Tensor, IntTensor, int)}). Parameter: {@code weight}.
 */
public final class Embedding extends Module {
    /** No padding row. */
    public static final int NO_PADDING = Integer.MIN_VALUE;
    private final Tensor weight;
    private final int paddingIdx;

    /**
     * @param numEmbeddings rows ({@code > 0})
     * @param embeddingDim  columns ({@code > 0})
     * @param paddingIdx    the padding row (negative counts from the end), or {@link #NO_PADDING}
     * @param rng           seeded generator for the {@code N(0, 1)} initialisation
     * @param dtype         parameter dtype
     * @throws IllegalArgumentException for non-positive sizes, a padding index outside {@code [-num, num)}, a null
     *                                  generator or dtype
     */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx, RandomGenerator rng, DType dtype) {
        if (rng == null || dtype == null) throw new IllegalArgumentException("Embedding: " + (rng == null ? "rng" : "dtype") + " is null");
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got numEmbeddings=" + numEmbeddings
                    + " embeddingDim=" + embeddingDim);
        }
        if (paddingIdx != NO_PADDING && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("Embedding: paddingIdx " + paddingIdx + " must be in [" + -numEmbeddings
                    + ", " + numEmbeddings + ")");
        }
        this.paddingIdx = paddingIdx == NO_PADDING || paddingIdx >= 0 ? paddingIdx : paddingIdx + numEmbeddings;
        Tensor w = Tensor.randn(rng, dtype, numEmbeddings, embeddingDim);
        if (this.paddingIdx != NO_PADDING) {
            for (int j = 0; j < embeddingDim; j++) w.set(this.paddingIdx * embeddingDim + j, 0.0);
        }
        this.weight = registerParameter("weight", w);
    }

    /** {@link #Embedding(int, int, int, RandomGenerator, DType)} without a padding row. */
    public Embedding(int numEmbeddings, int embeddingDim, RandomGenerator rng, DType dtype) {
        this(numEmbeddings, embeddingDim, NO_PADDING, rng, dtype);
    }

    /** The table {@code [numEmbeddings, embeddingDim]}. */
    public Tensor weight() {
        return weight;
    }

    /** The padding row (non-negative), or {@link #NO_PADDING}. */
    public int paddingIdx() {
        return paddingIdx;
    }

    /** The rows of {@code indices}: {@code indices.shape + [embeddingDim]}. */
    public Tensor forward(IntTensor indices) {
        return paddingIdx == NO_PADDING ? Ops.embedding(weight, indices) : Ops.embedding(weight, indices, paddingIdx);
    }

    /**
     * {@link #forward(IntTensor)} with the indices given as a float tensor of integral values (so the layer fits in a
     * {@link Sequential}).
     *
     * @throws IllegalArgumentException for a non-integral index
     */
    @Override
    public Tensor forward(Tensor indices) {
        if (indices == null) throw new IllegalArgumentException("Embedding: indices is null");
        int[] idx = new int[indices.numel()];
        for (int i = 0; i < idx.length; i++) {
            double v = indices.get(i);
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Embedding: index " + v + " at flat position " + i + " is not an integer");
            }
            idx[i] = (int) v;
        }
        return forward(IntTensor.of(idx, indices.shape()));
    }
}
