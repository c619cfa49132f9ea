package dev.jgrad.ops.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads untrusted files in a child JVM with a small heap, for the bounded-memory tests of the loaders (data files,
 * safetensors headers): {@link #run} starts {@code java -Xmx<heap>} on this class's {@link #main}, which creates the
 * given {@link Loader} and calls it once per {@code KIND=FILE} argument, printing one line per file,
 * {@code KIND NAME -> OK} or {@code KIND NAME -> <simple name of what was thrown>: <message>}. An
 * {@link OutOfMemoryError} is caught and printed like any other failure, so a test can tell it apart from a clean
 * rejection.
 */
public final class SmallHeapProbe {
    /** Loads one file of one kind; implementations need a public no-argument constructor. */
    public interface Loader {
        /** Loads {@code file} as {@code kind}, throwing what the loader throws. */
        void load(String kind, Path file) throws Exception;
    }

    private SmallHeapProbe() {
    }

    /**
     * Runs {@code loader} over {@code args} ({@code KIND=FILE}) in a JVM with {@code -Xmx<heap>} and the test class
     * path; returns its output lines (one per argument), failing if it does not exit normally within 5 minutes.
     */
    public static List<String> run(Class<? extends Loader> loader, String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                SmallHeapProbe.class.getName(), loader.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("probe timed out");
        }
        if (p.exitValue() != 0) throw new AssertionError("probe exited with " + p.exitValue() + ":\n" + text);
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) lines.add(l);
        }
        return lines;
    }

    /** {@code args[0]}: the {@link Loader} class; then {@code KIND=FILE} arguments. */
    public static void main(String[] args) throws Exception {
        Loader loader = (Loader) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String kind = args[i].substring(0, eq);
            Path file = Path.of(args[i].substring(eq + 1));
            String result;
            try {
                loader.load(kind, file);
                result = "OK";
            } catch (Throwable t) {
                result = t.getClass().getSimpleName() + ": " + t.getMessage();
                if (System.getenv("PROBE_TRACE") != null) t.printStackTrace();
            }
            System.out.println(kind + " " + file.getFileName() + " -> " + result);
            System.out.flush();
        }
    }
}
