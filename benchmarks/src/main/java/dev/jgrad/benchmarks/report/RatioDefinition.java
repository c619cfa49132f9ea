package dev.jgrad.benchmarks.report;

import java.util.List;
import java.util.Objects;

/**
 * A ratio to report: {@code time/op(numerator) ÷ time/op(denominator)}, computed from the medians
 * after converting both to seconds per operation. A value above 1 means the denominator is faster
 * (e.g. "fused vs naive" = time(naive) / time(fused) is the fused speed-up).
 *
 * @param label text shown in the report
 * @param numerator selects exactly one result
 * @param denominator selects exactly one result
 */
public record RatioDefinition(String label, Selector numerator, Selector denominator) {

    /** Null checks. */
    public RatioDefinition {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
    }

    /** How a ratio came out. */
    public enum Status {
        /** Both sides measured; the value is valid. */
        OK,
        /** At least one side has no matching result. */
        NOT_MEASURED,
        /** A selector matched more than one result. */
        AMBIGUOUS,
        /** Both matched, but the units cannot be converted to time per operation. */
        INCOMPARABLE
    }

    /**
     * Evaluates this ratio.
     *
     * @param results all results of the run
     * @return the outcome; never throws for missing or duplicate benchmarks
     */
    public Result evaluate(List<BenchmarkResult> results) {
        List<BenchmarkResult> num = numerator.select(results);
        List<BenchmarkResult> den = denominator.select(results);
        StringBuilder missing = new StringBuilder();
        if (num.isEmpty()) {
            missing.append("no result for `").append(numerator).append('`');
        }
        if (den.isEmpty()) {
            if (missing.length() > 0) {
                missing.append("; ");
            }
            missing.append("no result for `").append(denominator).append('`');
        }
        BenchmarkResult n = num.size() == 1 ? num.get(0) : null;
        BenchmarkResult d = den.size() == 1 ? den.get(0) : null;
        if (missing.length() > 0) {
            return new Result(this, Status.NOT_MEASURED, Double.NaN, n, d, missing.toString());
        }
        if (num.size() > 1 || den.size() > 1) {
            Selector which = num.size() > 1 ? numerator : denominator;
            int count = Math.max(num.size(), den.size());
            return new Result(this, Status.AMBIGUOUS, Double.NaN, n, d,
                    "`" + which + "` matches " + count + " results; add parameters to the selector");
        }
        double tn = n.medianSecondsPerOp();
        double td = d.medianSecondsPerOp();
        if (Double.isNaN(tn) || Double.isNaN(td) || td == 0.0) {
            return new Result(this, Status.INCOMPARABLE, Double.NaN, n, d,
                    "cannot compare `" + n.unit() + "` with `" + d.unit() + "`");
        }
        return new Result(this, Status.OK, tn / td, n, d, "");
    }

    /**
     * The outcome of evaluating a ratio against a result set.
     *
     * @param definition the ratio
     * @param status how it came out
     * @param value the ratio when {@code status == OK}, NaN otherwise
     * @param numerator the numerator's result, null unless exactly one matched
     * @param denominator the denominator's result, null unless exactly one matched
     * @param note explanation for a status other than OK (empty for OK)
     */
    public record Result(RatioDefinition definition, Status status, double value,
                         BenchmarkResult numerator, BenchmarkResult denominator, String note) {
    }
}
