package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RatioDefinitionTest {

    private static RatioDefinition ratio(String num, String den) {
        return new RatioDefinition("r", Selector.parse(num), Selector.parse(den));
    }

    @Test
    void ratioOfMediansAfterUnitConversion() {
        // multF64: median 2300 us/op = 2.3 ms/op; multF32: median 1.1 ms/op (mean would give 1.84)
        RatioDefinition.Result r = ratio("EjmlGemmBenchmark.multF64{shape=128x784x256}",
                "EjmlGemmBenchmark.multF32{shape=128x784x256}").evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.OK, r.status());
        assertEquals(2.3 / 1.1, r.value(), 1e-12);
        assertEquals("", r.note());
        assertNotNull(r.numerator());
        assertNotNull(r.denominator());
    }

    @Test
    void throughputResultsAreInvertedBeforeDividing() {
        // arraycopy: 6 ms/op; arraycopy2Threads: 250 ops/s = 4 ms/op
        RatioDefinition.Result r = ratio("StreamCopyBenchmark.arraycopy", "StreamCopyBenchmark.arraycopy2Threads")
                .evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.OK, r.status());
        assertEquals(1.5, r.value(), 1e-12);
    }

    @Test
    void missingBenchmarkIsNotMeasuredInsteadOfFailing() {
        RatioDefinition.Result r = ratio("CrossEntropyBenchmark.naive{batch=1024}",
                "CrossEntropyBenchmark.fused{batch=1024}").evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.NOT_MEASURED, r.status());
        assertTrue(Double.isNaN(r.value()));
        assertTrue(r.note().contains("CrossEntropyBenchmark.naive{batch=1024}"), r.note());
        assertTrue(r.note().contains("CrossEntropyBenchmark.fused{batch=1024}"), r.note());
    }

    @Test
    void oneMissingSideIsNotMeasuredAndKeepsTheOtherSide() {
        RatioDefinition.Result r = ratio("JgradMatmulBenchmark.matmulF32{shape=128x784x256}",
                "EjmlGemmBenchmark.multF32{shape=128x784x256}").evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.NOT_MEASURED, r.status());
        assertNull(r.numerator());
        assertNotNull(r.denominator());
        assertTrue(r.note().contains("JgradMatmulBenchmark"), r.note());
        assertTrue(!r.note().contains("EjmlGemmBenchmark"), r.note());
    }

    @Test
    void parameterValueMismatchCountsAsMissing() {
        RatioDefinition.Result r = ratio("EjmlGemmBenchmark.multF64{shape=999x1x1}",
                "EjmlGemmBenchmark.multF32{shape=128x784x256}").evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.NOT_MEASURED, r.status());
    }

    @Test
    void selectorMatchingSeveralResultsIsAmbiguous() {
        RatioDefinition.Result r = ratio("EjmlGemmBenchmark.multF32", "EjmlGemmBenchmark.multF64")
                .evaluate(Fixture.results());
        assertEquals(RatioDefinition.Status.AMBIGUOUS, r.status());
        assertTrue(r.note().contains("matches 2 results"), r.note());
    }

    @Test
    void nonTimeUnitsAreIncomparable() {
        List<BenchmarkResult> rs = new ArrayList<>(Fixture.results());
        BenchmarkResult base = rs.get(0);
        rs.add(new BenchmarkResult("x.Odd.count", "avgt", Map.of(), "B/op", 3, 0, List.of(3.0), 3,
                Double.NaN, base.settings()));
        RatioDefinition.Result r = ratio("Odd.count", "EjmlGemmBenchmark.multF32{shape=128x784x256}").evaluate(rs);
        assertEquals(RatioDefinition.Status.INCOMPARABLE, r.status());
        assertTrue(Double.isNaN(r.value()));
    }
}
