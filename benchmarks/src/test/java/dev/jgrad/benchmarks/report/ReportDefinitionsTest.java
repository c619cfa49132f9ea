package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;

import dev.jgrad.benchmarks.StreamCopyBenchmark;
import org.junit.jupiter.api.Test;

class ReportDefinitionsTest {

    @Test
    void parsesRatiosAndBandwidthsSkippingCommentsAndBlankLines() {
        ReportDefinitions d = ReportDefinitions.parse(String.join("\n",
                "# comment",
                "",
                "ratio | a vs b | A.a{n=1} | B.b",
                "   # indented comment",
                "bandwidth | copy | C.* | 8*floats",
                "ratio|tight|X.x|Y.y"));
        assertEquals(2, d.ratios().size());
        assertEquals("a vs b", d.ratios().get(0).label());
        assertEquals("A.a{n=1}", d.ratios().get(0).numerator().toString());
        assertEquals("B.b", d.ratios().get(0).denominator().toString());
        assertEquals("tight", d.ratios().get(1).label());
        assertEquals(1, d.bandwidths().size());
        assertEquals("8*floats", d.bandwidths().get(0).expression());
    }

    @Test
    void malformedLineIsReportedWithItsLineNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportDefinitions.parse("ratio | ok | A.a | B.b\n\nratio | missing field | A.a\n"));
        assertTrue(e.getMessage().contains(":3:"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ReportDefinitions.parse("speedup | x | A.a | B.b"));
        assertThrows(IllegalArgumentException.class, () -> ReportDefinitions.parse("ratio |  | A.a | B.b"));
        assertThrows(IllegalArgumentException.class, () -> ReportDefinitions.parse("ratio | x | A.a{ | B.b"));
        assertThrows(IllegalArgumentException.class, () -> ReportDefinitions.parse("bandwidth | x | A.* | 8*"));
    }

    @Test
    void builtInDefinitionsLoadAndContainThePlannedRatios() {
        ReportDefinitions d = ReportDefinitions.loadDefault();
        var labels = d.ratios().stream().map(RatioDefinition::label).collect(Collectors.toList());
        assertTrue(labels.contains("fused vs naive CE 1024x1000 float32"), labels.toString());
        assertTrue(labels.stream().anyMatch(l -> l.startsWith("jgrad matmul vs raw EJML 128x784x256")), labels.toString());
        assertEquals(labels.size(), labels.stream().distinct().count(), "duplicate ratio labels");
    }

    @Test
    void builtInStreamBandwidthMatchesTheBenchmarksByteAccounting() {
        BandwidthDefinition stream = ReportDefinitions.loadDefault().bandwidths().stream()
                .filter(b -> b.selector().toString().startsWith("StreamCopyBenchmark"))
                .findFirst().orElseThrow();
        assertEquals("floats", stream.param());
        assertEquals(StreamCopyBenchmark.BYTES_MOVED_PER_ELEMENT, stream.factor());
        assertEquals(StreamCopyBenchmark.bytesMovedPerOp(16777216), 134217728L);
    }
}
