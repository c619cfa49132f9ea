package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddCountIsMiddleValueOfSortedSample() {
        assertEquals(3.0, Stats.median(5.0, 1.0, 3.0, 9.0, 2.0));
    }

    @Test
    void medianOfEvenCountIsMeanOfTwoMiddleValues() {
        assertEquals(2.5, Stats.median(4.0, 1.0, 2.0, 3.0));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void medianIsRobustToOutlierUnlikeMean() {
        double[] sample = {1.0, 1.0, 1.0, 100.0};
        assertEquals(1.0, Stats.median(sample));
        assertEquals(25.75, Arrays.stream(sample).average().orElseThrow(), 1e-12);
    }

    @Test
    void medianIgnoresNaNAndIsNaNForEmptySample() {
        assertEquals(2.0, Stats.median(Double.NaN, 2.0));
        assertTrue(Double.isNaN(Stats.median()));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void convertsTimeUnitsToSecondsPerOp() {
        assertEquals(2.0, Stats.toSecondsPerOp(2.0, "s/op"), 0);
        assertEquals(2e-3, Stats.toSecondsPerOp(2.0, "ms/op"), 1e-18);
        assertEquals(2e-6, Stats.toSecondsPerOp(2.0, "us/op"), 1e-18);
        assertEquals(2e-6, Stats.toSecondsPerOp(2.0, "µs/op"), 1e-18);
        assertEquals(2e-9, Stats.toSecondsPerOp(2.0, "ns/op"), 1e-21);
    }

    @Test
    void invertsThroughputUnits() {
        assertEquals(0.004, Stats.toSecondsPerOp(250.0, "ops/s"), 1e-15);
        assertEquals(0.5e-3, Stats.toSecondsPerOp(2.0, "ops/ms"), 1e-15);
        assertEquals(0.5e-6, Stats.toSecondsPerOp(2.0, "ops/us"), 1e-18);
    }

    @Test
    void unknownUnitIsNaN() {
        assertTrue(Double.isNaN(Stats.toSecondsPerOp(1.0, "B/op")));
        assertTrue(Double.isNaN(Stats.toSecondsPerOp(1.0, "MB/sec")));
        assertTrue(Double.isNaN(Stats.toSecondsPerOp(1.0, null)));
    }

    @Test
    void formatsWithAboutFourSignificantDigits() {
        assertEquals("1235", Stats.format(1234.56));
        assertEquals("123.5", Stats.format(123.456));
        assertEquals("12.35", Stats.format(12.3456));
        assertEquals("1.235", Stats.format(1.23456));
        assertEquals("0.01235", Stats.format(0.0123456));
        assertEquals("0.7500", Stats.format(0.75));
        assertEquals("0.0001235", Stats.format(0.00012345));
        assertEquals("1.235e-07", Stats.format(1.2345e-7));
        assertEquals("0", Stats.format(0.0));
        assertEquals("n/a", Stats.format(Double.NaN));
    }
}
