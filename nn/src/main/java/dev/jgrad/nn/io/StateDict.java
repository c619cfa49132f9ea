package dev.jgrad.nn.io;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Module;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A module's {@link Module#stateDict() state dict} as a plain safetensors file, interchangeable with PyTorch:
 * {@code safetensors.torch.save_file(model.state_dict(), "m.safetensors")} writes what {@link #load(Path, Module)}
 * reads, and {@link #save(Path, Module)} writes the same bytes that call would (for the same names, dtypes and
 * values), which {@code model.load_state_dict(safetensors.torch.load_file("m.safetensors"))} reads.
 *
 * <p>Names are PyTorch's ({@code 0.weight}, {@code bn.running_mean}, ...: parameters and buffers in
 * {@code state_dict()} order). Floating-point entries are stored as F32, F64, F16 or BF16 (narrowing rounds to
 * nearest even, see {@link HalfFloats}); integral buffers such as {@code num_batches_tracked} as I64. Loading
 * converts to each tensor's dtype: floating entries from any of the four float types (widening is exact; F64
 * into a float32 module rounds to nearest even), integral buffers from I64 or I32. Non-finite values are kept.
 *
 * <p>Loading checks every name, shape and dtype and converts every value into a staging copy before the
 * module is touched: a mismatched file is an {@link IllegalArgumentException} listing all problems (missing and
 * unexpected keys, each wrong shape with both shapes, each inconvertible dtype) and the module is unchanged.
 * jgrad's own {@link Checkpoint} files are plain safetensors too (with a CRC-32 and metadata that this class
 * ignores), but they may also hold optimizer entries, which a strict load reports as unexpected.
 */
public final class StateDict {
    private StateDict() {
    }

