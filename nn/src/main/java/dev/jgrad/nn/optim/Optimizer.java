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
/**
 * Base of the optimizers: PyTorch's {@code zeroGrad()} / {@code step()} lifecycle over a fixed list of
 * parameters, updated in place (no graph is recorded). Per-parameter state buffers (momentum, moments)
 * have the parameter's shape and dtype and are exposed by {@link #state()} for checkpoints.
 *
 * <p>Parameters come in {@linkplain ParamGroup groups} (PyTorch's {@code param_groups}), each with its own
 * hyper-parameters (options, by PyTorch's names: {@code lr}, {@code weight_decay}, ...); the constructors taking a plain
 * list make one group. {@link #lr()} / {@link #setLr(double)} read group 0 and set every group;
 * {@link #lr(int)} / {@link #setLr(int, double)} address one group. Schedulers ({@link LrScheduler}) scale each
 * group's initial rate ({@link #initialLr(int)}, PyTorch's {@code initial_lr}).
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected long steps;
    /** Option names, {@code "lr"} first, in the order of {@link #options}' columns. */
    private final String[] optionNames;
    /** {@code options[group][option]}: each group's hyper-parameters (booleans as 0/1). */
    private final double[][] options;
    /** Each group's rate at construction (PyTorch's {@code initial_lr}). */
    private final double[] initialLrs;
    /** The group of each parameter. */
    private final int[] groupOf;

    /**
     * Groups of parameters with options over {@code defaults} (an ordered map whose first key is {@code "lr"}); each
     * group's options are checked by {@link #checkOptions}.
     *
     * @throws IllegalArgumentException on no parameters, a null parameter or one without grad, a parameter in two
     *                                  groups, an unknown option or an option out of range (naming group and option)
     */
    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        String name = getClass().getSimpleName();
        if (groups == null) throw new IllegalArgumentException(name + ": groups is null");
        if (groups.isEmpty()) throw new IllegalArgumentException(name + ": no parameters to optimize");
        optionNames = defaults.keySet().toArray(new String[0]);
        options = new double[groups.size()][optionNames.length];
        initialLrs = new double[groups.size()];
        List<Tensor> all = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            if (group == null) throw new IllegalArgumentException(name + ": parameter group " + g + " is null");
            for (String k : group.options.keySet()) {
                if (!defaults.containsKey(k)) {
                    throw new IllegalArgumentException(name + ": parameter group " + g + " has unknown option '" + k + "' (known: "
                            + String.join(", ", optionNames) + ")");
                }
            }
            Map<String, Double> o = new LinkedHashMap<>(defaults);
            o.putAll(group.options);
            checkOptions(groups.size() == 1 ? "" : "parameter group " + g + ": ", o);
            for (int j = 0; j < optionNames.length; j++) options[g][j] = o.get(optionNames[j]);
            initialLrs[g] = options[g][0];
            for (Tensor p : group.params) {
                int i = all.size();
                if (p == null) throw new IllegalArgumentException(name + ": parameter " + i + " is null");
                if (!p.requiresGrad()) throw new IllegalArgumentException(name + ": parameter of shape "
                        + java.util.Arrays.toString(p.shape()) + " does not require grad");
                if (!seen.add(p)) throw new IllegalArgumentException(name + ": parameter " + i + " "
                        + java.util.Arrays.toString(p.shape()) + " appears in more than one place (group " + g + ")");
                all.add(p);
                owner.add(g);
            }
        }
        if (all.isEmpty()) throw new IllegalArgumentException(name + ": no parameters to optimize");
        this.params = List.copyOf(all);
        this.groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
    }

    /** An ordered, unmodifiable map of option defaults from alternating names and numbers ({@code "lr"} first). */
    protected static Map<String, Double> defaults(Object... nameValue) {
        Map<String, Double> d = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) d.put((String) nameValue[i], ((Number) nameValue[i + 1]).doubleValue());
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * Checks one group's options (all of them, defaults filled in) and throws an {@link IllegalArgumentException}
     * starting with {@code where} on a bad one; the base checks only {@code lr}. Called from the constructor: it must
     * not read the subclass's fields.
     */
    protected void checkOptions(String where, Map<String, Double> o) {
        checkNonNegative(where + "lr", o.get("lr"));
    }

    /** Throws unless {@code v} is finite and {@code >= 0}. */
    protected final void checkNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " = " + v + " must be finite and >= 0");
    }

    /** Throws unless {@code v} is in {@code [0, 1)}. */
    protected final void checkFraction(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " = " + v + " must be in [0, 1)");
    }

    /** Option {@code j} (the column of the subclass's defaults map) of group {@code g}. */
    protected final double option(int g, int j) {
        return options[g][j];
    }

    /** Boolean option {@code j} of group {@code g}. */
    protected final boolean flag(int g, int j) {
        return options[g][j] != 0;
    }

    /** The group of parameter {@code i}. */
    public final int groupOf(int i) {
        return groupOf[i];
    }

    /** Number of parameter groups. */
    public final int groupCount() {
        return options.length;
    }

    /** Option {@code name} of group {@code g}, by PyTorch's name (booleans as 0/1). */
    public final double option(int g, String name) {
        if (name == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": option name is null");
        for (int j = 0; j < optionNames.length; j++) if (optionNames[j].equals(name)) return options[g][j];
        throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown option '" + name + "' (known: " + String.join(", ", optionNames) + ")");
    }

    /**
     * Sets option {@code name} of group {@code g} (used by schedulers that cycle momentum); checked like the
     * constructor's options, nothing changed on a bad value.
     */
    public final void setOption(int g, String name, double value) {
        option(g, name);
        Map<String, Double> o = new LinkedHashMap<>();
        for (int j = 0; j < optionNames.length; j++) o.put(optionNames[j], options[g][j]);
        o.put(name, value);
        checkOptions(options.length == 1 ? "" : "parameter group " + g + ": ", o);
        for (int j = 0; j < optionNames.length; j++) if (optionNames[j].equals(name)) options[g][j] = value;
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

    /** Learning rate of group 0 (the only one unless groups were given). */
    public double lr() {
        return options[0][0];
    }

    /** Learning rate of group {@code g}. */
    public double lr(int g) {
        return options[g][0];
    }

    /** The rate group {@code g} had at construction (PyTorch's {@code initial_lr}, a scheduler's base rate). */
    public double initialLr(int g) {
        return initialLrs[g];
    }

    /** Sets the learning rate of every group. */
    public void setLr(double lr) {
        checkNonNegative("lr", lr);
        for (double[] o : options) o[0] = lr;
    }

    /** Sets the learning rate of group {@code g} (used by schedulers). */
    public void setLr(int g, double lr) {
        checkNonNegative(options.length == 1 ? "lr" : "parameter group " + g + ": lr", lr);
        options[g][0] = lr;
    }

    /** Number of {@link #step()} calls so far. */
    public long steps() {
        return steps;
    }

    /** The parameters, in order. */
    public List<Tensor> params() {
        return params;
    }

    /**
     * State buffers by name ({@code "<kind>.<index>"}), plus {@code "step"} and {@code "lr"} (group 0's rate) as scalars,
     * and with several groups each further group's rate as {@code "group_lr.<group>"}, for checkpoints.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Tensor.scalar(steps, dev.jgrad.core.DType.FLOAT64));
        s.put("lr", Tensor.scalar(options[0][0], dev.jgrad.core.DType.FLOAT64));
        for (int g = 1; g < options.length; g++) s.put("group_lr." + g, Tensor.scalar(options[g][0], dev.jgrad.core.DType.FLOAT64));
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
     * Restores {@link #state()}; every entry is checked before anything is changed: buffers for shape and dtype, finite
     * values (second moments and accumulators also {@code >= 0}), step counts whole, non-negative and at most
     * {@code step}, entry indices in canonical decimal form (so one slot cannot be named twice, as in {@code exp_avg.0}
     * and {@code exp_avg.00}).
     *
     * @param state the entries of a {@link #state()}
     * @throws IllegalArgumentException naming the entry on a mismatch, a bad value, a slot named twice or a missing step/lr
     */
    public void loadState(Map<String, Tensor> state) {
        if (state == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state is null");
        Map<String, Tensor> s = state;
        if (!s.containsKey("step") || !s.containsKey("lr")) throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state lacks step/lr");
        double stepValue = stateScalar(s, "step");
        double newLr = stateScalar(s, "lr");
        if (!(stepValue >= 0) || stepValue != Math.rint(stepValue)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state 'step' = " + stepValue + " is not a count");
        }
        long newSteps = (long) stepValue;
        checkNonNegative("lr", newLr);
        double[] newLrs = new double[options.length];
        newLrs[0] = newLr;
        for (int g = 1; g < options.length; g++) {
            newLrs[g] = s.containsKey("group_lr." + g) ? stateScalar(s, "group_lr." + g) : options[g][0];
            checkNonNegative("group_lr." + g, newLrs[g]);
        }
        Map<String, List<Tensor>> bufs = buffers();
        Map<String, long[]> counts = counters();
        Map<String, long[]> newCounts = new LinkedHashMap<>();
        counts.forEach((kind, c) -> newCounts.put(kind, new long[c.length]));
        boolean[] hasBuffer = new boolean[params.size()];
        List<Runnable> apply = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey();
            if (k.equals("step") || k.equals("lr")) continue;
            if (k.startsWith("group_lr.")) {
                String gs = k.substring("group_lr.".length());
                if (!gs.matches("[1-9][0-9]{0,8}") || Integer.parseInt(gs) >= options.length) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown optimizer state entry '" + k + "' ("
                            + options.length + " parameter group(s))");
                }
                continue;
            }
            int dot = k.lastIndexOf('.');
            String kind = dot < 0 ? null : k.substring(0, dot);
            List<Tensor> list = kind == null ? null : bufs.get(kind);
            long[] counter = kind == null ? null : newCounts.get(kind);
            // canonical decimal only: "exp_avg.00" or "exp_avg.+0" would name slot 0 a second time
            String digits = dot < 0 ? "" : k.substring(dot + 1);
            int idx = digits.matches("0|[1-9][0-9]{0,8}") ? Integer.parseInt(digits) : -1;
            if (idx < 0 && (list != null || counter != null) && digits.matches("[+-]?[0-9]{1,10}")) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state entry '" + k
                        + "' is not in canonical form '" + kind + "." + Long.parseLong(digits) + "' (one slot named twice?)");
            }
            if (list == null && counter == null || idx < 0 || idx >= params.size()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown optimizer state entry '" + k + "'");
            }
            if (counter != null) {
                double c = stateScalar(s, k);
                if (!(c >= 0) || c != Math.rint(c) || c > Long.MAX_VALUE) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state '" + k + "' = " + c + " is not a count");
                }
                if (c > newSteps) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state '" + k + "' = " + (long) c
                            + " exceeds the optimizer's step " + newSteps + "; nothing was loaded");
                }
                counter[idx] = (long) c;
                continue;
            }
            params.get(idx).checkSameShape(getClass().getSimpleName() + " state '" + k + "'", e.getValue());
            checkBufferValues(k, kind, e.getValue());
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
        for (int g = 0; g < options.length; g++) options[g][0] = newLrs[g];
    }

    /**
     * Buffer kinds that are second moments or accumulators (squares): {@link #loadState} requires them {@code >= 0}
     * (besides finite, as every buffer).
     */
    protected java.util.Set<String> nonNegativeBuffers() {
        return java.util.Set.of();
    }

    private void checkBufferValues(String key, String kind, Tensor t) {
        boolean nonNegative = nonNegativeBuffers().contains(kind);
        for (int k = 0; k < t.numel(); k++) {
            double x = t.get(k);
            if (!Double.isFinite(x) || nonNegative && x < 0) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer state '" + key + "' has " + x + " at " + k
                        + " (must be finite" + (nonNegative ? " and >= 0" : "") + "); nothing was loaded");
            }
        }
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

    /**
     * Builds an optimizer from parameter groups: options set on the builder are the defaults of every group, options
     * set on a group override them; options set nowhere take the optimizer's (PyTorch's) defaults.
     *
     * @param <O> the optimizer
     */
    public static final class Builder<O extends Optimizer> {
        private final ParamGroup defaults = new ParamGroup(List.of());
        private final List<ParamGroup> groups = new ArrayList<>();
        private final java.util.function.Function<List<ParamGroup>, O> factory;

        Builder(java.util.function.Function<List<ParamGroup>, O> factory) {
            this.factory = factory;
        }

        /** Default learning rate of the groups. */
        public Builder<O> lr(double lr) {
            defaults.lr(lr);
            return this;
        }

        /** Default weight decay of the groups. */
        public Builder<O> weightDecay(double weightDecay) {
            defaults.weightDecay(weightDecay);
            return this;
        }

        /** Sets further defaults of the groups, e.g. {@code b.defaults(d -> d.betas(0.9, 0.99).amsgrad(true))}. */
        public Builder<O> defaults(java.util.function.Consumer<ParamGroup> set) {
            if (set == null) throw new IllegalArgumentException("Optimizer.Builder: set is null");
            set.accept(defaults);
            return this;
        }

        /** A group of {@code params} with the defaults. */
        public Builder<O> group(List<Tensor> params) {
            return group(params, g -> { });
        }

        /** A group of {@code params} with the defaults overridden by {@code set}, e.g. {@code g -> g.weightDecay(0)}. */
        public Builder<O> group(List<Tensor> params, java.util.function.Consumer<ParamGroup> set) {
            ParamGroup g = new ParamGroup(params);
            if (set == null) throw new IllegalArgumentException("Optimizer.Builder: set is null");
            set.accept(g);
            groups.add(g);
            return this;
        }

        /** The optimizer; its constructor validates every group. */
        public O build() {
            List<ParamGroup> merged = new ArrayList<>();
            for (ParamGroup g : groups) {
                ParamGroup m = new ParamGroup(g.params);
                m.options.putAll(defaults.options);
                m.options.putAll(g.options);
                merged.add(m);
            }
            return factory.apply(merged);
        }
    }

    /**
     * Whether an update can run in the SIMD lanes ({@code UpdateLanesF32} / the generated {@code UpdateLanesF64}): the
     * backend runs on the Vector API and the parameter {@code p} and every other given storage ({@code null}s, absent
     * buffers, are skipped) share one element type, float32 or float64.
     */
    static boolean inLanes(dev.jgrad.core.kernel.KernelBackend kernels, Storage p, Storage g, Storage a, Storage b, Storage c) {
        if (!kernels.simd()) return false;
        if (p instanceof Storage.F32) {
            return g instanceof Storage.F32 && (a == null || a instanceof Storage.F32) && (b == null || b instanceof Storage.F32)
                    && (c == null || c instanceof Storage.F32);
        }
        return p instanceof Storage.F64 && g instanceof Storage.F64 && (a == null || a instanceof Storage.F64)
                && (b == null || b instanceof Storage.F64) && (c == null || c instanceof Storage.F64);
    }

    /** The array of a float32 storage, or null for null. */
    static float[] f32(Storage s) {
        return s == null ? null : ((Storage.F32) s).a;
    }

    /** The array of a float64 storage, or null for null. */
    static double[] f64(Storage s) {
        return s == null ? null : ((Storage.F64) s).a;
    }
}
