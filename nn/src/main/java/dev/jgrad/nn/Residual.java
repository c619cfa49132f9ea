package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * A residual connection {@code x + f(x)} without a class per model. The wrapped module is the child {@code "fn"},
 * the name a PyTorch user module {@code self.fn = fn} gives it, so its parameters are {@code "fn.<name>"} (e.g.
 * {@code new Sequential(new Residual(new Linear(..)))} has {@code "0.fn.weight"}).
 */
public final class Residual extends Module {
    private final Module fn;

    /** @param fn the branch; its output must broadcast with its input */
    public Residual(Module fn) {
        if (fn == null) throw new IllegalArgumentException("Residual: fn is null");
        this.fn = registerModule("fn", fn);
    }

    /** The branch. */
    public Module fn() {
        return fn;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.add(x, fn.forward(x));
    }
}
