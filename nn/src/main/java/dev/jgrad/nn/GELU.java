package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * PyTorch's {@code nn.GELU(approximate)}: {@code x·Φ(x)} ({@link Ops#gelu}). Only {@code approximate = "none"} is
 * available: jgrad has no tanh-approximated GELU yet, so {@code "tanh"} is rejected rather than silently computed
 * exactly.
 */
public final class GELU extends Module {
    /**
     * @param approximate {@code "none"}
     * @throws IllegalArgumentException for {@code "tanh"} (not implemented) or any other value
     */
    public GELU(String approximate) {
        if (!"none".equals(approximate)) {
            throw new IllegalArgumentException("GELU: approximate '" + approximate + "' is not available (only 'none'"
                    + ("tanh".equals(approximate) ? "; the tanh approximation is not implemented)" : ")"));
        }
    }

    /** The exact GELU. */
    public GELU() {
        this("none");
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.gelu(x);
    }
}
