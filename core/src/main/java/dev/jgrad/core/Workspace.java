package dev.jgrad.core;

import java.util.ArrayList;

/**
 * Buffer reuse for steps whose graph has the same shape every time: once warm, a training step allocates no arrays
 * ({@code new Workspace()}) or nothing at all ({@link #reusingGraph()}).
 *
 * <p>While a workspace is {@linkplain #open() open} on a thread, ops take the arrays for their results and gradients
 * ({@link Tensor#scratch}) from the workspace's pools instead of the heap; {@link #close()} returns every array handed
 * out since {@code open()} to the pools, so the next step with the same shapes gets the same arrays back. Parameter
 * gradients are the exception that makes optimisers work: a gradient a leaf keeps ({@link Tensor#grad()}) leaves the
 * scope with the leaf, and goes back to the pool when {@link Tensor#zeroGrad()} clears it.
 * <pre>{@code
 * Workspace ws = new Workspace();
 * for (Batch b : batches) {
 *     try (Workspace w = ws.open()) {
 *         optimizer.zeroGrad();
 *         Tensor loss = lossFn.apply(model.forward(b.x()), b.y());
 *         loss.backward();
 *         optimizer.step();
 *         total += loss.item();              // read results before the scope closes
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifetime rule.</b> A tensor computed by an op inside the scope is valid until the scope closes. Afterwards its
 * array may hold another step's data, so in a plain workspace every read or use of such a tensor throws
 * {@link IllegalStateException} ("buffer recycled") rather than return wrong numbers (a {@linkplain #reusingGraph()
 * graph-reusing} one may hand the same tensor object out again, live); {@link Tensor#copy()} inside the scope keeps a value (copies
 * and every factory such as {@link Tensor#zeros} always use the heap). A parameter gradient cleared by
 * {@code zeroGrad()} is likewise recycled, so a reference to the old {@code grad()} tensor becomes unusable.
 *
 * <p><b>What a warm step still allocates.</b> A pooled array comes back with the shape array and the EJML matrix of
 * the last tensor over it, so those are not made again either; what remains per op is small: the {@link Function}
 * node and its result's {@link Tensor} object. A plain workspace never recycles those, so that a reference kept from
 * an earlier step keeps throwing (it could not if the same object were handed out again as a live tensor). A
 * {@linkplain #reusingGraph() graph-reusing} workspace recycles them as well, and a warm step allocates nothing at all.
 *
 * <p>A workspace belongs to one thread at a time and scopes do not nest (one open workspace per thread). Pools are
 * keyed by dtype and length and only grow to the largest number of same-sized buffers one step needed.
 */
public final class Workspace implements AutoCloseable {
    private static final ThreadLocal<Workspace> ACTIVE = new ThreadLocal<>();

    /** Free buffers of one dtype and length. */
    private static final class Pool {
        final DType dtype;
        final int length;
        Storage[] free = new Storage[4];
        int size;

        Pool(DType dtype, int length) {
            this.dtype = dtype;
            this.length = length;
        }

        void push(Storage s) {
            if (size == free.length) free = java.util.Arrays.copyOf(free, size * 2);
            free[size++] = s;
        }
    }

    private final ArrayList<Pool> pools = new ArrayList<>();
    private final ArrayList<Storage> leased = new ArrayList<>();
    /** {@link #reusingGraph()}: tensor objects, graph nodes and their arrays are recycled too. */
    private final boolean reuseGraph;
    /** Objects handed to the current scope by {@link #track} (graph nodes, op state), recycled on close. */
    private Object[] tracked = new Object[32];
    private int trackedCount;
    /** Free recycled objects, one stack per exact class. */
    private Class<?>[] freeTypes = new Class<?>[8];
    private Object[][] free = new Object[8][];
    private int[] freeCount = new int[8];
    private int freeTypeCount;
    private Thread thread;
    /** Incremented on every close: a scratch tensor is live while its recorded generation matches. */
    int generation;
    private long arraysAllocated, bytesAllocated;

    /** An empty workspace; buffers are created on first use. */
    public Workspace() {
        this(false);
    }

    private Workspace(boolean reuseGraph) {
        this.reuseGraph = reuseGraph;
    }

