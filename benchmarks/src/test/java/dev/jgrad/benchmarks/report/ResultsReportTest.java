package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsReportTest {

    private static final Environment ENV = new Environment("abc1234", "2025-01-02T03:04:05Z", "Test CPU 9000", 2,
            "Linux 6.1 (amd64)", "0.10 0.20 0.30", "Report VM 17", "-f 1 -wi 3 -i 5 -prof gc");

    private static final ReportDefinitions DEFS = ReportDefinitions.parse(String.join("\n",
            "ratio | fused vs naive CE 1024x1000 float32 | CrossEntropyBenchmark.naive{batch=1024} | CrossEntropyBenchmark.fused{batch=1024}",
            "ratio | EJML f64 vs f32 | EjmlGemmBenchmark.multF64{shape=128x784x256} | EjmlGemmBenchmark.multF32{shape=128x784x256}",
            "ratio | too broad | EjmlGemmBenchmark.multF32 | EjmlGemmBenchmark.multF64",
            "bandwidth | STREAM copy | StreamCopyBenchmark.* | 8*floats",
            "bandwidth | absent | NoSuchBenchmark.* | 4"));

    private static String render() {
        return ResultsReport.render(Fixture.results(), DEFS, ENV, "fixture.json");
    }

    /** Splits a Markdown table line into cells, honouring escaped pipes. */
    private static List<String> cells(String line) {
        assertTrue(line.startsWith("|") && line.endsWith("|"), "not a table line: " + line);
        String inner = line.substring(1, line.length() - 1);
        List<String> out = new ArrayList<>();
        for (String c : inner.split("(?<!\\\\)\\|", -1)) {
            out.add(c.trim());
        }
        return out;
    }

    /** All tables of a document, each as its list of lines. */
    private static List<List<String>> tables(String md) {
        List<List<String>> tables = new ArrayList<>();
        List<String> current = null;
        for (String line : md.split("\n", -1)) {
            if (line.startsWith("|")) {
                if (current == null) {
                    current = new ArrayList<>();
                    tables.add(current);
                }
                current.add(line);
            } else {
                current = null;
            }
        }
        return tables;
    }

    /** The table that directly follows a heading. */
    private static List<String> tableAfter(String md, String heading) {
        int at = md.indexOf(heading + "\n");
        assertTrue(at >= 0, "missing heading " + heading);
        return tables(md.substring(at)).get(0);
    }

    private static Optional<List<String>> rowStartingWith(List<String> table, String first) {
        return table.stream().skip(2).map(ResultsReportTest::cells).filter(c -> c.get(0).equals(first)).findFirst();
    }

    @Test
    void headerNamesCommitDateMachineJvmAndJmhSettings() {
        String md = render();
        assertTrue(md.startsWith("# jgrad benchmark results\n"));
        assertTrue(md.contains("- **Commit:** `abc1234`"), md);
        assertTrue(md.contains("- **Date:** 2025-01-02T03:04:05Z"), md);
        assertTrue(md.contains("- **Machine:** Test CPU 9000, 2 logical cores, Linux 6.1 (amd64); load average (1/5/15 min): 0.10 0.20 0.30"), md);
        assertTrue(md.contains("- **JVM:** OpenJDK 64-Bit Server VM 17.0.15+6 (JDK 17.0.15)"), md);
        assertTrue(md.contains("- **JMH:** 1.37; forks 2, warmup 3 × 1 s, measurement 5 × 1 s"), md);
        assertTrue(md.contains("- **JMH arguments:** `-f 1 -wi 3 -i 5 -prof gc`"), md);
    }

    @Test
    void everyTableIsWellFormed() {
        List<List<String>> tables = tables(render());
        // EjmlGemmBenchmark, StreamCopyBenchmark, bandwidth, ratios
        assertEquals(4, tables.size());
        for (List<String> t : tables) {
            assertTrue(t.size() >= 3, "table without data rows: " + t);
            int columns = cells(t.get(0)).size();
            assertTrue(t.get(1).matches("\\|( ---:? \\|)+"), "bad separator: " + t.get(1));
            for (String line : t) {
                assertEquals(columns, cells(line).size(), "ragged row: " + line);
            }
        }
    }

    @Test
    void oneTablePerBenchmarkClassWithMedianErrorUnitsAndAllocation() {
        String md = render();
        List<String> gemm = tableAfter(md, "## EjmlGemmBenchmark");
        assertEquals(List.of("Benchmark", "Params", "Mode", "Median", "Error (99.9%)", "Units", "Alloc (B/op)"),
                cells(gemm.get(0)));
        assertEquals(2 + 3, gemm.size());
        assertEquals(List.of("multF32", "shape=128x784x256", "avgt", "1.100", "± 0.7500", "ms/op", "0.5000"),
                cells(gemm.get(2)));
        assertEquals(List.of("multF64", "shape=128x784x256", "avgt", "2300", "± 120.0", "us/op", "0.2500"),
                cells(gemm.get(3)));
        // single iteration: no error; not profiled: no allocation figure
        assertEquals(List.of("multF32", "shape=128x256x10", "avgt", "0.05000", "n/a", "ms/op", "–"),
                cells(gemm.get(4)));

        List<String> stream = tableAfter(md, "## StreamCopyBenchmark");
        assertEquals(2 + 2, stream.size());
        assertEquals("34.00", cells(stream.get(2)).get(6));
        assertEquals(List.of("arraycopy2Threads", "floats=16777216", "thrpt", "250.0", "± 30.00", "ops/s", "100.0"),
                cells(stream.get(3)));
    }

    @Test
    void bandwidthSectionReportsGigabytesPerSecondAndNotMeasured() {
        List<String> bw = tableAfter(render(), "## Memory bandwidth");
        List<String> copy = rowStartingWith(bw, "STREAM copy").orElseThrow();
        assertEquals("arraycopy", copy.get(1));
        assertEquals("134217728", copy.get(3));
        assertEquals("6.000 ms/op", copy.get(4));
        assertEquals("22.37", copy.get(5)); // 134217728 B / 6 ms
        assertEquals("26.84", copy.get(6)); // best iteration: 5 ms
        List<String> absent = rowStartingWith(bw, "absent").orElseThrow();
        assertEquals("not measured", absent.get(4));
    }

    @Test
    void ratiosSectionComputesKnownRatiosAndListsMissingOnesAsNotMeasured() {
        List<String> ratios = tableAfter(render(), "## Ratios");
        assertEquals(List.of("Ratio", "Numerator", "Denominator", "Value", "Note"), cells(ratios.get(0)));
        assertEquals(2 + 3, ratios.size());

        List<String> ce = rowStartingWith(ratios, "fused vs naive CE 1024x1000 float32").orElseThrow();
        assertEquals("not measured", ce.get(3));
        assertTrue(ce.get(4).contains("no result for"), ce.get(4));

        List<String> ejml = rowStartingWith(ratios, "EJML f64 vs f32").orElseThrow();
        assertEquals("2.09×", ejml.get(3)); // 2.3 ms / 1.1 ms (medians), not 2.3 / 1.84 (means)
        assertTrue(ejml.get(1).contains("(2300 us/op)"), ejml.get(1));
        assertEquals("", ejml.get(4));

        assertEquals("ambiguous", rowStartingWith(ratios, "too broad").orElseThrow().get(3));
    }

    @Test
    void emptyResultsStillProduceAReportWithEveryRatioNotMeasured() {
        String md = ResultsReport.render(List.of(), ReportDefinitions.loadDefault(), ENV, "empty.json");
        assertTrue(md.contains("_No benchmark results._"));
        assertTrue(md.contains("- **JVM:** Report VM 17"));
        List<String> ratios = tableAfter(md, "## Ratios");
        assertTrue(ratios.size() > 2);
        for (String line : ratios.subList(2, ratios.size())) {
            assertEquals("not measured", cells(line).get(3), line);
        }
    }

    @Test
    void commandLineWritesTheReportFile(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        try (InputStream in = getClass().getResourceAsStream(Fixture.RESOURCE)) {
            Files.copy(in, json);
        }
        Path defs = dir.resolve("defs.txt");
        Files.writeString(defs, "ratio | f64/f32 | multF64{shape=128x784x256} | multF32{shape=128x784x256}\n");
        Path out = dir.resolve("sub/RESULTS.md");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = ResultsReport.run(new String[] {"--input", json.toString(), "--output", out.toString(),
            "--definitions", defs.toString(), "--commit", "deadbee", "--jmh-args", "-f 1", "--load", "before 1 2 3"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        String md = Files.readString(out);
        assertTrue(md.contains("`deadbee`"));
        assertTrue(md.contains("load average (1/5/15 min): before 1 2 3"), md);
        assertTrue(md.contains("| f64/f32 |"));
        assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("5 results, 1/1 ratios measured"));
    }

    @Test
    void unknownOptionIsAUsageError() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ResultsReport.run(new String[] {"--bogus", "x"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"));
    }
}
