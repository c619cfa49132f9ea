package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * PyTorch's {@code nn.Flatten}: {@code flatten(x, startDim, endDim)}, by default every dimension but the batch
 * ({@code startDim = 1, endDim = -1}); a view sharing the data. No parameters.
 *
 * @see Ops#flatten(Tensor, int, int)
 */
public final class Flatten extends Module {
    private final int startDim, endDim;

    /** {@code nn.Flatten(start_dim, end_dim)}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** {@code nn.Flatten()}: {@code startDim = 1, endDim = -1}. */
    public Flatten() {
        this(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.flatten(x, startDim, endDim);
    }
}
