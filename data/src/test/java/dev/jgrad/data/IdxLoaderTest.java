package dev.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxLoaderTest {
    @TempDir
    Path dir;

    /** Three 2×3 images whose pixel (i, r, c) = 40*i + 10*r + c, plus 255 in the last pixel. */
    private static byte[] pixels() {
        byte[] px = new byte[3 * 2 * 3];
        for (int i = 0; i < 3; i++) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    px[(i * 2 + r) * 3 + c] = (byte) (40 * i + 10 * r + c);
                }
            }
        }
        px[px.length - 1] = (byte) 255;
        return px;
    }

    static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes); // big-endian
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(payload);
        out.flush();
        return bytes.toByteArray();
    }

    static void write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }

    private Path images(String name, boolean gzip) throws IOException {
        Path f = dir.resolve(name);
        write(f, idx(IdxLoader.IMAGES_MAGIC, new int[] {3, 2, 3}, pixels()), gzip);
        return f;
    }

    private Path labels(String name, boolean gzip, byte... labels) throws IOException {
        Path f = dir.resolve(name);
        write(f, idx(IdxLoader.LABELS_MAGIC, new int[] {labels.length}, labels), gzip);
        return f;
    }

    @Test
    void roundTripsPlainAndGzipFiles() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path im = images("im" + gzip, gzip);
            Path lb = labels("lb" + gzip, gzip, (byte) 2, (byte) 0, (byte) 9);
            IdxLoader.Images images = IdxLoader.readImages(im);
            assertEquals(3, images.count());
            assertEquals(2, images.rows());
            assertEquals(3, images.cols());
            assertEquals(40 + 10 + 2, images.pixel(1, 1, 2));
            assertEquals(255, images.pixel(2, 1, 2));
            assertArrayEquals(pixels(), images.pixels());
            assertArrayEquals(new int[] {2, 0, 9}, IdxLoader.readLabels(lb));

            Tabular t = IdxLoader.load(im, lb, Datasets.FASHION_MNIST_CLASSES);
            assertEquals(3, t.size());
            assertEquals(6, t.numFeatures());
            assertEquals(10, t.numClasses());
            assertEquals(52 / 255.0, t.feature(1, 5), 0.0);
            assertEquals(1.0, t.feature(2, 5), 0.0);
            assertEquals(0.0, t.feature(0, 0), 0.0);
            assertArrayEquals(new int[] {2, 0, 9}, t.labels());
            assertEquals("Ankle boot", t.className(t.label(2)));
        }
    }

    @Test
    void badMagicIsReportedInHexWithTheExpectedValue() throws IOException {
        Path lb = labels("labels", false, (byte) 1);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(lb));
        assertTrue(e.getMessage().startsWith(lb.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic number 0x00000801, expected 0x00000803"), e.getMessage());
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());

        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readLabels(junk));
        assertTrue(e.getMessage().contains("bad magic number 0x504B0304, expected 0x00000801"), e.getMessage());

        Path le = dir.resolve("little-endian");
        Files.write(le, new byte[] {3, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(le));
        assertTrue(e.getMessage().contains("byte-swapped"), e.getMessage());
    }

    @Test
    void truncatedFilesAreReported() throws IOException {
        byte[] full = idx(IdxLoader.IMAGES_MAGIC, new int[] {3, 2, 3}, pixels());
        Path cut = dir.resolve("cut");
        write(cut, Arrays.copyOf(full, full.length - 5), false);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(cut));
        assertTrue(e.getMessage().contains("truncated: header promises 18 pixel bytes but the file ends after 13"),
                e.getMessage());

        Path cutGz = dir.resolve("cut.gz");
        write(cutGz, Arrays.copyOf(full, full.length - 5), true);
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(cutGz));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path header = dir.resolve("header");
        write(header, Arrays.copyOf(full, 10), false);
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(header));
        assertTrue(e.getMessage().contains("truncated header"), e.getMessage());

        // the gzip stream itself cut short
        Path gz = dir.resolve("gz");
        write(gz, full, true);
        byte[] compressed = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(compressed, compressed.length - 12));
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(gz));
        assertTrue(e.getMessage().startsWith(gz.toString()), e.getMessage());
    }

    @Test
    void trailingBytesAndNegativeDimensionsAreRejected() throws IOException {
        Path extra = dir.resolve("extra");
        write(extra, idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2, 3}), false);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> IdxLoader.readLabels(extra));
        assertTrue(e.getMessage().contains("1 unexpected trailing bytes"), e.getMessage());

        Path neg = dir.resolve("neg");
        write(neg, idx(IdxLoader.IMAGES_MAGIC, new int[] {-1, 2, 2}, new byte[0]), false);
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(neg));
        assertTrue(e.getMessage().contains("image count -1 is negative"), e.getMessage());

        // a huge claimed size is rejected without allocating it
        Path huge = dir.resolve("huge");
        write(huge, idx(IdxLoader.IMAGES_MAGIC, new int[] {60000, 28000, 28}, new byte[10]), false);
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.readImages(huge));
        assertTrue(e.getMessage().contains("more than one array can hold"), e.getMessage());
    }

    @Test
    void imageLabelCountMismatchAndLabelRangeAreChecked() throws IOException {
        Path im = images("im", true);
        Path two = labels("two", true, (byte) 1, (byte) 2);
        MalformedDataException e = assertThrows(MalformedDataException.class,
                () -> IdxLoader.load(im, two, Datasets.FASHION_MNIST_CLASSES));
        assertTrue(e.getMessage().contains("has 3 images but " + two + " has 2 labels"), e.getMessage());

        Path big = labels("big", false, (byte) 1, (byte) 10, (byte) 2);
        e = assertThrows(MalformedDataException.class, () -> IdxLoader.load(im, big, Datasets.FASHION_MNIST_CLASSES));
        assertTrue(e.getMessage().contains("label 10 of item 1 is outside [0, 10)"), e.getMessage());
    }

    @Test
    void fashionMnistReadsTheStandardFileNames() throws IOException {
        Path fm = Files.createDirectory(dir.resolve("fm"));
        write(fm.resolve("t10k-images-idx3-ubyte.gz"), idx(IdxLoader.IMAGES_MAGIC, new int[] {3, 2, 3}, pixels()), true);
        write(fm.resolve("t10k-labels-idx1-ubyte.gz"), idx(IdxLoader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 1, 2}), true);
        // uncompressed training files are accepted as well
        write(fm.resolve("train-images-idx3-ubyte"), idx(IdxLoader.IMAGES_MAGIC, new int[] {3, 2, 3}, pixels()), false);
        write(fm.resolve("train-labels-idx1-ubyte"), idx(IdxLoader.LABELS_MAGIC, new int[] {3}, new byte[] {3, 4, 5}), false);

        Tabular test = Datasets.fashionMnist(fm, false);
        assertArrayEquals(new int[] {0, 1, 2}, test.labels());
        assertEquals(Datasets.FASHION_MNIST_CLASSES, test.classNames());
        Tabular train = Datasets.fashionMnist(fm, true);
        assertArrayEquals(new int[] {3, 4, 5}, train.labels());
        assertTrue(train.isByteBacked());
    }

    @Test
    void missingFashionMnistSaysHowToInstallIt() {
        Path nowhere = dir.resolve("nowhere");
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.fashionMnist(nowhere, true));
        assertTrue(e.getMessage().endsWith(
                "install with `apt-get install dataset-fashion-mnist` (or pass --data DIR)"), e.getMessage());
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());

        e = assertThrows(DatasetNotFoundException.class, () -> Datasets.fashionMnist(dir, false));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains(Datasets.FASHION_MNIST_INSTALL_HINT), e.getMessage());
    }
}
