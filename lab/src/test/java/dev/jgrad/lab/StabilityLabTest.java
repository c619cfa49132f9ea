package dev.jgrad.lab;

import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab API on a small grid: findings pinned from the report's own data, and the files it writes. */
class StabilityLabTest {
    private static final Precision FP16 = Precision.of(Format.FLOAT16, Format.FLOAT16);
    private static final Precision BF16 = Precision.of(Format.BFLOAT16, Format.BFLOAT16);
    private static final Precision BF16_F32 = Precision.of(Format.BFLOAT16, Format.FLOAT32);
    private static final Precision FP64 = Precision.of(Format.FLOAT64, Format.FLOAT64);

    private static LabReport report;

    @BeforeAll
    static void run() {
        report = StabilityLab.builder().builtInStrategies()
                .precisions(FP16, BF16, BF16_F32, FP64, Precision.AUTOCAST_CPU)
                .summations(Summation.PLAIN, Summation.PAIRWISE)
                .classes(10, 1000).scales(1, 10, 100).rows(8).trials(2)
                .run();
    }

    private static LabEntry entry(String st, Precision p, Summation s, int k, double scale) {
        return report.entry(st, p.name(), s, k, scale).orElseThrow(() -> new AssertionError(st + " " + p + " " + s + " " + k + " " + scale));
    }

    @Test
    void everyConfigurationOnce() {
        assertEquals(6 * 5 * 2 * 2 * 3, report.entries().size());
        for (LabEntry e : report.entries()) {
            assertEquals(2, e.trials());
            assertEquals(8, e.rows());
            assertTrue(e.lossMedianErr() <= e.lossMaxErr(), e.toString());
        }
    }

    @Test
    void float16NaiveOverflowsOnceALogitPassesLn65504() {
        // logits ~ N(0,1)·scale: at scale 1 the largest is below ln(65504) = 11.09, at scale 10 far above
        for (int k : new int[]{10, 1000}) {
            LabEntry ok = entry("NAIVE", FP16, Summation.PAIRWISE, k, 1);
            assertTrue(ok.allFinite() && ok.maxLogit() < Math.log(65504), ok.toString());
            LabEntry bad = entry("NAIVE", FP16, Summation.PAIRWISE, k, 10);
            assertFalse(bad.allFinite(), bad.toString());
            assertTrue(bad.maxLogit() > Math.log(65504));
            // the max shift fixes it
            assertTrue(entry("TWO_PASS", FP16, Summation.PAIRWISE, k, 10).allFinite());
            assertTrue(entry("ONLINE", FP16, Summation.PAIRWISE, k, 10).allFinite());
        }
        assertEquals(OptionalDouble.of(10), report.firstNonFiniteScale("NAIVE", FP16.name(), Summation.PLAIN));
    }

    @Test
    void pytorchEagerBfloat16AndAutocastPassAssertClose() {
        // bfloat16 storage with float32 accumulation (PyTorch's CPU kernels) and autocast pass everywhere
        for (Summation s : List.of(Summation.PLAIN, Summation.PAIRWISE)) {
            for (Precision p : List.of(BF16_F32, Precision.AUTOCAST_CPU)) {
                for (String st : List.of("TWO_PASS", "ONLINE")) {
                    for (LabEntry e : report.entries(st, p.name(), s)) {
                        assertTrue(e.accepted(), e.toString());
                        assertTrue(e.lossMaxErr() <= 2, e.toString());
                    }
                }
            }
        }
        // float64 against the 40-digit reference: a few eps
        for (LabEntry e : report.entries("TWO_PASS", FP64.name(), Summation.PLAIN)) {
            assertTrue(e.lossMaxErr() <= 4, e.toString());
        }
    }

    @Test
    void bfloat16AccumulationLosesTheSumAtLargeClassCountsAndPairwiseSavesIt() {
        LabReport big = StabilityLab.builder().builtInStrategies("TWO_PASS").precisions(BF16, BF16_F32)
                .summations(Summation.PLAIN, Summation.PAIRWISE, Summation.COMPENSATED).classes(128_000).scales(1).rows(1).trials(1).run();
        LabEntry plain = big.entry("TWO_PASS", BF16.name(), Summation.PLAIN, 128_000, 1).orElseThrow();
        LabEntry pairwise = big.entry("TWO_PASS", BF16.name(), Summation.PAIRWISE, 128_000, 1).orElseThrow();
        LabEntry wide = big.entry("TWO_PASS", BF16_F32.name(), Summation.PLAIN, 128_000, 1).orElseThrow();
        // the running bfloat16 sum of 128000 terms exp(x - m) ~ 0.01 stalls once its ulp/2 exceeds a term
        assertTrue(plain.lossMaxErr() > 10 && plain.lossAccepted() == 0, plain.toString());
        assertTrue(pairwise.lossMaxErr() < 2 && pairwise.lossAccepted() == 1, pairwise.toString());
        assertTrue(wide.lossMaxErr() < 1 && wide.accepted(), wide.toString());
        assertTrue(plain.loss() < plain.exactLoss(), "a stalled sum underestimates the loss: " + plain);
    }

    @Test
    void customStrategyAndRejectedArguments() {
        LabReport r = StabilityLab.builder().precisions(BF16_F32).summations(Summation.PLAIN).classes(10).scales(1).rows(4).trials(1)
                .compare("LOSS_ONLY", (a, x, t) -> dev.jgrad.lab.precision.CrossEntropyStrategy.RowLoss.lossOnly(
                        dev.jgrad.lab.precision.Strategies.TWO_PASS.row(a, x, t).loss()));
        LabEntry e = r.entry("LOSS_ONLY", BF16_F32.name(), Summation.PLAIN, 10, 1).orElseThrow();
        assertTrue(Double.isNaN(e.gradMaxAbsErr()) && Double.isNaN(e.gradAccepted()) && e.accepted(), e.toString());
        assertEquals(7, r.settings().strategies().size()); // the six built-in ones first
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> StabilityLab.builder().builtInStrategies().builtInStrategies("TWO_PASS"));
        assertTrue(ex.getMessage().contains("'TWO_PASS' is registered twice"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> StabilityLab.builder().builtInStrategies("SOFTMAX"));
        assertTrue(ex.getMessage().contains("unknown strategy 'SOFTMAX'"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StabilityLab.builder().classes(1));
        assertThrows(IllegalArgumentException.class, () -> StabilityLab.builder().scales(0));
        assertThrows(IllegalArgumentException.class, () -> StabilityLab.builder().jgradStrategy("FUSED", (x, t) -> x));
    }

    @Test
    void writesMarkdownCsvAndChart(@TempDir Path dir) throws IOException {
        List<Path> files = report.writeAll(dir);
        assertEquals(List.of(dir.resolve(LabReport.MARKDOWN), dir.resolve(LabReport.CSV), dir.resolve(LabReport.CHART)), files);
        String md = Files.readString(dir.resolve(LabReport.MARKDOWN));
        assertTrue(md.contains("## Findings") && md.contains("## K = 1000"), md);
        assertTrue(md.contains("**NAIVE** (plain sums): non-finite in float16 from scale 10"), md);
        assertTrue(md.contains("| autocast-cpu | plain | "), md);
        List<String> csv = Files.readAllLines(dir.resolve(LabReport.CSV));
        assertEquals(report.entries().size() + 1, csv.size());
        int cols = csv.get(0).split(",", -1).length;
        for (String line : csv) assertEquals(cols, line.split(",", -1).length, line);
        byte[] png = Files.readAllBytes(dir.resolve(LabReport.CHART));
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    }
}
