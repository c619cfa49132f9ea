package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.ops.reliability.SmallHeapProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted safetensors headers in bounded memory (issue #16): a header with hundreds of thousands of entries, a shape
 * of millions of dimensions, a header near the format's 100 MB limit are each a {@link SafeTensorsException} naming
 * the file and the limit, in a child JVM with {@code -Xmx256m}, never an {@link OutOfMemoryError}; names, dtypes,
 * shapes and offsets are covered by the index CRC-32; dimensions beyond {@code int}, over-long names and duplicate
 * names are clear errors.
 */
class UntrustedHeadersTest {
    @TempDir
    Path dir;

    /** Writes the 8-byte length, then the header written by {@code header} (exactly {@code length} bytes), then {@code data}. */
    private Path file(String name, long length, HeaderWriter header, byte[] data) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
            long n = header.write(out);
            assertEquals(length, n, "header bytes written");
            out.write(data);
        }
        return f;
    }

    private interface HeaderWriter {
        long write(OutputStream out) throws IOException;
    }

    private static long ascii(OutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b);
        return b.length;
    }

    /** A header of {@code entries} zero-size F32 tensors (about 60 bytes each), padded to {@code length}. */
    private Path manyEntries(String name, int entries) throws IOException {
        StringBuilder b = new StringBuilder(entries * 64).append('{');
        for (int i = 0; i < entries; i++) {
            b.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        String h = b.append('}').toString();
        return file(name, h.length(), out -> ascii(out, h), new byte[0]);
    }

    /** One tensor whose shape has {@code rank} ones. */
    private Path hugeRank(String name, int rank) throws IOException {
        String head = "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4],\"shape\":[1";
        long length = head.length() + 2L * (rank - 1) + 3;
        return file(name, length, out -> {
            long n = ascii(out, head);
            byte[] one = ",1".repeat(4096).getBytes(StandardCharsets.US_ASCII);
            int left = rank - 1;
            while (left > 0) {
                int k = Math.min(left, 4096);
                out.write(one, 0, 2 * k);
                n += 2L * k;
                left -= k;
            }
            return n + ascii(out, "]}}");
        }, new byte[4]);
    }

    /** A file whose length prefix says {@code length} and which is that long (sparse: no disk space). */
    private Path sparse(String name, long length) throws IOException {
        Path f = dir.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
            r.write('{');
            r.setLength(8 + length);
        }
        return f;
    }

    @Test
    void hostileHeadersAreRejectedInA256MbHeapWithoutOutOfMemory() throws Exception {
        Path entries = manyEntries("entries.safetensors", 300_000);   // 17 MB of entries: over the header limit
        StringBuilder small = new StringBuilder("{");
        for (int i = 0; i < 300_000; i++) small.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
        Path smallEntries = header("small-entries.safetensors", small.append('}').toString(), new byte[0]);  // 3.3 MB
        Path rank = hugeRank("rank.safetensors", 5_000_000);
        Path near100MB = sparse("header100mb.safetensors", 99_999_992L);
        List<String> out = probe("read=" + entries, "read=" + smallEntries, "read=" + rank, "read=" + near100MB,
                "checkpoint=" + rank, "checkpoint=" + near100MB);
        assertEquals(6, out.size(), String.join("\n", out));
        for (String r : out) {
            assertFalse(r.contains("OutOfMemoryError"), r);
            assertTrue(r.contains("SafeTensorsException"), r);
        }
        assertTrue(out.get(0).contains(entries + ": header length ") && out.get(0).contains("over this reader's limit of 16777216 bytes"), out.get(0));
        assertTrue(out.get(1).contains(smallEntries + ": header is over a limit") && out.get(1).contains("more than 65537 entries"), out.get(1));
        assertTrue(out.get(2).contains(rank + ": header is over a limit") && out.get(2).contains("an array of more than 32 elements in entry \"w\""), out.get(2));
        assertTrue(out.get(3).contains(near100MB + ": header length 99999992 is over this reader's limit"), out.get(3));
        assertTrue(out.get(4).contains(rank + ": header is over a limit"), out.get(4));
        assertTrue(out.get(5).contains(near100MB + ": header length 99999992"), out.get(5));
    }

    /** Runs {@link HeaderProbe} in a JVM with {@code -Xmx256m}; returns its output lines. */
    private static List<String> probe(String... args) throws Exception {
        return SmallHeapProbe.run(HeaderProbe.class, "256m", args);
    }

    // ------------------------------------------------------------------ limits in this JVM

    private static SafeTensorsException rejected(Path f, String... parts) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(f), f.toString());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        return e;
    }

    private Path header(String name, String h, byte[] data) throws IOException {
        return file(name, h.getBytes(StandardCharsets.UTF_8).length, out -> {
            byte[] b = h.getBytes(StandardCharsets.UTF_8);
            out.write(b);
            return b.length;
        }, data);
    }

    @Test
    void entriesRankValuesAndNamesHaveLimits() throws IOException {
        rejected(manyEntries("many.safetensors", SafeTensors.MAX_ENTRIES + 1), "65537 tensors, over this reader's limit of 65536");
        // exactly at the limits: accepted
        assertEquals(SafeTensors.MAX_ENTRIES, SafeTensors.read(manyEntries("max.safetensors", SafeTensors.MAX_ENTRIES)).tensors().size());
        assertEquals(32, SafeTensors.read(hugeRank("rank32.safetensors", 32)).tensor("w").rank());
        rejected(hugeRank("rank33.safetensors", 33), "an array of more than 32 elements in entry \"w\"");
        // many small values inside the entry limit: {"m":{"k0":[0,...32 zeros],...}} with 40,000 keys is 1.3 M values
        StringBuilder b = new StringBuilder("{\"m\":{");
        String zeros = "[" + "0,".repeat(31) + "0]";
        for (int i = 0; i < 40_000; i++) b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(zeros);
        rejected(header("values.safetensors", b.append("}}").toString(), new byte[0]), "more values than the limit allows in entry \"m\"");
        String longName = "n".repeat(SafeTensors.MAX_NAME_LENGTH + 1);
        rejected(header("name.safetensors", "{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor name of 1025 characters", "limit of 1024");
        Path w = dir.resolve("w.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(w, Map.of(longName, RawTensor.scalarF32(1)), null));
        assertTrue(e.getMessage().contains("longer than 1024"), e.getMessage());
        long[] rank33 = new long[33];
        Arrays.fill(rank33, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(w, Map.of("r", RawTensor.convert(dev.jgrad.nn.io.ElementType.F32, new double[1], rank33)), null));
        assertTrue(e.getMessage().contains("rank 33 is over 32"), e.getMessage());
        // the writer counts the JSON values as the reader does: 40,000 tensors of rank 30 would be 1.44 M
        long[] rank30 = new long[30];
        Arrays.fill(rank30, 1);
        RawTensor one = RawTensor.convert(dev.jgrad.nn.io.ElementType.F32, new double[1], rank30);
        Map<String, RawTensor> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 40_000; i++) many.put("t" + i, one);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(w, many, null));
        assertTrue(e.getMessage().contains("1440004 JSON values, over the 1048576 (SafeTensors.MAX_HEADER_VALUES)"), e.getMessage());
        assertFalse(Files.exists(w));
    }

    @Test
    void dimensionsBeyondIntAndDuplicateNamesAreClearErrors() throws IOException {
        // no elements, but a dimension no int[] shape holds: not a bare ArithmeticException at load time
        Path f = header("zero.safetensors", "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[0,3000000000],\"data_offsets\":[0,0]}}", new byte[0]);
        rejected(f, "tensor '0.weight'", "dimension 1 of shape [0, 3000000000] is over 2^31 - 1");
        Sequential m = Mlp.builder(4, 2).hidden(3).seed(1).build();
        assertThrows(SafeTensorsException.class, () -> Checkpoint.load(f, m, null));
        Path dup = header("dup.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        rejected(dup, "duplicate field \"w\"", "the name 'w' is given twice");
        // offsets beyond any file, and ones that do not fit in 64 bits
        rejected(header("far.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,9223372036854775807]}}",
                new byte[4]), "extend past the end");
        rejected(header("wide.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551620]}}",
                new byte[4]), "not a non-negative 64-bit integer");
        // tensors listed out of data order are fine (the format allows any order)
        Path unordered = header("unordered.safetensors", "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
        assertArrayEquals(new float[] {2f}, SafeTensors.read(unordered).tensor("b").toFloats());
        // a directory is an I/O error naming it
        IOException io = assertThrows(IOException.class, () -> SafeTensors.read(dir));
        assertTrue(io.getMessage().startsWith(dir + ": cannot be read: "), io.getMessage());
    }

    @Test
    void theIndexCrcCoversNamesShapesAndOffsets() throws IOException {
        Sequential src = Mlp.builder(4, 2).hidden(4).seed(1).build();   // 0.weight [4, 4], 2.weight [2, 4]
        Path f = dir.resolve("ck.safetensors");
        Checkpoint.save(f, src, null, Map.of());
        assertTrue(SafeTensors.readHeader(f).indexCrc32Verified());
        byte[] bytes = Files.readAllBytes(f);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        byte[] renamed = bytes.clone();
        int at = text.indexOf("\"0.weight\"");
        renamed[at + 1] = '1';   // "1.weight": a consistent header, data CRC and metadata untouched
        Path t = dir.resolve("renamed.safetensors");
        Files.write(t, renamed);
        rejected(t, "tensor index CRC-32 mismatch", "the header is damaged");
        // a shape and its offsets changed together (consistent layout): [4, 4] -> [2, 8] keeps 64 bytes
        String swapped = text.replaceFirst("\"shape\":\\[4,4\\]", "\"shape\":[2,8]");
        assertFalse(swapped.equals(text));
        Files.write(t, swapped.getBytes(StandardCharsets.ISO_8859_1));
        rejected(t, "tensor index CRC-32 mismatch");

        // a checkpoint written before the index CRC (data CRC and metadata CRC only) still loads
        Path old = dir.resolve("old.safetensors");
        int len = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String oldHeader = text.substring(8, 8 + len).stripTrailing().replaceFirst("\"index_crc32\":\"[0-9a-f]{8}\",", "");
        byte[] h = (oldHeader + " ".repeat((8 - oldHeader.length() % 8) % 8)).getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer nb = ByteBuffer.allocate(8 + h.length + bytes.length - 8 - len).order(ByteOrder.LITTLE_ENDIAN);
        nb.putLong(h.length).put(h).put(bytes, 8 + len, bytes.length - 8 - len);
        Files.write(old, nb.array());
        assertFalse(SafeTensors.readHeader(old).indexCrc32Verified());
        Sequential m = Mlp.builder(4, 2).hidden(4).seed(2).build();
        Checkpoint.load(old, m, null);
        assertEquals(src.stateDict().get("0.weight").get(5), m.stateDict().get("0.weight").get(5));
        assertEquals(DType.FLOAT32, m.stateDict().get("0.weight").dtype());
    }
}
