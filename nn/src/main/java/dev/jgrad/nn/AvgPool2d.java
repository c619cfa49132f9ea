package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * 2-D average pooling, PyTorch's {@code nn.AvgPool2d}:
 * {@code avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride)}. Sizes are {@code {k}}
 * or {@code {kh, kw}}; a null stride is the kernel size. No parameters.
 *
 * @see Ops#avgPool2d(Tensor, int[], int[], int[], boolean, boolean, Integer)
 */
public final class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;
    private final Integer divisorOverride;

    /** The sizes are checked on the first forward (by the op), with PyTorch's messages. */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, Integer divisorOverride) {
        if (kernelSize == null) throw new IllegalArgumentException("AvgPool2d: kernel_size is null");
        if (divisorOverride != null && divisorOverride == 0) throw new IllegalArgumentException("AvgPool2d: divisor_override must be not zero");
        this.kernel = kernelSize.clone();
        this.stride = stride == null ? null : stride.clone();
        this.padding = padding == null ? new int[]{0} : padding.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    /** {@code nn.AvgPool2d(kernel_size)}: stride = kernel, no padding, floor mode, padding counted, no divisor override. */
    public AvgPool2d(int kernelSize) {
        this(new int[]{kernelSize}, null, null, false, true, null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }
}
