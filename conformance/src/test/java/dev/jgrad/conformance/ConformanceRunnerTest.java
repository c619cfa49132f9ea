package dev.jgrad.conformance;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceRunnerTest {

    /** An executor that answers with the reference values, at dtype precision. */
    private static Outcome echo(ConformanceCase c) {
        return Outcome.computed(c.output().shape(), c.output().dtypeValues(), expectedGrads(c, UnaryOperator.identity()));
    }

    private static Map<String, Computed> expectedGrads(ConformanceCase c, UnaryOperator<double[]> perturb) {
        Map<String, Computed> g = new LinkedHashMap<>();
        c.grads().forEach((k, t) -> g.put(k, Computed.of(t.shape(), perturb.apply(t.dtypeValues()))));
        return g;
    }

    /** The bundled set: the 516 loss-layer cases, then the N-D files, one term each (see CaseReaderTest for the per-file counts). */
    private static final int BUNDLED = 516 + 56 + 342 + 294 + 340 + 76 + 862 + 158 + 110 + 48 + 46;
    /** Distinct ops in it: 19, then bmm and the new ops of each N-D file. */
    private static final int OPS = 19 + 1 + 16 + 12 + 23 + 6 + 7 + 4 + 1 + 1;
    /** cross_entropy cases: 146 in cross_entropy.json, 132 in cross_entropy_nd.json. */
    private static final int CROSS_ENTROPY = 146 + 132;

    private static String lastLine(String text) {
        String[] lines = text.split("\n", -1);
        return lines[lines.length - 1];
    }

    @Test
    void echoingTheReferencePassesEveryCase() {
        Report report = new ConformanceRunner(ConformanceRunnerTest::echo).run(TestCases.all());
        assertEquals(BUNDLED, report.total());
        assertEquals(BUNDLED, report.passed());
        assertEquals(0, report.failed());
        assertEquals(0, report.skipped());
        assertFalse(report.hasFailures());
        String text = report.render();
        assertEquals(BUNDLED + " passed, 0 failed", lastLine(text));
        assertFalse(text.contains("Failures"));
        assertFalse(text.contains("Skipped"));
        assertEquals(OPS, report.opSummaries().size());
        assertEquals(new Report.OpSummary("cross_entropy", CROSS_ENTROPY, 0, 0, 0),
                report.opSummaries().stream().filter(s -> s.op().equals("cross_entropy")).findFirst().orElseThrow());
        assertTrue(text.contains("Per-op summary:"));
    }

    @Test
    void echoingTheRawDecimalsAlsoPasses() {
        // values() are the decimal strings read as double; for float32 they differ from the float
        // value by far less than the tolerance
        CaseExecutor raw = c -> Outcome.computed(c.output().shape(), c.output().values(),
                c.grads().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        e -> Computed.of(e.getValue().shape(), e.getValue().values()))));
        assertEquals(0, new ConformanceRunner(raw).run(TestCases.all()).failed());
    }

    @Test
    void aPerturbedGradientElementFailsWithTheRightWorstElement() {
        String target = "nll_loss/plain/none/float32/0";
        ConformanceCase c = TestCases.named(target);
        int[] gradShape = c.grad("input").shape();
        assertArrayEquals(new int[] {32, 10}, gradShape);
        int flat = 3 * 10 + 7;
        int other = 5 * 10 + 1;
        CaseExecutor perturbing = k -> {
            if (!k.name().equals(target)) {
                return echo(k);
            }
            return Outcome.computed(k.output().shape(), k.output().dtypeValues(), expectedGrads(k, g -> {
                g[flat] += 0.5;   // the worst
                g[other] += 0.01; // also out of tolerance, but less so
                return g;
            }));
        };
        Report report = new ConformanceRunner(perturbing).run(TestCases.all());
        assertEquals(BUNDLED - 1, report.passed());
        assertEquals(1, report.failed());
        CaseResult r = report.failures().get(0);
        assertEquals(target, r.name());
        assertEquals(List.of("grad[input]"), r.failingTensors());
        assertTrue(r.comparisons().get("output").passed());
        Comparison.Result g = r.comparisons().get("grad[input]");
        assertEquals(flat, g.worstIndex());
        assertArrayEquals(new int[] {3, 7}, g.worstMultiIndex());
        double expected = c.grad("input").dtypeValue(flat);
        assertEquals(expected, g.expected());
        assertEquals(expected + 0.5, g.actual());
        assertEquals(2, g.failingElements());
        String line = r.failureLine();
        assertTrue(line.startsWith("FAIL " + target + ": grad[input][3, 7] (flat 37): expected "
                + CaseTensor.formatElement("float32", expected) + ", actual "), line);
        assertTrue(line.contains("> allowed"), line);
        String text = report.render();
        assertTrue(text.contains("Failures (1):\n  " + line + "\n"), text);
        assertTrue(text.matches("(?s).*\\n  nll_loss +85 +1 +0 +0\\n.*"), text);
        assertEquals((BUNDLED - 1) + " passed, 1 failed", lastLine(text));
    }

    @Test
    void aWrongOutputAndMissingGradientAreBothReported() {
        ConformanceCase c = TestCases.named("mse_loss/random/none/float32/0");
        Report report = new ConformanceRunner(k -> Outcome.computed(new int[] {3}, new double[] {9.447676, 0.2, 5.9836082},
                Map.of())).run(List.of(c));
        CaseResult r = report.results().get(0);
        assertTrue(r.failed());
        assertEquals(List.of("output", "grad[input]"), r.failingTensors());
        assertEquals(1, r.comparisons().get("output").worstIndex());
        assertEquals("no result produced", r.comparisons().get("grad[input]").message());
        assertTrue(r.failureLine().endsWith("; also failing: grad[input]"), r.failureLine());
        assertEquals("0 passed, 1 failed", lastLine(report.render()));
    }

    @Test
    void unsupportedIsSkippedNeverPassed() {
        CaseExecutor noLabelSmoothing = c -> c.optionDouble("label_smoothing", 0) > 0
                ? Outcome.unsupported("label_smoothing not implemented") : echo(c);
        Report report = new ConformanceRunner(noLabelSmoothing).run(TestCases.all());
        long smoothed = TestCases.all().stream().filter(c -> c.optionDouble("label_smoothing", 0) > 0).count();
        assertTrue(smoothed > 0);
        assertEquals(smoothed, report.skipped());
        assertEquals(BUNDLED - smoothed, report.passed());
        assertEquals(0, report.failed());
        CaseResult s = report.skippedResults().get(0);
        assertTrue(s.skipped());
        assertFalse(s.passed());
        String text = report.render();
        assertTrue(text.contains("Skipped (" + smoothed + "):\n  SKIP " + s.name() + ": label_smoothing not implemented\n"), text);
        assertEquals((BUNDLED - smoothed) + " passed, 0 failed, " + smoothed + " skipped", lastLine(text));
        Report.OpSummary ce = report.opSummaries().stream().filter(o -> o.op().equals("cross_entropy")).findFirst().orElseThrow();
        long smoothedCe = TestCases.all().stream().filter(c -> c.op().equals("cross_entropy") && c.optionDouble("label_smoothing", 0) > 0).count();
        assertEquals(CROSS_ENTROPY - smoothedCe, ce.passed());
        assertEquals(smoothedCe, ce.skipped());
    }

    @Test
    void deviationsCountAsPassedOnlyIfAcceptable() {
        String overflow = "soft_margin_loss/edge/exp_overflow/none/float32/0";
        List<ConformanceCase> cases = TestCases.all().stream().filter(c -> c.op().equals("soft_margin_loss"))
                .collect(Collectors.toList());
        ConformanceCase oc = cases.stream().filter(c -> c.name().equals(overflow)).findFirst().orElseThrow();
        // reference overflows somewhere; a stable implementation is finite there
        double[] out = oc.output().dtypeValues();
        int firstInf = -1;
        for (int i = 0; i < out.length; i++) {
            if (Double.isInfinite(out[i])) {
                firstInf = i;
                out[i] = 100.0;
                break;
            }
        }
        assertTrue(firstInf >= 0, "the overflow case has an infinite reference output");
        double[] finiteOut = out;
        String why = "jgrad evaluates log1p(exp(-y x)) stably and stays finite where PyTorch overflows";
        CaseExecutor acceptable = c -> c.name().equals(overflow)
                ? Outcome.deviation(why, true, c.output().shape(), finiteOut, expectedGrads(c, UnaryOperator.identity()))
                : echo(c);
        Report ok = new ConformanceRunner(acceptable).run(cases);
        assertEquals(cases.size(), ok.passed());
        assertEquals(0, ok.failed());
        assertEquals(1, ok.deviations());
        CaseResult d = ok.result(overflow);
        assertTrue(d.passed());
        assertTrue(d.isDeviation());
        assertEquals(why, d.reason());
        assertFalse(d.comparisons().get("output").passed(), "the comparison with the reference is still made");
        String text = ok.render();
        assertTrue(text.contains("Deviations (1):\n  DEVIATION " + overflow + " (acceptable): " + why), text);
        assertTrue(text.contains("expected inf, actual 100.0"), text);
        assertEquals(cases.size() + " passed, 0 failed", lastLine(text));
        assertTrue(text.matches("(?s).*\\n  soft_margin_loss +16 +0 +0 +1\\n.*"), text);

        CaseExecutor unacceptable = c -> c.name().equals(overflow)
                ? Outcome.deviation(why, false, c.output().shape(), finiteOut, expectedGrads(c, UnaryOperator.identity()))
                : echo(c);
        Report bad = new ConformanceRunner(unacceptable).run(cases);
        assertEquals(cases.size() - 1, bad.passed());
        assertEquals(1, bad.failed());
        assertTrue(bad.failures().get(0).failureLine().contains("deviation not acceptable (" + why + ")"));
        assertTrue(bad.render().contains("(NOT acceptable)"));
    }

    @Test
    void deviationCheckSeesTheComparisons() {
        ConformanceCase c = TestCases.named("mse_loss/random/none/float64/0");
        AtomicReference<Map<String, Comparison.Result>> seen = new AtomicReference<>();
        Outcome.DeviationCheck gradsMustMatch = (k, output, grads, comparisons) -> {
            seen.set(comparisons);
            return comparisons.get("grad[input]").passed();
        };
        double[] out = c.output().dtypeValues();
        out[0] = -1; // deliberately different output
        Report good = new ConformanceRunner(k -> Outcome.deviation("different output", gradsMustMatch,
                k.output().shape(), out, expectedGrads(k, UnaryOperator.identity()))).run(List.of(c));
        assertEquals(1, good.passed());
        assertEquals(Set.of("output", "grad[input]"), seen.get().keySet());
        assertFalse(seen.get().get("output").passed());

        Report bad = new ConformanceRunner(k -> Outcome.deviation("different output", gradsMustMatch,
                k.output().shape(), out, expectedGrads(k, g -> {
                    g[0] += 1;
                    return g;
                }))).run(List.of(c));
        assertEquals(1, bad.failed());

        Report threw = new ConformanceRunner(k -> Outcome.deviation("x", (a, b, d, e) -> {
            throw new IllegalStateException("check broke");
        }, k.output().shape(), out, Map.of())).run(List.of(c));
        assertEquals(1, threw.failed());
        assertTrue(threw.failures().get(0).failureLine().contains("check broke"));
    }

    @Test
    void executorExceptionsAndNullAreFailuresWithTheMessage() {
        List<ConformanceCase> cases = TestCases.all().subList(0, 3);
        Report report = new ConformanceRunner(c -> {
            if (c == cases.get(0)) {
                throw new UnsupportedOperationException("boom\nsecond line");
            }
            if (c == cases.get(1)) {
                return null;
            }
            throw new AssertionError("assert in executor");
        }).run(cases);
        assertEquals(3, report.failed());
        assertEquals(0, report.passed());
        CaseResult first = report.results().get(0);
        assertNotNull(first.error());
        assertEquals("FAIL " + cases.get(0).name() + ": executor threw UnsupportedOperationException: boom second line",
                first.failureLine());
        assertEquals("executor returned null", report.results().get(1).reason());
        assertTrue(report.results().get(2).failureLine().contains("assert in executor"));
        String text = report.render();
        assertEquals("0 passed, 3 failed", lastLine(text));
        assertEquals(3, text.lines().filter(l -> l.startsWith("  FAIL ")).count());
    }

    @Test
    void filteringByOp() {
        ConformanceRunner runner = new ConformanceRunner(ConformanceRunnerTest::echo);
        Report only = runner.run(TestCases.all(), List.of("softmax", "logsumexp"));
        assertEquals(78, only.total());
        assertEquals(List.of("logsumexp", "softmax"), // in file order: reductions.json holds logsumexp cases too
                only.opSummaries().stream().map(Report.OpSummary::op).collect(Collectors.toList()));
        assertEquals("78 passed, 0 failed", lastLine(only.render()));
        assertEquals(BUNDLED, runner.run(TestCases.all(), List.of()).total());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner.run(TestCases.all(), List.of("sofmax")));
        assertTrue(e.getMessage().contains("sofmax"));
        assertEquals(192 + 14 + 60 + 50 + 12 + 8 + 124 + 28 + 14 + 6, runner.run(TestCases.all(), ConformanceCase::isEdge).total()); // + matmul_nd, elementwise_nd, reductions, shape, conv, elementwise_losses, cross_entropy_nd, norm, attention
    }

    @Test
    void lastLineFormat() {
        ConformanceCase c = TestCases.named("mse_loss/random/none/float32/0");
        Report empty = new Report(List.of());
        assertEquals("0 passed, 0 failed", empty.render().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("0 passed, 0 failed", lastLine(empty.render()));
        Report mixed = new ConformanceRunner(k -> k.dtype().equals("float32") ? Outcome.unsupported("no f32") : echo(k))
                .run(TestCases.all());
        assertEquals((781 + 38 + 431 + 79 + 55 + 24 + 23) + " passed, 0 failed, " + (767 + 38 + 431 + 79 + 55 + 24 + 23) + " skipped", mixed.summaryLine()); // the float64 cases pass, the float32 ones are skipped
        String text = mixed.render();
        assertFalse(text.endsWith("\n"));
        assertTrue(text.endsWith("\n" + (781 + 38 + 431 + 79 + 55 + 24 + 23) + " passed, 0 failed, " + (767 + 38 + 431 + 79 + 55 + 24 + 23) + " skipped"));
        assertEquals(mixed.summaryLine(), lastLine(text));
        assertNull(mixed.result("no/such/case"));
        assertTrue(mixed.result(c.name()).skipped());
    }
}
