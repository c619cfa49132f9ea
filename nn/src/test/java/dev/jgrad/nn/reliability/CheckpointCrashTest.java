package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.nn.io.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static dev.jgrad.nn.reliability.NnCatalogueSupport.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash safety of {@link Checkpoint#save}: a child JVM ({@link CheckpointWriterMain}) saves checkpoints of an MLP
 * 64-256-256-10 to one path in a loop and is killed with {@code destroyForcibly()} (SIGKILL) at seeded random
 * moments — during JVM start-up, at random points of the save loop, aimed inside a save, and right after one.
 * After every kill the file on disk must load intact into a fresh model and hold exactly one of the versions the
 * child wrote completely (regenerated here from its counter), never a version older than the last save the child
 * reported as done; at most one stale {@code .tmp} file per kill may appear (what {@code AtomicFiles} documents),
 * and only for kills that landed inside a save: the temporary's header names the version being saved, which must be
 * the one after the version on disk. The child's progress lines serve only as lower bounds, because a kill can cut
 * off the tail of its output before the parent has read it (seen: up to two lines, about once in 40 kills).
 *
 * <p>The damage cases complement {@code CheckpointTest} (which covers single-bit flips of every byte of a small
 * file, a few truncations and architecture mismatches): truncation at every length up to 512 bytes and at every
 * page, tensor and header boundary of a 336 KB file, whole-byte corruption, zeroed and stale pages (torn writes),
 * foreign headers and files, float64 files into float32 models, forged entries, and files of other
 * architectures — each rejected with a message naming the file and the problem, the target model unchanged.
 */
class CheckpointCrashTest {
    private static final Pattern TMP_NAME = Pattern.compile("\\.model\\.safetensors\\.[0-9a-f]+\\.tmp");
    private static final String EOF = "\u0000EOF";
    private static final long LINE_TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    // ================================================================== the crash loop

    private enum Mode {
        /** A random delay after launch: JVM start-up, loading the checkpoint, or the first save. */
        STARTUP,
        /** A random delay after the child has loaded the checkpoint: anywhere in the save loop. */
        LOOP,
        /** After the child announces its j-th save, at a random fraction of the typical save duration. */
        IN_SAVE,
        /** Right after the child reports its j-th save complete. */
        AFTER_SAVE
    }

    /** One child JVM and the lines it prints (read on a background thread, so the pipe never fills up). */
    private static final class Child implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final Thread reader;

        Child(Path target, Path stderr, long maxSaves) throws IOException {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto",
                    "--add-modules", "jdk.incubator.vector",
                    "-cp", System.getProperty("java.class.path"),
                    CheckpointWriterMain.class.getName(), target.toString(), Long.toString(maxSaves));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        queue.add(line);
                    }
                } catch (IOException e) {
                    // the pipe breaks when the process is killed: whatever was read is all there is
                } finally {
                    queue.add(EOF);
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the next line starting with {@code prefix} (skipping others); null if the child's output ended. */
        String await(String prefix) throws InterruptedException {
            while (true) {
                String line = queue.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (line == null) fail("child printed nothing for " + LINE_TIMEOUT_SECONDS + " s while we waited for '" + prefix + "'");
                if (line.equals(EOF)) return null;
                if (line.startsWith(prefix)) return line;
            }
        }

        /** SIGKILL, then wait for the process and the rest of its output. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS), "killed child did not exit");
            reader.join(TimeUnit.SECONDS.toMillis(LINE_TIMEOUT_SECONDS));
            assertFalse(reader.isAlive(), "child's stdout did not close");
        }

        @Override
        public void close() {
            if (process.isAlive()) process.destroyForcibly();
        }
    }

    /** What the child printed: the version it loaded, the last save it started and the last one it finished. */
    private static final Pattern LINE = Pattern.compile("(loaded|saving) [0-9]+|saved [0-9]+ [0-9]+");

    private record Progress(long loaded, long lastStarted, long lastSaved, boolean insideSave, List<Long> saveNanos) {
        static Progress of(List<String> lines) {
            long loaded = -1, started = -1, saved = -1;
            List<Long> nanos = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                // a kill can cut the last line short (it is then ignored: the event it announces had not happened yet
                // when "saving"/"loaded" was cut, and a cut "saved" line only makes the check stricter)
                if (i == lines.size() - 1 && !LINE.matcher(l).matches()) break;
                String[] f = l.split(" ");
                switch (f[0]) {
                    case "loaded" -> loaded = started = saved = Long.parseLong(f[1]);
                    case "saving" -> started = Long.parseLong(f[1]);
                    case "saved" -> {
                        saved = Long.parseLong(f[1]);
                        nanos.add(Long.parseLong(f[2]));
                    }
                    default -> fail("unexpected line from the child: " + l);
                }
            }
            return new Progress(loaded, started, saved, started > saved, nanos);
        }
    }

    @Test
    void killedWriterAlwaysLeavesOneCompleteVersionAndAtMostOneStaleTemporaryPerKill() throws Exception {
        Path ckDir = Files.createDirectories(dir.resolve("ck"));
        Path target = ckDir.resolve("model.safetensors");
        Path stderr = dir.resolve("child-stderr.log");
        // version 0, written here, so that the file exists from the start and every child resumes from it
        Sequential v0 = CheckpointWriterMain.newModel(1);
        CheckpointWriterMain.fillVersion(v0, 0);
        Checkpoint.save(target, v0, null, CheckpointWriterMain.metadata(0));

        SplittableRandom rng = new SplittableRandom(20240611L);
        int minKills = 36, maxKills = 72, wantInsideSave = 12;
        Map<Mode, Integer> byMode = new TreeMap<>();
        int kills = 0, insideSave = 0, renamedUnreported = 0, leftTmp = 0, previousVersionKept = 0, beforeLoad = 0;
        long completedSaves = 0;
        double meanSaveNanos = 10e6;
        long onDisk = 0;
        int tmpOfUnreportedSave = 0, tmpNamed = 0, unreportedProgress = 0;
        List<Path> tmpsBefore = tmpFiles(ckDir);
        while (kills < minKills || (insideSave < wantInsideSave && kills < maxKills)) {
            Mode mode = kills < minKills ? Mode.values()[rng.nextInt(Mode.values().length)] : Mode.IN_SAVE;
            int j = 1 + rng.nextInt(3);
            double fraction = rng.nextDouble() * 1.2;
            int delayMs = mode == Mode.STARTUP ? rng.nextInt(900) : rng.nextInt(120);
            int tmpBefore = tmpsBefore.size();
            Progress p;
            try (Child child = new Child(target, stderr, 0)) {
                switch (mode) {
                    case STARTUP -> Thread.sleep(delayMs);
                    case LOOP -> {
                        assertNotNull(child.await("loaded"), () -> "child died: " + tail(stderr));
                        Thread.sleep(delayMs);
                    }
                    case IN_SAVE -> {
                        String l = child.await("loaded");
                        assertNotNull(l, () -> "child died: " + tail(stderr));
                        long base = Long.parseLong(l.split(" ")[1]);
                        assertNotNull(child.await("saving " + (base + j)), () -> "child died: " + tail(stderr));
                        long until = System.nanoTime() + (long) (fraction * meanSaveNanos);
                        while (System.nanoTime() - until < 0) Thread.onSpinWait();
                    }
                    case AFTER_SAVE -> {
                        String l = child.await("loaded");
                        assertNotNull(l, () -> "child died: " + tail(stderr));
                        long base = Long.parseLong(l.split(" ")[1]);
                        assertNotNull(child.await("saved " + (base + j) + " "), () -> "child died: " + tail(stderr));
                    }
                }
                assertTrue(child.process.isAlive(), () -> "child exited by itself (code " + child.process.exitValue() + "): " + tail(stderr));
                child.kill();
                p = Progress.of(new ArrayList<>(child.lines));
            }
            kills++;
            byMode.merge(mode, 1, Integer::sum);
            for (long n : p.saveNanos()) meanSaveNanos = 0.8 * meanSaveNanos + 0.2 * n;
            completedSaves += p.saveNanos().size();

            // the file on disk: loads intact into a fresh model and is exactly one complete version
            String what = "kill " + kills + " (" + mode + ", child output " + p + ")";
            Sequential fresh = CheckpointWriterMain.newModel(1000 + kills);
            Map<String, String> meta = Checkpoint.load(target, fresh, null);
            long v = Long.parseLong(meta.get(CheckpointWriterMain.VERSION_KEY));
            assertVersion(fresh, v, what);
            // What the child printed is true but may be incomplete: the tail of its output (seen: up to its last two
            // lines) can be lost when it is killed, so the checks below use the files themselves, and the child's
            // lines only as lower bounds. The version on disk never goes back, and never behind a reported save.
            assertTrue(v >= onDisk, what + ": the file went back from version " + onDisk + " to " + v);
            if (p.loaded() < 0) {
                beforeLoad++;
            } else {
                assertEquals(onDisk, p.loaded(), what + ": child loaded another version than the one on disk");
                assertTrue(v >= p.lastSaved(), what + ": file holds version " + v + ", older than a save reported complete");
                if (p.insideSave()) {
                    insideSave++;
                    if (v == p.lastStarted()) renamedUnreported++;
                    else previousVersionKept++;
                }
            }
            if (v > Math.max(onDisk, p.lastStarted())) unreportedProgress++;

            // temporaries: at most one per kill, and only from a kill inside a save. A temporary whose header was
            // written names its version, which must be the save after the version on disk: the one in progress
            List<Path> tmps = tmpFiles(ckDir);
            int added = tmps.size() - tmpBefore;
            assertTrue(added >= 0 && added <= 1, what + ": " + added + " new temporary files " + tmps);
            if (added == 1) {
                leftTmp++;
                List<Path> newTmp = new ArrayList<>(tmps);
                newTmp.removeAll(tmpsBefore);
                assertEquals(1, newTmp.size(), what + ": temporaries before " + tmpsBefore + ", after " + tmps);
                long tv = tmpVersion(newTmp.get(0));
                if (tv >= 0) {
                    tmpNamed++;
                    assertEquals(v + 1, tv, what + ": the temporary left (" + Files.size(newTmp.get(0))
                            + " bytes) is not the save after version " + v + " on disk");
                }
                if (!p.insideSave()) tmpOfUnreportedSave++;
            }
            onDisk = v;
            tmpsBefore = tmps;
            try (Stream<Path> s = Files.list(ckDir)) {
                for (Path f : s.toList()) {
                    assertTrue(f.equals(target) || TMP_NAME.matcher(f.getFileName().toString()).matches(),
                            what + ": unexpected file " + f);
                }
            }
        }
        assertTrue(insideSave > 0, "no kill landed inside a save in " + kills + " kills");
        assertEquals(leftTmp, tmpFiles(ckDir).size());

        // a writer that is not killed finishes cleanly, continues from the version on disk and leaves no temporary
        int tmpBefore = tmpFiles(ckDir).size();
        try (Child child = new Child(target, stderr, 3)) {
            assertTrue(child.process.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS), "child did not finish");
            assertEquals(0, child.process.exitValue(), () -> tail(stderr));
            child.reader.join(TimeUnit.SECONDS.toMillis(LINE_TIMEOUT_SECONDS));
            Progress p = Progress.of(new ArrayList<>(child.lines));
            assertEquals(onDisk, p.loaded());
            assertEquals(onDisk + 3, p.lastSaved());
        }
        Sequential fresh = CheckpointWriterMain.newModel(7);
        long v = Long.parseLong(Checkpoint.load(target, fresh, null).get(CheckpointWriterMain.VERSION_KEY));
        assertEquals(onDisk + 3, v);
        assertVersion(fresh, v, "after a clean run");
        assertEquals(tmpBefore, tmpFiles(ckDir).size(), "a clean run left temporaries");

        System.out.printf(java.util.Locale.ROOT,
                "CheckpointCrashTest: %d kills %s; %d inside a save (%d after the rename, %d before it), %d left a stale .tmp "
                        + "(%d with a complete header naming the version started), %d of them from a save whose start line had not arrived; %d before the child loaded; "
                        + "%d kills after progress the output had not shown; %d saves completed in all; mean save %.1f ms; final version %d%n",
                kills, byMode, insideSave, renamedUnreported, previousVersionKept, leftTmp, tmpNamed, tmpOfUnreportedSave, beforeLoad,
                unreportedProgress, completedSaves,
                meanSaveNanos / 1e6, v);
    }

    private static void assertVersion(Module model, long version, String what) {
        Sequential expected = CheckpointWriterMain.newModel(1);
        CheckpointWriterMain.fillVersion(expected, version);
        Map<String, Tensor> e = expected.namedParameters(), a = model.namedParameters();
        assertEquals(e.keySet(), a.keySet(), what);
        e.forEach((k, t) -> assertTrue(t.contentEquals(a.get(k)), what + ": parameter '" + k + "' is not version " + version + "'s"));
    }

    /** The version named in a temporary file's header, or -1 if the kill came before the header was complete. */
    private static long tmpVersion(Path tmp) throws IOException {
        byte[] b = Files.readAllBytes(tmp);
        if (b.length < 8) return -1;
        long len = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (len <= 0 || len > b.length - 8) return -1;
        java.util.regex.Matcher m = Pattern.compile("\"" + CheckpointWriterMain.VERSION_KEY + "\"\\s*:\\s*\"([0-9]+)\"")
                .matcher(new String(b, 8, (int) len, StandardCharsets.UTF_8));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static List<Path> tmpFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tmp")).sorted().toList();
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log) : "";
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    // ================================================================== damaged and foreign files

    private static Map<String, Tensor> snapshot(Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static void assertUnchanged(Map<String, Tensor> before, Module m, String what) {
        Map<String, Tensor> now = m.namedParameters();
        assertEquals(before.keySet(), now.keySet(), what);
        before.forEach((k, v) -> assertTrue(v.contentEquals(now.get(k)), what + ": parameter '" + k + "' changed"));
    }

    /**
     * Loads {@code f} into {@code model}, expects {@code type}, checks that the model is unchanged and that the message
     * names the file and contains one of {@code keywords}; returns the exception.
     */
    private static <T extends Exception> T rejected(Class<T> type, Path f, Module model, String what, String... keywords) {
        Map<String, Tensor> before = snapshot(model);
        T e = assertThrows(type, () -> Checkpoint.load(f, model, null), what + " was accepted");
        assertUnchanged(before, model, what);
        String msg = e.getMessage();
        assertNotNull(msg, what);
        assertTrue(msg.contains(f.toString()), what + ": message does not name the file: " + msg);
        if (keywords.length > 0) {
            assertTrue(Arrays.stream(keywords).anyMatch(msg::contains), what + ": message " + msg + " mentions none of " + Arrays.toString(keywords));
        }
        return e;
    }

    /** Version {@code v} of the crash model saved to {@code name}; returns its bytes. */
    private byte[] saved(String name, long v) throws IOException {
        Sequential m = CheckpointWriterMain.newModel(1);
        CheckpointWriterMain.fillVersion(m, v);
        Checkpoint.save(dir.resolve(name), m, null, CheckpointWriterMain.metadata(v));
        return Files.readAllBytes(dir.resolve(name));
    }

    private static int dataStart(byte[] bytes) {
        return 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void truncationAtEveryShortLengthAndEveryBoundaryIsRejectedAndTheModelIsUnchanged() throws IOException {
        byte[] bytes = saved("full.safetensors", 7);
        int dataStart = dataStart(bytes);
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int len = 0; len <= 512; len++) cuts.add(len);
        for (int d : new int[] {-1, 0, 1}) cuts.add(dataStart + d);
        // every tensor boundary (±1) and midpoint, from the header's data_offsets
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("full.safetensors"));
        int off = dataStart;
        for (RawTensor r : c.tensors().values()) {
            int end = off + (int) r.byteSize();
            for (int d : new int[] {-1, 0, 1}) {
                cuts.add(off + d);
                cuts.add(end + d);
            }
            cuts.add((off + end) / 2);
            off = end;
        }
        assertEquals(bytes.length, off, "tensors tile the data region");
        for (int page = 4096; page < bytes.length; page += 4096) cuts.add(page); // torn at a page boundary
        for (int d = 1; d <= 8; d++) cuts.add(bytes.length - d);
        cuts.removeIf(n -> n < 0 || n >= bytes.length);

        Sequential target = CheckpointWriterMain.newModel(3);
        Path t = dir.resolve("truncated.safetensors");
        Map<String, Integer> kinds = new TreeMap<>();
        for (int len : cuts) {
            Files.write(t, Arrays.copyOf(bytes, len));
            SafeTensorsException e = rejected(SafeTensorsException.class, t, target, "file cut to " + len + " of " + bytes.length + " bytes",
                    "too short", "truncated");
            kinds.merge(e.getMessage().substring(t.toString().length() + 2).replaceAll("[0-9]+", "#").replaceAll("'[^']*'", "'…'"), 1, Integer::sum);
        }
        assertTrue(cuts.size() > 600, "cases: " + cuts.size());
        System.out.println("CheckpointCrashTest: " + cuts.size() + " truncations of a " + bytes.length + "-byte checkpoint rejected; messages " + kinds);
    }

    @Test
    void corruptedBytesZeroedPagesAndStalePagesAreRejectedOrProvablyHarmless() throws IOException {
        byte[] bytes = saved("v7.safetensors", 7);
        byte[] older = saved("v6.safetensors", 6);
        assertEquals(bytes.length, older.length);
        int dataStart = dataStart(bytes);
        Sequential target = CheckpointWriterMain.newModel(3);
        Map<String, Tensor> original = snapshot(target);
        Path t = dir.resolve("damaged.safetensors");
        SplittableRandom rng = new SplittableRandom(99);
        int[] counts = new int[2]; // rejected, harmless
        List<String> accepted = new ArrayList<>();
        Corruption check = (what, damaged, mayBeHarmless) -> {
            Files.write(t, damaged);
            try {
                Map<String, String> meta = Checkpoint.load(t, target, null);
                // accepted: only fine if nothing that matters changed (e.g. JSON whitespace in the header padding)
                counts[1]++;
                accepted.add(what);
                assertTrue(mayBeHarmless, what + " went undetected");
                assertEquals("7", meta.get(CheckpointWriterMain.VERSION_KEY), what);
                assertVersion(target, 7, "undetected " + what);
                original.forEach((k, v) -> target.namedParameters().get(k).storage().copyFrom(v.storage(), 0, 0, v.numel()));
            } catch (IOException | IllegalArgumentException e) {
                counts[0]++;
                assertUnchanged(original, target, what);
                assertTrue(e.getMessage() != null && e.getMessage().contains(t.toString()), what + ": " + e.getMessage());
            }
        };
        // every header byte (including the length prefix) replaced by another random value
        for (int i = 0; i < dataStart; i++) {
            byte[] copy = bytes.clone();
            copy[i] = (byte) (copy[i] ^ (1 + rng.nextInt(255)));
            check.run("header byte " + i + " 0x" + Integer.toHexString(bytes[i] & 0xff) + " -> 0x" + Integer.toHexString(copy[i] & 0xff), copy, true);
        }
        int headerHarmless = counts[1];
        // 300 random data bytes replaced by another value
        int dataCases = 300;
        for (int k = 0; k < dataCases; k++) {
            int i = dataStart + rng.nextInt(bytes.length - dataStart);
            byte[] copy = bytes.clone();
            copy[i] = (byte) (copy[i] ^ (1 + rng.nextInt(255)));
            check.run("data byte " + (i - dataStart), copy, false);
        }
        // torn writes: each 4 KiB page zeroed, or left from the previous version
        int pageCases = 0;
        for (int page = 0; page < bytes.length; page += 4096, pageCases += 2) {
            int end = Math.min(bytes.length, page + 4096);
            byte[] zero = bytes.clone();
            Arrays.fill(zero, page, end, (byte) 0);
            check.run("page at " + page + " zeroed", zero, false);
            byte[] stale = bytes.clone();
            System.arraycopy(older, page, stale, page, end - page);
            check.run("page at " + page + " from the previous version", stale, false);
        }
        assertTrue(headerHarmless <= dataStart / 20, headerHarmless + " of " + dataStart + " header corruptions were accepted");
        System.out.println("CheckpointCrashTest: " + (dataStart + dataCases + pageCases) + " corruptions (" + dataStart + " header bytes, "
                + dataCases + " data bytes, " + pageCases + " torn pages): " + counts[0] + " rejected, " + counts[1]
                + " harmless header edits accepted " + accepted);
    }

    @FunctionalInterface
    private interface Corruption {
        void run(String what, byte[] damaged, boolean mayBeHarmless) throws IOException;
    }

    /** {@link Checkpoint}'s metadata CRC as its documentation describes it: sorted entries, key NUL value NUL, UTF-8. */
    private static String metadataCrc(Map<String, String> meta) {
        CRC32 crc = new CRC32();
        new TreeMap<>(meta).forEach((k, v) -> crc.update((k + '\0' + v + '\0').getBytes(StandardCharsets.UTF_8)));
        return String.format("%08x", crc.getValue());
    }

    /** Writes a forged checkpoint: a valid file with intact CRCs, so that only the semantic checks can reject it. */
    private Path forge(String name, Map<String, RawTensor> tensors, Map<String, String> extraMeta) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extraMeta);
        meta.putIfAbsent(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT);
        meta.put("metadata_crc32", metadataCrc(meta));
        Path f = dir.resolve(name);
        SafeTensors.write(f, tensors, meta);
        return f;
    }

    @Test
    void foreignHeadersAndFilesAreRejectedWithAClearMessage() throws IOException {
        byte[] good = saved("good.safetensors", 5);
        int dataStart = dataStart(good);
        Sequential target = CheckpointWriterMain.newModel(3);
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, String[]> expect = new LinkedHashMap<>();

        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        files.put("header length beyond the file", b);
        expect.put("header length beyond the file", new String[] {"exceeds"});
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        files.put("absurd header length", b);
        expect.put("absurd header length", new String[] {"absurd"});
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0L);
        files.put("header length 0", b);
        expect.put("header length 0", new String[] {"header length is 0"});
        b = good.clone();
        Arrays.fill(b, 8, dataStart, (byte) 'x');
        files.put("header of x's", b);
        expect.put("header of x's", new String[] {"start with '{'"});
        b = good.clone();
        byte[] notJson = "{\"__metadata__\": nope".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(notJson, 0, b, 8, notJson.length);
        files.put("header not JSON", b);
        expect.put("header not JSON", new String[] {"JSON"});
        b = good.clone();
        b[8] = (byte) 0xC3; // a lone UTF-8 lead byte
        b[9] = (byte) 0x28;
        files.put("header not UTF-8", b);
        expect.put("header not UTF-8", new String[] {"UTF-8"});

        files.put("text file", "this is not a checkpoint\n".repeat(20).getBytes(StandardCharsets.US_ASCII));
        expect.put("text file", new String[] {"absurd", "exceeds"});
        byte[] png = new byte[2000];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, png, 0, 8);
        files.put("PNG", png);
        expect.put("PNG", new String[] {"absurd", "exceeds"});
        byte[] npy = new byte[500];
        byte[] npyHeader = "\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(npyHeader, 0, npy, 0, npyHeader.length);
        files.put("NumPy .npy", npy);
        expect.put("NumPy .npy", new String[] {"absurd", "exceeds"});
        files.put("1 MiB of zeros", new byte[1 << 20]);
        expect.put("1 MiB of zeros", new String[] {"header length is 0"});
        byte[] noise = new byte[4096];
        new SplittableRandom(5).nextBytes(noise);
        files.put("random bytes", noise);
        expect.put("random bytes", new String[] {"absurd", "exceeds"});

        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path f = dir.resolve("foreign.bin");
            Files.write(f, e.getValue());
            rejected(SafeTensorsException.class, f, target, e.getKey(), expect.get(e.getKey()));
        }

        // well-formed safetensors that are not (complete) checkpoints
        Map<String, RawTensor> params = raw(CheckpointWriterMain.newModel(11));
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, params, Map.of());
        rejected(IllegalArgumentException.class, plain, target, "safetensors without a format tag", "format");
        Path future = forge("future.safetensors", params, Map.of(Checkpoint.FORMAT_KEY, "jgrad-checkpoint/2"));
        rejected(IllegalArgumentException.class, future, target, "a future format", "jgrad-checkpoint/2");
        Path noCrc = dir.resolve("nocrc.safetensors");
        Map<String, String> meta = new LinkedHashMap<>(Map.of(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT));
        meta.put("metadata_crc32", metadataCrc(meta));
        SafeTensors.write(noCrc, params, meta, false);
        rejected(SafeTensorsException.class, noCrc, target, "no data CRC", "CRC");
        Path noMetaCrc = dir.resolve("nometacrc.safetensors");
        SafeTensors.write(noMetaCrc, params, Map.of(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT));
        rejected(SafeTensorsException.class, noMetaCrc, target, "no metadata CRC", "metadata CRC");

        // the forgery reproduces Checkpoint's metadata CRC, so the forged-file tests below reach the semantic checks
        assertEquals(SafeTensors.read(dir.resolve("good.safetensors")).metadata().get("metadata_crc32"),
                metadataCrc(new LinkedHashMap<>(Map.of(CheckpointWriterMain.VERSION_KEY, "5", "writer", "CheckpointWriterMain",
                        Checkpoint.FORMAT_KEY, Checkpoint.FORMAT))));
        Path honest = forge("honest.safetensors", params, Map.of());
        Checkpoint.load(honest, CheckpointWriterMain.newModel(12), null);
    }

    @Test
    void wrongDtypesShapesAndEntriesAreRejectedNamingTheParameter() throws IOException {
        Sequential target = CheckpointWriterMain.newModel(3);
        // a float64 model's file into a float32 model (CheckpointTest covers the other direction)
        Sequential f64 = Mlp.builder(64, 10).hidden(256, 256).seed(4).dtype(DType.FLOAT64).build();
        Path f = dir.resolve("f64.safetensors");
        Checkpoint.save(f, f64, null, Map.of());
        IllegalArgumentException e = rejected(IllegalArgumentException.class, f, target, "float64 file into a float32 model", "float64");
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("'0.weight'"), e.getMessage());

        Map<String, RawTensor> good = raw(CheckpointWriterMain.newModel(11));
        float[] w0 = good.get("0.weight").toFloats();

        Map<String, RawTensor> m = new LinkedHashMap<>(good);
        m.put("0.weight", RawTensor.ofFloats(w0, 64, 256)); // same bytes, transposed shape
        e = rejected(IllegalArgumentException.class, forge("transposed.safetensors", m, Map.of()), target, "transposed weight", "[64, 256]");
        assertTrue(e.getMessage().contains("[256, 64]") && e.getMessage().contains("'0.weight'"), e.getMessage());

        m = new LinkedHashMap<>(good);
        m.put("2.bias", RawTensor.ofLongs(new long[256], 256));
        rejected(IllegalArgumentException.class, forge("i64.safetensors", m, Map.of()), target, "an I64 parameter", "I64");

        m = new LinkedHashMap<>(good);
        double[] b4 = new double[10];
        m.put("4.bias", RawTensor.ofDoubles(b4, 10)); // one float64 entry among float32 ones
        e = rejected(IllegalArgumentException.class, forge("mixed.safetensors", m, Map.of()), target, "one float64 parameter", "float64");
        assertTrue(e.getMessage().contains("'4.bias'"), e.getMessage());

        m = new LinkedHashMap<>(good);
        m.put("4.bias", RawTensor.scalarF32(0f));
        rejected(IllegalArgumentException.class, forge("scalar.safetensors", m, Map.of()), target, "a scalar bias", "'4.bias'");

        m = new LinkedHashMap<>(good);
        m.remove("2.bias");
        rejected(IllegalArgumentException.class, forge("missing.safetensors", m, Map.of()), target, "a missing parameter", "'2.bias' is missing");

        m = new LinkedHashMap<>(good);
        m.put("6.weight", RawTensor.ofFloats(new float[4], 2, 2));
        rejected(IllegalArgumentException.class, forge("extra.safetensors", m, Map.of()), target, "an extra parameter", "'6.weight' does not exist");
    }

    @Test
    void aFileOfAnotherArchitectureIsRejectedAndTheModelIsUnchanged() throws IOException {
        Path f = dir.resolve("crash-model.safetensors");
        Sequential source = CheckpointWriterMain.newModel(1);
        CheckpointWriterMain.fillVersion(source, 3);
        Checkpoint.save(f, source, null, CheckpointWriterMain.metadata(3));
        Map<String, Sequential> others = new LinkedHashMap<>();
        others.put("64-128-10", Mlp.builder(64, 10).hidden(128).seed(2).build());
        others.put("64-256-10", Mlp.builder(64, 10).hidden(256).seed(2).build());
        others.put("64-256-256-256-10", Mlp.builder(64, 10).hidden(256, 256, 256).seed(2).build());
        others.put("64-10 (no hidden layer)", Mlp.builder(64, 10).seed(2).build());
        others.put("10-256-256-64 (reversed)", Mlp.builder(10, 64).hidden(256, 256).seed(2).build());
        others.put("64-256-256-10 with dropout layers", Mlp.builder(64, 10).hidden(256, 256).dropout(0.1).seed(2).build());
        for (Map.Entry<String, Sequential> e : others.entrySet()) {
            IllegalArgumentException ex = rejected(IllegalArgumentException.class, f, e.getValue(), "file of 64-256-256-10 into " + e.getKey(), "parameter '");
            assertFalse(ex.getMessage().isBlank());
        }
        // and the right architecture takes it
        Sequential same = CheckpointWriterMain.newModel(2);
        Checkpoint.load(f, same, null);
        assertVersion(same, 3, "same architecture");
    }
}
