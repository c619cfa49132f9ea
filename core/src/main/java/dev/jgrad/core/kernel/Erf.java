package dev.jgrad.core.kernel;

/**
 * The complementary error function to near double precision: the exact GELU of the scalar kernels and the reference
 * of the float32 SIMD one.
 *
 * <p>{@code erfc(x) = 1 - erf(x)}. For {@code |x| < 2} the Maclaurin series of {@code erf} is summed
 * (terms fall below 1e-17 relative within 40 terms); beyond, the Laplace continued fraction
 * {@code erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))} is evaluated backwards with
 * enough terms for full precision, and {@code erfc(-x) = 2 - erfc(x)}.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    private Erf() {
    }

    /**
     * {@code erfc(x)} to within a few ulp where it is normal; {@code erfc(NaN) = NaN}, {@code erfc(+inf) = 0},
     * {@code erfc(-inf) = 2}, {@code 0} for {@code x > 27.3} (below the smallest double).
     *
     * @param x the argument
     * @return {@code 1 - erf(x)}
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2.0 - erfc(-x);
        if (x < 2.0) return 1.0 - erfSeries(x);
        if (x > 27.3) return 0.0;
        double f = 0;
        for (int k = 60; k >= 1; k--) f = (k * 0.5) / (x + f);
        return Math.exp(-x * x) * INV_SQRT_PI / (x + f);
    }

    private static double erfSeries(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 80; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }
}
