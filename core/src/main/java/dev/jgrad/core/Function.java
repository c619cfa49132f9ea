package dev.jgrad.core;


/**
 * A differentiable op: forward and backward side by side. This is the public way to add an op, and the
 * one every built-in op uses.
 *
 * <p>Subclass it, compute the result in {@link #forward}, save only what backward needs with
 * {@link #save}, and in {@link #backward} return one gradient per input (or {@code null} for an input
 * that needs none — see {@link #needsInputGrad}). Make results and gradients with the {@code out} helpers
 * ({@link #out(DType, int...) out}, {@link #outLike outLike}, and their {@code outUninitialized} forms), and each
 * instance is applied once:
 * <pre>{@code
 * final class Square extends Function {
 *     protected Tensor forward(Tensor... in) {
 *         Tensor x = in[0], y = outLike(x);
 *         for (int i = 0; i < x.numel(); i++) y.set(i, x.get(i) * x.get(i));
 *         save(x);
 *         return y;
 *     }
 *     protected Tensor[] backward(Tensor g) {
 *         Tensor x = saved()[0], gx = outLike(x);
 *         for (int i = 0; i < x.numel(); i++) gx.set(i, 2 * x.get(i) * g.get(i));
 *         return gradients(gx);
 *     }
 * }
 * Tensor y = new Square().apply(x);
 * }</pre>
 *
 * <p><b>Allocation.</b> The {@code out} helpers are the one way an op allocates: inside a {@link Workspace} scope they
 * lend an array of the workspace's pool (valid until the scope closes), elsewhere they make a heap tensor; the op
 * cannot tell and need not care. {@code out} tensors are zero-filled, {@code outUninitialized} ones are not (use them
 * when the op writes every element). The 0-, 1- and 2-D overloads ({@code out(dtype)}, {@code out(dtype, n)},
 * {@code out(dtype, rows, cols)}) take no varargs array, so a warm step allocates nothing. Any op may also be written
 * with other ops ({@code Ops.mul(g, x)}): both {@code forward} and {@code backward} run with gradient recording off.
 *
 * <p><b>Life-cycle of a built-in op.</b> A node is obtained, then applied once. A one-off op is obtained with its
 * constructor ({@code new Square()}). An op that should allocate nothing per step in a
 * {@linkplain Workspace#reusingGraph() graph-reusing workspace} is obtained from a static factory of its class, which
 * asks {@link #node} for a recycled instance and stores every parameter of the op in it; every built-in op does this,
 * with a private constructor, so that no node can be applied without this call's parameters:
 * <pre>{@code
 * static final class Pow extends Function {
 *     private double p;
 *     private Pow() {}
 *     static Pow of(double p) {
 *         Pow op = node(Pow.class, Pow::new);
 *         op.p = p;                                   // every parameter, on every call
 *         return op;
 *     }
 *     ...
 * }
 * Tensor y = Pow.of(3).apply(x);
 * }</pre>
 * The fixed-arity {@code apply(a, b)}, {@code save(a, b)} and {@code gradients(a, b)} (up to three tensors) fill
 * arrays the node owns, so they allocate nothing either.
 *
 * <p>The engine checks that each returned gradient has its input's shape and dtype, and accumulates it. A
 * gradient that shares storage with nothing the engine can see (the upstream gradient, the op's inputs and
 * output, the other returned gradients) may become a leaf's {@code grad()} without a copy, so backward must not
 * keep and reuse the tensors it returns.
 * All tensor inputs must share one dtype; mixing float32 and float64 is an error.
 */
public abstract class Function {
    private static final Tensor[] NO_INPUTS = new Tensor[0];

    private Tensor[] inputs;
    /** Inputs of the applied op, -1 before {@link #apply}; {@link #needsInputGrad} is false for all before. */
    private int arity = -1;
    /** Bit {@code i}: input {@code i} needs a gradient (ops of up to 64 inputs: no array per op). */
    private long needsMask;
    /** The same for ops of more than 64 inputs, else null. */
    private boolean[] needsWide;
    private Tensor[] saved;
    /** Arrays this node owns and reuses: inputs of the fixed-arity {@code apply}, saved tensors, gradients. */
    private Tensor[] inputBuf, saveBuf, gradBuf;
    private boolean applied;
    private boolean released;
    private String creationSite;

    /** Computes the output from the inputs. Called once, with graph recording off. */
    protected abstract Tensor forward(Tensor... inputs);

