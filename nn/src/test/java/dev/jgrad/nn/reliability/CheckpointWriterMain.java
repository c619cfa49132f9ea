package dev.jgrad.nn.reliability;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The child process of {@link CheckpointCrashTest}: saves checkpoints of an MLP 64-256-256-10 to one path in a
 * loop, until it is killed (or has written {@code maxSaves} of them, or a safety limit of two minutes has passed,
 * so that an orphan never lingers).
 *
 * <p>On start it loads the existing checkpoint (which must be intact) and continues from the version after the
 * one on disk. Version {@code k} has the parameters of {@link #fillVersion(Module, long)} and the metadata entry
 * {@value #VERSION_KEY}{@code = k}, so the parent can regenerate and compare whatever it finds on disk. It prints
 * one line per event, flushed at once: {@code loaded <k>}, {@code saving <k>} just before a save starts and
 * {@code saved <k> <nanoseconds>} once it has returned (the file has been renamed into place).
 *
 * <p>Usage: {@code CheckpointWriterMain <checkpoint> [maxSaves]} (0 or absent: unlimited).
 */
public final class CheckpointWriterMain {
    /** Metadata key of the version counter. */
    static final String VERSION_KEY = "version";
    /** Base seed of the versions' parameter values. */
    static final long SEED = 0x5EEDC0DEL;
    private static final long SAFETY_LIMIT_NANOS = 120_000_000_000L;

    private CheckpointWriterMain() {
    }

    /** The model whose checkpoints are written: MLP 64-256-256-10, float32 (84,002 parameters, ~336 KB). */
    static Sequential newModel(long initSeed) {
        return Mlp.builder(64, 10).hidden(256, 256).seed(initSeed).build();
    }

    /** Sets every parameter of {@code model} to the values of version {@code version}, a pure function of it. */
    static void fillVersion(Module model, long version) {
        SplittableRandom rng = new SplittableRandom(SEED * 1_000_003L + version);
        for (Tensor p : model.parameters()) {
            Storage s = p.storage();
            for (int i = 0, n = s.length(); i < n; i++) s.set(i, rng.nextDouble(-1, 1));
        }
    }

    /** The metadata saved with version {@code version}. */
    static Map<String, String> metadata(long version) {
        return Map.of(VERSION_KEY, Long.toString(version), "writer", "CheckpointWriterMain");
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long maxSaves = args.length > 1 ? Long.parseLong(args[1]) : 0;
        PrintStream out = System.out;
        Sequential model = newModel(1);
        long version = 0;
        if (Files.exists(file)) {
            version = Long.parseLong(Checkpoint.load(file, model, null).get(VERSION_KEY));
        }
        out.println("loaded " + version);
        out.flush();
        long start = System.nanoTime();
        for (long saves = 0; maxSaves == 0 || saves < maxSaves; saves++) {
            if (System.nanoTime() - start > SAFETY_LIMIT_NANOS) {
                System.err.println("CheckpointWriterMain: safety limit reached, exiting");
                System.exit(3);
            }
            version++;
            fillVersion(model, version);
            out.println("saving " + version);
            out.flush();
            long t0 = System.nanoTime();
            Checkpoint.save(file, model, null, metadata(version));
            long t1 = System.nanoTime();
            out.println("saved " + version + " " + (t1 - t0));
            out.flush();
        }
    }
}
