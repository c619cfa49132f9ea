package dev.jgrad.conformance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static CaseTensor f64(int[] shape, double... v) {
        return CaseTensor.ofDoubles("float64", shape, v);
    }

    private static Comparison.Result cmp(CaseTensor e, int[] shape, double[] a, double rtol, double atol) {
        return Comparison.compare(e, shape, a, new Tolerance(rtol, atol));
    }

    @Test
    void finiteRuleIsAtolPlusRtolTimesAbsExpectedInclusive() {
        // allowed = 0.25 + 0.5 * |1| = 0.75, all exactly representable
        CaseTensor e = f64(new int[] {1}, 1.0);
        assertTrue(cmp(e, new int[] {1}, new double[] {1.75}, 0.5, 0.25).passed());
        assertTrue(cmp(e, new int[] {1}, new double[] {0.25}, 0.5, 0.25).passed());
        assertFalse(cmp(e, new int[] {1}, new double[] {Math.nextUp(1.75)}, 0.5, 0.25).passed());
        // (a value whose error is exact in double arithmetic)
        assertFalse(cmp(e, new int[] {1}, new double[] {0.25 - 0x1p-20}, 0.5, 0.25).passed());
        // rtol scales with |expected| for negative expected values as well
        CaseTensor neg = f64(new int[] {1}, -4.0);
        assertTrue(cmp(neg, new int[] {1}, new double[] {-2.0}, 0.5, 0.0).passed());
        assertFalse(cmp(neg, new int[] {1}, new double[] {-2.0 + 0x1p-20}, 0.5, 0.0).passed());
    }

    @Test
    void signOfZeroIsIgnored() {
        assertTrue(cmp(f64(new int[] {2}, -0.0, 0.0), new int[] {2}, new double[] {0.0, -0.0}, 0, 0).passed());
    }

    @Test
    void nanRules() {
        CaseTensor e = f64(new int[] {1}, NAN);
        assertTrue(cmp(e, new int[] {1}, new double[] {NAN}, 1e-5, 1e-6).passed());
        Comparison.Result r = cmp(e, new int[] {1}, new double[] {0.0}, 1e-5, 1e-6);
        assertFalse(r.passed());
        assertEquals(INF, r.error());
        assertEquals(0.0, r.allowed());
        assertTrue(r.describe("output").contains("expected nan, actual 0.0 (must be nan)"), r.describe("output"));
        // an actual NaN never passes a finite expected value, whatever the tolerance
        assertFalse(cmp(f64(new int[] {1}, 1.0), new int[] {1}, new double[] {NAN}, 1e300, 1e300).passed());
        assertFalse(cmp(f64(new int[] {1}, INF), new int[] {1}, new double[] {NAN}, 1, 1).passed());
    }

    @Test
    void infinityRules() {
        CaseTensor pos = f64(new int[] {1}, INF);
        CaseTensor neg = f64(new int[] {1}, -INF);
        assertTrue(cmp(pos, new int[] {1}, new double[] {INF}, 0, 0).passed());
        assertTrue(cmp(neg, new int[] {1}, new double[] {-INF}, 0, 0).passed());
        assertFalse(cmp(pos, new int[] {1}, new double[] {-INF}, 1, 1).passed());
        assertFalse(cmp(pos, new int[] {1}, new double[] {Double.MAX_VALUE}, 1, 1).passed());
        assertFalse(cmp(neg, new int[] {1}, new double[] {NAN}, 1, 1).passed());
        // an infinite actual never passes a finite expected value
        assertFalse(cmp(f64(new int[] {1}, 1e308), new int[] {1}, new double[] {INF}, 1, 1).passed());
        assertFalse(cmp(f64(new int[] {1}, 88.7), new int[] {1}, new double[] {INF}, 1e-5, 1e-6).passed());
    }

    @Test
    void shapesMustMatchExactly() {
        CaseTensor e = f64(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        Comparison.Result r = cmp(e, new int[] {3, 2}, new double[] {1, 2, 3, 4, 5, 6}, 1, 1);
        assertFalse(r.passed());
        assertTrue(r.structuralFailure());
        assertEquals(-1, r.worstIndex());
        assertNull(r.worstMultiIndex());
        assertEquals("shape mismatch: expected [2, 3], actual [3, 2]", r.message());
        // a scalar is not a 1-element vector
        Comparison.Result s = cmp(f64(new int[0], 5.0), new int[] {1}, new double[] {5.0}, 0, 0);
        assertFalse(s.passed());
        assertTrue(s.message().contains("expected [], actual [1]"), s.message());
        assertTrue(cmp(f64(new int[0], 5.0), new int[0], new double[] {5.0}, 0, 0).passed());
    }

    @Test
    void missingOrInconsistentActualFails() {
        CaseTensor e = f64(new int[] {2}, 1, 2);
        Comparison.Result missing = Comparison.compare(e, null, new Tolerance(1, 1));
        assertFalse(missing.passed());
        assertEquals("no result produced", missing.message());
        Comparison.Result inconsistent = cmp(e, new int[] {2}, new double[] {1, 2, 3}, 1, 1);
        assertFalse(inconsistent.passed());
        assertTrue(inconsistent.message().contains("inconsistent"), inconsistent.message());
        assertThrows(IllegalArgumentException.class, () -> Comparison.compare(
                CaseTensor.ofLongs(new int[] {1}, new long[] {1}), new int[] {1}, new double[] {1}, new Tolerance(0, 0)));
    }

    @Test
    void worstElementIsTheLargestRelativeViolation() {
        // allowed = 1e-3 + 0 * |e| = 1e-3 everywhere (rtol 0)
        CaseTensor e = f64(new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
        double[] a = {0, 1.01, 2, 3, 4.5, 5.0005};
        Comparison.Result r = cmp(e, new int[] {2, 3}, a, 0, 1e-3);
        assertFalse(r.passed());
        assertEquals(4, r.worstIndex());
        assertArrayEquals(new int[] {1, 1}, r.worstMultiIndex());
        assertEquals(4.0, r.expected());
        assertEquals(4.5, r.actual());
        assertEquals(0.5, r.error());
        assertEquals(1e-3, r.allowed());
        assertEquals(2, r.failingElements());
        assertEquals("output[1, 1] (flat 4): expected 4.0, actual 4.5, error 5.00e-01 > allowed 1.00e-03"
                + " (2 of 6 elements fail)", r.describe("output"));
    }

    @Test
    void failingElementOutranksPassingElementWithLargerRatio() {
        // element 0: err 0.9 of allowed 1 (passes, ratio 0.9); element 1: expected nan, actual 0 (fails)
        CaseTensor e = f64(new int[] {2}, 10, NAN);
        Comparison.Result r = cmp(e, new int[] {2}, new double[] {10.9, 0}, 0, 1);
        assertFalse(r.passed());
        assertEquals(1, r.worstIndex());
        // a non-finite mismatch is worse than any finite violation; ties go to the first index
        CaseTensor e2 = f64(new int[] {3}, 1, INF, NAN);
        Comparison.Result r2 = cmp(e2, new int[] {3}, new double[] {100, 1, 1}, 0, 1e-9);
        assertEquals(1, r2.worstIndex());
        assertEquals(3, r2.failingElements());
    }

    @Test
    void passingResultStillReportsItsMargin() {
        CaseTensor e = f64(new int[] {3}, 1, 2, 4);
        Comparison.Result r = cmp(e, new int[] {3}, new double[] {1, 2.5, 4.5}, 0, 1);
        assertTrue(r.passed());
        assertEquals(1, r.worstIndex());
        assertEquals(0, r.failingElements());
        assertTrue(r.describe("g").contains("<= allowed"), r.describe("g"));
    }

    @Test
    void float32ExpectedIsTheFloatValueOfTheDecimal() {
        CaseTensor e = CaseTensor.ofDoubles("float32", new int[] {1}, new double[] {0.1});
        assertEquals((double) 0.1f, e.dtypeValue(0));
        assertTrue(cmp(e, new int[] {1}, new double[] {0.1f}, 0, 0).passed());
        assertFalse(cmp(e, new int[] {1}, new double[] {0.1}, 0, 0).passed());
        assertEquals("0.1", CaseTensor.formatElement("float32", e.dtypeValue(0)));
    }

    @Test
    void emptyTensorsPassWhenShapesMatch() {
        Comparison.Result r = cmp(f64(new int[] {0, 3}), new int[] {0, 3}, new double[0], 0, 0);
        assertTrue(r.passed());
        assertEquals(-1, r.worstIndex());
    }

    @Test
    void multiIndexIsRowMajor() {
        assertArrayEquals(new int[] {1, 2, 3}, Comparison.multiIndex(1 * 12 + 2 * 4 + 3, new int[] {2, 3, 4}));
        assertArrayEquals(new int[0], Comparison.multiIndex(0, new int[0]));
    }

    @Test
    void elementRuleDirectly() {
        Tolerance t = new Tolerance(1e-5, 1e-6);
        assertTrue(Comparison.elementPasses(0.0, 1e-6, t));
        assertFalse(Comparison.elementPasses(0.0, 1.0000001e-6, t));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, NAN));
    }
}
