package dev.jgrad.ops.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The harness of the bad-input catalogues: each module's catalogue (a subclass, {@code XxxBadInputCatalogueTest})
 * {@linkplain #register() registers} cases that feed its public API the wrong thing, and this class turns them into
 * one dynamic test per case that checks
 * <ol>
 *   <li>the exception's exact type (never a stray NullPointerException, ArrayIndexOutOfBounds or ClassCast),</li>
 *   <li>that its message contains every listed substring (naming the op/loss/class and the offending argument),</li>
 *   <li>that no observable state changed: every watched object is snapshotted before and after the call and the
 *       snapshots must be equal.</li>
 * </ol>
 * The harness snapshots core types (tensors: data bits, grad, requiresGrad and graph link), arrays, files (bytes and
 * their directory's listing), collections and maps; a module adds snapshots of its own types (modules, optimizers,
 * data sets, scalers) by passing {@link Snapshotter}s to the constructor, so this class depends on core only.
 * The number of cases is printed in the summary line and in each dynamic test's name ({@code [k/N]}).
 */
public abstract class BadInputCatalogue {
    protected static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    protected static final Class<IllegalStateException> ISE = IllegalStateException.class;
    protected static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

    /** Where the cases write their files (a fresh directory per catalogue class). */
    @TempDir
    protected static Path dir;

    private static final AtomicInteger FILES = new AtomicInteger();

    // ================================================================== cases

    @FunctionalInterface
    public interface Action {
        void run() throws Throwable;
    }

    @FunctionalInterface
    public interface Arrange {
        Act arrange() throws Exception;
    }

    /** What to call, and everything whose state must survive the failed call. */
    public record Act(Action action, Object[] watched) {
    }

    public record Case(String api, String what, Class<? extends Throwable> type, List<String> message, Arrange arrange) {
        public String id() {
            return api + ": " + what;
        }
    }

    /** Snapshots a (nested) watched value with every kind the catalogue knows. */
    @FunctionalInterface
    public interface Snapshot {
        void snap(StringBuilder sb, Object o) throws IOException;
    }

    /**
     * A module's own kinds of watched object: appends the state of {@code o} and returns true if {@code o} is of such
     * a kind, else appends nothing and returns false. Nested values (a module's parameters, say) go to {@code nested}.
     */
    @FunctionalInterface
    public interface Snapshotter {
        boolean snap(StringBuilder sb, Object o, Snapshot nested) throws IOException;
    }

    private final List<Snapshotter> kinds;
    private final List<Case> cases = new ArrayList<>();

    /** @param kinds snapshots of the module's own types, asked in order before the generic ones */
    protected BadInputCatalogue(Snapshotter... kinds) {
        this.kinds = List.of(kinds);
    }

    /** Adds the module's cases with {@link #add}. */
    protected abstract void register();

    protected final void add(String api, String what, Class<? extends Throwable> type, List<String> message, Arrange arrange) {
        cases.add(new Case(api, what, type, message, arrange));
    }

    public static List<String> msg(String... parts) {
        return List.of(parts);
    }

    public static Act act(Action action, Object... watched) {
        return new Act(action, watched);
    }

    @TestFactory
    @DisplayName("bad-input catalogue: every case throws the right type with a clear message and changes nothing")
    public final Stream<DynamicTest> badInputCatalogue() {
        register();

        Set<String> ids = new HashSet<>();
        for (Case c : cases) assertTrue(ids.add(c.id()), "duplicate catalogue case: " + c.id());
        assertFalse(cases.isEmpty(), "no catalogue cases registered");
        Map<String, Long> byArea = cases.stream().collect(Collectors.groupingBy(c -> area(c.api()), TreeMap::new, Collectors.counting()));
        System.out.println(getClass().getSimpleName() + ": " + cases.size() + " distinct bad-input cases over "
                + cases.stream().map(Case::api).distinct().count() + " public APIs " + byArea);

        int n = cases.size();
        AtomicInteger k = new AtomicInteger();
        return cases.stream().map(c -> DynamicTest.dynamicTest("[" + k.incrementAndGet() + "/" + n + "] " + c.id(), () -> run(c)));
    }

    private static String area(String api) {
        int dot = api.indexOf('.');
        return dot < 0 ? api : api.substring(0, dot);
    }

    private void run(Case c) throws Exception {
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

    // ================================================================== snapshots

    private String snapshot(Object[] watched) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < watched.length; i++) {
            sb.append('#').append(i).append(' ');
            snap(sb, watched[i]);
            sb.append('\n');
        }
        return sb.toString();
    }

    private void snap(StringBuilder sb, Object o) throws IOException {
        if (o == null) {
            sb.append("null");
            return;
        }
        if (o instanceof Tensor t) {
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
            return;
        }
        for (Snapshotter kind : kinds) {
            if (kind.snap(sb, o, this::snap)) return;
        }
        if (o instanceof Path p) {
            sb.append("Path ").append(p.getFileName());
            if (Files.isRegularFile(p)) sb.append(" bytes=").append(Arrays.toString(Files.readAllBytes(p)));
            else sb.append(Files.exists(p) ? " (not a regular file)" : " (absent)");
            Path parent = p.toAbsolutePath().getParent();
            try (Stream<Path> s = Files.list(parent)) {
                sb.append(" dir=").append(s.map(q -> q.getFileName().toString()).sorted().collect(Collectors.toList()));
            }
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

    // ================================================================== fixtures shared by every module

    public static Tensor rnd(DType dt, int... shape) {
        return Tensor.rand(new SplittableRandom(17 + 31L * Arrays.hashCode(shape) + dt.ordinal()), -2, 2, dt, shape);
    }

    /** A leaf that requires grad and already holds a gradient (so an accidental accumulation would show). */
    public static Tensor leaf(DType dt, int... shape) {
        Tensor t = rnd(dt, shape).requiresGrad(true);
        t.setGrad(Tensor.rand(new SplittableRandom(99 + Arrays.hashCode(shape)), -1, 1, dt, shape));
        return t;
    }

    /** A fresh path in {@link #dir} (not created). */
    public static Path file(String name) {
        return dir.resolve(FILES.incrementAndGet() + "-" + name);
    }

    public static Path write(String name, byte[] content) throws IOException {
        Path f = file(name);
        Files.write(f, content);
        return f;
    }

    public static Path text(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }
}
