package dev.jgrad.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The aggregated result of a conformance run.
 *
 * <p>Counting: every case is exactly one of passed, failed, skipped. An acceptable deviation counts
 * as <em>passed</em>, an unacceptable one as <em>failed</em>; deviations are additionally counted in
 * {@link #deviations()} and the per-op "deviations" column (which is therefore not disjoint from the
 * passed/failed columns). Skipped cases (unsupported op/option) are never counted as passed.
 *
 * <p>{@link #render()} lists, in this order and each only if non-empty: the failing cases (one line
 * per case), the deviations with their explanations and the values jgrad produced, the skipped cases
 * with their reasons; then the per-op summary table (ops in order of first appearance); and as the
 * last line {@link #summaryLine()}.
 */
public final class Report {

    /**
     * Counts for one op.
     *
     * @param op         op name
     * @param passed     passed cases (including acceptable deviations)
     * @param failed     failed cases (including unacceptable deviations)
     * @param skipped    skipped cases
     * @param deviations deviation cases, acceptable or not
     */
    public record OpSummary(String op, int passed, int failed, int skipped, int deviations) {
        /** @return passed + failed + skipped */
        public int total() {
            return passed + failed + skipped;
        }
    }

    private final List<CaseResult> results;

    /**
     * @param results case results in report order (copied)
     */
    public Report(List<CaseResult> results) {
        this.results = List.copyOf(results);
    }

    /** @return all results in run order; unmodifiable */
    public List<CaseResult> results() {
        return results;
    }

    /** @return number of cases in the report */
    public int total() {
        return results.size();
    }

    /** @return passed cases, including acceptable deviations */
    public int passed() {
        return (int) results.stream().filter(CaseResult::passed).count();
    }

    /** @return failed cases, including unacceptable deviations and executor errors */
    public int failed() {
        return (int) results.stream().filter(CaseResult::failed).count();
    }

    /** @return skipped (unsupported) cases */
    public int skipped() {
        return (int) results.stream().filter(CaseResult::skipped).count();
    }

    /** @return deviation cases, acceptable or not */
    public int deviations() {
        return (int) results.stream().filter(CaseResult::isDeviation).count();
    }

    /** @return {@code true} if at least one case failed */
    public boolean hasFailures() {
        return failed() > 0;
    }

    /** @return the failed results, in run order */
    public List<CaseResult> failures() {
        return results.stream().filter(CaseResult::failed).toList();
    }

    /** @return the skipped results, in run order */
    public List<CaseResult> skippedResults() {
        return results.stream().filter(CaseResult::skipped).toList();
    }

    /** @return the deviation results, in run order */
    public List<CaseResult> deviationResults() {
        return results.stream().filter(CaseResult::isDeviation).toList();
    }

    /**
     * @param name a case name
     * @return its result, or {@code null} if the case is not in the report
     */
    public CaseResult result(String name) {
        for (CaseResult r : results) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** @return per-op counts, ops in order of first appearance */
    public List<OpSummary> opSummaries() {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (CaseResult r : results) {
            int[] c = counts.computeIfAbsent(r.op(), k -> new int[4]);
            c[r.status().ordinal()]++;
            if (r.isDeviation()) {
                c[3]++;
            }
        }
        List<OpSummary> out = new ArrayList<>();
        counts.forEach((op, c) -> out.add(new OpSummary(op,
                c[CaseResult.Status.PASSED.ordinal()], c[CaseResult.Status.FAILED.ordinal()],
                c[CaseResult.Status.SKIPPED.ordinal()], c[3])));
        return out;
    }

    /**
     * The final line: {@code N passed, M failed}, followed by {@code , K skipped} only when K &gt; 0,
     * e.g. {@code 120 passed, 0 failed, 4 skipped}.
     *
     * @return the line
     */
    public String summaryLine() {
        int skipped = skipped();
        return passed() + " passed, " + failed() + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
    }

    /**
     * Renders the report as text (lines separated by {@code \n}, no trailing newline) whose last line is
     * {@link #summaryLine()}.
     *
     * @return the text
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        List<CaseResult> failures = failures();
        if (!failures.isEmpty()) {
            sb.append("Failures (").append(failures.size()).append("):\n");
            for (CaseResult r : failures) {
                sb.append("  ").append(r.failureLine()).append('\n');
            }
        }
        List<CaseResult> deviations = deviationResults();
        if (!deviations.isEmpty()) {
            sb.append("Deviations (").append(deviations.size()).append("):\n");
            for (CaseResult r : deviations) {
                sb.append("  ").append(r.deviationLine()).append('\n');
            }
        }
        List<CaseResult> skipped = skippedResults();
        if (!skipped.isEmpty()) {
            sb.append("Skipped (").append(skipped.size()).append("):\n");
            for (CaseResult r : skipped) {
                sb.append("  SKIP ").append(r.name()).append(": ").append(CaseResult.oneLine(r.reason())).append('\n');
            }
        }
        List<OpSummary> ops = opSummaries();
        int width = "total".length();
        for (OpSummary s : ops) {
            width = Math.max(width, s.op().length());
        }
        String row = "  %-" + width + "s  %7s  %7s  %7s  %10s\n";
        sb.append("Per-op summary:\n");
        sb.append(String.format(Locale.ROOT, row, "op", "passed", "failed", "skipped", "deviations"));
        for (OpSummary s : ops) {
            sb.append(String.format(Locale.ROOT, row, s.op(), s.passed(), s.failed(), s.skipped(), s.deviations()));
        }
        sb.append(String.format(Locale.ROOT, row, "total", passed(), failed(), skipped(), deviations()));
        return sb.append(summaryLine()).toString();
    }

    /** @return {@link #summaryLine()} */
    @Override
    public String toString() {
        return summaryLine();
    }
}
