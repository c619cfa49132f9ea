package dev.jgrad.core;

import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.data.Matrix;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A dense float32 or float64 tensor backed by a real EJML matrix, with reverse-mode gradient support.
 *
 * <p><b>Storage.</b> A tensor of shape {@code [d0, ..., dk]} is held as an EJML row-major matrix of
 * {@code d0·…·d(k-1)} rows and {@code dk} columns ({@code FMatrixRMaj} for float32, {@code DMatrixRMaj} for
 * float64); a scalar is a 1×1 matrix and a vector {@code [n]} is 1×n. {@link #matrix()} returns that matrix,
 * so EJML's {@code CommonOps_DDRM}/{@code CommonOps_FDRM} can be used on it directly. {@code reshape} and
 * {@link #detach} share the array.
 *
 * <p><b>Gradients.</b> Tensors created by users are leaves; {@link #requiresGrad(boolean)} marks one for
 * differentiation. Every op applied to a tensor that requires grad records a {@link Function} node (unless
 * {@link GradMode#noGrad()} is active). {@link #backward()} runs an iterative topological sort from this
 * tensor and accumulates ({@code +=}) gradients into the {@link #grad()} of every leaf that requires them.
 *
 * <p>Tensors are not thread-safe; each thread should build and differentiate its own graphs.
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private final Matrix matrix;

    private boolean requiresGrad;
    private boolean retainGrad;
    private Tensor grad;
    Function gradFn;
    /** For a tensor over a {@link Workspace}'s array: the workspace's record of that loan (which holds all its state); else null. */
    final Workspace.Lease lease;

    /** Wraps existing storage (no copy). Most users want the static factories instead. */
    public Tensor(Storage storage, int... shape) {
        this(storage, shape, null);
    }

    /** A tensor over {@code storage} (a copy of {@code shape}) on the loan {@code lease}, or on the heap when null. */
    private Tensor(Storage storage, int[] shape, Workspace.Lease lease) {
        int n = Shape.numel(shape);
        if (storage.length() != n) {
            throw new IllegalArgumentException("Tensor: storage of " + storage.length()
                    + " elements does not match shape " + Shape.str(shape) + " (" + n + " elements)");
        }
        this.shape = shape.clone();
        this.storage = storage;
        this.matrix = storage.wrap(rows(shape), cols(shape));
        this.lease = lease;
    }

    /**
     * A tensor over {@code storage} and its matrix {@code [rows(shape), cols(shape)]}; takes ownership of {@code shape}
     * (which is never modified). {@code lease}: the workspace's loan of the array, or null on the heap.
     */
    Tensor(int[] shape, Storage storage, Matrix matrix, Workspace.Lease lease) {
        this.shape = shape;
        this.storage = storage;
        this.matrix = matrix;
        this.lease = lease;
    }

    /** Rows of the matrix that holds a tensor of this shape: the product of all but the last dimension. */
    static int rows(int[] shape) {
        return shape.length == 0 ? 1 : Shape.prod(shape, 0, shape.length - 1);
    }

    /** Columns of the matrix that holds a tensor of this shape: the last dimension. */
    static int cols(int[] shape) {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /**
     * A zero-filled heap tensor of a checked shape that it takes over. The EJML matrix is created with its array
     * ({@code new FMatrixRMaj(rows, cols)}), not wrapped around one: {@code wrap} builds an empty matrix first, whose
     * array is garbage at once.
     */
    private static Tensor allocate(DType dtype, int[] shape) {
        int rows = rows(shape), cols = cols(shape);
        if (dtype == DType.FLOAT32) {
            FMatrixRMaj m = new FMatrixRMaj(rows, cols);
            return new Tensor(shape, Storage.of(m), m, null);
        }
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        return new Tensor(shape, Storage.of(m), m, null);
    }

    // ------------------------------------------------------------------ factories

    /** Wraps an EJML matrix (no copy) as a 2-D tensor {@code [numRows, numCols]}. */
    public static Tensor wrap(Matrix m) {
        Shape.nonNull("wrap", "m", m);
        return new Tensor(Storage.of(m), m.getNumRows(), m.getNumCols());
    }

    /** A float64 tensor holding a copy of {@code data} with the given shape (a 1-D shape if none is given). */
    public static Tensor of(double[] data, int... shape) {
        Shape.nonNull("of", "data", data);
        int[] s = Shape.nonNull("of", "shape", shape).length == 0 ? new int[]{data.length} : shape;
        Tensor t = zeros(DType.FLOAT64, s);
        System.arraycopy(data, 0, ((Storage.F64) t.storage).a, 0, checkLen("of", data.length, s));
        return t;
    }

    /** A float32 tensor holding a copy of {@code data} with the given shape (a 1-D shape if none is given). */
    public static Tensor of(float[] data, int... shape) {
        Shape.nonNull("of", "data", data);
        int[] s = Shape.nonNull("of", "shape", shape).length == 0 ? new int[]{data.length} : shape;
        Tensor t = zeros(DType.FLOAT32, s);
        System.arraycopy(data, 0, ((Storage.F32) t.storage).a, 0, checkLen("of", data.length, s));
        return t;
    }

    /** A tensor of the given dtype from double values (rounded for float32). */
    public static Tensor of(DType dtype, double[] data, int... shape) {
        Shape.nonNull("of", "data", data);
        int[] s = Shape.nonNull("of", "shape", shape).length == 0 ? new int[]{data.length} : shape;
        Tensor t = zeros(dtype, s);
        checkLen("of", data.length, s);
        for (int i = 0; i < data.length; i++) t.storage.set(i, data[i]);
        return t;
    }

    /** A 2-D tensor from rows of equal length. */
    public static Tensor of(DType dtype, double[][] rows) {
        int r = Shape.nonNull("of", "rows", rows).length, c = r == 0 ? 0 : Shape.nonNull("of", "rows[0]", rows[0]).length;
        Tensor t = zeros(dtype, r, c);
        for (int i = 0; i < r; i++) {
            if (Shape.nonNull("of", "rows[" + i + "]", rows[i]).length != c) {
                throw new IllegalArgumentException("of: row " + i + " has " + rows[i].length + " values, expected " + c);
            }
            for (int j = 0; j < c; j++) t.storage.set(i * c + j, rows[i][j]);
        }
        return t;
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /**
     * A tensor of zeros.
     *
     * @throws IllegalArgumentException for a null dtype or shape, or a negative dimension
     */
    public static Tensor zeros(DType dtype, int... shape) {
        if (shape == null) throw new IllegalArgumentException("zeros: shape is null");
        return allocate(dtype, checked("zeros", dtype, shape.clone()));
    }

    /** Returns {@code shape} after checking it and {@code dtype} (messages name {@code op}). */
    private static int[] checked(String op, DType dtype, int[] shape) {
        if (dtype == null) throw new IllegalArgumentException(op + ": dtype is null");
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + Shape.str(shape));
        }
        try {
            Shape.numel(shape); // more than the JVM's largest array would be an OutOfMemoryError ("exceeds VM limit")
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
        return shape;
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(1.0, dtype, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        t.storage.fill(value);
        return t;
    }

    /** Zeros with the shape and dtype of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(Shape.nonNull("zerosLike", "like", like).dtype(), like.shape);
    }

    // ------------------------------------------------------------------ op results (Function's out helpers)

    /**
     * A tensor for an op's result or gradient ({@link Function}'s {@code out} helpers): over an array of the
     * {@link Workspace} open on this thread (valid until its scope closes), or a heap tensor when none is open.
     * Zero-filled when {@code zero}, else (a recycled array) of unspecified contents. {@code shape} is only read.
     */
    static Tensor pooled(DType dtype, int[] shape, boolean zero) {
        Workspace ws = Workspace.current();
        if (ws == null) return zeros(dtype, shape);
        checked("out", dtype, shape);
        return ws.lend(dtype, shape, Shape.numel(shape), zero);
    }

    /** {@link #pooled} of rank 1 ({@code [d0]}) or 2 ({@code [d0, d1]}), without a shape array unless one must be made. */
    static Tensor pooled(DType dtype, int rank, int d0, int d1, boolean zero) {
        Workspace ws = Workspace.current();
        long n = rank == 1 ? d0 : (long) d0 * d1;
        if (ws == null || dtype == null || d0 < 0 || d1 < 0 || n > Integer.MAX_VALUE) {
            return pooled(dtype, rank == 1 ? new int[]{d0} : new int[]{d0, d1}, zero); // the heap, or the error message
        }
        return ws.lend(dtype, ws.probe(rank, d0, d1), (int) n, zero);
    }

    /** A {@link #pooled} copy of {@code src}. */
    static Tensor pooledCopy(Tensor src) {
        Tensor t = pooled(src.dtype(), src.shape, false);
        t.storage.copyFrom(src.live(), 0, 0, src.numel());
        return t;
    }

    /** The shape of a scalar, only ever read or cloned. */
    static final int[] SCALAR_SHAPE = new int[0];

    /** The shape array, not a copy: for {@link Function}'s helpers, which only read it. */
    int[] shapeRef() {
        return shape;
    }

    /** True when this tensor is exactly {@code shape} over {@code m} (the workspace's test for handing it out again). */
    boolean isOver(int[] shape, Matrix m) {
        return this.shape == shape && this.matrix == m;
    }

    /** Makes a recycled tensor a fresh non-leaf: nothing of its last step's graph survives. */
    void clearGraphState() {
        requiresGrad = false;
        retainGrad = false;
        grad = null;
        gradFn = null;
    }

    /** True when both tensors have the same shape (no copy of either). */
    boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** True when this tensor's array is lent by a workspace scope that is still open (and not kept by a leaf). */
    boolean isPooled() {
        return lease != null && lease.live();
    }

    /** The storage, after checking that a workspace has not recycled it. */
    private Storage live() {
        if (lease != null && lease.ended()) {
            throw new IllegalStateException("tensor of shape " + Shape.str(shape) + " was computed inside a Workspace scope that has closed;"
                    + " its buffer has been recycled. Read what you need (item(), copy()) before the scope closes");
        }
        return storage;
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n, DType dtype) {
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) t.storage.set(i, i);
        return t;
    }

    /** Standard normal samples from a seeded generator (e.g. {@code new SplittableRandom(42)}). */
    public static Tensor randn(RandomGenerator rng, DType dtype, int... shape) {
        Shape.nonNull("randn", "rng", rng);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.set(i, rng.nextGaussian());
        return t;
    }

    /** Uniform samples in {@code [lo, hi)} from a seeded generator. */
    public static Tensor rand(RandomGenerator rng, double lo, double hi, DType dtype, int... shape) {
        Shape.nonNull("rand", "rng", rng);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) t.storage.set(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    private static int checkLen(String op, int len, int[] shape) {
        int n = Shape.numel(shape);
        if (len != n) {
            throw new IllegalArgumentException(op + ": " + len + " values do not fill shape " + Shape.str(shape) + " (" + n + ")");
        }
        return n;
    }

    // ------------------------------------------------------------------ accessors

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end); a scalar has size 1 along dimension 0 / -1. */
    public int size(int d) {
        int k = Shape.dim("size", d, shape.length);
        return shape.length == 0 ? 1 : shape[k];
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return storage.length();
    }

    /** Element type. */
    public DType dtype() {
        return storage.dtype();
    }

    /** Flat storage view used by kernels. */
    public Storage storage() {
        return live();
    }

    /** The EJML matrix {@code [prod(leading dims), last dim]} that holds the data (shared, not a copy). */
    public Matrix matrix() {
        live();
        return matrix;
    }

    /** The float64 EJML matrix; throws for a float32 tensor. */
    public DMatrixRMaj dmatrix() {
        live();
        if (matrix instanceof DMatrixRMaj d) return d;
        throw new IllegalStateException("dmatrix: tensor is " + dtype() + ", not float64");
    }

    /** The float32 EJML matrix; throws for a float64 tensor. */
    public FMatrixRMaj fmatrix() {
        live();
        if (matrix instanceof FMatrixRMaj f) return f;
        throw new IllegalStateException("fmatrix: tensor is " + dtype() + ", not float32");
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        }
        return live().get(0);
    }

    /** Element at a flat row-major index, widened to double. */
    public double get(int flatIndex) {
        return live().get(flatIndex);
    }

    /** Element at a multi-index. */
    public double at(int... index) {
        return live().get(flatIndex(index));
    }

    /** Sets an element in place (no gradient tracking; for initialisation and tests). */
    public void set(int flatIndex, double value) {
        live().set(flatIndex, value);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("at: index " + Arrays.toString(index) + " has rank " + index.length
                    + " but the tensor has shape " + Shape.str(shape));
        }
        int f = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("at: index " + Arrays.toString(index) + " out of range for shape " + Shape.str(shape));
            }
            f = f * shape[i] + index[i];
        }
        return f;
    }

    /** A copy of the data as doubles, row-major. */
    public double[] toDoubleArray() {
        Storage s = live();
        double[] d = new double[numel()];
        for (int i = 0; i < d.length; i++) d[i] = s.get(i);
        return d;
    }

    /** A copy of the data as floats, row-major (float64 values are rounded). */
    public float[] toFloatArray() {
        Storage s = live();
        float[] f = new float[numel()];
        for (int i = 0; i < f.length; i++) f[i] = (float) s.get(i);
        return f;
    }

    /** A new tensor with the same data and no graph history. */
    public Tensor copy() {
        Tensor t = zeros(dtype(), shape);
        t.storage.copyFrom(live(), 0, 0, numel());
        return t;
    }

    /** A copy converted to another dtype (not differentiable). */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return copy();
        Storage s = live();
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < numel(); i++) t.storage.set(i, s.get(i));
        return t;
    }

    /** A view with another shape of the same number of elements, sharing data and not recording a graph. */
    public Tensor view(int... newShape) {
        if (Shape.numel(newShape) != numel()) {
            throw new IllegalArgumentException("view: cannot view shape " + Shape.str(shape) + " (" + numel()
                    + " elements) as " + Shape.str(newShape));
        }
        return new Tensor(live(), newShape, lease); // a view of a pooled tensor expires with it
    }

    // ------------------------------------------------------------------ autograd

    /** True if gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor as needing a gradient; returns {@code this}.
     *
     * @throws IllegalStateException on a non-leaf tensor (one produced by an op)
     */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change requiresGrad; this tensor was produced by "
                    + gradFn.name() + " (use detach())");
        }
        requiresGrad = flag;
        return this;
    }

    /** Keep this non-leaf tensor's gradient in {@link #grad()} during backward; returns {@code this}. */
    public Tensor retainGrad() {
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad || (gradFn == null && requiresGrad);
    }

    /** True for tensors not produced by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The op that produced this tensor, or null for a leaf. */
    public Function gradFn() {
        return gradFn;
    }

    /** The accumulated gradient, or null if none has been computed. */
    public Tensor grad() {
        return grad;
    }

    /**
     * Clears the accumulated gradient (sets it to null). A gradient that was kept from a {@link Workspace} goes back
     * to that workspace's pool, so the old {@code grad()} tensor must not be used afterwards (it throws).
     */
    public void zeroGrad() {
        Tensor g = grad;
        grad = null;
        if (g != null && g.lease != null) g.lease.releaseKept(); // a kept gradient's array goes back to its pool
    }

    /** Replaces the gradient (used by optimizers and checkpoints); shape and dtype must match. */
    public void setGrad(Tensor g) {
        if (g != null) checkSameShape("setGrad", g);
        grad = g;
    }

    void accumulateGrad(Tensor g, boolean adopt) {
        if (grad == null) {
            // the leaf keeps the array past the scope; zeroGrad() gives it back
            if (adopt && g.isPooled()) g.lease.keep();
            grad = adopt ? g : g.copy();
        } else {
            grad.addInPlace(g);
        }
    }

    /** {@code this += other} element-wise (same shape and dtype; no graph). */
    void addInPlace(Tensor other) {
        dev.jgrad.core.kernel.Kernels.addInPlace(other.live(), live(), storage.length());
    }

    /** A tensor sharing this one's data, cut from the graph (a leaf with requiresGrad false). */
    public Tensor detach() {
        return new Tensor(live(), shape, lease);
    }

    /**
     * Backpropagates from a scalar tensor, with gradient 1.
     *
     * @throws IllegalStateException if the tensor is not a scalar or does not require grad
     */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: called without a gradOutput on a tensor of shape " + Shape.str(shape)
                    + "; only one-element tensors get an implicit gradient of 1 — pass backward(gradOutput)");
        }
        Tensor seed = pooled(dtype(), shape, false);
        seed.storage.fill(1.0);
        backward(seed, false);
    }

    /** Backpropagates {@code gradOutput} (same shape and dtype as this tensor) and frees the graph. */
    public void backward(Tensor gradOutput) {
        backward(gradOutput, false);
    }

    /**
     * Backpropagates {@code gradOutput}; with {@code retainGraph} the saved tensors are kept so that
     * backward can run through the same graph again.
     */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: tensor of shape " + Shape.str(shape)
                    + " does not require grad and has no gradFn (was it computed under no-grad, or from inputs without requiresGrad?)");
        }
        checkSameShape("backward(gradOutput)", gradOutput);
        Autograd.run(this, gradOutput, retainGraph);
    }

    void markResult(Function fn) {
        gradFn = fn;
        requiresGrad = true;
    }

    /** Throws a clear {@link IllegalArgumentException} unless {@code other} has this tensor's shape and dtype. */
    public void checkSameShape(String op, Tensor other) {
        if (other == null) throw new IllegalArgumentException(op + ": tensor is null");
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(op + ": shape " + Shape.str(other.shape) + " does not match " + Shape.str(shape));
        }
        if (other.dtype() != dtype()) {
            throw new IllegalArgumentException(op + ": dtype " + other.dtype() + " does not match " + dtype());
        }
    }

    /** True when both tensors have the same shape, dtype and bitwise-equal values (NaN equals NaN). */
    public boolean contentEquals(Tensor o) {
        if (o == null || o.dtype() != dtype() || !Arrays.equals(shape, o.shape)) return false;
        for (int i = 0; i < numel(); i++) {
            if (Double.doubleToLongBits(get(i)) != Double.doubleToLongBits(o.get(i))) return false;
        }
        return true;
    }

    /** PyTorch-like text: values (summarised beyond 1000 elements), shape, dtype and grad function. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
