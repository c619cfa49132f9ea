package dev.jgrad.core.kernel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel over index ranges that a large call spreads over the kernel thread pool (the one the GEMM uses): the
 * public parallel-ranges helper for kernels that live outside this package (optimizer updates, the fused
 * cross-entropy rows).
 *
 * <p>A subclass keeps the call's arguments in fields, set before {@link #runRows} or {@link #runElements}, and does
 * the work of one range in {@link #range}; ranges are disjoint, cover the call exactly once and may run concurrently.
 * An instance is reused from call to call (one per calling thread, or per owner that is used from one thread at a
 * time), so a call allocates nothing — a capturing lambda per call would. Results must not depend on how the call is
 * split.
 *
 * <p><b>When a call goes parallel.</b> Small calls run on the calling thread. From {@link #PARALLEL_ELEMENTS_AWAKE}
 * elements of work a call is split when a pool worker is awake (handing it a part costs a few µs); from
 * {@link #PARALLEL_ELEMENTS_COLD} it is split regardless, waking a parked worker (tens of µs). The thresholds were set
 * for kernels of about 0.3 ns per element on one core of the 2-core Zen 4 VM they were measured on. The parts claim
 * chunks of about {@link #CHUNK_ELEMENTS} elements (about 10 µs of work) from a shared counter until none is left, so a
 * thread that the OS has descheduled does not hold up the call: the others take its share.
 */
public abstract class ParallelRanges {
    /** Calls with at least this many elements of work are split over the pool when a worker is awake. */
    public static final long PARALLEL_ELEMENTS_AWAKE = 1L << 16;
    /** Calls with at least this many elements of work are split over the pool, waking a worker if needed. */
    public static final long PARALLEL_ELEMENTS_COLD = 1L << 18;
    /** Elements of work per claimed chunk. */
    public static final int CHUNK_ELEMENTS = 1 << 15;
    /**
     * {@link #runElements} splits {@code [0, n)} at multiples of this many elements (a multiple of every vector length,
     * so every range but the last is whole vectors).
     */
    public static final int ELEMENT_BLOCK = 1024;

    private final AtomicInteger next = new AtomicInteger();
    /** The parts as the pool runs them; one object per instance, made once. */
    private final GemmPool.Parts parts = this::part;
    /** Indices per unit of the split (rows: 1; elements: {@link #ELEMENT_BLOCK}) and the end of the index range. */
    private int block, end;
    private int units, chunkUnits, chunks;

    /** For subclasses. */
    protected ParallelRanges() {
    }

    /** The kernel over indices {@code [from, to)} (rows for {@link #runRows}, elements for {@link #runElements}). */
    protected abstract void range(int from, int to);

    /**
     * Drops the call's references (arrays, storages), so that an instance kept between calls pins nothing; called
     * before {@link #runRows} and {@link #runElements} return (also when the kernel threw).
     */
    protected abstract void clear();

    /**
     * Runs {@link #range} over {@code [0, rows)}, each row being {@code cols} elements of work, on up to {@code threads}
     * threads (the calling thread included; {@code 1}: never leaves it), then {@link #clear}s. Ranges are whole rows.
     */
    public final void runRows(int rows, int cols, int threads) {
        run(rows, 1, rows, cols, threads);
    }

    /**
     * Runs {@link #range} over the elements {@code [0, n)} on up to {@code threads} threads, split at multiples of
     * {@link #ELEMENT_BLOCK}, then {@link #clear}s.
     */
    public final void runElements(int n, int threads) {
        run((n + ELEMENT_BLOCK - 1) / ELEMENT_BLOCK, ELEMENT_BLOCK, n, ELEMENT_BLOCK, threads);
    }

    /** How many threads a call of {@code rows} rows of {@code cols} elements uses, given up to {@code threads}. */
    public static int parts(int rows, int cols, int threads) {
        long elements = (long) rows * cols;
        if (threads < 2 || rows < 2) return 1;
        if (elements >= PARALLEL_ELEMENTS_COLD || elements >= PARALLEL_ELEMENTS_AWAKE && GemmPool.workerAwake()) {
            return Math.min(threads, rows);
        }
        return 1;
    }

    /** {@code units} units of {@code block} indices each (the last one ending at {@code end}), {@code unitCost} elements of work per unit. */
    private void run(int units, int block, int end, int unitCost, int threads) {
        try {
            int p = parts(units, unitCost, threads);
            if (p == 1) {
                range(0, end);
                return;
            }
            this.block = block;
            this.end = end;
            this.units = units;
            chunkUnits = (int) Math.max(1, Math.min(units / (2L * p), CHUNK_ELEMENTS / Math.max(1, unitCost)));
            chunks = (units + chunkUnits - 1) / chunkUnits;
            next.set(0);
            GemmPool.run(parts, p);
        } finally {
            clear();
        }
    }

    /** One part: claims chunks of units until none is left. */
    private void part(int part) {
        for (int c; (c = next.getAndIncrement()) < chunks; ) {
            int from = c * chunkUnits, to = Math.min(units, from + chunkUnits);
            range(from * block, (int) Math.min(end, (long) to * block));
        }
    }
}
