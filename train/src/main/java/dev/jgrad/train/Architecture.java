package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Cnn;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The description of a network that {@code jgrad train} builds, enough to build it again: a {@link Model} file stores
 * it (as JSON) next to the weights, so loading needs no code that re-declares the network. Two kinds exist, the
 * multi-layer perceptron of {@link Mlp} ({@link MlpSpec}) and the convolutional classifier of {@link Cnn}
 * ({@link CnnSpec}).
 *
 * <pre>{@code
 * Architecture arch = Architecture.mlp(64, new int[]{128, 64}, Activation.Kind.RELU, 0.0, 10);
 * Sequential net = arch.build(DType.FLOAT32, 42);   // the same network as Mlp.builder(64, 10).hidden(128, 64)...
 * }</pre>
 */
public sealed interface Architecture permits Architecture.MlpSpec, Architecture.CnnSpec {

    /**
     * The number of input features per row.
     *
     * @return the input width
     */
    int inputs();

    /**
     * The number of outputs per row (logits of a classifier, values of a regressor).
     *
     * @return the output width
     */
    int outputs();

    /**
     * Builds a freshly initialised network of this architecture.
     *
     * @param dtype parameter dtype
     * @param seed  seed of the initialisation and the dropout masks
     * @return the network, expecting rows {@code [N, inputs()]} and giving {@code [N, outputs()]}
     * @throws IllegalArgumentException if {@code dtype} is null
     */
    Sequential build(DType dtype, long seed);

    /**
     * A one-line human-readable description, e.g. {@code MLP 64-128-64-10 relu}.
     *
     * @return the description
     */
    String describe();

    /**
     * An MLP as {@link Mlp} builds it: {@code Linear → activation → [Dropout]} per hidden width, then a {@code Linear}.
     *
     * @param inputs     input features ({@code > 0})
     * @param hidden     hidden widths (each {@code > 0}; may be empty)
     * @param activation activation after each hidden layer
     * @param dropout    dropout after each hidden activation, in [0, 1)
     * @param outputs    outputs ({@code > 0})
     * @return the description
     * @throws IllegalArgumentException for a size, activation or dropout that does not fit
     */
    static MlpSpec mlp(int inputs, int[] hidden, Activation.Kind activation, double dropout, int outputs) {
        return new MlpSpec(inputs, hidden, activation, dropout, outputs);
    }

    /**
     * The convolutional classifier of {@link Cnn#of} for images given as flat rows of {@code channels·height·width}.
     *
     * @param channels input channels
     * @param height   image height (a multiple of 4)
     * @param width    image width (a multiple of 4)
     * @param c1       channels of the first convolution
     * @param c2       channels of the second convolution
     * @param hidden   units of the hidden linear layer
     * @param dropout  dropout before the last layer, in [0, 1)
     * @param outputs  logits
     * @return the description
     * @throws IllegalArgumentException for a size or dropout that does not fit
     */
    static CnnSpec cnn(int channels, int height, int width, int c1, int c2, int hidden, double dropout, int outputs) {
        return new CnnSpec(channels, height, width, c1, c2, hidden, dropout, outputs);
    }

    /**
     * The description stored in a model file.
     *
     * @return the fields as JSON-ready values ({@code type} first)
     */
    Map<String, Object> toMap();

    /**
     * Reads a description written by {@link #toMap()}.
     *
     * @param m the fields
     * @return the architecture
     * @throws IllegalArgumentException for an unknown type, a missing or malformed field or sizes that do not fit
     */
    static Architecture fromMap(Map<?, ?> m) {
        if (m == null) throw new IllegalArgumentException("architecture: missing");
        Object type = m.get("type");
        if ("mlp".equals(type)) {
            Object h = m.get("hidden");
            if (!(h instanceof java.util.List<?> list)) throw new IllegalArgumentException("architecture: 'hidden' is not a list: " + h);
            int[] hidden = new int[list.size()];
            for (int i = 0; i < hidden.length; i++) hidden[i] = integer(list.get(i), "hidden[" + i + "]");
            Object act = m.get("activation");
            if (!(act instanceof String a)) throw new IllegalArgumentException("architecture: 'activation' is not a string: " + act);
            return mlp(integer(m.get("inputs"), "inputs"), hidden, Activation.Kind.parse(a), number(m.get("dropout"), "dropout"),
                    integer(m.get("outputs"), "outputs"));
        }
        if ("cnn".equals(type)) {
            return cnn(integer(m.get("channels"), "channels"), integer(m.get("height"), "height"), integer(m.get("width"), "width"),
                    integer(m.get("c1"), "c1"), integer(m.get("c2"), "c2"), integer(m.get("hidden"), "hidden"),
                    number(m.get("dropout"), "dropout"), integer(m.get("outputs"), "outputs"));
        }
        throw new IllegalArgumentException("architecture: unknown type '" + type + "' (this jgrad builds mlp and cnn)");
    }

