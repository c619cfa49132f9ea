package dev.jgrad.data;

/**
 * Per-feature standardisation {@code (x - mean) / std}, fitted on a training set and then
 * applied unchanged to any other set with the same features (fit on train, transform train
 * and test, so no test statistics leak into training).
 *
 * <p>{@code std} is the population standard deviation (divisor n, as scikit-learn's
 * {@code StandardScaler}), computed with a two-pass algorithm. A feature that is constant in
 * the training set (its minimum equals its maximum) gets {@code std = 1} and
 * {@code mean = } that constant, so it transforms to exactly 0 instead of dividing by zero.
 * Instances are immutable.
 *
 * <p>Any finite column is handled, even one whose sum or sum of squares overflows (values near
 * ±1e308): such a column is recomputed on values scaled by a power of two, which is exact, and
 * {@code x - mean} is formed from halves when it would overflow; ordinary columns take the plain
 * path and give the same bits as before.
 */
public final class Standardizer {
    private final double[] mean;
    private final double[] std;

    private Standardizer(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Fits means and standard deviations on a data set.
     *
     * @param train the data to fit on, at least one row
     * @return the fitted standardizer
     * @throws IllegalArgumentException if {@code train} is empty
     */
    public static Standardizer fit(Tabular train) {
        if (train == null) throw new IllegalArgumentException("Standardizer: train is null");
        int n = train.size();
        int d = train.numFeatures();
        if (n == 0) {
            throw new IllegalArgumentException("Standardizer: cannot fit on an empty data set");
        }
        double[] mean = new double[d];
        double[] min = new double[d];
        double[] max = new double[d];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            train.copyRow(i, row, 0);
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
                min[j] = Math.min(min[j], row[j]);
                max[j] = Math.max(max[j], row[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            train.copyRow(i, row, 0);
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                var[j] += c * c;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(var[j] / n);
        }
        rescaleOverflowing(train, mean, std, min, max);
        for (int j = 0; j < d; j++) {
            if (min[j] == max[j]) {
                mean[j] = min[j];
                std[j] = 1.0;
            } else if (!(std[j] > 0)) {
                std[j] = 1.0;
            }
        }
        return new Standardizer(mean, std);
    }

    /**
     * Recomputes the mean and std of the columns whose plain sums overflowed (the sum of values near 1e308, or
     * the squared deviations of values above about 1e154) on values scaled by a power of two {@code 2^-k} that
     * brings the column's largest magnitude below 1: the scaling is exact, the sums stay finite, and
     * {@code mean = sum·2^k / n}, {@code std = sqrt(sq / n)·2^k} are finite since they lie within the column's range.
     */
    private static void rescaleOverflowing(Tabular train, double[] mean, double[] std, double[] min, double[] max) {
        int n = train.size();
        int d = mean.length;
        double[] scale = new double[d];
        boolean any = false;
        for (int j = 0; j < d; j++) {
            if (!Double.isFinite(mean[j]) || !Double.isFinite(std[j])) {
                double big = Math.max(Math.abs(min[j]), Math.abs(max[j]));
                scale[j] = Math.scalb(1.0, -Math.getExponent(big) - 1);
                any = true;
            }
        }
        if (!any) {
            return;
        }
        double[] row = new double[d];
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            train.copyRow(i, row, 0);
            for (int j = 0; j < d; j++) {
                sum[j] += row[j] * scale[j];
            }
        }
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            train.copyRow(i, row, 0);
            for (int j = 0; j < d; j++) {
                double c = row[j] * scale[j] - sum[j] / n;
                sq[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            if (scale[j] != 0) {
                mean[j] = sum[j] / n / scale[j];
                std[j] = Math.sqrt(sq[j] / n) / scale[j];
            }
        }
    }

    /**
     * {@code (x - c) / d} for finite {@code x}, {@code c} and positive finite {@code d}, without the overflow
     * of {@code x - c} when both are near ±1e308 of opposite signs (then it is formed from halves, exactly).
     */
    static double ratio(double x, double c, double d) {
        double t = x - c;
        if (!Double.isInfinite(t)) {
            return t / d;
        }
        return (x * 0.5 - c * 0.5) / d * 2;
    }

    /**
     * Creates a standardizer from known statistics (e.g. restored from a checkpoint).
     *
     * @param mean per-feature means
     * @param std  per-feature standard deviations, positive and finite
     * @return the standardizer (arrays are copied)
     * @throws IllegalArgumentException on a length mismatch or a bad value
     */
    public static Standardizer of(double[] mean, double[] std) {
        if (mean == null || std == null) throw new IllegalArgumentException("Standardizer: " + (mean == null ? "mean" : "std") + " is null");
        if (mean.length != std.length) {
            throw new IllegalArgumentException("Standardizer: " + mean.length + " means but " + std.length + " stds");
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0) || !Double.isFinite(std[j]) || !Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("Standardizer: feature " + j + ": mean " + mean[j] + ", std " + std[j]
                        + " (need finite mean and positive finite std)");
            }
        }
        return new Standardizer(mean.clone(), std.clone());
    }

    /**
     * Number of features this standardizer was fitted on.
     *
     * @return d
     */
    public int numFeatures() {
        return mean.length;
    }

    /**
     * The fitted means.
     *
     * @return a fresh copy
     */
    public double[] mean() {
        return mean.clone();
    }

    /**
     * The fitted standard deviations (1 for constant features).
     *
     * @return a fresh copy
     */
    public double[] std() {
        return std.clone();
    }

    /**
     * Standardises a data set; labels and class names are kept.
     *
     * @param data a data set with {@link #numFeatures()} features
     * @return a new, double-backed data set
     * @throws IllegalArgumentException on a feature-count mismatch
     */
    public Tabular transform(Tabular data) {
        if (data == null) throw new IllegalArgumentException("Standardizer: data is null");
        int d = checkFeatures(data.numFeatures());
        double[] flat = data.flatFeatures();
        for (int k = 0; k < flat.length; k++) {
            int j = k % d;
            flat[k] = ratio(flat[k], mean[j], std[j]);
        }
        return data.withFeatures(flat, d);
    }

    /**
     * Standardises one row.
     *
     * @param row {@link #numFeatures()} values
     * @return a fresh standardised row
     */
    public double[] transformRow(double[] row) {
        int d = checkFeatures(row.length);
        double[] out = new double[d];
        for (int j = 0; j < d; j++) {
            out[j] = ratio(row[j], mean[j], std[j]);
        }
        return out;
    }

    /**
     * Undoes the standardisation of one row.
     *
     * @param row {@link #numFeatures()} standardised values
     * @return a fresh row in the original units
     */
    public double[] inverseTransformRow(double[] row) {
        int d = checkFeatures(row.length);
        double[] out = new double[d];
        for (int j = 0; j < d; j++) {
            double v = row[j] * std[j] + mean[j];
            // x - mean may exceed the double range even though x does not: undo it from halves
            out[j] = Double.isInfinite(v) && Double.isFinite(row[j]) ? (row[j] * (std[j] * 0.5) + mean[j] * 0.5) * 2 : v;
        }
        return out;
    }

    private int checkFeatures(int d) {
        if (d != mean.length) {
            throw new IllegalArgumentException("Standardizer was fitted on " + mean.length
                    + " features but got " + d);
        }
        return d;
    }
}
