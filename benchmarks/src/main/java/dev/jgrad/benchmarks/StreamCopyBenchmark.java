package dev.jgrad.benchmarks;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * STREAM-"copy"-style memory-bandwidth baseline: {@code dst[i] = src[i]} over two float arrays far
 * larger than any cache (64 MiB each by default).
 *
 * <p><b>Bytes moved per operation</b> follow the STREAM convention: every element is read once and
 * written once, so one operation moves {@link #BYTES_MOVED_PER_ELEMENT} {@code × floats} bytes
 * (134,217,728 bytes = 128 MiB for the default 64 MiB arrays; write-allocate traffic is not
 * counted). The report turns this into GB/s (10<sup>9</sup> bytes per second) through the
 * {@code bandwidth} line for this class in {@code report-definitions.txt}
 * ({@code 8*floats}); keep the two in sync if the accounting here changes.
 *
 * <p>The resulting figure is the machine's practical bound for a memory-bound kernel such as the
 * fused loss: a pass that streams {@code B} bytes cannot take less than {@code B / bandwidth}.
 *
 * <p>The two-thread variants split the array into two halves copied concurrently by a fixed pool
 * of two threads created in {@link #setup()}; the benchmark thread only submits and waits.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamCopyBenchmark {

    /** Bytes counted per copied element: one 4-byte read plus one 4-byte write. */
    public static final int BYTES_MOVED_PER_ELEMENT = 2 * Float.BYTES;

    /** Number of threads used by the {@code *2Threads} variants. */
    public static final int PARALLEL_THREADS = 2;

    /** Array length in floats; 16777216 floats = 64 MiB per array. */
    @Param({"16777216"})
    public int floats;

    private float[] src;
    private float[] dst;
    private ExecutorService pool;
    private List<Callable<Void>> arraycopyTasks;
    private List<Callable<Void>> loopTasks;

    /**
     * Bytes one operation moves for an array of {@code floats} elements.
     *
     * @param floats array length
     * @return {@code BYTES_MOVED_PER_ELEMENT * floats}
     */
    public static long bytesMovedPerOp(int floats) {
        return (long) BYTES_MOVED_PER_ELEMENT * floats;
    }

    /** Allocates and fills the arrays, creates the two-thread pool and its (reused) tasks. */
    @Setup(Level.Trial)
    public void setup() {
        if (floats <= 0) {
            throw new IllegalArgumentException("floats must be positive, got " + floats);
        }
        src = new float[floats];
        dst = new float[floats];
        for (int i = 0; i < floats; i++) {
            src[i] = (i & 1023) * 0.5f;
            dst[i] = -1f; // touch every page of dst too, so no first-touch faults are timed
        }

        AtomicInteger counter = new AtomicInteger();
        pool = Executors.newFixedThreadPool(PARALLEL_THREADS, runnable -> {
            Thread t = new Thread(runnable, "stream-copy-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });

        int half = floats / 2;
        arraycopyTasks = List.of(
                () -> { System.arraycopy(src, 0, dst, 0, half); return null; },
                () -> { System.arraycopy(src, half, dst, half, floats - half); return null; });
        loopTasks = List.of(
                () -> { copyLoop(src, dst, 0, half); return null; },
                () -> { copyLoop(src, dst, half, floats); return null; });
    }

    /**
     * Stops the pool.
     *
     * @throws InterruptedException if interrupted while waiting for the pool threads to end
     */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("stream-copy pool did not terminate");
        }
    }

    /**
     * Plain element-by-element copy of {@code src[from, to)} into {@code dst[from, to)}.
     *
     * @param src source array
     * @param dst destination array
     * @param from first index, inclusive
     * @param to last index, exclusive
     */
    static void copyLoop(float[] src, float[] dst, int from, int to) {
        for (int i = from; i < to; i++) {
            dst[i] = src[i];
        }
    }

    /** Single-threaded {@link System#arraycopy}. */
    @Benchmark
    public float[] arraycopy() {
        System.arraycopy(src, 0, dst, 0, floats);
        return dst;
    }

    /** Single-threaded plain loop. */
    @Benchmark
    public float[] loop() {
        copyLoop(src, dst, 0, floats);
        return dst;
    }

    /**
     * Two halves copied concurrently with {@link System#arraycopy}.
     *
     * @return the destination array
     * @throws Exception if a copy task failed or the wait was interrupted
     */
    @Benchmark
    public float[] arraycopy2Threads() throws Exception {
        runAll(arraycopyTasks);
        return dst;
    }

    /**
     * Two halves copied concurrently with the plain loop.
     *
     * @return the destination array
     * @throws Exception if a copy task failed or the wait was interrupted
     */
    @Benchmark
    public float[] loop2Threads() throws Exception {
        runAll(loopTasks);
        return dst;
    }

    private void runAll(List<Callable<Void>> tasks) throws InterruptedException, ExecutionException {
        for (Future<Void> f : pool.invokeAll(tasks)) {
            f.get(); // rethrows a task's failure
        }
    }
}
