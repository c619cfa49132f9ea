package dev.jgrad.nn.io;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Cnn;
import dev.jgrad.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny CNN trained a few steps in PyTorch (gen_cnn_state_dict.py: conv, batch norm, max pooling, linear layers) loads
 * from its plain safetensors state dict into {@link Cnn#of} and gives PyTorch's eval-mode logits, batch-norm running
 * statistics included: float64 to 1e-12, float32 to 1e-5.
 */
class CnnStateDictTest {

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    @Test
    void pytorchTrainedCnnGivesTorchLogits() throws Exception {
        Map<String, Object> exp = (Map<String, Object>) HeaderJson.parse(new String(
                StateDictInteropTest.resource("cnn_expected.json"), StandardCharsets.UTF_8));
        double[] input = StateDictInteropTest.doubles(exp.get("input"));
        int[] shape = StateDictInteropTest.ints(exp.get("input_shape"));
        Map<String, Object> models = (Map<String, Object>) exp.get("models");
        for (String dt : List.of("F32", "F64")) {
            Map<String, Object> m = (Map<String, Object>) models.get("cnn_" + dt);
            double[] want = StateDictInteropTest.doubles(m.get("output"));
            Path file = tmp.resolve("cnn_" + dt + ".safetensors");
            Files.write(file, StateDictInteropTest.resource("cnn_" + dt + ".safetensors"));
            for (DType dtype : DType.values()) {
                // a different seed than PyTorch's: every value must come from the file
                Module model = Cnn.of(1, 8, 8, 3, 4, 8, 16, 0.25, 99, dtype);
                StateDict.LoadResult r = StateDict.load(file, model, true);
                assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), dt + ": " + r);
                assertEquals(m.get("keys"), List.copyOf(model.stateDict().keySet()), dt + ": PyTorch's state_dict names and order");
                assertEquals(5.0, model.stateDict().get("2.num_batches_tracked").item(), dt);
                model.eval();
                Tensor logits = model.forward(Tensor.of(dtype, input, shape));
                assertEquals(List.of(6, 3), List.of(logits.size(0), logits.size(1)));
                // float64 weights from an F32 file are the float32 values widened exactly
                double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], logits.get(i), tol * Math.max(1, Math.abs(want[i])), dt + " into " + dtype + ", logit " + i);
                }
            }
        }
    }
}
