package dev.jgrad.benchmarks.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns JMH's JSON output into {@code benchmarks/RESULTS.md}.
 *
 * <p>The report has a header (commit, date, machine, JVM, JMH settings), one table per benchmark
 * class (median of the raw iteration data, JMH's 99.9% error, units, {@code gc.alloc.rate.norm}),
 * a memory-bandwidth table and a ratios table. Ratios and bandwidths are declared in
 * {@link ReportDefinitions} ({@code report-definitions.txt}); a ratio whose benchmarks did not run
 * is reported as "not measured".
 *
 * <p>Usage (from the repository root; {@code benchmarks/run.sh} does this):
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.jgrad.benchmarks.report.ResultsReport \
 *     [--input benchmarks/results/jmh.json] [--output benchmarks/RESULTS.md] \
 *     [--definitions FILE] [--jmh-args "ARGS"] [--commit SHA] [--load "TEXT"]
 * </pre>
 */
public final class ResultsReport {

    /** Default JMH JSON location, relative to the repository root. */
    public static final String DEFAULT_INPUT = "benchmarks/results/jmh.json";
    /** Default report location, relative to the repository root. */
    public static final String DEFAULT_OUTPUT = "benchmarks/RESULTS.md";

    private ResultsReport() {
    }

    /**
     * Command-line entry point.
     *
     * @param args see the class documentation
     * @throws IOException if the input cannot be read or the output cannot be written
     */
    public static void main(String[] args) throws IOException {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the report with the given arguments.
     *
     * @param args command-line arguments
     * @param out where to print the summary
     * @param err where to print usage errors
     * @return process exit status (0 on success, 2 on a usage error)
     * @throws IOException if the input cannot be read or the output cannot be written
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Path input = Path.of(DEFAULT_INPUT);
        Path output = Path.of(DEFAULT_OUTPUT);
        Path definitionsFile = null;
        String jmhArgs = null;
        String commit = null;
        String load = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(usage());
                return 0;
            }
            if (i + 1 >= args.length) {
                err.println("missing value for " + a + "\n" + usage());
                return 2;
            }
            String v = args[++i];
            switch (a) {
                case "--input": input = Path.of(v); break;
                case "--output": output = Path.of(v); break;
                case "--definitions": definitionsFile = Path.of(v); break;
                case "--jmh-args": jmhArgs = v; break;
                case "--commit": commit = v; break;
                case "--load": load = v; break;
                default:
                    err.println("unknown option " + a + "\n" + usage());
                    return 2;
            }
        }
        List<BenchmarkResult> results = JmhResults.read(input);
        ReportDefinitions definitions = definitionsFile == null
                ? ReportDefinitions.loadDefault()
                : ReportDefinitions.load(definitionsFile);
        String markdown = render(results, definitions, Environment.detect(commit, jmhArgs, load), input.toString());
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(output, markdown, StandardCharsets.UTF_8);

        long measured = definitions.ratios().stream()
                .filter(r -> r.evaluate(results).status() == RatioDefinition.Status.OK).count();
        out.printf(Locale.ROOT, "wrote %s: %d results, %d/%d ratios measured%n",
                output, results.size(), measured, definitions.ratios().size());
        return 0;
    }

    private static String usage() {
        return "usage: ResultsReport [--input " + DEFAULT_INPUT + "] [--output " + DEFAULT_OUTPUT + "]"
                + " [--definitions FILE] [--jmh-args \"ARGS\"] [--commit SHA] [--load \"TEXT\"]";
    }

    /**
     * Renders the whole report.
     *
     * @param results the JMH results
     * @param definitions ratio and bandwidth definitions
     * @param env header information
     * @param source where the results were read from (shown in the header)
     * @return the Markdown document
     */
    public static String render(List<BenchmarkResult> results, ReportDefinitions definitions,
                                Environment env, String source) {
        StringBuilder md = new StringBuilder();
        md.append("# jgrad benchmark results\n\n");
        md.append("Generated by `dev.jgrad.benchmarks.report.ResultsReport` from `").append(source)
                .append("` (run `benchmarks/run.sh` to reproduce).\n\n");
        md.append(header(results, env)).append('\n');
        md.append("**Median** is the median of all measurement iterations of all forks (JMH's own score is the mean); "
                + "**error** is JMH's 99.9% confidence half-width around the mean; "
                + "**alloc** is `gc.alloc.rate.norm` in bytes per operation (needs `-prof gc`).\n\n");

        if (results.isEmpty()) {
            md.append("_No benchmark results._\n\n");
        }
        for (Map.Entry<String, List<BenchmarkResult>> group : byClass(results).entrySet()) {
            List<BenchmarkResult> rs = group.getValue();
            md.append("## ").append(rs.get(0).simpleClassName()).append("\n\n");
            md.append('`').append(group.getKey()).append("`\n\n");
            md.append(classTable(rs).render()).append('\n');
        }

        if (!definitions.bandwidths().isEmpty()) {
            md.append("## Memory bandwidth\n\n");
            md.append("GB/s = bytes moved per op ÷ time per op, with 1 GB = 10^9 bytes; "
                    + "\"best\" uses the fastest measurement iteration (as STREAM reports).\n\n");
            md.append(bandwidthTable(definitions.bandwidths(), results).render()).append('\n');
        }

        md.append("## Ratios\n\n");
        md.append("Ratio = time/op(numerator) ÷ time/op(denominator), from the medians; "
                + "above 1 means the denominator is faster. "
                + "Definitions: `benchmarks/src/main/resources" + ReportDefinitions.DEFAULT_RESOURCE + "`.\n\n");
        if (definitions.ratios().isEmpty()) {
            md.append("_No ratios defined._\n");
        } else {
            md.append(ratioTable(definitions.ratios(), results).render());
        }
        return md.toString();
    }

    private static String header(List<BenchmarkResult> results, Environment env) {
        Set<String> jvms = new LinkedHashSet<>();
        Set<String> settings = new LinkedHashSet<>();
        Set<String> jmhVersions = new LinkedHashSet<>();
        for (BenchmarkResult r : results) {
            jvms.add(r.settings().describeJvm());
            settings.add(r.settings().describe());
            jmhVersions.add(r.settings().jmhVersion());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("- **Commit:** `").append(env.commit()).append("`\n");
        sb.append("- **Date:** ").append(env.date()).append('\n');
        sb.append("- **Machine:** ").append(env.cpuModel()).append(", ").append(env.cores())
                .append(" logical cores, ").append(env.os())
                .append("; load average (1/5/15 min): ").append(env.loadAverage())
                .append('\n');
        sb.append("- **JVM:** ").append(jvms.isEmpty() ? env.reportJvm() : String.join("; ", jvms)).append('\n');
        sb.append("- **JMH:** ").append(jmhVersions.isEmpty() ? "?" : String.join(", ", jmhVersions));
        if (!settings.isEmpty()) {
            sb.append("; ").append(String.join("; ", settings));
        }
        sb.append('\n');
        if (!env.jmhArgs().isEmpty()) {
            sb.append("- **JMH arguments:** `").append(env.jmhArgs()).append("`\n");
        }
        return sb.toString();
    }

    /**
     * Groups results by fully-qualified class, keeping first-appearance order.
     *
     * @param results the results
     * @return class name to its results
     */
    static Map<String, List<BenchmarkResult>> byClass(List<BenchmarkResult> results) {
        Map<String, List<BenchmarkResult>> groups = new LinkedHashMap<>();
        for (BenchmarkResult r : results) {
            groups.computeIfAbsent(r.className(), k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    /**
     * The per-class table.
     *
     * @param results results of one class
     * @return the table
     */
    static MarkdownTable classTable(List<BenchmarkResult> results) {
        MarkdownTable t = new MarkdownTable("Benchmark", "Params", "Mode", ">Median", ">Error (99.9%)",
                "Units", ">Alloc (B/op)");
        for (BenchmarkResult r : results) {
            t.row(r.methodName(),
                    r.paramsString(),
                    r.mode(),
                    Stats.format(r.median()),
                    Double.isNaN(r.scoreError()) ? "n/a" : "± " + Stats.format(r.scoreError()),
                    r.unit(),
                    Double.isNaN(r.allocBytesPerOp()) ? "–" : Stats.format(r.allocBytesPerOp()));
        }
        return t;
    }

    /**
     * The memory-bandwidth table.
     *
     * @param definitions bandwidth definitions
     * @param results all results
     * @return the table (a definition with no matching result gets a "not measured" row)
     */
    static MarkdownTable bandwidthTable(List<BandwidthDefinition> definitions, List<BenchmarkResult> results) {
        MarkdownTable t = new MarkdownTable("Label", "Benchmark", "Params", ">Bytes/op", ">Median time",
                ">GB/s (median)", ">GB/s (best)");
        for (BandwidthDefinition d : definitions) {
            List<BandwidthDefinition.Row> rows = d.evaluate(results);
            if (rows.isEmpty()) {
                t.row(d.label(), "`" + d.selector() + "`", "", d.expression(), "not measured", "", "");
            }
            for (BandwidthDefinition.Row row : rows) {
                BenchmarkResult r = row.result();
                t.row(d.label(),
                        r.methodName(),
                        r.paramsString(),
                        Double.isNaN(row.bytesPerOp()) ? "n/a (`" + d.expression() + "`)"
                                : String.format(Locale.ROOT, "%.0f", row.bytesPerOp()),
                        Stats.format(r.median()) + " " + r.unit(),
                        Stats.format(row.medianGbps()),
                        Stats.format(row.bestGbps()));
            }
        }
        return t;
    }

    /**
     * The ratios table.
     *
     * @param definitions ratio definitions
     * @param results all results
     * @return the table, one row per definition
     */
    static MarkdownTable ratioTable(List<RatioDefinition> definitions, List<BenchmarkResult> results) {
        MarkdownTable t = new MarkdownTable("Ratio", "Numerator", "Denominator", ">Value", "Note");
        for (RatioDefinition d : definitions) {
            RatioDefinition.Result r = d.evaluate(results);
            t.row(d.label(),
                    side(d.numerator(), r.numerator()),
                    side(d.denominator(), r.denominator()),
                    value(r),
                    r.note());
        }
        return t;
    }

    private static String side(Selector selector, BenchmarkResult result) {
        String s = "`" + selector + "`";
        if (result != null) {
            s += " (" + Stats.format(result.median()) + " " + result.unit() + ")";
        }
        return s;
    }

    private static String value(RatioDefinition.Result r) {
        switch (r.status()) {
            case OK: return String.format(Locale.ROOT, "%.2f×", r.value());
            case NOT_MEASURED: return "not measured";
            case AMBIGUOUS: return "ambiguous";
            default: return "incomparable";
        }
    }
}
