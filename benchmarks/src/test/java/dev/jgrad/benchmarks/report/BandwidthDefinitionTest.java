package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BandwidthDefinitionTest {

    private static final double BYTES = 8.0 * 16777216; // 128 MiB moved per copy of 64 MiB

    @Test
    void gigabytesPerSecondFromBytesPerOpAndMedianAndBestIteration() {
        BandwidthDefinition d = BandwidthDefinition.of("copy", Selector.parse("StreamCopyBenchmark.*"), "8*floats");
        List<BandwidthDefinition.Row> rows = d.evaluate(Fixture.results());
        assertEquals(2, rows.size());

        BandwidthDefinition.Row single = rows.get(0); // avgt: median 6 ms, best 5 ms
        assertEquals("arraycopy", single.result().methodName());
        assertEquals(BYTES, single.bytesPerOp(), 0);
        assertEquals(BYTES / 0.006 / 1e9, single.medianGbps(), 1e-9);
        assertEquals(BYTES / 0.005 / 1e9, single.bestGbps(), 1e-9);

        BandwidthDefinition.Row two = rows.get(1); // thrpt: median 250 ops/s, best 300 ops/s
        assertEquals(BYTES * 250 / 1e9, two.medianGbps(), 1e-9);
        assertEquals(BYTES * 300 / 1e9, two.bestGbps(), 1e-9);
    }

    @Test
    void parsesConstantParamAndProductExpressions() {
        Selector s = Selector.parse("X.y");
        BandwidthDefinition constant = BandwidthDefinition.of("c", s, "1024");
        assertEquals(1024, constant.factor());
        assertNull(constant.param());
        assertEquals("1024", constant.expression());

        BandwidthDefinition param = BandwidthDefinition.of("p", s, "floats");
        assertEquals(1, param.factor());
        assertEquals("floats", param.param());
        assertEquals("floats", param.expression());

        BandwidthDefinition product = BandwidthDefinition.of("q", s, " 8 * floats ");
        assertEquals(8, product.factor());
        assertEquals("floats", product.param());
        assertEquals("8*floats", product.expression());
    }

    @Test
    void rejectsMalformedExpressions() {
        Selector s = Selector.parse("X.y");
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, ""));
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, "8*"));
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, "a*8"));
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, "2*3*n"));
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, "0"));
        assertThrows(IllegalArgumentException.class, () -> BandwidthDefinition.of("x", s, "fl-oats"));
    }

    @Test
    void missingParameterGivesNaNBytes() {
        BandwidthDefinition d = BandwidthDefinition.of("x", Selector.parse("EjmlGemmBenchmark.*"), "8*floats");
        List<BandwidthDefinition.Row> rows = d.evaluate(Fixture.results());
        assertEquals(3, rows.size());
        assertTrue(rows.stream().allMatch(r -> Double.isNaN(r.bytesPerOp()) && Double.isNaN(r.medianGbps())));
    }
}
