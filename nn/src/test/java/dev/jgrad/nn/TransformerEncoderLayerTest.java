package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.jgrad.nn.MultiheadAttentionTest.close;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TransformerEncoderLayer against PyTorch 1.13's nn.TransformerEncoderLayer (dropout 0) with the same weights (the
 * resource {@code encoder_layer_reference.txt}, written by {@code conformance/tools/gen_encoder_layer.py}): outputs and
 * the gradients of the input and every parameter, float64 to 1e-12; names; the causal flag.
 */
class TransformerEncoderLayerTest {
    private static Map<String, Tensor> reference;

    private static synchronized Map<String, Tensor> reference() throws IOException {
        if (reference == null) reference = MultiheadAttentionTest.load("encoder_layer_reference.txt");
        return reference;
    }

    private static TransformerEncoderLayer layer(double[] cfg, long seed, DType dtype) {
        return new TransformerEncoderLayer((int) cfg[0], (int) cfg[1], (int) cfg[2], 0.0, cfg[3] == 1 ? "gelu" : "relu", 1e-5,
                cfg[5] == 1, cfg[4] == 1, new SplittableRandom(seed), dtype);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prenorm", "padding", "postnorm"})
    void matchesPyTorchOutputsAndGradients(String name) throws IOException {
        Map<String, Tensor> ref = reference();
        TransformerEncoderLayer layer = layer(ref.get(name + ".config").toDoubleArray(), 1, DType.FLOAT64);
        int n = 0;
        for (Map.Entry<String, Tensor> p : layer.namedParameters().entrySet()) {
            Tensor t = ref.get(name + ".param." + p.getKey());
            assertArrayEquals(t.shape(), p.getValue().shape(), p.getKey());
            for (int i = 0; i < t.numel(); i++) p.getValue().set(i, t.get(i));
            n++;
        }
        assertEquals(12, n);
        Tensor src = ref.get(name + ".src").copy().requiresGrad(true);
        Tensor out = layer.forward(src, ref.get(name + ".src_mask"), ref.get(name + ".src_key_padding_mask"), false);
        close(name + " output", ref.get(name + ".output"), out);
        Ops.sum(Ops.mul(out, ref.get(name + ".grad_output"))).backward();
        close(name + " grad src", ref.get(name + ".grad.src"), src.grad());
        for (Map.Entry<String, Tensor> p : layer.namedParameters().entrySet()) {
            close(name + " grad " + p.getKey(), ref.get(name + ".grad.param." + p.getKey()), p.getValue().grad());
        }
    }

    @Test
    void namesFollowPyTorchAndTheCausalFlagEqualsTheCausalMask() throws IOException {
        TransformerEncoderLayer layer = layer(reference().get("prenorm.config").toDoubleArray(), 2, DType.FLOAT64);
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
                List.copyOf(layer.namedParameters().keySet()));
        Tensor x = Tensor.randn(new SplittableRandom(3), DType.FLOAT64, 2, 5, 8);
        assertArrayEquals(layer.forward(x, reference().get("prenorm.src_mask"), null, false).toDoubleArray(),
                layer.forward(x, null, null, true).toDoubleArray(), 1e-15);
        assertArrayEquals(new int[]{2, 5, 8}, layer.forward(x).shape());
        TransformerEncoderLayer f32 = layer(reference().get("prenorm.config").toDoubleArray(), 2, DType.FLOAT32);
        assertEquals(DType.FLOAT32, f32.forward(Tensor.randn(new SplittableRandom(3), DType.FLOAT32, 2, 5, 8)).dtype());
    }

    @Test
    void badArgumentsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 16, 0, "tanh", 1e-5,
                true, true, new SplittableRandom(1), DType.FLOAT64));
        assertTrue(e.getMessage().contains("activation 'tanh'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 3, 16, 0, "relu", 1e-5, true, true,
                new SplittableRandom(1), DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 0, 0, "relu", 1e-5, true, true,
                new SplittableRandom(1), DType.FLOAT64));
    }
}
