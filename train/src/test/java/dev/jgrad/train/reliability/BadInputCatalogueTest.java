package dev.jgrad.train.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.BinaryStrategy;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.BatchSampler;
import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.IdxLoader;
import dev.jgrad.data.MalformedDataException;
import dev.jgrad.data.MinMaxScaler;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.io.ElementType;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.nn.io.TensorSource;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.train.Trainer;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bad-input catalogue: one table-driven test that feeds every public op, loss, layer, optimizer, loader
 * and file reader the wrong thing, and checks for each case
 * <ol>
 *   <li>the exception's exact type (never a stray NullPointerException, ArrayIndexOutOfBounds or ClassCast),</li>
 *   <li>that its message contains every listed substring (naming the op/loss/class and the offending argument),</li>
 *   <li>that no observable state changed: every watched tensor's data, grad, requiresGrad and graph link are
 *       bitwise unchanged, every watched module's parameters/grads/mode/dropout positions, every watched
 *       optimizer's step count, learning rate and state buffers, and every watched file (and its directory).</li>
 * </ol>
 * The number of cases is printed in the summary line and in each dynamic test's name ({@code [k/N]}).
 */
class BadInputCatalogueTest {
    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<MalformedDataException> MDE = MalformedDataException.class;
    private static final Class<SafeTensorsException> STE = SafeTensorsException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

    /** The minimum the reliability issue asks for. */
    static final int MIN_CASES = 150;

    @TempDir
    static Path dir;

    private static final AtomicInteger FILES = new AtomicInteger();

    // ================================================================== the harness

    @FunctionalInterface
    interface Action {
        void run() throws Throwable;
    }

    @FunctionalInterface
    interface Arrange {
        Act arrange() throws Exception;
    }

    /** What to call, and everything whose state must survive the failed call. */
    record Act(Action action, Object[] watched) {
    }

    record Case(String api, String what, Class<? extends Throwable> type, List<String> message, Arrange arrange) {
        String id() {
            return api + ": " + what;
        }
    }

    private final List<Case> cases = new ArrayList<>();

    private void add(String api, String what, Class<? extends Throwable> type, List<String> message, Arrange arrange) {
        cases.add(new Case(api, what, type, message, arrange));
    }

    private static List<String> msg(String... parts) {
        return List.of(parts);
    }

    private static Act act(Action action, Object... watched) {
        return new Act(action, watched);
    }

    @TestFactory
    @DisplayName("bad-input catalogue: every case throws the right type with a clear message and changes nothing")
    Stream<DynamicTest> badInputCatalogue() {
        coreCases();
        opsCases();
        lossCases();
        layerCases();
        optimizerCases();
        dataCases();
        csvCases();
        idxCases();
        safeTensorsCases();
        checkpointCases();
        trainerCases();

        Set<String> ids = new HashSet<>();
        for (Case c : cases) assertTrue(ids.add(c.id()), "duplicate catalogue case: " + c.id());
        assertTrue(cases.size() >= MIN_CASES, "only " + cases.size() + " catalogue cases; the issue asks for at least " + MIN_CASES);
        Map<String, Long> byArea = cases.stream().collect(Collectors.groupingBy(c -> area(c.api()), TreeMap::new, Collectors.counting()));
        System.out.println("BadInputCatalogueTest: " + cases.size() + " distinct bad-input cases over "
                + cases.stream().map(Case::api).distinct().count() + " public APIs " + byArea);

        int n = cases.size();
        AtomicInteger k = new AtomicInteger();
        return cases.stream().map(c -> DynamicTest.dynamicTest("[" + k.incrementAndGet() + "/" + n + "] " + c.id(), () -> run(c)));
    }

    private static String area(String api) {
        int dot = api.indexOf('.');
        return dot < 0 ? api : api.substring(0, dot);
    }

    private static void run(Case c) throws Exception {
        Act act = c.arrange().arrange();
        String before = snapshot(act.watched());
        Throwable thrown = null;
        try {
            act.action().run();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) fail(c.id() + ": no exception; expected " + c.type().getSimpleName());
        if (thrown.getClass() != c.type()) {
            throw new AssertionError(c.id() + ": expected " + c.type().getName() + " but got " + thrown, thrown);
        }
        String m = thrown.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError(c.id() + ": exception has no message", thrown);
        for (String s : c.message()) {
            if (!m.contains(s)) throw new AssertionError(c.id() + ": message does not mention '" + s + "': " + m, thrown);
        }
        assertEquals(before, snapshot(act.watched()), c.id() + ": state changed by a call that threw (" + m + ")");
    }

    // ------------------------------------------------------------------ snapshots

