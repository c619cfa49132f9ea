package dev.jgrad.losses;

/**
 * How per-sample (or per-element) losses are combined, with PyTorch's names.
 *
 * <p>{@link #BATCHMEAN} is accepted only by {@link Losses#klDiv}: the sum divided by the batch size
 * {@code input.shape[0]}.
 */
public enum Reduction {
    /** No reduction: one loss per sample (class losses) or element (element-wise losses). */
    NONE,
    /** The (weighted) mean; see each loss for its divisor. */
    MEAN,
    /** The sum. */
    SUM,
    /** {@code kl_div} only: the sum divided by the size of the first dimension. */
    BATCHMEAN;

    /** Parses PyTorch's spelling ({@code none}, {@code mean}, {@code sum}, {@code batchmean}). */
    public static Reduction parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown reduction '" + s + "': expected none, mean, sum or batchmean");
        }
    }

    void requireNotBatchmean(String op) {
        if (this == BATCHMEAN) throw new IllegalArgumentException(op + ": reduction 'batchmean' is only valid for kl_div");
    }
}
