package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.ElementType;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.nn.io.StateDict;
import dev.jgrad.nn.io.TensorSource;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.ParamGroup;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.ops.reliability.BadInputCatalogue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.linear;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.mlp;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.raw;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.stepped;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.withGrads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input catalogue of nn: layers, modules, initialisers, optimizers, gradient clipping, learning-rate
 * schedules, safetensors files and checkpoints. Each case is run by the shared harness
 * ({@link BadInputCatalogue}, from the ops test-jar), which checks the exception's exact type, that its message
 * names the API and the offending argument, and that no watched state changed (tensors, modules and
 * optimizers as snapshotted by {@link NnCatalogueSupport#MODULES_AND_OPTIMIZERS}, files on disk).
 */
class NnBadInputCatalogueTest extends BadInputCatalogue {
    private static final Class<SafeTensorsException> STE = SafeTensorsException.class;

    NnBadInputCatalogueTest() {
        super(NnCatalogueSupport.MODULES_AND_OPTIMIZERS);
    }

    @Override
    protected void register() {
        layerCases();
        optimizerCases();
        safeTensorsCases();
        checkpointCases();
        stateDictCases();
    }

    // ------------------------------------------------------------------ fixtures

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

    private static Map<String, Tensor> sgdState(Tensor... momentum) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Tensor.scalar(3, FLOAT64));
        s.put("lr", Tensor.scalar(0.1, FLOAT64));
        for (int i = 0; i < momentum.length; i++) s.put("momentum." + i, momentum[i]);
        return s;
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
        add("Sgd.<init>", "null parameter list", IAE, msg("Sgd", "params is null"), () -> act(() -> new Sgd(null, 0.1)));
        add("Adam.<init>", "null group list", IAE, msg("Adam", "groups is null"), () -> act(() -> new Adam((List<ParamGroup>) null)));
        add("Optimizer.loadState", "one slot named twice", IAE, msg("Adam", "exp_avg.00", "canonical", "exp_avg.0"), () -> {
            Tensor p = rnd(FLOAT64, 2).requiresGrad(true);
            Adam opt = new Adam(List.of(p), 0.1);
            Map<String, Tensor> s = new java.util.LinkedHashMap<>(opt.state());
            s.put("exp_avg.0", Tensor.zeros(FLOAT64, 2));
            s.put("exp_avg.00", Tensor.full(1e300, FLOAT64, 2));
            return act(() -> opt.loadState(s), p);
        });
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
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"U16\",\"shape\":[8],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "unsupported dtype 'U16'");
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
        // limits (issue #16): each checked while the header is read, before anything it declares is built
        stCase("header over the 16 MiB limit", () -> {
            Path f = write("t.safetensors", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(50_000_000).array());
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header length 50000000 is over this reader's limit of 16777216 bytes");
        stCase("more entries than MAX_ENTRIES", () -> {
            StringBuilder h = new StringBuilder("{");
            for (int i = 0; i <= SafeTensors.MAX_ENTRIES + 1; i++) h.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
            Path f = write("t.safetensors", st(h.append('}').toString(), new byte[0]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header is over a limit", "more than 65537 entries");
        stCase("shape of rank over MAX_RANK", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(40) + "1],\"data_offsets\":[0,4]}}", new byte[4]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "header is over a limit", "an array of more than 32 elements in entry \"w\"");
        stCase("tensor name over MAX_NAME_LENGTH", () -> {
            Path f = write("t.safetensors", st("{\"" + "n".repeat(2000) + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor name of 2000 characters", "limit of 1024");
        stCase("zero-element tensor with a dimension over 2^31 - 1", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[0,65536,65537],\"data_offsets\":[0,0]},"
                    + "\"v\":{\"dtype\":\"F32\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}", new byte[0]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'v'", "dimension 1 of shape [0, 4294967296] is over 2^31 - 1");
        stCase("offset beyond 64 bits", () -> {
            Path f = write("t.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551620]}}", new byte[4]));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor 'w'", "'data_offsets' element 18446744073709551620 is not a non-negative 64-bit integer");
        stCase("tensor index CRC mismatch (a renamed tensor)", () -> {
            Path f = validSafeTensors("t.safetensors");
            patch(f, "\"w\":{", "\"v\":{");
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "tensor index CRC-32 mismatch", "the header is damaged");
        stCase("index CRC that is not hex", () -> {
            Path f = write("t.safetensors", st("{\"__metadata__\":{\"index_crc32\":\"12345z78\"},\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", four));
            return act(() -> SafeTensors.read(f), f);
        }, "t.safetensors", "'index_crc32' value '12345z78' is not 8 hex digits");
        add("SafeTensors.read", "a directory", IOException.class, msg("cannot be read", "Is a directory"), () -> {
            Path f = Files.createDirectories(dir.resolve("adir.safetensors"));
            return act(() -> SafeTensors.read(f), f);
        });
        add("SafeTensors.write", "reserved index_crc32 metadata key", IAE, msg("metadata key 'index_crc32' is reserved"), () -> {
            Path f = validSafeTensors("w.safetensors");
            return act(() -> SafeTensors.write(f, Map.of("w", RawTensor.scalarF32(1)), Map.of("index_crc32", "0")), f);
        });
        add("SafeTensors.write", "tensor name over MAX_NAME_LENGTH", IAE, msg("tensor name of 1500 characters is longer than 1024"), () -> {
            Path f = validSafeTensors("w.safetensors");
            return act(() -> SafeTensors.write(f, Map.of("x".repeat(1500), RawTensor.scalarF32(1)), null), f);
        });
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

    // ================================================================== checkpoints

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
        ckCase("header over a limit", STE, () -> {
            Path f = write("ck.safetensors", st("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(40) + "1],\"data_offsets\":[0,4]}}", new byte[4]));
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "header is over a limit", "MAX_RANK 32");
        ckCase("renamed parameter with consistent CRCs of data and metadata", STE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            patch(f, "\"0.weight\"", "\"1.weight\"");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "tensor index CRC-32 mismatch");
        ckCase("not a checkpoint", IAE, () -> {
            Path f = validSafeTensors("plain.safetensors");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "plain.safetensors", "not a jgrad checkpoint", "format 'null' is not jgrad-checkpoint/1", "StateDict.load");
        ckCase("hidden width differs", IAE, () -> {
            Path f = file("ck.safetensors");
            Checkpoint.save(f, mlp(1, FLOAT64, 5), null, Map.of());
            Sequential m = mlp(2, FLOAT64, 6);
            return act(() -> Checkpoint.load(f, m, null), m, f);
        }, "ck.safetensors", "saved from a different model", "parameter '0.weight'", "[5, 4]", "[6, 4]");
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
        }, "ck.safetensors", "saved with a different optimizer", "Adam", "unknown optimizer state entry 'momentum.0'");
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

    // ================================================================== state dicts

    /** A module with PyTorch batch norm's parameter and buffer names (an integral step counter among them). */
    static final class NormLike extends Module {
        NormLike(DType dt) {
            registerParameter("weight", Tensor.ones(dt, 3));
            registerParameter("bias", Tensor.zeros(dt, 3));
            registerBuffer("running_mean", Tensor.full(0.5, dt, 3));
            registerBuffer("running_var", Tensor.full(2, dt, 3));
            registerBuffer("num_batches_tracked", Tensor.scalar(4, dt), true);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    /** A plain state dict file of {@code m} (as safetensors.torch.save_file writes it), edited by {@code edit}. */
    private static Path stateDictFile(String name, Module m, java.util.function.Consumer<Map<String, RawTensor>> edit) throws IOException {
        Map<String, RawTensor> sd = new LinkedHashMap<>();
        StateDict.sources(m, null).forEach((k, src) -> {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try {
                src.writeData(bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sd.put(k, new RawTensor(src.dtype(), src.shape(), bytes.toByteArray()));
        });
        edit.accept(sd);
        Path f = file(name);
        SafeTensors.writePlain(f, sd, null);
        return f;
    }

    private void sdCase(String what, Class<? extends Throwable> type, Arrange arrange, String... message) {
        add("StateDict.load", what, type, msg(message), arrange);
    }

    private void stateDictCases() {
        sdCase("missing and unexpected keys (strict)", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", mlp(1, FLOAT64, 5), sd -> {
                sd.remove("0.bias");
                sd.put("9.weight", RawTensor.scalarF64(1));
            });
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.load(f, m), m, f);
        }, "sd.safetensors", "missing keys [0.bias]", "unexpected keys [9.weight]");
        sdCase("wrong shape (also when not strict)", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", mlp(1, FLOAT64, 5), sd -> sd.put("2.bias", RawTensor.ofDoubles(new double[4])));
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.load(f, m, false), m, f);
        }, "sd.safetensors", "parameter '2.bias' has shape [4] in the state dict but [3] in the module");
        sdCase("integer tensor for a float parameter", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", mlp(1, FLOAT32, 5), sd -> sd.put("0.bias", RawTensor.ofLongs(new long[5])));
            Sequential m = mlp(2, FLOAT32, 5);
            return act(() -> StateDict.load(f, m), m, f);
        }, "parameter '0.bias' is floating point (F16, BF16, F32 or F64) but the state dict has I64");
        sdCase("float tensor for an integral buffer", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", new NormLike(FLOAT32), sd -> sd.put("num_batches_tracked", RawTensor.scalarF32(4)));
            NormLike m = new NormLike(FLOAT32);
            m.namedBuffers().get("running_mean").set(0, 9);
            return act(() -> StateDict.load(f, m), m, f);
        }, "buffer 'num_batches_tracked' holds whole numbers (I64 or I32) but the state dict has F32");
        sdCase("step count beyond float32's integers", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", new NormLike(FLOAT32), sd -> sd.put("num_batches_tracked", RawTensor.scalarI64((1L << 24) + 1)));
            NormLike m = new NormLike(FLOAT32);
            return act(() -> StateDict.load(f, m), m, f);
        }, "buffer 'num_batches_tracked' value 16777217 is not exactly representable in float32");
        sdCase("buffer of the wrong shape", IAE, () -> {
            Path f = stateDictFile("sd.safetensors", new NormLike(FLOAT64), sd -> sd.put("running_var", RawTensor.ofDoubles(new double[3], 3, 1)));
            NormLike m = new NormLike(FLOAT64);
            return act(() -> StateDict.load(f, m), m, f);
        }, "buffer 'running_var' has shape [3, 1] in the state dict but [3] in the module");
        sdCase("unsupported dtype in the file", STE, () -> {
            Path f = write("sd.safetensors", st("{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", new byte[8]));
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.load(f, m), m, f);
        }, "sd.safetensors", "tensor 'w'", "unsupported dtype 'U8'");
        sdCase("truncated file", STE, () -> {
            Path f = stateDictFile("sd.safetensors", mlp(1, FLOAT64, 5), sd -> { });
            byte[] b = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(b, b.length - 3));
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.load(f, m), m, f);
        }, "sd.safetensors", "extend past the end");
        sdCase("missing file", NoSuchFileException.class, () -> {
            Path f = dir.resolve("no-such-sd.safetensors");
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.load(f, m), m);
        }, "no-such-sd.safetensors");
        add("StateDict.save", "integer element type", IAE, msg("StateDict.save: element type I32 is not floating point"), () -> {
            Path f = stateDictFile("sd.safetensors", mlp(1, FLOAT64, 5), sd -> { });
            Sequential m = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.save(f, m, ElementType.I32), m, f);
        });
        add("StateDict.save", "fractional step count", IAE, msg("StateDict.save: integral buffer 'num_batches_tracked': value 1.5 is not a whole number representable as I64"), () -> {
            Path f = stateDictFile("sd.safetensors", new NormLike(FLOAT64), sd -> { });
            NormLike m = new NormLike(FLOAT64);
            m.namedBuffers().get("num_batches_tracked").set(0, 1.5);
            return act(() -> StateDict.save(f, m), m, f);
        });
        add("StateDict.copy", "shape mismatch between modules", IAE, msg("StateDict.copy", "parameter '0.weight' has shape [6, 4] in the state dict but [5, 4] in the module"), () -> {
            Sequential from = mlp(1, FLOAT64, 6), to = mlp(2, FLOAT64, 5);
            return act(() -> StateDict.copy(from.stateDict(), to, true), from, to);
        });
    }
}
