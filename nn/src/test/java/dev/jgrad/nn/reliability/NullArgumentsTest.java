package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.nn.Module;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reflective sweep of the public API of ops, losses and nn: every public static method of {@link Ops} and
 * {@link Losses}, and every public constructor and public method of the layers and optimizers, is called with
 * {@code null} in each reference parameter in turn (the other arguments plain defaults). A null may be accepted
 * (a parameter documented "or null"); if it is rejected, it must be an {@link IllegalArgumentException} whose
 * message names the parameter, never a {@link NullPointerException} or another exception.
 *
 * <p>The parameter names come from the class files ({@code -parameters}, set in the parent POM).
 */
class NullArgumentsTest {
    /**
     * Parameters documented as accepting null ({@code Class.method.param}, {@code *} for any method); a null there may
     * fail later on the other (dummy) arguments.
     */
    private static final Set<String> NULLABLE = Set.of("Ops.*.bias", "Losses.*.weight", "Losses.*.posWeight", "Ops.*.stride",
            "Ops.*.divisorOverride", "Ops.norm.dims", "Ops.batchNorm.runningMean", "Ops.batchNorm.runningVar",
            "Ops.batchNorm.weight", "Ops.batchNorm.bias", "Ops.*.attnMask", "MultiheadAttention.forward.attnMask",
            "MultiheadAttention.forward.keyPaddingMask", "BatchNorm1d.<init>.momentum", "BatchNorm2d.<init>.momentum",
            "RMSNorm.<init>.eps", "Ops.groupNorm.weight", "Ops.groupNorm.bias", "Ops.layerNorm.weight", "Ops.layerNorm.bias",
            "Ops.rmsNorm.weight", "Losses.linearCrossEntropy.bias", "Losses.linearCrossEntropy.classWeight");

    /** PyTorch's names for parameters, which messages use (as {@code F.cross_entropy(input, target)} does). */
    private static final Map<String, List<String>> ALIASES = Map.ofEntries(
            Map.entry("logits", List.of("input")), Map.entry("probs", List.of("input")), Map.entry("scores", List.of("input")),
            Map.entry("logProbs", List.of("input")), Map.entry("p", List.of("input")), Map.entry("y", List.of("input")),
            Map.entry("x", List.of("input")), Map.entry("input", List.of("x")), Map.entry("t", List.of("target")),
            Map.entry("q", List.of("query")), Map.entry("k", List.of("key")), Map.entry("v", List.of("value")),
            Map.entry("kernel", List.of("kernel_size")), Map.entry("a", List.of("input")), Map.entry("b", List.of("other")));

    @Test
    void opsAndLossesRejectNullsByName() {
        List<String> faults = new ArrayList<>();
        for (Class<?> c : List.of(Ops.class, Losses.class, Tensor.class, IntTensor.class))
            for (Method m : c.getMethods())
                if (Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == c) probe(m, null, faults);
        assertTrue(faults.isEmpty(), faults.size() + " null arguments not rejected by name:\n" + String.join("\n", faults));
    }

