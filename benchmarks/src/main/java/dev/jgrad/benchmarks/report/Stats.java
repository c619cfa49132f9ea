package dev.jgrad.benchmarks.report;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * Small numeric helpers for the report: medians and conversion of JMH score units to a common
 * time-per-operation scale.
 */
public final class Stats {

    private Stats() {
    }

    /**
     * Median of the values: the middle one for an odd count, the mean of the two middle ones for
     * an even count. NaN values are ignored.
     *
     * @param values the sample
     * @return the median, or NaN for an empty sample (or one of NaNs only)
     */
    public static double median(Collection<Double> values) {
        double[] sorted = values.stream()
                .filter(v -> v != null && !Double.isNaN(v))
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        return medianOfSorted(sorted);
    }

    /**
     * Median of the values, see {@link #median(Collection)}.
     *
     * @param values the sample (not modified)
     * @return the median, or NaN for an empty sample
     */
    public static double median(double... values) {
        double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        return medianOfSorted(sorted);
    }

    private static double medianOfSorted(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        int mid = n / 2;
        return (n % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    /**
     * Converts a JMH score to seconds per operation.
     *
     * <p>Time units ({@code s/op}, {@code ms/op}, {@code us/op}, {@code ns/op}, and the same with a
     * trailing {@code /op}) are scaled; throughput units ({@code ops/s}, {@code ops/ms},
     * {@code ops/us}, {@code ops/ns}) are inverted.
     *
     * @param value the score
     * @param unit the JMH score unit
     * @return the equivalent seconds per operation, or NaN if the unit is not a time or throughput unit
     */
    public static double toSecondsPerOp(double value, String unit) {
        if (unit == null) {
            return Double.NaN;
        }
        String u = unit.trim().toLowerCase(Locale.ROOT).replace('µ', 'u');
        if (u.startsWith("ops/")) {
            double perUnit = secondsIn(u.substring(4));
            return Double.isNaN(perUnit) ? Double.NaN : perUnit / value;
        }
        if (u.endsWith("/op")) {
            double scale = secondsIn(u.substring(0, u.length() - 3));
            return scale * value;
        }
        return Double.NaN;
    }

    private static double secondsIn(String timeUnit) {
        switch (timeUnit) {
            case "s": return 1.0;
            case "ms": return 1e-3;
            case "us": return 1e-6;
            case "ns": return 1e-9;
            case "min": return 60.0;
            default: return Double.NaN;
        }
    }

    /**
     * Formats a number for a Markdown table with about four significant digits and no exponent
     * for ordinary magnitudes.
     *
     * @param v the value
     * @return the formatted value, or {@code "n/a"} for NaN or infinity
     */
    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0.0) {
            return "0";
        }
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (a >= 1e-4) {
            int decimals = 3 - (int) Math.floor(Math.log10(a));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
