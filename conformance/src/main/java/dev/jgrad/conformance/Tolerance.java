package dev.jgrad.conformance;

/**
 * The element-wise tolerance of a case ({@code "tol": {"rtol": r, "atol": a}}).
 *
 * <p>A finite expected element {@code e} accepts an actual {@code a} when
 * {@code |a - e| <= atol + rtol * |e|}; see {@link Comparison} for the non-finite rules.
 *
 * @param rtol relative tolerance, finite and {@code >= 0}
 * @param atol absolute tolerance, finite and {@code >= 0}
 */
public record Tolerance(double rtol, double atol) {

    /**
     * Validates the components.
     *
     * @param rtol relative tolerance, finite and {@code >= 0}
     * @param atol absolute tolerance, finite and {@code >= 0}
     * @throws IllegalArgumentException if a component is negative, NaN or infinite
     */
    public Tolerance {
        if (!(rtol >= 0) || Double.isInfinite(rtol)) {
            throw new IllegalArgumentException("rtol must be finite and >= 0, got " + rtol);
        }
        if (!(atol >= 0) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("atol must be finite and >= 0, got " + atol);
        }
    }

    /**
     * The allowed absolute error for a finite expected value: {@code atol + rtol * |expected|}
     * (the sign of zero does not matter).
     *
     * @param expected a finite expected element
     * @return the allowed error
     */
    public double allowed(double expected) {
        return atol + rtol * Math.abs(expected);
    }

    /** @return {@code rtol=<r>, atol=<a>} */
    @Override
    public String toString() {
        return "rtol=" + rtol + ", atol=" + atol;
    }
}
