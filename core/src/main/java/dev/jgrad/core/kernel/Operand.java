package dev.jgrad.core.kernel;

/**
 * How an operand of {@link KernelBackend#binary} is laid out against a {@code rows × cols} row-major output —
 * the broadcasting patterns that cover almost every use (same shape, a bias row, a per-row statistic, a scalar).
 */
public enum Operand {
    /** {@code rows·cols} elements, one per output element. */
    FULL,
    /** {@code cols} elements, the same row for every output row ({@code [R, C] ∘ [C]}). */
    ROW,
    /** {@code rows} elements, one value per output row ({@code [R, C] ∘ [R, 1]}). */
    COLUMN,
    /** One element for the whole output. */
    SCALAR;

    /** Flat index of output element {@code (r, c)} into an operand with this layout. */
    public int index(int r, int c, int cols) {
        return switch (this) {
            case FULL -> r * cols + c;
            case ROW -> c;
            case COLUMN -> r;
            case SCALAR -> 0;
        };
    }

    /** Number of elements an operand with this layout has. */
    public int length(int rows, int cols) {
        return switch (this) {
            case FULL -> rows * cols;
            case ROW -> cols;
            case COLUMN -> rows;
            case SCALAR -> 1;
        };
    }
}
