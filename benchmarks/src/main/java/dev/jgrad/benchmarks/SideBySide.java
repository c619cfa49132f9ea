package dev.jgrad.benchmarks;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * The jgrad side of {@code shared/bench/side_by_side.py} and {@code benchmarks/pytorch/infer_sweep.py}, timed the
 * same way (2 s warm-up ({@link #WARM_S}), 7 samples of at least 0.25 s, median microseconds per call), so the two can be alternated
 * in one sitting. Workloads, on the 784-256-128-10 MLP of {@link InferenceBenchmark}:
 * {@code infer_784-256-128-10_b<N>} (the no-grad forward at batch N), {@code inferws_784-256-128-10_b<N>} (the same in
 * a graph-reusing workspace, jgrad only) and {@code step_784-256-128-10_b<N>} (the SGD
 * momentum step in a graph-reusing workspace); a {@code _f64} suffix selects float64; and the workloads of
 * {@code shared/bench/side_by_side.py} under its names ({@link #SHARED}). {@code benchmarks/side-by-side.sh}
 * alternates the two sides in one sitting and prints the ratios.
 * Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.jgrad.benchmarks.SideBySide infer_784-256-128-10_b1 ...}.
 *
 * <p>On a loaded machine add {@code -Djgrad.bench.clock=cpu -Djgrad.threads=1}: the samples are then the calling
 * thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}) with all work on that thread, the counterpart of
 * {@code CLOCK=cpu TORCH_THREADS=1 infer_sweep.py} ({@code time.thread_time()}); other processes then inflate the figure
 * only through the caches they share, not through the time slices they take.
 */
public final class SideBySide {
    static final double MIN_S = 0.25;
    /**
     * Seconds of warm-up before the samples: {@code -Djgrad.bench.warmup=S}, default 2 (PyTorch's script's figure);
     * {@code benchmarks/side-by-side.sh} gives the JVM 10, since C2 may compile a kernel's loops only after several
     * seconds (2–4 s for the float64 MLP step, whose two threads compete with the compiler threads for the 2 cores) (a steady-state comparison; start-up is measured separately, as time to result).
     */
    static final double WARM_S = Double.parseDouble(System.getProperty("jgrad.bench.warmup", "2"));
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
        DoubleSupplier shared = sharedWorkload(name);
        if (shared != null) return shared;
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

    /** The names of {@code shared/bench/side_by_side.py}'s workloads, in its order. */
    static final List<String> SHARED = List.of("mlp_tiny_64-128-64-10_b32_adam", "mlp_mnist_784-256-128-10_b128_sgd",
            "mlp_wide_784-1024-1024-10_b256_sgd", "mlp_mnist_f64_784-256-128-10_b128_sgd", "infer_784-256-128-10_b1",
            "ce_1024x1000_f32", "ce_256x32000_f32", "ce_1024x1000_f64");

    /**
     * The workloads of {@code shared/bench/side_by_side.py} under its names (null for another name): MLP training steps
     * (cross-entropy, learning rate 0 as there, in a graph-reusing workspace as {@code Trainer} steps), the batch-1
     * forward without grad, and the fused cross-entropy forward + backward of standard-normal logits.
     */
    static DoubleSupplier sharedWorkload(String name) {
        return switch (name) {
            case "mlp_tiny_64-128-64-10_b32_adam" -> mlpStep(64, new int[]{128, 64}, 32, true, DType.FLOAT32);
            case "mlp_mnist_784-256-128-10_b128_sgd" -> mlpStep(784, new int[]{256, 128}, 128, false, DType.FLOAT32);
            case "mlp_wide_784-1024-1024-10_b256_sgd" -> mlpStep(784, new int[]{1024, 1024}, 256, false, DType.FLOAT32);
            case "mlp_mnist_f64_784-256-128-10_b128_sgd" -> mlpStep(784, new int[]{256, 128}, 128, false, DType.FLOAT64);
            case "ce_1024x1000_f32" -> crossEntropy("1024x1000", "float32");
            case "ce_256x32000_f32" -> crossEntropy("256x32000", "float32");
            case "ce_1024x1000_f64" -> crossEntropy("1024x1000", "float64");
            default -> null;
        };
    }

    private static DoubleSupplier mlpStep(int in, int[] hidden, int batch, boolean adam, DType dt) {
        Sequential net = Mlp.builder(in, MlpStepBenchmark.CLASSES).hidden(hidden).activation(Activation.Kind.RELU)
                .dtype(dt).seed(MlpStepBenchmark.SEED).build();
        Optimizer opt = adam ? new Adam(net.parameters(), 0.0) : new Sgd(net.parameters(), 0.0, MlpStepBenchmark.MOMENTUM, 0, false, 0);
        CrossEntropyLoss ce = CrossEntropyLoss.builder().strategy(SoftmaxCrossEntropy.FUSED).build();
        SplittableRandom rng = new SplittableRandom(MlpStepBenchmark.SEED);
        Tensor x = Tensor.randn(rng, dt, batch, in);
        IntTensor y = BenchmarkSupport.randomTargets(rng, batch, MlpStepBenchmark.CLASSES);
        Workspace ws = Workspace.reusingGraph();
        return () -> MlpStepBenchmark.stepIn(ws, net, opt, ce, x, y);
    }

    private static DoubleSupplier crossEntropy(String shape, String dtype) {
        CrossEntropyBenchmark b = new CrossEntropyBenchmark();
        b.strategy = "FUSED";
        b.shape = shape;
        b.dtype = dtype;
        b.setup();
        return () -> b.forwardBackward().get(0);
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
