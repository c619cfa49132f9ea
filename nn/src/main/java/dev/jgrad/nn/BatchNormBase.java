package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

/**
 * The body of {@link BatchNorm1d} and {@link BatchNorm2d} (PyTorch's {@code _BatchNorm}): parameters {@code weight}
 * (ones) and {@code bias} (zeros) when {@code affine}; buffers {@code running_mean} (zeros), {@code running_var}
 * (ones) and the integral {@code num_batches_tracked} (0) when {@code trackRunningStats}.
 *
 * <p>In training mode each call normalises with the batch statistics and, when tracking, counts the batch and updates
 * the running statistics with the factor {@code momentum}, or {@code 1/num_batches_tracked} (a cumulative moving
 * average) when {@code momentum} is null. In eval mode the running statistics are used; without tracking the batch
 * statistics are used in both modes. A call that fails (a bad shape, one value per channel in training) changes no
 * buffer (PyTorch counts the batch before {@code F.batch_norm} raises).
 */
public abstract class BatchNormBase extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;

    BatchNormBase(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        String name = getClass().getSimpleName();
        if (numFeatures <= 0) throw new IllegalArgumentException(name + ": numFeatures = " + numFeatures + " must be positive");
        if (!(eps >= 0)) throw new IllegalArgumentException(name + ": eps = " + eps + " must be >= 0");
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name + ": momentum = " + momentum + " must be in [0, 1] or null");
        }
        if (dtype == null) throw new IllegalArgumentException(name + ": dtype is null");
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(dtype, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numFeatures)) : null;
        if (trackRunningStats) {
            runningMean = registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
            runningVar = registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
            numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.zeros(dtype), true);
        } else {
            runningMean = runningVar = numBatchesTracked = null;
        }
    }

    /** Checks the input's rank (the subclass's accepted shapes). */
    abstract void checkInput(Tensor x);

    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": input is null");
        checkInput(x);
        if (x.shape()[1] != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input " + Shape.str(x.shape()) + " has " + x.shape()[1]
                    + " channels, expected numFeatures = " + numFeatures);
        }
        boolean training = isTraining();
        if (!training || runningMean == null) {
            // eval with running statistics, or batch statistics without tracking (PyTorch's bn_training)
            return Ops.batchNorm(x, runningMean, runningVar, weight, bias, training || runningMean == null, 0.0, eps);
        }
        double batches = numBatchesTracked.item() + 1;
        double factor = momentum == null ? 1 / batches : momentum;
        Tensor y = Ops.batchNorm(x, runningMean, runningVar, weight, bias, true, factor, eps);
        numBatchesTracked.set(0, batches);
        return y;
    }

    /** The number of channels {@code C}. */
    public int numFeatures() {
        return numFeatures;
    }

    /** The momentum, or null for a cumulative moving average. */
    public Double momentum() {
        return momentum;
    }

    /** The scale {@code [C]}, or null without {@code affine}. */
    public Tensor weight() {
        return weight;
    }

    /** The shift {@code [C]}, or null without {@code affine}. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean buffer {@code [C]}, or null without {@code trackRunningStats}. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running variance buffer {@code [C]}, or null without {@code trackRunningStats}. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** The number of training batches seen (a scalar buffer), or null without {@code trackRunningStats}. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }
}
