package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * PyTorch's {@code nn.GroupNorm}: the {@code numChannels} channels of {@code [N, C, *]} split into {@code numGroups}
 * groups, each normalised per sample, with an optional per-channel {@code weight} (ones) and {@code bias} (zeros).
 *
 * @see Ops#groupNorm
 */
public final class GroupNorm extends Module {
    private final int numGroups;
    private final double eps;
    private final Tensor weight, bias;

    /**
     * @param numGroups   groups, a divisor of {@code numChannels}
     * @param numChannels channels {@code C}
     * @param eps         added to the variance (PyTorch's default 1e-5)
     * @param affine      learn {@code weight} and {@code bias}
     * @param dtype       parameter dtype
     */
    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine, DType dtype) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: numChannels = " + numChannels + " must be divisible by numGroups = " + numGroups
                    + " (both positive)");
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("GroupNorm: eps = " + eps + " must be >= 0");
        if (dtype == null) throw new IllegalArgumentException("GroupNorm: dtype is null");
        this.numGroups = numGroups;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(dtype, numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numChannels)) : null;
    }

    /** With PyTorch's defaults: {@code eps = 1e-5}, affine. */
    public GroupNorm(int numGroups, int numChannels, DType dtype) {
        this(numGroups, numChannels, 1e-5, true, dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.groupNorm(x, numGroups, weight, bias, eps);
    }

    /** The scale {@code [C]}, or null. */
    public Tensor weight() {
        return weight;
    }

    /** The shift {@code [C]}, or null. */
    public Tensor bias() {
        return bias;
    }
}
