package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;

/**
 * PyTorch's {@code nn.BatchNorm1d}: batch normalization of {@code [N, C]} or {@code [N, C, L]} per channel, with PyTorch's arguments, defaults
 * ({@code eps = 1e-5}, {@code momentum = 0.1}, {@code affine}, {@code track_running_stats}), initial values and
 * parameter and buffer names; see {@link BatchNormBase} for the train/eval behaviour.
 *
 * @see dev.jgrad.ops.Ops#batchNorm
 */
public final class BatchNorm1d extends BatchNormBase {
    /**
     * @param numFeatures       the number of channels {@code C}
     * @param eps               added to the variance
     * @param momentum          weight of a new batch in the running statistics, or null for a cumulative average
     * @param affine            learn {@code weight} and {@code bias}
     * @param trackRunningStats keep {@code running_mean}, {@code running_var}, {@code num_batches_tracked}
     * @param dtype             dtype of the parameters and buffers
     */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    /** With PyTorch's defaults: {@code eps = 1e-5}, {@code momentum = 0.1}, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures, DType dtype) {
        this(numFeatures, 1e-5, 0.1, true, true, dtype);
    }

    @Override
    void checkInput(Tensor x) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("BatchNorm1d: expected 2D or 3D input (got " + x.rank() + "D input " + Shape.str(x.shape()) + ")");
        }
    }
}
