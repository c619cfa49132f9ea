package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

/** Sum and max, along one dimension (viewed as {@code [outer, n, inner]}) or over all elements. */
final class Reductions {
    private Reductions() {
    }

    /** Dimension layout of a reduction along {@code d}. */
    record Axis(int outer, int n, int inner) {
        static Axis of(int[] shape, int d) {
            if (shape.length == 0) return new Axis(1, 1, 1);
            return new Axis(Shape.prod(shape, 0, d), shape[d], Shape.prod(shape, d + 1, shape.length));
        }

        static Axis all(int numel) {
            return new Axis(1, numel, 1);
        }
    }

    /** {@code sum} along {@code dim} (or over all elements when {@code all}); backward broadcasts g back. */
    static final class Sum extends Function {
        private int dim;
        private boolean keepdim, all;
        private int[] inShape;
        private Axis ax;

        private Sum() {
        }

        /** The sum along {@code dim}. */
        static Sum of(int dim, boolean keepdim) {
            Sum op = node(Sum.class, Sum::new);
            op.dim = dim;
            op.keepdim = keepdim;
            op.all = false;
            return op;
        }

        /** The sum of all elements, a scalar. */
        static Sum all() {
            Sum op = node(Sum.class, Sum::new);
            op.dim = 0;
            op.keepdim = false;
            op.all = true;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            int[] ys;
            if (all) {
                ax = Axis.all(x.numel());
                ys = keepdim ? ones(inShape.length) : new int[0];
            } else {
                int d = Shape.dim("sum", dim, inShape.length);
                ax = Axis.of(inShape, d);
                ys = Shape.reduce(inShape, d, keepdim);
            }
            Tensor y = out(x.dtype(), ys);
            Kernels.sum(x.storage(), y.storage(), ax.outer(), ax.n(), ax.inner());
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            Storage gs = g.storage(), out = gx.storage();
            for (int o = 0; o < ax.outer(); o++) {
                for (int k = 0; k < ax.n(); k++) {
                    int base = (o * ax.n() + k) * ax.inner();
                    for (int i = 0; i < ax.inner(); i++) out.set(base + i, gs.get(o * ax.inner() + i));
                }
            }
            return gradients(gx);
        }
    }

    static int[] ones(int rank) {
        int[] s = new int[rank];
        java.util.Arrays.fill(s, 1);
        return s;
    }

    /**
     * {@code max} along {@code dim}: the values; the gradient goes to the first maximal element of each slice
     * (like {@code torch.max(x, dim)}, whose index is the one returned). A NaN in a slice is its maximum.
     */
    static final class Max extends Function {
        private int dim;
        private boolean keepdim;
        private int[] inShape, argmax;
        private Axis ax;

        private Max() {
        }

        static Max of(int dim, boolean keepdim) {
            Max op = node(Max.class, Max::new);
            op.dim = dim;
            op.keepdim = keepdim;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            int d = Shape.dim("max", dim, inShape.length);
            ax = Axis.of(inShape, d);
            if (ax.n() == 0) throw new IllegalArgumentException("max: cannot reduce an empty dimension of " + Shape.str(inShape));
            Tensor y = out(x.dtype(), Shape.reduce(inShape, d, keepdim));
            argmax = new int[ax.outer() * ax.inner()];
            Storage xs = x.storage(), ys = y.storage();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < ax.inner(); i++) {
                    int best = 0;
                    double m = xs.get(o * ax.n() * ax.inner() + i);
                    for (int k = 1; k < ax.n() && !Double.isNaN(m); k++) {
                        double v = xs.get((o * ax.n() + k) * ax.inner() + i);
                        if (v > m || Double.isNaN(v)) {
                            m = v;
                            best = k;
                        }
                    }
                    argmax[o * ax.inner() + i] = best;
                    ys.set(o * ax.inner() + i, m);
                }
            }
            return y;
        }

        /** Indices of the maxima (valid after apply), like the second result of {@code torch.max(x, dim)}. */
        int[] indices() {
            return argmax.clone();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            Storage gs = g.storage(), out = gx.storage();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < ax.inner(); i++) {
                    int j = o * ax.inner() + i;
                    out.set((o * ax.n() + argmax[j]) * ax.inner() + i, gs.get(j));
                }
            }
            return gradients(gx);
        }
    }

    /** {@code max} over all elements; ties share the gradient evenly (like {@code torch.max(x)} / {@code amax}). */
    static final class MaxAll extends Function {
        private double max;

        private MaxAll() {
        }

        static MaxAll of() {
            return node(MaxAll.class, MaxAll::new);
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            if (x.numel() == 0) throw new IllegalArgumentException("max: cannot reduce an empty tensor " + Shape.str(x.shape()));
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < x.numel() && !Double.isNaN(m); i++) {
                double v = x.get(i);
                if (v > m || Double.isNaN(v)) m = v;
            }
            max = m;
            save(x);
            Tensor y = out(x.dtype());
            y.set(0, m);
            return y;
        }

        /** True for the elements that attain the maximum (NaN attains a NaN maximum). */
        private boolean attains(double v) {
            return v == max || (Double.isNaN(v) && Double.isNaN(max));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outLike(x);
            int ties = 0;
            for (int i = 0; i < x.numel(); i++) if (attains(x.get(i))) ties++;
            double share = g.item() / ties;
            for (int i = 0; i < x.numel(); i++) if (attains(x.get(i))) gx.set(i, share);
            return gradients(gx);
        }
    }

}
