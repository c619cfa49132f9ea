package dev.jgrad.benchmarks.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Picks benchmark results by name and parameters: {@code Class.method{param=value,...}}.
 *
 * <ul>
 *   <li>The name is matched against the fully-qualified benchmark name by whole trailing
 *       segments, so the package may be left out: {@code EjmlGemmBenchmark.multF32} matches
 *       {@code dev.jgrad.benchmarks.EjmlGemmBenchmark.multF32} but not {@code ...multF32x} or
 *       {@code ...XEjmlGemmBenchmark.multF32}.</li>
 *   <li>{@code *} matches any run of characters inside one segment
 *       ({@code StreamCopyBenchmark.*} matches every method of that class).</li>
 *   <li>The optional {@code {...}} lists parameters that must be equal; parameters not listed are
 *       not constrained. Values may not contain {@code ,} or {@code }}.</li>
 * </ul>
 */
public final class Selector {

    private final String text;
    private final Pattern name;
    private final Map<String, String> params;

    private Selector(String text, Pattern name, Map<String, String> params) {
        this.text = text;
        this.name = name;
        this.params = params;
    }

    /**
     * Parses a selector.
     *
     * @param text e.g. {@code EjmlGemmBenchmark.multF32{shape=128x784x256}}
     * @return the selector
     * @throws IllegalArgumentException if the text is malformed
     */
    public static Selector parse(String text) {
        String s = text.trim();
        String namePart = s;
        Map<String, String> params = new LinkedHashMap<>();
        int brace = s.indexOf('{');
        if (brace >= 0) {
            if (!s.endsWith("}")) {
                throw new IllegalArgumentException("selector '" + text + "': '{' without closing '}' at the end");
            }
            namePart = s.substring(0, brace).trim();
            String inner = s.substring(brace + 1, s.length() - 1).trim();
            if (!inner.isEmpty()) {
                for (String kv : inner.split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("selector '" + text + "': expected key=value, got '" + kv.trim() + "'");
                    }
                    String key = kv.substring(0, eq).trim();
                    String value = kv.substring(eq + 1).trim();
                    if (params.put(key, value) != null) {
                        throw new IllegalArgumentException("selector '" + text + "': parameter '" + key + "' given twice");
                    }
                }
            }
        }
        if (namePart.isEmpty() || namePart.contains("}") || namePart.startsWith(".") || namePart.endsWith(".")) {
            throw new IllegalArgumentException("selector '" + text + "': bad benchmark name '" + namePart + "'");
        }
        List<String> segments = new ArrayList<>();
        for (String seg : namePart.split("\\.", -1)) {
            if (seg.isEmpty()) {
                throw new IllegalArgumentException("selector '" + text + "': empty name segment");
            }
            segments.add(globSegment(seg));
        }
        Pattern pattern = Pattern.compile("(?:.*\\.)?" + String.join("\\.", segments));
        return new Selector(s, pattern, Collections.unmodifiableMap(params));
    }

    private static String globSegment(String seg) {
        StringBuilder sb = new StringBuilder();
        int start = 0;
        for (int i = 0; i < seg.length(); i++) {
            if (seg.charAt(i) == '*') {
                if (i > start) {
                    sb.append(Pattern.quote(seg.substring(start, i)));
                }
                sb.append("[^.]*");
                start = i + 1;
            }
        }
        if (start < seg.length()) {
            sb.append(Pattern.quote(seg.substring(start)));
        }
        return sb.toString();
    }

    /**
     * Whether the result's name and parameters match.
     *
     * @param result a benchmark result
     * @return true if it is selected
     */
    public boolean matches(BenchmarkResult result) {
        if (!name.matcher(result.benchmark()).matches()) {
            return false;
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getValue().equals(result.params().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * All matching results, in input order.
     *
     * @param results candidate results
     * @return the matches
     */
    public List<BenchmarkResult> select(List<BenchmarkResult> results) {
        return results.stream().filter(this::matches).collect(Collectors.toList());
    }

    /**
     * The parameter constraints.
     *
     * @return parameter name to required value
     */
    public Map<String, String> params() {
        return params;
    }

    /** @return the selector as written (trimmed) */
    @Override
    public String toString() {
        return text;
    }
}
