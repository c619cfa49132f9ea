package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * PyTorch's {@code nn.LayerNorm}: layer normalization over the trailing {@code normalizedShape}, with an optional
 * element-wise {@code weight} (ones) and {@code bias} (zeros) of that shape.
 *
 * @see Ops#layerNorm
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight, bias;

    /**
     * @param normalizedShape   the trailing dimensions to normalise over (each positive)
     * @param eps               added to the variance (PyTorch's default 1e-5)
     * @param elementwiseAffine learn {@code weight} and {@code bias}
     * @param dtype             parameter dtype
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        this.normalizedShape = NormShapes.check("LayerNorm", normalizedShape, eps, dtype);
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(dtype, this.normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(dtype, this.normalizedShape)) : null;
    }

    /** With PyTorch's defaults: {@code eps = 1e-5}, element-wise affine. */
    public LayerNorm(int[] normalizedShape, DType dtype) {
        this(normalizedShape, 1e-5, true, dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /** The scale, or null. */
    public Tensor weight() {
        return weight;
    }

    /** The shift, or null. */
    public Tensor bias() {
        return bias;
    }
}
