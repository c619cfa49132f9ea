package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

/**
 * The softmax family along one dimension. Each is a composite with its own backward for stability and
 * speed: the forward is max-shifted (the max treated as a constant, so it needs no gradient), and backward
 * uses only the saved output.
 */
final class SoftmaxOps {
    private SoftmaxOps() {
    }

    /** {@code softmax} ({@code log == false}) or {@code log_softmax} ({@code log == true}); saves only the output. */
    static final class Softmax extends Function {
        private int dim;
        private boolean log;
        private Reductions.Axis ax;

        /** Sets the dimension and the variant (set on every use: a node may be recycled, {@link Function#node}). */
        Softmax of(int dim, boolean log) {
            this.dim = dim;
            this.log = log;
            return this;
        }

        @Override
        public String name() {
            return log ? "LogSoftmax" : "Softmax";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            ax = Reductions.Axis.of(s, Shape.dim(name(), dim, s.length));
            Tensor y = Tensor.scratchLike(x);
            Kernels.softmax(x.storage(), y.storage(), ax.outer(), ax.n(), ax.inner(), log);
            save(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // softmax: dx = y ⊙ (g − Σ g⊙y); log_softmax: dx = g − exp(y) Σ g (KernelBackend.softmaxBackward)
            Tensor y = saved()[0];
            Tensor gx = Tensor.scratchLike(y);
            Kernels.softmaxBackward(y.storage(), g.storage(), gx.storage(), ax.outer(), ax.n(), ax.inner(), log);
            return gradients(gx);
        }
    }

    /**
     * {@code logsumexp}: {@code m + log Σ exp(x − m)} with {@code m} the (finite) max. Keeps the two parts
     * separately so backward forms {@code g·exp((x − m) − log Σ)} — the exact softmax even when {@code log Σ}
     * is absorbed by a huge {@code m} in the stored output.
     */
    static final class LogSumExp extends Function {
        private final int dim;
        private final boolean keepdim;
        private Reductions.Axis ax;
        private double[] shift, logSum;

        LogSumExp(int dim, boolean keepdim) {
            this.dim = dim;
            this.keepdim = keepdim;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            int d = Shape.dim("logsumexp", dim, s.length);
            ax = Reductions.Axis.of(s, d);
            Tensor y = Tensor.scratch(x.dtype(), Shape.reduce(s, d, keepdim));
            int rows = ax.outer() * ax.inner();
            shift = new double[rows];
            logSum = new double[rows];
            Kernels.logSumExp(x.storage(), shift, logSum, ax.outer(), ax.n(), ax.inner());
            for (int r = 0; r < rows; r++) y.set(r, shift[r] + logSum[r]);
            save(x);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // dx = g·exp((x − m) − log Σ) (KernelBackend.logSumExpBackward)
            Tensor x = saved()[0];
            Tensor gx = Tensor.scratchLike(x);
            Kernels.logSumExpBackward(x.storage(), shift, logSum, g.storage(), gx.storage(), ax.outer(), ax.n(), ax.inner());
            return gradients(gx);
        }
    }
}
