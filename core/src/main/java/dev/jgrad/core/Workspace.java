package dev.jgrad.core;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

import java.util.ArrayList;

/**
 * Buffer reuse for steps whose graph has the same shape every time: once warm, a training step allocates no arrays
 * ({@code new Workspace()}) or nothing at all ({@link #reusingGraph()}).
 *
 * <p>While a workspace is {@linkplain #open() open} on a thread, ops take the arrays for their results and gradients
 * from the workspace's pools instead of the heap (an op asks for them through {@link Function}'s {@code out(..)}
 * helpers and never sees the pool); {@link #close()} returns every array handed out since {@code open()} to the pools,
 * so the next step with the same shapes gets the same arrays back. Parameter gradients are the exception that makes
 * optimisers work: a gradient a leaf keeps ({@link Tensor#grad()}) leaves the scope with the leaf, and goes back to
 * the pool when {@link Tensor#zeroGrad()} clears it.
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
 * <p><b>Bookkeeping.</b> The pool owns it all: each pooled array is a pool entry that keeps the shape array and EJML
 * matrix of the last tensor over it, and each loan of an entry to a scope is a lease record that says whether the
 * loan is running, kept by a leaf, or over. A tensor over a pooled array only points at its lease (its views and
 * detached tensors at the same one); every access checks that one flag.
 *
 * <p><b>What a warm step still allocates.</b> A pooled array comes back with the shape array and the EJML matrix of
 * the last tensor over it, so those are not made again either; what remains per op is small: the {@link Function}
 * node, its result's {@link Tensor} object and that tensor's lease record. A plain workspace never recycles those, so
 * that a reference kept from an earlier step keeps throwing (it could not if the same object were handed out again as
 * a live tensor). A {@linkplain #reusingGraph() graph-reusing} workspace recycles them as well, and a warm step
 * allocates nothing at all.
 *
 * <p>A workspace belongs to one thread at a time and scopes do not nest (one open workspace per thread). Pools are
 * keyed by dtype and length and only grow to the largest number of same-sized buffers one step needed; pools of sizes
 * the last scope did not use are kept up to the bytes of the largest scope so far, least recently used dropped first
 * ({@link #pooledBytes()}), so cycling batch sizes cannot grow memory without limit.
 */
public final class Workspace implements AutoCloseable {
    private static final ThreadLocal<Workspace> ACTIVE = new ThreadLocal<>();

    /**
     * A pool entry: one array of the workspace and what it keeps for the next tensor over it, the shape array and EJML
     * matrix of the last one (sharing them with that expired tensor is safe: a shape array is never modified, and an
     * expired tensor refuses every access to its matrix) and, in a graph-reusing workspace, the tensor object itself.
     */
    static final class Buffer {
        final Storage storage;
        int[] shape;
        Matrix matrix;
        /** {@link #reusingGraph()}: the last tensor over this array, handed out again when the shape fits. */
        Tensor tensor;

        Buffer(Storage storage) {
            this.storage = storage;
        }
    }

    /**
     * One loan of a {@link Buffer} to a scope: the tensor made over it, its views and its detached tensors all refer to
     * this record, and may use the array while the loan is not over. A plain workspace makes one per loan (a stale
     * tensor keeps its ended record); a graph-reusing one lends the record again with the recycled tensor.
     */
    static final class Lease {
        private static final byte LIVE = 0, KEPT = 1, ENDED = 2;
        final Workspace owner;
        final Buffer buffer;
        private byte state;

        Lease(Workspace owner, Buffer buffer) {
            this.owner = owner;
            this.buffer = buffer;
        }

        /** True when the scope has closed (or a kept gradient was cleared): the array may hold other data. */
        boolean ended() {
            return state == ENDED;
        }

        /** True while the loan belongs to the open scope (not kept, not ended). */
        boolean live() {
            return state == LIVE;
        }

        /** Takes the loan out of the scope: a leaf keeps the array as its gradient past the close. */
        void keep() {
            owner.keep(this);
            state = KEPT;
        }

        /** Ends a kept loan ({@link Tensor#zeroGrad()}): the array goes back to the pool. */
        void releaseKept() {
            if (state != KEPT) return;
            state = ENDED;
            owner.free(buffer);
        }
    }

    /** Free buffers of one dtype and length. */
    private static final class Pool {
        final DType dtype;
        final int length;
        Buffer[] free = new Buffer[4];
        int size;
        /** The scope that last lent or took back a buffer of this pool (for the eviction of idle pools). */
        long lastUse;

        Pool(DType dtype, int length) {
            this.dtype = dtype;
            this.length = length;
        }

        void push(Buffer b) {
            if (size == free.length) free = java.util.Arrays.copyOf(free, size * 2);
            free[size++] = b;
        }

        long bytes() {
            return (long) size * length * (dtype == DType.FLOAT32 ? 4 : 8);
        }
    }

