package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SelectorTest {

    private static BenchmarkResult result(String name, Map<String, String> params) {
        RunSettings s = new RunSettings("1.37", 1, 1, 1, "1 s", 1, "1 s", List.of(), "vm", "1", "17");
        return new BenchmarkResult(name, "avgt", params, "ms/op", 1, 0, List.of(1.0), 1, Double.NaN, s);
    }

    @Test
    void matchesWholeTrailingSegmentsWithOrWithoutPackage() {
        BenchmarkResult r = result("dev.jgrad.benchmarks.EjmlGemmBenchmark.multF32", Map.of());
        assertTrue(Selector.parse("EjmlGemmBenchmark.multF32").matches(r));
        assertTrue(Selector.parse("dev.jgrad.benchmarks.EjmlGemmBenchmark.multF32").matches(r));
        assertTrue(Selector.parse("multF32").matches(r));
        assertFalse(Selector.parse("EjmlGemmBenchmark.mult").matches(r));
        assertFalse(Selector.parse("GemmBenchmark.multF32").matches(r));
        assertFalse(Selector.parse("other.EjmlGemmBenchmark.multF32").matches(r));
    }

    @Test
    void wildcardStaysInsideOneSegment() {
        BenchmarkResult r = result("dev.jgrad.benchmarks.StreamCopyBenchmark.loop2Threads", Map.of());
        assertTrue(Selector.parse("StreamCopyBenchmark.*").matches(r));
        assertTrue(Selector.parse("StreamCopyBenchmark.loop*").matches(r));
        assertTrue(Selector.parse("*.loop2Threads").matches(r));
        assertFalse(Selector.parse("StreamCopyBenchmark.array*").matches(r));
        assertFalse(Selector.parse("benchmarks.*").matches(r)); // '*' does not cross a dot
    }

    @Test
    void listedParamsMustBeEqualUnlistedAreFree() {
        BenchmarkResult r = result("p.CE.fused", Map.of("batch", "1024", "classes", "1000", "dtype", "float32"));
        assertTrue(Selector.parse("CE.fused{batch=1024}").matches(r));
        assertTrue(Selector.parse("CE.fused{ batch = 1024 , dtype=float32 }").matches(r));
        assertTrue(Selector.parse("CE.fused{}").matches(r));
        assertFalse(Selector.parse("CE.fused{batch=128}").matches(r));
        assertFalse(Selector.parse("CE.fused{missing=1}").matches(r));
        assertEquals(Map.of("batch", "1024"), Selector.parse("CE.fused{batch=1024}").params());
    }

    @Test
    void rejectsMalformedSelectors() {
        assertThrows(IllegalArgumentException.class, () -> Selector.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Selector.parse("A.b{x=1"));
        assertThrows(IllegalArgumentException.class, () -> Selector.parse("A.b{x}"));
        assertThrows(IllegalArgumentException.class, () -> Selector.parse("A.b{x=1,x=2}"));
        assertThrows(IllegalArgumentException.class, () -> Selector.parse("A..b"));
        assertThrows(IllegalArgumentException.class, () -> Selector.parse(".b"));
    }
}
