package dev.jgrad.nn.io;

import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.ElementType;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.nn.io.TensorSource;
import dev.jgrad.nn.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Model (and optimizer) checkpoints in the safetensors format: parameters and buffers under their
 * {@link Module#stateDict()} names ({@code 0.weight}, {@code bn.running_mean}, ...) in their own dtype, so Python's
 * {@code safetensors}/numpy read them directly (checkpoints written before buffers existed load into models without
 * buffers; see {@link StateDict} for plain PyTorch state dicts); optimizer state under {@code optimizer.<entry>}; string metadata (format, epochs completed,
 * dropout generator positions, user entries). Writes are atomic (temporary file, fsync, rename) with a CRC-32
 * of the data region, one of the tensor index (names, dtypes, shapes, offsets; see {@link SafeTensors}) and one of
 * the metadata ({@code metadata_crc32}), so a crash mid-save leaves the previous checkpoint intact and a flipped
 * byte anywhere is detected. Checkpoints written before the index CRC existed still load (their data and metadata
 * CRCs are checked).
 *
 * <p>Loading validates everything — file structure, every name, shape and dtype, the optimizer state — before
 * changing anything: a truncated, corrupt or mismatched file is an exception and never a half-loaded model. The
 * exception says which of three cases it is: a damaged file (a {@link SafeTensorsException}, an {@link IOException}:
 * truncated, a CRC mismatch, a header over a {@linkplain SafeTensors limit}), not a jgrad checkpoint (an
 * {@link IllegalArgumentException}: no {@value #FORMAT} format tag), or one saved from a different model (an
 * {@link IllegalArgumentException} naming the parameter and both shapes and dtypes, or the optimizer entry).
 */
public final class Checkpoint {
    /** Metadata key of the format tag. */
    public static final String FORMAT_KEY = "format";
    /** The format tag. */
    public static final String FORMAT = "jgrad-checkpoint/1";
    /** Prefix of optimizer entries. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final String DROPOUT_KEY = "dropout_draws";
    private static final String DROPOUT_SEEDS_KEY = "dropout_seeds";
    /** Metadata key of the CRC-32 of all other metadata entries (the data CRC does not cover the header). */
    static final String METADATA_CRC_KEY = "metadata_crc32";
    /** How a checkpoint of another model's architecture is reported. */
    private static final String DIFFERENT = ": saved from a different model: ";

    private Checkpoint() {
    }

    /**
     * Saves the model's parameters and buffers ({@link Module#stateDict()} order), the optimizer's state (if {@code opt} is not null) and {@code metadata}.
     *
     * @throws IOException if writing fails (the previous file is then intact)
     */
    public static void save(Path file, Module model, Optimizer opt, Map<String, String> metadata) throws IOException {
        Map<String, TensorSource> entries = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> entries.put(k, source(v)));
        if (opt != null) opt.state().forEach((k, v) -> entries.put(OPTIMIZER_PREFIX + k, source(v)));
        Map<String, String> meta = new LinkedHashMap<>();
        if (metadata != null) meta.putAll(metadata);
        meta.put(FORMAT_KEY, FORMAT);
        List<String> draws = new ArrayList<>(), seeds = new ArrayList<>();
        for (Module m : model.modules()) {
            if (m instanceof Dropout d) {
                draws.add(Long.toString(d.seedState()));
                seeds.add(Long.toString(d.seed()));
            }
        }
        if (!draws.isEmpty()) {
            meta.put(DROPOUT_KEY, String.join(",", draws));
            meta.put(DROPOUT_SEEDS_KEY, String.join(",", seeds));
        }
        meta.remove(METADATA_CRC_KEY);
        meta.put(METADATA_CRC_KEY, metadataCrc(meta));
        SafeTensors.write(file, entries, meta);
    }

    /**
     * Loads a checkpoint into {@code model} (and {@code opt} if not null) after validating all of it.
     *
     * @return the file's metadata
     * @throws IOException              if the file is missing, truncated or corrupt
     * @throws IllegalArgumentException if names, shapes or dtypes do not match the model/optimizer
     */
    public static Map<String, String> load(Path file, Module model, Optimizer opt) throws IOException {
        return load(file, model, opt, null);
    }

    /**
     * {@link #load(Path, Module, Optimizer)} with an extra check of the (integrity-verified) metadata that runs
     * before anything is changed, so a checkpoint the caller cannot use (e.g. one without a valid epoch count)
     * is rejected without touching the model or optimizer.
     *
     * @param checkMetadata called with the file's metadata once its integrity is verified; it rejects the file by
     *                      throwing (null: no check)
     */
    public static Map<String, String> load(Path file, Module model, Optimizer opt, Consumer<Map<String, String>> checkMetadata) throws IOException {
        if (model == null) throw new IllegalArgumentException("Checkpoint.load: model is null");
        SafeTensors.Contents c = SafeTensors.read(file);
        String format = c.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("checkpoint " + file + ": not a jgrad checkpoint: format '" + format + "' is not " + FORMAT
                    + (format == null ? " (a plain safetensors file, e.g. a state dict, loads with StateDict.load)" : ""));
        }
        // the safetensors CRC covers only the data region: the metadata (epochs completed, dropout positions) has its own
        if (!c.crc32Verified()) throw new SafeTensorsException(file, "checkpoint has no data CRC-32; the file is damaged");
        Map<String, String> rest = new LinkedHashMap<>(c.metadata());
        String storedMetaCrc = rest.remove(METADATA_CRC_KEY);
        if (!metadataCrc(rest).equals(storedMetaCrc)) {
            throw new SafeTensorsException(file, "checkpoint metadata CRC-32 mismatch (stored " + storedMetaCrc + "); the header is damaged");
        }
        if (checkMetadata != null) checkMetadata.accept(c.metadata());
        Map<String, Tensor> params = model.stateDict();
        java.util.Set<String> buffers = model.namedBuffers().keySet();
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        Map<String, Tensor> optState = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : c.tensors().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(OPTIMIZER_PREFIX)) {
                optState.put(name.substring(OPTIMIZER_PREFIX.length()), tensor(file, name, e.getValue()));
                continue;
            }
            Tensor p = params.get(name);
            if (p == null) throw new IllegalArgumentException("checkpoint " + file + DIFFERENT + "parameter '" + name + "' does not exist in the model (model has " + params.keySet() + ")");
            String kind = buffers.contains(name) ? "buffer" : "parameter";
            Tensor t = tensor(file, name, e.getValue());
            if (!Arrays.equals(t.shape(), p.shape()) || t.dtype() != p.dtype()) {
                throw new IllegalArgumentException("checkpoint " + file + DIFFERENT + kind + " '" + name + "' is " + Arrays.toString(t.shape()) + " " + t.dtype()
                        + " in the file but " + Arrays.toString(p.shape()) + " " + p.dtype() + " in the model");
            }
            loaded.put(name, t);
        }
        for (String name : params.keySet()) {
            if (!loaded.containsKey(name)) {
                throw new IllegalArgumentException("checkpoint " + file + DIFFERENT + (buffers.contains(name) ? "buffer" : "parameter") + " '" + name + "' is missing from the file");
            }
        }
        List<Dropout> dropouts = new ArrayList<>();
        for (Module m : model.modules()) if (m instanceof Dropout d) dropouts.add(d);
        long[] draws = parseDraws(file, c.metadata().get(DROPOUT_KEY), dropouts.size());
        long[] seeds = new long[dropouts.size()];
        for (int i = 0; i < seeds.length; i++) seeds[i] = dropouts.get(i).seed();
        if (c.metadata().containsKey(DROPOUT_SEEDS_KEY)) seeds = parseDraws(file, c.metadata().get(DROPOUT_SEEDS_KEY), dropouts.size());
        for (long d : draws) if (d < 0) throw new IllegalArgumentException("checkpoint " + file + ": negative dropout draw count " + d);
        if (opt != null) {
            if (optState.isEmpty()) throw new IllegalArgumentException("checkpoint " + file + ": has no optimizer state to resume from");
            try {
                opt.loadState(optState); // validates every entry before changing anything
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint " + file + ": saved with a different optimizer or damaged optimizer state: "
                        + e.getMessage(), e);
            }
        }
        loaded.forEach((name, t) -> params.get(name).storage().copyFrom(t.storage(), 0, 0, t.numel()));
        for (int i = 0; i < dropouts.size(); i++) dropouts.get(i).restoreSeedState(seeds[i], draws[i]);
        return c.metadata();
    }

    /** CRC-32 (8 hex digits) of the entries sorted by key, each as key NUL value NUL in UTF-8. */
    private static String metadataCrc(Map<String, String> meta) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(meta).entrySet()) {
            crc.update((e.getKey() + '\0' + e.getValue() + '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return String.format("%08x", crc.getValue());
    }

    private static long[] parseDraws(Path file, String s, int expected) {
        long[] d = new long[expected];
        if (s == null || s.isEmpty()) {
            if (expected == 0) return d;
            throw new IllegalArgumentException("checkpoint " + file + ": model has " + expected + " dropout layers but the file has no dropout state");
        }
        String[] parts = s.split(",");
        if (parts.length != expected) {
            throw new IllegalArgumentException("checkpoint " + file + ": " + parts.length + " dropout states for " + expected + " dropout layers");
        }
        for (int i = 0; i < expected; i++) {
            try {
                d[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint " + file + ": dropout state '" + s + "' is not a comma-separated list of integers ('"
                        + parts[i] + "')", e);
            }
        }
        return d;
    }

    private static Tensor tensor(Path file, String name, RawTensor r) {
        int[] shape = r.intShape();
        switch (r.dtype()) {
            case F32: return Tensor.of(r.toFloats(), shape.length == 0 ? new int[0] : shape).view(shape);
            case F64: return Tensor.of(r.toDoubles(), shape.length == 0 ? new int[0] : shape).view(shape);
            default: throw new IllegalArgumentException("checkpoint " + file + ": entry '" + name + "' has dtype " + r.dtype() + "; expected F32 or F64");
        }
    }

    /** A view of a tensor as a safetensors source in its own dtype (F32 or F64, little-endian), without copying the tensor. */
    static TensorSource source(Tensor t) {
        return StateDict.source(t, StateDict.ownType(t));
    }
}
