package dev.jgrad.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One immutable PyTorch reference case of format {@code loss-conformance/1}: an op applied to named
 * inputs with keyword options, the expected forward output, the upstream gradient and the expected
 * gradients of {@code sum(output * grad_output)} with respect to the inputs named in
 * {@link #requiresGrad()}.
 *
 * <p>Options keep the JSON value kinds: {@code null} (option given as "not given", e.g.
 * {@code "weight": null}), {@link Long} (JSON integer), {@link Double} (JSON number with a fraction or
 * exponent), {@link Boolean}, {@link String}, or {@link CaseTensor} (tensor-valued options such as
 * {@code weight} and {@code pos_weight}). {@link #hasOption(String)} distinguishes an option present
 * with value {@code null} from an absent one.
 *
 * <p>Cases are built by {@link CaseReader} or with {@link #builder(String, String, String)}; both
 * validate the invariants of the format (see {@link Builder#build()}).
 */
public final class ConformanceCase {

    private final String name;
    private final String op;
    private final String dtype;
    private final Map<String, CaseTensor> inputs;
    private final Map<String, Object> options;
    private final List<String> requiresGrad;
    private final CaseTensor output;
    private final CaseTensor gradOutput;
    private final Map<String, CaseTensor> grads;
    private final Tolerance tolerance;
    private final String note;

    private ConformanceCase(Builder b) {
        this.name = b.name;
        this.op = b.op;
        this.dtype = b.dtype;
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.inputs));
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.requiresGrad = List.copyOf(b.requiresGrad);
        this.output = b.output;
        this.gradOutput = b.gradOutput;
        this.grads = Collections.unmodifiableMap(new LinkedHashMap<>(b.grads));
        this.tolerance = b.tolerance;
        this.note = b.note;
    }

    /**
     * Starts building a case.
     *
     * @param name  unique case name, e.g. {@code nll_loss/plain/none/float32/0}
     * @param op    op name, e.g. {@code nll_loss}
     * @param dtype {@code "float32"} or {@code "float64"}
     * @return a builder
     */
    public static Builder builder(String name, String op, String dtype) {
        return new Builder(name, op, dtype);
    }

    /** @return the unique case name ({@code op/variant/.../dtype/k}) */
    public String name() {
        return name;
    }

    /** @return the op name */
    public String op() {
        return op;
    }

    /** @return the dtype of every floating tensor of the case: {@code "float32"} or {@code "float64"} */
    public String dtype() {
        return dtype;
    }

    /** @return {@code true} if the name marks an edge case ({@code /edge/} in the name) */
    public boolean isEdge() {
        return name.contains("/edge/");
    }

    /** @return the tensor arguments keyed by PyTorch argument name, in file order; unmodifiable */
    public Map<String, CaseTensor> inputs() {
        return inputs;
    }

    /**
     * @param inputName a PyTorch argument name ({@code input}, {@code target}, {@code other}, ...)
     * @return {@code true} if the case has that input
     */
    public boolean hasInput(String inputName) {
        return inputs.containsKey(inputName);
    }

    /**
     * @param inputName a PyTorch argument name
     * @return the input tensor
     * @throws IllegalArgumentException if the case has no such input
     */
    public CaseTensor input(String inputName) {
        CaseTensor t = inputs.get(inputName);
        if (t == null) {
            throw new IllegalArgumentException(name + ": no input '" + inputName + "' (has " + inputs.keySet() + ")");
        }
        return t;
    }

    /**
     * @return the keyword options in file order; values may be {@code null}; unmodifiable
     */
    public Map<String, Object> options() {
        return options;
    }

    /**
     * @param option option name
     * @return {@code true} if the option is present, even with value {@code null}
     */
    public boolean hasOption(String option) {
        return options.containsKey(option);
    }

    /**
     * @param option option name
     * @return the raw option value; {@code null} if absent or given as JSON {@code null}
     */
    public Object option(String option) {
        return options.get(option);
    }

    /**
     * A tensor-valued option such as {@code weight} or {@code pos_weight}.
     *
     * @param option option name
     * @return the tensor, or {@code null} if the option is absent or JSON {@code null}
     * @throws IllegalArgumentException if the option holds a non-tensor value
     */
    public CaseTensor optionTensor(String option) {
        Object v = options.get(option);
        if (v == null || v instanceof CaseTensor) {
            return (CaseTensor) v;
        }
        throw wrongType(option, "a tensor", v);
    }

    /**
     * An integer option such as {@code ignore_index} or {@code dim}.
     *
     * @param option       option name
     * @param defaultValue returned if the option is absent or {@code null}
     * @return the value
     * @throws IllegalArgumentException if the option holds a non-integer value
     */
    public long optionLong(String option, long defaultValue) {
        Object v = options.get(option);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        throw wrongType(option, "an integer", v);
    }

    /**
     * A list-valued integer option such as {@code dim=[0, 2]}, a shape or a permutation (a JSON array of integers);
     * a single JSON integer is read as a list of one.
     *
     * @param option       option name
     * @param defaultValue returned if the option is absent or {@code null}
     * @return a copy of the values
     * @throws IllegalArgumentException if the option holds anything else
     */
    public long[] optionLongs(String option, long[] defaultValue) {
        Object v = options.get(option);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof long[] a) {
            return a.clone();
        }
        if (v instanceof Long l) {
            return new long[] {l};
        }
        throw wrongType(option, "a list of integers", v);
    }

    /**
     * A numeric option such as {@code label_smoothing}, {@code beta}; JSON integers are accepted too.
     *
     * @param option       option name
     * @param defaultValue returned if the option is absent or {@code null}
     * @return the value
     * @throws IllegalArgumentException if the option holds a non-numeric value
     */
    public double optionDouble(String option, double defaultValue) {
        Object v = options.get(option);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Double || v instanceof Long) {
            return ((Number) v).doubleValue();
        }
        throw wrongType(option, "a number", v);
    }

    /**
     * A boolean option such as {@code keepdim} or {@code log_target}.
     *
     * @param option       option name
     * @param defaultValue returned if the option is absent or {@code null}
     * @return the value
     * @throws IllegalArgumentException if the option holds a non-boolean value
     */
    public boolean optionBoolean(String option, boolean defaultValue) {
        Object v = options.get(option);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw wrongType(option, "a boolean", v);
    }

    /**
     * A string option such as {@code reduction}.
     *
     * @param option       option name
     * @param defaultValue returned if the option is absent or {@code null}
     * @return the value
     * @throws IllegalArgumentException if the option holds a non-string value
     */
    public String optionString(String option, String defaultValue) {
        Object v = options.get(option);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String) {
            return (String) v;
        }
        throw wrongType(option, "a string", v);
    }

    private IllegalArgumentException wrongType(String option, String wanted, Object v) {
        return new IllegalArgumentException(name + ": option '" + option + "' is not " + wanted + ": "
                + v + " (" + v.getClass().getSimpleName() + ")");
    }

    /** @return names of the inputs whose gradients are checked, in file order; unmodifiable */
    public List<String> requiresGrad() {
        return requiresGrad;
    }

    /** @return the expected forward result */
    public CaseTensor output() {
        return output;
    }

    /** @return the upstream gradient, same shape as {@link #output()} */
    public CaseTensor gradOutput() {
        return gradOutput;
    }

    /**
     * @return the expected gradient for each name in {@link #requiresGrad()}, in that order;
     *         unmodifiable
     */
    public Map<String, CaseTensor> grads() {
        return grads;
    }

    /**
     * @param inputName a name in {@link #requiresGrad()}
     * @return the expected gradient w.r.t. that input
     * @throws IllegalArgumentException if the case does not check that gradient
     */
    public CaseTensor grad(String inputName) {
        CaseTensor t = grads.get(inputName);
        if (t == null) {
            throw new IllegalArgumentException(name + ": no expected gradient for '" + inputName + "'");
        }
        return t;
    }

    /** @return the tolerance of the case (always use it; float32 {@code atol} varies per case) */
    public Tolerance tolerance() {
        return tolerance;
    }

    /** @return the relative tolerance */
    public double rtol() {
        return tolerance.rtol();
    }

    /** @return the absolute tolerance */
    public double atol() {
        return tolerance.atol();
    }

    /** @return the informational note explaining a non-finite or surprising expected value, if any */
    public Optional<String> note() {
        return Optional.ofNullable(note);
    }

    /** @return the case name */
    @Override
    public String toString() {
        return name;
    }

    /**
     * Mutable builder of a {@link ConformanceCase}; {@link #build()} validates.
     */
    public static final class Builder {
        private final String name;
        private final String op;
        private final String dtype;
        private final Map<String, CaseTensor> inputs = new LinkedHashMap<>();
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final List<String> requiresGrad = new ArrayList<>();
        private CaseTensor output;
        private CaseTensor gradOutput;
        private final Map<String, CaseTensor> grads = new LinkedHashMap<>();
        private Tolerance tolerance;
        private String note;

        private Builder(String name, String op, String dtype) {
            this.name = name;
            this.op = op;
            this.dtype = dtype;
        }

        /**
         * Adds (or replaces) an input tensor.
         *
         * @param inputName PyTorch argument name
         * @param t         the tensor
         * @return this builder
         */
        public Builder input(String inputName, CaseTensor t) {
            inputs.put(Objects.requireNonNull(inputName, "inputName"), Objects.requireNonNull(t, "tensor"));
            return this;
        }

        /**
         * Adds (or replaces) an option.
         *
         * @param option option name
         * @param value  {@code null}, {@link Long}, {@link Double}, {@link Boolean}, {@link String} or
         *               {@link CaseTensor} or {@code long[]} (a list-valued option, copied); an {@link Integer} is stored as a
         *               {@link Long}
         * @return this builder
         * @throws IllegalArgumentException for any other value type
         */
        public Builder option(String option, Object value) {
            Objects.requireNonNull(option, "option");
            if (value instanceof Integer) {
                value = ((Integer) value).longValue();
            }
            if (value instanceof long[] list) {
                value = list.clone();
            }
            if (value != null && !(value instanceof Long || value instanceof Double || value instanceof Boolean
                    || value instanceof String || value instanceof CaseTensor || value instanceof long[])) {
                throw new IllegalArgumentException("option '" + option + "' has unsupported value type "
                        + value.getClass().getName());
            }
            options.put(option, value);
            return this;
        }

        /**
         * Declares that the gradient w.r.t. an input is checked, with its expected value.
         *
         * @param inputName name of an input
         * @param expected  expected gradient
         * @return this builder
         */
        public Builder grad(String inputName, CaseTensor expected) {
            Objects.requireNonNull(inputName, "inputName");
            if (!requiresGrad.contains(inputName)) {
                requiresGrad.add(inputName);
            }
            grads.put(inputName, Objects.requireNonNull(expected, "expected"));
            return this;
        }

        /**
         * Sets the {@code requires_grad} list explicitly (file order); {@link #build()} checks it names
         * the same inputs as the {@link #grad} entries.
         *
         * @param names input names
         * @return this builder
         */
        public Builder requiresGrad(List<String> names) {
            requiresGrad.clear();
            requiresGrad.addAll(names);
            return this;
        }

        /**
         * @param t expected forward output
         * @return this builder
         */
        public Builder output(CaseTensor t) {
            this.output = t;
            return this;
        }

        /**
         * @param t upstream gradient
         * @return this builder
         */
        public Builder gradOutput(CaseTensor t) {
            this.gradOutput = t;
            return this;
        }

        /**
         * @param rtol relative tolerance
         * @param atol absolute tolerance
         * @return this builder
         */
        public Builder tolerance(double rtol, double atol) {
            this.tolerance = new Tolerance(rtol, atol);
            return this;
        }

        /**
         * @param text informational note, may be {@code null}
         * @return this builder
         */
        public Builder note(String text) {
            this.note = text;
            return this;
        }

        /**
         * Validates and builds the case. Checks: non-empty name and op; dtype float32/float64; output,
         * grad_output and tolerance present; every floating tensor (inputs, tensor options, output,
         * grad_output, grads) has the case dtype; output and grad_output are floating with equal shape;
         * {@code requires_grad} has no duplicates, names floating inputs only, and names exactly the
         * keys of {@code grads}; each gradient has the shape of its input.
         *
         * @return the case
         * @throws IllegalArgumentException naming the violated rule
         */
        public ConformanceCase build() {
            require(name != null && !name.isEmpty(), "missing case name");
            String where = "case '" + name + "': ";
            require(op != null && !op.isEmpty(), where + "missing op");
            require(CaseTensor.isFloatingDtype(dtype), where + "dtype must be float32 or float64, got " + dtype);
            require(output != null, where + "missing output");
            require(gradOutput != null, where + "missing grad_output");
            require(tolerance != null, where + "missing tol");
            for (Map.Entry<String, CaseTensor> e : inputs.entrySet()) {
                checkDtype(where, "inputs." + e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Object> e : options.entrySet()) {
                if (e.getValue() instanceof CaseTensor) {
                    checkDtype(where, "options." + e.getKey(), (CaseTensor) e.getValue());
                }
            }
            checkDtype(where, "output", output);
            checkDtype(where, "grad_output", gradOutput);
            require(output.isFloating(), where + "output must be floating");
            require(gradOutput.isFloating(), where + "grad_output must be floating");
            require(Arrays.equals(output.shape(), gradOutput.shape()), where + "grad_output shape "
                    + Arrays.toString(gradOutput.shape()) + " differs from output shape " + Arrays.toString(output.shape()));
            Set<String> seen = new HashSet<>();
            for (String r : requiresGrad) {
                require(seen.add(r), where + "requires_grad lists '" + r + "' twice");
                require(inputs.containsKey(r), where + "requires_grad names unknown input '" + r + "'");
                require(inputs.get(r).isFloating(), where + "requires_grad names int64 input '" + r + "'");
            }
            require(seen.equals(grads.keySet()), where + "grads " + grads.keySet()
                    + " do not match requires_grad " + requiresGrad);
            for (Map.Entry<String, CaseTensor> e : grads.entrySet()) {
                CaseTensor g = e.getValue();
                checkDtype(where, "grads." + e.getKey(), g);
                require(g.isFloating(), where + "grads." + e.getKey() + " must be floating");
                require(Arrays.equals(g.shape(), inputs.get(e.getKey()).shape()), where + "grads." + e.getKey()
                        + " shape " + Arrays.toString(g.shape()) + " differs from its input's shape "
                        + Arrays.toString(inputs.get(e.getKey()).shape()));
            }
            // keep grads in requires_grad order
            Map<String, CaseTensor> ordered = new LinkedHashMap<>();
            for (String r : requiresGrad) {
                ordered.put(r, grads.get(r));
            }
            grads.clear();
            grads.putAll(ordered);
            return new ConformanceCase(this);
        }

        private void checkDtype(String where, String what, CaseTensor t) {
            require(t.isInt64() || t.dtype().equals(dtype), where + what + " has dtype " + t.dtype()
                    + " but the case dtype is " + dtype);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
