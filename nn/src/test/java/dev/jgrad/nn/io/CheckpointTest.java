package dev.jgrad.nn.io;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.ElementType;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CheckpointTest {
    @TempDir
    Path dir;

    private static Sequential mlp(long seed, DType dt, double dropout, int... hidden) {
        return Mlp.builder(3, 2).hidden(hidden).dropout(dropout).dtype(dt).seed(seed).build();
    }

    /** A few training steps so that parameters, optimizer buffers and dropout positions are all non-trivial. */
    private static void train(Module model, Optimizer opt, int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DType dt = model.parameters().get(0).dtype();
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.randn(rng, dt, 8, 3);
            int[] y = new int[8];
            for (int i = 0; i < 8; i++) y[i] = rng.nextInt(2);
            opt.zeroGrad();
            Losses.crossEntropy(model.forward(x), IntTensor.of(y)).backward();
            opt.step();
        }
    }

    private static Map<String, Tensor> params(Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static Map<String, Tensor> state(Optimizer o) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        o.state().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((k, v) -> assertTrue(v.contentEquals(actual.get(k)), what + " '" + k + "' differs"));
    }

    private static long[] dropoutStates(Module m) {
        return m.modules().stream().filter(x -> x instanceof Dropout).mapToLong(x -> ((Dropout) x).seedState()).toArray();
    }

    /** Runs {@code load}, expects {@code type}, and checks that model and optimizer are unchanged. */
    private static <T extends Throwable> T assertRejectedUnchanged(Class<T> type, Module model, Optimizer opt, Executable load) {
        Map<String, Tensor> p = params(model);
        Map<String, Tensor> s = opt == null ? null : state(opt);
        long steps = opt == null ? 0 : opt.steps();
        long[] drops = dropoutStates(model);
        T e = assertThrows(type, load);
        assertSameTensors(p, params(model), "parameter");
        if (opt != null) {
            assertSameTensors(s, state(opt), "optimizer state");
            assertEquals(steps, opt.steps());
        }
        assertArrayEquals(drops, dropoutStates(model));
        return e;
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripRestoresParametersOptimizerStateAndDropoutBitForBit() throws IOException {
        for (DType dt : DType.values()) {
            Sequential a = mlp(1, dt, 0.3, 5, 4);
            Adam optA = Adam.adamW(a.parameters(), 0.01, 0.1);
            train(a, optA, 3, 9);
            optA.setLr(0.0042);
            Path f = dir.resolve("ck-" + dt + ".safetensors");
            Checkpoint.save(f, a, optA, Map.of("epochs_completed", "3", "note", "hello"));

            Sequential b = mlp(2, dt, 0.3, 5, 4); // different initial weights
            Adam optB = Adam.adamW(b.parameters(), 0.01, 0.1);
            assertFalse(b.namedParameters().get("0.weight").contentEquals(a.namedParameters().get("0.weight")));
            Map<String, String> meta = Checkpoint.load(f, b, optB);
            assertEquals("3", meta.get("epochs_completed"));
            assertEquals("hello", meta.get("note"));
            assertEquals(Checkpoint.FORMAT, meta.get(Checkpoint.FORMAT_KEY));

            assertSameTensors(params(a), params(b), dt + " parameter");
            assertSameTensors(state(optA), state(optB), dt + " optimizer state");
            assertEquals(3, optB.steps());
            assertEquals(0.0042, optB.lr());
            assertArrayEquals(dropoutStates(a), dropoutStates(b));
            assertTrue(dropoutStates(a)[0] > 0);

            // both continue identically (same dropout masks, same Adam step count)
            train(a, optA, 2, 77);
            train(b, optB, 2, 77);
            assertSameTensors(params(a), params(b), dt + " parameter after continuing");
        }
    }

    @Test
    void modelOnlyCheckpointLoadsWithoutAnOptimizer() throws IOException {
        Sequential a = mlp(1, DType.FLOAT32, 0, 4);
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(f, a, null, null);
        Sequential b = mlp(5, DType.FLOAT32, 0, 4);
        Checkpoint.load(f, b, null);
        assertSameTensors(params(a), params(b), "parameter");
        // but resuming an optimizer from it is refused, and nothing is loaded
        Sequential c = mlp(6, DType.FLOAT32, 0, 4);
        Sgd opt = new Sgd(c.parameters(), 0.1, 0.9, 0, false, 0);
        IllegalArgumentException e = assertRejectedUnchanged(IllegalArgumentException.class, c, opt, () -> Checkpoint.load(f, c, opt));
        assertTrue(e.getMessage().contains("optimizer"), e.getMessage());
    }

    @Test
    void fileIsPlainSafetensorsWithModuleNames() throws IOException {
        Sequential a = mlp(3, DType.FLOAT32, 0, 4);
        Sgd opt = new Sgd(a.parameters(), 0.1, 0.9, 0, false, 0);
        train(a, opt, 1, 1);
        Path f = dir.resolve("plain.safetensors");
        Checkpoint.save(f, a, opt, Map.of("epochs_completed", "1"));

        SafeTensors.Contents c = SafeTensors.read(f);
        assertTrue(c.crc32Verified());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "optimizer.step", "optimizer.lr",
                "optimizer.momentum.0", "optimizer.momentum.1", "optimizer.momentum.2", "optimizer.momentum.3"),
                new ArrayList<>(c.tensors().keySet()));
        Map<String, Tensor> p = a.namedParameters();
        for (String name : p.keySet()) {
            RawTensor r = c.tensor(name);
            assertEquals(ElementType.F32, r.dtype(), name);
            assertArrayEquals(Arrays.stream(p.get(name).shape()).asLongStream().toArray(), r.shape(), name);
            assertArrayEquals(p.get(name).toFloatArray(), r.toFloats(), 0f, name);
        }
        // the bytes are little-endian IEEE floats, as numpy/safetensors expect
        ByteBuffer raw = ByteBuffer.wrap(c.tensor("0.weight").data()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Float.floatToRawIntBits(p.get("0.weight").toFloatArray()[0]), raw.getInt(0));
        assertEquals(ElementType.F64, c.tensor("optimizer.step").dtype());
        assertEquals(0, c.tensor("optimizer.step").rank());
        assertEquals(1.0, c.tensor("optimizer.step").toDoubles()[0]);
        assertEquals(Checkpoint.FORMAT, c.metadata().get("format"));
        assertEquals("1", c.metadata().get("epochs_completed"));
        // header JSON starts right after the 8-byte length, as in the safetensors spec
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals('{', bytes[8]);
        assertTrue(new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8).contains("\"0.weight\""));
    }

    @Test
    void saveOverwritesAtomicallyAndNeverLeavesTemporaries() throws IOException {
        Sequential a = mlp(3, DType.FLOAT64, 0, 4);
        Path f = dir.resolve("ck.safetensors");
        Checkpoint.save(f, a, null, Map.of("v", "1"));
        a.namedParameters().get("0.bias").set(0, 42);
        Checkpoint.save(f, a, null, Map.of("v", "2"));
        Sequential b = mlp(4, DType.FLOAT64, 0, 4);
        assertEquals("2", Checkpoint.load(f, b, null).get("v"));
        assertEquals(42.0, b.namedParameters().get("0.bias").get(0));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    // ------------------------------------------------------------------ mismatches

    @Test
    void differentArchitecturesAreRejectedAndTheModelIsUnchanged() throws IOException {
        Sequential a = mlp(1, DType.FLOAT32, 0, 5);
        Path f = dir.resolve("a.safetensors");
        Checkpoint.save(f, a, null, null);

        // shape mismatch: hidden 6 instead of 5
        Sequential wider = mlp(2, DType.FLOAT32, 0, 6);
        IllegalArgumentException e = assertRejectedUnchanged(IllegalArgumentException.class, wider, null, () -> Checkpoint.load(f, wider, null));
        assertTrue(e.getMessage().contains("0.weight"), e.getMessage());

        // the model has a parameter the file lacks (an extra layer: 4.weight/4.bias)
        Sequential deeper = mlp(2, DType.FLOAT32, 0, 5, 2);
        // 2.weight is [2, 5] in both, but 4.* is missing
        e = assertRejectedUnchanged(IllegalArgumentException.class, deeper, null, () -> Checkpoint.load(f, deeper, null));
        assertTrue(e.getMessage().contains("missing") || e.getMessage().contains("4."), e.getMessage());

        // the file has parameters the model lacks
        Path deep = dir.resolve("deep.safetensors");
        Checkpoint.save(deep, mlp(1, DType.FLOAT32, 0, 5, 2), null, null);
        Sequential shallow = mlp(2, DType.FLOAT32, 0, 5);
        e = assertRejectedUnchanged(IllegalArgumentException.class, shallow, null, () -> Checkpoint.load(deep, shallow, null));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        // bias-less first layer: 0.bias in the file has no home
        Sequential noBias = new Sequential(new Linear(3, 5, false, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT32),
                new Activation(Activation.Kind.RELU), new Linear(5, 2, true, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT32));
        assertRejectedUnchanged(IllegalArgumentException.class, noBias, null, () -> Checkpoint.load(f, noBias, null));

        // same shapes, other dtype
        Sequential f64 = mlp(2, DType.FLOAT64, 0, 5);
        e = assertRejectedUnchanged(IllegalArgumentException.class, f64, null, () -> Checkpoint.load(f, f64, null));
        assertTrue(e.getMessage().contains("float"), e.getMessage());
    }

    @Test
    void mismatchedOptimizerOrDropoutStateIsRejectedAndNothingChanges() throws IOException {
        Sequential a = mlp(1, DType.FLOAT32, 0.2, 5);
        Sgd sgd = new Sgd(a.parameters(), 0.1, 0.9, 0, false, 0);
        train(a, sgd, 2, 3);
        Path f = dir.resolve("sgd.safetensors");
        Checkpoint.save(f, a, sgd, null);

        // SGD momentum buffers into an Adam optimizer
        Sequential b = mlp(2, DType.FLOAT32, 0.2, 5);
        Adam adam = new Adam(b.parameters(), 0.01);
        train(b, adam, 1, 4);
        IllegalArgumentException e = assertRejectedUnchanged(IllegalArgumentException.class, b, adam, () -> Checkpoint.load(f, b, adam));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());

        // optimizer over the parameters in another order: buffer shapes no longer match
        Sequential c = mlp(2, DType.FLOAT32, 0.2, 5);
        List<Tensor> reversed = new ArrayList<>(c.parameters());
        java.util.Collections.reverse(reversed);
        Sgd rev = new Sgd(reversed, 0.1, 0.9, 0, false, 0);
        assertRejectedUnchanged(IllegalArgumentException.class, c, rev, () -> Checkpoint.load(f, c, rev));

        // a model without dropout layers cannot take a file with dropout state, nor the other way round
        Sequential noDrop = mlp(2, DType.FLOAT32, 0, 5);
        Sgd o2 = new Sgd(noDrop.parameters(), 0.1, 0.9, 0, false, 0);
        assertRejectedUnchanged(IllegalArgumentException.class, noDrop, o2, () -> Checkpoint.load(f, noDrop, o2));
        Path g = dir.resolve("nodrop.safetensors");
        Checkpoint.save(g, noDrop, o2, null);
        Sequential d = mlp(2, DType.FLOAT32, 0.2, 5);
        Sgd o3 = new Sgd(d.parameters(), 0.1, 0.9, 0, false, 0);
        assertRejectedUnchanged(IllegalArgumentException.class, d, o3, () -> Checkpoint.load(g, d, o3));
    }

    @Test
    void fileThatIsNotACheckpointIsRejected() throws IOException {
        Path f = dir.resolve("plain.safetensors");
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("0.weight", RawTensor.ofFloats(new float[15], 5, 3));
        SafeTensors.write(f, t, Map.of());
        Sequential m = mlp(2, DType.FLOAT32, 0, 5);
        IllegalArgumentException e = assertRejectedUnchanged(IllegalArgumentException.class, m, null, () -> Checkpoint.load(f, m, null));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
        assertRejectedUnchanged(IOException.class, m, null, () -> Checkpoint.load(dir.resolve("missing.safetensors"), m, null));
    }

    // ------------------------------------------------------------------ damage

    private Path savedSmall(Sequential model, Optimizer opt) throws IOException {
        train(model, opt, 2, 5);
        Path f = dir.resolve("small.safetensors");
        Checkpoint.save(f, model, opt, Map.of("epochs_completed", "2"));
        return f;
    }

    @Test
    void truncatedFilesAreRejectedAndTheModelIsUnchanged() throws IOException {
        Sequential src = mlp(1, DType.FLOAT32, 0.1, 4);
        Path f = savedSmall(src, new Sgd(src.parameters(), 0.1, 0.9, 0, false, 0));
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Sequential m = mlp(2, DType.FLOAT32, 0.1, 4);
        Sgd opt = new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0);
        train(m, opt, 1, 6);
        int[] lengths = {0, 4, 8, 8 + (int) headerLen / 2, 8 + (int) headerLen, 8 + (int) headerLen + 10, bytes.length - 4, bytes.length - 1};
        for (int len : lengths) {
            Path t = dir.resolve("trunc-" + len);
            Files.write(t, Arrays.copyOf(bytes, len));
            assertRejectedUnchanged(IOException.class, m, opt, () -> Checkpoint.load(t, m, opt));
        }
        // appended garbage is damage too
        Path longer = dir.resolve("longer");
        Files.write(longer, Arrays.copyOf(bytes, bytes.length + 3));
        assertRejectedUnchanged(IOException.class, m, opt, () -> Checkpoint.load(longer, m, opt));
    }

    @Test
    void everyFlippedDataByteIsDetectedAndTheModelIsUnchanged() throws IOException {
        Sequential src = mlp(1, DType.FLOAT32, 0, 4);
        Path f = savedSmall(src, new Sgd(src.parameters(), 0.1, 0.9, 0, false, 0));
        byte[] bytes = Files.readAllBytes(f);
        int dataStart = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(bytes.length - dataStart >= 2 * 4 * (12 + 4 + 8 + 2), "parameters and momentum buffers are in the data region");
        Sequential m = mlp(2, DType.FLOAT32, 0, 4);
        Sgd opt = new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0);
        train(m, opt, 1, 6);
        Map<String, Tensor> p = params(m);
        Map<String, Tensor> s = state(opt);
        Path t = dir.resolve("flipped");
        for (int i = dataStart; i < bytes.length; i++) {
            // CRC-32 detects every single-bit error; one bit per byte, rotating through the bit positions
            for (int bit : new int[] {1 << (i % 8), 1 << ((i + 5) % 8)}) {
                byte[] copy = bytes.clone();
                copy[i] ^= (byte) bit;
                Files.write(t, copy);
                try {
                    Checkpoint.load(t, m, opt);
                    fail("flipping bit " + bit + " of data byte " + (i - dataStart) + " went undetected");
                } catch (IOException expected) {
                    // detected by the CRC
                }
            }
        }
        assertSameTensors(p, params(m), "parameter");
        assertSameTensors(s, state(opt), "optimizer state");
    }

    @Test
    void aFlippedBitInAnyHeaderByteIsDetectedOrHarmless() throws IOException {
        Sequential src = mlp(1, DType.FLOAT32, 0.1, 4);
        Sgd srcOpt = new Sgd(src.parameters(), 0.1, 0.9, 0, false, 0);
        Path f = savedSmall(src, srcOpt);
        byte[] bytes = Files.readAllBytes(f);
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Sequential m = mlp(2, DType.FLOAT32, 0.1, 4);
        Sgd opt = new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0);
        train(m, opt, 1, 6);
        Map<String, Tensor> p0 = params(m), s0 = state(opt);
        long[] d0 = dropoutStates(m);
        Map<String, String> meta0 = Checkpoint.load(f, mlp(3, DType.FLOAT32, 0.1, 4), null);
        Path t = dir.resolve("flipped-header");
        int detected = 0, harmless = 0;
        for (int i = 0; i < headerEnd; i++) {
            // one bit per byte, rotating through the bit positions (every byte, every position across bytes)
            for (int bit : new int[] {1 << (i % 8)}) {
                byte[] copy = bytes.clone();
                copy[i] ^= (byte) bit;
                Files.write(t, copy);
                Map<String, String> meta;
                try {
                    meta = Checkpoint.load(t, m, opt);
                } catch (IOException | IllegalArgumentException e) {
                    detected++;
                    assertSameTensors(p0, params(m), "parameter after rejecting byte " + i + " ^ " + bit);
                    assertSameTensors(s0, state(opt), "optimizer state after rejecting byte " + i + " ^ " + bit);
                    assertArrayEquals(d0, dropoutStates(m));
                    continue;
                }
                // accepted: only acceptable if nothing that matters changed (e.g. the case of a hex digit of the CRC)
                harmless++;
                String what = "undetected flip of header byte " + i + " ('" + (char) bytes[i] + "') ^ " + bit;
                assertEquals(meta0, meta, what);
                assertSameTensors(params(src), params(m), what);
                assertSameTensors(state(srcOpt), state(opt), what);
                assertArrayEquals(dropoutStates(src), dropoutStates(m), what);
                // put m back into its own state for the next flip
                p0.forEach((k, v) -> m.namedParameters().get(k).storage().copyFrom(v.storage(), 0, 0, v.numel()));
                opt.loadState(s0);
                List<Dropout> ds = m.modules().stream().filter(x -> x instanceof Dropout).map(x -> (Dropout) x).toList();
                for (int k = 0; k < ds.size(); k++) ds.get(k).restoreSeedState(d0[k]);
            }
        }
        assertTrue(harmless <= 16, harmless + " header bit flips were accepted");
        assertEquals(headerEnd, detected + harmless);
    }

    @Test
    void flippedDigitsOfTheResumeMetadataAreDetected() throws IOException {
        Sequential src = mlp(1, DType.FLOAT32, 0.1, 4);
        Path f = savedSmall(src, new Sgd(src.parameters(), 0.1, 0.9, 0, false, 0));
        byte[] bytes = Files.readAllBytes(f);
        String header = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        Sequential m = mlp(2, DType.FLOAT32, 0.1, 4);
        Sgd opt = new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0);
        // "2" -> "3" epochs completed would silently skip an epoch; a changed dropout position would change the masks
        for (String key : new String[] {"\"epochs_completed\":\"", "\"dropout_draws\":\""}) {
            int pos = header.indexOf(key) + key.length();
            assertTrue(pos > key.length() && Character.isDigit(header.charAt(pos)), header);
            byte[] copy = bytes.clone();
            copy[pos] ^= 0x01;
            Path t = dir.resolve("meta-" + pos);
            Files.write(t, copy);
            assertRejectedUnchanged(IOException.class, m, opt, () -> Checkpoint.load(t, m, opt));
        }
    }
}