    private static String snapshot(Object[] watched) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < watched.length; i++) {
            sb.append('#').append(i).append(' ');
            snap(sb, watched[i]);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void snap(StringBuilder sb, Object o) throws IOException {
        if (o == null) {
            sb.append("null");
        } else if (o instanceof Tensor t) {
            sb.append("Tensor").append(Arrays.toString(t.shape())).append(t.dtype()).append(" rg=").append(t.requiresGrad())
                    .append(" fn=").append(t.gradFn() == null ? "leaf" : t.gradFn().name() + "@" + System.identityHashCode(t.gradFn()))
                    .append(" data=");
            bits(sb, t);
            sb.append(" grad=");
            if (t.grad() == null) sb.append("none");
            else {
                sb.append(Arrays.toString(t.grad().shape())).append(t.grad().dtype());
                bits(sb, t.grad());
            }
        } else if (o instanceof Module m) {
            sb.append("Module ").append(m.getClass().getSimpleName()).append(" {");
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                sb.append(e.getKey()).append('=');
                snap(sb, e.getValue());
                sb.append("; ");
            }
            for (Module sub : m.modules()) {
                sb.append(sub.getClass().getSimpleName()).append(" training=").append(sub.isTraining());
                if (sub instanceof Dropout d) sb.append(" seed=").append(d.seed()).append(" draws=").append(d.seedState());
                sb.append("; ");
            }
            sb.append('}');
        } else if (o instanceof Optimizer opt) {
            sb.append("Optimizer ").append(opt.getClass().getSimpleName()).append(" steps=").append(opt.steps())
                    .append(" lr=").append(Double.doubleToRawLongBits(opt.lr())).append(" state {");
            for (Map.Entry<String, Tensor> e : opt.state().entrySet()) {
                sb.append(e.getKey()).append('=');
                snap(sb, e.getValue());
                sb.append("; ");
            }
            sb.append("} params ");
            snap(sb, opt.params());
        } else if (o instanceof Path p) {
            sb.append("Path ").append(p.getFileName());
            if (Files.isRegularFile(p)) sb.append(" bytes=").append(Arrays.toString(Files.readAllBytes(p)));
            else sb.append(Files.exists(p) ? " (not a regular file)" : " (absent)");
            Path parent = p.toAbsolutePath().getParent();
            try (Stream<Path> s = Files.list(parent)) {
                sb.append(" dir=").append(s.map(q -> q.getFileName().toString()).sorted().collect(Collectors.toList()));
            }
        } else if (o instanceof Tabular t) {
            sb.append(t).append(Arrays.toString(t.flatFeatures())).append(Arrays.toString(t.labels()));
        } else if (o instanceof Standardizer s) {
            sb.append("Standardizer").append(Arrays.toString(s.mean())).append(Arrays.toString(s.std()));
        } else if (o instanceof MinMaxScaler s) {
            sb.append("MinMaxScaler").append(Arrays.toString(s.min())).append(Arrays.toString(s.range()));
        } else if (o instanceof double[] a) {
            for (double v : a) sb.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(',');
        } else if (o instanceof int[] a) {
            sb.append(Arrays.toString(a));
        } else if (o instanceof float[] a) {
            for (float v : a) sb.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(',');
        } else if (o instanceof Collection<?> c) {
            sb.append('[');
            for (Object x : c) {
                snap(sb, x);
                sb.append(", ");
            }
            sb.append(']');
        } else if (o instanceof Map<?, ?> m) {
            sb.append('{');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(e.getKey()).append('=');
                snap(sb, e.getValue());
                sb.append(", ");
            }
            sb.append('}');
        } else {
            sb.append(o.getClass().getSimpleName()).append(':').append(o);
        }
    }

    private static void bits(StringBuilder sb, Tensor t) {
        sb.append('[');
        for (int i = 0; i < t.numel(); i++) sb.append(Long.toHexString(Double.doubleToRawLongBits(t.get(i)))).append(' ');
        sb.append(']');
    }

    // ------------------------------------------------------------------ fixtures

    private static Tensor rnd(DType dt, int... shape) {
        return Tensor.rand(new SplittableRandom(17 + 31L * Arrays.hashCode(shape) + dt.ordinal()), -2, 2, dt, shape);
    }

    /** A leaf that requires grad and already holds a gradient (so an accidental accumulation would show). */
    private static Tensor leaf(DType dt, int... shape) {
        Tensor t = rnd(dt, shape).requiresGrad(true);
        t.setGrad(Tensor.rand(new SplittableRandom(99 + Arrays.hashCode(shape)), -1, 1, dt, shape));
        return t;
    }

    /** Values in (0.05, 0.95), requiring grad with a gradient present. */
    private static Tensor probs(DType dt, int... shape) {
        Tensor t = Tensor.rand(new SplittableRandom(5 + Arrays.hashCode(shape)), 0.05, 0.95, dt, shape).requiresGrad(true);
        t.setGrad(Tensor.ones(dt, shape));
        return t;
    }

    private static IntTensor labels(int... v) {
        return IntTensor.of(v);
    }

    /** Gives every parameter a gradient. */
    private static <M extends Module> M withGrads(M m) {
        for (Tensor p : m.parameters()) p.setGrad(rnd(p.dtype(), p.shape()));
        return m;
    }

    private static Linear linear(int in, int out, DType dt) {
        return withGrads(new Linear(in, out, true, Init.HE_NORMAL, new SplittableRandom(3), dt));
    }

    private static Sequential mlp(long seed, DType dt, int hidden) {
        return withGrads(Mlp.builder(4, 3).hidden(hidden).dtype(dt).seed(seed).build());
    }

    /** Takes {@code steps} optimizer steps on random gradients, then leaves fresh gradients in place. */
    private static <O extends Optimizer> O stepped(O opt, int steps) {
        for (int s = 0; s < steps; s++) {
            for (Tensor p : opt.params()) p.setGrad(Tensor.rand(new SplittableRandom(s * 7L + p.numel()), -1, 1, p.dtype(), p.shape()));
            opt.step();
        }
        for (Tensor p : opt.params()) p.setGrad(rnd(p.dtype(), p.shape()));
        return opt;
    }

    private static Tabular table() {
        return Tabular.of(new double[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}}, new int[] {0, 1, 2, 0, 1, 2}, 3);
    }

    private static Path file(String name) {
        return dir.resolve(FILES.incrementAndGet() + "-" + name);
    }

    private static Path write(String name, byte[] content) throws IOException {
        Path f = file(name);
        Files.write(f, content);
        return f;
    }

    private static Path text(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(content);
        }
        return b.toByteArray();
    }

    /** An IDX file: big-endian magic, dimensions, payload. */
    private static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) out.writeInt(d);
        out.write(payload);
        out.flush();
        return bytes.toByteArray();
    }

    /** A raw safetensors file: 8-byte little-endian header length, the header text, the data. */
    private static byte[] st(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    /** A valid safetensors file with one F32 tensor {@code w [2, 2]} (with the jgrad CRC). */
    private static Path validSafeTensors(String name) throws IOException {
        Path f = file(name);
        SafeTensors.write(f, Map.of("w", RawTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)), Map.of("k", "v"));
        return f;
    }

    /** Replaces the first occurrence of {@code from} by {@code to} (same length) in a file's bytes. */
    private static void patch(Path f, String from, String to) throws IOException {
        assertEquals(from.length(), to.length());
        byte[] b = Files.readAllBytes(f);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertTrue(at >= 0, "fixture does not contain " + from);
        byte[] t = to.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(t, 0, b, at, t.length);
        Files.write(f, b);
    }

    /** Writes a file that passes every checkpoint integrity check (format tag, data CRC, metadata CRC). */
    private static Path checkpointLike(String name, Map<String, ? extends TensorSource> tensors, Map<String, String> meta) throws IOException {
        Path f = file(name);
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.putIfAbsent(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT);
        CRC32 crc = new CRC32();
        for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
            crc.update((e.getKey() + '\0' + e.getValue() + '\0').getBytes(StandardCharsets.UTF_8));
        }
        m.put("metadata_crc32", String.format("%08x", crc.getValue()));
        SafeTensors.write(f, tensors, m);
        return f;
    }

    private static Map<String, RawTensor> raw(Module m) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> {
            long[] shape = Arrays.stream(v.shape()).asLongStream().toArray();
            out.put(k, v.dtype() == FLOAT32 ? RawTensor.ofFloats(v.toFloatArray(), shape) : RawTensor.ofDoubles(v.toDoubleArray(), shape));
        });
        return out;
    }

    private static Map<String, Tensor> sgdState(Tensor... momentum) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Tensor.scalar(3, FLOAT64));
        s.put("lr", Tensor.scalar(0.1, FLOAT64));
        for (int i = 0; i < momentum.length; i++) s.put("momentum." + i, momentum[i]);
        return s;
    }

    // ------------------------------------------------------------------ custom Functions for the engine's checks

    /** x² with a correct backward. */
    static final class Square extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            save(in[0]);
            return Ops.mul(in[0], in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Ops.mul(g, Ops.mul(saved()[0], 2.0))};
        }
    }

    static final class NullForward extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return null;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    static final class ReturnsInput extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return in[0];
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    static final class WrongGradShape extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(g.dtype(), 2)};
        }
    }

    static final class WrongGradDtype extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(FLOAT32, 3)};
        }
    }

    static final class WrongGradCount extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.sum(in[0]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Tensor.zeros(g.dtype(), 3), null};
        }
    }

    static final class Pair extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            return Ops.add(Ops.sum(in[0]), Ops.sum(in[1]));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {null, null};
        }
    }

    /** A module that registers the same parameter name twice. */
    static final class DuplicateParams extends Module {
        DuplicateParams() {
            registerParameter("w", Tensor.zeros(FLOAT64, 2));
            registerParameter("w", Tensor.zeros(FLOAT64, 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    // ================================================================== core: Tensor, IntTensor, DType, Function, GradCheck

    private void coreCases() {
        add("Tensor.of", "5 doubles for shape [2, 3]", IAE, msg("of", "5 values", "[2, 3]"), () ->
                act(() -> Tensor.of(new double[] {1, 2, 3, 4, 5}, 2, 3)));
        add("Tensor.of", "4 floats for shape [3, 3]", IAE, msg("of", "4 values", "[3, 3]"), () ->
                act(() -> Tensor.of(new float[] {1, 2, 3, 4}, 3, 3)));
        add("Tensor.of", "ragged rows", IAE, msg("of", "row 1", "expected 3"), () ->
                act(() -> Tensor.of(FLOAT64, new double[][] {{1, 2, 3}, {4, 5}})));
        add("Tensor.zeros", "negative dimension", IAE, msg("zeros", "negative dimension", "[2, -1]"), () ->
                act(() -> Tensor.zeros(FLOAT32, 2, -1)));
        add("Tensor.zeros", "null dtype", IAE, msg("zeros", "dtype is null"), () ->
                act(() -> Tensor.zeros(null, 2, 2)));
        add("Tensor.full", "null dtype", IAE, msg("dtype is null"), () ->
                act(() -> Tensor.full(1.0, null, 3)));
        add("Tensor.arange", "negative length", IAE, msg("negative dimension", "[-1]"), () ->
                act(() -> Tensor.arange(-1, FLOAT64)));
        add("Tensor.<init>", "storage length does not match shape", IAE, msg("Tensor", "storage of 6 elements", "[4]"), () ->
                act(() -> new Tensor(Storage.allocate(FLOAT64, 6), 4)));
        add("Tensor.wrap", "complex EJML matrix", IAE, msg("unsupported EJML matrix type", "ZMatrixRMaj"), () ->
                act(() -> Tensor.wrap(new org.ejml.data.ZMatrixRMaj(2, 2))));
        add("Tensor.item", "six elements", ISE, msg("item", "[2, 3]", "6 elements"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(t::item, t);
        });
        add("Tensor.at", "index of the wrong rank", IAE, msg("at", "rank 1", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.at(1), t);
        });
        add("Tensor.at", "index out of range", IOOBE, msg("at", "[1, 5]", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.at(1, 5), t);
        });
        add("Tensor.view", "element count differs", IAE, msg("view", "[2, 3]", "[4]"), () -> {
            Tensor t = leaf(FLOAT32, 2, 3);
            return act(() -> t.view(4), t);
        });
        add("Tensor.size", "dim out of range", IAE, msg("size", "dim 3", "rank 2"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.size(3), t);
        });
        add("Tensor.requiresGrad", "on a non-leaf", ISE, msg("requiresGrad", "leaf", "Mul"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.mul(x, x);
            return act(() -> y.requiresGrad(false), x, y);
        });
        add("Tensor.setGrad", "wrong shape", IAE, msg("setGrad", "[3]", "[2, 3]"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.setGrad(Tensor.zeros(FLOAT64, 3)), t);
        });
        add("Tensor.setGrad", "wrong dtype", IAE, msg("setGrad", "float32", "float64"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> t.setGrad(Tensor.zeros(FLOAT32, 2, 3)), t);
        });
        add("Tensor.dmatrix", "on float32", ISE, msg("dmatrix", "float32"), () -> {
            Tensor t = leaf(FLOAT32, 2, 2);
            return act(t::dmatrix, t);
        });
        add("Tensor.fmatrix", "on float64", ISE, msg("fmatrix", "float64"), () -> {
            Tensor t = leaf(FLOAT64, 2, 2);
            return act(t::fmatrix, t);
        });
        add("Tensor.backward", "non-scalar without gradOutput", ISE, msg("backward", "without a gradOutput", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.mul(x, 2.0);
            return act(y::backward, x, y);
        });
        add("Tensor.backward", "tensor that does not require grad", ISE, msg("backward", "does not require grad"), () -> {
            Tensor x = rnd(FLOAT64, 1);
            Tensor y = Ops.sum(x);
            return act(y::backward, x, y);
        });
        add("Tensor.backward", "gradOutput of the wrong shape", IAE, msg("backward(gradOutput)", "[2]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(Tensor.ones(FLOAT64, 2)), x, y);
        });
        add("Tensor.backward", "gradOutput of the wrong dtype", IAE, msg("backward(gradOutput)", "float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(Tensor.ones(FLOAT32, 3)), x, y);
        });
        add("Tensor.backward", "null gradOutput", IAE, msg("backward(gradOutput)", "null"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.exp(x);
            return act(() -> y.backward(null), x, y);
        });
        add("Tensor.backward", "twice through a freed graph", ISE, msg("Sum", "freed", "backward(gradOutput, true)"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = Ops.sum(Ops.mul(x, x));
            y.backward();
            return act(y::backward, x);
        });
        add("Tensor.backward", "through a subgraph freed by another root", ISE, msg("Mul", "freed"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor h = Ops.mul(x, x);
            Ops.sum(h).backward();
            Tensor z = Ops.sum(Ops.mul(h, 3.0));
            return act(z::backward, x);
        });
        add("Function.apply", "an instance applied twice", ISE, msg("Square", "applied only once"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Square f = new Square();
            f.apply(x);
            return act(() -> f.apply(x), x);
        });
        add("Function.apply", "null input", IAE, msg("Square", "input 0 is null"), () ->
                act(() -> new Square().apply((Tensor) null)));
        add("Function.apply", "null input array", IAE, msg("Square", "null"), () ->
                act(() -> new Square().apply((Tensor[]) null)));
        add("Function.apply", "mixed dtypes", IAE, msg("Pair", "mixed dtypes", "float32", "float64"), () -> {
            Tensor a = leaf(FLOAT32, 2), b = leaf(FLOAT64, 2);
            return act(() -> new Pair().apply(a, b), a, b);
        });
        add("Function.apply", "forward returns null", ISE, msg("NullForward", "forward returned null"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> new NullForward().apply(x), x);
        });
        add("Function.apply", "forward returns its input", ISE, msg("ReturnsInput", "returned one of its inputs"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> new ReturnsInput().apply(x), x);
        });
        add("Function.backward", "gradient of the wrong shape", ISE, msg("WrongGradShape", "[2]", "input 0 of shape [3]"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradShape().apply(x);
            return act(y::backward, x);
        });
        add("Function.backward", "gradient of the wrong dtype", ISE, msg("WrongGradDtype", "float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradDtype().apply(x);
            return act(y::backward, x);
        });
        add("Function.backward", "wrong number of gradients", ISE, msg("WrongGradCount", "2 gradients", "1 inputs"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            Tensor y = new WrongGradCount().apply(x);
            return act(y::backward, x);
        });
        add("GradCheck.check", "float32 input", IAE, msg("gradcheck", "float64", "float32"), () -> {
            Tensor x = leaf(FLOAT32, 3);
            return act(() -> GradCheck.check(in -> Ops.sum(in[0]), x), x);
        });
        add("IntTensor.of", "values do not fill the shape", IAE, msg("IntTensor", "3 values", "[2, 2]"), () ->
                act(() -> IntTensor.of(new int[] {1, 2, 3}, 2, 2)));
        add("IntTensor.ofLongs", "value beyond int", IAE, msg("IntTensor", "4294967296", "does not fit"), () ->
                act(() -> IntTensor.ofLongs(new long[] {1, 1L << 32}, 2)));
        add("DType.parse", "float16", IAE, msg("unknown dtype 'float16'", "float32", "float64"), () ->
                act(() -> DType.parse("float16")));
    }

    // ================================================================== ops

    private void opsCases() {
        add("Ops.add", "shapes do not broadcast", IAE, msg("add", "[2, 3]", "[4]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 4);
            return act(() -> Ops.add(a, b), a, b);
        });
        add("Ops.sub", "shapes do not broadcast", IAE, msg("sub", "[3, 2]", "[2, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 3, 2), b = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.sub(a, b), a, b);
        });
        add("Ops.mul", "shapes do not broadcast", IAE, msg("mul", "[2]", "[3]"), () -> {
            Tensor a = leaf(FLOAT32, 2), b = leaf(FLOAT32, 3);
            return act(() -> Ops.mul(a, b), a, b);
        });
        add("Ops.div", "shapes do not broadcast", IAE, msg("div", "[4, 1, 3]", "[2, 2]"), () -> {
            Tensor a = leaf(FLOAT64, 4, 1, 3), b = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.div(a, b), a, b);
        });
        add("Ops.add", "float32 + float64", IAE, msg("Add", "mixed dtypes", "float32", "float64"), () -> {
            Tensor a = leaf(FLOAT32, 2, 3), b = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.add(a, b), a, b);
        });
        add("Ops.sub", "float64 - float32", IAE, msg("Sub", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT32, 3);
            return act(() -> Ops.sub(a, b), a, b);
        });
        add("Ops.mul", "float32 * float64", IAE, msg("Mul", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT32, 3), b = leaf(FLOAT64, 1);
            return act(() -> Ops.mul(a, b), a, b);
        });
        add("Ops.div", "float64 / float32", IAE, msg("Div", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 3), b = leaf(FLOAT32, 3);
            return act(() -> Ops.div(a, b), a, b);
        });
        add("Ops.add", "null left operand", IAE, msg("Add", "input 0 is null"), () -> {
            Tensor b = leaf(FLOAT64, 3);
            return act(() -> Ops.add(null, b), b);
        });
        add("Ops.mul", "null right operand", IAE, msg("Mul", "input 1 is null"), () -> {
            Tensor a = leaf(FLOAT64, 3);
            return act(() -> Ops.mul(a, null), a);
        });
        add("Ops.add(Tensor, double)", "null tensor", IAE, msg("add", "input is null"), () ->
                act(() -> Ops.add(null, 1.0)));
        add("Ops.sub(Tensor, double)", "null tensor", IAE, msg("sub", "input is null"), () ->
                act(() -> Ops.sub(null, 1.0)));
        add("Ops.rsub", "null tensor", IAE, msg("rsub", "input is null"), () ->
                act(() -> Ops.rsub(1.0, null)));
        add("Ops.mul(Tensor, double)", "null tensor", IAE, msg("mul", "input is null"), () ->
                act(() -> Ops.mul(null, 2.0)));
        add("Ops.div(Tensor, double)", "null tensor", IAE, msg("div", "input is null"), () ->
                act(() -> Ops.div(null, 2.0)));
        add("Ops.matmul", "inner dimensions differ", IAE, msg("matmul", "inner dimensions", "[2, 3]", "[4, 5]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 3), b = leaf(FLOAT64, 4, 5);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "vector lengths differ", IAE, msg("matmul", "[3]", "[4]"), () -> {
            Tensor a = leaf(FLOAT32, 3), b = leaf(FLOAT32, 4);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "scalar operand", IAE, msg("matmul", "unsupported shapes", "[]"), () -> {
            Tensor a = leaf(FLOAT64), b = leaf(FLOAT64, 1, 2);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "3-D right operand", IAE, msg("matmul", "unsupported shapes", "[2, 3, 4]"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT64, 2, 3, 4);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.matmul", "float32 · float64", IAE, msg("MatMul", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT32, 2, 3), b = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.matmul(a, b), a, b);
        });
        add("Ops.linear", "1-D weight", IAE, msg("linear", "weight", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), w = leaf(FLOAT64, 3);
            return act(() -> Ops.linear(x, w, null), x, w);
        });
        add("Ops.linear", "input features differ from weight", IAE, msg("linear", "[2, 4]", "4 features", "[3, 5]", "expects 5"), () -> {
            Tensor x = leaf(FLOAT64, 2, 4), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT64, 3);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.linear", "bias of the wrong shape", IAE, msg("linear", "bias [4]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 5), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT64, 4);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.linear", "scalar input", IAE, msg("linear", "input []", "1-D"), () -> {
            Tensor x = leaf(FLOAT64), w = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.linear(x, w, null), x, w);
        });
        add("Ops.linear", "float32 input, float64 weight", IAE, msg("Linear", "mixed dtypes"), () -> {
            Tensor x = leaf(FLOAT32, 2, 5), w = leaf(FLOAT64, 3, 5);
            return act(() -> Ops.linear(x, w, null), x, w);
        });
        add("Ops.linear", "float32 bias on float64 layer", IAE, msg("Linear", "mixed dtypes"), () -> {
            Tensor x = leaf(FLOAT64, 2, 5), w = leaf(FLOAT64, 3, 5), b = leaf(FLOAT32, 3);
            return act(() -> Ops.linear(x, w, b), x, w, b);
        });
        add("Ops.transpose", "null", IAE, msg("Transpose", "input 0 is null"), () ->
                act(() -> Ops.transpose(null)));
        add("Ops.reshape", "element count differs", IAE, msg("reshape", "[2, 3]", "[4, 2]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, 4, 2), x);
        });
        add("Ops.reshape", "two inferred dimensions", IAE, msg("reshape", "only one dimension can be -1"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, -1, -1), x);
        });
        add("Ops.reshape", "negative dimension", IAE, msg("reshape", "invalid dimension -3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, -3, -2), x);
        });
        add("Ops.reshape", "-1 next to a zero", IAE, msg("reshape", "[2, 3]", "[0, -1]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, 0, -1), x);
        });
        add("Ops.reshape", "null shape", IAE, msg("reshape", "shape is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.reshape(x, (int[]) null), x);
        });
        add("Ops.cat", "no tensors", IAE, msg("cat", "at least one tensor"), () ->
                act(() -> Ops.cat(0)));
        add("Ops.cat", "null tensor array", IAE, msg("Cat", "null"), () ->
                act(() -> Ops.cat(0, (Tensor[]) null)));
        add("Ops.cat", "other dimensions differ", IAE, msg("cat", "tensor 1", "[2, 4]", "[3, 3]"), () -> {
            Tensor a = leaf(FLOAT64, 3, 3), b = leaf(FLOAT64, 2, 4);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "scalars", IAE, msg("cat", "zero-dimensional"), () -> {
            Tensor a = leaf(FLOAT64), b = leaf(FLOAT64);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "dim out of range", IAE, msg("cat", "dim 2", "rank 2"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.cat(2, a, b), a, b);
        });
        add("Ops.cat", "mixed dtypes", IAE, msg("Cat", "mixed dtypes"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2), b = leaf(FLOAT32, 2, 2);
            return act(() -> Ops.cat(0, a, b), a, b);
        });
        add("Ops.cat", "null element", IAE, msg("Cat", "input 1 is null"), () -> {
            Tensor a = leaf(FLOAT64, 2, 2);
            return act(() -> Ops.cat(0, a, null), a);
        });
        add("Ops.gather", "index past the last dimension", IAE, msg("gather", "index 3", "size 3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {0, 3}, 2, 1)), x);
        });
        add("Ops.gather", "negative index", IAE, msg("gather", "index -1"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {-1, 0}, 2, 1)), x);
        });
        add("Ops.gather", "index rank differs", IAE, msg("gather", "index shape [2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(0, 1)), x);
        });
        add("Ops.gather", "leading dimensions differ", IAE, msg("gather", "index shape [3, 1]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, IntTensor.of(new int[] {0, 1, 2}, 3, 1)), x);
        });
        add("Ops.gather", "null index", IAE, msg("gather", "index is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.gather(x, null), x);
        });
        add("Ops.indexSelect", "index out of range", IAE, msg("indexSelect", "index 5", "size 3"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, IntTensor.of(0, 5)), x);
        });
        add("Ops.indexSelect", "negative index", IAE, msg("indexSelect", "index -2"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 1, IntTensor.of(-2)), x);
        });
        add("Ops.indexSelect", "2-D index", IAE, msg("indexSelect", "1-D", "[1, 2]"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, IntTensor.of(new int[] {0, 1}, 1, 2)), x);
        });
        add("Ops.indexSelect", "dim out of range", IAE, msg("indexSelect", "dim 3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 3, IntTensor.of(0)), x);
        });
        add("Ops.indexSelect", "null index", IAE, msg("indexSelect", "index is null"), () -> {
            Tensor x = leaf(FLOAT64, 3, 2);
            return act(() -> Ops.indexSelect(x, 0, null), x);
        });
        add("Ops.oneHot", "label = numClasses", IAE, msg("oneHot", "index 3", "[0, 3)"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0, 3), 3, FLOAT32)));
        add("Ops.oneHot", "negative label", IAE, msg("oneHot", "index -2"), () ->
                act(() -> Ops.oneHot(IntTensor.of(-2), 3, FLOAT64)));
        add("Ops.oneHot", "zero classes", IAE, msg("oneHot", "numClasses 0"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0), 0, FLOAT64)));
        add("Ops.oneHot", "negative class count", IAE, msg("oneHot", "numClasses -4"), () ->
                act(() -> Ops.oneHot(IntTensor.of(0), -4, FLOAT64)));
        add("Ops.oneHot", "null index", IAE, msg("oneHot", "index is null"), () ->
                act(() -> Ops.oneHot(null, 3, FLOAT64)));
        add("Ops.oneHot", "null dtype", IAE, msg("oneHot", "dtype is null"), () ->
                act(() -> Ops.oneHot(IntTensor.of(1), 3, null)));
        add("Ops.sum", "dim out of range", IAE, msg("sum", "dim 2", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.sum(x, 2, false), x);
        });
        add("Ops.sum", "negative dim out of range", IAE, msg("sum", "dim -3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            return act(() -> Ops.sum(x, -3, true), x);
        });
        add("Ops.mean", "dim out of range", IAE, msg("mean", "dim 5", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.mean(x, 5, false), x);
        });
        add("Ops.max", "dim out of range", IAE, msg("max", "dim 4", "rank 3"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3, 1);
            return act(() -> Ops.max(x, 4, false), x);
        });
        add("Ops.max", "empty tensor", IAE, msg("max", "empty", "[0, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 0, 3);
            return act(() -> Ops.max(x), x);
        });
        add("Ops.max", "empty dimension", IAE, msg("max", "empty dimension", "[2, 0]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 0);
            return act(() -> Ops.max(x, 1, false), x);
        });
        add("Ops.softmax", "dim out of range", IAE, msg("Softmax", "dim 2", "rank 2"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Ops.softmax(x, 2), x);
        });
        add("Ops.logSoftmax", "dim out of range", IAE, msg("LogSoftmax", "dim -3", "rank 2"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            return act(() -> Ops.logSoftmax(x, -3), x);
        });
        add("Ops.logSumExp", "dim out of range", IAE, msg("logsumexp", "dim 5", "rank 1"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.logSumExp(x, 5, false), x);
        });
        add("Ops.clamp", "min above max", IAE, msg("clamp", "min 1.0", "max -1.0"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.clamp(x, 1.0, -1.0), x);
        });
        add("Ops.softplus", "beta 0", IAE, msg("softplus", "beta 0.0"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.softplus(x, 0.0, 20.0), x);
        });
        add("Ops.softplus", "NaN threshold", IAE, msg("softplus", "threshold NaN"), () -> {
            Tensor x = leaf(FLOAT64, 4);
            return act(() -> Ops.softplus(x, 1.0, Double.NaN), x);
        });
        add("Ops.pow", "null", IAE, msg("Pow", "input 0 is null"), () -> act(() -> Ops.pow(null, 2.0)));
        add("Ops.exp", "null", IAE, msg("Exp", "input 0 is null"), () -> act(() -> Ops.exp(null)));
        add("Ops.log", "null", IAE, msg("Log", "input 0 is null"), () -> act(() -> Ops.log(null)));
        add("Ops.sqrt", "null", IAE, msg("Sqrt", "input 0 is null"), () -> act(() -> Ops.sqrt(null)));
        add("Ops.sigmoid", "null", IAE, msg("Sigmoid", "input 0 is null"), () -> act(() -> Ops.sigmoid(null)));
        add("Ops.relu", "null", IAE, msg("Relu", "input 0 is null"), () -> act(() -> Ops.relu(null)));
        add("Ops.gelu", "null", IAE, msg("Gelu", "input 0 is null"), () -> act(() -> Ops.gelu(null)));
        add("Ops.softmax", "dim 1 of a scalar", IAE, msg("Softmax", "dim 1", "rank 0"), () -> {
            Tensor x = leaf(FLOAT64);
            return act(() -> Ops.softmax(x, 1), x);
        });
    }

    // ================================================================== losses

    private void lossCases() {
        // ---- cross-entropy with class indices
        add("Losses.crossEntropy", "target = C", IAE, msg("cross_entropy", "target 3", "[0, 3)"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 3, 2)), x);
        });
        add("Losses.crossEntropy", "negative target that is not ignore_index", IAE, msg("cross_entropy", "target -1", "ignore_index -100"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, -1, 2, 2)), x);
        });
        add("Losses.crossEntropy", "negative target with a custom ignore_index", IAE, msg("cross_entropy", "target -2", "ignore_index -1"), () -> {
            Tensor x = leaf(FLOAT32, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, -1, -2, 2), null, -1, Reduction.MEAN, 0.0), x);
        });
        add("Losses.crossEntropy", "too few targets", IAE, msg("cross_entropy", "target of shape [3]", "[4, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2)), x);
        });
        add("Losses.crossEntropy", "2-D target", IAE, msg("cross_entropy", "target of shape [4, 1]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, IntTensor.of(new int[] {0, 1, 2, 0}, 4, 1)), x);
        });
        add("Losses.crossEntropy", "3-D logits", IAE, msg("cross_entropy", "[N, C] or [C]", "[2, 2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 2, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1)), x);
        });
        add("Losses.crossEntropy", "scalar logits", IAE, msg("cross_entropy", "[N, C] or [C]", "[]"), () -> {
            Tensor x = leaf(FLOAT64);
            return act(() -> Losses.crossEntropy(x, IntTensor.scalar(0)), x);
        });
        add("Losses.crossEntropy", "no classes", IAE, msg("cross_entropy", "no classes", "[4, 0]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 0);
            return act(() -> Losses.crossEntropy(x, labels(0, 0, 0, 0)), x);
        });
        add("Losses.crossEntropy", "unbatched logits with a [2] target", IAE, msg("cross_entropy", "target of shape [2]", "expected []"), () -> {
            Tensor x = leaf(FLOAT64, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1)), x);
        });
        add("Losses.crossEntropy", "weight of the wrong length", IAE, msg("cross_entropy", "weight of shape [4]", "[3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = leaf(FLOAT64, 4);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.MEAN, 0.0), x, w);
        });
        add("Losses.crossEntropy", "float32 weight for float64 logits", IAE, msg("cross_entropy", "weight dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = leaf(FLOAT32, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.MEAN, 0.0), x, w);
        });
        add("Losses.crossEntropy", "negative class weight", IAE, msg("cross_entropy", "weight[1] = -0.5", "non-negative"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = Tensor.of(new double[] {1, -0.5, 2});
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.SUM, 0.0), x, w);
        });
        add("Losses.crossEntropy", "NaN class weight", IAE, msg("cross_entropy", "weight[0] = NaN"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), w = Tensor.of(new double[] {Double.NaN, 1, 1});
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.MEAN, 0.0), x, w);
        });
        add("Losses.crossEntropy", "infinite class weight", IAE, msg("cross_entropy", "weight[2] = Infinity"), () -> {
            Tensor x = leaf(FLOAT32, 4, 3), w = Tensor.of(new float[] {1, 1, Float.POSITIVE_INFINITY});
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), w, -100, Reduction.NONE, 0.0), x, w);
        });
        add("Losses.crossEntropy", "label smoothing 1.5", IAE, msg("cross_entropy", "label_smoothing 1.5", "[0, 1]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, 1.5), x);
        });
        add("Losses.crossEntropy", "negative label smoothing", IAE, msg("cross_entropy", "label_smoothing -0.1"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, -0.1), x);
        });
        add("Losses.crossEntropy", "NaN label smoothing", IAE, msg("cross_entropy", "label_smoothing NaN"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.MEAN, Double.NaN), x);
        });
        add("Losses.crossEntropy", "null reduction", IAE, msg("cross_entropy", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, null, 0.0), x);
        });
        add("Losses.crossEntropy", "batchmean reduction", IAE, msg("cross_entropy", "batchmean", "kl_div"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, labels(0, 1, 2, 0), null, -100, Reduction.BATCHMEAN, 0.0), x);
        });
        add("Losses.crossEntropy", "null logits", IAE, msg("cross_entropy", "input is null"), () ->
                act(() -> Losses.crossEntropy(null, labels(0))));
        add("Losses.crossEntropy", "null target", IAE, msg("cross_entropy", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, (IntTensor) null), x);
        });
        // ---- cross-entropy with probability targets
        add("Losses.crossEntropy(probs)", "target shape differs", IAE, msg("cross_entropy", "probability target of shape [4, 2]", "[4, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT64, 4, 2);
            return act(() -> Losses.crossEntropy(x, t), x, t);
        });
        add("Losses.crossEntropy(probs)", "float32 target for float64 logits", IAE, msg("cross_entropy", "probability target dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT32, 4, 3);
            return act(() -> Losses.crossEntropy(x, t), x, t);
        });
        add("Losses.crossEntropy(probs)", "negative class weight", IAE, msg("cross_entropy", "weight[0] = -1.0"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT64, 4, 3), w = Tensor.of(new double[] {-1, 1, 1});
            return act(() -> Losses.crossEntropy(x, t, w, Reduction.MEAN, 0.0), x, t, w);
        });
        add("Losses.crossEntropy(probs)", "label smoothing 2", IAE, msg("cross_entropy", "label_smoothing 2.0"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3), t = probs(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, t, null, Reduction.SUM, 2.0), x, t);
        });
        add("Losses.crossEntropy(probs)", "null target", IAE, msg("cross_entropy", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 4, 3);
            return act(() -> Losses.crossEntropy(x, (Tensor) null), x);
        });
        add("CrossEntropyLoss.apply", "NAIVE strategy, target out of range", IAE, msg("cross_entropy", "target 7"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3);
            CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.NAIVE).build();
            return act(() -> ce.apply(x, labels(7, 0)), x);
        });
        add("CrossEntropyLoss.apply", "MAX_SHIFT strategy, NaN weight", IAE, msg("cross_entropy", "weight[1] = NaN"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), w = Tensor.of(new double[] {1, Double.NaN, 1});
            CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.MAX_SHIFT).weight(w).build();
            return act(() -> ce.apply(x, labels(1, 0)), x, w);
        });
        add("CrossEntropyLoss.Builder.strategy", "null", IAE, msg("CrossEntropyLoss", "strategy is null"), () ->
                act(() -> CrossEntropyLoss.builder().strategy(null)));
        add("Losses.multiPositiveCrossEntropy", "positives not 0/1", IAE, msg("multi_positive_cross_entropy", "0/1", "0.5"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), p = Tensor.of(new double[] {1, 0, 0.5, 0, 1, 1}, 2, 3);
            return act(() -> Losses.multiPositiveCrossEntropy(x, p, Reduction.MEAN), x, p);
        });
        add("Losses.multiPositiveCrossEntropy", "null positives", IAE, msg("multi_positive_cross_entropy", "positives is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.multiPositiveCrossEntropy(x, null, Reduction.MEAN), x);
        });
        add("Losses.multiPositiveCrossEntropy", "shape differs", IAE, msg("cross_entropy", "[2, 2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), p = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2);
            return act(() -> Losses.multiPositiveCrossEntropy(x, p, Reduction.SUM), x, p);
        });
        // ---- nll_loss
        add("Losses.nllLoss", "target out of range", IAE, msg("nll_loss", "target 5", "[0, 3)"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(5, 0)), x);
        });
        add("Losses.nllLoss", "negative weight", IAE, msg("nll_loss", "weight[1] = -2.0"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), w = Tensor.of(new double[] {1, -2, 1});
            return act(() -> Losses.nllLoss(x, labels(1, 0), w, -100, Reduction.MEAN), x, w);
        });
        add("Losses.nllLoss", "3-D input", IAE, msg("nll_loss", "[N, C] or [C]", "[1, 2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 1, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0)), x);
        });
        add("Losses.nllLoss", "target length differs", IAE, msg("nll_loss", "target of shape [3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0, 1, 2)), x);
        });
        add("Losses.nllLoss", "batchmean reduction", IAE, msg("nll_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.nllLoss(x, labels(0, 1), null, -100, Reduction.BATCHMEAN), x);
        });
        // ---- stability strategies
        add("SoftmaxCrossEntropy.epsClamp", "eps 0", IAE, msg("epsClamp", "eps 0.0"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(0)));
        add("SoftmaxCrossEntropy.epsClamp", "negative eps", IAE, msg("epsClamp", "eps -1.0E-7"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(-1e-7)));
        add("SoftmaxCrossEntropy.epsClamp", "NaN eps", IAE, msg("epsClamp", "eps NaN"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(Double.NaN)));
        add("SoftmaxCrossEntropy.epsClamp", "infinite eps", IAE, msg("epsClamp", "eps Infinity"), () -> act(() -> SoftmaxCrossEntropy.epsClamp(Double.POSITIVE_INFINITY)));
        add("SoftmaxCrossEntropy.parse", "unknown name", IAE, msg("unknown cross-entropy strategy 'softmaxx'"), () -> act(() -> SoftmaxCrossEntropy.parse("softmaxx")));
        add("SoftmaxCrossEntropy.parse", "eps not a number", IAE, msg("cross-entropy strategy", "'abc' is not a number"), () -> act(() -> SoftmaxCrossEntropy.parse("EPS_CLAMP(abc)")));
        add("BinaryStrategy.epsClip", "eps 0.5", IAE, msg("epsClip", "eps 0.5", "(0, 0.5)"), () -> act(() -> BinaryStrategy.epsClip(0.5)));
        add("BinaryStrategy.epsClip", "eps 0", IAE, msg("epsClip", "eps 0.0"), () -> act(() -> BinaryStrategy.epsClip(0)));
        add("BinaryStrategy.loss", "FUSED with a target of another shape", IAE, msg("binary_cross_entropy_with_logits", "target of shape [3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 3);
            return act(() -> BinaryStrategy.FUSED.loss(x, t), x, t);
        });
        // ---- binary cross-entropy on probabilities
        add("Losses.binaryCrossEntropy", "probability above 1", IAE, msg("binary_cross_entropy", "[0, 1]", "1.5", "flat index 2"), () -> {
            Tensor p = Tensor.of(new double[] {0.2, 0.5, 1.5}).requiresGrad(true), t = Tensor.of(new double[] {0, 1, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "negative probability", IAE, msg("binary_cross_entropy", "-0.25"), () -> {
            Tensor p = Tensor.of(new float[] {-0.25f, 0.5f}).requiresGrad(true), t = Tensor.of(new float[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "NaN probability", IAE, msg("binary_cross_entropy", "NaN", "flat index 1"), () -> {
            Tensor p = Tensor.of(new double[] {0.5, Double.NaN}).requiresGrad(true), t = Tensor.of(new double[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "infinite probability", IAE, msg("binary_cross_entropy", "Infinity"), () -> {
            Tensor p = Tensor.of(new double[] {Double.POSITIVE_INFINITY, 0.5}).requiresGrad(true), t = Tensor.of(new double[] {0, 1});
            return act(() -> Losses.binaryCrossEntropy(p, t, null, Reduction.SUM), p, t);
        });
        add("Losses.binaryCrossEntropy", "target shape differs", IAE, msg("binary_cross_entropy", "target of shape [2, 2]", "[2, 3]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 2);
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "float32 target", IAE, msg("binary_cross_entropy", "target dtype float32", "float64"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT32, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t), p, t);
        });
        add("Losses.binaryCrossEntropy", "weight does not broadcast", IAE, msg("binary_cross_entropy", "weight of shape [2]", "[2, 3]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), w = leaf(FLOAT64, 2);
            return act(() -> Losses.binaryCrossEntropy(p, t, w, Reduction.MEAN), p, t, w);
        });
        add("Losses.binaryCrossEntropy", "float32 weight", IAE, msg("binary_cross_entropy", "weight dtype float32"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), w = leaf(FLOAT32, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, w, Reduction.MEAN), p, t, w);
        });
        add("Losses.binaryCrossEntropy", "batchmean reduction", IAE, msg("binary_cross_entropy", "batchmean"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, null, Reduction.BATCHMEAN), p, t);
        });
        add("Losses.binaryCrossEntropy", "null reduction", IAE, msg("binary_cross_entropy", "reduction is null"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(p, t, null, null), p, t);
        });
        add("Losses.binaryCrossEntropy", "null input", IAE, msg("binary_cross_entropy", "input is null"), () -> {
            Tensor t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropy(null, t), t);
        });
        // ---- BCE with logits
        add("Losses.binaryCrossEntropyWithLogits", "pos_weight does not broadcast", IAE, msg("binary_cross_entropy_with_logits", "pos_weight of shape [2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), pw = leaf(FLOAT64, 2);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, pw, Reduction.MEAN), x, t, pw);
        });
        add("Losses.binaryCrossEntropyWithLogits", "float32 pos_weight", IAE, msg("binary_cross_entropy_with_logits", "pos_weight dtype float32"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3), pw = leaf(FLOAT32, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, pw, Reduction.MEAN), x, t, pw);
        });
        add("Losses.binaryCrossEntropyWithLogits", "weight does not broadcast", IAE, msg("binary_cross_entropy_with_logits", "weight of shape [4]"), () -> {
            Tensor x = leaf(FLOAT32, 2, 3), t = probs(FLOAT32, 2, 3), w = leaf(FLOAT32, 4);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, w, null, Reduction.SUM), x, t, w);
        });
        add("Losses.binaryCrossEntropyWithLogits", "target shape differs", IAE, msg("binary_cross_entropy_with_logits", "target of shape [6]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 6);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t), x, t);
        });
        add("Losses.binaryCrossEntropyWithLogits", "null target", IAE, msg("binary_cross_entropy_with_logits", "target is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, null), x);
        });
        add("Losses.binaryCrossEntropyWithLogits", "batchmean reduction", IAE, msg("binary_cross_entropy_with_logits", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.binaryCrossEntropyWithLogits(x, t, null, null, Reduction.BATCHMEAN), x, t);
        });
        // ---- soft margin, MSE, ½SSE
        add("Losses.softMarginLoss", "target shape differs", IAE, msg("soft_margin_loss", "target of shape [3, 2]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 3, 2);
            return act(() -> Losses.softMarginLoss(x, t), x, t);
        });
        add("Losses.softMarginLoss", "float64 target for float32 scores", IAE, msg("soft_margin_loss", "target dtype float64", "float32"), () -> {
            Tensor x = leaf(FLOAT32, 4), t = leaf(FLOAT64, 4);
            return act(() -> Losses.softMarginLoss(x, t), x, t);
        });
        add("Losses.softMarginLoss", "batchmean reduction", IAE, msg("soft_margin_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 4), t = leaf(FLOAT64, 4);
            return act(() -> Losses.softMarginLoss(x, t, Reduction.BATCHMEAN), x, t);
        });
        add("Losses.mseLoss", "target shape differs", IAE, msg("mse_loss", "target of shape [3]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 3);
            return act(() -> Losses.mseLoss(x, t), x, t);
        });
        add("Losses.mseLoss", "float32 target", IAE, msg("mse_loss", "target dtype float32", "float64"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT32, 2, 3);
            return act(() -> Losses.mseLoss(x, t), x, t);
        });
        add("Losses.mseLoss", "null reduction", IAE, msg("mse_loss", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(x, t, null), x, t);
        });
        add("Losses.mseLoss", "batchmean reduction", IAE, msg("mse_loss", "batchmean"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(x, t, Reduction.BATCHMEAN), x, t);
        });
        add("Losses.mseLoss", "null input", IAE, msg("mse_loss", "input is null"), () -> {
            Tensor t = leaf(FLOAT64, 2, 3);
            return act(() -> Losses.mseLoss(null, t), t);
        });
        add("Losses.halfSumSquaredError", "null target", IAE, msg("half_sum_squared_error", "target is null"), () -> {
            Tensor y = leaf(FLOAT64, 3);
            return act(() -> Losses.halfSumSquaredError(y, null), y);
        });
        add("Losses.halfSumSquaredError", "float32 target", IAE, msg("half_sum_squared_error", "target dtype float32"), () -> {
            Tensor y = leaf(FLOAT64, 3), t = leaf(FLOAT32, 3);
            return act(() -> Losses.halfSumSquaredError(y, t), y, t);
        });
        add("Losses.halfSumSquaredError", "shape differs", IAE, msg("half_sum_squared_error", "[3, 1]", "[3]"), () -> {
            Tensor y = leaf(FLOAT64, 3), t = leaf(FLOAT64, 3, 1);
            return act(() -> Losses.halfSumSquaredError(y, t), y, t);
        });
        // ---- distributions
        add("Losses.klDiv", "target shape differs", IAE, msg("kl_div", "target of shape [2, 4]", "[2, 3]"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 4);
            return act(() -> Losses.klDiv(x, t, Reduction.BATCHMEAN, false), x, t);
        });
        add("Losses.klDiv", "float32 target", IAE, msg("kl_div", "target dtype float32"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT32, 2, 3);
            return act(() -> Losses.klDiv(x, t, Reduction.MEAN, false), x, t);
        });
        add("Losses.klDiv", "batchmean of a scalar", IAE, msg("kl_div", "batchmean", "scalar"), () -> {
            Tensor x = leaf(FLOAT64), t = probs(FLOAT64);
            return act(() -> Losses.klDiv(x, t, Reduction.BATCHMEAN, true), x, t);
        });
        add("Losses.klDiv", "null reduction", IAE, msg("kl_div", "reduction is null"), () -> {
            Tensor x = leaf(FLOAT64, 2, 3), t = probs(FLOAT64, 2, 3);
            return act(() -> Losses.klDiv(x, t, null, false), x, t);
        });
        add("Losses.entropy", "base 1", IAE, msg("entropy", "base 1.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, 1.0), p);
        });
        add("Losses.entropy", "base 0", IAE, msg("entropy", "base 0.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, 0.0), p);
        });
        add("Losses.entropy", "negative base", IAE, msg("entropy", "base -2.0"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, -2.0), p);
        });
        add("Losses.entropy", "NaN base", IAE, msg("entropy", "base NaN"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, Double.NaN), p);
        });
        add("Losses.entropy", "infinite base", IAE, msg("entropy", "base Infinity"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.entropy(p, Double.POSITIVE_INFINITY), p);
        });
        add("Losses.entropy", "scalar input", IAE, msg("entropy", "class dimension", "scalar"), () -> {
            Tensor p = probs(FLOAT64);
            return act(() -> Losses.entropy(p), p);
        });
        add("Losses.entropy", "null input", IAE, msg("entropy", "input is null"), () -> act(() -> Losses.entropy(null)));
        add("Losses.crossEntropyBetween", "shapes differ", IAE, msg("cross_entropy(p, q)", "[2, 3]", "[2, 4]"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), q = probs(FLOAT64, 2, 4);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Losses.crossEntropyBetween", "float32 q", IAE, msg("cross_entropy(p, q)", "q dtype float32", "float64"), () -> {
            Tensor p = probs(FLOAT64, 2, 3), q = probs(FLOAT32, 2, 3);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Losses.crossEntropyBetween", "null q", IAE, msg("cross_entropy(p, q)", "q is null"), () -> {
            Tensor p = probs(FLOAT64, 2, 3);
            return act(() -> Losses.crossEntropyBetween(p, null), p);
        });
        add("Losses.crossEntropyBetween", "scalar p", IAE, msg("cross_entropy(p, q)", "class dimension"), () -> {
            Tensor p = probs(FLOAT64), q = probs(FLOAT64);
            return act(() -> Losses.crossEntropyBetween(p, q), p, q);
        });
        add("Reduction.parse", "avg", IAE, msg("unknown reduction 'avg'"), () -> act(() -> Reduction.parse("avg")));
    }

    // ================================================================== layers

    private void layerCases() {
        add("Linear.<init>", "zero inputs", IAE, msg("Linear", "in=0"), () ->
                act(() -> new Linear(0, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT32)));
        add("Linear.<init>", "negative outputs", IAE, msg("Linear", "out=-2"), () ->
                act(() -> new Linear(3, -2, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT32)));
        add("Linear.<init>", "null init", IAE, msg("Linear", "init is null"), () ->
                act(() -> new Linear(3, 2, true, null, new SplittableRandom(1), FLOAT32)));
        add("Linear.<init>", "null generator", IAE, msg("Linear", "rng is null"), () ->
                act(() -> new Linear(3, 2, true, Init.XAVIER_UNIFORM, null, FLOAT32)));
        add("Linear.<init>", "null dtype", IAE, msg("Linear", "dtype is null"), () ->
                act(() -> new Linear(3, 2, false, Init.XAVIER_UNIFORM, new SplittableRandom(1), null)));
        add("Linear.forward", "input with the wrong number of features", IAE, msg("linear", "5 features", "expects 4"), () -> {
            Linear l = linear(4, 3, FLOAT64);
            Tensor x = leaf(FLOAT64, 2, 5);
            return act(() -> l.forward(x), l, x);
        });
        add("Linear.forward", "float32 input to a float64 layer", IAE, msg("Linear", "mixed dtypes", "float32", "float64"), () -> {
            Linear l = linear(4, 3, FLOAT64);
            Tensor x = leaf(FLOAT32, 2, 4);
            return act(() -> l.forward(x), l, x);
        });
        add("Linear.forward", "null input", IAE, msg("Linear", "input 0 is null"), () -> {
            Linear l = linear(4, 3, FLOAT32);
            return act(() -> l.forward(null), l);
        });
        add("Linear.forward", "scalar input", IAE, msg("linear", "input []"), () -> {
            Linear l = linear(4, 3, FLOAT64);
            Tensor x = leaf(FLOAT64);
            return act(() -> l.forward(x), l, x);
        });
        add("Sequential.<init>", "null layer", IAE, msg("Sequential", "layer 1 is null"), () -> {
            Linear l = linear(4, 3, FLOAT64);
            return act(() -> new Sequential(l, null), l);
        });
        add("Sequential.<init>", "null layer array", IAE, msg("Sequential", "null"), () ->
                act(() -> new Sequential((Module[]) null)));
        add("Sequential.forward", "adjacent layers do not fit", IAE, msg("linear", "3 features", "expects 5"), () -> {
            Sequential s = withGrads(new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT64),
                    new Linear(5, 2, true, Init.HE_NORMAL, new SplittableRandom(2), FLOAT64)));
            Tensor x = leaf(FLOAT64, 2, 4);
            return act(() -> s.forward(x), s, x);
        });
        add("Mlp.build", "zero inputs", IAE, msg("Mlp", "input and output sizes", "0"), () -> act(() -> Mlp.builder(0, 3).build()));
        add("Mlp.build", "negative outputs", IAE, msg("Mlp", "input and output sizes", "-1"), () -> act(() -> Mlp.builder(4, -1).build()));
        add("Mlp.build", "zero hidden width", IAE, msg("Mlp", "hidden sizes", "[4, 0]"), () -> act(() -> Mlp.builder(4, 3).hidden(4, 0).build()));
        add("Mlp.build", "negative hidden width", IAE, msg("Mlp", "hidden sizes", "[-8]"), () -> act(() -> Mlp.builder(4, 3).hidden(-8).build()));
        add("Mlp.hidden", "null widths", IAE, msg("Mlp", "hidden widths are null"), () -> act(() -> Mlp.builder(4, 3).hidden((int[]) null)));
        add("Mlp.dropout", "p = 1", IAE, msg("Mlp", "dropout 1.0", "[0, 1)"), () -> act(() -> Mlp.builder(4, 3).dropout(1.0)));
        add("Mlp.dropout", "negative p", IAE, msg("Mlp", "dropout -0.1"), () -> act(() -> Mlp.builder(4, 3).dropout(-0.1)));
        add("Mlp.dropout", "NaN p", IAE, msg("Mlp", "dropout NaN"), () -> act(() -> Mlp.builder(4, 3).dropout(Double.NaN)));
        add("Mlp.activation", "null", IAE, msg("Mlp", "activation is null"), () -> act(() -> Mlp.builder(4, 3).activation(null)));
        add("Mlp.dtype", "null", IAE, msg("Mlp", "dtype is null"), () -> act(() -> Mlp.builder(4, 3).dtype(null)));
        add("Dropout.<init>", "p = 1", IAE, msg("Dropout", "p = 1.0", "[0, 1)"), () -> act(() -> new Dropout(1.0, 1)));
        add("Dropout.<init>", "negative p", IAE, msg("Dropout", "p = -0.5"), () -> act(() -> new Dropout(-0.5, 1)));
        add("Dropout.<init>", "NaN p", IAE, msg("Dropout", "p = NaN"), () -> act(() -> new Dropout(Double.NaN, 1)));
        add("Dropout.restoreSeedState", "negative draw count", IAE, msg("Dropout", "draw count -1"), () -> {
            Dropout d = new Dropout(0.5, 7);
            d.forward(rnd(FLOAT64, 5));
            return act(() -> d.restoreSeedState(-1), d);
        });
        add("Dropout.forward", "null input", IAE, msg("Dropout", "input is null"), () -> {
            Dropout d = new Dropout(0.5, 7);
            return act(() -> d.forward(null), d);
        });
        add("Activation.<init>", "null kind", IAE, msg("Activation", "kind is null"), () -> act(() -> new Activation(null)));
        add("Activation.Kind.parse", "swish", IAE, msg("unknown activation 'swish'"), () -> act(() -> Activation.Kind.parse("swish")));
        add("Activation.forward", "null input", IAE, msg("Tanh", "input 0 is null"), () -> {
            Activation a = new Activation(Activation.Kind.TANH);
            return act(() -> a.forward(null), a);
        });
        add("Init.fillWeight", "1-D weight", IAE, msg("Init", "HE_NORMAL", "[out, in]", "[5]"), () -> {
            Tensor w = leaf(FLOAT64, 5);
            return act(() -> Init.HE_NORMAL.fillWeight(w, new SplittableRandom(1)), w);
        });
        add("Module.registerParameter", "duplicate name", IAE, msg("DuplicateParams", "duplicate parameter name 'w'"), () ->
                act(DuplicateParams::new));
    }

    // ================================================================== optimizers, clipping, schedules

    private void optimizerCases() {
        add("Sgd.<init>", "null parameter list", IAE, msg("Sgd", "no parameters"), () -> act(() -> new Sgd(null, 0.1)));
        add("Sgd.<init>", "empty parameter list", IAE, msg("Sgd", "no parameters"), () -> act(() -> new Sgd(List.of(), 0.1)));
        add("Sgd.<init>", "parameter without requiresGrad", IAE, msg("Sgd", "does not require grad", "[3]"), () -> {
            Tensor p = rnd(FLOAT64, 3);
            return act(() -> new Sgd(List.of(p), 0.1), p);
        });
        add("Sgd.<init>", "null parameter in the list", IAE, msg("Sgd", "parameter 1 is null"), () -> {
            Tensor p = leaf(FLOAT64, 3);
            return act(() -> new Sgd(Arrays.asList(p, null), 0.1), p);
        });
        add("Sgd.<init>", "negative lr", IAE, msg("Sgd", "lr = -0.1"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), -0.1), l);
        });
        add("Sgd.<init>", "NaN lr", IAE, msg("Sgd", "lr = NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), Double.NaN), l);
        });
        add("Sgd.<init>", "infinite lr", IAE, msg("Sgd", "lr = Infinity"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), Double.POSITIVE_INFINITY), l);
        });
        add("Sgd.<init>", "negative momentum", IAE, msg("Sgd", "momentum = -0.9"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), 0.1, -0.9, 0, false, 0), l);
        });
        add("Sgd.<init>", "negative dampening", IAE, msg("Sgd", "dampening = -1.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), 0.1, 0.9, -1, false, 0), l);
        });
        add("Sgd.<init>", "NaN weight decay", IAE, msg("Sgd", "weightDecay = NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), 0.1, 0.9, 0, false, Double.NaN), l);
        });
        add("Sgd.<init>", "Nesterov without momentum", IAE, msg("Sgd", "Nesterov", "momentum > 0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), 0.1, 0, 0, true, 0), l);
        });
        add("Sgd.<init>", "Nesterov with dampening", IAE, msg("Sgd", "Nesterov", "dampening 0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Sgd(l.parameters(), 0.1, 0.9, 0.5, true, 0), l);
        });
        add("Adam.<init>", "beta1 = 1", IAE, msg("Adam", "betas (1.0, 0.999)", "[0, 1)"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Adam(l.parameters(), 1e-3, 1.0, 0.999, 1e-8, 0, false), l);
        });
        add("Adam.<init>", "negative beta2", IAE, msg("Adam", "betas (0.9, -0.1)"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Adam(l.parameters(), 1e-3, 0.9, -0.1, 1e-8, 0, false), l);
        });
        add("Adam.<init>", "negative eps", IAE, msg("Adam", "eps = -1.0E-8"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Adam(l.parameters(), 1e-3, 0.9, 0.999, -1e-8, 0, false), l);
        });
        add("Adam.<init>", "negative weight decay", IAE, msg("Adam", "weightDecay = -0.01"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> new Adam(l.parameters(), 1e-3, 0.9, 0.999, 1e-8, -0.01, false), l);
        });
        add("Adam.<init>", "NaN lr", IAE, msg("Adam", "lr = NaN"), () -> {
            Linear l = linear(2, 2, FLOAT32);
            return act(() -> new Adam(l.parameters(), Double.NaN), l);
        });
        add("Adam.adamW", "infinite weight decay", IAE, msg("Adam", "weightDecay = Infinity"), () -> {
            Linear l = linear(2, 2, FLOAT32);
            return act(() -> Adam.adamW(l.parameters(), 1e-3, Double.POSITIVE_INFINITY), l);
        });
        add("Sgd.step", "NaN gradient after momentum has built up", ISE, msg("Sgd.step", "parameter 0", "NaN", "no parameter was changed"), () -> {
            Linear l = linear(3, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, true, 1e-4), 2);
            l.weight().grad().set(4, Double.NaN);
            return act(opt::step, l, opt);
        });
        add("Adam.step", "infinite gradient after two steps", ISE, msg("Adam.step", "parameter 1", "Infinity"), () -> {
            Linear l = linear(3, 2, FLOAT32);
            Adam opt = stepped(new Adam(l.parameters(), 1e-2), 2);
            l.bias().grad().set(1, Double.POSITIVE_INFINITY);
            return act(opt::step, l, opt);
        });
        add("Adam.step", "AdamW with a -inf gradient", ISE, msg("Adam.step", "parameter 0", "-Infinity"), () -> {
            Linear l = linear(3, 2, FLOAT64);
            Adam opt = stepped(Adam.adamW(l.parameters(), 1e-2), 1);
            l.weight().grad().set(0, Double.NEGATIVE_INFINITY);
            return act(opt::step, l, opt);
        });
        add("Optimizer.setLr", "negative", IAE, msg("Sgd", "lr = -1.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            return act(() -> opt.setLr(-1.0), l, opt);
        });
        add("Optimizer.setLr", "NaN", IAE, msg("Adam", "lr = NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Adam opt = stepped(new Adam(l.parameters(), 0.1), 1);
            return act(() -> opt.setLr(Double.NaN), l, opt);
        });
        add("Optimizer.loadState", "no step entry", IAE, msg("Sgd", "lacks step/lr"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = new LinkedHashMap<>(opt.state());
            s.remove("step");
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "Adam moments into Sgd", IAE, msg("Sgd", "unknown optimizer state entry 'exp_avg.0'"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState();
            s.put("exp_avg.0", Tensor.zeros(FLOAT64, 2, 2));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "buffer of the wrong shape", IAE, msg("Adam state 'exp_avg.0'", "[2]", "[2, 2]"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Adam opt = stepped(new Adam(l.parameters(), 0.1), 1);
            Map<String, Tensor> s = new LinkedHashMap<>(opt.state());
            s.put("exp_avg.0", Tensor.zeros(FLOAT64, 2));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "buffer of the wrong dtype", IAE, msg("Sgd state 'momentum.1'", "float32", "float64"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState(Tensor.zeros(FLOAT64, 2, 2), Tensor.zeros(FLOAT32, 2));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "fractional step count", IAE, msg("Sgd", "'step' = 1.5", "not a count"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState();
            s.put("step", Tensor.scalar(1.5, FLOAT64));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "negative step count", IAE, msg("Sgd", "'step' = -2.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState();
            s.put("step", Tensor.scalar(-2, FLOAT64));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "negative lr", IAE, msg("Adam", "lr = -0.5"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Adam opt = stepped(new Adam(l.parameters(), 0.1), 1);
            Map<String, Tensor> s = new LinkedHashMap<>(opt.state());
            s.put("lr", Tensor.scalar(-0.5, FLOAT64));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "parameter index out of range", IAE, msg("Sgd", "unknown optimizer state entry 'momentum.7'"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState();
            s.put("momentum.7", Tensor.zeros(FLOAT64, 2));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "non-scalar step", IAE, msg("Sgd", "'step' must be a scalar", "[2]"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, Tensor> s = sgdState();
            s.put("step", Tensor.zeros(FLOAT64, 2));
            return act(() -> opt.loadState(s), l, opt);
        });
        add("Optimizer.loadState", "null map", IAE, msg("Sgd", "state is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            return act(() -> opt.loadState(null), l, opt);
        });
        add("GradClip.clipGradNorm", "maxNorm 0", IAE, msg("clipGradNorm", "maxNorm 0.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> GradClip.clipGradNorm(l.parameters(), 0.0), l);
        });
        add("GradClip.clipGradNorm", "negative maxNorm", IAE, msg("clipGradNorm", "maxNorm -1.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> GradClip.clipGradNorm(l.parameters(), -1.0), l);
        });
        add("GradClip.clipGradNorm", "NaN maxNorm", IAE, msg("clipGradNorm", "maxNorm NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> GradClip.clipGradNorm(l.parameters(), Double.NaN), l);
        });
        add("GradClip.clipGradNorm", "null parameter list", IAE, msg("clipGradNorm", "params is null"), () ->
                act(() -> GradClip.clipGradNorm(null, 1.0)));
        add("LrSchedule.step", "step size 0", IAE, msg("step schedule", "stepSize 0"), () -> act(() -> LrSchedule.step(0.1, 0, 0.5)));
        add("LrSchedule.step", "negative step size", IAE, msg("step schedule", "stepSize -2"), () -> act(() -> LrSchedule.step(0.1, -2, 0.5)));
        add("LrSchedule.cosine", "tMax 0", IAE, msg("cosine schedule", "tMax 0"), () -> act(() -> LrSchedule.cosine(0.1, 0, 0)));
        add("LrSchedule.cosine", "negative tMax", IAE, msg("cosine schedule", "tMax -5"), () -> act(() -> LrSchedule.cosine(0.1, -5, 0)));
        add("LrSchedule.parse", "unknown schedule", IAE, msg("unknown schedule 'linear'"), () -> act(() -> LrSchedule.parse("linear", 0.1, 10)));
        add("LrSchedule.parse", "step size not a number", IAE, msg("schedule 'step:abc'", "'abc'"), () -> act(() -> LrSchedule.parse("step:abc", 0.1, 10)));
        add("LrSchedule.parse", "step size 0", IAE, msg("step schedule", "stepSize 0"), () -> act(() -> LrSchedule.parse("step:0", 0.1, 10)));
        add("LrSchedule.parse", "cosine eta_min not a number", IAE, msg("schedule 'cosine:x'", "'x'"), () -> act(() -> LrSchedule.parse("cosine:x", 0.1, 10)));
        add("LrSchedule.apply", "schedule yielding a NaN rate", IAE, msg("Sgd", "lr = NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1, 0.9, 0, false, 0), 1);
            return act(() -> LrSchedule.constant(Double.NaN).apply(opt, 0), l, opt);
        });
        add("LrSchedule.apply", "step schedule from a negative base rate", IAE, msg("Sgd", "lr = -0.1"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = stepped(new Sgd(l.parameters(), 0.1), 1);
            return act(() -> LrSchedule.step(-0.1, 2, 0.5).apply(opt, 1), l, opt);
        });
    }

    // ================================================================== data sets and loaders

    private void dataCases() {
        add("DataLoader.<init>", "batch size 0", IAE, msg("BatchSampler", "batchSize must be >= 1, got 0"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, 0, true, false, 1, FLOAT32), t);
        });
        add("DataLoader.<init>", "negative batch size", IAE, msg("BatchSampler", "batchSize must be >= 1, got -3"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, -3, false, false, 1, FLOAT64), t);
        });
        add("DataLoader.<init>", "null data", IAE, msg("DataLoader", "data is null"), () ->
                act(() -> new DataLoader(null, 2, false, false, 1, FLOAT32)));
        add("DataLoader.<init>", "null dtype", IAE, msg("DataLoader", "dtype is null"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, 2, false, false, 1, null), t);
        });
        add("DataLoader.epoch", "negative epoch", IAE, msg("BatchSampler", "epoch must be >= 0, got -1"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT32);
            return act(() -> dl.epoch(-1), dl.data());
        });
        add("DataLoader.batch", "row index past the end", IOOBE, msg("DataLoader.batch", "index 10", "[0, 6)"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT32);
            return act(() -> dl.batch(new int[] {0, 10}), dl.data());
        });
        add("DataLoader.batch", "negative row index", IOOBE, msg("DataLoader.batch", "index -1"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT64);
            return act(() -> dl.batch(new int[] {-1}), dl.data());
        });
        add("BatchSampler.<init>", "negative size", IAE, msg("BatchSampler", "size must be >= 0, got -1"), () ->
                act(() -> new BatchSampler(-1, 2, false, false, 0)));
        add("Tabular.of", "no rows", IAE, msg("Tabular", "no rows"), () -> act(() -> Tabular.of(new double[0][], new int[0], 2)));
        add("Tabular.of", "ragged rows", IAE, msg("Tabular", "ragged", "row 1"), () ->
                act(() -> Tabular.of(new double[][] {{1, 2}, {3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "label = numClasses", IAE, msg("Tabular", "label 3 at row 1", "[0, 3)"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {0, 3}, 3)));
        add("Tabular.of", "negative label", IAE, msg("Tabular", "label -1 at row 0"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {-1, 0}, 3)));
        add("Tabular.of", "NaN feature", IAE, msg("Tabular", "non-finite feature NaN", "row 0, column 1"), () ->
                act(() -> Tabular.of(new double[][] {{1, Double.NaN}, {2, 3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "infinite feature", IAE, msg("Tabular", "non-finite feature -Infinity", "row 1, column 0"), () ->
                act(() -> Tabular.of(new double[][] {{1, 2}, {Double.NEGATIVE_INFINITY, 3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "zero classes", IAE, msg("Tabular", "numClasses must be >= 1, got 0"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 0)));
        add("Tabular.of", "more labels than rows", IAE, msg("Tabular", "2 feature rows but 3 labels"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {0, 1, 0}, 2)));
        add("Tabular.of", "class name count differs", IAE, msg("Tabular", "2 class names for 3 classes"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 3, List.of("a", "b"))));
        add("Tabular.of", "duplicate class names", IAE, msg("Tabular", "duplicate class names"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 2, List.of("a", "a"))));
        add("Tabular.of", "null features", IAE, msg("Tabular", "features is null"), () -> act(() -> Tabular.of(null, new int[] {0}, 2)));
        add("Tabular.ofFlat", "length differs", IAE, msg("Tabular", "flat has 5 values", "2 labels × 3 features"), () ->
                act(() -> Tabular.ofFlat(new double[5], 3, new int[] {0, 1}, 2, null)));
        add("Tabular.ofFlat", "zero features", IAE, msg("Tabular", "numFeatures must be >= 1, got 0"), () ->
                act(() -> Tabular.ofFlat(new double[0], 0, new int[] {0}, 2, null)));
        add("Tabular.ofUnsignedBytes", "scale 0", IAE, msg("Tabular", "scale must be positive and finite, got 0.0"), () ->
                act(() -> Tabular.ofUnsignedBytes(new byte[2], 1, 0.0, new int[] {0, 1}, 2, null)));
        add("Tabular.subset", "index past the end", IOOBE, msg("Tabular.subset", "index 9", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.subset(new int[] {0, 9}), t);
        });
        add("Tabular.feature", "row past the end", IOOBE, msg("Tabular.feature", "row 6", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.feature(6, 0), t);
        });
        add("Tabular.label", "negative row", IOOBE, msg("Tabular.label", "row -1", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.label(-1), t);
        });
        add("Split.stratified", "test fraction 0", IAE, msg("Split", "testFraction must be in (0, 1), got 0.0"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, 0.0, 1), t);
        });
        add("Split.stratified", "test fraction 1", IAE, msg("Split", "got 1.0"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, 1.0, 1), t);
        });
        add("Split.stratified", "NaN test fraction", IAE, msg("Split", "got NaN"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, Double.NaN, 1), t);
        });
        add("Split.stratified", "null data", IAE, msg("Split", "data is null"), () -> act(() -> Split.stratified(null, 0.2, 1)));
        add("Standardizer.fit", "empty data set", IAE, msg("Standardizer", "empty data set"), () -> {
            Tabular t = table().subset(new int[0]);
            return act(() -> Standardizer.fit(t), t);
        });
        add("Standardizer.fit", "null data set", IAE, msg("Standardizer", "train is null"), () -> act(() -> Standardizer.fit(null)));
        add("Standardizer.of", "lengths differ", IAE, msg("Standardizer", "2 means but 3 stds"), () ->
                act(() -> Standardizer.of(new double[2], new double[] {1, 1, 1})));
        add("Standardizer.of", "zero std", IAE, msg("Standardizer", "feature 1", "std 0.0"), () ->
                act(() -> Standardizer.of(new double[2], new double[] {1, 0})));
        add("Standardizer.of", "NaN mean", IAE, msg("Standardizer", "feature 0", "mean NaN"), () ->
                act(() -> Standardizer.of(new double[] {Double.NaN}, new double[] {1})));
        add("Standardizer.transform", "feature count differs", IAE, msg("Standardizer", "fitted on 3 features but got 2"), () -> {
            Standardizer s = Standardizer.of(new double[3], new double[] {1, 1, 1});
            Tabular t = table();
            return act(() -> s.transform(t), s, t);
        });
        add("Standardizer.transformRow", "row length differs", IAE, msg("Standardizer", "fitted on 3 features but got 4"), () -> {
            Standardizer s = Standardizer.of(new double[3], new double[] {1, 1, 1});
            double[] row = {1, 2, 3, 4};
            return act(() -> s.transformRow(row), s, row);
        });
        add("MinMaxScaler.fit", "empty data set", IAE, msg("MinMaxScaler", "empty data set"), () -> {
            Tabular t = table().subset(new int[0]);
            return act(() -> MinMaxScaler.fit(t), t);
        });
        add("MinMaxScaler.ofRange", "hi below lo", IAE, msg("MinMaxScaler", "lo < hi", "[1.0, 0.0]"), () -> act(() -> MinMaxScaler.ofRange(2, 1, 0)));
        add("MinMaxScaler.ofRange", "NaN bound", IAE, msg("MinMaxScaler", "NaN"), () -> act(() -> MinMaxScaler.ofRange(2, Double.NaN, 1)));
        add("MinMaxScaler.ofRange", "negative feature count", IAE, msg("MinMaxScaler", "numFeatures", "-1"), () -> act(() -> MinMaxScaler.ofRange(-1, 0, 1)));
        add("MinMaxScaler.transform", "feature count differs", IAE, msg("MinMaxScaler", "fitted on 4 features but got 2"), () -> {
            MinMaxScaler s = MinMaxScaler.ofRange(4, 0, 16);
            Tabular t = table();
            return act(() -> s.transform(t), s, t);
        });
        add("Datasets.fashionMnist", "missing directory", DatasetNotFoundException.class,
                msg("Fashion-MNIST not found", "does not exist", Datasets.FASHION_MNIST_INSTALL_HINT), () -> {
                    Path missing = dir.resolve("no-such-fashion-mnist");
                    return act(() -> Datasets.fashionMnist(missing, true), missing);
                });
    }

    private void csvCase(String what, String content, String... message) {
        add("CsvLoader.readWithHeader", what, MDE, msg(message), () -> {
            Path f = text("data.csv", content);
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
    }

    private void csvCases() {
        csvCase("empty file", "", "data.csv:1", "missing header");
        csvCase("header with two fields", "2,1\n1,0\n2,0\n", "data.csv:1", "header", "at least one class name");
        csvCase("ROWS not an integer", "two,1,a,b\n1,0\n", "data.csv:1", "header ROWS 'two' is not an integer");
        csvCase("negative ROWS", "-2,1,a,b\n", "data.csv:1", "header ROWS must be >= 0, got -2");
        csvCase("FEATURES 0", "1,0,a,b\n0\n", "data.csv:1", "header FEATURES must be >= 1, got 0");
        csvCase("empty class name", "1,1,a,,c\n1,0\n", "data.csv:1", "empty class name");
        csvCase("duplicate class name", "1,1,a,a\n1,0\n", "data.csv:1", "duplicate class name 'a'");
        csvCase("too few columns", "2,2,a,b\n1,2,0\n3,1\n", "data.csv:3", "expected 3 columns", "found 2");
        csvCase("feature not a number", "1,2,a,b\n1,x,0\n", "data.csv:2", "column 2", "'x' is not a number");
        csvCase("NaN feature", "1,2,a,b\nNaN,1,0\n", "data.csv:2", "column 1", "'NaN' is not a number");
        csvCase("overflowing feature", "1,2,a,b\n1e999,1,0\n", "data.csv:2", "column 1", "'1e999' is not finite");
        csvCase("hex-float feature", "1,1,a,b\n0x1p3,0\n", "data.csv:2", "'0x1p3' is not a number");
        csvCase("fractional label", "1,1,a,b\n1,1.5\n", "data.csv:2", "label '1.5' is not an integer");
        csvCase("label = number of classes", "1,1,a,b\n1,2\n", "data.csv:2", "label 2 is outside [0, 2)");
        csvCase("negative label", "2,1,a,b\n1,0\n1,-1\n", "data.csv:3", "label -1 is outside [0, 2)");
        csvCase("fewer rows than declared", "3,1,a,b\n1,0\n2,1\n", "data.csv", "header declares 3 data rows but the file has 2");
        csvCase("more rows than declared", "1,1,a,b\n1,0\n2,1\n", "data.csv:3", "more data rows than the 1 declared");
        csvCase("blank line inside the data", "2,1,a,b\n1,0\n\n2,1\n", "data.csv:3", "blank line inside the data");
        add("CsvLoader.readWithHeader", "invalid UTF-8", MDE, msg("data.csv", "not valid UTF-8"), () -> {
            Path f = write("data.csv", new byte[] {'1', ',', '1', ',', 'a', ',', (byte) 0xC3, (byte) 0x28, '\n'});
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readWithHeader", "truncated gzip", MDE, msg("data.csv.gz", "damaged or truncated gzip"), () -> {
            byte[] gz = gzip("2,1,a,b\n1,0\n2,1\n".getBytes(StandardCharsets.UTF_8));
            Path f = write("data.csv.gz", Arrays.copyOf(gz, gz.length - 12));
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readWithHeader", "missing file", NoSuchFileException.class, msg("missing.csv"), () -> {
            Path f = dir.resolve("missing.csv");
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readHeaderless", "zero features", IAE, msg("CsvLoader", "numFeatures must be >= 1, got 0"), () -> {
            Path f = text("h.csv", "1,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 0, 2), f);
        });
        add("CsvLoader.readHeaderless", "zero classes", IAE, msg("CsvLoader", "numClasses must be >= 1, got 0"), () -> {
            Path f = text("h.csv", "1,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 0), f);
        });
        add("CsvLoader.readHeaderless", "no data rows", MDE, msg("h.csv", "no data rows"), () -> {
            Path f = text("h.csv", "\n\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 2), f);
        });
        add("CsvLoader.readHeaderless", "too many columns", MDE, msg("h.csv:1", "expected 2 columns (1 features + label) but found 3"), () -> {
            Path f = text("h.csv", "1,2,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 2), f);
        });
    }

    private void idxCases() {
        byte[] px = new byte[2 * 2 * 3];
        add("IdxLoader.readImages", "label magic in an image file", MDE, msg("img.idx", "bad magic number 0x00000801", "expected 0x00000803", "swapped"), () -> {
            Path f = write("img.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[2]));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "byte-swapped magic", MDE, msg("img.idx", "bad magic number 0x03080000", "byte-swapped"), () -> {
            Path f = write("img.idx", idx(Integer.reverseBytes(IdxLoader.IMAGES_MAGIC), new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "float element type", MDE, msg("img.idx", "bad magic number 0x00000D03", "element type 0x0D"), () -> {
            Path f = write("img.idx", idx(0x00000D03, new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "truncated header", MDE, msg("img.idx", "truncated header", "image count"), () -> {
            Path f = write("img.idx", Arrays.copyOf(idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px), 6));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "truncated pixels", MDE, msg("img.idx", "truncated", "12 pixel bytes", "ends after 7"), () -> {
            byte[] full = idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px);
            Path f = write("img.idx", Arrays.copyOf(full, full.length - 5));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "trailing bytes", MDE, msg("img.idx", "3 unexpected trailing bytes"), () -> {
            Path f = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, Arrays.copyOf(px, px.length + 3)));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "negative dimension", MDE, msg("img.idx", "row count -2 is negative"), () -> {
            Path f = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, -2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "damaged gzip", MDE, msg("img.idx.gz", "damaged or truncated gzip"), () -> {
            byte[] gz = gzip(idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            for (int i = 12; i < gz.length - 8; i++) gz[i] ^= 0x5A;
            Path f = write("img.idx.gz", gz);
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readLabels", "image magic in a label file", MDE, msg("lab.idx", "bad magic number 0x00000803", "expected 0x00000801"), () -> {
            Path f = write("lab.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readLabels(f), f);
        });
        add("IdxLoader.readLabels", "truncated labels", MDE, msg("lab.idx", "header promises 5 label bytes", "ends after 3"), () -> {
            Path f = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {5}, new byte[] {1, 2, 3}));
            return act(() -> IdxLoader.readLabels(f), f);
        });
        add("IdxLoader.load", "image and label counts differ", MDE, msg("image/label count mismatch", "2 images", "3 labels"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 1, 2}));
            return act(() -> IdxLoader.load(im, lb, List.of("a", "b", "c")), im, lb);
        });
        add("IdxLoader.load", "label beyond the class names", MDE, msg("lab.idx", "label 12 of item 1", "[0, 10)"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 12}));
            return act(() -> IdxLoader.load(im, lb, Datasets.FASHION_MNIST_CLASSES), im, lb);
        });
        add("IdxLoader.load", "zero-pixel images", MDE, msg("img.idx", "zero pixels"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 0, 3}, new byte[0]));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}));
            return act(() -> IdxLoader.load(im, lb, List.of("a", "b")), im, lb);
        });
        add("IdxLoader.load", "null class names", IAE, msg("IdxLoader", "classNames is null"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}));
            return act(() -> IdxLoader.load(im, lb, null), im, lb);
        });
    }

    // ================================================================== safetensors

    private void stCase(String what, Arrange arrange, String... message) {
        add("SafeTensors.read", what, STE, msg(message), arrange);
    }

    private void safeTensorsCases() {
        byte[] four = new byte[16];
        stCase("file shorter than the length prefix", () -> {
            Path f = write("t.safetensors", new byte[5]);
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "5 bytes, too short");
        stCase("absurd header length", () -> {
            Path f = write("t.safetensors", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header length 18446744073709551615 is absurd");
        stCase("header length beyond the file", () -> {
            Path f = write("t.safetensors", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header length 100 exceeds the 8 bytes");
        stCase("zero header length", () -> {
            Path f = write("t.safetensors", new byte[8]);
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header length is 0");
        stCase("header not starting with {", () -> {
            Path f = write("t.safetensors", st("[1, 2, 3]", new byte[0]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "does not start with '{'");
        stCase("header not JSON", () -> {
            Path f = write("t.safetensors", st("{\"w\": {\"dtype\": ", new byte[0]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "not valid JSON");
        stCase("header not UTF-8", () -> {
            Path f = write("t.safetensors", st("{\"\u00e9\": 1}", new byte[0]));
            byte[] b = Files.readAllBytes(f);
            b[10] = (byte) 0xFF;
            Files.write(f, b);
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "not valid UTF-8");
        stCase("duplicate tensor name", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "not valid JSON", "duplicate field \"w\"");
        stCase("unsupported dtype", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "unsupported dtype 'F16'");
        stCase("shape and offsets disagree", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "needs 12 bytes", "span 16");
        stCase("offsets past the data (truncated)", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "extend past the end", "truncated");
        stCase("trailing garbage", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "trailing garbage", "8 bytes");
        stCase("overlapping tensors", () -> {
            Path f = write("t.safetensors", st("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'b'", "overlap tensor 'a'");
        stCase("gap between tensors", () -> {
            Path f = write("t.safetensors", st("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "belong to no tensor", "gap before tensor 'b'");
        stCase("negative shape entry", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "'shape' element -4");
        stCase("unexpected entry field", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16],\"stride\":[1]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "unexpected field 'stride'");
        stCase("non-string metadata", () -> {
            Path f = write("t.safetensors", st("{\"__metadata__\":{\"epochs\":3},\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "metadata value for 'epochs' is not a string");
        stCase("CRC that is not hex", () -> {
            Path f = write("t.safetensors", st("{\"__metadata__\":{\"crc32\":\"xyz\"},\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "'crc32' value 'xyz' is not 8 hex digits");
        stCase("flipped data byte (CRC mismatch)", () -> {
            Path f = validSafeTensors("t.safetensors");
            byte[] b = Files.readAllBytes(f);
            b[b.length - 3] ^= 0x10;
            Files.write(f, b);
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "CRC-32 mismatch", "corrupted");
        stCase("truncated valid file", () -> {
            Path f = validSafeTensors("t.safetensors");
            byte[] b = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(b, b.length - 4));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "extend past the end");
        add("SafeTensors.read", "missing file", NoSuchFileException.class, msg("absent.safetensors"), () -> {
            Path f = dir.resolve("absent.safetensors");
            return act(() -> SafeTensors.read(f), f);
        });
        // writes must leave an existing file exactly as it was
        add("SafeTensors.write", "empty tensor name", IAE, msg("tensor names must be non-empty"), () -> {
            Path f = validSafeTensors("w.safetensors");
            return act(() -> SafeTensors.write(f, Map.of("", RawTensor.scalarF32(1)), null), f);
        });
        add("SafeTensors.write", "__metadata__ as a tensor name", IAE, msg("'__metadata__' cannot be a tensor name"), () -> {
            Path f = validSafeTensors("w.safetensors");
            return act(() -> SafeTensors.write(f, Map.of("__metadata__", RawTensor.scalarF32(1)), null), f);
        });
        add("SafeTensors.write", "reserved crc32 metadata key", IAE, msg("metadata key 'crc32' is reserved"), () -> {
            Path f = validSafeTensors("w.safetensors");
            return act(() -> SafeTensors.write(f, Map.of("w", RawTensor.scalarF32(1)), Map.of("crc32", "0")), f);
        });
        add("SafeTensors.write", "source writing too few bytes", IOException.class, msg("w.safetensors", "tensor 'w' wrote 4 bytes", "needs 16"), () -> {
            Path f = validSafeTensors("w.safetensors");
            TensorSource shortSource = new TensorSource() {
                public ElementType dtype() {
                    return ElementType.F32;
                }

                public long[] shape() {
                    return new long[] {4};
                }

                public void writeData(OutputStream out) throws IOException {
                    out.write(new byte[4]);
                }
            };
            return act(() -> SafeTensors.write(f, Map.of("w", shortSource), null), f);
        });
        add("SafeTensors.write", "source writing too many bytes", IOException.class, msg("tensor 'w' wrote more than the 4 bytes"), () -> {
            Path f = validSafeTensors("w.safetensors");
            TensorSource longSource = new TensorSource() {
                public ElementType dtype() {
                    return ElementType.F32;
                }

                public long[] shape() {
                    return new long[] {1};
                }

                public void writeData(OutputStream out) throws IOException {
                    out.write(new byte[8]);
                }
            };
            return act(() -> SafeTensors.write(f, Map.of("w", longSource), null), f);
        });
    }

    // ================================================================== checkpoints and the trainer

    private void ckCase(String what, Class<? extends Throwable> type, Arrange arrange, String... message) {
        add("Checkpoint.load", what, type, msg(message), arrange);
    }

    private void checkpointCases() {
        ckCase("truncated checkpoint", STE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            byte[] b = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(b, b.length - 10));
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "extend past the end");
        ckCase("flipped data byte", STE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            byte[] b = Files.readAllBytes(f);
            b[b.length - 20] ^= 0x01;
            Files.write(f, b);
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "CRC-32 mismatch");
        ckCase("tampered metadata", STE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of("epochs_completed", "1"));
            patch(f, "\"epochs_completed\":\"1\"", "\"epochs_completed\":\"7\"");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "metadata CRC-32 mismatch");
        ckCase("not a checkpoint", IAE, () -> {
            Path f = validSafeTensors("plain.safetensors");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "plain.safetensors", "format 'null' is not jgrad-checkpoint/1");
        ckCase("hidden width differs", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            Sequential m = mlp(2, FLOAT64, 6);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "parameter '0.weight'", "[5, 4]", "[6, 4]");
        ckCase("float32 file into a float64 model", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT32, 5), null, Map.of());
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "parameter '0.weight'", "float32 in the file", "float64 in the model");
        ckCase("file has a parameter the model lacks", IAE, () -> {
            Sequential m = mlp(2, FLOAT64, 5);
            Map<String, TensorSource> entries = new LinkedHashMap<>(raw(mlp(1, FLOAT64, 5)));
            entries.put("4.weight", RawTensor.ofDoubles(new double[6], 2, 3));
            Path f = checkpointLike("ck.safetensors", entries, Map.of());
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "parameter '4.weight' does not exist in the model");
        ckCase("file lacks a model parameter", IAE, () -> {
            Sequential m = mlp(2, FLOAT64, 5);
            Map<String, RawTensor> entries = raw(m);
            entries.remove("2.bias");
            Path f = checkpointLike("ck.safetensors", entries, Map.of());
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "parameter '2.bias' is missing from the file");
        ckCase("integer parameter entry", IAE, () -> {
            Sequential m = mlp(2, FLOAT64, 5);
            Map<String, TensorSource> entries = new LinkedHashMap<>(raw(m));
            entries.put("0.bias", RawTensor.ofLongs(new long[5], 5));
            Path f = checkpointLike("ck.safetensors", entries, Map.of());
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "entry '0.bias' has dtype I64", "F32 or F64");
        ckCase("no optimizer state to resume", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 1);
            return act(() -> Checkpoint.load(f, m, opt), m, opt, f);
        }, "has no optimizer state to resume from");
        ckCase("Sgd state into Adam", IAE, () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of());
            Sequential m = mlp(2, FLOAT64, 5);
            Adam opt = stepped(new Adam(m.parameters(), 0.01), 2);
            return act(() -> Checkpoint.load(f, m, opt), m, opt, f);
        }, "Adam", "unknown optimizer state entry 'momentum.0'");
        ckCase("model without dropout into one with dropout", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT64), new Activation(Activation.Kind.RELU)), null, Map.of());
            Sequential m = withGrads(new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(2), FLOAT64), new Dropout(0.5, 3)));
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "1 dropout layers", "no dropout state");
        ckCase("dropout draw count not a number", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT64), new Activation(Activation.Kind.RELU)),
                    null, Map.of("dropout_draws", "abc"));
            Sequential m = withGrads(new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(2), FLOAT64), new Dropout(0.5, 3)));
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "dropout", "'abc'");
        ckCase("negative dropout draw count", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT64), new Activation(Activation.Kind.RELU)),
                    null, Map.of("dropout_draws", "-5"));
            Sequential m = withGrads(new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(2), FLOAT64), new Dropout(0.5, 3)));
            m.forward(rnd(FLOAT64, 2, 4));
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "negative dropout draw count -5");
        ckCase("two dropout states for one layer", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(1), FLOAT64), new Activation(Activation.Kind.RELU)),
                    null, Map.of("dropout_draws", "1,2"));
            Sequential m = withGrads(new Sequential(new Linear(4, 3, true, Init.HE_NORMAL, new SplittableRandom(2), FLOAT64), new Dropout(0.5, 3)));
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "2 dropout states for 1 dropout layers");
        ckCase("optimizer step entry that is not a count", IAE, () -> {
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 1);
            Map<String, TensorSource> entries = new LinkedHashMap<>(raw(mlp(1, FLOAT64, 5)));
            entries.put("optimizer.step", RawTensor.scalarF64(2.5));
            entries.put("optimizer.lr", RawTensor.scalarF64(0.1));
            Path f = checkpointLike("ck.safetensors", entries, Map.of());
            return act(() -> Checkpoint.load(f, m, opt), m, opt, f);
        }, "Sgd", "'step' = 2.5", "not a count");
        add("Checkpoint.load", "missing file", NoSuchFileException.class, msg("no-such-ck.safetensors"), () -> {
            Path f = dir.resolve("no-such-ck.safetensors");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m);
        });
    }

    private void trainerCases() {
        add("Trainer.builder", "null model", IAE, msg("Trainer", "model is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(null, opt), l, opt);
        });
        add("Trainer.builder", "null optimizer", IAE, msg("Trainer", "optimizer is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> Trainer.builder(l, null), l);
        });
        add("Trainer.Builder.epochs", "zero epochs", IAE, msg("Trainer", "epochs 0 must be positive"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).epochs(0), l, opt);
        });
        add("Trainer.Builder.epochs", "negative epochs", IAE, msg("Trainer", "epochs -3 must be positive"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).epochs(-3), l, opt);
        });
        add("Trainer.Builder.clipGradNorm", "negative norm", IAE, msg("Trainer", "clipGradNorm -1.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).clipGradNorm(-1.0), l, opt);
        });
        add("Trainer.Builder.clipGradNorm", "NaN norm", IAE, msg("Trainer", "clipGradNorm NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).clipGradNorm(Double.NaN), l, opt);
        });
        add("Trainer.Builder.objective", "null", IAE, msg("Trainer", "objective is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).objective(null), l, opt);
        });
        add("Trainer.resume", "checkpoint without epochs_completed", IAE, msg("checkpoint", "no epochs_completed entry"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of());
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.resume", "epochs_completed not a number", IAE, msg("checkpoint", "epochs_completed 'two'"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "two"));
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.resume", "negative epochs_completed", IAE, msg("checkpoint", "epochs_completed '-1'"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "-1"));
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.resume", "corrupt checkpoint", STE, msg("ck.safetensors", "CRC-32 mismatch"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "1"));
            byte[] b = Files.readAllBytes(f);
            b[b.length - 1] ^= 0x40;
            Files.write(f, b);
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
    }
}
