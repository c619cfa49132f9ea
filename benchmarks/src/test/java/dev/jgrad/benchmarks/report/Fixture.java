package dev.jgrad.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Loads the hand-made JMH JSON fixture shared by the report tests. */
final class Fixture {

    static final String RESOURCE = "/dev/jgrad/benchmarks/report/jmh-fixture.json";

    private Fixture() {
    }

    static List<BenchmarkResult> results() {
        try (InputStream in = Fixture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            return JmhResults.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BenchmarkResult find(String method, String paramValue) {
        return results().stream()
                .filter(r -> r.methodName().equals(method) && r.params().containsValue(paramValue))
                .findFirst()
                .orElseThrow(() -> new AssertionError("fixture lacks " + method + " " + paramValue));
    }
}
