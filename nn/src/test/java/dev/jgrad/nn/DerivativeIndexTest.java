package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Function;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Walks the derivative index {@code docs/derivatives.md} (a test resource of this module, read from the classpath):
 * every concrete {@link Function} in the production classes of {@code core}, {@code ops}, {@code losses} and
 * {@code nn} is named by an index line, every line names an existing {@code Function} class, and every line has a
 * float64 central-difference gradcheck through its public entry point. The checks are keyed by the index's op
 * column, so a renamed or moved class is updated in one place: its index line.
 */
class DerivativeIndexTest {
    private static final String INDEX = "/derivatives.md";

    /** One line of the index table. */
    record Entry(int line, String op, String entryPoint, String className, String formula, String notes) {
    }

    // ------------------------------------------------------------------ the index

    /** The index lines, in order. */
    static List<Entry> index() throws IOException {
        String text;
        try (InputStream in = DerivativeIndexTest.class.getResourceAsStream(INDEX)) {
            assertNotNull(in, INDEX + " is not on the test classpath (nn/pom.xml testResources)");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Entry> entries = new ArrayList<>();
        boolean header = true;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.startsWith("|")) continue;
            List<String> cells = cells(l);
            if (header) { // the column names, then the separator line
                assertEquals(List.of("op", "public entry point", "Function class", "d/dx formula", "notes"), cells,
                        INDEX + ":" + (i + 1) + ": unexpected header");
                header = false;
                i++;
                continue;
            }
            assertEquals(5, cells.size(), INDEX + ":" + (i + 1) + ": expected 5 cells, got " + cells);
            entries.add(new Entry(i + 1, code(cells.get(0)), cells.get(1), code(cells.get(2)), cells.get(3), cells.get(4)));
        }
        return entries;
    }

    /** The cells of a table line, split at {@code |} that are not escaped as {@code \|}. */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int k = 1; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '\\' && k + 1 < line.length() && line.charAt(k + 1) == '|') {
                cell.append('|');
                k++;
            } else if (c == '|') {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return out;
    }

    /** The text of a cell that is one code span, without the backticks. */
    private static String code(String cell) {
        return cell.startsWith("`") && cell.endsWith("`") && cell.length() > 1 ? cell.substring(1, cell.length() - 1) : cell;
    }

    /** The class an index line names ({@code ops.Pointwise.Exp} is {@code dev.jgrad.ops.Pointwise$Exp}), or null. */
    static Class<?> resolve(String name) {
        String n = "dev.jgrad." + name;
        while (true) {
            try {
                return Class.forName(n, false, DerivativeIndexTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                int dot = n.lastIndexOf('.');
                if (dot < "dev.jgrad.".length()) return null;
                n = n.substring(0, dot) + '$' + n.substring(dot + 1);
            }
        }
    }

    // ------------------------------------------------------------------ the Function classes

    /** A class of each production module, whose code source (a classes directory or a jar) is scanned. */
    private static final Map<String, Class<?>> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("core", Function.class);
        MODULES.put("ops", Ops.class);
        MODULES.put("losses", Losses.class);
        MODULES.put("nn", Module.class);
    }

    /** Every concrete subclass of {@link Function} in the production classes of the modules, nested ones included. */
    static Map<String, List<Class<?>>> functionClasses() throws IOException, URISyntaxException {
        Map<String, List<Class<?>>> found = new LinkedHashMap<>();
        for (Map.Entry<String, Class<?>> m : MODULES.entrySet()) {
            String pkg = "dev/jgrad/" + m.getKey() + "/";
            Path where = Path.of(m.getValue().getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> names = new ArrayList<>();
            if (Files.isDirectory(where)) {
                try (Stream<Path> s = Files.walk(where.resolve(pkg))) {
                    s.filter(p -> p.toString().endsWith(".class")).forEach(p -> names.add(where.relativize(p).toString().replace('\\', '/')));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) names.add(e.nextElement().getName());
                }
            }
            List<Class<?>> classes = new ArrayList<>();
            int scanned = 0;
            for (String f : names) {
                if (!f.startsWith(pkg) || !f.endsWith(".class") || f.contains("-")) continue; // package-info, module-info
                scanned++;
                Class<?> c;
                try {
                    c = Class.forName(f.substring(0, f.length() - ".class".length()).replace('/', '.'), false,
                            DerivativeIndexTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError("cannot load " + f + " from " + where, e);
                }
                if (c != Function.class && Function.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                    classes.add(c);
                }
            }
            // the scan itself must have seen the module (not an empty directory or a wrong location)
            assertTrue(scanned > 0, "no classes of " + m.getKey() + " found at " + where);
            found.put(m.getKey(), classes);
        }
        return found;
    }

    @Test
    void theIndexListsEachOpOnceWithAFormula() throws IOException {
        List<Entry> entries = index();
        assertTrue(entries.size() >= 30, "the index has only " + entries.size() + " lines");
        Map<String, Entry> byOp = new TreeMap<>();
        for (Entry e : entries) {
            Entry before = byOp.put(e.op(), e);
            assertTrue(before == null, INDEX + ":" + e.line() + ": op " + e.op() + " is already on line " + (before == null ? 0 : before.line()));
            assertTrue(!e.entryPoint().isEmpty() && !e.formula().isEmpty(), INDEX + ":" + e.line() + ": op " + e.op() + " needs an entry point and a formula");
        }
    }

    @Test
    void everyFunctionHasAnIndexEntryAndEveryEntryNamesAFunction() throws Exception {
        List<Entry> entries = index();
        Map<Class<?>, List<Entry>> byClass = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Entry e : entries) {
            Class<?> c = resolve(e.className());
            if (c == null) {
                problems.add(INDEX + ":" + e.line() + ": op " + e.op() + " names class " + e.className() + ", which does not exist");
            } else if (!Function.class.isAssignableFrom(c) || Modifier.isAbstract(c.getModifiers())) {
                problems.add(INDEX + ":" + e.line() + ": op " + e.op() + " names " + c.getName() + ", which is not a concrete Function");
            } else {
                byClass.computeIfAbsent(c, k -> new ArrayList<>()).add(e);
            }
        }
        Map<String, List<Class<?>>> functions = functionClasses();
        int total = 0;
        for (Map.Entry<String, List<Class<?>>> m : functions.entrySet()) {
            for (Class<?> c : m.getValue()) {
                total++;
                if (!byClass.containsKey(c)) problems.add(m.getKey() + ": " + c.getName() + " has no line in " + INDEX);
            }
        }
        for (Class<?> c : byClass.keySet()) {
            boolean scanned = functions.values().stream().anyMatch(l -> l.contains(c));
            if (!scanned) problems.add(c.getName() + " is in " + INDEX + " but not in the production classes of " + MODULES.keySet());
        }
        // the scan finds the ops, losses and layers (a broken scan must not pass by finding nothing)
        for (String m : List.of("ops", "losses", "nn")) {
            if (functions.get(m).isEmpty()) problems.add("no Function classes found in " + m);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(total >= 30, "only " + total + " Function classes found");
    }

    @Test
    void everyEntryHasAGradcheckAndEveryGradcheckAnEntry() throws IOException {
        TreeSet<String> ops = new TreeSet<>();
        for (Entry e : index()) ops.add(e.op());
        TreeSet<String> missing = new TreeSet<>(ops), stale = new TreeSet<>(CHECKS.keySet());
        missing.removeAll(CHECKS.keySet());
        stale.removeAll(ops);
        assertTrue(missing.isEmpty() && stale.isEmpty(), "index ops without a gradcheck: " + missing + "; gradchecks without an index op: " + stale);
    }

    /** The float64 gradcheck of every index line, through its public entry point. */
    @TestFactory
    Stream<DynamicTest> gradientsMatchCentralDifferences() throws IOException {
        return index().stream().map(e -> DynamicTest.dynamicTest(e.op() + " (" + e.className() + ")", () -> {
            Runnable check = CHECKS.get(e.op());
            if (check == null) fail(INDEX + ":" + e.line() + ": op " + e.op() + " has no gradcheck in DerivativeIndexTest.CHECKS");
            check.run();
        }));
    }

    // ------------------------------------------------------------------ the gradchecks, by op

    private static final Map<String, Runnable> CHECKS = new LinkedHashMap<>();

    private static void check(String op, java.util.function.Function<Tensor[], Tensor> f, Tensor... inputs) {
        if (CHECKS.put(op, () -> {
            GradCheck.Result r = GradCheck.assertGradients(f, inputs);
            assertTrue(r.checked() > 0, op + ": the gradcheck checked no element");
        }) != null) {
            throw new IllegalStateException("two gradchecks for " + op);
        }
    }

    /** Standard normal float64 values that require grad. */
    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Uniform float64 values in {@code [lo, hi)} that require grad. */
    private static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return Tensor.rand(new SplittableRandom(seed), lo, hi, DType.FLOAT64, shape).requiresGrad(true);
    }

    /** Uniform float64 constants (no gradient), e.g. weights. */
    private static Tensor constant(long seed, double lo, double hi, int... shape) {
        return Tensor.rand(new SplittableRandom(seed), lo, hi, DType.FLOAT64, shape);
    }

    static {
        // ops: arithmetic (with broadcasting: a row, a column)
        check("add", in -> Ops.add(Ops.add(in[0], in[1]), 0.5), randn(1, 2, 3), randn(2, 3));
        check("sub", in -> Ops.rsub(1.5, Ops.sub(in[0], in[1])), randn(3, 2, 3), randn(4, 2, 1));
        check("mul", in -> Ops.mul(Ops.mul(in[0], in[1]), 3.0), randn(5, 2, 3), randn(6, 2, 3));
        check("div", in -> Ops.div(in[0], in[1]), randn(7, 2, 3), uniform(8, 1, 2, 3));
        check("neg", in -> Ops.neg(in[0]), randn(9, 2, 3));
        check("pow", in -> Ops.pow(in[0], 2.5), uniform(10, 0.5, 2, 2, 3));
        // matrix products and shapes
        check("matmul", in -> Ops.matmul(in[0], in[1]), randn(11, 2, 3), randn(12, 3, 4));
        check("linear", in -> Ops.linear(in[0], in[1], in[2]), randn(13, 2, 3), randn(14, 4, 3), randn(15, 4));
        check("linear(vector)", in -> Ops.linear(in[0], in[1], in[2]), randn(211, 3), randn(212, 3), randn(213));
        check("bmm", in -> Ops.bmm(in[0], in[1]), randn(214, 2, 2, 3), randn(215, 2, 3, 2));
        check("transpose", in -> Ops.transpose(in[0]), randn(16, 2, 3, 4));
        check("reshape", in -> Ops.reshape(in[0], 3, -1), randn(17, 2, 3));
        check("cat", in -> Ops.cat(1, in[0], in[1]), randn(18, 2, 2), randn(19, 2, 3));
        check("gather", in -> Ops.gather(in[0], IntTensor.of(new int[]{0, 3, 3, 1, 0, 2}, 2, 3)), randn(20, 2, 4));
        check("indexSelect", in -> Ops.indexSelect(in[0], 0, IntTensor.of(2, 0, 2)), randn(21, 4, 3));
        check("permute", in -> Ops.add(Ops.permute(in[0], 2, 0, 1), Ops.transpose(Ops.transpose(in[0], 0, 1), -1, 0)), randn(101, 4, 2, 3));
        check("view", in -> Ops.view(in[0], -1, 2), randn(102, 2, 3, 2));
        check("flatten", in -> Ops.add(Ops.flatten(in[0], 1, 2), Ops.flatten(Ops.flatten(in[0]), 0, 0)), randn(103, 1, 2, 3));
        check("squeeze", in -> Ops.add(Ops.squeeze(in[0]), Ops.squeeze(in[0], 0)), randn(104, 1, 3));
        check("unsqueeze", in -> Ops.unsqueeze(in[0], -1), randn(105, 2, 3));
        check("expand", in -> Ops.mul(Ops.expand(in[0], 2, -1, 4), Ops.broadcastTo(in[1], 2, 3, 4)), randn(106, 3, 1), randn(107, 1, 4));
        check("slice", in -> Ops.cat(0, Ops.slice(in[0], 0, -4, 100, 2), Ops.narrow(in[0], 0, 1, 2), Ops.split(in[0], 2, 0)[1], Ops.chunk(in[0], 2, 0)[1]),
                randn(108, 5, 3));
        check("select", in -> Ops.select(in[0], 1, -1), randn(109, 2, 3, 2));
        check("stack", in -> Ops.stack(1, in[0], in[1]), randn(110, 2, 3), randn(111, 2, 3));
        check("flip", in -> Ops.flip(in[0], 0, -1), randn(112, 2, 3, 2));
        check("pad", in -> Ops.pad(in[0], new int[]{1, -1, 2, 0}, 0.5), randn(113, 2, 3));
        check("where", in -> Ops.where(Tensor.of(new double[]{1, 0, 0, 1, 1, 0}, 2, 3), in[0], in[1]), randn(114, 2, 3), randn(115, 3));
        check("maskedFill", in -> Ops.maskedFill(in[0], Tensor.of(new double[]{0, 1, 0}, 3), -2.0), randn(116, 2, 3));
        check("gather(dim)", in -> Ops.gather(in[0], 0, IntTensor.of(new int[]{1, 0, 1, 1, 1, 0}, 2, 3)), randn(117, 2, 3));
        check("scatterAdd", in -> Ops.scatterAdd(in[0], 1, IntTensor.of(new int[]{2, 2, 0, 1}, 2, 2), in[1]), randn(118, 2, 3), randn(119, 2, 2));
        check("embedding", in -> Ops.add(Ops.embedding(in[0], IntTensor.of(2, 0, 2)), Ops.embedding(in[0], IntTensor.of(1, 2, 1), -1)), randn(120, 4, 2)); // the padding row (3) gets no gradient by definition: not looked up here
        // reductions
        check("sum", in -> Ops.add(Ops.sum(in[0], 1, false), Ops.sum(in[0])), randn(22, 2, 3));
        check("max", in -> Ops.max(in[0]), randn(23, 2, 3));
        check("max(dim)", in -> Ops.max(in[0], 0, true), randn(24, 3, 4));
        check("sum(dims)", in -> Ops.mean(Ops.sum(in[0], new int[]{0, 2}, true), new int[]{-1, 0}, false), randn(101, 2, 3, 4));
        check("logSumExp(dims)", in -> Ops.logSumExp(in[0], new int[]{2, 0}, false), randn(102, 2, 3, 4));
        check("amax", in -> Ops.add(Ops.amax(in[0], new int[]{0, 2}, false), Ops.amin(in[0], new int[]{1}, false)), randn(103, 2, 3, 3));
        check("var", in -> Ops.var(in[0], new int[]{0, 2}, 1, true), randn(104, 2, 3, 4));
        check("std", in -> Ops.std(in[0], new int[]{-1}, false, false), randn(105, 2, 3, 4));
        check("norm", in -> Ops.add(Ops.norm(in[0], 2, new int[]{0, 2}, false), Ops.norm(in[0], 3, new int[]{0, 2}, false)), randn(106, 2, 3, 4));
        check("topk", in -> Ops.topk(in[0], 2, 1, true, true).values(), randn(107, 2, 4, 3));
        // element-wise
        check("exp", in -> Ops.exp(in[0]), randn(25, 2, 3));
        check("log", in -> Ops.log(in[0]), uniform(26, 0.5, 2, 2, 3));
        check("sqrt", in -> Ops.sqrt(in[0]), uniform(27, 0.5, 2, 2, 3));
        check("abs", in -> Ops.abs(in[0]), randn(28, 2, 3));
        check("sigmoid", in -> Ops.sigmoid(in[0]), Tensor.of(new double[]{-30, -2, -0.3, 0.4, 3, 30}, 2, 3).requiresGrad(true));
        check("tanh", in -> Ops.tanh(in[0]), randn(29, 2, 3));
        check("relu", in -> Ops.relu(in[0]), randn(30, 2, 3));
        check("gelu", in -> Ops.add(Ops.gelu(in[0]), Ops.gelu(in[0], "tanh")), Tensor.of(new double[]{-4, -1.2, -0.2, 0.3, 1.5, 6}, 2, 3).requiresGrad(true));
        // both sides of the threshold: beta·a > t returns a itself
        check("softplus", in -> Ops.add(Ops.softplus(in[0]), Ops.softplus(in[0], 2, 5)),
                Tensor.of(new double[]{-3, -0.4, 0.2, 1.3, 25, 40}, 2, 3).requiresGrad(true));
        check("clamp", in -> Ops.clamp(in[0], -0.5, 0.5), randn(31, 2, 3));
        check("leakyRelu", in -> Ops.add(Ops.leakyRelu(in[0]), Ops.leakyRelu(in[0], 0.3)), randn(101, 2, 3));
        check("elu", in -> Ops.add(Ops.elu(in[0]), Ops.elu(in[0], 1.7)), randn(102, 2, 3));
        check("silu", in -> Ops.silu(in[0]), Tensor.of(new double[]{-30, -2, -0.3, 0.4, 3, 30}, 2, 3).requiresGrad(true));
        check("hardtanh", in -> Ops.add(Ops.hardtanh(in[0]), Ops.hardtanh(in[0], -0.5, 0.3)),
                Tensor.of(new double[]{-1.6, -0.8, -0.2, 0.1, 0.6, 1.4}, 2, 3).requiresGrad(true));
        check("log1p", in -> Ops.log1p(in[0]), uniform(103, -0.5, 2, 2, 3));
        check("expm1", in -> Ops.expm1(in[0]), randn(104, 2, 3));
        check("rsqrt", in -> Ops.rsqrt(in[0]), uniform(105, 0.5, 2, 2, 3));
        check("maximum", in -> Ops.maximum(in[0], in[1]), randn(106, 2, 3), randn(107, 3, 1, 1));
        check("minimum", in -> Ops.minimum(in[0], in[1]), randn(108, 2, 3), randn(109, 3));
        // normalization (weight and bias gradients; batch norm through the batch statistics and in eval mode)
        check("layerNorm", in -> Ops.layerNorm(in[0], new int[]{3, 2}, in[1], in[2], 1e-5), randn(401, 2, 3, 2), randn(402, 3, 2), randn(403, 3, 2));
        check("groupNorm", in -> Ops.groupNorm(in[0], 2, in[1], in[2], 1e-5), randn(404, 2, 4, 3), randn(405, 4), randn(406, 4));
        Tensor runningMean = constant(407, -0.5, 0.5, 3), runningVar = constant(408, 0.5, 2, 3);
        check("batchNorm", in -> Ops.add(Ops.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                        Ops.batchNorm(in[0], runningMean, runningVar, in[1], in[2], false, 0.1, 1e-5)),
                randn(409, 4, 3, 2), randn(410, 3), randn(411, 3));
        check("rmsNorm", in -> Ops.rmsNorm(in[0], new int[]{4}, in[1], 1e-6), randn(412, 3, 4), randn(413, 4));

        // softmax family
        check("softmax", in -> Ops.softmax(in[0], 1), randn(32, 2, 4));
        check("logSoftmax", in -> Ops.logSoftmax(in[0], -1), randn(33, 2, 4));
        check("logSumExp", in -> Ops.logSumExp(in[0], 1, false), randn(34, 2, 4));
        // convolution and pooling
        int[] one = {1}, two = {2};
        check("conv2d", in -> Ops.add(Ops.conv2d(in[0], in[1], in[2], two, one, one, 1),
                        Ops.sum(Ops.conv2d(in[0], in[3], null, one, "same", new int[]{1, 2}, 2))),
                randn(120, 2, 2, 4, 5), randn(121, 3, 2, 2, 3), randn(122, 3), randn(123, 2, 1, 2, 2));
        check("conv1d", in -> Ops.conv1d(in[0], in[1], in[2], 2, 1, 2, 1), randn(124, 2, 2, 7), randn(125, 3, 2, 2), randn(126, 3));
        check("unfold", in -> Ops.unfold(in[0], new int[]{2, 3}, one, one, new int[]{2, 1}), randn(127, 1, 2, 4, 4));
        check("fold", in -> Ops.fold(in[0], new int[]{3, 4}, two, one, new int[]{0}, one), randn(128, 1, 8, 6));
        check("maxPool2d", in -> Ops.maxPool2d(in[0], new int[]{3}, two, one, one, true), randn(129, 1, 2, 5, 6));
        check("maxPool1d", in -> Ops.maxPool1d(in[0], 2, 1, 1, 2, false), randn(130, 2, 2, 6));
        check("avgPool2d", in -> Ops.add(Ops.avgPool2d(in[0], new int[]{3, 2}, two, one, true, false, null),
                Ops.sum(Ops.avgPool2d(in[0], two, one, one, false, true, 3))), randn(131, 1, 2, 5, 6));
        check("avgPool1d", in -> Ops.avgPool1d(in[0], 3, 2, 1, false, true), randn(132, 2, 2, 7));
        check("adaptiveAvgPool2d", in -> Ops.adaptiveAvgPool2d(in[0], 3, 4), randn(133, 1, 2, 5, 6));
        // attention (the causal fill, and a broadcast additive mask that gets a gradient)
        check("scaledDotProductAttention", in -> Ops.add(Ops.sum(Ops.scaledDotProductAttention(in[0], in[1], in[2], null, true, 0.7)),
                Ops.sum(Ops.scaledDotProductAttention(in[0], in[1], in[2], in[3], false))),
                randn(35, 2, 4, 3), randn(36, 2, 5, 3), randn(37, 5, 2), randn(38, 4, 5));

        // losses: element-wise (the target gradient too)
        Tensor w3 = constant(40, 0.5, 1.5, 3), pw3 = constant(41, 0.5, 2, 3);
        check("binaryCrossEntropy", in -> Losses.binaryCrossEntropy(in[0], in[1], w3, Reduction.MEAN),
                uniform(42, 0.1, 0.9, 2, 3), uniform(43, 0, 1, 2, 3));
        check("binaryCrossEntropyWithLogits", in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], w3, pw3, Reduction.SUM),
                randn(44, 2, 3), uniform(45, 0, 1, 2, 3));
        check("softMarginLoss", in -> Losses.softMarginLoss(in[0], in[1], Reduction.NONE),
                randn(46, 2, 3), Tensor.of(new double[]{1, -1, -1, 1, 1, -1}, 2, 3).requiresGrad(true));
        check("mseLoss", in -> Losses.mseLoss(in[0], in[1], Reduction.MEAN), randn(47, 2, 3), randn(48, 2, 3));
        check("klDiv", in -> Ops.add(Losses.klDiv(in[0], in[1], Reduction.BATCHMEAN, false), Losses.klDiv(in[0], in[1], Reduction.SUM, true)),
                randn(49, 2, 3), uniform(50, 0.1, 1, 2, 3));
        // losses: element-wise, part 2 (broadcast operands; weights as differentiable operands; ties avoided by the draws)
        check("l1Loss", in -> Losses.l1Loss(in[0], in[1], Reduction.MEAN), randn(61, 2, 3), randn(62, 3));
        check("smoothL1Loss", in -> Ops.add(Losses.smoothL1Loss(in[0], in[1], Reduction.SUM, 0.8), Losses.smoothL1Loss(in[0], in[1], Reduction.MEAN, 0.0)),
                Tensor.of(new double[]{-2, -0.45, 0.1, 0.35, 1.4, 3}, 2, 3).requiresGrad(true), uniform(63, 0.15, 0.3, 2, 1));
        check("huberLoss", in -> Losses.huberLoss(in[0], in[1], Reduction.NONE, 0.7),
                Tensor.of(new double[]{-2, -0.2, 0.1, 0.5, 1.4, 3}, 2, 3).requiresGrad(true), uniform(64, 0.15, 0.3, 3));
        check("marginRankingLoss", in -> Losses.marginRankingLoss(in[0], in[1], in[2], 0.3, Reduction.SUM),
                randn(65, 3, 4), randn(66, 1, 4), Tensor.of(new double[]{1, -1, 1}, 3, 1).requiresGrad(true));
        check("cosineEmbeddingLoss", in -> Losses.cosineEmbeddingLoss(in[0], in[1], Tensor.of(new double[]{1, -1, -1, 1}, 4), -0.9, Reduction.MEAN),
                randn(67, 4, 3), randn(68, 1, 3));
        check("poissonNllLoss", in -> Ops.add(Losses.poissonNllLoss(in[0], in[1], true, true, 1e-8, Reduction.SUM),
                        Losses.poissonNllLoss(Ops.exp(in[0]), in[1], false, false, 0.1, Reduction.MEAN)),
                randn(69, 2, 3), uniform(70, 0.2, 4, 3));
        check("gaussianNllLoss", in -> Losses.gaussianNllLoss(in[0], in[1], in[2], true, 1e-6, Reduction.MEAN),
                randn(71, 2, 3), randn(72, 2, 3), uniform(73, 0.3, 2, 2));
        // losses: classification (index targets with weights, an ignored row and smoothing; probability targets)
        Tensor w4 = constant(51, 0.5, 1.5, 4);
        IntTensor targets = IntTensor.of(1, -100, 3), allKept = IntTensor.of(2, 0, 3);
        CrossEntropyLoss viaNll = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.MAX_SHIFT).labelSmoothing(0.1).build();
        check("nllLoss", in -> Ops.add(Losses.nllLoss(in[0], targets, w4, -100, Reduction.MEAN), viaNll.apply(in[0], in[1])),
                randn(52, 3, 4), uniform(53, 0, 1, 3, 4));
        check("crossEntropy", in -> Ops.add(Ops.add(Losses.crossEntropy(in[0], targets, w4, -100, Reduction.MEAN, 0.1),
                        Losses.crossEntropy(in[0], allKept)),
                        Losses.crossEntropy(in[0], in[1], w4, Reduction.SUM, 0.05)),
                randn(54, 3, 4), uniform(55, 0, 1, 3, 4));
        check("entropy", in -> Losses.entropy(in[0], 2), uniform(56, 0.1, 1, 2, 3));
        check("crossEntropyBetween", in -> Losses.crossEntropyBetween(in[0], in[1]), uniform(57, 0.1, 1, 2, 3), uniform(58, 0.1, 1, 2, 3));
        Tensor w5 = constant(216, 0.5, 1.5, 5);
        IntTensor lceTargets = IntTensor.of(1, -100, 4);
        check("linearCrossEntropy", in -> Ops.add(Losses.linearCrossEntropy(in[0], in[1], in[2], lceTargets, w5, -100, Reduction.MEAN, 0.1),
                        Ops.sum(Losses.linearCrossEntropy(in[0], in[1], null, lceTargets, null, -100, Reduction.NONE, 0.0))),
                randn(217, 3, 4), randn(218, 5, 4), randn(219, 5));

        // layers: the same mask on every evaluation (the stream rewound)
        Dropout dropout = new Dropout(0.5, 59);
        check("dropout", in -> {
            dropout.restoreSeedState(0);
            return dropout.forward(in[0]);
        }, randn(60, 4, 5));
    }
}
