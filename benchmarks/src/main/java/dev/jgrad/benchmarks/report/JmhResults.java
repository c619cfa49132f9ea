package dev.jgrad.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reader for JMH's JSON result format ({@code -rf json}).
 *
 * <p>Only the fields the report needs are read. The secondary metric
 * {@code gc.alloc.rate.norm} (present with {@code -prof gc}) is recognised with or without the
 * {@code ·} prefix older JMH versions put in front of profiler metric names.
 */
public final class JmhResults {

    /** Name of the GC profiler's normalised allocation metric. */
    public static final String ALLOC_NORM_METRIC = "gc.alloc.rate.norm";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhResults() {
    }

    /**
     * Reads a JMH JSON result file.
     *
     * @param file the file
     * @return the results in file order
     * @throws IOException if the file cannot be read or is not a JMH JSON array
     */
    public static List<BenchmarkResult> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /**
     * Reads JMH JSON results from a stream.
     *
     * @param in the stream (not closed)
     * @return the results in document order
     * @throws IOException if the content is not a JMH JSON array
     */
    public static List<BenchmarkResult> read(InputStream in) throws IOException {
        return parse(MAPPER.readTree(in));
    }

    /**
     * Parses JMH JSON results from a string.
     *
     * @param json the JSON text
     * @return the results in document order
     * @throws IOException if the content is not a JMH JSON array
     */
    public static List<BenchmarkResult> parse(String json) throws IOException {
        return parse(MAPPER.readTree(json));
    }

    private static List<BenchmarkResult> parse(JsonNode root) throws IOException {
        if (root == null || root.isMissingNode() || (root.isArray() && root.isEmpty())) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new IOException("JMH JSON must be an array of results, got " + root.getNodeType());
        }
        List<BenchmarkResult> results = new ArrayList<>();
        int index = 0;
        for (JsonNode node : root) {
            results.add(parseOne(node, index++));
        }
        return results;
    }

    private static BenchmarkResult parseOne(JsonNode node, int index) throws IOException {
        String benchmark = node.path("benchmark").asText(null);
        JsonNode primary = node.path("primaryMetric");
        if (benchmark == null || primary.isMissingNode()) {
            throw new IOException("result #" + index + " lacks 'benchmark' or 'primaryMetric'");
        }

        Map<String, String> params = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.path("params").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            params.put(e.getKey(), e.getValue().asText());
        }

        List<Double> raw = new ArrayList<>();
        for (JsonNode fork : primary.path("rawData")) {
            for (JsonNode v : fork) {
                raw.add(number(v));
            }
        }
        double score = number(primary.path("score"));
        double median = Stats.median(raw);
        if (Double.isNaN(median)) {
            JsonNode p50 = primary.path("scorePercentiles").path("50.0");
            median = p50.isMissingNode() ? score : number(p50);
        }

        double alloc = Double.NaN;
        Iterator<Map.Entry<String, JsonNode>> sec = node.path("secondaryMetrics").fields();
        while (sec.hasNext()) {
            Map.Entry<String, JsonNode> e = sec.next();
            if (stripPrefix(e.getKey()).equals(ALLOC_NORM_METRIC)) {
                alloc = number(e.getValue().path("score"));
            }
        }

        List<String> jvmArgs = new ArrayList<>();
        for (JsonNode a : node.path("jvmArgs")) {
            jvmArgs.add(a.asText());
        }
        RunSettings settings = new RunSettings(
                node.path("jmhVersion").asText("?"),
                node.path("forks").asInt(0),
                node.path("threads").asInt(0),
                node.path("warmupIterations").asInt(0),
                node.path("warmupTime").asText("?"),
                node.path("measurementIterations").asInt(0),
                node.path("measurementTime").asText("?"),
                jvmArgs,
                node.path("vmName").asText("?"),
                node.path("vmVersion").asText("?"),
                node.path("jdkVersion").asText("?"));

        return new BenchmarkResult(
                benchmark,
                node.path("mode").asText("?"),
                params,
                primary.path("scoreUnit").asText("?"),
                score,
                number(primary.path("scoreError")),
                raw,
                median,
                alloc,
                settings);
    }

    /** Strips leading non-letter characters such as JMH's historic {@code ·} metric prefix. */
    private static String stripPrefix(String name) {
        int i = 0;
        while (i < name.length() && !Character.isLetterOrDigit(name.charAt(i))) {
            i++;
        }
        return name.substring(i);
    }

    /** JMH writes non-finite numbers as strings ({@code "NaN"}); missing values become NaN. */
    private static double number(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        String text = v.asText().trim();
        switch (text) {
            case "Infinity":
            case "+Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
        }
    }
}
