package dev.jgrad.nn;

import dev.jgrad.core.Tensor;

import java.util.function.UnaryOperator;

/**
 * A parameter-free function as a module (e.g. {@code new Lambda(x -> Ops.transpose(x, 0, 1))} inside a
 * {@link Sequential}); it has no parameters or children.
 */
public final class Lambda extends Module {
    private final UnaryOperator<Tensor> f;

    /** @param f the function */
    public Lambda(UnaryOperator<Tensor> f) {
        if (f == null) throw new IllegalArgumentException("Lambda: function f is null");
        this.f = f;
    }

    @Override
    public Tensor forward(Tensor x) {
        return f.apply(x);
    }
}
