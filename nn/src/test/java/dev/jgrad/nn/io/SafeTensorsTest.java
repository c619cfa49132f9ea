package dev.jgrad.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, RawTensor> sample() {
        Map<String, RawTensor> m = new LinkedHashMap<>();
        m.put("layer1.weight", RawTensor.ofFloats(new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE, -0f, Float.NaN}, 2, 3));
        m.put("layer1.bias", RawTensor.ofDoubles(new double[] {Math.PI, -Double.MAX_VALUE, Double.MIN_VALUE}, 3));
        m.put("step", RawTensor.ofLongs(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE, 42}, 2, 2));
        m.put("scalar", RawTensor.scalarF64(0.125));
        m.put("empty", RawTensor.ofFloats(new float[0], 0, 4));
        return m;
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripsAllDtypesShapesAndMetadata() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jgrad");
        meta.put("note", "quotes \" and \\ and ünïcödé and \n newline");
        SafeTensors.write(f, sample(), meta);

        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(c.tensors().keySet()), "written order kept");
        assertEquals(sample(), c.tensors());
        assertEquals(meta, c.metadata());
        assertTrue(c.crc32Verified());

        float[] w = c.tensor("layer1.weight").toFloats();
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(w[4]));
        assertTrue(Float.isNaN(w[5]));
        assertArrayEquals(new long[] {2, 3}, c.tensor("layer1.weight").shape());
        assertArrayEquals(new double[] {Math.PI, -Double.MAX_VALUE, Double.MIN_VALUE}, c.tensor("layer1.bias").toDoubles());
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE, 42}, c.tensor("step").toLongs());
        assertEquals(0, c.tensor("scalar").rank());
        assertEquals(0.125, c.tensor("scalar").toDoubles()[0]);
        assertEquals(0, c.tensor("empty").numElements());
        assertArrayEquals(new long[] {0, 4}, c.tensor("empty").shape());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.tensor("nope"));
        assertTrue(missing.getMessage().contains("layer1.bias"), missing.getMessage());
    }

    @Test
    void roundTripsWithoutMetadataOrCrc() throws IOException {
        Path f = dir.resolve("plain.safetensors");
        SafeTensors.write(f, sample(), null, false);
        String header = headerText(Files.readAllBytes(f));
        assertFalse(header.contains("__metadata__"), header);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertFalse(c.crc32Verified());
        assertTrue(c.metadata().isEmpty());
        assertEquals(sample(), c.tensors());

        SafeTensors.write(f, Map.of(), Map.of(), false);
        assertEquals("{}      ", headerText(Files.readAllBytes(f)));
        assertTrue(SafeTensors.read(f).tensors().isEmpty());
    }

    @Test
    void conversionsCheckDtypes() {
        RawTensor f32 = RawTensor.ofFloats(new float[] {1, 2});
        assertArrayEquals(new double[] {1, 2}, f32.toDoubles(), "F32 widens to double");
        assertThrows(IllegalStateException.class, f32::toLongs);
        assertThrows(IllegalStateException.class, () -> RawTensor.ofDoubles(new double[1]).toFloats());
        assertThrows(IllegalStateException.class, () -> RawTensor.ofLongs(new long[1]).toDoubles());
        assertThrows(IllegalArgumentException.class, () -> RawTensor.ofFloats(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new RawTensor(ElementType.F64, new long[] {2}, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new RawTensor(ElementType.F64, new long[] {-1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RawTensor.of("U8", new long[] {1}, new byte[1]));
        assertEquals(RawTensor.ofLongs(new long[] {7}), RawTensor.of("I64", new long[] {1},
                new byte[] {7, 0, 0, 0, 0, 0, 0, 0}));
    }

    // ------------------------------------------------------------------ byte layout

    @Test
    void byteLayoutMatchesTheFormat() throws IOException {
        Path f = dir.resolve("layout.safetensors");
        Map<String, RawTensor> t = new LinkedHashMap<>();
        t.put("a", RawTensor.ofFloats(new float[] {1f, 2f}, 2));   // 8 bytes
        t.put("b", RawTensor.ofLongs(new long[] {0x0102030405060708L}, 1)); // 8 bytes
        SafeTensors.write(f, t, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);

        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 16, bytes.length);
        // little-endian length: the low byte comes first
        assertEquals((byte) n, bytes[0]);
        assertEquals(0, bytes[7]);

        String header = headerText(bytes);
        assertEquals('{', header.charAt(0));
        String trimmed = header.stripTrailing();
        assertTrue(header.substring(trimmed.length()).chars().allMatch(ch -> ch == ' '), "padding is spaces");
        assertTrue(header.length() - trimmed.length() < 8);
        assertTrue(trimmed.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), trimmed);
        assertTrue(trimmed.contains("\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}"), trimmed);

        int data = (int) (8 + n);
        // 1.0f little-endian is 00 00 80 3f
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(bytes, data, data + 4));
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, Arrays.copyOfRange(bytes, data + 8, data + 16));

        CRC32 crc = new CRC32();
        crc.update(bytes, data, 16);
        // the index CRC: name NUL dtype NUL shape NUL begin NUL end NUL per tensor, by name
        CRC32 index = new CRC32();
        index.update(String.join("\0", "a", "F32", "2", "0", "8", "b", "I64", "1", "8", "16", "").getBytes(StandardCharsets.UTF_8));
        assertTrue(trimmed.contains("\"__metadata__\":{\"k\":\"v\",\"index_crc32\":\"" + String.format("%08x", index.getValue())
                + "\",\"crc32\":\"" + String.format("%08x", crc.getValue()) + "\"}"), trimmed);
    }

    @Test
    void readsHeadersWrittenByOtherTools() throws IOException {
        // Different key order, whitespace, metadata last, no crc, tensors out of header order.
        String json = "{ \"b\" : {\"data_offsets\": [4, 12], \"shape\": [1], \"dtype\": \"F64\"},\n"
                + "  \"a\": {\"shape\": [], \"dtype\": \"F32\", \"data_offsets\": [0, 4]},\n"
                + "  \"__metadata__\": {\"format\": \"pt\"} }";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).putDouble(-1.0);
        Path f = file("other.safetensors", json, data.array(), true);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()), "data order");
        assertEquals(2.5f, c.tensor("a").toFloats()[0]);
        assertEquals(-1.0, c.tensor("b").toDoubles()[0]);
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertFalse(c.crc32Verified());

        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(12, h.dataLength());
        assertEquals("b: F64 [1] @ [4, 12)", h.tensors().get(1).toString());
    }

    @Test
    void writerRejectsBadNamesAndReservedMetadata() {
        Path f = dir.resolve("x.safetensors");
        RawTensor t = RawTensor.ofFloats(new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("", t), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, Map.of("__metadata__", t), Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, Map.of("t", t), Map.of("crc32", "00000000")));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        assertFalse(Files.exists(f));
    }

    // ------------------------------------------------------------------ corruption

    @Test
    void rejectsFilesTooShortForTheLengthPrefix() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3, 4, 5});
        assertRejected(f, "file is 5 bytes, too short for the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthBeyondFileOrAbsurd() throws IOException {
        assertRejected(raw("long", 100, "{}".getBytes(StandardCharsets.UTF_8)), "header length 100 exceeds the 2 bytes");
        assertRejected(raw("absurd", 200_000_000L, new byte[0]), "header length 200000000 is absurd");
        assertRejected(raw("negative", -1L, new byte[0]), "header length 18446744073709551615 is absurd");
        assertRejected(raw("zero", 0, new byte[0]), "header length is 0");
    }

    @Test
    void rejectsHeadersThatAreNotJsonObjects() throws IOException {
        assertRejected(file("json1", "{\"a\": ", new byte[0], true), "header is not valid JSON");
        assertRejected(file("json2", "{} {}", new byte[0], true), "header is not valid JSON");
        assertRejected(file("json3", "[1, 2]", new byte[0], true), "does not start with '{'");
        assertRejected(file("json4", " {}", new byte[0], false), "does not start with '{'");
        assertRejected(raw("utf8", 4, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}), "header is not valid UTF-8");
        assertRejected(file("dup", "{\"a\": " + entry("F32", "[1]", 0, 4) + ", \"a\": " + entry("F32", "[1]", 0, 4)
                + "}", new byte[4], true), "duplicate field \"a\"");
        assertRejected(file("nul", "{}\0\0\0\0\0\0", new byte[0], false), "header is not valid JSON");
    }

    @Test
    void rejectsUnknownDtypesAndBadEntries() throws IOException {
        assertRejected(one("dtype", entry("U8", "[4]", 0, 4), 4), "tensor 't': unsupported dtype 'U8' (supported: [F32, F64, I64, F16, BF16, I32])");
        assertRejected(one("lower", entry("f32", "[1]", 0, 4), 4), "unsupported dtype 'f32'");
        assertRejected(one("field", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}", 4),
                "unexpected field 'x'");
        assertRejected(one("noshape", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", 4), "missing or non-array 'shape'");
        assertRejected(one("negshape", entry("F32", "[-1]", 0, 4), 4), "'shape' element -1 is not a non-negative");
        assertRejected(one("floatshape", entry("F32", "[1.0]", 0, 4), 4), "'shape' element 1.0 is not a non-negative");
        assertRejected(one("offsets3", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", 4),
                "'data_offsets' must have 2 elements");
        assertRejected(one("entry", "[1]", 4), "entry must be an object");
        assertRejected(file("meta", "{\"__metadata__\": {\"epoch\": 3}}", new byte[0], true),
                "metadata value for 'epoch' is not a string: 3");
        assertRejected(file("meta2", "{\"__metadata__\": [1]}", new byte[0], true), "must be an object of strings");
    }

    @Test
    void rejectsShapeThatDisagreesWithOffsets() throws IOException {
        assertRejected(one("span", entry("F32", "[2, 3]", 0, 20), 20),
                "tensor 't': shape [2, 3] × F32 needs 24 bytes but data_offsets [0, 20] span 20");
        assertRejected(one("overflow", entry("F64", "[4294967296, 4294967296]", 0, 8), 8), "overflows");
    }

    @Test
    void rejectsBadLayouts() throws IOException {
        String overlap = "{\"a\":" + entry("F32", "[2]", 0, 8) + ",\"b\":" + entry("F32", "[2]", 4, 12) + "}";
        assertRejected(file("overlap", overlap, new byte[12], true),
                "tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]");

        assertRejected(one("reversed", entry("F32", "[0]", 8, 4), 8), "data_offsets [8, 4] are out of order");

        assertRejected(one("oob", entry("F32", "[2]", 4, 12), 8),
                "tensor 't' data_offsets [4, 12] extend past the end of the 8-byte data region");

        String gap = "{\"a\":" + entry("F32", "[1]", 0, 4) + ",\"b\":" + entry("F32", "[1]", 8, 12) + "}";
        assertRejected(file("gap", gap, new byte[12], true), "bytes [4, 8) of the data region belong to no tensor");

        assertRejected(one("start", entry("F32", "[1]", 4, 8), 8), "bytes [0, 4) of the data region belong to no tensor");

        assertRejected(one("garbage", entry("F32", "[1]", 0, 4), 7), "trailing garbage: 3 bytes after the last tensor");
    }

    @Test
    void rejectsTruncatedAndExtendedFiles() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] good = Files.readAllBytes(f);

        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(good, good.length - 3));
        assertRejected(cut, "extend past the end of the");

        Path headerCut = dir.resolve("headercut.safetensors");
        Files.write(headerCut, Arrays.copyOf(good, 20));
        assertRejected(headerCut, "exceeds the 12 bytes after the length prefix");

        Path longer = dir.resolve("longer.safetensors");
        Files.write(longer, Arrays.copyOf(good, good.length + 5));
        assertRejected(longer, "trailing garbage: 5 bytes");
    }

    @Test
    void crcDetectsAFlippedDataByte() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, sample(), Map.of("a", "b"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int dataStart = (int) (8 + n);
        for (int pos : new int[] {dataStart, dataStart + 30, bytes.length - 1}) {
            byte[] copy = bytes.clone();
            copy[pos] ^= 0x10;
            Path bad = dir.resolve("flip" + pos + ".safetensors");
            Files.write(bad, copy);
            assertRejected(bad, "data region CRC-32 mismatch");
        }
        // the same flip without a stored crc goes unnoticed: that's what the crc is for
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, sample(), Map.of(), false);
        byte[] p = Files.readAllBytes(plain);
        p[p.length - 1] ^= 0x10;
        Files.write(plain, p);
        SafeTensors.read(plain);

        assertRejected(file("badcrc", "{\"__metadata__\": {\"crc32\": \"xyz\"}}", new byte[0], true), "is not 8 hex digits");
    }

    // ------------------------------------------------------------------ atomic write

    @Test
    void failingWriterLeavesThePreviousFileIntact() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("atomic1"));
        Path f = sub.resolve("ckpt.safetensors");
        SafeTensors.write(f, sample(), Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(f);

        Map<String, TensorSource> failing = new LinkedHashMap<>();
        failing.put("ok", RawTensor.ofDoubles(new double[100_000]));   // 800 kB already streamed out
        failing.put("boom", new Source(ElementType.F32, new long[] {1000}, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk on fire");
        }));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, failing, Map.of("epoch", "2")));
        assertEquals("disk on fire", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals("1", SafeTensors.read(f).metadata().get("epoch"));
        assertEquals(List.of(f), listDir(sub), "no temporary files left behind");
    }

    @Test
    void sourceWritingTheWrongByteCountFailsTheSave() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("atomic2"));
        Path f = sub.resolve("ckpt.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] before = Files.readAllBytes(f);

        TensorSource tooFew = new Source(ElementType.F64, new long[] {2}, out -> out.write(new byte[15]));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, Map.of("x", tooFew), Map.of()));
        assertTrue(e.getMessage().contains("tensor 'x' wrote 15 bytes but its shape [2] × F64 needs 16"), e.getMessage());

        TensorSource tooMany = new Source(ElementType.F64, new long[] {2}, out -> out.write(new byte[17]));
        e = assertThrows(IOException.class, () -> SafeTensors.write(f, Map.of("x", tooMany), Map.of()));
        assertTrue(e.getMessage().contains("wrote more than the 16 bytes"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of(f), listDir(sub));
    }

    @Test
    void streamingSourceWritesTheSameBytesAsRawTensor() throws IOException {
        double[] values = {1, -2, 3.5};
        TensorSource streaming = new Source(ElementType.F64, new long[] {3}, out -> {
            for (double v : values) {
                long bits = Double.doubleToRawLongBits(v);
                for (int i = 0; i < 8; i++) {
                    out.write((int) (bits >>> (8 * i)));
                }
            }
        });
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        SafeTensors.write(a, Map.of("v", streaming), Map.of());
        SafeTensors.write(b, Map.of("v", RawTensor.ofDoubles(values)), Map.of());
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
    }

    @Test
    void atomicWriteReplacesAnExistingFile() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("atomic3"));
        Path f = sub.resolve("x.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        AtomicFiles.write(f, new byte[] {4});
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
        assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            throw new IOException("nope");
        }));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(f));
        assertEquals(List.of(f), listDir(sub));
    }

    // ------------------------------------------------------------------ helpers

    interface DataWriter {
        void write(OutputStream out) throws IOException;
    }

    /** A TensorSource whose data comes from a lambda, for simulating failures. */
    record Source(ElementType dtype, long[] shape, DataWriter body) implements TensorSource {
        @Override
        public void writeData(OutputStream out) throws IOException {
            body.write(out);
        }
    }

    private static List<Path> listDir(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    private static String entry(String dtype, String shape, long begin, long end) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** A file with one tensor 't' and {@code dataBytes} zero bytes of data. */
    private Path one(String name, String entryJson, int dataBytes) throws IOException {
        return file(name, "{\"t\":" + entryJson + "}", new byte[dataBytes], true);
    }

    private Path file(String name, String json, byte[] data, boolean pad) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        if (pad) {
            int padded = (h.length + 7) / 8 * 8;
            byte[] p = Arrays.copyOf(h, padded);
            Arrays.fill(p, h.length, padded, (byte) ' ');
            h = p;
        }
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data);
        Path f = dir.resolve(name);
        Files.write(f, buf.array());
        return f;
    }

    private Path raw(String name, long declaredLength, byte[] rest) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(declaredLength).put(rest);
        Path f = dir.resolve(name);
        Files.write(f, buf.array());
        return f;
    }

    private static String headerText(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    private static void assertRejected(Path f, String fragment) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(f), f.toString());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertEquals(f, e.file());
    }
}