    /**
     * What a {@linkplain #load(Path, Module, boolean) non-strict load} left out, like the result of PyTorch's
     * {@code load_state_dict(..., strict=False)}.
     *
     * @param missingKeys    entries of the module that the source lacks (left unchanged), in state-dict order
     * @param unexpectedKeys entries of the source that the module lacks (ignored), in source order
     * @param metadata       the file's {@code __metadata__} (empty if none, or for an in-memory source)
     */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys, Map<String, String> metadata) {
        /** Copies the lists and map (unmodifiable). */
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    // ================================================================== saving

    /**
     * Saves the module's state dict with each floating-point tensor in its own dtype (float32 → F32, float64 →
     * F64) and integral buffers as I64, without metadata.
     *
     * @throws IOException if writing fails (a previous file is then intact)
     */
    public static void save(Path file, Module model) throws IOException {
        save(file, model, null, null);
    }

    /**
     * Saves the module's state dict with every floating-point tensor as {@code floatType} and integral buffers as
     * I64.
     *
     * @param floatType F32, F64, F16 or BF16 (null: each tensor's own dtype)
     * @throws IllegalArgumentException if {@code floatType} is not a floating-point type
     * @throws IOException              if writing fails (a previous file is then intact)
     */
    public static void save(Path file, Module model, ElementType floatType) throws IOException {
        save(file, model, floatType, null);
    }

    /**
     * Saves the module's state dict as {@link #save(Path, Module, ElementType)} with string metadata in
     * {@code __metadata__} (as {@code save_file(..., metadata=...)}).
     *
     * @param floatType F32, F64, F16 or BF16 (null: each tensor's own dtype)
     * @param metadata  string metadata (null or empty: none)
     * @throws IllegalArgumentException if {@code floatType} is not a floating-point type, or an integral buffer
     *                                  holds a value that is not a whole number
     * @throws IOException              if writing fails (a previous file is then intact)
     */
    public static void save(Path file, Module model, ElementType floatType, Map<String, String> metadata) throws IOException {
        SafeTensors.writePlain(file, sources(model, floatType), metadata);
    }

    /**
     * The module's state dict as safetensors sources that convert the live tensors while being written (only the
     * integral buffers are copied, after checking that they hold whole numbers).
     *
     * @param floatType F32, F64, F16 or BF16 for floating-point entries (null: each tensor's own dtype)
     * @return sources in state-dict order
     * @throws IllegalArgumentException if {@code floatType} is not floating point or an integral buffer holds a value
     *                                  that is not a whole number
     */
    public static Map<String, TensorSource> sources(Module model, ElementType floatType) {
        if (model == null) throw new IllegalArgumentException("StateDict.save: model is null");
        if (floatType != null && !floatType.isFloatingPoint()) {
            throw new IllegalArgumentException("StateDict.save: element type " + floatType + " is not floating point (expected F32, F64, F16 or BF16)");
        }
        Set<String> integral = model.integralBuffers();
        Map<String, TensorSource> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, integral.contains(k) ? wholeNumbers("StateDict.save", k, v)
                : source(v, floatType != null ? floatType : ownType(v))));
        return out;
    }

    /** F32 for a float32 tensor, F64 for float64. */
    static ElementType ownType(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? ElementType.F32 : ElementType.F64;
    }

    /** A view of a tensor as a safetensors source of the given type, converting element by element while writing. */
    static TensorSource source(Tensor t, ElementType type) {
        long[] shape = longShape(t);
        return new TensorSource() {
            public ElementType dtype() {
                return type;
            }

            public long[] shape() {
                return shape.clone();
            }

            public void writeData(OutputStream out) throws IOException {
                int n = t.numel(), chunk = 8192;
                ByteBuffer buf = ByteBuffer.allocate(chunk * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i += chunk) {
                    buf.clear();
                    for (int k = i; k < Math.min(n, i + chunk); k++) type.put(buf, t.get(k));
                    out.write(buf.array(), 0, buf.position());
                }
            }
        };
    }

    // ================================================================== loading

    /**
     * Loads a safetensors state dict into the module, strictly: the file's names must be exactly the module's.
     *
     * @return the file's {@code __metadata__} (empty if none)
     * @throws IOException              if the file is missing, truncated or malformed
     * @throws IllegalArgumentException if names, shapes or dtypes do not match (the module is then unchanged)
     */
    public static Map<String, String> load(Path file, Module model) throws IOException {
        return load(file, model, true).metadata();
    }

    /**
     * Loads a safetensors state dict into the module. With {@code strict}, missing or unexpected names are an
     * error; without, entries of the module that the file lacks are left unchanged and extra entries of the file
     * are ignored, and both are listed in the result. Shapes and dtypes of the common entries must match either
     * way.
     *
     * @return the missing and unexpected keys and the file's metadata
     * @throws IOException              if the file is missing, truncated or malformed
     * @throws IllegalArgumentException if the state dict does not fit the module (the module is then unchanged)
     */
    public static LoadResult load(Path file, Module model, boolean strict) throws IOException {
        if (model == null) throw new IllegalArgumentException("StateDict.load: model is null");
        if (file == null) throw new IllegalArgumentException("StateDict.load: file is null");
        SafeTensors.Contents c = SafeTensors.read(file);
        return apply("StateDict.load " + file, c.tensors(), model, strict, c.metadata());
    }

    /**
     * Loads in-memory tensors (e.g. a {@link SafeTensors#read} result) into the module, with the checks and
     * conversions of {@link #load(Path, Module, boolean)}.
     *
     * @throws IllegalArgumentException if the state dict does not fit the module (the module is then unchanged)
     */
    public static LoadResult load(Map<String, RawTensor> state, Module model, boolean strict) {
        if (state == null) throw new IllegalArgumentException("StateDict.load: state is null");
        if (model == null) throw new IllegalArgumentException("StateDict.load: model is null");
        return apply("StateDict.load", state, model, strict, Map.of());
    }

    /**
     * Copies another module's state dict (or any map of tensors) into this module, with the checks of
     * {@link #load(Path, Module, boolean)}; values are converted to the target's dtypes (float64 into float32
     * rounds to nearest even). Integral buffers accept tensors of whole numbers.
     *
     * @param state tensors by state-dict name, e.g. {@code other.stateDict()}
     * @throws IllegalArgumentException if the state dict does not fit the module (the module is then unchanged)
     */
    public static LoadResult copy(Map<String, Tensor> state, Module model, boolean strict) {
        if (state == null) throw new IllegalArgumentException("StateDict.copy: state is null");
        if (model == null) throw new IllegalArgumentException("StateDict.copy: model is null");
        Map<String, RawTensor> raw = new LinkedHashMap<>();
        Set<String> integral = model.integralBuffers();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException("StateDict.copy: tensor '" + e.getKey() + "' is null");
            // a whole-number tensor of another jgrad module (stored as float) feeds an integral buffer as I64
            raw.put(e.getKey(), integral.contains(e.getKey()) ? wholeNumbers("StateDict.copy", e.getKey(), t)
                    : RawTensor.convert(ownType(t), values(t), longShape(t)));
        }
        return apply("StateDict.copy", raw, model, strict, Map.of());
    }

    private static double[] values(Tensor t) {
        double[] v = new double[t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = t.get(i);
        return v;
    }

    private static long[] longShape(Tensor t) {
        return Arrays.stream(t.shape()).asLongStream().toArray();
    }

    /** An integral buffer as I64, checking that every value is a whole number. */
    private static RawTensor wholeNumbers(String where, String name, Tensor t) {
        try {
            return RawTensor.convert(ElementType.I64, values(t), longShape(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": integral buffer '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Validates everything and stages converted values; changes the module only if all checks pass. */
    private static LoadResult apply(String where, Map<String, RawTensor> state, Module model, boolean strict, Map<String, String> metadata) {
        Map<String, Tensor> target = model.stateDict();
        Set<String> integral = model.integralBuffers();
        Set<String> buffers = model.namedBuffers().keySet();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), problems = new ArrayList<>();
        for (String k : target.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (String k : state.keySet()) if (!target.containsKey(k)) unexpected.add(k);
        if (strict) {
            if (!missing.isEmpty()) problems.add("missing keys " + missing);
            if (!unexpected.isEmpty()) problems.add("unexpected keys " + unexpected);
        }
        Map<String, double[]> staged = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            String name = e.getKey();
            RawTensor r = state.get(name);
            if (r == null) continue;
            Tensor t = e.getValue();
            String kind = buffers.contains(name) ? "buffer" : "parameter";
            boolean whole = integral.contains(name);
            boolean ok = true;
            long[] want = longShape(t);
            if (!Arrays.equals(r.shape(), want)) {
                problems.add(kind + " '" + name + "' has shape " + Arrays.toString(r.shape()) + " in the state dict but "
                        + Arrays.toString(want) + " in the module");
                ok = false;
            }
            if (whole && r.dtype().isFloatingPoint()) {
                problems.add(kind + " '" + name + "' holds whole numbers (I64 or I32) but the state dict has " + r.dtype());
                ok = false;
            } else if (!whole && !r.dtype().isFloatingPoint()) {
                problems.add(kind + " '" + name + "' is floating point (F16, BF16, F32 or F64) but the state dict has " + r.dtype());
                ok = false;
            }
            if (!ok) continue;
            double[] v = r.widenToDoubles();
            if (whole) {
                for (double x : v) {
                    if (t.storage().round(x) != x) {
                        problems.add(kind + " '" + name + "' value " + (long) x + " is not exactly representable in " + t.dtype());
                        break;
                    }
                }
            }
            staged.put(name, v);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + ": state dict does not fit " + model.getClass().getSimpleName() + ": "
                    + String.join("; ", problems));
        }
        staged.forEach((name, v) -> {
            Tensor t = target.get(name);
            for (int i = 0; i < v.length; i++) t.set(i, v[i]);
        });
        return new LoadResult(missing, unexpected, metadata);
    }
}
