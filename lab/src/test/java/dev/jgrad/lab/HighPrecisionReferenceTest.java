package dev.jgrad.lab;

import ch.obermuhlner.math.big.BigDecimalMath;
import dev.jgrad.lab.HighPrecisionReference.BatchResult;
import dev.jgrad.lab.HighPrecisionReference.Dtype;
import dev.jgrad.lab.HighPrecisionReference.RowResult;
import dev.jgrad.lab.HighPrecisionReference.ScalarResult;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;

import static dev.jgrad.lab.HighPrecisionReference.bceWithLogits;
import static dev.jgrad.lab.HighPrecisionReference.crossEntropyBatch;
import static dev.jgrad.lab.HighPrecisionReference.crossEntropyRow;
import static dev.jgrad.lab.HighPrecisionReference.errorInEpsilons;
import static dev.jgrad.lab.HighPrecisionReference.inEpsilonUnits;
import static dev.jgrad.lab.HighPrecisionReference.logisticPm1;
import static dev.jgrad.lab.HighPrecisionReference.relError;
import static dev.jgrad.lab.HighPrecisionReference.toDouble;
import static dev.jgrad.lab.HighPrecisionReference.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HighPrecisionReferenceTest {

    /** Independent evaluation precision (plain BigDecimalMath, much more than 50 digits). */
    private static final MathContext REF = new MathContext(120, RoundingMode.HALF_EVEN);

    // ------------------------------------------------------------------ helpers

    /** Asserts {@code |actual - expected| <= 10^-digits · |expected|} (both zero is fine). */
    static void assertRel(BigDecimal expected, BigDecimal actual, int digits, String what) {
        if (expected.signum() == 0) {
            assertEquals(0, actual.signum(), what + ": expected 0 but got " + actual);
            return;
        }
        BigDecimal rel = actual.subtract(expected).abs().divide(expected.abs(), MathContext.DECIMAL64);
        assertTrue(rel.compareTo(BigDecimal.ONE.scaleByPowerOfTen(-digits)) <= 0,
                what + ": expected " + expected.round(new MathContext(60)) + " got " + actual + " (rel " + rel + ")");
    }

    private static BigDecimal exp(BigDecimal x) {
        return BigDecimalMath.exp(x, REF);
    }

    /**
     * Straightforward reference with BigDecimalMath at 120 digits: max-shift, exp of every
     * difference above -3000 (below that the terms are irrelevant for these tests), naive formulas.
     */
    private static BigDecimal[] naiveRow(double[] x, int t) {
        double mD = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            mD = Math.max(mD, v);
        }
        BigDecimal m = new BigDecimal(mD);
        BigDecimal[] e = new BigDecimal[x.length];
        BigDecimal s = BigDecimal.ZERO;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == Double.NEGATIVE_INFINITY) {
                e[i] = BigDecimal.ZERO;
                continue;
            }
            BigDecimal d = new BigDecimal(x[i]).subtract(m);
            e[i] = d.compareTo(BigDecimal.valueOf(-3000)) < 0 ? BigDecimal.ZERO : exp(d);
            s = s.add(e[i], REF);
        }
        BigDecimal[] out = new BigDecimal[x.length + 1];
        out[0] = m.subtract(new BigDecimal(x[t])).add(BigDecimalMath.log(s, REF), REF);
        for (int i = 0; i < x.length; i++) {
            BigDecimal p = e[i].divide(s, REF);
            out[i + 1] = i == t ? p.subtract(BigDecimal.ONE, REF) : p;
        }
        return out;
    }

    private static void assertMatchesNaive(double[] x, int t, int digits) {
        RowResult r = crossEntropyRow(x, t);
        BigDecimal[] ref = naiveRow(x, t);
        assertRel(ref[0], r.loss(), digits, "loss");
        for (int i = 0; i < x.length; i++) {
            BigDecimal g = ref[i + 1];
            if (g.abs().compareTo(new BigDecimal("1e-330")) < 0) {
                // documented: values below 2^-1076 may be returned as 0
                assertTrue(r.grad()[i].abs().compareTo(new BigDecimal("1e-320")) < 0, "tiny grad " + i);
            } else {
                assertRel(g, r.grad()[i], digits, "grad[" + i + "]");
            }
        }
    }

    private static BigDecimal sum(BigDecimal[] v) {
        BigDecimal s = BigDecimal.ZERO;
        for (BigDecimal b : v) {
            s = s.add(b);
        }
        return s;
    }

    // ------------------------------------------------------------------ cross-entropy: known values

    @Test
    void softmaxOfOneTwoThree() {
        RowResult r = crossEntropyRow(new double[] {1, 2, 3}, 2);
        double[] g = r.gradAsDoubles();
        assertEquals(0.0900306, g[0], 1e-7);
        assertEquals(0.2447285, g[1], 1e-7);
        assertEquals(0.6652410 - 1.0, g[2], 1e-7);
        assertEquals(0.4076059644443803, r.lossAsDouble(), 1e-15);
        assertMatchesNaive(new double[] {1, 2, 3}, 2, 48);
        assertMatchesNaive(new double[] {1, 2, 3}, 0, 48);
    }

    @Test
    void crossEntropyOfConfidentRow() {
        RowResult r = crossEntropyRow(new double[] {3, -3, -3}, 0);
        BigDecimal expected = BigDecimalMath.log(BigDecimal.ONE.add(BigDecimal.valueOf(2).multiply(exp(BigDecimal.valueOf(-6)))), REF);
        assertEquals(0.0049452, r.lossAsDouble(), 1e-7);
        assertRel(expected, r.loss(), 48, "loss");
    }

    @Test
    void defaultPrecisionIsFiftyDigits() {
        RowResult r = crossEntropyRow(new double[] {1, 2, 3}, 2);
        assertEquals(50, r.loss().precision());
        assertEquals(50, r.grad()[0].precision());
    }

    @Test
    void hugeLogitsAreExact() {
        RowResult r = crossEntropyRow(new double[] {1e300, 0}, 1);
        assertEquals(0, r.loss().compareTo(new BigDecimal(1e300).round(HighPrecisionReference.DEFAULT_CONTEXT)),
                "loss " + r.loss());
        assertEquals(0, r.grad()[0].compareTo(BigDecimal.ONE));
        assertEquals(0, r.grad()[1].compareTo(BigDecimal.ONE.negate()));
        assertEquals(1e300, r.lossAsDouble());

        RowResult r0 = crossEntropyRow(new double[] {1e300, 0}, 0); // exact loss e^-1e300 rounds to 0
        assertEquals(0, r0.loss().signum());
        assertEquals(0.0, r0.gradAsDoubles()[0]);
        assertEquals(0.0, r0.gradAsDoubles()[1]);

        RowResult neg = crossEntropyRow(new double[] {-1e300, 1e300, 0}, 0);
        assertEquals(0, neg.loss().compareTo(new BigDecimal(2e300 / 2).multiply(BigDecimal.valueOf(2))
                .round(HighPrecisionReference.DEFAULT_CONTEXT)));
        assertEquals(2e300, neg.lossAsDouble());
    }

    @Test
    void tiedLargeLogitsGiveLn2() {
        RowResult r = crossEntropyRow(new double[] {1e4, 1e4}, 0);
        assertRel(BigDecimalMath.log(BigDecimal.valueOf(2), REF), r.loss(), 49, "ln 2");
        assertEquals(0, r.grad()[0].compareTo(new BigDecimal("-0.5")));
        assertEquals(0, r.grad()[1].compareTo(new BigDecimal("0.5")));
        RowResult r1 = crossEntropyRow(new double[] {1e4, 1e4}, 1);
        assertRel(BigDecimalMath.log(BigDecimal.valueOf(2), REF), r1.loss(), 49, "ln 2 (target 1)");
    }

    @Test
    void tinyLossKeepsRelativeAccuracy() {
        // loss = log1p(e^-100) ~ 3.7e-44: a plain 50-digit S = 1 + e^-100 would keep only ~6 digits
        RowResult r = crossEntropyRow(new double[] {100, 0}, 0);
        BigDecimal z = exp(BigDecimal.valueOf(-100));
        BigDecimal expected = z.subtract(z.multiply(z).divide(BigDecimal.valueOf(2), REF), REF);
        assertRel(expected, r.loss(), 48, "loss");
        assertRel(z.divide(BigDecimal.ONE.add(z), REF).negate(), r.grad()[0], 48, "grad[0]");
        // deeper: other logits 700 below -> loss ~ e^-700 ~ 1e-304, still a normal double
        RowResult deep = crossEntropyRow(new double[] {0, -700, -700.5}, 0);
        BigDecimal l = exp(BigDecimal.valueOf(-700)).add(exp(new BigDecimal("-700.5")));
        assertRel(l.subtract(l.multiply(l).divide(BigDecimal.valueOf(2), REF)), deep.loss(), 48, "deep loss");
        assertTrue(deep.lossAsDouble() > 0);
    }

    @Test
    void maskedClassesHaveZeroProbability() {
        RowResult masked = crossEntropyRow(new double[] {1, Double.NEGATIVE_INFINITY, 2}, 0);
        RowResult plain = crossEntropyRow(new double[] {1, 2}, 0);
        assertEquals(0, masked.loss().compareTo(plain.loss()));
        assertEquals(0, masked.grad()[1].signum());
        assertEquals(0, masked.grad()[0].compareTo(plain.grad()[0]));
        assertEquals(0, masked.grad()[2].compareTo(plain.grad()[1]));
        assertMatchesNaive(new double[] {1, Double.NEGATIVE_INFINITY, 2}, 2, 48);

        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyRow(new double[] {1, Double.NEGATIVE_INFINITY}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyRow(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 0));
    }

    @Test
    void invalidInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> crossEntropyRow(new double[] {1, Double.NaN}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyRow(new double[] {1, Double.POSITIVE_INFINITY}, 0));
        assertThrows(IllegalArgumentException.class, () -> crossEntropyRow(new double[] {1, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> crossEntropyRow(new double[0], 0));
        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyRow(new double[] {1, 2}, 0, new MathContext(30)));
        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyBatch(new double[][] {{1, 2}, {1, 2, 3}}, new int[] {0, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> crossEntropyBatch(new double[][] {{1, 2}}, new int[] {0, 1}));
    }

    @Test
    void singleClassRowHasZeroLoss() {
        RowResult r = crossEntropyRow(new double[] {123.0}, 0);
        assertEquals(0, r.loss().signum());
        assertEquals(0, r.grad()[0].signum());
    }

    // ------------------------------------------------------------------ cross-entropy: agreement

    @Test
    void agreesWithPlainDoubleAtModerateScale() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            int c = 2 + rnd.nextInt(30);
            double[] x = new double[c];
            for (int i = 0; i < c; i++) {
                x[i] = rnd.nextGaussian() * 3;
            }
            int t = rnd.nextInt(c);
            // stable double computation
            double m = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                m = Math.max(m, v);
            }
            double s = 0;
            for (double v : x) {
                s += Math.exp(v - m);
            }
            double loss = m + Math.log(s) - x[t];
            RowResult r = crossEntropyRow(x, t);
            assertTrue(relError(loss, r.loss()) < 1e-13, "loss rel err " + relError(loss, r.loss()));
            for (int i = 0; i < c; i++) {
                double g = Math.exp(x[i] - m) / s - (i == t ? 1 : 0);
                double err = relError(g, r.grad()[i]);
                assertTrue(err < 1e-13, "grad rel err " + err);
            }
        }
    }

    @Test
    void matchesIndependentBigDecimalMathReference() {
        Random rnd = new Random(5);
        double[] scales = {0.1, 1, 10, 100, 1e4};
        for (double scale : scales) {
            for (int trial = 0; trial < 4; trial++) {
                int c = 2 + rnd.nextInt(12);
                double[] x = new double[c];
                for (int i = 0; i < c; i++) {
                    x[i] = (float) (rnd.nextGaussian() * scale);
                }
                assertMatchesNaive(x, rnd.nextInt(c), 47);
            }
        }
    }

    @Test
    void gradientRowsSumToZero() {
        Random rnd = new Random(7);
        for (double scale : new double[] {1, 30, 1e4, 1e300}) {
            for (int c : new int[] {2, 10, 1000}) {
                double[] x = new double[c];
                for (int i = 0; i < c; i++) {
                    x[i] = rnd.nextGaussian() * scale;
                }
                RowResult r = crossEntropyRow(x, rnd.nextInt(c));
                assertTrue(sum(r.grad()).abs().compareTo(new BigDecimal("1e-45")) < 0,
                        "scale " + scale + " C " + c + " sum " + sum(r.grad()));
            }
        }
    }

    @Test
    void floatOverloadWidensExactly() {
        float[] xf = {0.1f, -2.7f, 1e4f, 9999.5f};
        double[] xd = {0.1f, -2.7f, 1e4f, 9999.5f};
        RowResult a = crossEntropyRow(xf, 3);
        RowResult b = crossEntropyRow(xd, 3);
        assertEquals(0, a.loss().compareTo(b.loss()));
        assertMatchesNaive(xd, 3, 47);
    }

    @Test
    void higherPrecisionContextIsHonoured() {
        MathContext mc = new MathContext(100);
        RowResult r = crossEntropyRow(new double[] {1, 2, 3}, 0, mc);
        BigDecimal[] ref = naiveRow(new double[] {1, 2, 3}, 0);
        assertRel(ref[0], r.loss(), 98, "loss@100");
        assertRel(ref[2], r.grad()[1], 98, "grad@100");
        RowResult r40 = crossEntropyRow(new double[] {1, 2, 3}, 0, new MathContext(40));
        assertEquals(40, r40.loss().precision());
        assertRel(ref[0], r40.loss(), 39, "loss@40");
    }

    @Test
    void batchIsMeanOfRows() {
        double[][] x = {{1, 2, 3}, {1e300, 0, -1e300}, {0.5f, 0.25f, Double.NEGATIVE_INFINITY}};
        int[] t = {2, 1, 0};
        BatchResult b = crossEntropyBatch(x, t);
        BigDecimal s = BigDecimal.ZERO;
        for (int i = 0; i < x.length; i++) {
            RowResult r = crossEntropyRow(x[i], t[i]);
            s = s.add(r.loss());
            for (int j = 0; j < x[i].length; j++) {
                BigDecimal expected = r.grad()[j].divide(BigDecimal.valueOf(3), REF);
                assertRel(expected, b.grad()[i][j], 48, "grad[" + i + "][" + j + "]");
            }
        }
        assertRel(s.divide(BigDecimal.valueOf(3), REF), b.loss(), 49, "mean loss");
        float[][] xf = {{1, 2, 3}, {4, 5, 6}};
        BatchResult bf = crossEntropyBatch(xf, new int[] {0, 1});
        assertRel(crossEntropyRow(new double[] {1, 2, 3}, 0).loss().add(crossEntropyRow(new double[] {4, 5, 6}, 1).loss())
                .divide(BigDecimal.valueOf(2), REF), bf.loss(), 49, "float batch");
    }

    @Test
    void thousandClassRowIsFast() {
        Random rnd = new Random(3);
        double[] x = new double[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < 100; i++) {
            crossEntropyRow(x, i % 1000); // warm-up (also builds the exp tables)
        }
        // best of several batches: the build machine may be shared
        int reps = 10;
        double ms = Double.POSITIVE_INFINITY;
        for (int batch = 0; batch < 8; batch++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                crossEntropyRow(x, i % 1000);
            }
            ms = Math.min(ms, (System.nanoTime() - t0) / 1e6 / reps);
        }
        System.out.printf("HighPrecisionReference: 1000-class row (unit-scale logits) %.2f ms%n", ms);
        assertTrue(ms < 100, "1000-class row took " + ms + " ms");
    }

    // ------------------------------------------------------------------ binary losses

    private static BigDecimal softplusRef(BigDecimal x) {
        // log(1 + e^x) with BigDecimalMath, only for moderate |x|
        return BigDecimalMath.log(BigDecimal.ONE.add(exp(x)), REF);
    }

    private static BigDecimal sigmoidRef(BigDecimal x) {
        return BigDecimal.ONE.divide(BigDecimal.ONE.add(exp(x.negate())), REF);
    }

    @Test
    void bceMatchesIndependentReference() {
        Random rnd = new Random(21);
        for (int trial = 0; trial < 60; trial++) {
            double x = rnd.nextGaussian() * 20;
            double t = trial % 3 == 0 ? 0 : trial % 3 == 1 ? 1 : rnd.nextDouble();
            BigDecimal xd = new BigDecimal(x);
            BigDecimal td = new BigDecimal(t);
            ScalarResult r = bceWithLogits(x, t);
            assertRel(softplusRef(xd).subtract(xd.multiply(td), REF), r.loss(), 47, "bce loss x=" + x + " t=" + t);
            assertRel(sigmoidRef(xd).subtract(td, REF), r.grad(), 47, "bce grad x=" + x + " t=" + t);
        }
    }

    @Test
    void bceAtHugeLogitsIsFiniteAndExact() {
        MathContext mc = HighPrecisionReference.DEFAULT_CONTEXT;
        ScalarResult a = bceWithLogits(800, 0);
        assertEquals(0, a.loss().compareTo(BigDecimal.valueOf(800)), "loss " + a.loss());
        assertEquals(0, a.grad().compareTo(BigDecimal.ONE));

        ScalarResult b = bceWithLogits(800, 1); // loss = log1p(e^-800) ~ 3.7e-348
        BigDecimal z = exp(BigDecimal.valueOf(-800));
        assertRel(z, b.loss(), 48, "loss(800,1)");
        assertRel(z.negate(), b.grad(), 48, "grad(800,1)");
        assertEquals(0.0, toDouble(b.loss()));

        ScalarResult c = bceWithLogits(-800, 0);
        assertRel(z, c.loss(), 48, "loss(-800,0)");
        assertRel(z, c.grad(), 48, "grad(-800,0)");
        ScalarResult d = bceWithLogits(-800, 1);
        assertEquals(0, d.loss().compareTo(BigDecimal.valueOf(800)));
        assertEquals(0, d.grad().compareTo(BigDecimal.ONE.negate()));

        BigDecimal big = new BigDecimal(1e300).round(mc);
        assertEquals(0, bceWithLogits(1e300, 0).loss().compareTo(big));
        assertEquals(0, bceWithLogits(1e300, 0).grad().compareTo(BigDecimal.ONE));
        assertEquals(0, bceWithLogits(1e300, 1).loss().signum());
        assertEquals(0, bceWithLogits(1e300, 1).grad().signum());
        assertEquals(0, bceWithLogits(-1e300, 0).loss().signum());
        assertEquals(0, bceWithLogits(-1e300, 0).grad().signum());
        assertEquals(0, bceWithLogits(-1e300, 1).loss().compareTo(big));
        assertEquals(0, bceWithLogits(-1e300, 1).grad().compareTo(BigDecimal.ONE.negate()));
        ScalarResult half = bceWithLogits(1e300, 0.5);
        assertEquals(0, half.loss().compareTo(new BigDecimal(1e300).multiply(new BigDecimal("0.5")).round(mc)));
        assertEquals(0, half.grad().compareTo(new BigDecimal("0.5")));
        for (double x : new double[] {1e300, -1e300, 800, -800}) {
            for (double t : new double[] {0, 1}) {
                ScalarResult r = bceWithLogits(x, t);
                assertTrue(Double.isFinite(toDouble(r.loss())) && Double.isFinite(toDouble(r.grad())));
            }
        }
    }

    @Test
    void bceTinySoftTargetKeepsTheExpTerm() {
        // loss = 800·t + log1p(e^-800) with t = 2^-1074: both parts matter
        double t = Double.MIN_VALUE;
        ScalarResult r = bceWithLogits(-800, t);
        BigDecimal expected = BigDecimal.valueOf(800).multiply(new BigDecimal(t)).add(exp(BigDecimal.valueOf(-800)));
        assertRel(expected, r.loss(), 48, "loss");
    }

    @Test
    void bceGradientCancellationIsResolved() {
        // sigmoid(x) ≈ t: the gradient is ~1e-17 and must still be accurate relatively
        double[][] cases = {{Math.log(0.7 / 0.3), 0.7}, {Math.log(0.3 / 0.7), 0.3}, {-Math.log(3), 0.25},
            {Math.log(1e-10 / (1 - 1e-10)), 1e-10}};
        for (double[] c : cases) {
            ScalarResult r = bceWithLogits(c[0], c[1]);
            MathContext wide = new MathContext(200);
            BigDecimal sig = BigDecimal.ONE.divide(BigDecimal.ONE.add(BigDecimalMath.exp(new BigDecimal(-c[0]), wide)), wide);
            BigDecimal expected = sig.subtract(new BigDecimal(c[1]));
            assertTrue(expected.abs().compareTo(new BigDecimal("1e-12")) < 0, "test case should cancel");
            assertRel(expected, r.grad(), 47, "grad x=" + c[0] + " t=" + c[1]);
            // at 60 and 100 digits the default guard bits alone would not cover ~57 cancelled bits
            for (int digits : new int[] {60, 100}) {
                ScalarResult hp = bceWithLogits(c[0], c[1], new MathContext(digits));
                assertRel(expected, hp.grad(), digits - 1, digits + "-digit grad x=" + c[0] + " t=" + c[1]);
            }
        }
        assertEquals(0, bceWithLogits(0.0, 0.5).grad().signum());
        assertEquals(0, bceWithLogits(-0.0, 0.25).grad().compareTo(new BigDecimal("0.25")));
    }

    @Test
    void bceRejectsInvalidInputs() {
        assertThrows(IllegalArgumentException.class, () -> bceWithLogits(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> bceWithLogits(1, -0.1));
        assertThrows(IllegalArgumentException.class, () -> bceWithLogits(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> bceWithLogits(Double.POSITIVE_INFINITY, 1));
        assertThrows(IllegalArgumentException.class, () -> logisticPm1(1, 0));
        assertThrows(IllegalArgumentException.class, () -> logisticPm1(Double.NaN, 1));
    }

    @Test
    void logisticPm1EqualsBceWithMappedLabels() {
        Random rnd = new Random(8);
        double[] fixed = {0, 1e-300, -3.5, 7, 40, -40, 800, -800, 1e300, -1e300, 745.5, -746.5, 1000, -1000};
        for (int i = 0; i < fixed.length + 40; i++) {
            double s = i < fixed.length ? fixed[i] : rnd.nextGaussian() * 50;
            for (double y : new double[] {-1, 1}) {
                ScalarResult lp = logisticPm1(s, y);
                ScalarResult bce = bceWithLogits(s, (1 + y) / 2);
                assertRel(bce.loss(), lp.loss(), 48, "loss s=" + s + " y=" + y);
                assertRel(bce.grad(), lp.grad(), 48, "grad s=" + s + " y=" + y);
            }
        }
        ScalarResult r = logisticPm1(2, 1);
        assertRel(softplusRef(BigDecimal.valueOf(-2)), r.loss(), 48, "log(1+e^-2)");
        assertRel(sigmoidRef(BigDecimal.valueOf(-2)).negate(), r.grad(), 48, "-sigmoid(-2)");
    }

    // ------------------------------------------------------------------ metrics and conversions

    @Test
    void relErrorAndEpsilonUnits() {
        assertEquals(1e-7 / 1.0000001, relError(1.0, new BigDecimal("1.0000001")), 1e-20);
        assertEquals(0.5, relError(-1.5, new BigDecimal("-1")), 0);
        assertEquals(0.25, relError(0.25, BigDecimal.ZERO), 0);
        assertEquals(0, relError(0.0, BigDecimal.ZERO), 0);
        assertEquals(Double.POSITIVE_INFINITY, relError(Double.NaN, BigDecimal.ONE));
        assertEquals(Double.POSITIVE_INFINITY, relError(Double.NEGATIVE_INFINITY, BigDecimal.ONE));
        assertEquals(1.0, inEpsilonUnits(0x1p-23, Dtype.FLOAT32), 0);
        assertEquals(1.0, inEpsilonUnits(0x1p-52, Dtype.FLOAT64), 0);
        assertEquals(Double.POSITIVE_INFINITY, inEpsilonUnits(Double.POSITIVE_INFINITY, Dtype.FLOAT64));
        // 0.1f is a correctly rounded float: error at most half an epsilon
        double e32 = errorInEpsilons(0.1f, new BigDecimal("0.1"), Dtype.FLOAT32);
        assertTrue(e32 > 0 && e32 <= 0.5, "float eps " + e32);
        double e64 = errorInEpsilons(0.1, new BigDecimal("0.1"), Dtype.FLOAT64);
        assertTrue(e64 > 0 && e64 <= 0.5, "double eps " + e64);
        assertTrue(errorInEpsilons(0.1f, new BigDecimal("0.1"), Dtype.FLOAT64) > 1e6);
    }

    @Test
    void conversionsRoundCorrectly() {
        // just above the midpoint between 1f and nextUp(1f); through double it would round down
        BigDecimal v = new BigDecimal(1 + 0x1p-24).add(new BigDecimal(0x1p-80));
        assertEquals(Math.nextUp(1f), toFloat(v));
        assertEquals(1f, toFloat(new BigDecimal(1 + 0x1p-24))); // exact tie -> even
        assertEquals(1 + 0x1p-52, toDouble(BigDecimal.ONE.add(new BigDecimal(0x1p-53)).add(new BigDecimal("1e-40"))));
        assertEquals(0.0, toDouble(new BigDecimal("1e-330")));
        assertEquals(Double.MIN_VALUE, toDouble(new BigDecimal("3e-324")));
        assertEquals(Double.POSITIVE_INFINITY, toDouble(new BigDecimal("1e309")));
        assertEquals(Double.MAX_VALUE, toDouble(new BigDecimal(Double.MAX_VALUE).add(BigDecimal.ONE)));
        assertEquals(Float.POSITIVE_INFINITY, toFloat(new BigDecimal("1e39")));
        assertEquals(Float.MAX_VALUE, toFloat(new BigDecimal(Float.MAX_VALUE).add(BigDecimal.ONE)));
        Random rnd = new Random(4);
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(rnd.nextLong() & 0x7fefffffffffffffL);
            BigDecimal exact = new BigDecimal(d);
            assertEquals(d, toDouble(exact));
            float f = (float) d;
            if (Float.isFinite(f) && f != 0f) {
                assertEquals(f, toFloat(new BigDecimal(f)));
            }
        }
    }
}
