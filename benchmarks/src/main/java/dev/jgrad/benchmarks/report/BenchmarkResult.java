package dev.jgrad.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One row of JMH output: a benchmark method at one parameter combination.
 *
 * @param benchmark fully-qualified benchmark name, {@code package.Class.method}
 * @param mode JMH mode ({@code avgt}, {@code thrpt}, {@code sample}, {@code ss})
 * @param params the {@code @Param} values in JMH's order (empty when the benchmark has none)
 * @param unit the primary metric's unit, e.g. {@code ms/op}
 * @param score JMH's score (the mean over iterations for {@code avgt}/{@code thrpt})
 * @param scoreError half-width of JMH's 99.9% confidence interval, NaN when JMH could not compute one
 * @param rawData all measurement iteration scores of all forks, in order
 * @param median median of {@code rawData}; when JMH gave no raw data (e.g. {@code sample} mode), its 50th
 *     percentile, and failing that the score
 * @param allocBytesPerOp {@code gc.alloc.rate.norm} in bytes per operation, NaN when not profiled
 * @param settings the run settings recorded with this result
 */
public record BenchmarkResult(
        String benchmark,
        String mode,
        Map<String, String> params,
        String unit,
        double score,
        double scoreError,
        List<Double> rawData,
        double median,
        double allocBytesPerOp,
        RunSettings settings) {

    /** Defensive copies; parameter order is kept. */
    public BenchmarkResult {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        rawData = List.copyOf(rawData);
    }

    /**
     * The fully-qualified class name (everything before the last dot).
     *
     * @return the class name
     */
    public String className() {
        int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? "" : benchmark.substring(0, dot);
    }

    /**
     * The class name without its package.
     *
     * @return the simple class name
     */
    public String simpleClassName() {
        String cls = className();
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    /**
     * The benchmark method name (after the last dot).
     *
     * @return the method name
     */
    public String methodName() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /**
     * Parameters as {@code k=v, k=v}, or an empty string when there are none.
     *
     * @return the parameter description
     */
    public String paramsString() {
        return params.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * The median converted to seconds per operation (throughput scores are inverted).
     *
     * @return seconds per operation, NaN if the unit is not a time or throughput unit
     */
    public double medianSecondsPerOp() {
        return Stats.toSecondsPerOp(median, unit);
    }

    /**
     * Short human-readable identification, {@code Class.method{k=v,...}}.
     *
     * @return the label
     */
    public String label() {
        String p = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        return simpleClassName() + "." + methodName() + (p.isEmpty() ? "" : "{" + p + "}");
    }
}
