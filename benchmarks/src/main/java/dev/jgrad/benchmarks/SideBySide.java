package dev.jgrad.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The jgrad side of {@code shared/bench/side_by_side.py} and {@code benchmarks/pytorch/infer_sweep.py}, timed the
 * same way (2 s warm-up, 7 samples of at least 0.25 s, median microseconds per call), so the two can be alternated
 * in one sitting. Workloads, on the 784-256-128-10 MLP of {@link InferenceBenchmark}:
 * {@code infer_784-256-128-10_b<N>} (the no-grad forward at batch N), {@code inferws_784-256-128-10_b<N>} (the same in
 * a graph-reusing workspace, jgrad only) and {@code step_784-256-128-10_b<N>} (the SGD
 * momentum step in a graph-reusing workspace); a {@code _f64} suffix selects float64.
 * Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.jgrad.benchmarks.SideBySide infer_784-256-128-10_b1 ...}.
 *
 * <p>On a loaded machine add {@code -Djgrad.bench.clock=cpu -Djgrad.threads=1}: the samples are then the calling
 * thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}) with all work on that thread, the counterpart of
 * {@code CLOCK=cpu TORCH_THREADS=1 infer_sweep.py} ({@code time.thread_time()}); other processes then inflate the figure
 * only through the caches they share, not through the time slices they take.
 */
public final class SideBySide {
    static final double MIN_S = 0.25, WARM_S = 2.0;
    static final int SAMPLES = 7;
    /** Thread CPU time instead of wall time ({@code -Djgrad.bench.clock=cpu}). */
    static final boolean CPU = "cpu".equals(System.getProperty("jgrad.bench.clock"));
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SideBySide() {
    }

    /**
     * Times each named workload and prints {@code name median-µs}.
     *
     * @param args workload names
     */
    public static void main(String[] args) {
        for (String name : args) System.out.printf("%s %.2f%n", name, median(workload(name)));
    }

    /** The call of a workload name. */
    static DoubleSupplier workload(String name) {
        String[] parts = name.split("_");
        if (parts.length < 3 || !parts[1].equals("784-256-128-10") || !parts[2].startsWith("b")) {
            throw new IllegalArgumentException("unknown workload " + name + " (expected infer|inferws|step_784-256-128-10_b<N>[_f64])");
        }
        InferenceBenchmark b = new InferenceBenchmark();
        b.batch = Integer.parseInt(parts[2].substring(1));
        b.dtype = Arrays.asList(parts).contains("f64") ? "FLOAT64" : "FLOAT32";
        b.setup();
        return switch (parts[0]) {
            case "infer" -> () -> b.forwardNoGrad().get(0);
            case "inferws" -> b::forwardNoGradReusing;
            case "step" -> b::step;
            default -> throw new IllegalArgumentException("unknown workload kind " + parts[0] + " in " + name);
        };
    }

    /** Nanoseconds now on the chosen clock: wall ({@link System#nanoTime()}) or this thread's CPU time. */
    static long now() {
        return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** The median over {@link #SAMPLES} samples of microseconds per call, after {@link #WARM_S} s of warm-up. */
    static double median(DoubleSupplier f) {
        double sink = 0;
        long end = now() + (long) (WARM_S * 1e9);
        while (now() < end) sink += f.getAsDouble();
        List<Double> ts = new ArrayList<>();
        for (int s = 0; s < SAMPLES; s++) {
            long n = 0, t0 = now(), t1;
            do {
                sink += f.getAsDouble();
                n++;
                t1 = now();
            } while (t1 - t0 < MIN_S * 1e9);
            ts.add((t1 - t0) / 1e3 / n);
        }
        if (Double.isNaN(sink)) System.out.print("");
        ts.sort(null);
        return ts.get(SAMPLES / 2);
    }
}
