package dev.jgrad.benchmarks.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where and when the benchmarks ran, for the report header.
 *
 * @param commit short git commit, or {@code "unknown"}
 * @param date timestamp text (UTC, ISO-8601)
 * @param cpuModel CPU model name, or {@code "unknown"}
 * @param cores logical cores available to the JVM
 * @param os operating system name, version and architecture
 * @param loadAverage free-text 1/5/15-minute load averages, e.g. as recorded by {@code run.sh} before
 *     and after the JMH run; a value well above the benchmarks' own thread count means other work
 *     competed with the run
 * @param reportJvm JVM that ran the report (used when the JMH JSON names no JVM)
 * @param jmhArgs the JMH command-line arguments used, or an empty string if not known
 */
public record Environment(String commit, String date, String cpuModel, int cores, String os,
                          String loadAverage, String reportJvm, String jmhArgs) {

    /**
     * Detects the environment of the current process.
     *
     * @param commitOverride commit to use instead of asking git (null to ask git)
     * @param jmhArgs the JMH arguments to record (null for none)
     * @return the environment
     */
    public static Environment detect(String commitOverride, String jmhArgs) {
        return detect(commitOverride, jmhArgs, null);
    }

    /**
     * Detects the environment of the current process.
     *
     * @param commitOverride commit to use instead of asking git (null to ask git)
     * @param jmhArgs the JMH arguments to record (null for none)
     * @param load load-average text recorded around the run (null: read {@code /proc/loadavg} now)
     * @return the environment
     */
    public static Environment detect(String commitOverride, String jmhArgs, String load) {
        String commit = (commitOverride == null || commitOverride.isBlank()) ? gitCommit() : commitOverride.trim();
        String date = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " (" + System.getProperty("os.arch") + ")";
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + " (JDK " + System.getProperty("java.version") + ")";
        return new Environment(commit, date, cpuModel(Path.of("/proc/cpuinfo")),
                Runtime.getRuntime().availableProcessors(), os,
                (load == null || load.isBlank())
                        ? loadAverage(Path.of("/proc/loadavg")) + " (when the report was written)" : load.trim(),
                jvm,
                jmhArgs == null ? "" : jmhArgs.trim());
    }

    /**
     * Short commit of the git work tree containing the current directory.
     *
     * @return {@code git rev-parse --short HEAD}, or {@code "unknown"} if git is unavailable or fails
     */
    public static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                out = buf.toString(StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            return (p.exitValue() == 0 && !out.isEmpty()) ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * CPU model from a Linux {@code /proc/cpuinfo}-style file: the first {@code model name}
     * (x86) or, failing that, {@code Hardware}/{@code Processor}/{@code cpu model} line.
     *
     * @param cpuinfo path of the file
     * @return the model, or {@code "unknown"}
     */
    public static String cpuModel(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        for (String key : List.of("model name", "Hardware", "Processor", "cpu model")) {
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    String value = line.substring(colon + 1).trim();
                    if (!value.isEmpty()) {
                        return value;
                    }
                }
            }
        }
        return "unknown";
    }

    /**
     * The three load averages from a Linux {@code /proc/loadavg}-style file.
     *
     * @param loadavg path of the file
     * @return e.g. {@code "0.52 0.61 0.40"}, or {@code "unknown"}
     */
    public static String loadAverage(Path loadavg) {
        try {
            String[] f = Files.readString(loadavg, StandardCharsets.UTF_8).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
