package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.Words;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The character transformer and its training loop: shapes and names, causality, seeded sampling, learning. */
class LanguageModelTrainerTest {
    private static Words words() throws IOException {
        String text = "emma\nolivia\nava\nisabella\nsophia\ncharlotte\nmia\namelia\nharper\nevelyn\nabigail\nemily\nella\nelizabeth\n";
        return Words.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "names");
    }

    private static CharTransformer model(Words w, DType dtype) {
        return new CharTransformer(w.vocabSize(), w.blockSize(), 16, 2, 2, new SplittableRandom(7), dtype);
    }

    @Test
    void forwardShapesAndPyTorchNames() throws IOException {
        Words w = words();
        CharTransformer m = model(w, DType.FLOAT32);
        Tensor logits = m.forward(IntTensor.of(new int[]{0, 1, 2, 3, 0, 4, 5, 6}, 2, 4));
        assertArrayEquals(new int[]{2, 4, w.vocabSize()}, logits.shape());
        assertEquals(DType.FLOAT32, logits.dtype());
        List<String> names = List.copyOf(m.namedParameters().keySet());
        assertEquals(List.of("wte.weight", "wpe.weight", "h.0.self_attn.in_proj_weight"), names.subList(0, 3));
        assertTrue(names.contains("h.1.linear2.bias"), names.toString());
        assertEquals(List.of("ln_f.weight", "ln_f.bias", "lm_head.weight", "lm_head.bias"), names.subList(names.size() - 4, names.size()));
        assertArrayEquals(new int[]{w.blockSize(), 16}, m.namedParameters().get("wpe.weight").shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(IntTensor.of(new int[w.blockSize() + 1], 1, w.blockSize() + 1)));
        assertTrue(e.getMessage().contains("1 <= T <= blockSize " + w.blockSize()), e.getMessage());
    }

    @Test
    void aFutureTokenDoesNotChangeEarlierLogits() throws IOException {
        CharTransformer m = model(words(), DType.FLOAT64);
        int[] a = {0, 3, 5, 7, 2, 9}, b = a.clone();
        b[4] = 11;
        double[] la = m.forward(IntTensor.of(a, 1, 6)).toDoubleArray(), lb = m.forward(IntTensor.of(b, 1, 6)).toDoubleArray();
        int v = m.vocabSize();
        for (int i = 0; i < 4 * v; i++) assertEquals(la[i], lb[i], 0.0, "position " + i / v);
        boolean changed = false;
        for (int i = 4 * v; i < 5 * v; i++) changed |= la[i] != lb[i];
        assertTrue(changed, "position 4 sees its own token");
    }

    @Test
    void samplingIsSeededAndDeterministic() throws IOException {
        Words w = words();
        CharTransformer m = model(w, DType.FLOAT32);
        List<String> s1 = LanguageModelTrainer.sample(m, w, 8, 5), s2 = LanguageModelTrainer.sample(m, w, 8, 5);
        assertEquals(s1, s2);
        assertEquals(8, s1.size());
        assertNotEquals(s1, LanguageModelTrainer.sample(m, w, 8, 6));
        for (String s : s1) assertTrue(s.length() <= w.maxLength() && s.chars().allMatch(c -> c >= 'a' && c <= 'z'), s);
        assertTrue(m.isTraining(), "the mode is restored");
    }

    @Test
    void aFewStepsReduceTheLoss() throws IOException {
        Words w = words();
        CharTransformer m = model(w, DType.FLOAT32);
        LanguageModelTrainer t = new LanguageModelTrainer(m, Adam.adamW(m.parameters(), 1e-2, 0.01), w, 8, 3);
        double before = LanguageModelTrainer.evaluate(m, w);
        List<LanguageModelTrainer.Progress> h = t.fit(40, 20, w, null);
        assertEquals(2, h.size());
        assertEquals(40, t.steps());
        assertTrue(h.get(1).testLoss() < before - 0.5, before + " -> " + h.get(1).testLoss());
        assertTrue(h.get(1).trainLoss() < h.get(0).trainLoss(), h.toString());
        assertThrows(IllegalArgumentException.class, () -> new LanguageModelTrainer(m, Adam.adamW(m.parameters(), 1e-2), w, 0, 3));
    }

    @Test
    void recordedBatchesReplayToTheSameLosses() throws IOException {
        Words w = words();
        CharTransformer a = model(w, DType.FLOAT64);
        LanguageModelTrainer ta = new LanguageModelTrainer(a, Adam.adamW(a.parameters(), 1e-2, 0.01), w, 4, 11);
        List<int[]> batches = new java.util.ArrayList<>();
        List<Double> losses = new java.util.ArrayList<>();
        List<Long> steps = new java.util.ArrayList<>();
        ta.setStepListener((step, picked, loss) -> {
            steps.add(step);
            batches.add(picked.clone());
            losses.add(loss);
        });
        double[] returned = new double[6];
        for (int s = 0; s < 6; s++) returned[s] = ta.step();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
        for (int s = 0; s < 6; s++) assertEquals(returned[s], losses.get(s), 0.0, "the listener sees the step's loss");
        assertTrue(batches.stream().anyMatch(b -> !java.util.Arrays.equals(b, batches.get(0))), "fresh batches");
        // the same start fed the recorded batches takes the same steps, bit for bit
        CharTransformer b = model(w, DType.FLOAT64);
        LanguageModelTrainer tb = new LanguageModelTrainer(b, Adam.adamW(b.parameters(), 1e-2, 0.01), w, 4, 999);
        for (int s = 0; s < 6; s++) assertEquals(returned[s], tb.step(batches.get(s)), 0.0, "step " + (s + 1));
        assertEquals(6, tb.steps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tb.step(new int[]{0, 1, 2}));
        assertTrue(e.getMessage().contains("expected 4 word indices, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tb.step(new int[]{0, 1, 2, w.size()}));
        assertTrue(e.getMessage().contains("word index " + w.size() + " outside [0, " + w.size() + ")"), e.getMessage());
    }
}
