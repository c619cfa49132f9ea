package dev.jgrad.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Shared access to the copied reference cases in the test resources. */
final class TestCases {

    private static List<ConformanceCase> all;

    private TestCases() {
    }

    /** @return the directory holding the bundled case files */
    static Path casesDir() {
        return BundledCases.directory();
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
