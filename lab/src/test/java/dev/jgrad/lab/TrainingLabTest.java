package dev.jgrad.lab;

import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training the digits MLP in emulated precisions: the divergence of NAIVE in float16, found and located. */
class TrainingLabTest {
    private static final Precision FP16_F32 = Precision.of(Format.FLOAT16, Format.FLOAT32);
    private static final Precision BF16 = Precision.of(Format.BFLOAT16, Format.BFLOAT16);

    @Test
    void naiveDivergesInFloat16WhileTheMaxShiftTrains(@TempDir Path dir) throws Exception {
        LabReport r = StabilityLab.builder().builtInStrategies("NAIVE", "TWO_PASS")
                .precisions(FP16_F32).summations(Summation.PLAIN).classes(10).scales(1).rows(4).trials(1)
                .training(new TrainingLab.Settings(120, 64, 32, 0.5, 42), FP16_F32, BF16)
                .run();
        List<TrainingLab.Run> runs = r.training();
        assertEquals(4, runs.size());
        TrainingLab.Run naive = runs.get(0), naiveBf16 = runs.get(1), shifted = runs.get(2), shiftedBf16 = runs.get(3);
        assertEquals("NAIVE", naive.strategy());
        assertEquals(FP16_F32, naive.precision());
        // the logits grow past ln(65504) = 11.09 while training: exp overflows, the loss is non-finite at step 106
        assertTrue(naive.diverged(), "NAIVE float16 should diverge");
        assertEquals(106, naive.divergedAt());
        assertEquals(106, naive.losses().length);
        assertFalse(Double.isFinite(naive.losses()[105]));
        assertTrue(Double.isNaN(naive.accuracy()));
        // bfloat16 has float32's exponent range: no overflow
        assertFalse(naiveBf16.diverged());
        for (TrainingLab.Run ok : List.of(shifted, shiftedBf16)) {
            assertFalse(ok.diverged(), ok.strategy() + " " + ok.precision());
            assertEquals(120, ok.losses().length);
            assertTrue(ok.losses()[0] > 2 && ok.finalLoss() < 0.5, ok.strategy() + " " + ok.precision() + " final loss " + ok.finalLoss());
            assertTrue(ok.accuracy() > 0.9, "accuracy " + ok.accuracy());
        }
        // NAIVE is the same computation as TWO_PASS until it overflows: the curves agree early on
        assertEquals(shifted.losses()[0], naive.losses()[0], 2e-3 * shifted.losses()[0]);
        List<Path> files = r.writeAll(dir);
        assertTrue(files.contains(dir.resolve(LabReport.TRAINING_CHART)) && Files.size(dir.resolve(LabReport.TRAINING_CHART)) > 1000);
        String md = Files.readString(dir.resolve(LabReport.MARKDOWN));
        assertTrue(md.contains("| NAIVE | float16/acc=float32 | plain | – | – | 106 |"), md);
        assertEquals(0, TrainingLab.chart(runs).panels().size() - 2);
    }
}
