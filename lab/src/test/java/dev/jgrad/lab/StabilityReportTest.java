package dev.jgrad.lab;

import dev.jgrad.lab.StabilityReport.Family;
import dev.jgrad.core.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the stability report in-process (quick mode, C = 10: the same batches as the C = 10 rows of a full run)
 * and checks the documented behaviour of every strategy from the report's own data.
 */
class StabilityReportTest {

    /** "Within a few epsilon". */
    private static final double FEW_EPS = 8;
    private static final double LN_FLOAT_MAX = Math.log(Float.MAX_VALUE);   // 88.72
    private static final double LN_DOUBLE_MAX = Math.log(Double.MAX_VALUE); // 709.78

    private static StabilityReport report;

    @BeforeAll
    static void run() {
        report = StabilityReport.run(new StabilityReport.Settings(42, new int[]{10}, 0, 0, true));
    }

    private static List<StabilityEntry> rows(Family f, String strategy, DType dt) {
        List<StabilityEntry> r = report.entries(f, strategy, dt);
        assertFalse(r.isEmpty(), "no rows for " + strategy + " " + dt);
        return r;
    }

    private static StabilityEntry row(Family f, String strategy, DType dt, int classes, double scale) {
        return report.entry(f, strategy, dt, classes, scale)
                .orElseThrow(() -> new AssertionError("no row " + strategy + " " + dt + " C=" + classes + " scale " + scale));
    }

    private static double largestScale(DType dt) {
        double[] s = StabilityReport.scales(dt, true);
        return s[s.length - 1];
    }

    @Test
    void everyConfigurationIsPresentOnce() {
        int scales = StabilityReport.scales(DType.FLOAT32, true).length + StabilityReport.scales(DType.FLOAT64, true).length;
        assertEquals(scales * StabilityReport.softmaxStrategyNames().size(), report.entries(Family.SOFTMAX_CE).size());
        assertEquals(scales * StabilityReport.binaryStrategyNames().size(), report.entries(Family.BINARY).size());
        for (StabilityEntry e : report.entries()) {
            assertEquals(3, e.trials());
            assertTrue(e.nsPerRow() > 0, "timed: " + e);
            assertTrue(e.nonFiniteFraction() >= 0 && e.nonFiniteFraction() <= 1, e.toString());
            assertTrue(e.lossMedianErr() <= e.lossMaxErr() && e.gradMedianErr() <= e.gradMaxErr(), e.toString());
        }
    }

    @Test
    void fusedIsFiniteAndAccurateAtEveryScale() {
        for (DType dt : DType.values()) {
            for (StabilityEntry e : rows(Family.SOFTMAX_CE, "FUSED", dt)) {
                assertTrue(e.allFinite(), "FUSED non-finite: " + e);
                assertTrue(e.lossMaxErr() <= FEW_EPS, "FUSED loss error " + e.lossMaxErr() + " eps: " + e);
                // the gradient, measured against its natural size 1/N (what an optimizer step sees)
                assertTrue(e.gradMaxAbsErr() <= FEW_EPS, "FUSED absolute gradient error " + e.gradMaxAbsErr() + " eps/N: " + e);
                // (element-wise relative errors of entries far below 1/N are not bounded: see the report's findings)
            }
        }
    }

    @Test
    void naiveOverflowsAtTheDocumentedScales() {
        // logits are standard normal x scale, so the largest logit of the batches is about 3.4 x scale:
        // float32 exp overflows past 88.72 (between scales 10 and 30), float64 past 709.78 (between 100 and 700)
        assertEquals(OptionalDouble.of(30), report.firstNonFiniteScale(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT32, 10));
        assertEquals(OptionalDouble.of(10), report.lastFiniteScale(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT32, 10));
        assertEquals(OptionalDouble.of(700), report.firstNonFiniteScale(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT64, 10));
        assertEquals(OptionalDouble.of(100), report.lastFiniteScale(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT64, 10));
        // ... and that is where the largest logit crosses ln(MAX)
        assertTrue(row(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT32, 10, 10).maxExpArgument() < LN_FLOAT_MAX);
        assertTrue(row(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT32, 10, 30).maxExpArgument() > LN_FLOAT_MAX);
        assertTrue(row(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT64, 10, 100).maxExpArgument() < LN_DOUBLE_MAX);
        assertTrue(row(Family.SOFTMAX_CE, "NAIVE", DType.FLOAT64, 10, 700).maxExpArgument() > LN_DOUBLE_MAX);
        // once non-finite, it stays so at every larger scale
        for (DType dt : DType.values()) {
            double first = report.firstNonFiniteScale(Family.SOFTMAX_CE, "NAIVE", dt, 10).orElseThrow();
            for (StabilityEntry e : rows(Family.SOFTMAX_CE, "NAIVE", dt)) {
                assertEquals(e.scale() >= first, !e.allFinite(), e.toString());
            }
        }
    }

    @Test
    void epsClampIsFiniteButBiasedAtLargeScales() {
        for (DType dt : DType.values()) {
            for (StabilityEntry e : rows(Family.SOFTMAX_CE, "EPS_CLAMP(1e-7)", dt)) {
                assertTrue(e.allFinite(), "EPS_CLAMP is never non-finite: " + e);
            }
            StabilityEntry big = row(Family.SOFTMAX_CE, "EPS_CLAMP(1e-7)", dt, 10, 1e4);
            assertTrue(big.lossMaxErr() > 1e6, "EPS_CLAMP(1e-7) at scale 1e4 should be biased far beyond eps: " + big);
            // log(p + eps) >= log(p): the loss is biased low
            assertTrue(big.loss() < big.exactLoss() && big.lossRelativeBias() < -0.5, big.toString());
            StabilityEntry fused = row(Family.SOFTMAX_CE, "FUSED", dt, 10, 1e4);
            assertTrue(big.lossMaxErr() > 1e5 * Math.max(1, fused.lossMaxErr()), big + " vs " + fused);
        }
    }

