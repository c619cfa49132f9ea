package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/** PyTorch's {@code nn.SiLU}: {@code x·σ(x)} ({@link Ops#silu}). */
public final class SiLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Ops.silu(x);
    }
}