    private final ArrayList<Pool> pools = new ArrayList<>();
    /** The loans of the open scope, ended at its close. */
    private final ArrayList<Lease> leased = new ArrayList<>();
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
    private long arraysAllocated, bytesAllocated;
    /** Scopes opened so far (the clock of {@link Pool#lastUse}). */
    private long scopes;
    /** Bytes lent in the open scope, and the most any one scope has been lent: the budget for idle pools. */
    private long scopeBytes, peakScopeBytes;

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
     * <p>Besides the arrays, it reuses the {@link Tensor} object of each pooled array (an op's result comes back as
     * the same object over the same array, gradient state cleared), the op nodes that ask for it through
     * {@link Function#node} — every built-in op does, in its static factory — and their small arrays.
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
        scopes++;
        scopeBytes = 0;
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
        for (int i = 0; i < leased.size(); i++) {
            Lease l = leased.get(i);
            l.state = Lease.ENDED;
            free(l.buffer);
        }
        leased.clear();
        for (int i = 0; i < trackedCount; i++) {
            Object o = tracked[i];
            tracked[i] = null;
            if (o instanceof Function f) f.recycle();
            push(o);
        }
        trackedCount = 0;
        thread = null;
        ACTIVE.set(null);
        peakScopeBytes = Math.max(peakScopeBytes, scopeBytes);
        evictIdle();
    }

    /**
     * The bound on the pools: buffers of sizes the scope just closed did not use (a last partial batch, an evaluation
     * at another batch size, variable-length inputs) are kept only up to the bytes of the largest scope so far, the
     * least recently used sizes dropped first. So the pools hold at most about twice the largest step's buffers however
     * many sizes cycle through, and a warm step that repeats the previous one's shapes finds all its buffers (its own
     * pools are not idle) and allocates nothing.
     */
    private void evictIdle() {
        long idle = 0;
        for (int i = 0, k = pools.size(); i < k; i++) {
            Pool p = pools.get(i);
            if (p.lastUse != scopes) idle += p.bytes();
        }
        while (idle > peakScopeBytes) {
            int lru = -1;
            for (int i = 0, k = pools.size(); i < k; i++) {
                Pool p = pools.get(i);
                if (p.lastUse != scopes && (lru < 0 || p.lastUse < pools.get(lru).lastUse)) lru = i;
            }
            idle -= pools.get(lru).bytes();
            pools.remove(lru);
        }
    }

    /**
     * Bytes of the arrays waiting in this workspace's pools (not those lent to an open scope or kept as gradients):
     * at most about the bytes of the largest scope so far, however many different sizes have been used.
     *
     * @return the pooled bytes
     */
    public long pooledBytes() {
        long b = 0;
        for (int i = 0, k = pools.size(); i < k; i++) b += pools.get(i).bytes();
        return b;
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

    /** Reusable shape arrays for {@link #lend}'s lookup of a 1-D or 2-D shape (a workspace is used by one thread at a time). */
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
     * A tensor of {@code shape} ({@code n} elements, checked) over an array of this workspace, lent to the current
     * scope and zero-filled when {@code zero}. Among the free arrays of that length it prefers one whose last tensor
     * had this shape, so that the shape array and EJML matrix kept with it fit again when several shapes share a
     * length (the {@code [128, 10]} logits and the {@code [10, 128]} weight gradient of a classifier). {@code shape}
     * is only read: it is copied unless the entry's kept shape equals it.
     */
    Tensor lend(DType dtype, int[] shape, int n, boolean zero) {
        Pool p = pool(dtype, n);
        p.lastUse = scopes;
        scopeBytes += (long) n * (dtype == DType.FLOAT32 ? 4 : 8);
        Buffer b;
        if (p.size > 0) {
            int pick = p.size - 1;
            for (int i = pick; i >= 0; i--) {
                if (java.util.Arrays.equals(p.free[i].shape, shape)) {
                    pick = i;
                    break;
                }
            }
            b = p.free[pick];
            p.free[pick] = p.free[--p.size];
            p.free[p.size] = null;
            if (zero) b.storage.fill(0.0);
        } else {
            b = new Buffer(Storage.allocate(dtype, n));
            arraysAllocated++;
            bytesAllocated += (long) n * (dtype == DType.FLOAT32 ? 4 : 8);
        }
        int[] s = java.util.Arrays.equals(b.shape, shape) ? b.shape : shape.clone();
        int rows = Tensor.rows(s), cols = Tensor.cols(s);
        Matrix m = b.matrix;
        // the kept matrix only if it still has this size and this array (its public fields may have been changed)
        if (m == null || m.getNumRows() != rows || m.getNumCols() != cols || !backs(b.storage, m)) m = b.storage.wrap(rows, cols);
        b.shape = s;
        b.matrix = m;
        Tensor t = b.tensor;
        Lease l;
        if (reuseGraph && t != null && t.isOver(s, m)) {
            // the same object again, as a fresh non-leaf: nothing of its last step survives
            t.clearGraphState();
            l = t.lease;
            l.state = Lease.LIVE;
        } else {
            l = new Lease(this, b);
            t = new Tensor(s, b.storage, m, l);
            b.tensor = reuseGraph ? t : null;
        }
        leased.add(l);
        return t;
    }

    /** True when {@code m} is an EJML matrix over the very array of {@code s}. */
    private static boolean backs(Storage s, Matrix m) {
        if (s instanceof Storage.F32 f) return m instanceof FMatrixRMaj fm && fm.data == f.a;
        return m instanceof DMatrixRMaj dm && dm.data == ((Storage.F64) s).a;
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

    /** Takes a loan out of the current scope: it will not end on close (a leaf keeps the array as its gradient). */
    private void keep(Lease l) {
        for (int i = leased.size() - 1; i >= 0; i--) {
            if (leased.get(i) == l) {
                leased.remove(i);
                return;
            }
        }
    }

    /** Returns an entry to its pool. */
    private void free(Buffer b) {
        Pool p = pool(b.storage.dtype(), b.storage.length());
        p.lastUse = scopes;
        p.push(b);
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
