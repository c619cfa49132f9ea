package dev.jgrad.nn.optim;

import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: PyTorch's {@code zeroGrad()} / {@code step()} lifecycle over a fixed list of
 * parameters, updated in place (no graph is recorded). Per-parameter state buffers (momentum, moments)
 * have the parameter's shape and dtype and are exposed by {@link #state()} for checkpoints.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected double lr;
    protected long steps;

    protected Optimizer(List<Tensor> params, double lr) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter " + i + " is null");
            if (!p.requiresGrad()) throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter of shape "
                    + java.util.Arrays.toString(p.shape()) + " does not require grad");
        }
        checkNonNegative("lr", lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Throws unless {@code v} is finite and {@code >= 0}. */
    protected final void checkNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " = " + v + " must be finite and >= 0");
    }

    /** Clears every parameter's gradient. */
    public void zeroGrad() {
        for (int i = 0; i < params.size(); i++) params.get(i).zeroGrad(); // no iterator: runs every step
    }

    /**
     * Applies one update to every parameter that has a gradient. Before touching anything it checks that
     * every gradient is finite, so a NaN/inf gradient leaves parameters and state unchanged.
     *
     * @throws IllegalStateException naming the parameter if a gradient is not finite
     */
    public final void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g == null || Kernels.allFinite(g.storage(), g.numel())) continue;
            for (int k = 0; k < g.numel(); k++) {
                if (!Double.isFinite(g.get(k))) {
                    throw new IllegalStateException(getClass().getSimpleName() + ".step: gradient of parameter " + i + " "
                            + java.util.Arrays.toString(params.get(i).shape()) + " has a non-finite value " + g.get(k) + " at " + k
                            + "; no parameter was changed");
                }
            }
        }
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() != null) update(i, p.storage(), p.grad().storage(), p.numel());
        }
    }

    /** Updates parameter {@code i} in place from its gradient. */
    protected abstract void update(int i, Storage p, Storage g, int n);

    /** Learning rate. */
    public double lr() {
        return lr;
    }

    /** Sets the learning rate (used by schedules). */
    public void setLr(double lr) {
        checkNonNegative("lr", lr);
        this.lr = lr;
    }

    /** Number of {@link #step()} calls so far. */
    public long steps() {
        return steps;
    }

    /** The parameters, in order. */
    public List<Tensor> params() {
        return params;
    }

    /** State buffers by name ({@code "<kind>.<index>"}), plus {@code "step"} and {@code "lr"} as scalars, for checkpoints. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Tensor.scalar(steps, dev.jgrad.core.DType.FLOAT64));
        s.put("lr", Tensor.scalar(lr, dev.jgrad.core.DType.FLOAT64));
        buffers().forEach((kind, list) -> {
            for (int i = 0; i < list.size(); i++) if (list.get(i) != null) s.put(kind + "." + i, list.get(i));
        });
        counters().forEach((kind, counts) -> {
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) s.put(kind + "." + i, Tensor.scalar(counts[i], dev.jgrad.core.DType.FLOAT64));
            }
        });
        return s;
    }

    /**
     * Per-parameter counters kept in the state as float64 scalars {@code "<kind>.<index>"} (only non-zero ones), such
     * as Adam's per-parameter step (PyTorch's {@code state[p]['step']}); none by default. The arrays are the
     * optimizer's own: {@link #loadState} overwrites them.
     */
    protected Map<String, long[]> counters() {
        return Map.of();
    }

    /**
     * Restores {@link #state()}; every buffer is checked for shape and dtype before anything is changed.
     *
     * @throws IllegalArgumentException naming the entry on a mismatch or a missing step/lr
     */
    public void loadState(Map<String, Tensor> s) {
        if (s == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state is null");
        if (!s.containsKey("step") || !s.containsKey("lr")) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state lacks step/lr");
        double stepValue = stateScalar(s, "step");
        double newLr = stateScalar(s, "lr");
        if (!(stepValue >= 0) || stepValue != Math.rint(stepValue)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state 'step' = " + stepValue + " is not a count");
        }
        long newSteps = (long) stepValue;
        checkNonNegative("lr", newLr);
        Map<String, List<Tensor>> bufs = buffers();
        Map<String, long[]> counts = counters();
        Map<String, long[]> newCounts = new LinkedHashMap<>();
        counts.forEach((kind, c) -> newCounts.put(kind, new long[c.length]));
        boolean[] hasBuffer = new boolean[params.size()];
        List<Runnable> apply = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey();
            if (k.equals("step") || k.equals("lr")) continue;
            int dot = k.lastIndexOf('.');
            String kind = dot < 0 ? null : k.substring(0, dot);
            List<Tensor> list = kind == null ? null : bufs.get(kind);
            long[] counter = kind == null ? null : newCounts.get(kind);
            int idx;
            try {
                idx = dot < 0 ? -1 : Integer.parseInt(k.substring(dot + 1));
            } catch (NumberFormatException ex) {
                idx = -1;
            }
            if (list == null && counter == null || idx < 0 || idx >= params.size()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown optimizer state entry '" + k + "'");
            }
            if (counter != null) {
                double c = stateScalar(s, k);
                if (!(c >= 0) || c != Math.rint(c) || c > Long.MAX_VALUE) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state '" + k + "' = " + c + " is not a count");
                }
                counter[idx] = (long) c;
                continue;
            }
            params.get(idx).checkSameShape(getClass().getSimpleName() + " state '" + k + "'", e.getValue());
            hasBuffer[idx] = true;
            final int j = idx;
            final Tensor v = e.getValue().copy();
            apply.add(() -> list.set(j, v));
        }
        // a state without a counter's entries (written before the counter existed) counts every parameter that has
        // buffers as having taken every step
        newCounts.forEach((kind, c) -> {
            boolean present = false;
            for (String k : s.keySet()) present |= k.startsWith(kind + ".");
            if (!present) for (int i = 0; i < c.length; i++) c[i] = hasBuffer[i] ? newSteps : 0;
        });
        // replace the whole state (like PyTorch's load_state_dict): buffers absent from s start afresh
        bufs.values().forEach(list -> list.replaceAll(t -> null));
        apply.forEach(Runnable::run);
        counts.forEach((kind, c) -> System.arraycopy(newCounts.get(kind), 0, c, 0, c.length));
        steps = newSteps;
        lr = newLr;
    }

    private double stateScalar(Map<String, Tensor> s, String key) {
        Tensor t = s.get(key);
        if (t == null || t.numel() != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state '" + key + "' must be a scalar, got "
                    + (t == null ? "null" : java.util.Arrays.toString(t.shape())));
        }
        return t.item();
    }

    /** The optimizer's state lists, one entry per parameter (null until first used). */
    protected abstract Map<String, List<Tensor>> buffers();

    /** A list of {@code n} nulls. */
    protected static List<Tensor> slots(int n) {
        List<Tensor> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(null);
        return l;
    }

    /** The buffer of parameter {@code i} in {@code list}, created as zeros on first use. */
    protected final Storage buffer(List<Tensor> list, int i) {
        Tensor t = list.get(i);
        if (t == null) {
            t = Tensor.zerosLike(params.get(i));
            list.set(i, t);
        }
        return t.storage();
    }
}
