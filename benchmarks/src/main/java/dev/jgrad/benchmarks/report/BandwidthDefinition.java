package dev.jgrad.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A memory-bandwidth line for the report: for every result the selector matches,
 * {@code GB/s = bytes per operation ÷ seconds per operation ÷ 10⁹}.
 *
 * <p>Bytes per operation are {@code factor × param} where {@code param} is a {@code @Param} of the
 * benchmark, or just {@code factor} when {@code param} is null. The definitions file spells this
 * {@code 8*floats}, {@code floats} or {@code 134217728}.
 *
 * @param label text shown in the report
 * @param selector results to report (usually a whole class, {@code Class.*})
 * @param factor constant multiplier (or the constant itself)
 * @param param name of the parameter to multiply, or null
 */
public record BandwidthDefinition(String label, Selector selector, long factor, String param) {

    /** Null checks. */
    public BandwidthDefinition {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(selector, "selector");
        if (factor <= 0) {
            throw new IllegalArgumentException("bytes factor must be positive, got " + factor);
        }
    }

    /**
     * Parses a bytes-per-op expression: {@code N}, {@code param} or {@code N*param}.
     *
     * @param label the label
     * @param selector the selector
     * @param expression the bytes expression
     * @return the definition
     * @throws IllegalArgumentException if the expression is malformed
     */
    public static BandwidthDefinition of(String label, Selector selector, String expression) {
        String e = expression.trim();
        if (e.isEmpty()) {
            throw new IllegalArgumentException("empty bytes expression");
        }
        String[] parts = e.split("\\*", -1);
        try {
            if (parts.length == 1) {
                if (Character.isDigit(e.charAt(0))) {
                    return new BandwidthDefinition(label, selector, Long.parseLong(e), null);
                }
                return new BandwidthDefinition(label, selector, 1, checkName(e));
            }
            if (parts.length == 2) {
                return new BandwidthDefinition(label, selector, Long.parseLong(parts[0].trim()),
                        checkName(parts[1].trim()));
            }
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("bad bytes expression '" + expression + "'", ex);
        }
        throw new IllegalArgumentException("bad bytes expression '" + expression
                + "': expected N, param or N*param");
    }

    private static String checkName(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))
                || !name.chars().allMatch(Character::isJavaIdentifierPart)) {
            throw new IllegalArgumentException("bad parameter name '" + name + "'");
        }
        return name;
    }

    /**
     * Bytes moved per operation for one result.
     *
     * @param result a matching result
     * @return the bytes, or NaN when the parameter is missing or not a number
     */
    public double bytesPerOp(BenchmarkResult result) {
        if (param == null) {
            return factor;
        }
        String value = result.params().get(param);
        if (value == null) {
            return Double.NaN;
        }
        try {
            return (double) factor * Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Evaluates this definition against all results.
     *
     * @param results all results of the run
     * @return one row per matching result, in input order (empty when nothing matches)
     */
    public List<Row> evaluate(List<BenchmarkResult> results) {
        List<Row> rows = new ArrayList<>();
        for (BenchmarkResult r : selector.select(results)) {
            double bytes = bytesPerOp(r);
            double medianGbps = bytes / r.medianSecondsPerOp() / 1e9;
            double bestSeconds = r.rawData().stream()
                    .mapToDouble(v -> Stats.toSecondsPerOp(v, r.unit()))
                    .filter(v -> !Double.isNaN(v))
                    .min()
                    .orElse(Double.NaN);
            rows.add(new Row(r, bytes, medianGbps, bytes / bestSeconds / 1e9));
        }
        return rows;
    }

    /**
     * Bandwidth of one result.
     *
     * @param result the benchmark result
     * @param bytesPerOp bytes moved per operation (NaN if unknown)
     * @param medianGbps GB/s (10⁹ bytes/s) at the median time per operation
     * @param bestGbps GB/s at the fastest measurement iteration (STREAM reports the best)
     */
    public record Row(BenchmarkResult result, double bytesPerOp, double medianGbps, double bestGbps) {
    }

    /** @return the expression as it would be written in the definitions file */
    public String expression() {
        if (param == null) {
            return Long.toString(factor);
        }
        return factor == 1 ? param : factor + "*" + param;
    }
}
