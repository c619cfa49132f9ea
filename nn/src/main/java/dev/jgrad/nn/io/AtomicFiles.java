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
 * <p><b>Syncing less often.</b> The two fsyncs cost 4–16 ms per file on the VM this was measured on, more than a
 * small network's training epoch; a training loop that rewrites its checkpoint and metrics after every epoch opens a
 * {@link #syncAtMostEvery} scope: inside it (on that thread) a write is still atomic, but fsyncs only when its target
 * was last synced at least the given interval ago, and closing the scope fsyncs every target written since its last
 * sync. A process crash then loses nothing (the renamed file is complete in the page cache); a power loss or OS crash
 * can lose the writes of the last interval, whose targets hold older complete contents (or, on file systems that do not
 * order a rename after the data it names, a damaged file that the loaders reject with an error).
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
        SyncScope scope = SCOPE.get();
        boolean sync = scope == null || scope.due(abs, System.nanoTime());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                if (sync) force(ch);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            if (sync) syncDirectory(dir);
            if (scope != null) scope.written(abs, sync, System.nanoTime());
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

    private static final ThreadLocal<SyncScope> SCOPE = new ThreadLocal<>();

    /**
     * Opens a scope, on the calling thread, in which {@link #write} fsyncs a target only when it was last synced at least
     * {@code interval} ago (or never in this scope); closing the scope fsyncs the targets written since their last sync
     * (and their directories). Scopes nest (the inner one applies until it is closed). See "Syncing less often" above.
     *
     * @param interval the longest time a target's latest contents may stay unsynced; zero syncs every write
     * @return the scope, to close on the same thread (try-with-resources)
     */
    public static SyncScope syncAtMostEvery(java.time.Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("AtomicFiles.syncAtMostEvery: interval must be >= 0, got " + interval);
        }
        SyncScope s = new SyncScope(interval.toNanos(), SCOPE.get());
        SCOPE.set(s);
        return s;
    }

    /** A scope of {@link #syncAtMostEvery}: which targets it has synced when, and which await a sync. */
    public static final class SyncScope implements AutoCloseable {
        private final long intervalNanos;
        private final SyncScope outer;
        private final Thread owner = Thread.currentThread();
        private final java.util.Map<Path, Long> lastSync = new java.util.HashMap<>();
        private final java.util.Set<Path> pending = new java.util.LinkedHashSet<>();
        private boolean closed;

        private SyncScope(long intervalNanos, SyncScope outer) {
            this.intervalNanos = intervalNanos;
            this.outer = outer;
        }

        private boolean due(Path target, long now) {
            Long last = lastSync.get(target);
            return last == null || now - last >= intervalNanos;
        }

        private void written(Path target, boolean synced, long now) {
            if (synced) {
                lastSync.put(target, now);
                pending.remove(target);
            } else {
                pending.add(target);
            }
        }

        /** The targets written in this scope whose latest contents are not yet synced. */
        public java.util.Set<Path> pending() {
            return java.util.Collections.unmodifiableSet(pending);
        }

        /**
         * Ends the scope: fsyncs every pending target that still exists and its directory.
         *
         * @throws IOException if a pending target cannot be synced (the others are still synced)
         * @throws IllegalStateException if called on another thread than the one that opened the scope
         */
        @Override
        public void close() throws IOException {
            if (closed) return;
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("AtomicFiles.SyncScope.close: opened on " + owner.getName()
                        + ", closed on " + Thread.currentThread().getName());
            }
            closed = true;
            if (SCOPE.get() == this) {
                if (outer == null) SCOPE.remove();
                else SCOPE.set(outer);
            }
            IOException first = null;
            for (Path p : pending) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    force(ch);
                    syncDirectory(p.getParent());
                } catch (java.nio.file.NoSuchFileException gone) {
                    // removed since (nothing left to make durable)
                } catch (IOException e) {
                    if (first == null) first = e;
                    else first.addSuppressed(e);
                }
            }
            pending.clear();
            if (first != null) throw first;
        }
    }

    /** fsyncs done by this class (file and directory), for tests. */
    static final java.util.concurrent.atomic.AtomicLong FSYNCS = new java.util.concurrent.atomic.AtomicLong();

    private static void force(FileChannel ch) throws IOException {
        ch.force(true);
        FSYNCS.incrementAndGet();
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            force(d);
        } catch (IOException | UnsupportedOperationException e) {
            // Not supported on this platform (e.g. Windows); the rename is still atomic.
        }
    }
}
