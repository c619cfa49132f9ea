package dev.jgrad.benchmarks.report;

import java.util.List;

/**
 * The JMH run settings recorded with one benchmark result in the JMH JSON output.
 *
 * @param jmhVersion JMH version
 * @param forks number of forks
 * @param threads benchmark threads
 * @param warmupIterations warmup iterations per fork
 * @param warmupTime warmup iteration time as JMH prints it (e.g. {@code "1 s"})
 * @param measurementIterations measurement iterations per fork
 * @param measurementTime measurement iteration time as JMH prints it
 * @param jvmArgs the forked JVM's arguments
 * @param vmName JVM name (e.g. {@code OpenJDK 64-Bit Server VM})
 * @param vmVersion JVM version string
 * @param jdkVersion JDK version
 */
public record RunSettings(
        String jmhVersion,
        int forks,
        int threads,
        int warmupIterations,
        String warmupTime,
        int measurementIterations,
        String measurementTime,
        List<String> jvmArgs,
        String vmName,
        String vmVersion,
        String jdkVersion) {

    /** Defensive copy of the argument list. */
    public RunSettings {
        jvmArgs = List.copyOf(jvmArgs);
    }

    /**
     * One-line description of the iteration settings, e.g.
     * {@code forks 1, warmup 3 × 1 s, measurement 5 × 1 s, threads 1}.
     *
     * @return the description (JVM arguments are appended when there are any)
     */
    public String describe() {
        String s = "forks " + forks
                + ", warmup " + warmupIterations + " × " + warmupTime
                + ", measurement " + measurementIterations + " × " + measurementTime
                + ", threads " + threads;
        if (!jvmArgs.isEmpty()) {
            s += ", JVM args `" + String.join(" ", jvmArgs) + "`";
        }
        return s;
    }

    /**
     * JVM description, e.g. {@code OpenJDK 64-Bit Server VM 17.0.15+6 (JDK 17.0.15)}.
     *
     * @return the description
     */
    public String describeJvm() {
        return vmName + " " + vmVersion + " (JDK " + jdkVersion + ")";
    }
}
