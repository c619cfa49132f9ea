package dev.jgrad.nn;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * 2-D max pooling, PyTorch's {@code nn.MaxPool2d}: {@code maxPool2d(x, kernel, stride, padding, dilation, ceilMode)}.
 * Sizes are {@code {k}} or {@code {kh, kw}}; a null stride is the kernel size. No parameters.
 *
 * @see Ops#maxPool2d(Tensor, int[], int[], int[], int[], boolean)
 */
public final class MaxPool2d extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    /** The sizes are checked on the first forward (by the op), with PyTorch's messages. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        if (kernelSize == null) throw new IllegalArgumentException("MaxPool2d: kernel_size is null");
        this.kernel = kernelSize.clone();
        this.stride = stride == null ? null : stride.clone();
        this.padding = padding == null ? new int[]{0} : padding.clone();
        this.dilation = dilation == null ? new int[]{1} : dilation.clone();
        this.ceilMode = ceilMode;
    }

    /** {@code nn.MaxPool2d(kernel_size)}: stride = kernel, no padding, dilation 1, floor mode. */
    public MaxPool2d(int kernelSize) {
        this(new int[]{kernelSize}, null, null, null, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
    }
}
