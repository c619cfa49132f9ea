package dev.jgrad.data.reliability;

import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.IdxLoader;
import dev.jgrad.data.MalformedDataException;
import dev.jgrad.data.Tabular;

import dev.jgrad.ops.reliability.SmallHeapProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted files in bounded memory (issue #16): decompression bombs, endless lines, headers claiming huge or
 * overflowing sizes, empty data sets, I/O errors — each a clear exception naming the file, never an
 * {@link OutOfMemoryError}. The bombs are generated here, streamed through gzip, and loaded in a child JVM with
 * {@code -Xmx256m}.
 */
class UntrustedInputTest {
    private static final long MB = 1L << 20;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ generators

    /** Writes {@code head}, then {@code repeats} copies of {@code unit}, gzip-compressed as it goes. */
    private static Path gzip(Path file, byte[] head, byte[] unit, long repeats) throws IOException {
        byte[] block = new byte[(int) (MB / unit.length * unit.length)];
        for (int i = 0; i < block.length; i++) {
            block[i] = unit[i % unit.length];
        }
        long perBlock = block.length / unit.length;
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(head);
            long left = repeats;
            while (left >= perBlock) {
                out.write(block);
                left -= perBlock;
            }
            out.write(block, 0, (int) (left * unit.length));
        }
        return file;
    }

    private static byte[] idxHeader(int magic, int... dims) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        return bytes.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    // ------------------------------------------------------------------ bombs in a 256 MB heap

    @Test
    void bombsAreRejectedInA256MbHeapWithoutOutOfMemory() throws Exception {
        // IDX images whose honest header declares 300 MB of pixels, and which holds them (zeros)
        Path images = gzip(dir.resolve("big-images.gz"), idxHeader(IdxLoader.IMAGES_MAGIC, 300, 1024, 1024),
                new byte[] {0}, 300 * MB);
        // one CSV line of 300 M characters, no line break
        Path line = gzip(dir.resolve("line.csv.gz"), new byte[0], ascii("0"), 300 * MB);
        // a CSV whose header declares 50 M rows and which holds them: 400 MB of doubles
        Path rows = gzip(dir.resolve("rows.csv.gz"), ascii("50000000,1,a,b\n"), ascii("0,0\n"), 50_000_000);
        List<String> out = probe("images=" + images, "csv-header=" + line, "csv-options=" + line,
                "csv-header=" + rows, "csv-headerless=" + rows);
        assertEquals(5, out.size(), String.join("\n", out));
        for (String r : out) {
            assertFalse(r.contains("OutOfMemoryError"), r);
            assertTrue(r.contains("MalformedDataException"), r);
        }
        assertTrue(out.get(0).contains(images + ": 300 images of 1024×1024 pixels needs 556 MB; the JVM's heap limit"
                + " is 256 MB"), out.get(0));
        assertTrue(out.get(0).contains("raise -Xmx"), out.get(0));
        assertTrue(out.get(1).contains(line + ":1: line longer than 16777216 characters"), out.get(1));
        assertTrue(out.get(2).contains(line + ":1: line longer than 16777216 characters"), out.get(2));
        assertTrue(out.get(3).contains(rows + ": reading ") && out.get(3).contains("raise -Xmx"), out.get(3));
        // headerless: the header line is 4 columns, not 2
        assertTrue(out.get(4).contains(rows + ":1: expected 2 columns"), out.get(4));
    }

    /** Runs {@link BoundedMemoryProbe} in a JVM with {@code -Xmx256m}; returns its output lines. */
    private static List<String> probe(String... args) throws Exception {
        return SmallHeapProbe.run(BoundedMemoryProbe.class, "256m", args);
    }

    // ------------------------------------------------------------------ IDX

    @Test
    void idxGzipBombAfterTheDeclaredDataIsNotReadToItsEnd() throws IOException {
        Path f = gzip(dir.resolve("labels.gz"), idxHeader(IdxLoader.LABELS_MAGIC, 3), new byte[] {0}, 64 * MB + 3);
        // cut off the end of the gzip stream: a reader that went on to the end would report damaged gzip data
        byte[] gz = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(gz, gz.length - gz.length / 10));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readLabels(f));
        assertMessage(e, f.toString(), "more than 4096 unexpected trailing bytes after the 3 label bytes",
                "reading stopped there");
    }

    @Test
    void idxDimensionsWhoseProductOverflowsIntAreRejected() throws IOException {
        // 0 × 65536 × 65537: rows·cols = 2^32 + 65536 wraps to 65536 in int arithmetic
        Path f = dir.resolve("overflow.idx");
        Files.write(f, idxHeader(IdxLoader.IMAGES_MAGIC, 0, 65536, 65537));
        Path labels = dir.resolve("labels.idx");
        Files.write(labels, idxHeader(IdxLoader.LABELS_MAGIC, 0));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(f));
        assertMessage(e, f.toString(), "images of 65536×65537 = 4295032832 pixels each are more than one array can hold");
        assertThrows(MalformedDataException.class, () -> IdxLoader.load(f, labels, List.of("a")));
    }

    @Test
    void idxHeaderClaimingMoreThanTheHeapIsACleanError() throws IOException {
        // 2^31-9 labels need ~2 GB of bytes plus ~8 GB of ints: more than this JVM's heap (23 GB machine, default 1/4)
        Path f = dir.resolve("huge-labels.idx");
        Files.write(f, idxHeader(IdxLoader.LABELS_MAGIC, Integer.MAX_VALUE - 8));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readLabels(f));
        assertMessage(e, f.toString(), "2147483639 labels needs ", " MB; the JVM's heap limit is ", "raise -Xmx");
    }

    @Test
    void idxWithCountZeroIsAnEmptyDataSetError() throws IOException {
        Path images = dir.resolve("images.idx");
        Files.write(images, idxHeader(IdxLoader.IMAGES_MAGIC, 0, 28, 28));
        Path labels = dir.resolve("labels.idx");
        Files.write(labels, idxHeader(IdxLoader.LABELS_MAGIC, 0));
        MalformedDataException e = assertThrows(MalformedDataException.class,
                () -> IdxLoader.load(images, labels, List.of("a", "b")));
        assertMessage(e, images.toString(), "no images", "empty data set");
    }

    @Test
    void aDirectoryOrUnreadableFileIsAnErrorNamingIt() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("train-images-idx3-ubyte"));
        IOException e = assertThrows(IOException.class, () -> IdxLoader.readImages(sub));
        assertMessage(e, sub.toString(), "is a directory");
        e = assertThrows(IOException.class, () -> CsvLoader.readWithHeader(sub));
        assertMessage(e, sub.toString(), "is a directory");
        e = assertThrows(IOException.class, () -> CsvLoader.options().read(sub));
        assertMessage(e, sub.toString(), "is a directory");
        Path missing = dir.resolve("missing.csv");
        e = assertThrows(IOException.class, () -> CsvLoader.options().read(missing));
        assertMessage(e, missing.toString());
        Path locked = dir.resolve("locked.csv");
        Files.writeString(locked, "1,1,a\n0,0\n");
        File lf = locked.toFile();
        if (lf.setReadable(false) && !Files.isReadable(locked)) { // not when running as root
            e = assertThrows(IOException.class, () -> CsvLoader.readWithHeader(locked));
            assertMessage(e, locked.toString());
        }
    }

    // ------------------------------------------------------------------ CSV

    @Test
    void aCsvLineLongerThanTheLimitIsRejected() throws IOException {
        Path f = gzip(dir.resolve("long.csv.gz"), ascii("1,1,a\n"), ascii("0"), CsvLoader.MAX_LINE_CHARS + 1L);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> CsvLoader.readWithHeader(f));
        assertMessage(e, f + ":2: line longer than 16777216 characters");
        // a quoted field may span lines, but not the limit: an unclosed quote is reported as such
        Path q = gzip(dir.resolve("quote.csv.gz"), ascii("x,y\n\"0"), ascii("0,\n"), CsvLoader.MAX_LINE_CHARS / 3 + 1);
        e = assertThrows(MalformedDataException.class, () -> CsvLoader.options().header(true).read(q));
        assertMessage(e, q + ":2: line longer than", "unclosed quote?");
    }

    @Test
    void aCsvWithAHeaderAndNoRowsIsAnEmptyDataSetError() throws IOException {
        Path f = dir.resolve("empty.csv");
        Files.writeString(f, "0,4,a,b\n");
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> CsvLoader.readWithHeader(f));
        assertMessage(e, f.toString(), "no data rows");
        Files.writeString(f, "x,y,label\n\n");
        e = assertThrows(MalformedDataException.class, () -> CsvLoader.options().header(true).read(f));
        assertMessage(e, f.toString(), "no data rows");
    }

    @Test
    void aUtf8ByteOrderMarkIsAccepted() throws IOException {
        Path f = dir.resolve("bom.csv");
        Files.writeString(f, "\uFEFF2,1,a,b\n0.5,0\n1.5,1\n");
        Tabular t = CsvLoader.readWithHeader(f);
        assertEquals(2, t.size());
        assertEquals(0.5, t.feature(0, 0));
        Files.writeString(f, "\uFEFFx,species\n1,a\n");
        assertEquals(List.of("a"), CsvLoader.options().header(true).label("species").read(f).classNames());
        Path g = gzip(dir.resolve("bom.csv.gz"), ascii("\uFEFF"), ascii("1,0\n"), 3);
        assertEquals(3, CsvLoader.readHeaderless(g, 1, 1).size());
    }
}
