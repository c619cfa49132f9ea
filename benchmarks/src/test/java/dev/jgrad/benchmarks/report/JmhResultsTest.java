package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JmhResultsTest {

    @Test
    void readsAllResultsInFileOrder() {
        List<BenchmarkResult> rs = Fixture.results();
        assertEquals(5, rs.size());
        assertEquals("dev.jgrad.benchmarks.EjmlGemmBenchmark.multF32", rs.get(0).benchmark());
        assertEquals("dev.jgrad.benchmarks.EjmlGemmBenchmark", rs.get(0).className());
        assertEquals("EjmlGemmBenchmark", rs.get(0).simpleClassName());
        assertEquals("multF32", rs.get(0).methodName());
        assertEquals(Map.of("shape", "128x784x256"), rs.get(0).params());
        assertEquals("avgt", rs.get(0).mode());
        assertEquals("ms/op", rs.get(0).unit());
    }

    @Test
    void medianComesFromRawDataOfAllForksNotFromScoreOrPercentiles() {
        BenchmarkResult r = Fixture.find("multF32", "128x784x256");
        assertEquals(List.of(1.0, 1.2, 5.0, 1.1, 0.9), r.rawData());
        assertEquals(1.1, r.median(), 1e-12);
        assertEquals(1.84, r.score(), 1e-12); // JMH's mean, deliberately different
        assertEquals(0.75, r.scoreError(), 1e-12);
    }

    @Test
    void nanScoreErrorWrittenAsStringIsNaN() {
        BenchmarkResult r = Fixture.find("multF32", "128x256x10");
        assertTrue(Double.isNaN(r.scoreError()));
        assertEquals(0.05, r.median(), 1e-12);
    }

    @Test
    void allocationNormIsReadWithOrWithoutLegacyPrefixAndNaNWhenAbsent() {
        assertEquals(0.5, Fixture.find("multF32", "128x784x256").allocBytesPerOp(), 1e-12);
        assertEquals(34.0, Fixture.find("arraycopy", "16777216").allocBytesPerOp(), 1e-12);
        assertTrue(Double.isNaN(Fixture.find("multF32", "128x256x10").allocBytesPerOp()));
    }

    @Test
    void readsRunSettings() {
        RunSettings s = Fixture.results().get(0).settings();
        assertEquals("1.37", s.jmhVersion());
        assertEquals(2, s.forks());
        assertEquals(3, s.warmupIterations());
        assertEquals(5, s.measurementIterations());
        assertEquals("1 s", s.measurementTime());
        assertEquals(List.of("-Xmx1g"), s.jvmArgs());
        assertEquals("forks 2, warmup 3 × 1 s, measurement 5 × 1 s, threads 1, JVM args `-Xmx1g`", s.describe());
        assertEquals("OpenJDK 64-Bit Server VM 17.0.15+6 (JDK 17.0.15)", s.describeJvm());
    }

    @Test
    void withoutRawDataMedianFallsBackToFiftiethPercentileThenScore() throws IOException {
        String json = "[{\"benchmark\":\"a.B.c\",\"mode\":\"sample\",\"primaryMetric\":{\"score\":3.0,"
                + "\"scoreError\":0.1,\"scorePercentiles\":{\"50.0\":2.0},\"scoreUnit\":\"us/op\"}},"
                + "{\"benchmark\":\"a.B.d\",\"mode\":\"ss\",\"primaryMetric\":{\"score\":7.0,"
                + "\"scoreUnit\":\"us/op\"}}]";
        List<BenchmarkResult> rs = JmhResults.parse(json);
        assertEquals(2.0, rs.get(0).median(), 0);
        assertEquals(7.0, rs.get(1).median(), 0);
        assertTrue(rs.get(0).params().isEmpty());
        assertEquals("", rs.get(0).paramsString());
    }

    @Test
    void emptyArrayGivesNoResultsAndNonArrayIsRejected() throws IOException {
        assertTrue(JmhResults.parse("[]").isEmpty());
        assertThrows(IOException.class, () -> JmhResults.parse("{\"benchmark\":\"x\"}"));
        assertThrows(IOException.class, () -> JmhResults.parse("[{\"mode\":\"avgt\"}]"));
    }
}
