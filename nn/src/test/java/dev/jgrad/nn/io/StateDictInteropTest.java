package dev.jgrad.nn.io;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State dicts written by PyTorch (by gen_state_dicts.py, in F32, F64, F16 and BF16) load into the equivalent jgrad
 * models and give PyTorch's forward outputs; jgrad writes them back byte for byte; the F16/BF16 rounding agrees
 * with torch's.
 */
class StateDictInteropTest {
    private static final String DIR = "/dev/jgrad/nn/io/statedicts/";
    private static final List<String> DTYPES = List.of("F32", "F64", "F16", "BF16");

    @TempDir
    Path tmp;

    /** Eval-mode batch norm over features with PyTorch's parameter and buffer names (test-only stand-in). */
    static final class TestBatchNorm extends Module {
        final Tensor weight, bias, mean, var, count;

        TestBatchNorm(int n, DType dtype) {
            weight = registerParameter("weight", Tensor.ones(dtype, n));
            bias = registerParameter("bias", Tensor.zeros(dtype, n));
            mean = registerBuffer("running_mean", Tensor.zeros(dtype, n));
            var = registerBuffer("running_var", Tensor.ones(dtype, n));
            count = registerBuffer("num_batches_tracked", Tensor.scalar(0, dtype), true);
        }

        @Override
        public Tensor forward(Tensor x) {
            int rows = x.shape()[0], n = x.shape()[1];
            double[] out = new double[rows * n];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    out[i * n + j] = (x.get(i * n + j) - mean.get(j)) / Math.sqrt(var.get(j) + 1e-5) * weight.get(j) + bias.get(j);
                }
            }
            return Tensor.of(x.dtype(), out, rows, n);
        }
    }

    static Module mlp(DType dtype) {
        SplittableRandom rng = new SplittableRandom(9);
        return new Sequential(new Linear(3, 4, true, Init.XAVIER_UNIFORM, rng, dtype), new Activation(Activation.Kind.RELU),
                new Linear(4, 2, true, Init.XAVIER_UNIFORM, rng, dtype));
    }

    static Module bn(DType dtype) {
        return new Sequential(new Linear(3, 4, true, Init.XAVIER_UNIFORM, new SplittableRandom(9), dtype), new TestBatchNorm(4, dtype));
    }

    static Module model(String name, DType dtype) {
        return name.startsWith("mlp") ? mlp(dtype) : bn(dtype);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> expected() throws Exception {
        return (Map<String, Object>) HeaderJson.parse(new String(resource("expected.json"), StandardCharsets.UTF_8));
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = StateDictInteropTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new IOException("missing test resource " + DIR + name);
            return in.readAllBytes();
        }
    }

    Path copy(String name) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, resource(name));
        return f;
    }

    static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }

    static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(o -> ((BigInteger) o).intValueExact()).toArray();
    }

    @SuppressWarnings("unchecked")
    @Test
    void pytorchStateDictsGiveTorchForwardOutputs() throws Exception {
        Map<String, Object> exp = expected();
        Tensor x64 = Tensor.of(DType.FLOAT64, doubles(exp.get("input")), ints(exp.get("input_shape")));
        Map<String, Object> models = (Map<String, Object>) exp.get("models");
        for (String net : List.of("mlp", "bn")) {
            for (String dt : DTYPES) {
                String key = net + "_" + dt;
                Map<String, Object> m = (Map<String, Object>) models.get(key);
                double[] want = doubles(m.get("output"));
                // float64 model: every stored dtype widens exactly, so the float64 reference is matched closely
                Module model = model(net, DType.FLOAT64).eval();
                Map<String, String> meta = StateDict.load(copy(key + ".safetensors"), model);
                assertEquals(m.get("keys"), List.copyOf(model.stateDict().keySet()), key + ": PyTorch's state_dict order");
                assertEquals(net.equals("bn") ? Map.of("format", "pt") : Map.of(), meta, key);
                assertClose(want, model.forward(x64), 1e-12, key + " float64");
                if (net.equals("bn")) assertEquals(3.0, model.stateDict().get("1.num_batches_tracked").item(), key);
                // float32 model
                Module m32 = model(net, DType.FLOAT32).eval();
                StateDict.load(copy(key + ".safetensors"), m32);
                Tensor x32 = Tensor.of(DType.FLOAT32, doubles(exp.get("input")), ints(exp.get("input_shape")));
                assertClose(want, m32.forward(x32), 2e-5, key + " float32");
            }
        }
    }

    @Test
    void jgradWritesTheSameBytesAsPytorch() throws Exception {
        for (String net : List.of("mlp", "bn")) {
            for (String dt : DTYPES) {
                String key = net + "_" + dt;
                Module model = model(net, dt.equals("F32") ? DType.FLOAT32 : DType.FLOAT64);
                StateDict.load(copy(key + ".safetensors"), model);
                Path out = tmp.resolve("jgrad_" + key + ".safetensors");
                StateDict.save(out, model, ElementType.valueOf(dt), net.equals("bn") ? Map.of("format", "pt") : null);
                assertArrayEquals(resource(key + ".safetensors"), Files.readAllBytes(out), key + ": same bytes as save_file");
            }
        }
        // the default type is each tensor's own dtype
        Module m = mlp(DType.FLOAT64);
        StateDict.load(copy("mlp_F64.safetensors"), m);
        Path out = tmp.resolve("own.safetensors");
        StateDict.save(out, m);
        assertArrayEquals(resource("mlp_F64.safetensors"), Files.readAllBytes(out));
    }

    @Test
    void readerAcceptsAnyValidLayout() throws Exception {
        Module sorted = mlp(DType.FLOAT32), unsorted = mlp(DType.FLOAT64);
        StateDict.load(copy("mlp_F32.safetensors"), sorted);
        StateDict.load(copy("mlp_F32_unsorted.safetensors"), unsorted);
        for (String k : sorted.stateDict().keySet()) {
            Tensor a = sorted.stateDict().get(k), b = unsorted.stateDict().get(k);
            for (int i = 0; i < a.numel(); i++) assertEquals(a.get(i), b.get(i), k);
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void halfRoundingMatchesTorch() throws Exception {
        Map<String, Object> r = (Map<String, Object>) expected().get("rounding");
        int[] f32 = ints(r.get("float32_bits")), f16 = ints(r.get("f16_bits")), bf16 = ints(r.get("bf16_bits"));
        for (int i = 0; i < f32.length; i++) {
            float v = Float.intBitsToFloat(f32[i]);
            if (Float.isNaN(v)) {
                assertTrue(Double.isNaN(HalfFloats.fromFloat16Bits(HalfFloats.toFloat16Bits(v))));
                assertTrue(Double.isNaN(HalfFloats.fromBFloat16Bits(HalfFloats.toBFloat16Bits(v))));
                assertEquals(f16[i], HalfFloats.toFloat16Bits(v), "F16 NaN pattern");
                continue;
            }
            assertEquals(f16[i], HalfFloats.toFloat16Bits(v), "F16 of " + v);
            assertEquals(bf16[i], HalfFloats.toBFloat16Bits(v), "BF16 of " + v);
        }
    }

    private static void assertClose(double[] want, Tensor got, double tol, String what) {
        assertEquals(want.length, got.numel(), what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got.get(i), tol * Math.max(1, Math.abs(want[i])), what + " element " + i);
        }
    }
}
