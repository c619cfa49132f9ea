package dev.jgrad.lab.precision;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Emulated arithmetic of one {@link Precision} and {@link Summation}: the operations a loss strategy is written
 * with, so that the same code runs in float16, bfloat16, float32 and float64.
 *
 * <p>Element-wise operations ({@link #add}, {@link #exp}, ...) evaluate in double from their (already rounded)
 * operands and round once to the storage format, as PyTorch's CPU kernels do for the 16-bit types (they compute in
 * float32 and round the result; for +, -, ×, ÷ of 16-bit operands both give the correctly rounded result).
 * Reductions ({@link #sumAcc}, {@link #sum}) add in the accumulation format with the chosen summation; the
 * {@code *Acc} operations round to the accumulation format instead of the storage format (for intermediate values
 * a fused kernel keeps in registers). Instances are immutable and thread-safe.
 */
public final class Arith {
    private static final int PAIRWISE_BLOCK = 8;

    private final Precision precision;
    private final Summation summation;
    private final Format storage;
    private final Format acc;

    /**
     * Arithmetic of a precision and a summation.
     *
     * @param precision the formats
     * @param summation how reductions add
     */
    public Arith(Precision precision, Summation summation) {
        this.precision = Objects.requireNonNull(precision, "precision");
        this.summation = Objects.requireNonNull(summation, "summation");
        this.storage = precision.storage();
        this.acc = precision.accumulation();
    }

    /** @return the precision */
    public Precision precision() {
        return precision;
    }

    /** @return the summation of the reductions */
    public Summation summation() {
        return summation;
    }

    /**
     * Rounds to the storage format (a value an operation writes to memory).
     *
     * @param v the exact value
     * @return the stored value
     */
    public double store(double v) {
        return storage.round(v);
    }

    /**
     * Rounds to the accumulation format (a value a fused kernel keeps in a register).
     *
     * @param v the exact value
     * @return the value in the accumulation format
     */
    public double acc(double v) {
        return acc.round(v);
    }

    /** @param a operand @param b operand @return {@code a + b} rounded to storage */
    public double add(double a, double b) {
        return store(a + b);
    }

    /** @param a operand @param b operand @return {@code a - b} rounded to storage */
    public double sub(double a, double b) {
        return store(a - b);
    }

    /** @param a operand @param b operand @return {@code a · b} rounded to storage */
    public double mul(double a, double b) {
        return store(a * b);
    }

    /** @param a operand @param b operand @return {@code a / b} rounded to storage */
    public double div(double a, double b) {
        return store(a / b);
    }

    /** @param a operand @return {@code exp(a)} rounded to storage (overflows to +inf past ln(MAX) of the format) */
    public double exp(double a) {
        return store(Math.exp(a));
    }

    /** @param a operand @return {@code log(a)} rounded to storage ({@code -inf} for 0) */
    public double log(double a) {
        return store(Math.log(a));
    }

    /** @param a operand @return {@code a} rounded to storage, then {@code f} of it rounded to storage */
    public double apply(double a, DoubleUnaryOperator f) {
        return store(f.applyAsDouble(store(a)));
    }

    /**
     * An element-wise map into a new stored array.
     *
     * @param v the input
     * @param f the function (evaluated in double)
     * @return {@code store(f(v[i]))}
     */
    public double[] map(double[] v, DoubleUnaryOperator f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = store(f.applyAsDouble(v[i]));
        return out;
    }

    /**
     * The largest element (exact in every format); NaN if any element is NaN, {@code -inf} for an empty array.
     *
     * @param v the values
     * @return the maximum
     */
    public double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) return Double.NaN;
            if (x > m) m = x;
        }
        return m;
    }

    /**
     * The sum of the elements with this summation, partial sums in the accumulation format; the result stays in the
     * accumulation format (a kernel that uses it directly, e.g. a fused log-sum-exp).
     *
     * @param v the terms
     * @return the sum in the accumulation format
     */
    public double sumAcc(double[] v) {
        return sumAcc(v, 0, v.length);
    }

    /**
     * The sum of the elements, rounded to the storage format (a {@code sum} op writing its result).
     *
     * @param v the terms
     * @return the stored sum
     */
    public double sum(double[] v) {
        return store(sumAcc(v));
    }

    /**
     * {@link #sumAcc(double[])} over {@code v[from, to)}.
     *
     * @param v    the terms
     * @param from first index
     * @param to   end index (exclusive)
     * @return the sum in the accumulation format
     */
    public double sumAcc(double[] v, int from, int to) {
        return switch (summation) {
            case PLAIN -> plain(v, from, to);
            case PAIRWISE -> pairwise(v, from, to);
            case COMPENSATED -> compensated(v, from, to);
        };
    }

    private double plain(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s = acc.round(s + v[i]);
        return s;
    }

    private double pairwise(double[] v, int from, int to) {
        if (to - from <= PAIRWISE_BLOCK) return plain(v, from, to);
        int mid = (from + to) >>> 1;
        return acc.round(pairwise(v, from, mid) + pairwise(v, mid, to));
    }

    /** Neumaier: s + c, with c collecting the rounding error of each addition (all in the accumulation format). */
    private double compensated(double[] v, int from, int to) {
        double s = 0, c = 0;
        for (int i = from; i < to; i++) {
            double x = v[i];
            double t = acc.round(s + x);
            c = acc.round(c + roundingError(s, x, t));
            s = t;
        }
        return acc.round(s + c);
    }

    /**
     * Neumaier's error term of an addition in the accumulation format: with {@code t = acc(s + x)}, the part of
     * {@code s + x} that {@code t} lost (itself computed in the accumulation format), to be added to a running
     * compensation.
     *
     * @param s the running sum before the addition
     * @param x the term added
     * @param t the rounded sum {@code acc(s + x)}
     * @return the rounding error of {@code t}
     */
    public double roundingError(double s, double x, double t) {
        return Math.abs(s) >= Math.abs(x) ? acc.round(acc.round(s - t) + x) : acc.round(acc.round(x - t) + s);
    }

    @Override
    public String toString() {
        return precision + ", " + summation;
    }
}