    /**
     * A workspace that recycles the graph as well as the arrays, so that a warm step allocates nothing at all.
     *
     * <p>Besides the arrays, it reuses the {@link Tensor} object of each pooled array (a scratch tensor comes back as
     * the same object over the same array, gradient state cleared), the op nodes that ask for it through
     * {@link Function#node} — the built-in ops of a training step do: linear, matmul, transpose, the unary
     * element-wise ops (exp, log, sqrt, abs, neg, pow, clamp, sigmoid, tanh, relu, gelu, softplus), add/sub/mul/div,
     * softmax and log-softmax, the fused cross-entropy, dropout — and their small arrays.
     *
     * <p><b>What changes for the caller.</b> The {@linkplain Workspace lifetime rule} is the same, but a violation is
     * no longer always detected: a tensor kept past the close may be handed out again as a live tensor of a later
     * step, so reading it returns that step's values instead of throwing. Read or {@link Tensor#copy() copy} results
     * inside the scope, as the rule says, and this makes no difference. Use the plain {@link #Workspace()} while
     * developing (it catches every stale use) and this one for long training runs.
     */
    public static Workspace reusingGraph() {
        return new Workspace(true);
    }

    /** True for a {@link #reusingGraph()} workspace. */
    public boolean reusesGraph() {
        return reuseGraph;
    }

    /**
     * Opens a scope on the calling thread; returns {@code this} for try-with-resources.
     *
     * @throws IllegalStateException if this workspace is already open, or another workspace is open on this thread
     */
    public Workspace open() {
        if (thread != null) {
            throw new IllegalStateException("Workspace.open: already open on thread " + thread.getName() + "; close it first");
        }
        if (ACTIVE.get() != null) {
            throw new IllegalStateException("Workspace.open: another workspace is open on this thread; scopes do not nest");
        }
        thread = Thread.currentThread();
        ACTIVE.set(this);
        return this;
    }

    /**
     * Closes the scope: every buffer handed out since {@link #open()} (other than kept parameter gradients) returns to
     * the pools and the tensors holding them stop being usable.
     *
     * @throws IllegalStateException if called from another thread than the one that opened the scope
     */
    @Override
    public void close() {
        if (thread == null) return;
        if (thread != Thread.currentThread()) {
            throw new IllegalStateException("Workspace.close: opened on thread " + thread.getName() + ", closed on "
                    + Thread.currentThread().getName());
        }
        for (int i = 0; i < leased.size(); i++) release(leased.get(i));
        leased.clear();
        for (int i = 0; i < trackedCount; i++) {
            Object o = tracked[i];
            tracked[i] = null;
            if (o instanceof Function f) f.recycle();
            push(o);
        }
        trackedCount = 0;
        generation++;
        thread = null;
        ACTIVE.set(null);
    }

    /** True while a scope of this workspace is open. */
    public boolean isOpen() {
        return thread != null;
    }

    /** How many arrays this workspace has allocated so far (constant from the second identical step on). */
    public long arraysAllocated() {
        return arraysAllocated;
    }

    /** How many bytes of arrays this workspace has allocated so far. */
    public long bytesAllocated() {
        return bytesAllocated;
    }

    /** Reusable shape arrays for {@link #take}'s lookup of a 1-D or 2-D shape (a workspace is used by one thread at a time). */
    private final int[] probe1 = new int[1], probe2 = new int[2];

    /** {@code [d0]} (rank 1) or {@code [d0, d1]} (rank 2) in an array of this workspace: valid until the next call. */
    int[] probe(int rank, int d0, int d1) {
        if (rank == 1) {
            probe1[0] = d0;
            return probe1;
        }
        probe2[0] = d0;
        probe2[1] = d1;
        return probe2;
    }

    /** The workspace open on the calling thread, or null. */
    public static Workspace current() {
        return ACTIVE.get();
    }

