package dev.jgrad.benchmarks.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The declarative part of the report: which ratios and which memory bandwidths to compute.
 *
 * <p>The default definitions live in the classpath resource {@value #DEFAULT_RESOURCE}
 * ({@code benchmarks/src/main/resources/...}); the file documents its own syntax. In short, one
 * definition per line, fields separated by {@code |}, {@code #} starts a comment line:
 * <pre>
 * ratio     | &lt;label&gt; | &lt;numerator selector&gt; | &lt;denominator selector&gt;
 * bandwidth | &lt;label&gt; | &lt;selector&gt; | &lt;bytes per op: N, param or N*param&gt;
 * </pre>
 * Selectors are described in {@link Selector}.
 *
 * @param ratios ratio definitions in file order
 * @param bandwidths bandwidth definitions in file order
 */
public record ReportDefinitions(List<RatioDefinition> ratios, List<BandwidthDefinition> bandwidths) {

    /** Classpath location of the built-in definitions. */
    public static final String DEFAULT_RESOURCE = "/dev/jgrad/benchmarks/report/report-definitions.txt";

    /** Defensive copies. */
    public ReportDefinitions {
        ratios = List.copyOf(ratios);
        bandwidths = List.copyOf(bandwidths);
    }

    /**
     * Loads the built-in definitions from {@value #DEFAULT_RESOURCE}.
     *
     * @return the definitions
     * @throws UncheckedIOException if the resource is missing
     * @throws IllegalArgumentException if it is malformed
     */
    public static ReportDefinitions loadDefault() {
        try (InputStream in = ReportDefinitions.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + DEFAULT_RESOURCE + " not found");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads definitions from a file.
     *
     * @param file the file
     * @return the definitions
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is malformed
     */
    public static ReportDefinitions load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        }
    }

    /**
     * Parses definitions text.
     *
     * @param text the definitions
     * @return the definitions
     * @throws IllegalArgumentException if a line is malformed (the message names the line)
     */
    public static ReportDefinitions parse(String text) {
        try {
            return parse(new StringReader(text), "<string>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReportDefinitions parse(Reader reader, String source) throws IOException {
        List<RatioDefinition> ratios = new ArrayList<>();
        List<BandwidthDefinition> bandwidths = new ArrayList<>();
        BufferedReader br = new BufferedReader(reader);
        String line;
        int lineNo = 0;
        while ((line = br.readLine()) != null) {
            lineNo++;
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\|", -1);
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i].trim();
            }
            try {
                if (f.length != 4) {
                    throw new IllegalArgumentException("expected 4 '|'-separated fields, got " + f.length);
                }
                if (f[1].isEmpty()) {
                    throw new IllegalArgumentException("empty label");
                }
                switch (f[0]) {
                    case "ratio":
                        ratios.add(new RatioDefinition(f[1], Selector.parse(f[2]), Selector.parse(f[3])));
                        break;
                    case "bandwidth":
                        bandwidths.add(BandwidthDefinition.of(f[1], Selector.parse(f[2]), f[3]));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown kind '" + f[0] + "' (expected ratio or bandwidth)");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage(), e);
            }
        }
        return new ReportDefinitions(ratios, bandwidths);
    }
}
