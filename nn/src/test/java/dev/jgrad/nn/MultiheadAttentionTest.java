package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * MultiheadAttention against PyTorch 1.13's nn.MultiheadAttention with the same weights (the resource
 * {@code mha_reference.txt}, written by {@code conformance/tools/gen_mha.py}): outputs, head-averaged weights and the
 * gradients of the inputs and parameters, float64 to 1e-12; names and initialisation.
 */
class MultiheadAttentionTest {
    private static Map<String, Tensor> reference;

    private static synchronized Map<String, Tensor> reference() throws IOException {
        if (reference == null) reference = load("mha_reference.txt");
        return reference;
    }

    /** Reads a reference resource of this package (the format of {@code conformance/tools/gen_mha.py}). */
    static Map<String, Tensor> load(String resource) throws IOException {
        Map<String, Tensor> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                MultiheadAttentionTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(" ");
                int[] shape = f[1].equals("-") ? new int[0] : java.util.Arrays.stream(f[1].split(",")).mapToInt(Integer::parseInt).toArray();
                double[] v = new double[f.length - 2];
                for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[i + 2].replace("inf", "Infinity"));
                m.put(f[0], Tensor.of(DType.FLOAT64, v, shape));
            }
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cross", "self", "nobias"})
    void matchesPyTorchOutputsWeightsAndGradients(String name) throws IOException {
        Map<String, Tensor> ref = reference();
        double[] cfg = ref.get(name + ".config").toDoubleArray();
        boolean self = cfg[3] == 1;
        MultiheadAttention mha = new MultiheadAttention((int) cfg[0], (int) cfg[1], cfg[4] == 1, cfg[2] == 1,
                new SplittableRandom(1), DType.FLOAT64);
        for (Map.Entry<String, Tensor> p : mha.namedParameters().entrySet()) {
            Tensor t = ref.get(name + ".param." + p.getKey());
            assertArrayEquals(t.shape(), p.getValue().shape(), p.getKey());
            for (int i = 0; i < t.numel(); i++) p.getValue().set(i, t.get(i));
        }
        assertEquals(cfg[4] == 1 ? 4 : 2, mha.namedParameters().size());
        Tensor q = ref.get(name + ".query").copy().requiresGrad(true);
        Tensor k = self ? q : ref.get(name + ".key").copy().requiresGrad(true);
        Tensor v = self ? q : ref.get(name + ".value").copy().requiresGrad(true);
        MultiheadAttention.Output out = mha.forward(q, k, v, ref.get(name + ".attn_mask"), ref.get(name + ".key_padding_mask"), true, false);
        close(name + " output", ref.get(name + ".output"), out.output());
        close(name + " weights", ref.get(name + ".weights"), out.weights());
        Ops.add(Ops.sum(Ops.mul(out.output(), ref.get(name + ".grad_output"))),
                Ops.sum(Ops.mul(out.weights(), ref.get(name + ".grad_weights")))).backward();
        close(name + " grad query", ref.get(name + ".grad.query"), q.grad());
        if (!self) {
            close(name + " grad key", ref.get(name + ".grad.key"), k.grad());
            close(name + " grad value", ref.get(name + ".grad.value"), v.grad());
        }
        for (Map.Entry<String, Tensor> p : mha.namedParameters().entrySet()) {
            close(name + " grad " + p.getKey(), ref.get(name + ".grad.param." + p.getKey()), p.getValue().grad());
        }
    }

    static void close(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.get(i), a = actual.get(i);
            if (!(Math.abs(a - e) <= 1e-12 + 1e-12 * Math.abs(e))) fail(what + "[" + i + "]: expected " + e + " but was " + a);
        }
    }

    @Test
    void causalSelfAttentionEqualsTheExplicitCausalMaskAlsoWithKeyPadding() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, true, new SplittableRandom(2), DType.FLOAT64);
        Tensor x = Tensor.randn(new SplittableRandom(3), DType.FLOAT64, 2, 5, 4);
        Tensor causal = Ops.attentionMask(Tensor.of(DType.FLOAT64, new double[]{
                1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1}, 5, 5));
        Tensor pad = Tensor.of(DType.FLOAT64, new double[]{0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, 2, 5);
        assertArrayEquals(mha.forward(x, x, x, causal, null, false, false).output().toDoubleArray(),
                mha.forward(x, x, x, null, null, false, true).output().toDoubleArray(), 1e-15);
        assertArrayEquals(mha.forward(x, x, x, causal, pad, false, false).output().toDoubleArray(),
                mha.forward(x, x, x, null, pad, false, true).output().toDoubleArray(), 1e-15);
        assertNull(mha.forward(x, x, x, null, null, false, true).weights());
        Tensor one = mha.forward(Ops.select(x, 0, 1)); // unbatched
        assertArrayEquals(Ops.select(mha.forward(x), 0, 1).toDoubleArray(), one.toDoubleArray(), 1e-15);
    }

    @Test
    void parametersAreNamedAndInitialisedAsInPyTorch() {
        MultiheadAttention mha = new MultiheadAttention(8, 2, true, false, new SplittableRandom(4), DType.FLOAT32);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(mha.namedParameters().keySet()));
        assertArrayEquals(new int[]{24, 8}, mha.inProjWeight().shape());
        double xavier = Math.sqrt(6.0 / (8 + 24)), linear = 1 / Math.sqrt(8);
        double maxIn = 0, maxOut = 0;
        for (double w : mha.inProjWeight().toDoubleArray()) maxIn = Math.max(maxIn, Math.abs(w));
        for (double w : mha.outProj().weight().toDoubleArray()) maxOut = Math.max(maxOut, Math.abs(w));
        assertTrue(maxIn <= xavier && maxIn > 0.8 * xavier, "xavier bound");
        assertTrue(maxOut <= linear && maxOut > 0.7 * linear, "Linear's default bound");
        assertArrayEquals(new double[24], mha.inProjBias().toDoubleArray());
        assertArrayEquals(new double[8], mha.outProj().bias().toDoubleArray());
        assertEquals(List.of("in_proj_weight", "out_proj.weight"),
                List.copyOf(new MultiheadAttention(8, 2, false, false, new SplittableRandom(4), DType.FLOAT32).namedParameters().keySet()));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4, true, true, new SplittableRandom(1), DType.FLOAT64));
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, true, new SplittableRandom(1), DType.FLOAT64);
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(DType.FLOAT64, 2, 3, 5)));
        assertTrue(e.getMessage().contains("query [2, 3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, Tensor.zeros(DType.FLOAT64, 3, 4), null, false, false));
        assertTrue(e.getMessage().contains("attnMask [3, 4] must be [L, S] = [3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, null, Tensor.zeros(DType.FLOAT64, 3), false, false));
        assertTrue(e.getMessage().contains("keyPaddingMask [3] must be [N, S] = [2, 3]"), e.getMessage());
    }
}
