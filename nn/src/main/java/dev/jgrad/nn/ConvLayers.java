package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;

import java.util.random.RandomGenerator;

/** Shared construction of {@link Conv1d} and {@link Conv2d}: argument checks and PyTorch's default initialisation. */
final class ConvLayers {
    private ConvLayers() {
    }

    /**
     * Checks the arguments common to the convolution layers ({@code layer} names the layer in messages); the sizes
     * are the layer's kernel, stride, dilation and (non-string) padding values.
     */
    static void check(String layer, int in, int out, int groups, String paddingMode, RandomGenerator rng, DType dtype,
                      int[] kernel, int[] stride, int[] dilation, int[] padding) {
        if (rng == null) throw new IllegalArgumentException(layer + ": rng is null");
        if (dtype == null) throw new IllegalArgumentException(layer + ": dtype is null");
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(layer + ": in_channels and out_channels must be positive, got " + in + " and " + out);
        }
        if (groups <= 0) throw new IllegalArgumentException(layer + ": groups must be positive, got " + groups);
        if (in % groups != 0) throw new IllegalArgumentException(layer + ": in_channels " + in + " must be divisible by groups " + groups);
        if (out % groups != 0) throw new IllegalArgumentException(layer + ": out_channels " + out + " must be divisible by groups " + groups);
        if (!"zeros".equals(paddingMode)) {
            throw new IllegalArgumentException(layer + ": padding_mode '" + paddingMode + "' is not supported (only 'zeros'; "
                    + "PyTorch also has 'reflect', 'replicate' and 'circular')");
        }
        positive(layer, "kernel_size", kernel, 1);
        positive(layer, "stride", stride, 1);
        positive(layer, "dilation", dilation, 1);
        if (padding != null) positive(layer, "padding", padding, 0);
    }

    private static void positive(String layer, String arg, int[] v, int min) {
        if (v == null || v.length == 0) throw new IllegalArgumentException(layer + ": " + arg + " is missing");
        for (int x : v) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + arg + " must be " + (min > 0 ? "positive" : "non-negative") + ", got "
                        + java.util.Arrays.toString(v));
            }
        }
    }

    /** Checks a string padding: {@code "valid"} or {@code "same"}, the latter only with stride 1 (as PyTorch's _ConvNd). */
    static void checkPadding(String layer, String padding, int[] stride) {
        if (!"valid".equals(padding) && !"same".equals(padding)) {
            throw new IllegalArgumentException(layer + ": invalid padding string '" + padding + "', should be one of 'valid' or 'same'");
        }
        if ("same".equals(padding)) {
            for (int s : stride) {
                if (s != 1) throw new IllegalArgumentException(layer + ": padding='same' is not supported for strided convolutions");
            }
        }
    }

    /**
     * PyTorch's {@code _ConvNd.reset_parameters}: the weight {@code [out, in/groups, k..]} from
     * {@code kaiming_uniform_(a=√5)}, i.e. {@code U(±1/√fanIn)} with {@code fanIn = in/groups · Π k}, drawn in
     * row-major order.
     */
    static Tensor weight(int in, int out, int groups, int[] kernel, RandomGenerator rng, DType dtype) {
        int fanIn = in / groups;
        for (int k : kernel) fanIn *= k;
        Tensor w = Tensor.zeros(dtype, out, fanIn);
        Init.PYTORCH_DEFAULT.fillWeight(w, rng);
        int[] shape = new int[2 + kernel.length];
        shape[0] = out;
        shape[1] = in / groups;
        System.arraycopy(kernel, 0, shape, 2, kernel.length);
        return Tensor.of(dtype, w.toDoubleArray(), shape);
    }

    /** The bias {@code [out]}, {@code U(±1/√fanIn)} with the weight's fan-in. */
    static Tensor bias(int out, Tensor weight, RandomGenerator rng) {
        Tensor b = Tensor.zeros(weight.dtype(), out);
        Init.PYTORCH_DEFAULT.fillBias(b, weight.numel() / out, rng);
        return b;
    }
}
