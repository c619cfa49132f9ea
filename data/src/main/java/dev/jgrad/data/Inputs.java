package dev.jgrad.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opening files and streams, transparently un-gzipping them when they start with the gzip magic, with the
 * guards that keep untrusted input in bounded memory: a cap on the inflated size of a gzip stream and a check of
 * an allocation against the heap the JVM has left.
 */
final class Inputs {
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    private static final int BUFFER = 1 << 16;
    private static final long MB = 1L << 20;

    private Inputs() {
    }

    /** Opens a file without decompressing it; a directory, a missing or an unreadable file names the file. */
    static InputStream openRaw(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new MalformedDataException(path.toString(), "is a directory, not a data file");
        }
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(path.toString(), null, "permission denied (cannot read the file)");
        }
    }

    /** Wraps a stream, decompressing it if its first two bytes are the gzip magic (no inflation cap). */
    static InputStream maybeGunzip(InputStream raw) throws IOException {
        return maybeGunzip(raw, "<stream>", Long.MAX_VALUE);
    }

    /**
     * Wraps a stream, decompressing it if its first two bytes are the gzip magic; a gzip stream that inflates to
     * more than {@code maxInflated} bytes fails with a {@link MalformedDataException} naming {@code source}.
     */
    static InputStream maybeGunzip(InputStream raw, String source, long maxInflated) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1) {
            InputStream gz = new GZIPInputStream(in, BUFFER);
            if (maxInflated < Long.MAX_VALUE) {
                gz = new InflationCap(gz, source, maxInflated);
            }
            return new BufferedInputStream(gz, BUFFER);
        }
        return in;
    }

    /**
     * Checks that an allocation of {@code bytes} bytes that depends on the input can be satisfied by the heap the
     * JVM has left ({@link Runtime#maxMemory()} minus what is in use, after one garbage collection if needed).
     *
     * @throws MalformedDataException "source: WHAT needs N MB; the JVM's heap limit is M MB (F MB free): raise -Xmx"
     */
    static void checkHeap(String source, long bytes, String what) throws MalformedDataException {
        if (bytes <= free()) {
            return;
        }
        System.gc();
        if (bytes > free()) {
            throw outOfHeap(source, bytes, what);
        }
    }

    /**
     * The error for an allocation the heap cannot hold. The loaders also throw it when one large array allocation
     * that passed {@link #checkHeap} still fails with an {@link OutOfMemoryError} (the free heap can be fragmented):
     * that single allocation is the only thing that failed, so nothing is left half-done.
     */
    static MalformedDataException outOfHeap(String source, long bytes, String what) {
        return new MalformedDataException(source, what + " needs " + ceilMb(bytes) + " MB; the JVM's heap limit is "
                + ceilMb(Runtime.getRuntime().maxMemory()) + " MB (" + free() / MB + " MB free): raise -Xmx");
    }

    private static long free() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static long ceilMb(long bytes) {
        return (bytes + MB - 1) / MB;
    }

    /** Fails once more than {@code max} bytes have come out of the wrapped (inflating) stream. */
    private static final class InflationCap extends FilterInputStream {
        private final String source;
        private final long max;
        private long count;

        InflationCap(InputStream in, String source, long max) {
            super(in);
            this.source = source;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            counted(s);
            return s;
        }

        private void counted(long n) throws MalformedDataException {
            count += n;
            if (count > max) {
                throw new MalformedDataException(source, "gzip data inflates to more than " + max
                        + " bytes, the most its contents can need (a decompression bomb?)");
            }
        }
    }
}
