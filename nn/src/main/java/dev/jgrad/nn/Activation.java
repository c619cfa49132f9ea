package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.function.UnaryOperator;

/** A parameter-free element-wise layer: {@link Kind#RELU}, {@link Kind#TANH}, {@link Kind#SIGMOID}, {@link Kind#GELU}. */
public final class Activation extends Module {
    /** Names of the built-in activations. */
    public enum Kind {
        RELU(Ops::relu), TANH(Ops::tanh), SIGMOID(Ops::sigmoid), GELU(Ops::gelu);

        private final UnaryOperator<Tensor> f;

        Kind(UnaryOperator<Tensor> f) {
            this.f = f;
        }

        /** Parses {@code relu}, {@code tanh}, {@code sigmoid}, {@code gelu}. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown activation '" + s + "': expected relu, tanh, sigmoid or gelu");
            }
        }
    }

    private final Kind kind;

    /** @param kind which function */
    public Activation(Kind kind) {
        if (kind == null) throw new IllegalArgumentException("Activation: kind is null");
        this.kind = kind;
    }

    /** The function. */
    public Kind kind() {
        return kind;
    }

    @Override
    public Tensor forward(Tensor x) {
        return kind.f.apply(x);
    }
}