    @Test
    void layersAndOptimizersRejectNullsByName() throws Exception {
        List<String> faults = new ArrayList<>();
        int probed = 0;
        for (Class<?> c : publicClasses("dev/jgrad/nn/Linear.class", "dev.jgrad.nn")) {
            for (Constructor<?> k : c.getConstructors()) {
                probe(k, null, faults);
                probed++;
                Object instance = invokeQuietly(k, defaults(k, -1));
                if (instance == null) continue;
                for (Method m : c.getMethods())
                    if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class) probe(m, instance, faults);
            }
            for (Method m : c.getMethods())
                if (Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == c) probe(m, null, faults);
        }
        assertTrue(probed > 20, "found the layer constructors: " + probed);
        assertTrue(faults.isEmpty(), faults.size() + " null arguments not rejected by name:\n" + String.join("\n", faults));
    }

    @Test
    void optimizersRejectNullsByName() throws Exception {
        List<String> faults = new ArrayList<>();
        Tensor p = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
        for (Class<?> c : publicClasses("dev/jgrad/nn/optim/Sgd.class", "dev.jgrad.nn.optim")) {
            for (Method m : c.getMethods()) {
                if (!Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != c) continue;
                probe(m, null, faults);
                if (m.getName().equals("builder")) {
                    Object builder = invokeQuietly(m, defaults(m, -1));
                    if (builder == null) continue;
                    for (Method bm : builder.getClass().getMethods())
                        if (!Modifier.isStatic(bm.getModifiers()) && bm.getDeclaringClass() != Object.class) probe(bm, builder, faults);
                }
            }
            for (Constructor<?> k : c.getConstructors()) probe(k, null, faults);
        }
        var opt = dev.jgrad.nn.optim.Adam.builder().group(List.of(p)).build();
        for (Method m : dev.jgrad.nn.optim.Optimizer.class.getMethods())
            if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class) probe(m, opt, faults);
        assertTrue(faults.isEmpty(), faults.size() + " null arguments not rejected by name:\n" + String.join("\n", faults));
    }

    // ------------------------------------------------------------------ harness

    private static void probe(Executable e, Object target, List<String> faults) {
        Parameter[] ps = e.getParameters();
        for (int i = 0; i < ps.length; i++) {
            if (ps[i].getType().isPrimitive()) continue;
            if (e.getDeclaringClass().isEnum() && e.getName().equals("valueOf")) continue; // the JDK's, not ours
            Object[] args = defaults(e, i);
            if (args == null) continue; // a parameter type the sweep cannot build
            String name = ps[i].getName();
            assertTrue(ps[i].isNamePresent(), "compiled with -parameters: " + e);
            Throwable t = outcome(e, target, args);
            if (t == null) continue;
            String msg = String.valueOf(t.getMessage());
            boolean namesIt = names(msg, name) || names(msg, snake(name)) || msg.matches("(?s).*\\binput \\d+ is null.*")
                    || ALIASES.getOrDefault(name, List.of()).stream().anyMatch(alias -> names(msg, alias));
            String owner = e.getDeclaringClass().getSimpleName(), method = e instanceof Constructor ? "<init>" : e.getName();
            boolean nullable = NULLABLE.contains(owner + "." + method + "." + name) || NULLABLE.contains(owner + ".*." + name);
            if (t instanceof IllegalArgumentException && (namesIt || nullable)) continue;
            faults.add(e.getDeclaringClass().getSimpleName() + "." + (e instanceof Constructor ? "<init>" : e.getName())
                    + "(" + describe(ps) + ") null " + name + " -> " + t);
        }
    }

    private static boolean names(String msg, String word) {
        return msg.matches("(?s).*\\b" + java.util.regex.Pattern.quote(word) + "\\b.*");
    }

    /** {@code kernelSize} as PyTorch spells it in messages: {@code kernel_size}. */
    private static String snake(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(Parameter[] ps) {
        StringBuilder s = new StringBuilder();
        for (Parameter p : ps) s.append(s.length() == 0 ? "" : ", ").append(p.getType().getSimpleName()).append(' ').append(p.getName());
        return s.toString();
    }

    private static Throwable outcome(Executable e, Object target, Object[] args) {
        try {
            if (e instanceof Method m) m.invoke(target, args);
            else ((Constructor<?>) e).newInstance(args);
            return null;
        } catch (InvocationTargetException x) {
            return x.getCause();
        } catch (ReflectiveOperationException x) {
            throw new AssertionError(e + ": " + x, x);
        }
    }

    private static Object invokeQuietly(Executable e, Object[] args) {
        if (args == null) return null;
        try {
            return e instanceof Method m ? m.invoke(null, args) : ((Constructor<?>) e).newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException x) {
            return null;
        }
    }

    /** Default arguments with {@code null} at {@code nullAt}, or null if some parameter type cannot be built. */
    private static Object[] defaults(Executable e, int nullAt) {
        Class<?>[] types = e.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            if (i == nullAt) continue;
            Object v = types[i] == String.class ? stringSample(e.getParameters()[i].getName()) : sample(types[i]);
            if (v == null) return null;
            args[i] = v;
        }
        return args;
    }

    /** A valid value for a string option, so that a null elsewhere is what the call trips on. */
    private static String stringSample(String name) {
        return switch (name) {
            case "padding" -> "valid";
            case "paddingMode" -> "zeros";
            case "mode" -> "min";
            case "thresholdMode" -> "rel";
            case "approximate" -> "none";
            case "p" -> "fro";
            default -> "x";
        };
    }

    private static Object sample(Class<?> t) {
        if (t == int.class) return 2;
        if (t == long.class) return 2L;
        if (t == double.class) return 0.5;
        if (t == float.class) return 0.5f;
        if (t == boolean.class) return false;
        if (t == Tensor.class) return Tensor.ones(DType.FLOAT64, 2, 2);
        if (t == IntTensor.class) return IntTensor.of(0, 1);
        if (t == Tensor[].class) return new Tensor[] {Tensor.ones(DType.FLOAT64, 2, 2), Tensor.ones(DType.FLOAT64, 2, 2)};
        if (t == int[].class) return new int[] {2, 2};
        if (t == long[].class) return new long[] {1, 1};
        if (t == double[].class) return new double[] {1, 1, 1, 1};
        if (t == float[].class) return new float[] {1, 1, 1, 1};
        if (t == double[][].class) return new double[][] {{1, 1}, {1, 1}};
        if (t == String.class) return "x"; // (a valid string where one is needed: see stringSample)
        if (t == Double.class) return 0.1;
        if (t == Integer.class) return 1;
        if (t == List.class) return List.of(Tensor.ones(DType.FLOAT64, 2).requiresGrad(true));
        if (t == Map.class) return Map.of();
        if (t == Consumer.class) return (Consumer<Object>) x -> { };
        if (t == java.util.function.Function.class) return java.util.function.Function.identity();
        if (t == RandomGenerator.class) return new SplittableRandom(1);
        if (t == Module.class) return new dev.jgrad.nn.Flatten();
        if (t == Module[].class) return new Module[] {new dev.jgrad.nn.Flatten()};
        if (t.isEnum()) return t.getEnumConstants()[0];
        return null;
    }

    /** The public, non-abstract top-level classes of a package, found next to one of its class files. */
    private static List<Class<?>> publicClasses(String anchor, String pkg) throws URISyntaxException, java.io.IOException {
        Path dir = Path.of(NullArgumentsTest.class.getClassLoader().getResource(anchor).toURI()).getParent();
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".class") || n.contains("$") || n.equals("package-info.class")) continue;
                try {
                    Class<?> c = Class.forName(pkg + "." + n.substring(0, n.length() - 6));
                    if (Modifier.isPublic(c.getModifiers())) out.add(c);
                } catch (ClassNotFoundException x) {
                    throw new AssertionError(x);
                }
            }
        }
        return out;
    }
}
