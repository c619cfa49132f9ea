package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.Words;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.StateDict;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The character transformer's training step is PyTorch 1.13's: from the same initial weights on the same batches,
 * jgrad's per-step losses and final weights are PyTorch's (float64: to rounding; float32: to float32 drift).
 *
 * <p>The reference ({@code char_transformer_replay.safetensors}, 136 KB) is a run of 2 blocks × 2 heads × width 16
 * (7,755 parameters) on 400 of the bundled words (every 160th from line 7), batch 8, AdamW lr 0.01 weight decay 0.01,
 * 40 steps, float64, recorded and replayed by
 * <pre>
 * ./jgrad train --dataset words --data words400.txt --layers 2 --heads 2 --dim 16 --batch-size 8 --steps 40 \
 *     --eval-every 20 --lr 0.01 --dtype float64 --seed 7 --samples 0 --dump-run DIR
 * /usr/bin/python3 benchmarks/pytorch/char_transformer.py --replay DIR --write-reference char_transformer_replay.safetensors
 * </pre>
 * It holds {@code init.*} (the initial weights, drawn by jgrad), {@code final.*} (PyTorch's weights after step 40),
 * {@code batches [40, 8]} (indices into the training words), {@code losses [40]} (PyTorch's per-step losses) and, as
 * metadata, the settings and the training then test words (the vocabulary is the union's).
 */
class CharTransformerReplayTest {
    private static SafeTensors.Contents ref;
    private static Map<String, String> meta;
    private static Words words;

    @BeforeAll
    static void load() throws Exception {
        ref = SafeTensors.read(Path.of(CharTransformerReplayTest.class.getResource("char_transformer_replay.safetensors").toURI()));
        meta = ref.metadata();
        // the training words first, so that the recorded batch indices (into the training words) index this list too
        String text = (meta.get("train_words") + " " + meta.get("test_words")).replace(' ', '\n');
        words = Words.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "reference words");
    }

    private static int setting(String key) {
        return Integer.parseInt(meta.get(key));
    }

    /** The reference's model in {@code dtype}, holding the recorded initial weights. */
    private static CharTransformer initialModel(DType dtype) {
        CharTransformer m64 = new CharTransformer(words.vocabSize(), words.blockSize(), setting("dim"), setting("heads"), setting("layers"),
                new SplittableRandom(1), DType.FLOAT64);
        Map<String, RawTensor> init = new LinkedHashMap<>();
        ref.tensors().forEach((k, v) -> {
            if (k.startsWith("init.")) init.put(k.substring(5), v);
        });
        StateDict.load(init, m64, true);
        if (dtype == DType.FLOAT64) return m64;
        CharTransformer m = new CharTransformer(words.vocabSize(), words.blockSize(), setting("dim"), setting("heads"), setting("layers"),
                new SplittableRandom(1), dtype);
        StateDict.copy(m64.stateDict(), m, true);
        return m;
    }

    /**
     * Replays the recorded batches; returns the largest difference of the per-step losses from PyTorch's and of the
     * final weights from PyTorch's (relative to the largest weight).
     */
    private static double[] replay(DType dtype) {
        assertEquals(words.blockSize(), setting("block_size"));
        CharTransformer model = initialModel(dtype);
        Adam opt = Adam.adamW(model.parameters(), Double.parseDouble(meta.get("lr")), Double.parseDouble(meta.get("weight_decay")));
        int steps = setting("steps"), batch = setting("batch_size");
        LanguageModelTrainer trainer = new LanguageModelTrainer(model, opt, words, batch, 0);
        long[] batches = ref.tensor("batches").toLongs();
        double[] losses = ref.tensor("losses").toDoubles();
        assertEquals(steps, losses.length);
        double lossDiff = 0;
        for (int s = 0; s < steps; s++) {
            int[] picked = new int[batch];
            for (int i = 0; i < batch; i++) picked[i] = (int) batches[s * batch + i];
            double loss = trainer.step(picked);
            lossDiff = Math.max(lossDiff, Math.abs(loss - losses[s]));
        }
        double weightDiff = 0, scale = 0;
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            double[] want = ref.tensor("final." + e.getKey()).toDoubles(), got = e.getValue().toDoubleArray();
            for (int i = 0; i < want.length; i++) {
                weightDiff = Math.max(weightDiff, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
        }
        return new double[]{lossDiff, weightDiff / scale};
    }

    @Test
    void float64StepsArePyTorchsToRounding() {
        double[] d = replay(DType.FLOAT64);
        // measured: losses 1.8e-15, weights 1.9e-12 relative (Adam's division by √v amplifies the rounding of tiny moments)
        assertTrue(d[0] < 1e-12, "largest per-step loss difference from PyTorch " + d[0]);
        assertTrue(d[1] < 1e-9, "largest final weight difference from PyTorch (relative) " + d[1]);
    }

    @Test
    void float32StepsFollowPyTorchsFloat64Run() {
        double[] d = replay(DType.FLOAT32);
        // measured: losses 3.2e-7, weights 7.3e-4 relative
        assertTrue(d[0] < 1e-5, "largest per-step loss difference from PyTorch " + d[0]);
        assertTrue(d[1] < 1e-2, "largest final weight difference from PyTorch (relative) " + d[1]);
    }
}
