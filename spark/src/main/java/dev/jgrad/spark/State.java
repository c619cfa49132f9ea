package dev.jgrad.spark;

import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.optim.Optimizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The synchronized state of a run — parameters, buffers, optimizer state and metadata — as the bytes of a jgrad
 * checkpoint ({@link Checkpoint}: safetensors with CRCs), which is what the driver broadcasts to a barrier stage and
 * what the stage's first task sends back. One format for the wire and for the files on disk, and every load is fully
 * validated.
 */
final class State {
    private State() {
    }

    /** The checkpoint bytes of {@code model} and {@code opt} with {@code meta}. */
    static byte[] save(Module model, Optimizer opt, Map<String, String> meta) {
        Path f = null;
        try {
            f = Files.createTempFile("jgrad-spark-state", ".safetensors");
            Checkpoint.save(f, model, opt, meta);
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("jgrad-spark: cannot serialize the training state", e);
        } finally {
            delete(f);
        }
    }

    /** Loads checkpoint bytes into {@code model} and {@code opt}; returns the metadata. */
    static Map<String, String> load(byte[] bytes, Module model, Optimizer opt) {
        Path f = null;
        try {
            f = Files.createTempFile("jgrad-spark-state", ".safetensors");
            Files.write(f, bytes);
            return Checkpoint.load(f, model, opt);
        } catch (IOException e) {
            throw new UncheckedIOException("jgrad-spark: cannot load the training state", e);
        } finally {
            delete(f);
        }
    }

    private static void delete(Path f) {
        if (f == null) return;
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }
}