    /**
     * A buffer of {@code n} elements for the current scope, zero-filled when {@code zero}. Among the free buffers of that
     * length it prefers one that last backed a tensor of {@code shape} (only compared, never kept), so that the shape
     * array and EJML matrix cached with it ({@link Storage#lease}) fit again when several shapes share a length (the
     * {@code [128, 10]} logits and the {@code [10, 128]} weight gradient of a classifier).
     */
    Storage take(DType dtype, int n, boolean zero, int[] shape) {
        Pool p = pool(dtype, n);
        Storage s;
        if (p.size > 0) {
            int pick = p.size - 1;
            for (int i = pick; i >= 0; i--) {
                if (p.free[i].leasedShape(shape) != null) {
                    pick = i;
                    break;
                }
            }
            s = p.free[pick];
            p.free[pick] = p.free[--p.size];
            p.free[p.size] = null;
            if (zero) s.fill(0.0);
        } else {
            s = Storage.allocate(dtype, n);
            arraysAllocated++;
            bytesAllocated += (long) n * (dtype == DType.FLOAT32 ? 4 : 8);
        }
        leased.add(s);
        return s;
    }

    /**
     * A free object of exactly class {@code type} recycled at an earlier close of this graph-reusing workspace, tracked
     * again by the current scope (it comes back at the next close); null if there is none.
     */
    <T> T recycled(Class<T> type) {
        for (int k = 0; k < freeTypeCount; k++) {
            if (freeTypes[k] != type) continue;
            int n = freeCount[k];
            if (n == 0) return null;
            Object o = free[k][--n];
            free[k][n] = null;
            freeCount[k] = n;
            track(o);
            return type.cast(o);
        }
        return null;
    }

    /** Hands {@code o} to the current scope: the close makes it available to {@link #recycled} in later scopes. */
    void track(Object o) {
        if (trackedCount == tracked.length) tracked = java.util.Arrays.copyOf(tracked, trackedCount * 2);
        tracked[trackedCount++] = o;
    }

    private void push(Object o) {
        Class<?> type = o.getClass();
        int k = 0;
        while (k < freeTypeCount && freeTypes[k] != type) k++;
        if (k == freeTypeCount) {
            if (k == freeTypes.length) {
                freeTypes = java.util.Arrays.copyOf(freeTypes, k * 2);
                free = java.util.Arrays.copyOf(free, k * 2);
                freeCount = java.util.Arrays.copyOf(freeCount, k * 2);
            }
            freeTypes[k] = type;
            free[k] = new Object[4];
            freeTypeCount++;
        }
        if (freeCount[k] == free[k].length) free[k] = java.util.Arrays.copyOf(free[k], freeCount[k] * 2);
        free[k][freeCount[k]++] = o;
    }

    /**
     * For op state other than a {@link Function} node (a node uses {@link Function#node}): inside a scope of a
     * {@linkplain #reusingGraph() graph-reusing} workspace, an object of exactly class {@code type} that an earlier
     * scope {@linkplain #recyclable(Object) handed back}, to be overwritten in full by the caller; else null.
     */
    public static <T> T reuse(Class<T> type) {
        Workspace ws = ACTIVE.get();
        return ws == null || !ws.reuseGraph ? null : ws.recycled(type);
    }

    /**
     * Hands {@code obj} to the open graph-reusing workspace, which offers it to {@link #reuse} in later scopes once
     * this one closes; a no-op (returning {@code obj}) elsewhere. The object must not be used after the scope closes.
     */
    public static <T> T recyclable(T obj) {
        Workspace ws = ACTIVE.get();
        if (ws != null && ws.reuseGraph) ws.track(obj);
        return obj;
    }

    /** Takes {@code s} out of the current scope: it will not be recycled on close (a leaf keeps it as its gradient). */
    void keep(Storage s) {
        for (int i = leased.size() - 1; i >= 0; i--) {
            if (leased.get(i) == s) {
                leased.remove(i);
                return;
            }
        }
    }

    /** Returns a kept buffer to its pool. */
    void release(Storage s) {
        pool(s.dtype(), s.length()).push(s);
    }

    private Pool pool(DType dtype, int n) {
        for (int i = 0, k = pools.size(); i < k; i++) {
            Pool p = pools.get(i);
            if (p.length == n && p.dtype == dtype) return p;
        }
        Pool p = new Pool(dtype, n);
        pools.add(p);
        return p;
    }
}
