package dev.jgrad.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Replaces a file atomically, so that readers (and a restart after a crash) see either the
 * complete old contents or the complete new contents, never a mixture or a truncated file.
 *
 * <p>Procedure: write to a fresh temporary file {@code .<name>.<random>.tmp} in the target's
 * directory (same file system, so the rename below is atomic), {@link FileChannel#force
 * fsync} it, rename it over the target with {@link StandardCopyOption#ATOMIC_MOVE} (falling
 * back to {@link StandardCopyOption#REPLACE_EXISTING} where atomic moves are unsupported),
 * then fsync the directory so that the rename itself is durable (skipped silently on
 * platforms, such as Windows, that cannot open a directory). If writing fails at any point
 * the temporary file is deleted and the target is left untouched. A process killed
 * mid-write may leave a stale {@code .tmp} file behind, never a damaged target.
 *
 * <p>If the target is a symbolic link, the link itself is replaced by a regular file. The
 * new file gets the default permissions for newly created files (umask), not those of the
 * file it replaces.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes the contents of a new file through its channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        /**
         * Writes the complete new contents, starting at position 0. Must not close the channel.
         *
         * @param channel an empty, writable channel positioned at 0
         * @throws IOException to abort the replacement (the target stays as it was)
         */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code body} writes.
     *
     * @param target the file to replace; its parent directory must exist
     * @param body   writes the new contents
     * @throws IOException if {@code body} fails or the file cannot be written, synced or
     *                     renamed; the target is then unchanged
     */
    public static void write(Path target, ChannelWriter body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) {
            throw new IOException(target + ": cannot write to a file system root");
        }
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
            sweepStale(abs, STALE_AFTER);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    // best effort: the original failure is what matters
                }
            }
        }
    }

    /** How old a temporary file of a target must be before {@link #write} sweeps it as left by a killed writer. */
    public static final java.time.Duration STALE_AFTER = java.time.Duration.ofMinutes(10);

    /**
     * Deletes the temporary files {@code .<name>.<hex>.tmp} of {@code target} last modified more than {@code olderThan}
     * ago: what a writer killed mid-write leaves behind ({@link #write} does this after each successful write with
     * {@link #STALE_AFTER}; a live writer touches its file continuously, so it is not swept). Best effort: files that
     * cannot be deleted are left.
     *
     * @param target    the file whose temporaries to sweep
     * @param olderThan the age from which a temporary counts as stale
     * @return how many were deleted
     * @throws IOException if the directory cannot be listed
     */
    public static int sweepStale(Path target, java.time.Duration olderThan) throws IOException {
        if (target == null) throw new IllegalArgumentException("AtomicFiles.sweepStale: target is null");
        if (olderThan == null) throw new IllegalArgumentException("AtomicFiles.sweepStale: olderThan is null");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) return 0;
        String prefix = "." + abs.getFileName() + ".";
        long cutoff = System.currentTimeMillis() - olderThan.toMillis();
        int deleted = 0;
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String mid = n.substring(prefix.length(), n.length() - ".tmp".length());
                if (!mid.matches("[0-9a-f]{1,16}")) continue;
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < cutoff && Files.deleteIfExists(p)) deleted++;
                } catch (IOException ignored) {
                    // best effort: another process may have removed or be using it
                }
            }
        }
        return deleted;
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code bytes}.
     *
     * @param target the file to replace
     * @param bytes  the new contents
     * @throws IOException if the file cannot be written; the target is then unchanged
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes the whole buffer at the channel's position. */
    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Writes the whole buffer at an absolute position without moving the channel's position. */
    static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not supported on this platform (e.g. Windows); the rename is still atomic.
        }
    }
}
