package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * PyTorch 2.4's {@code nn.RMSNorm}: {@code y = x/sqrt(mean(x²) + eps)·weight} over the trailing
 * {@code normalizedShape}, with an optional element-wise {@code weight} (ones).
 *
 * @see Ops#rmsNorm
 */
public final class RMSNorm extends Module {
    private final int[] normalizedShape;
    private final Double eps;
    private final Tensor weight;

    /**
     * @param normalizedShape   the trailing dimensions to normalise over
     * @param eps               added to the mean square, or null for {@code torch.finfo(dtype).eps}
     * @param elementwiseAffine learn {@code weight}
     * @param dtype             parameter dtype
     */
    public RMSNorm(int[] normalizedShape, Double eps, boolean elementwiseAffine, DType dtype) {
        this.normalizedShape = NormShapes.check("RMSNorm", normalizedShape, eps == null ? 0 : eps, dtype);
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(dtype, this.normalizedShape)) : null;
    }

    /** With PyTorch's defaults: {@code eps = null} (the dtype's machine epsilon), element-wise affine. */
    public RMSNorm(int[] normalizedShape, DType dtype) {
        this(normalizedShape, null, true, dtype);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.rmsNorm(x, normalizedShape, weight, eps);
    }

    /** The scale, or null. */
    public Tensor weight() {
        return weight;
    }
}
