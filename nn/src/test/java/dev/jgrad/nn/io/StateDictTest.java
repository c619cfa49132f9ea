package dev.jgrad.nn.io;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.StateDictInteropTest.TestBatchNorm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** StateDict round trips, F16/BF16 rounding edge cases, every error path (module unchanged), checkpoints with buffers. */
class StateDictTest {
    @TempDir
    Path tmp;

    static Module net(DType dtype) {
        return StateDictInteropTest.bn(dtype);
    }

    /** Distinct values everywhere, including non-finite ones in a buffer. */
    static Module filled(DType dtype) {
        Module m = net(dtype);
        int k = 0;
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0; i < t.numel(); i++) t.set(i, e.getKey().endsWith("num_batches_tracked") ? 7 : 0.1 * (++k) - 1.3);
        }
        Tensor var = m.stateDict().get("1.running_var");
        var.set(0, Double.POSITIVE_INFINITY);
        var.set(1, Double.NaN);
        var.set(2, Double.NEGATIVE_INFINITY);
        return m;
    }

    static List<Double> values(Module m) {
        List<Double> out = new ArrayList<>();
        m.stateDict().values().forEach(t -> {
            for (int i = 0; i < t.numel(); i++) out.add(t.get(i));
        });
        return out;
    }

    @Test
    void roundTripsExactlyInF32AndF64AndRoundsInF16AndBF16() throws IOException {
        for (DType dt : DType.values()) {
            Module src = filled(dt);
            for (ElementType et : List.of(ElementType.F32, ElementType.F64, ElementType.F16, ElementType.BF16)) {
                Path f = tmp.resolve(dt + "_" + et + ".safetensors");
                StateDict.save(f, src, et);
                Module dst = net(dt);
                assertEquals(Map.of(), StateDict.load(f, dst));
                List<Double> want = new ArrayList<>();
                Map<String, Tensor> sd = src.stateDict();
                for (String k : sd.keySet()) {
                    Tensor t = sd.get(k);
                    for (int i = 0; i < t.numel(); i++) {
                        double v = t.get(i);
                        double r = switch (et) {
                            case F16 -> HalfFloats.fromFloat16Bits(HalfFloats.toFloat16Bits(v));
                            case BF16 -> HalfFloats.fromBFloat16Bits(HalfFloats.toBFloat16Bits(v));
                            case F32 -> (float) v;
                            default -> v;
                        };
                        want.add(k.endsWith("num_batches_tracked") ? v : dst.stateDict().get(k).storage().round(r));
                    }
                }
                assertEquals(want, values(dst), dt + " via " + et);
                SafeTensors.Contents c = SafeTensors.read(f);
                assertEquals(ElementType.I64, c.tensor("1.num_batches_tracked").dtype());
                assertEquals(0, c.tensor("1.num_batches_tracked").rank());
                assertEquals(et, c.tensor("0.weight").dtype());
                assertTrue(!c.crc32Verified() && c.metadata().isEmpty(), "a plain file: no jgrad metadata");
            }
        }
    }

    @Test
    void halfPrecisionRoundingEdgeCases() {
        // ties to even, just above a tie, double rounding avoided (the float of this value is a tie)
        assertEquals(0x3C00, HalfFloats.toFloat16Bits(1 + 0x1p-11));
        assertEquals(0x3C02, HalfFloats.toFloat16Bits(1 + 3 * 0x1p-11));
        assertEquals(0x3C01, HalfFloats.toFloat16Bits(1 + 0x1p-11 + 0x1p-40));
        assertEquals(0x3C00, HalfFloats.toFloat16Bits((float) (1 + 0x1p-11 + 0x1p-40)));
        // subnormals, underflow to signed zero
        assertEquals(0x0001, HalfFloats.toFloat16Bits(0x1p-24));
        assertEquals(0x0000, HalfFloats.toFloat16Bits(0x1p-25));
        assertEquals(0x0001, HalfFloats.toFloat16Bits(0x1.8p-25));
        assertEquals(0x8000, HalfFloats.toFloat16Bits(-1e-30));
        assertEquals(0x0400, HalfFloats.toFloat16Bits(0x1p-14 - 0x1p-26));
        assertEquals(0x03FF, HalfFloats.toFloat16Bits(0x1p-14 - 0x1p-24));
        // overflow: 65504 is the largest finite, 65520 rounds (tie to even) to 2^16 = infinity
        assertEquals(0x7BFF, HalfFloats.toFloat16Bits(65519.99));
        assertEquals(0x7C00, HalfFloats.toFloat16Bits(65520));
        assertEquals(0xFC00, HalfFloats.toFloat16Bits(-1e300));
        assertEquals(0x7C00, HalfFloats.toFloat16Bits(Double.POSITIVE_INFINITY));
        assertEquals(0x7E00, HalfFloats.toFloat16Bits(Double.NaN));
        assertEquals(0x8000, HalfFloats.toFloat16Bits(-0.0));
        // bfloat16
        assertEquals(0x3F80, HalfFloats.toBFloat16Bits(1 + 0x1p-8));
        assertEquals(0x3F82, HalfFloats.toBFloat16Bits(1 + 3 * 0x1p-8));
        assertEquals(0x0001, HalfFloats.toBFloat16Bits(0x1p-133));
        assertEquals(0x0000, HalfFloats.toBFloat16Bits(0x1p-134));
        assertEquals(0x7F7F, HalfFloats.toBFloat16Bits(0x1.fefp127));
        assertEquals(0x7F80, HalfFloats.toBFloat16Bits(0x1.ffp127));
        assertEquals(0x7F80, HalfFloats.toBFloat16Bits(Float.MAX_VALUE));
        assertEquals(0xFF80, HalfFloats.toBFloat16Bits(Double.NEGATIVE_INFINITY));
        assertEquals(0x7FC0, HalfFloats.toBFloat16Bits(Double.NaN));
        // every pattern widens exactly and narrows back to itself (NaNs stay NaN)
        for (int b = 0; b < 0x10000; b++) {
            double h = HalfFloats.fromFloat16Bits(b), bf = HalfFloats.fromBFloat16Bits(b);
            if (Double.isNaN(h)) assertTrue(Double.isNaN(HalfFloats.fromFloat16Bits(HalfFloats.toFloat16Bits(h))));
            else assertEquals(b, HalfFloats.toFloat16Bits(h), "F16 pattern " + b);
            if (Double.isNaN(bf)) assertTrue(Double.isNaN(bf));
            else {
                assertEquals(b, HalfFloats.toBFloat16Bits(bf), "BF16 pattern " + b);
                assertEquals(Float.intBitsToFloat(b << 16), (float) bf, "BF16 is the top half of a float");
            }
        }
    }

    @Test
    void integralBuffersLoadFromI64AndI32() {
        Module m = net(DType.FLOAT32);
        Map<String, RawTensor> sd = rawState(filled(DType.FLOAT32));
        sd.put("1.num_batches_tracked", RawTensor.convert(ElementType.I32, new double[] {11}, new long[0]));
        StateDict.load(sd, m, true);
        assertEquals(11.0, m.stateDict().get("1.num_batches_tracked").item());
    }

    static Map<String, RawTensor> rawState(Module m) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        Map<String, Tensor> sd = m.stateDict();
        for (String k : sd.keySet()) {
            Tensor t = sd.get(k);
            double[] v = new double[t.numel()];
            for (int i = 0; i < v.length; i++) v[i] = t.get(i);
            long[] shape = java.util.Arrays.stream(t.shape()).asLongStream().toArray();
            out.put(k, RawTensor.convert(m.integralBuffers().contains(k) ? ElementType.I64 : ElementType.F64, v, shape));
        }
        return out;
    }

    /** The load fails with every fragment in the message and leaves the module exactly as it was. */
    private static void assertRejected(Map<String, RawTensor> sd, boolean strict, String... fragments) {
        Module m = filled(DType.FLOAT64);
        List<Double> before = values(m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(sd, m, strict));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage() + " lacks: " + f);
        assertEquals(before.toString(), values(m).toString(), "module unchanged");
    }

    @Test
    void mismatchesAreRejectedWithoutChangingTheModule() {
        Map<String, RawTensor> good = rawState(net(DType.FLOAT64));
        Map<String, RawTensor> sd = new LinkedHashMap<>(good);
        sd.remove("0.bias");
        sd.remove("1.running_mean");
        assertRejected(sd, true, "missing keys [0.bias, 1.running_mean]");
        sd = new LinkedHashMap<>(good);
        sd.put("2.weight", RawTensor.ofFloats(new float[] {1}));
        assertRejected(sd, true, "unexpected keys [2.weight]");
        sd = new LinkedHashMap<>(good);
        sd.put("0.weight", RawTensor.convert(ElementType.F32, new double[12], new long[] {3, 4}));
        assertRejected(sd, false, "parameter '0.weight' has shape [3, 4] in the state dict but [4, 3] in the module");
        sd = new LinkedHashMap<>(good);
        sd.put("1.running_var", RawTensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 4));
        assertRejected(sd, true, "buffer '1.running_var' has shape [1, 4] in the state dict but [4] in the module");
        sd = new LinkedHashMap<>(good);
        sd.put("1.bias", RawTensor.ofLongs(new long[] {1, 2, 3, 4}));
        assertRejected(sd, true, "parameter '1.bias' is floating point (F16, BF16, F32 or F64) but the state dict has I64");
        sd = new LinkedHashMap<>(good);
        sd.put("1.num_batches_tracked", RawTensor.scalarF32(3));
        assertRejected(sd, true, "buffer '1.num_batches_tracked' holds whole numbers (I64 or I32) but the state dict has F32");
        // every problem is listed at once
        sd = new LinkedHashMap<>(good);
        sd.remove("0.bias");
        sd.put("1.bias", RawTensor.ofLongs(new long[] {1, 2, 3, 4}));
        sd.put("extra", RawTensor.scalarF64(1));
        assertRejected(sd, true, "missing keys [0.bias]", "unexpected keys [extra]", "parameter '1.bias' is floating point");
    }

    @Test
    void integralValueMustFitTheBufferExactly() {
        Module m = net(DType.FLOAT32);
        List<Double> before = values(m);
        Map<String, RawTensor> sd = rawState(filled(DType.FLOAT32));
        sd.put("1.num_batches_tracked", RawTensor.scalarI64((1L << 24) + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(sd, m, true));
        assertTrue(e.getMessage().contains("buffer '1.num_batches_tracked' value 16777217 is not exactly representable in float32"), e.getMessage());
        assertEquals(before, values(m));
    }

    @Test
    void nonStrictLoadReportsMissingAndUnexpectedKeysAndLoadsTheRest() throws IOException {
        Module src = filled(DType.FLOAT64);
        Map<String, RawTensor> sd = rawState(src);
        sd.remove("1.weight");
        sd.put("head.weight", RawTensor.scalarF64(1));
        Module m = net(DType.FLOAT64);
        Tensor w = m.stateDict().get("1.weight");
        double w0 = w.get(0);
        StateDict.LoadResult r = StateDict.load(sd, m, false);
        assertEquals(List.of("1.weight"), r.missingKeys());
        assertEquals(List.of("head.weight"), r.unexpectedKeys());
        assertEquals(w0, w.get(0), "missing entry left unchanged");
        assertEquals(src.stateDict().get("0.weight").get(5), m.stateDict().get("0.weight").get(5));
        // from a file, with metadata returned
        Path f = tmp.resolve("meta.safetensors");
        SafeTensors.writePlain(f, sd, Map.of("format", "pt", "note", "x"));
        r = StateDict.load(f, net(DType.FLOAT32), false);
        assertEquals(Map.of("format", "pt", "note", "x"), r.metadata());
        assertEquals(List.of("1.weight"), r.missingKeys());
        Module strict = net(DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(f, strict));
        assertTrue(e.getMessage().startsWith("StateDict.load " + f + ": state dict does not fit Sequential: missing keys [1.weight]; unexpected keys [head.weight]"), e.getMessage());
    }

    @Test
    void copyBetweenModulesConvertsDtypes() {
        Module src = filled(DType.FLOAT64), dst = net(DType.FLOAT32);
        StateDict.LoadResult r = StateDict.copy(src.stateDict(), dst, true);
        assertEquals(List.of(), r.missingKeys());
        List<Double> want = new ArrayList<>();
        for (double v : values(src)) want.add((double) (float) v);
        assertEquals(want, values(dst));
        src.stateDict().get("1.num_batches_tracked").set(0, 2.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.copy(src.stateDict(), net(DType.FLOAT32), true));
        assertTrue(e.getMessage().contains("StateDict.copy: integral buffer '1.num_batches_tracked': value 2.5 is not a whole number representable as I64"), e.getMessage());
    }

    @Test
    void saveRejectsBadArgumentsAndKeepsThePreviousFile() throws IOException {
        Path f = tmp.resolve("m.safetensors");
        StateDict.save(f, filled(DType.FLOAT32));
        byte[] before = Files.readAllBytes(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.save(f, net(DType.FLOAT32), ElementType.I64));
        assertTrue(e.getMessage().contains("StateDict.save: element type I64 is not floating point"), e.getMessage());
        Module bad = net(DType.FLOAT64);
        bad.stateDict().get("1.num_batches_tracked").set(0, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> StateDict.save(f, bad));
        assertTrue(e.getMessage().contains("StateDict.save: integral buffer '1.num_batches_tracked': value NaN is not a whole number representable as I64"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "previous file intact");
        assertThrows(IllegalArgumentException.class, () -> StateDict.save(f, null));
        assertThrows(IllegalArgumentException.class, () -> StateDict.load(f, null));
        assertThrows(IllegalArgumentException.class, () -> StateDict.load((Path) null, net(DType.FLOAT32)));
    }

    @Test
    void malformedFilesAreIoErrors() throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        Module m = filled(DType.FLOAT32);
        List<Double> before = values(m);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> StateDict.load(f, m));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertEquals(before.toString(), values(m).toString());
    }

    @Test
    void checkpointsCarryBuffersAndOldCheckpointsStillLoad() throws IOException {
        Path f = tmp.resolve("ck.safetensors");
        Module src = filled(DType.FLOAT32);
        Checkpoint.save(f, src, null, Map.of());
        assertEquals(List.copyOf(src.stateDict().keySet()), List.copyOf(SafeTensors.read(f).tensors().keySet()));
        Module dst = net(DType.FLOAT32);
        Checkpoint.load(f, dst, null);
        assertEquals(values(src).toString(), values(dst).toString());
        // a checkpoint without buffers (as written before buffers existed) loads into a model without buffers ...
        Path old = tmp.resolve("old.safetensors");
        Module plain = StateDictInteropTest.mlp(DType.FLOAT32);
        Checkpoint.save(old, plain, null, Map.of());
        Checkpoint.load(old, StateDictInteropTest.mlp(DType.FLOAT32), null);
        // ... and a model with buffers names the missing buffer
        Path noBuf = tmp.resolve("nobuf.safetensors");
        Module bnOnly = new dev.jgrad.nn.Sequential(new TestBatchNorm(4, DType.FLOAT32));
        Module paramsOnly = new dev.jgrad.nn.Sequential(new ParamsOnly());
        Checkpoint.save(noBuf, paramsOnly, null, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(noBuf, bnOnly, null));
        assertTrue(e.getMessage().contains("buffer '0.running_mean' is missing from the file"), e.getMessage());
    }

    /** The parameters of TestBatchNorm without its buffers. */
    static final class ParamsOnly extends Module {
        ParamsOnly() {
            registerParameter("weight", Tensor.ones(DType.FLOAT32, 4));
            registerParameter("bias", Tensor.zeros(DType.FLOAT32, 4));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }
}
