package dev.jgrad.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (detected from the first two bytes).
 *
 * <p>Layout: a big-endian int32 magic number — {@code 0x00000803} for a 3-D array of
 * unsigned bytes (images: count, rows, columns) or {@code 0x00000801} for a 1-D array of
 * unsigned bytes (labels: count) — then one big-endian int32 per dimension, then the
 * unsigned bytes in row-major order and nothing else.
 *
 * <p>Errors are {@link MalformedDataException}s naming the file: a bad magic number (shown
 * in hex next to the expected one, with a hint when it looks like the other kind of IDX
 * file, a byte-swapped file or an IDX file of another element type), negative or absurd
 * dimensions, a truncated file (how many bytes were expected and how many were there),
 * trailing bytes after the data, a damaged gzip stream, an image/label count mismatch, and
 * (in {@link #load}) a count of 0, an empty data set.
 *
 * <p>Untrusted files are read in bounded memory: dimensions are multiplied in {@code long}
 * (a product above 2³¹−9 bytes is rejected), the payload's size is checked against the heap
 * the JVM has left before it is allocated ({@code needs N MB; the JVM's heap limit is M MB:
 * raise -Xmx}), and reading stops {@value #TRAILING_LOOKAHEAD} bytes past the declared payload,
 * so a gzip stream that inflates to gigabytes after its data is not inflated further. A
 * directory or an unreadable file is an {@link IOException} naming the file.
 */
public final class IdxLoader {
    /** Magic number of an IDX file holding unsigned-byte images ({@code count × rows × cols}). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file holding unsigned-byte labels ({@code count}). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** The scale applied to pixels by {@link #load}: bytes 0..255 map to [0, 1]. */
    public static final double PIXEL_SCALE = 1.0 / 255.0;

    /** The largest payload (count × rows × cols bytes) accepted: the largest Java array. */
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Bytes read past the declared payload to report trailing data (exactly, up to this many); reading stops there. */
    public static final int TRAILING_LOOKAHEAD = 4096;
    /** Size of the first chunk the payload is read into (it doubles until the declared size). */
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxLoader() {
    }

    /**
     * Images read from an IDX3 file: {@code count} images of {@code rows × cols} unsigned
     * bytes, row-major.
     */
    public static final class Images {
        private final int count;
        private final int rows;
        private final int cols;
        private final byte[] pixels;

        Images(int count, int rows, int cols, byte[] pixels) {
            this.count = count;
            this.rows = rows;
            this.cols = cols;
            this.pixels = pixels;
        }

        /**
         * Number of images.
         *
         * @return the count from the header
         */
        public int count() {
            return count;
        }

        /**
         * Image height.
         *
         * @return rows per image
         */
        public int rows() {
            return rows;
        }

        /**
         * Image width.
         *
         * @return columns per image
         */
        public int cols() {
            return cols;
        }

        /**
         * One pixel.
         *
         * @param image image index
         * @param row   row within the image
         * @param col   column within the image
         * @return the pixel value, 0..255
         */
        public int pixel(int image, int row, int col) {
            java.util.Objects.checkIndex(image, count);
            java.util.Objects.checkIndex(row, rows);
            java.util.Objects.checkIndex(col, cols);
            return pixels[(image * rows + row) * cols + col] & 0xFF;
        }

        /**
         * All pixels.
         *
         * @return a fresh copy of the {@code count·rows·cols} bytes (read them with {@code & 0xFF})
         */
        public byte[] pixels() {
            return pixels.clone();
        }

        byte[] rawPixels() {
            return pixels;
        }
    }

    /**
     * Reads an IDX3 unsigned-byte image file.
     *
     * @param path the file, plain or gzip
     * @return the images
     * @throws MalformedDataException for a bad magic, bad dimensions, truncation or trailing bytes
     * @throws IOException            if the file cannot be read
     */
    public static Images readImages(Path path) throws IOException {
        String source = path.toString();
        try (InputStream in = open(path)) {
            int magic = readInt(in, source, "magic number");
            checkMagic(magic, IMAGES_MAGIC, "IDX3 unsigned-byte images", source);
            int count = readDim(in, source, "image count");
            int rows = readDim(in, source, "row count");
            int cols = readDim(in, source, "column count");
            // long arithmetic: rows·cols alone can exceed 2^31 (65536×65537 wraps to 65536 in int)
            long perImage = (long) rows * cols;
            if (perImage > MAX_ELEMENTS) {
                throw new MalformedDataException(source, "images of " + rows + "×" + cols + " = " + perImage
                        + " pixels each are more than one array can hold (" + MAX_ELEMENTS + ")");
            }
            long total = count * perImage;
            if (total > MAX_ELEMENTS) {
                throw new MalformedDataException(source, count + " images of " + rows + "×" + cols
                        + " = " + total + " bytes is more than one array can hold");
            }
            Inputs.checkHeap(source, peakBytes(total), count + " images of " + rows + "×" + cols + " pixels");
            byte[] pixels = readPayload(in, (int) total, source, "pixel");
            return new Images(count, rows, cols, pixels);
        } catch (ZipException | EOFException e) {
            throw new MalformedDataException(source, "damaged or truncated gzip data: " + e.getMessage(), e);
        } catch (MalformedDataException e) {
            throw e;
        } catch (IOException e) {
            throw CsvLoader.ioError(path, e);
        }
    }

    /**
     * Reads an IDX1 unsigned-byte label file.
     *
     * @param path the file, plain or gzip
     * @return the labels, each 0..255
     * @throws MalformedDataException for a bad magic, a bad count, truncation or trailing bytes
     * @throws IOException            if the file cannot be read
     */
    public static int[] readLabels(Path path) throws IOException {
        String source = path.toString();
        try (InputStream in = open(path)) {
            int magic = readInt(in, source, "magic number");
            checkMagic(magic, LABELS_MAGIC, "IDX1 unsigned-byte labels", source);
            int count = readDim(in, source, "label count");
            if (count > MAX_ELEMENTS) {
                throw new MalformedDataException(source, "label count " + count + " is too large");
            }
            Inputs.checkHeap(source, peakBytes(count) + 4L * count, count + " labels");
            byte[] raw = readPayload(in, count, source, "label");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        } catch (ZipException | EOFException e) {
            throw new MalformedDataException(source, "damaged or truncated gzip data: " + e.getMessage(), e);
        } catch (MalformedDataException e) {
            throw e;
        } catch (IOException e) {
            throw CsvLoader.ioError(path, e);
        }
    }

    /**
     * Reads an image file and its label file into a compact data set: one row per image,
     * {@code rows·cols} features (the image flattened row-major), pixel values scaled by
     * {@link #PIXEL_SCALE} to doubles in [0, 1] on access (stored as bytes; see {@link Tabular}).
     *
     * @param images     the IDX3 image file
     * @param labels     the IDX1 label file
     * @param classNames the class names; labels must lie in {@code [0, classNames.size())}
     * @return the data set
     * @throws MalformedDataException for any format problem, an image/label count mismatch
     *                                or a label out of range
     * @throws IOException            if a file cannot be read
     */
    public static Tabular load(Path images, Path labels, List<String> classNames) throws IOException {
        if (classNames == null) throw new IllegalArgumentException("IdxLoader.load: classNames is null");
        Images im = readImages(images);
        int[] y = readLabels(labels);
        if (im.count() != y.length) {
            throw new MalformedDataException(images.toString(), "image/label count mismatch: " + images
                    + " has " + im.count() + " images but " + labels + " has " + y.length + " labels");
        }
        int numClasses = classNames.size();
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= numClasses) {
                throw new MalformedDataException(labels.toString(), "label " + y[i] + " of item " + i
                        + " is outside [0, " + numClasses + ")");
            }
        }
        if (y.length == 0) {
            throw new MalformedDataException(images.toString(), "no images: the count in the header is 0"
                    + " (an empty data set cannot be trained on)");
        }
        int d = im.rows() * im.cols(); // no overflow: readImages checked count·rows·cols <= MAX_ELEMENTS, count >= 1
        if (d == 0) {
            throw new MalformedDataException(images.toString(), "images have zero pixels ("
                    + im.rows() + "×" + im.cols() + ")");
        }
        return Tabular.wrapUnsignedBytes(im.rawPixels(), d, PIXEL_SCALE, y, numClasses, classNames);
    }

    // ------------------------------------------------------------------ internals

    /**
     * Opens an IDX file; a gzip stream is capped at the most an IDX file can need (a 4-byte magic, three 4-byte
     * dimensions, the largest payload and the trailing look-ahead), and the readers stop after the declared
     * payload anyway, so a decompression bomb is never inflated past what its header declares.
     */
    private static InputStream open(Path path) throws IOException {
        InputStream raw = Inputs.openRaw(path);
        try {
            return Inputs.maybeGunzip(raw, path.toString(), 16L + MAX_ELEMENTS + TRAILING_LOOKAHEAD + 1);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** The peak heap of reading {@code n} payload bytes into chunks that double up to {@code n}. */
    static long peakBytes(long n) {
        if (n <= FIRST_CHUNK) {
            return n;
        }
        long m = FIRST_CHUNK;
        while (2 * m < n) {
            m *= 2;
        }
        return m + n;
    }

    private static void checkMagic(int magic, int expected, String what, String source)
            throws MalformedDataException {
        if (magic == expected) {
            return;
        }
        String hint = "";
        if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
            hint = " (this looks like an IDX " + (magic == IMAGES_MAGIC ? "image" : "label")
                    + " file: images and labels swapped?)";
        } else if (Integer.reverseBytes(magic) == expected) {
            hint = " (byte-swapped: the file was written little-endian)";
        } else if ((magic >>> 16) == 0 && ((magic >>> 8) & 0xFF) != 0x08) {
            hint = String.format(" (IDX element type 0x%02X; only unsigned bytes, 0x08, are supported)",
                    (magic >>> 8) & 0xFF);
        }
        throw new MalformedDataException(source, String.format(
                "bad magic number 0x%08X, expected 0x%08X (%s)%s", magic, expected, what, hint));
    }

    private static int readInt(InputStream in, String source, String what) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new MalformedDataException(source, "truncated header: file ended after "
                    + b.length + " of the 4 bytes of the " + what);
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static int readDim(InputStream in, String source, String what) throws IOException {
        int v = readInt(in, source, what);
        if (v < 0) {
            throw new MalformedDataException(source, what + " " + v + " is negative (or above 2^31-1)");
        }
        return v;
    }

    private static byte[] readPayload(InputStream in, int n, String source, String what) throws IOException {
        // Read in chunks so that a header claiming a huge count does not allocate the whole
        // array before we learn that the file is short.
        byte[] out = new byte[Math.min(n, FIRST_CHUNK)];
        int got = 0;
        while (got < n) {
            if (got == out.length) {
                int grown = (int) Math.min(n, 2L * out.length);
                try {
                    out = java.util.Arrays.copyOf(out, grown);
                } catch (OutOfMemoryError e) { // checkHeap passed, but the free heap was fragmented
                    throw Inputs.outOfHeap(source, peakBytes(n), n + " " + what + " bytes");
                }
            }
            int r = in.read(out, got, out.length - got);
            if (r < 0) {
                throw new MalformedDataException(source, "truncated: header promises " + n + " " + what
                        + " bytes but the file ends after " + got);
            }
            got += r;
        }
        // look at most TRAILING_LOOKAHEAD bytes past the data: enough to report a short tail exactly, while a
        // file (or gzip bomb) that goes on for gigabytes after its declared data is not read any further
        byte[] tail = in.readNBytes(TRAILING_LOOKAHEAD + 1);
        if (tail.length > TRAILING_LOOKAHEAD) {
            throw new MalformedDataException(source, "more than " + TRAILING_LOOKAHEAD + " unexpected trailing bytes"
                    + " after the " + n + " " + what + " bytes (reading stopped there)");
        }
        if (tail.length > 0) {
            throw new MalformedDataException(source, tail.length + " unexpected trailing bytes after the "
                    + n + " " + what + " bytes");
        }
        return out;
    }
}
