package dev.jgrad.nn;

import dev.jgrad.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a network: a differentiable function with named, ordered parameters and a train/eval mode.
 *
 * <p>Subclasses register their parameters and child modules in the constructor; {@link #namedParameters()}
 * then lists them depth-first in registration order with dotted names ({@code "0.weight"},
 * {@code "0.bias"}, ...), the names checkpoints use.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Applies the module. */
    public abstract Tensor forward(Tensor x);

    /** Registers a parameter (a leaf tensor that requires grad); returns it. */
    protected final Tensor registerParameter(String name, Tensor p) {
        if (p == null) throw new IllegalArgumentException(label() + ": parameter '" + name + "' is null");
        if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException(label() + ": duplicate parameter name '" + name + "'");
        params.put(name, p.requiresGrad(true));
        return p;
    }

    /** Registers a child module; returns it. */
    protected final <M extends Module> M registerModule(String name, M child) {
        if (child == null) throw new IllegalArgumentException(label() + ": module '" + name + "' is null");
        if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException(label() + ": duplicate module name '" + name + "'");
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