    private static int integer(Object o, String field) {
        if (o instanceof Integer i) return i;
        throw new IllegalArgumentException("architecture: '" + field + "' is not an integer: " + o);
    }

    private static double number(Object o, String field) {
        if (o instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("architecture: '" + field + "' is not a number: " + o);
    }

    /**
     * The MLP of {@link Architecture#mlp}.
     *
     * @param inputs     input features
     * @param hidden     hidden widths (a copy is kept and returned)
     * @param activation activation after each hidden layer
     * @param dropout    dropout probability after each hidden activation
     * @param outputs    outputs
     */
    record MlpSpec(int inputs, int[] hidden, Activation.Kind activation, double dropout, int outputs) implements Architecture {
        /** Validates and copies. */
        public MlpSpec {
            if (inputs <= 0 || outputs <= 0) throw new IllegalArgumentException("Architecture.mlp: inputs " + inputs + " and outputs " + outputs + " must be positive");
            if (hidden == null) throw new IllegalArgumentException("Architecture.mlp: hidden is null");
            for (int w : hidden) if (w <= 0) throw new IllegalArgumentException("Architecture.mlp: hidden widths must be positive, got " + Arrays.toString(hidden));
            if (activation == null) throw new IllegalArgumentException("Architecture.mlp: activation is null");
            if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("Architecture.mlp: dropout " + dropout + " must be in [0, 1)");
            hidden = hidden.clone();
        }

        /** @return a copy of the hidden widths */
        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public Sequential build(DType dtype, long seed) {
            return Mlp.builder(inputs, outputs).hidden(hidden).activation(activation).dropout(dropout).seed(seed).dtype(dtype).build();
        }

        @Override
        public String describe() {
            StringBuilder s = new StringBuilder("MLP ").append(inputs);
            for (int w : hidden) s.append('-').append(w);
            return s.append('-').append(outputs).append(' ').append(activation.name().toLowerCase(java.util.Locale.ROOT)).toString();
        }

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "mlp");
            m.put("inputs", inputs);
            m.put("hidden", hidden.clone());
            m.put("activation", activation.name().toLowerCase(java.util.Locale.ROOT));
            m.put("dropout", dropout);
            m.put("outputs", outputs);
            return m;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MlpSpec s && s.inputs == inputs && Arrays.equals(s.hidden, hidden) && s.activation == activation
                    && Double.compare(s.dropout, dropout) == 0 && s.outputs == outputs;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(inputs, Arrays.hashCode(hidden), activation, dropout, outputs);
        }

        @Override
        public String toString() {
            return "MlpSpec" + toMap();
        }
    }

    /**
     * The convolutional classifier of {@link Architecture#cnn}.
     *
     * @param channels input channels
     * @param height   image height
     * @param width    image width
     * @param c1       channels of the first convolution
     * @param c2       channels of the second convolution
     * @param hidden   units of the hidden linear layer
     * @param dropout  dropout before the last layer
     * @param outputs  logits
     */
    record CnnSpec(int channels, int height, int width, int c1, int c2, int hidden, double dropout, int outputs) implements Architecture {
        /** Validates. */
        public CnnSpec {
            if (channels <= 0 || height <= 0 || width <= 0 || height % 4 != 0 || width % 4 != 0 || c1 <= 0 || c2 <= 0 || hidden <= 0 || outputs <= 0) {
                throw new IllegalArgumentException("Architecture.cnn: need positive sizes and a height and width divisible by 4, got channels=" + channels
                        + " height=" + height + " width=" + width + " c1=" + c1 + " c2=" + c2 + " hidden=" + hidden + " outputs=" + outputs);
            }
            if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("Architecture.cnn: dropout " + dropout + " must be in [0, 1)");
        }

        @Override
        public int inputs() {
            return channels * height * width;
        }

        @Override
        public Sequential build(DType dtype, long seed) {
            return Cnn.of(channels, height, width, outputs, c1, c2, hidden, dropout, seed, dtype);
        }

        @Override
        public String describe() {
            return String.format(java.util.Locale.ROOT, "CNN %dx%d conv%d-conv%d-fc%d-%d", height, width, c1, c2, hidden, outputs);
        }

        @Override
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "cnn");
            m.put("channels", channels);
            m.put("height", height);
            m.put("width", width);
            m.put("c1", c1);
            m.put("c2", c2);
            m.put("hidden", hidden);
            m.put("dropout", dropout);
            m.put("outputs", outputs);
            return m;
        }
    }
}
