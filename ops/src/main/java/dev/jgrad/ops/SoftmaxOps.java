package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
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
        private final int dim;
        private final boolean log;
        private Reductions.Axis ax;

        Softmax(int dim, boolean log) {
            this.dim = dim;
            this.log = log;
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
            Tensor y = saved()[0];
            Tensor gx = Tensor.scratchLike(y);
            Storage ys = y.storage(), gs = g.storage(), out = gx.storage();
            int n = ax.n(), inner = ax.inner();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    double acc = 0;
                    // softmax:     dx = y ⊙ (g − Σ g⊙y)
                    // log_softmax: dx = g − exp(y) Σ g
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        acc += log ? gs.get(p) : gs.get(p) * ys.get(p);
                    }
                    for (int k = 0; k < n; k++) {
                        int p = base + k * inner;
                        out.set(p, log ? gs.get(p) - Math.exp(ys.get(p)) * acc : ys.get(p) * (gs.get(p) - acc));
                    }
                }
            }
            return new Tensor[]{gx};
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
            Tensor x = saved()[0];
            Tensor gx = Tensor.scratchLike(x);
            Storage xs = x.storage(), gs = g.storage(), out = gx.storage();
            int n = ax.n(), inner = ax.inner();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < inner; i++) {
                    int r = o * inner + i;
                    double m = shift[r], l = logSum[r], gv = gs.get(r);
                    for (int k = 0; k < n; k++) {
                        int p = (o * n + k) * inner + i;
                        out.set(p, gv * Math.exp((xs.get(p) - m) - l));
                    }
                }
            }
            return new Tensor[]{gx};
        }
    }
}
