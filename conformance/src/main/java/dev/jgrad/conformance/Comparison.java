package dev.jgrad.conformance;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Element-wise comparison of an expected case tensor with a tensor computed by jgrad, exactly as
 * {@code FORMAT.md} specifies:
 * <ul>
 *   <li>shapes must be equal (same rank and dimensions; {@code []} is not {@code [1]});</li>
 *   <li>expected finite {@code e}: the actual {@code a} passes iff
 *       {@code |a - e| <= atol + rtol * |e|} (so the sign of zero is ignored, and a NaN or infinite
 *       actual fails);</li>
 *   <li>expected {@code nan}: the actual must be NaN;</li>
 *   <li>expected {@code +inf} / {@code -inf}: the actual must be the same infinity.</li>
 * </ul>
 * The expected element is taken at the precision of its dtype ({@link CaseTensor#dtypeValue(int)}):
 * for float32 cases that is the float32 value the file's decimal denotes.
 *
 * <p>The result reports the worst element: any failing element ranks above every passing one; among
 * failing (or, for a pass, among all) elements the one with the largest {@code error / allowed}
 * ratio, non-finite mismatches counting as infinitely bad; ties go to the lowest flat index.
 */
public final class Comparison {

    private Comparison() {
    }

    /**
     * Compares {@code expected} with an actual result.
     *
     * @param expected     a floating expected tensor
     * @param actualShape  the shape jgrad produced ({@code null} = nothing produced)
     * @param actualValues its flat row-major values ({@code null} = nothing produced)
     * @param tol          the case tolerance
     * @return the result; a missing actual, a length/shape inconsistency or a shape mismatch give a
     *         failing result with a {@link Result#message()} and no worst element
     * @throws IllegalArgumentException if {@code expected} is {@code int64}
     */
    public static Result compare(CaseTensor expected, int[] actualShape, double[] actualValues, Tolerance tol) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(tol, "tol");
        if (!expected.isFloating()) {
            throw new IllegalArgumentException("only floating tensors are compared, got int64");
        }
        int[] eShape = expected.shape();
        if (actualShape == null || actualValues == null) {
            return Result.structural(expected, actualShape, tol, "no result produced");
        }
        int[] aShape = actualShape.clone();
        long needed = 1;
        for (int d : aShape) {
            needed = d < 0 ? -1 : needed * d;
            if (needed < 0) {
                break;
            }
        }
        if (needed != actualValues.length) {
            return Result.structural(expected, aShape, tol, "actual shape " + Arrays.toString(aShape)
                    + " is inconsistent with its " + actualValues.length + " values");
        }
        if (!Arrays.equals(eShape, aShape)) {
            return Result.structural(expected, aShape, tol, "shape mismatch: expected " + Arrays.toString(eShape)
                    + ", actual " + Arrays.toString(aShape));
        }
        int worst = -1;
        boolean worstFails = false;
        double worstRatio = -1;
        int failing = 0;
        for (int i = 0; i < actualValues.length; i++) {
            double e = expected.dtypeValue(i);
            double a = actualValues[i];
            boolean ok = elementPasses(e, a, tol);
            double ratio = badness(e, a, tol, ok);
            if (!ok) {
                failing++;
            }
            boolean better = worst < 0
                    || (!ok && !worstFails)
                    || (ok == !worstFails && ratio > worstRatio);
            if (better) {
                worst = i;
                worstFails = !ok;
                worstRatio = ratio;
            }
        }
        if (worst < 0) {
            return new Result(expected.dtype(), eShape, aShape, tol, true, null, -1, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, 0);
        }
        double e = expected.dtypeValue(worst);
        double a = actualValues[worst];
        return new Result(expected.dtype(), eShape, aShape, tol, failing == 0, null, worst, e, a,
                error(e, a), allowed(e, tol), failing);
    }

    /**
     * Compares {@code expected} with a {@link Computed} result.
     *
     * @param expected a floating expected tensor
     * @param actual   the computed tensor, {@code null} = nothing produced
     * @param tol      the case tolerance
     * @return the result (see {@link #compare(CaseTensor, int[], double[], Tolerance)})
     */
    public static Result compare(CaseTensor expected, Computed actual, Tolerance tol) {
        return actual == null ? compare(expected, null, null, tol)
                : compare(expected, actual.shape(), actual.values(), tol);
    }

    /**
     * The element rule alone.
     *
     * @param expected expected element (at dtype precision)
     * @param actual   actual element
     * @param tol      tolerance
     * @return {@code true} if {@code actual} is acceptable for {@code expected}
     */
    public static boolean elementPasses(double expected, double actual, Tolerance tol) {
        if (Double.isNaN(expected)) {
            return Double.isNaN(actual);
        }
        if (Double.isInfinite(expected)) {
            return actual == expected;
        }
        // NaN actual makes the comparison false; infinite actual gives an infinite error
        return Math.abs(actual - expected) <= tol.allowed(expected);
    }

    /**
     * Converts a flat row-major index to a multi-index.
     *
     * @param flatIndex index in {@code [0, numel(shape))}
     * @param shape     the shape
     * @return the multi-index ({@code []} for a scalar)
     */
    public static int[] multiIndex(int flatIndex, int[] shape) {
        int[] idx = new int[shape.length];
        int rest = flatIndex;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return idx;
            }
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        return idx;
    }

    private static double error(double e, double a) {
        if (Double.isNaN(e)) {
            return Double.isNaN(a) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (Double.isInfinite(e)) {
            return a == e ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(a - e);
    }

    private static double allowed(double e, Tolerance tol) {
        return Double.isFinite(e) ? tol.allowed(e) : 0;
    }

    private static double badness(double e, double a, Tolerance tol, boolean ok) {
        if (!Double.isFinite(e)) {
            return ok ? 0 : Double.POSITIVE_INFINITY;
        }
        double err = Math.abs(a - e);
        if (Double.isNaN(err)) {
            return Double.POSITIVE_INFINITY;
        }
        double allowed = tol.allowed(e);
        if (allowed == 0) {
            return err == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return err / allowed;
    }

    /**
     * The outcome of one comparison. For a failure caused by a missing result, an inconsistent actual
     * or a shape mismatch, {@link #message()} says why and there is no worst element
     * ({@link #worstIndex()} is {@code -1}). Otherwise the worst element is reported (for a pass as
     * well, as information about the margin); it is {@code -1} only for an empty tensor.
     */
    public static final class Result {
        private final String dtype;
        private final int[] expectedShape;
        private final int[] actualShape;
        private final Tolerance tolerance;
        private final boolean passed;
        private final String message;
        private final int worstIndex;
        private final double expected;
        private final double actual;
        private final double error;
        private final double allowed;
        private final int failingElements;

        private Result(String dtype, int[] expectedShape, int[] actualShape, Tolerance tolerance, boolean passed,
                       String message, int worstIndex, double expected, double actual, double error,
                       double allowed, int failingElements) {
            this.dtype = dtype;
            this.expectedShape = expectedShape;
            this.actualShape = actualShape;
            this.tolerance = tolerance;
            this.passed = passed;
            this.message = message;
            this.worstIndex = worstIndex;
            this.expected = expected;
            this.actual = actual;
            this.error = error;
            this.allowed = allowed;
            this.failingElements = failingElements;
        }

        private static Result structural(CaseTensor expected, int[] actualShape, Tolerance tol, String message) {
            return new Result(expected.dtype(), expected.shape(), actualShape == null ? null : actualShape.clone(),
                    tol, false, message, -1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }

        /** @return {@code true} if shapes match and every element passes */
        public boolean passed() {
            return passed;
        }

        /** @return {@code true} if the comparison failed before looking at elements (see {@link #message()}) */
        public boolean structuralFailure() {
            return message != null;
        }

        /** @return why the comparison failed structurally (missing result, shape mismatch), or {@code null} */
        public String message() {
            return message;
        }

        /** @return a copy of the expected shape */
        public int[] expectedShape() {
            return expectedShape.clone();
        }

        /** @return a copy of the actual shape, {@code null} if nothing was produced */
        public int[] actualShape() {
            return actualShape == null ? null : actualShape.clone();
        }

        /** @return the tolerance used */
        public Tolerance tolerance() {
            return tolerance;
        }

        /** @return flat row-major index of the worst element, {@code -1} if none */
        public int worstIndex() {
            return worstIndex;
        }

        /** @return multi-index of the worst element ({@code []} for a scalar), {@code null} if none */
        public int[] worstMultiIndex() {
            return worstIndex < 0 ? null : multiIndex(worstIndex, expectedShape);
        }

        /** @return expected value of the worst element (at dtype precision), NaN if none */
        public double expected() {
            return expected;
        }

        /** @return actual value of the worst element, NaN if none */
        public double actual() {
            return actual;
        }

        /**
         * @return {@code |actual - expected|} of the worst element for a finite expected value; for a
         *         non-finite expected value 0 if matched, {@code +inf} if not; NaN if there is no element
         */
        public double error() {
            return error;
        }

        /**
         * @return {@code atol + rtol * |expected|} of the worst element for a finite expected value,
         *         0 for a non-finite one (it must match exactly); NaN if there is no element
         */
        public double allowed() {
            return allowed;
        }

        /** @return number of elements outside the tolerance (0 for structural failures) */
        public int failingElements() {
            return failingElements;
        }

        /**
         * One-line description, e.g.
         * {@code output[1, 2] (flat 5): expected 0.25, actual 0.2501, error 1.00e-04 > allowed 3.50e-06 (3 of 12 elements fail)}.
         *
         * @param label the tensor label, e.g. {@code output} or {@code grad[input]}
         * @return the description
         */
        public String describe(String label) {
            if (message != null) {
                return label + ": " + message;
            }
            if (worstIndex < 0) {
                return label + ": empty, " + (passed ? "matches" : "fails");
            }
            StringBuilder sb = new StringBuilder(label);
            sb.append(formatIndex(worstMultiIndex())).append(" (flat ").append(worstIndex).append("): expected ")
                    .append(CaseTensor.formatElement(dtype, expected)).append(", actual ")
                    .append(CaseTensor.formatElement(dtype, actual));
            if (Double.isFinite(expected)) {
                sb.append(", error ").append(formatError(error)).append(elementPasses(expected, actual, tolerance) ? " <= " : " > ")
                        .append("allowed ").append(formatError(allowed));
            } else {
                sb.append(Double.isNaN(expected) ? " (must be nan)" : " (must be the same infinity)");
            }
            if (failingElements > 0) {
                sb.append(" (").append(failingElements).append(" of ").append(CaseTensor.numel(expectedShape))
                        .append(" elements fail)");
            }
            return sb.toString();
        }

        /** @return {@link #describe(String)} with label {@code tensor} */
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + describe("tensor");
        }

        private static String formatIndex(int[] idx) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < idx.length; i++) {
                sb.append(i > 0 ? ", " : "").append(idx[i]);
            }
            return sb.append(']').toString();
        }

        private static String formatError(double v) {
            if (!Double.isFinite(v)) {
                return CaseTensor.formatElement(CaseTensor.FLOAT64, v);
            }
            return String.format(Locale.ROOT, "%.2e", v);
        }
    }
}