    /**
     * Computes the gradient of the loss with respect to each input, given the gradient with respect to the
     * output. Called with graph recording off.
     *
     * @param gradOutput gradient with respect to this op's output (same shape and dtype as the output)
     * @return one entry per input, null where {@link #needsInputGrad(int)} is false
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /** The op's name in messages; the class's simple name by default. */
    public String name() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "Function" : n;
    }

    /** Saves tensors for backward; they are released after backward unless the graph is retained. */
    protected final void save(Tensor... tensors) {
        saved = tensors.clone();
    }

    /** {@link #save(Tensor...)} of one tensor, into an array this node reuses. */
    protected final void save(Tensor a) {
        Tensor[] s = saveBuf = own(saveBuf, 1);
        s[0] = a;
        saved = s;
    }

    /** {@link #save(Tensor...)} of two tensors, into an array this node reuses. */
    protected final void save(Tensor a, Tensor b) {
        Tensor[] s = saveBuf = own(saveBuf, 2);
        s[0] = a;
        s[1] = b;
        saved = s;
    }

    /** {@link #save(Tensor...)} of three tensors, into an array this node reuses. */
    protected final void save(Tensor a, Tensor b, Tensor c) {
        Tensor[] s = saveBuf = own(saveBuf, 3);
        s[0] = a;
        s[1] = b;
        s[2] = c;
        saved = s;
    }

    /**
     * The array {@link #backward} returns for a one-input op, reused by this node (the engine reads it before the
     * node's next backward): {@code return gradients(gx);} instead of {@code return new Tensor[]{gx};}.
     */
    protected final Tensor[] gradients(Tensor a) {
        Tensor[] g = gradBuf = own(gradBuf, 1);
        g[0] = a;
        return g;
    }

    /** {@link #gradients(Tensor)} for a two-input op. */
    protected final Tensor[] gradients(Tensor a, Tensor b) {
        Tensor[] g = gradBuf = own(gradBuf, 2);
        g[0] = a;
        g[1] = b;
        return g;
    }

    /** {@link #gradients(Tensor)} for a three-input op. */
    protected final Tensor[] gradients(Tensor a, Tensor b, Tensor c) {
        Tensor[] g = gradBuf = own(gradBuf, 3);
        g[0] = a;
        g[1] = b;
        g[2] = c;
        return g;
    }

    // ------------------------------------------------------------------ allocation: results and gradients

    /**
     * A zero-filled tensor of {@code shape} for this op's result or a gradient: lent by the {@link Workspace} open on
     * this thread (valid until its scope closes), or a heap tensor when none is open.
     *
     * @throws IllegalArgumentException for a null dtype or a negative dimension
     */
    protected static Tensor out(DType dtype, int... shape) {
        if (shape == null) throw new IllegalArgumentException("out: shape is null");
        return Tensor.pooled(dtype, shape, true);
    }

    /** A zero-filled scalar {@code []} (see {@link #out(DType, int...)}; no varargs array). */
    protected static Tensor out(DType dtype) {
        return Tensor.pooled(dtype, Tensor.SCALAR_SHAPE, true);
    }

    /** A zero-filled vector {@code [length]} (see {@link #out(DType, int...)}; no varargs array). */
    protected static Tensor out(DType dtype, int length) {
        return Tensor.pooled(dtype, 1, length, 0, true);
    }

    /** A zero-filled matrix {@code [rows, cols]} (see {@link #out(DType, int...)}; no varargs array). */
    protected static Tensor out(DType dtype, int rows, int cols) {
        return Tensor.pooled(dtype, 2, rows, cols, true);
    }

    /** A zero-filled tensor with the shape and dtype of {@code like} (see {@link #out(DType, int...)}). */
    protected static Tensor outLike(Tensor like) {
        return Tensor.pooled(like.dtype(), like.shapeRef(), true);
    }

    /**
     * Like {@link #out(DType, int...)}, but the elements are unspecified (a recycled array is not cleared): for an op
     * that writes every element, such as a matrix product. Saves a pass over memory.
     */
    protected static Tensor outUninitialized(DType dtype, int... shape) {
        if (shape == null) throw new IllegalArgumentException("outUninitialized: shape is null");
        return Tensor.pooled(dtype, shape, false);
    }

    /** An uninitialized vector {@code [length]} (see {@link #outUninitialized(DType, int...)}; no varargs array). */
    protected static Tensor outUninitialized(DType dtype, int length) {
        return Tensor.pooled(dtype, 1, length, 0, false);
    }

    /** An uninitialized matrix {@code [rows, cols]} (see {@link #outUninitialized(DType, int...)}; no varargs array). */
    protected static Tensor outUninitialized(DType dtype, int rows, int cols) {
        return Tensor.pooled(dtype, 2, rows, cols, false);
    }

    /** An uninitialized tensor with the shape and dtype of {@code like} (see {@link #outUninitialized(DType, int...)}). */
    protected static Tensor outUninitializedLike(Tensor like) {
        return Tensor.pooled(like.dtype(), like.shapeRef(), false);
    }

    /** {@code buf} if it has length {@code n}, else a new array of that length. */
    private static Tensor[] own(Tensor[] buf, int n) {
        return buf != null && buf.length == n ? buf : new Tensor[n];
    }

    /**
     * A node of class {@code type} for the next {@link #apply}, for the static factory of an op class (see the class
     * documentation): inside a scope of a {@linkplain Workspace#reusingGraph() graph-reusing workspace}, one that an
     * earlier step of that workspace used and returned at its close (or {@code fresh.get()}, handed to the workspace
     * for the next step); elsewhere simply {@code fresh.get()}. Together with the fixed-arity {@code apply},
     * {@code save} and {@link #gradients(Tensor) gradients} this is what makes a repeated step allocate nothing.
     *
     * <p>The factory that calls this stores every parameter of the op in the node before returning it, and every other
     * field that forward and backward read is set by forward; give the op a private constructor so that the factory is
     * the only way to a node. {@code fresh} captures nothing (a constructor reference such as {@code Relu::new}; a
     * capturing lambda would itself be allocated on every call). The node must be applied in the scope that handed it
     * out.
     *
     * @param type  the op's exact class
     * @param fresh makes a new instance when none can be reused
     * @see Workspace#reusingGraph()
     */
    public static <F extends Function> F node(Class<F> type, java.util.function.Supplier<? extends F> fresh) {
        Workspace ws = Workspace.current();
        if (ws == null || !ws.reusesGraph()) return fresh.get();
        F f = ws.recycled(type);
        if (f == null) {
            f = fresh.get();
            if (f.getClass() != type) {
                throw new IllegalArgumentException("Function.node: the supplier made a " + f.getClass().getName() + ", not a " + type.getName());
            }
            ws.track(f);
        }
        return f;
    }

    /** Makes a node that a workspace took back at its close ready to be applied again. */
    void recycle() {
        applied = false;
        arity = -1;
        needsMask = 0;
        needsWide = null;
        saved = null;
        inputs = null;
        released = false;
        creationSite = null;
        clear(inputBuf);
        clear(saveBuf);
        clear(gradBuf);
    }

    private static void clear(Tensor[] a) {
        if (a != null) java.util.Arrays.fill(a, null);
    }

    /** The tensors passed to {@link #save}. */
    protected final Tensor[] saved() {
        if (released) {
            throw new IllegalStateException(name() + ": saved tensors were freed by an earlier backward(); "
                    + "call backward(gradOutput, true) to backpropagate through the same graph twice");
        }
        return saved;
    }

    /** True if input {@code i} needs a gradient (valid in backward, and in forward once inputs are known). */
    protected final boolean needsInputGrad(int i) {
        if (arity < 0) return false;
        java.util.Objects.checkIndex(i, arity);
        return needsWide != null ? needsWide[i] : (needsMask >>> i & 1) != 0;
    }

    /**
     * Runs the op: checks the inputs, calls {@link #forward} with recording off, and records this node in
     * the graph if grad mode is on and any input requires grad.
     *
     * @throws IllegalArgumentException for a null input array, null inputs or mixed dtypes
     * @throws IllegalStateException if this instance was already applied
     */
    public final Tensor apply(Tensor... in) {
        if (in == null) throw new IllegalArgumentException(name() + ": inputs array is null");
        checkNotApplied();
        return run(in, false);
    }

    /** {@link #apply(Tensor...)} of a one-input op, without an array per call. */
    public final Tensor apply(Tensor a) {
        checkNotApplied();
        Tensor[] in = inputBuf = own(inputBuf, 1);
        in[0] = a;
        return run(in, true);
    }

    /** {@link #apply(Tensor...)} of a two-input op, without an array per call. */
    public final Tensor apply(Tensor a, Tensor b) {
        checkNotApplied();
        Tensor[] in = inputBuf = own(inputBuf, 2);
        in[0] = a;
        in[1] = b;
        return run(in, true);
    }

    /** {@link #apply(Tensor...)} of a three-input op, without an array per call. */
    public final Tensor apply(Tensor a, Tensor b, Tensor c) {
        checkNotApplied();
        Tensor[] in = inputBuf = own(inputBuf, 3);
        in[0] = a;
        in[1] = b;
        in[2] = c;
        return run(in, true);
    }

    private void checkNotApplied() {
        if (applied) {
            throw new IllegalStateException(name() + ": a Function instance can be applied only once; create a new one per call");
        }
    }

    /** The body of {@code apply}; {@code owned}: {@code in} is this node's own array (no defensive copy needed). */
    private Tensor run(Tensor[] in, boolean owned) {
        applied = true;
        DType dtype = null;
        boolean any = false;
        long mask = 0;
        boolean[] wide = in.length > 64 ? new boolean[in.length] : null;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) throw new IllegalArgumentException(name() + ": input " + i + " is null");
            if (dtype == null) dtype = in[i].dtype();
            else if (in[i].dtype() != dtype) {
                throw new IllegalArgumentException(name() + ": mixed dtypes " + dtypes(in)
                        + "; convert with tensor.to(DType) so all inputs share one dtype");
            }
            boolean needs = in[i].requiresGrad();
            if (wide != null) wide[i] = needs;
            else if (needs) mask |= 1L << i;
            any |= needs;
        }
        boolean record = any && GradMode.isEnabled();
        arity = in.length;
        needsMask = record ? mask : 0;
        needsWide = wide == null ? null : record ? wide : new boolean[in.length];
        Tensor out;
        int[] noGrad = GradMode.suspend();
        try {
            out = forward(in);
        } finally {
            GradMode.resume(noGrad);
        }
        if (out == null) throw new IllegalStateException(name() + ": forward returned null");
        for (Tensor t : in) {
            if (out == t) {
                throw new IllegalStateException(name() + ": forward returned one of its inputs; return a new tensor (e.g. a view or copy)");
            }
        }
        if (AnomalyMode.isEnabled()) {
            creationSite = AnomalyMode.creationSite();
            checkForward(in, out);
        }
        if (record) {
            inputs = owned ? in : in.clone();
            out.markResult(this);
        } else {
            saved = null;
            clear(saveBuf);
            if (owned) clear(in);
        }
        return out;
    }

    private void checkForward(Tensor[] in, Tensor out) {
        for (Tensor t : in) if (!AnomalyMode.allFinite(t)) return;
        int bad = AnomalyMode.firstNonFinite(out);
        if (bad >= 0) {
            throw new AnomalyMode.AnomalyException("anomaly: forward of " + name() + " produced " + out.get(bad) + " at flat index " + bad
                    + " of its output " + Shape.str(out.shape()) + " from finite inputs (" + AnomalyMode.shapes(in) + "); created at " + creationSite);
        }
    }

    private void checkBackward(Tensor gradOutput, Tensor[] grads) {
        if (!AnomalyMode.allFinite(gradOutput)) return;
        for (Tensor t : inputs) if (!AnomalyMode.allFinite(t)) return;
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null || !needsInputGrad(i)) continue;
            int bad = AnomalyMode.firstNonFinite(grads[i]);
            if (bad >= 0) {
                throw new AnomalyMode.AnomalyException("anomaly: backward of " + name() + " produced " + grads[i].get(bad) + " in the gradient of input " + i
                        + " at flat index " + bad + " from a finite upstream gradient " + Shape.str(gradOutput.shape()) + " and finite inputs ("
                        + AnomalyMode.shapes(inputs) + "); created at " + creationSite);
            }
        }
    }

    /** Where this node was created (recorded only in anomaly mode), or null. */
    public final String creationSite() {
        return creationSite;
    }

    Tensor[] inputs() {
        return inputs;
    }

    boolean released() {
        return released;
    }

    Tensor[] runBackward(Tensor gradOutput) {
        if (released) saved(); // throws the explanatory message
        Tensor[] g;
        int[] noGrad = GradMode.suspend();
        try {
            g = backward(gradOutput);
        } finally {
            GradMode.resume(noGrad);
        }
        if (g == null || g.length != inputs.length) {
            throw new IllegalStateException(name() + ": backward returned " + (g == null ? "null" : g.length + " gradients")
                    + " for " + inputs.length + " inputs");
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i] != null && needsInputGrad(i)) {
                Tensor x = inputs[i];
                if (!g[i].sameShape(x) || g[i].dtype() != x.dtype()) {
                    throw new IllegalStateException(name() + ": backward returned a gradient of shape " + Shape.str(g[i].shape())
                            + " " + g[i].dtype() + " for input " + i + " of shape " + Shape.str(x.shape()) + " " + x.dtype());
                }
            }
        }
        if (creationSite != null && AnomalyMode.isEnabled()) checkBackward(gradOutput, g);
        return g;
    }

    /** Frees what backward needed: saved tensors and the links to the inputs, so a held output pins nothing. */
    void release() {
        saved = null;
        inputs = NO_INPUTS;
        released = true;
        clear(inputBuf);
        clear(saveBuf);
    }

    private static String dtypes(Tensor[] in) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < in.length; i++) sb.append(i > 0 ? ", " : "").append(in[i].dtype());
        return sb.append(']').toString();
    }
}
