package dev.jgrad.core.kernel;

/** The binary element-wise operations of {@link KernelBackend#binary}. */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a · b}. */
    MUL,
    /** {@code a / b}. */
    DIV;

    /** The scalar value, in double. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }
}
