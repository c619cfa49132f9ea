package dev.jgrad.nn;

import dev.jgrad.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer or a network: a differentiable function with named, ordered parameters and a train/eval mode.
 *
 * <p>Subclasses register their parameters and child modules in the constructor; {@link #namedParameters()}
 * then lists them depth-first in registration order with dotted names ({@code "0.weight"},
 * {@code "0.bias"}, ...), the names checkpoints use.
 *
 * <p>A module may also hold <em>buffers</em> ({@link #registerBuffer}): state that is saved and loaded with the
 * parameters but not trained, such as batch norm's running statistics. {@link #stateDict()} lists parameters and
 * buffers in PyTorch's {@code state_dict()} order: each module's own parameters, then its own buffers, then its
 * children's entries under {@code "<child>."}.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> integral = new LinkedHashSet<>();
    private boolean training = true;

    /** Applies the module. */
    public abstract Tensor forward(Tensor x);

    /** Registers a parameter (a leaf tensor that requires grad); returns it. */
    protected final Tensor registerParameter(String name, Tensor p) {
        if (p == null) throw new IllegalArgumentException(label() + ": parameter '" + name + "' is null");
        checkFresh("parameter", name);
        params.put(name, p.requiresGrad(true));
        return p;
    }

    /**
     * Registers a buffer: a tensor saved in checkpoints and state dicts but not trained (it must not require grad),
     * such as a running mean. Its values are updated in place by the module. Returns it.
     */
    protected final Tensor registerBuffer(String name, Tensor b) {
        return registerBuffer(name, b, false);
    }

    /**
     * Registers a buffer; {@code integral} marks one that holds whole numbers (a step counter such as batch norm's
     * {@code num_batches_tracked}), which plain state dicts store as 64-bit integers as PyTorch does.
     */
    protected final Tensor registerBuffer(String name, Tensor b, boolean integral) {
        if (b == null) throw new IllegalArgumentException(label() + ": buffer '" + name + "' is null");
        if (b.requiresGrad()) throw new IllegalArgumentException(label() + ": buffer '" + name + "' must not require grad");
        checkFresh("buffer", name);
        buffers.put(name, b);
        if (integral) this.integral.add(name);
        return b;
    }

    private void checkFresh(String kind, String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(label() + ": " + kind + " name '" + name + "' must be non-empty and without '.'");
        }
        if (params.containsKey(name) || children.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException(label() + ": duplicate " + kind + " name '" + name + "'");
        }
    }

    /** Registers a child module; returns it. */
    protected final <M extends Module> M registerModule(String name, M child) {
        if (child == null) throw new IllegalArgumentException(label() + ": module '" + name + "' is null");
        checkFresh("module", name);
        children.put(name, child);
        return child;
    }

    /** The class name for messages (the full name for anonymous classes). */
    private String label() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? getClass().getName() : n;
    }

    /** All parameters, depth-first in registration order, with dotted names. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    /** All buffers, depth-first in registration order, with dotted names ({@code "bn.running_mean"}). */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out, null);
        return Collections.unmodifiableMap(out);
    }

    /** The dotted names of the buffers registered as integral (whole-number counters). */
    public final Set<String> integralBuffers() {
        Set<String> out = new LinkedHashSet<>();
        collectBuffers("", new LinkedHashMap<>(), out);
        return Collections.unmodifiableSet(out);
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out, Set<String> integralOut) {
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        if (integralOut != null) integral.forEach(k -> integralOut.add(prefix + k));
        children.forEach((k, m) -> m.collectBuffers(prefix + k + ".", out, integralOut));
    }

    /**
     * Parameters and buffers in PyTorch's {@code state_dict()} order: each module's parameters, then its buffers,
     * then its children's entries (the live tensors, not copies).
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collectState(prefix + k + ".", out));
    }

    /** All parameters in {@link #namedParameters()} order. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Sets training mode (dropout active) on this module and its children; returns {@code this}. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    /** Evaluation mode: {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    /** True in training mode (the default). */
    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of every parameter. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** This module and all its descendants, depth-first in registration order. */
    public final List<Module> modules() {
        List<Module> out = new ArrayList<>();
        out.add(this);
        children.values().forEach(m -> out.addAll(m.modules()));
        return out;
    }

    /** Child modules in registration order. */
    protected final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }
}
