package dev.jgrad.ops;

/**
 * The logistic function and softplus in forms that never overflow, written once for every op and loss that needs
 * them: both evaluate {@code exp} of a non-positive argument only.
 */
public final class Stable {
    private Stable() {
    }

    /**
     * The logistic function {@code 1 / (1 + e^{-x})}: that form for {@code x >= 0}, {@code e^x / (1 + e^x)} for negative
     * {@code x}; NaN for NaN.
     */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** {@code softplus(x) = log(1 + e^x)} as {@code max(x, 0) + log1p(e^{-|x|})}: finite for every finite {@code x}. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
