package dev.jgrad.losses.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/** Shared access to the copied reference cases in the test resources. */
final class TestCases {

    private static List<ConformanceCase> all;

    private TestCases() {
    }

    /** @return the test-resources directory holding the copied case files */
    static Path casesDir() {
        URL url = TestCases.class.getResource("/conformance/cases");
        if (url == null) {
            throw new IllegalStateException("test resource /conformance/cases is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return every case of every copied file (read once per JVM) */
    static synchronized List<ConformanceCase> all() {
        if (all == null) {
            try {
                all = CaseReader.readCases(casesDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }

    /** @return the case with that name */
    static ConformanceCase named(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no case " + name));
    }
}
