package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/** Fully connected layer {@code y = x·Wᵀ + b} with {@code W [out, in]} and {@code b [out]} (PyTorch's layout). */
public final class Linear extends Module {
    private final Tensor weight, bias;

    /**
     * @param in    input features ({@code > 0})
     * @param out   output features ({@code > 0})
     * @param bias  whether to add a bias
     * @param init  weight initialiser
     * @param rng   seeded generator for the initialiser
     * @param dtype parameter dtype
     */
    public Linear(int in, int out, boolean bias, Init init, RandomGenerator rng, DType dtype) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + " out=" + out);
        if (init == null) throw new IllegalArgumentException("Linear: init is null");
        if (rng == null) throw new IllegalArgumentException("Linear: rng is null");
        if (dtype == null) throw new IllegalArgumentException("Linear: dtype is null");
        Tensor w = Tensor.zeros(dtype, out, in);
        init.fillWeight(w, rng);
        this.weight = registerParameter("weight", w);
        if (bias) {
            Tensor b = Tensor.zeros(dtype, out);
            init.fillBias(b, in, rng);
            this.bias = registerParameter("bias", b);
        } else {
            this.bias = null;
        }
    }

    /** The weight {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }
}
