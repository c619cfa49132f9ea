package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/**
 * 2-D convolution layer, PyTorch's {@code nn.Conv2d}: {@code y = conv2d(x, weight, bias, stride, padding, dilation,
 * groups)} with the parameters {@code weight [out, in/groups, kh, kw]} and {@code bias [out]} initialised as PyTorch
 * does ({@code U(±1/√fanIn)}, {@code fanIn = in/groups·kh·kw}). Sizes are one value for both dimensions or
 * {@code {h, w}}; only {@code padding_mode = "zeros"}.
 *
 * @see Ops#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)
 */
public final class Conv2d extends Module {
    private final Tensor weight, bias;
    private final int[] stride, padding, dilation;
    private final String paddingString;
    private final int groups;

    /**
     * @param inChannels  input channels
     * @param outChannels output channels
     * @param kernelSize  {@code {k}} or {@code {kh, kw}}
     * @param stride      {@code {s}} or {@code {sh, sw}}
     * @param padding     {@code {p}} or {@code {ph, pw}} (zeros on both sides)
     * @param dilation    {@code {d}} or {@code {dh, dw}}
     * @param groups      dividing both channel counts
     * @param bias        whether to add a learnable bias
     * @param paddingMode must be {@code "zeros"}
     * @param rng         seeded generator for the initialisation
     * @param dtype       parameter dtype
     * @throws IllegalArgumentException naming the argument for a bad size, groups, padding mode, or a null rng/dtype
     */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, paddingMode, rng, dtype);
    }

    /** As the main constructor with {@code padding = "valid"} or {@code "same"} (stride 1 only). */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation, int groups,
                  boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, kernelSize, stride, null, dev.jgrad.core.Shape.nonNull("Conv2d", "padding", padding), dilation, groups, bias, paddingMode, rng, dtype);
    }

    /** {@code nn.Conv2d(in, out, kernel_size)} with PyTorch's defaults: stride 1, padding 0, dilation 1, one group, a bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, new int[]{kernelSize}, new int[]{1}, new int[]{0}, new int[]{1}, 1, true, "zeros", rng, dtype);
    }

    /**
     * {@code nn.Conv2d(in, out, kernel_size, stride, padding)}: square kernel, stride and zero padding; dilation 1, one
     * group, a bias.
     */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, RandomGenerator rng, DType dtype) {
        this(inChannels, outChannels, new int[]{kernelSize}, new int[]{stride}, new int[]{padding}, new int[]{1}, 1, true, "zeros", rng, dtype);
    }

    private Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, String paddingString, int[] dilation, int groups,
                   boolean bias, String paddingMode, RandomGenerator rng, DType dtype) {
        int[] k = pair("kernel_size", kernel), s = pair("stride", stride), d = pair("dilation", dilation);
        int[] p = paddingString == null ? pair("padding", padding) : null;
        ConvLayers.check("Conv2d", in, out, groups, paddingMode, rng, dtype, k, s, d, p);
        if (paddingString != null) ConvLayers.checkPadding("Conv2d", paddingString, s);
        this.stride = s;
        this.padding = p;
        this.paddingString = paddingString;
        this.dilation = d;
        this.groups = groups;
        this.weight = registerParameter("weight", ConvLayers.weight(in, out, groups, k, rng, dtype));
        this.bias = bias ? registerParameter("bias", ConvLayers.bias(out, weight, rng)) : null;
    }

    private static int[] pair(String arg, int[] v) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException("Conv2d: " + arg + " must have 1 or 2 elements, got " + java.util.Arrays.toString(v));
        }
        return new int[]{v[0], v[v.length - 1]};
    }

    /** The weight {@code [out, in/groups, kh, kw]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return paddingString != null ? Ops.conv2d(x, weight, bias, stride, paddingString, dilation, groups)
                : Ops.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }
}
