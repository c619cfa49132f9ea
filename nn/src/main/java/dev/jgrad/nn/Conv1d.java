package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/**
 * 1-D convolution layer, PyTorch's {@code nn.Conv1d}: {@code y = conv1d(x, weight, bias, stride, padding, dilation,
 * groups)} with {@code weight [out, in/groups, k]} and {@code bias [out]} initialised as PyTorch does
 * ({@code U(±1/√fanIn)}, {@code fanIn = in/groups·k}); only {@code padding_mode = "zeros"}.
 *
 * @see Ops#conv1d(Tensor, Tensor, Tensor, int, int, int, int)
 */
public final class Conv1d extends Module {
    private final Tensor weight, bias;
    private final int stride, padding, dilation, groups;
    private final String paddingString;

    /**
     * @param paddingMode must be {@code "zeros"}
     * @throws IllegalArgumentException naming the argument for a bad size, groups, padding mode, or a null rng/dtype
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, paddingMode, rng, dtype);
    }

    /** As the main constructor with {@code padding = "valid"} or {@code "same"} (stride 1 only). */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding, int dilation, int groups,
                  boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, kernelSize, stride, 0, dev.jgrad.core.Shape.nonNull("Conv1d", "padding", padding), dilation, groups, bias, paddingMode, rng, dtype);
    }

    /** {@code nn.Conv1d(in, out, kernel_size)} with PyTorch's defaults: stride 1, padding 0, dilation 1, one group, a bias. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true, "zeros", rng, dtype);
    }

    private Conv1d(int in, int out, int kernel, int stride, int padding, String paddingString, int dilation, int groups,
                   boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        int[] k = {kernel}, s = {stride};
        ConvLayers.check("Conv1d", in, out, groups, paddingMode, rng, dtype, k, s, new int[]{dilation},
                paddingString == null ? new int[]{padding} : null);
        if (paddingString != null) ConvLayers.checkPadding("Conv1d", paddingString, s);
        this.stride = stride;
        this.padding = padding;
        this.paddingString = paddingString;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = registerParameter("weight", ConvLayers.weight(in, out, groups, k, rng, dtype));
        this.bias = bias ? registerParameter("bias", ConvLayers.bias(out, weight, rng)) : null;
    }

    /** The weight {@code [out, in/groups, k]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return paddingString != null ? Ops.conv1d(x, weight, bias, stride, paddingString, dilation, groups)
                : Ops.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }
}
