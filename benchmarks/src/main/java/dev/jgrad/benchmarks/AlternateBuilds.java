package dev.jgrad.benchmarks;

import java.lang.management.*;
import java.lang.reflect.*;
import java.net.*;
import java.util.*;
import java.util.function.DoubleSupplier;

/**
 * Before/after on a loaded machine: one {@link SideBySide} workload from several builds of the benchmarks jar, each
 * loaded by its own class loader into this one JVM, timed in alternation (sample after sample, the order rotated every
 * round) by the calling thread's CPU time per call. Run with {@code -Djgrad.threads=1} so that all work is on the timed
 * thread: {@code java --add-modules jdk.incubator.vector -Djgrad.threads=1 -cp benchmarks/target/benchmarks.jar
 * dev.jgrad.benchmarks.AlternateBuilds step_784-256-128-10_b128_f64 before.jar after.jar}. Each build is warmed for
 * 3 × 1.5 s of CPU, then {@code -Drounds} (15) samples of {@code -Dsample} (0.2) CPU seconds are taken; prints the
 * median, minimum and first quartile per build and, for two builds, the per-round ratio.
 */
public final class AlternateBuilds {
    static final ThreadMXBean T = ManagementFactory.getThreadMXBean();

    private AlternateBuilds() {
    }

    /**
     * Times the workload of each jar in alternation.
     *
     * @param a the workload name, then the jars
     * @throws Exception if a jar cannot be loaded
     */
    public static void main(String[] a) throws Exception {
        String name = a[0];
        int rounds = Integer.getInteger("rounds", 15);
        double sampleS = Double.parseDouble(System.getProperty("sample", "0.2"));
        int nj = a.length - 1;
        DoubleSupplier[] f = new DoubleSupplier[nj];
        for (int j = 0; j < nj; j++) {
            URLClassLoader cl = new URLClassLoader(new URL[]{new java.io.File(a[j + 1]).toURI().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> c = Class.forName("dev.jgrad.benchmarks.SideBySide", true, cl);
            Method m = c.getDeclaredMethod("workload", String.class);
            m.setAccessible(true);
            f[j] = (DoubleSupplier) m.invoke(null, name);
        }
        double sink = 0;
        for (int w = 0; w < 3; w++) for (int j = 0; j < nj; j++) { long end = T.getCurrentThreadCpuTime() + 1_500_000_000L; while (T.getCurrentThreadCpuTime() < end) sink += f[j].getAsDouble(); }
        double[][] ts = new double[nj][rounds];
        for (int r = 0; r < rounds; r++) for (int j0 = 0; j0 < nj; j0++) {
            int j = (j0 + r) % nj;
            long n = 0, t0 = T.getCurrentThreadCpuTime(), t1;
            do { sink += f[j].getAsDouble(); n++; t1 = T.getCurrentThreadCpuTime(); } while (t1 - t0 < sampleS * 1e9);
            ts[j][r] = (t1 - t0) / 1e3 / n;
        }
        for (int j = 0; j < nj; j++) {
            double[] s = ts[j].clone(); Arrays.sort(s);
            System.out.printf("%s %s median %.2f min %.2f q1 %.2f us%n", name, a[j + 1], s[rounds / 2], s[0], s[rounds / 4]);
        }
        if (nj == 2) { double[] q = new double[rounds]; for (int r = 0; r < rounds; r++) q[r] = ts[1][r] / ts[0][r]; Arrays.sort(q); System.out.printf("ratio 2nd/1st per round: median %.3f [%.3f .. %.3f]%n", q[rounds/2], q[0], q[rounds-1]); }
        if (Double.isNaN(sink)) System.out.println();
    }
}
