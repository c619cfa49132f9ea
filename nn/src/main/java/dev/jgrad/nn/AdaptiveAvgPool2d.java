package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * Adaptive 2-D average pooling, PyTorch's {@code nn.AdaptiveAvgPool2d}: {@code adaptiveAvgPool2d(x, outH, outW)}
 * (e.g. {@code (1, 1)}: global average pooling). No parameters.
 *
 * @see Ops#adaptiveAvgPool2d(Tensor, int, int)
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    /** @throws IllegalArgumentException for a negative output size */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 0 || outW < 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be non-negative, got (" + outH + ", " + outW + ")");
        }
        this.outH = outH;
        this.outW = outW;
    }

    /** {@code nn.AdaptiveAvgPool2d(size)}: a square output. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.adaptiveAvgPool2d(x, outH, outW);
    }
}