    @Test
    void maxShiftIsNonFiniteAtLargeScales() {
        for (DType dt : DType.values()) {
            assertTrue(row(Family.SOFTMAX_CE, "MAX_SHIFT", dt, 10, 1).allFinite());
            StabilityEntry big = row(Family.SOFTMAX_CE, "MAX_SHIFT", dt, 10, largestScale(dt));
            assertFalse(big.allFinite(), "log of an underflowed probability must show: " + big);
            assertEquals(Double.POSITIVE_INFINITY, big.lossMaxErr());
            // its forward is stable: it stays finite beyond the scale where NAIVE overflows ... in float64 at least
        }
        assertTrue(row(Family.SOFTMAX_CE, "MAX_SHIFT", DType.FLOAT64, 10, 100).allFinite());
    }

    @Test
    void binaryFusedIsFiniteEverywhereAndLogisticNaiveOverflowsPastLnMax() {
        for (DType dt : DType.values()) {
            for (String st : List.of("FUSED", "LOGISTIC_SOFTPLUS")) {
                for (StabilityEntry e : rows(Family.BINARY, st, dt)) {
                    assertTrue(e.allFinite(), st + " non-finite: " + e);
                    assertTrue(e.lossMaxErr() <= FEW_EPS, st + " loss error: " + e);
                }
            }
            double lnMax = dt == DType.FLOAT32 ? LN_FLOAT_MAX : LN_DOUBLE_MAX;
            List<StabilityEntry> naive = rows(Family.BINARY, "LOGISTIC_NAIVE", dt);
            for (StabilityEntry e : naive) {
                // exactly the overflow rule: non-finite iff some margin -y·x exceeds ln(MAX)
                assertEquals(e.maxExpArgument() > lnMax, !e.allFinite(), "overflow past ln(MAX) = " + lnMax + ": " + e);
            }
            assertFalse(row(Family.BINARY, "LOGISTIC_NAIVE", dt, 2, largestScale(dt)).allFinite());
        }
        // float32: ln(FLT_MAX) = 88.7 lies between the largest logits at scales 10 and 30
        assertEquals(OptionalDouble.of(30), report.firstNonFiniteScale(Family.BINARY, "LOGISTIC_NAIVE", DType.FLOAT32));
    }

    @Test
    void writesMarkdownCsvAndCharts(@TempDir Path dir) throws IOException {
        StabilityOutput out = new StabilityOutput(report);
        List<Path> files = out.writeAll(dir);
        assertEquals(List.of(dir.resolve("stability.md"), dir.resolve("stability.csv"), dir.resolve("stability.png"),
                dir.resolve("stability-binary.png")), files);
        String md = Files.readString(dir.resolve("stability.md"));
        assertTrue(md.contains("## Findings"));
        assertTrue(md.contains("## Softmax cross-entropy") && md.contains("## Binary losses"));
        assertTrue(md.contains("| strategy | dtype | classes | scale | loss max err (eps) |"));
        assertTrue(md.contains("| FUSED | float64 | 10 | 1e300 |"), md);
        // the findings are computed: NAIVE's float32 threshold as measured above
        assertTrue(md.contains("**NAIVE** (float32): C=10: first non-finite at scale 30"), md);
        List<String> csv = Files.readAllLines(dir.resolve("stability.csv"));
        assertEquals(report.entries().size() + 1, csv.size());
        assertTrue(csv.get(0).startsWith("family,strategy,dtype,classes,scale,"));
        int columns = csv.get(0).split(",", -1).length;
        for (String line : csv) assertEquals(columns, line.split(",", -1).length, line);
        byte[] pngMagic = {(byte) 0x89, 'P', 'N', 'G'};
        for (String png : List.of("stability.png", "stability-binary.png")) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertTrue(b.length > 1000, png);
            assertArrayEquals(pngMagic, java.util.Arrays.copyOf(b, 4), png);
        }
        // non-finite points are dropped from the log-log chart, and the legend says so
        assertTrue(out.chart(Family.SOFTMAX_CE).panels().get(0).droppedPoints() > 0);
    }

    @Test
    void errorMetricUsesRelativeOrAbsoluteCriterion() {
        // normal exact value: relative error
        assertEquals(0.5, StabilityReport.error(1.5, 1.0, 0.0, Double.MIN_NORMAL, 0.25), 0);
        // exact 0 or subnormal: absolute error divided by the 1/N scale
        assertEquals(4e-300 / 0.25, StabilityReport.error(4e-300, 0.0, 0.0, 1e-290, 0.25), 0);
        assertEquals(Double.POSITIVE_INFINITY, StabilityReport.error(Double.NaN, 1.0, 0.0, Double.MIN_NORMAL, 1));
        // the low part of the reference is honoured: exact 1 + 2^-53 (hi 1, lo 2^-53) vs 1 + 2^-52 is half an eps off
        assertEquals(0x1p-53, StabilityReport.error(1.0 + 0x1p-52, 1.0, 0x1p-53, Double.MIN_NORMAL, 1), 0);
        assertEquals(3.0, StabilityReport.median(new double[]{5, 1, 3}), 0);
        assertEquals(Double.POSITIVE_INFINITY, StabilityReport.median(new double[]{1, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}));
    }
}
