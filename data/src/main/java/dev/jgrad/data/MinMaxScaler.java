package dev.jgrad.data;

import java.util.Arrays;

/**
 * Per-feature min-max scaling {@code (x - min) / (max - min)}, fitted on a training set:
 * training values land in [0, 1]; values of other sets may fall outside (they are not
 * clipped). A constant feature gets range 1, so it maps to {@code x - min} (0 on the
 * training set). Instances are immutable.
 *
 * <p>Any finite column is handled, even one whose range {@code max - min} overflows (values near
 * ±1e308 of both signs): {@link #range()} then reports {@code +Infinity} and the scaling is done on
 * halves, {@code (x/2 - min/2) / (max/2 - min/2)}, which is exact; ordinary columns give the same
 * bits as the plain formula.
 *
 * <p>For data with a known fixed range, such as 8-bit pixels, {@link #ofRange} builds a
 * scaler without fitting (e.g. {@code ofRange(d, 0, 16)} for the digits).
 */
public final class MinMaxScaler {
    private final double[] min;
    private final double[] range;
    /** {@code max/2 - min/2}, the divisor used where {@code range} overflowed to infinity. */
    private final double[] halfRange;

    private MinMaxScaler(double[] min, double[] max) {
        int d = min.length;
        this.min = min;
        this.range = new double[d];
        this.halfRange = new double[d];
        for (int j = 0; j < d; j++) {
            range[j] = max[j] > min[j] ? max[j] - min[j] : 1.0;
            halfRange[j] = max[j] > min[j] ? max[j] * 0.5 - min[j] * 0.5 : 0.5;
        }
    }

    /**
     * Fits per-feature minima and maxima.
     *
     * @param train the data to fit on, at least one row
     * @return the fitted scaler
     * @throws IllegalArgumentException if {@code train} is empty
     */
    public static MinMaxScaler fit(Tabular train) {
        if (train == null) throw new IllegalArgumentException("MinMaxScaler: train is null");
        if (train.size() == 0) {
            throw new IllegalArgumentException("MinMaxScaler: cannot fit on an empty data set");
        }
        int d = train.numFeatures();
        double[] min = new double[d];
        double[] max = new double[d];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        double[] row = new double[d];
        for (int i = 0; i < train.size(); i++) {
            train.copyRow(i, row, 0);
            for (int j = 0; j < d; j++) {
                min[j] = Math.min(min[j], row[j]);
                max[j] = Math.max(max[j], row[j]);
            }
        }
        return new MinMaxScaler(min, max);
    }

    /**
     * A scaler mapping the fixed interval {@code [lo, hi]} to [0, 1] for every feature.
     *
     * @param numFeatures number of features
     * @param lo          value mapped to 0
     * @param hi          value mapped to 1, greater than {@code lo}
     * @return the scaler
     */
    public static MinMaxScaler ofRange(int numFeatures, double lo, double hi) {
        if (numFeatures < 0) throw new IllegalArgumentException("MinMaxScaler: numFeatures " + numFeatures + " must be >= 0");
        if (!(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("MinMaxScaler: need finite lo < hi, got [" + lo + ", " + hi + "]");
        }
        double[] min = new double[numFeatures];
        double[] max = new double[numFeatures];
        Arrays.fill(min, lo);
        Arrays.fill(max, hi);
        return new MinMaxScaler(min, max);
    }

    /**
     * Number of features.
     *
     * @return d
     */
    public int numFeatures() {
        return min.length;
    }

    /**
     * The per-feature minima (the values mapped to 0).
     *
     * @return a fresh copy
     */
    public double[] min() {
        return min.clone();
    }

    /**
     * The per-feature ranges {@code max - min} (1 for constant features; {@code +Infinity} where the range of
     * finite values exceeds the largest double).
     *
     * @return a fresh copy
     */
    public double[] range() {
        return range.clone();
    }

    /**
     * Scales a data set; labels and class names are kept.
     *
     * @param data a data set with {@link #numFeatures()} features
     * @return a new, double-backed data set
     * @throws IllegalArgumentException on a feature-count mismatch
     */
    public Tabular transform(Tabular data) {
        if (data == null) throw new IllegalArgumentException("MinMaxScaler: data is null");
        int d = data.numFeatures();
        if (d != min.length) {
            throw new IllegalArgumentException("MinMaxScaler was fitted on " + min.length
                    + " features but got " + d);
        }
        double[] flat = data.flatFeatures();
        for (int k = 0; k < flat.length; k++) {
            int j = k % d;
            flat[k] = Double.isInfinite(range[j])
                    ? Standardizer.ratio(flat[k] * 0.5, min[j] * 0.5, halfRange[j])
                    : Standardizer.ratio(flat[k], min[j], range[j]);
        }
        return data.withFeatures(flat, d);
    }
}
