package dev.jgrad.core;


/**
 * A differentiable op: forward and backward side by side. This is the public way to add an op, and the
 * one every built-in op uses.
 *
 * <p>Subclass it, compute the result in {@link #forward}, save only what backward needs with
 * {@link #save}, and in {@link #backward} return one gradient per input (or {@code null} for an input
 * that needs none — see {@link #needsInputGrad}). Each instance is applied once:
 * <pre>{@code
 * final class Square extends Function {
 *     protected Tensor forward(Tensor... in) {
 *         save(in[0]);
 *         return Ops.mul(in[0], in[0]);             // runs without recording a graph
 *     }
 *     protected Tensor[] backward(Tensor g) {
 *         Tensor x = saved()[0];
 *         return new Tensor[]{Ops.mul(g, Ops.mul(x, 2.0))};
 *     }
 * }
 * Tensor y = new Square().apply(x);
 * }</pre>
 *
 * <p>Both {@code forward} and {@code backward} run with gradient recording off, so they may use any op.
 * The engine checks that each returned gradient has its input's shape and dtype, and accumulates it. A
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
        if (applied) {
            throw new IllegalStateException(name() + ": a Function instance can be applied only once; create a new one per call");
        }
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
            inputs = in.clone();
            out.markResult(this);
        } else {
            saved = null;
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
    }

    private static String dtypes(Tensor[] in) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < in.length; i++) sb.append(i > 0 ? ", " : "").append(in[i].dtype());
        return sb.append(']').toString();
    }
}
