package dev.jgrad.nn;

import dev.jgrad.core.DType;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builder of multi-layer perceptrons as a {@link Sequential}: {@code Linear → activation → [Dropout]} per hidden
 * layer, then a final {@code Linear} producing logits.
 *
 * <pre>{@code
 * Sequential net = Mlp.builder(784, 10).hidden(256, 128).activation(Activation.Kind.RELU).dropout(0.1).seed(42).build();
 * }</pre>
 */
public final class Mlp {
    private final int in, out;
    private int[] hidden = {};
    private Activation.Kind activation = Activation.Kind.RELU;
    private double dropout;
    private Init init;
    private long seed = 42;
    private DType dtype = DType.FLOAT32;

    private Mlp(int in, int out) {
        this.in = in;
        this.out = out;
    }

    /** An MLP from {@code in} features to {@code out} logits. */
    public static Mlp builder(int in, int out) {
        return new Mlp(in, out);
    }

    /** Hidden layer widths. */
    public Mlp hidden(int... widths) {
        if (widths == null) throw new IllegalArgumentException("Mlp: hidden widths are null");
        this.hidden = widths.clone();
        return this;
    }

    /** Activation after each hidden layer (ReLU by default). */
    public Mlp activation(Activation.Kind a) {
        if (a == null) throw new IllegalArgumentException("Mlp: activation is null");
        this.activation = a;
        return this;
    }

    /** Dropout probability after each hidden activation, in [0, 1) (0 = none). */
    public Mlp dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Mlp: dropout " + p + " must be in [0, 1)");
        this.dropout = p;
        return this;
    }

    /** Initialiser of every layer (default: He for ReLU/GELU, Xavier for tanh/sigmoid; Xavier uniform for a single layer). */
    public Mlp init(Init i) {
        this.init = i;
        return this;
    }

    /** Seed of the initialiser and the dropout masks. */
    public Mlp seed(long s) {
        this.seed = s;
        return this;
    }

    /** Parameter dtype (float32 by default). */
    public Mlp dtype(DType d) {
        if (d == null) throw new IllegalArgumentException("Mlp: dtype is null");
        this.dtype = d;
        return this;
    }

    /** Builds the network. */
    public Sequential build() {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Mlp: input and output sizes must be positive, got " + in + " and " + out);
        for (int h : hidden) if (h <= 0) throw new IllegalArgumentException("Mlp: hidden sizes must be positive, got " + java.util.Arrays.toString(hidden));
        Init ini = init != null ? init
                : (activation == Activation.Kind.RELU || activation == Activation.Kind.GELU) ? Init.HE_NORMAL : Init.XAVIER_UNIFORM;
        SplittableRandom rng = new SplittableRandom(seed);
        List<Module> layers = new ArrayList<>();
        int prev = in;
        for (int i = 0; i < hidden.length; i++) {
            layers.add(new Linear(prev, hidden[i], true, ini, rng, dtype));
            layers.add(new Activation(activation));
            if (dropout > 0) layers.add(new Dropout(dropout, seed * 31 + i));
            prev = hidden[i];
        }
        layers.add(new Linear(prev, out, true, hidden.length == 0 && init == null ? Init.XAVIER_UNIFORM : ini, rng, dtype));
        return new Sequential(layers);
    }
}
