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

    /**
     * The shared body of {@link Softmax} and {@link LogSoftmax}, which differ only in {@link #log()}: the forward and
     * backward row kernels along {@code dim}; saves only the output.
     */
    abstract static class Base extends Function {
        int dim;
        private Reductions.Axis ax;

        /** True for log-softmax. */
        abstract boolean log();

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            ax = Reductions.Axis.of(s, Shape.dim(name(), dim, s.length));
            Tensor y = outLike(x);
            Kernels.softmax(x.storage(), y.storage(), ax.outer(), ax.n(), ax.inner(), log());
            save(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // softmax: dx = y ⊙ (g − Σ g⊙y); log_softmax: dx = g − exp(y) Σ g (KernelBackend.softmaxBackward)
            Tensor y = saved()[0];
            Tensor gx = outLike(y);
            Kernels.softmaxBackward(y.storage(), g.storage(), gx.storage(), ax.outer(), ax.n(), ax.inner(), log());
            return gradients(gx);
        }
    }

    /** {@code softmax} along {@code dim}. */
    static final class Softmax extends Base {
        private Softmax() {
        }

        static Softmax of(int dim) {
            Softmax op = node(Softmax.class, Softmax::new);
            op.dim = dim;
            return op;
        }

        @Override
        boolean log() {
            return false;
        }
    }

    /** {@code log_softmax} along {@code dim}. */
    static final class LogSoftmax extends Base {
        private LogSoftmax() {
        }

        static LogSoftmax of(int dim) {
            LogSoftmax op = node(LogSoftmax.class, LogSoftmax::new);
            op.dim = dim;
            return op;
        }

        @Override
        boolean log() {
            return true;
        }
    }

    /**
     * {@code logsumexp}: {@code m + log Σ exp(x − m)} with {@code m} the (finite) max. Keeps the two parts
     * separately so backward forms {@code g·exp((x − m) − log Σ)} — the exact softmax even when {@code log Σ}
     * is absorbed by a huge {@code m} in the stored output.
     */
    static final class LogSumExp extends Function {
        private int dim;
        private boolean keepdim;
        private Reductions.Axis ax;
        private double[] shift, logSum;

        private LogSumExp() {
        }

        static LogSumExp of(int dim, boolean keepdim) {
            LogSumExp op = node(LogSumExp.class, LogSumExp::new);
            op.dim = dim;
            op.keepdim = keepdim;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            int[] s = x.shape();
            int d = Shape.dim("logsumexp", dim, s.length);
            ax = Reductions.Axis.of(s, d);
            Tensor y = out(x.dtype(), Shape.reduce(s, d, keepdim));
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
            Tensor gx = outLike(x);
            Kernels.logSumExpBackward(x.storage(), shift, logSum, g.storage(), gx.storage(), ax.outer(), ax.n(), ax.inner());
            return gradients(gx);
        }
    }
}
