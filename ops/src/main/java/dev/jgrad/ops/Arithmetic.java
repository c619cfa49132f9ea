package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/**
 * Binary element-wise ops with NumPy/PyTorch broadcasting. The output index walks an odometer over the
 * broadcast shape; each input's index advances by its own strides (0 along broadcast dimensions), so the
 * backward pass accumulates straight into each input's gradient: no expanded temporaries.
 */
abstract class Arithmetic extends Function {
    abstract double f(double a, double b);

    /** d out / d a times g. */
    abstract double da(double a, double b, double y, double g);

    /** d out / d b times g. */
    abstract double db(double a, double b, double y, double g);

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor a = in[0], b = in[1];
        // messages use the op's public name (add, sub, mul, div), like every other op's errors
        int[] shape = Shape.broadcast(name().toLowerCase(java.util.Locale.ROOT), a.shape(), b.shape());
        Tensor y = Tensor.zeros(a.dtype(), shape);
        Walk w = new Walk(a.shape(), b.shape(), shape);
        Storage as = a.storage(), bs = b.storage(), ys = y.storage();
        for (int o = 0, n = y.numel(); o < n; o++, w.next()) ys.set(o, f(as.get(w.ai), bs.get(w.bi)));
        save(a, b, y);
        return y;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = saved()[0], b = saved()[1], y = saved()[2];
        Tensor ga = needsInputGrad(0) ? Tensor.zerosLike(a) : null;
        Tensor gb = needsInputGrad(1) ? Tensor.zerosLike(b) : null;
        Walk w = new Walk(a.shape(), b.shape(), y.shape());
        Storage as = a.storage(), bs = b.storage(), ys = y.storage(), gs = g.storage();
        Storage gas = ga == null ? null : ga.storage(), gbs = gb == null ? null : gb.storage();
        for (int o = 0, n = y.numel(); o < n; o++, w.next()) {
            double av = as.get(w.ai), bv = bs.get(w.bi), yv = ys.get(o), gv = gs.get(o);
            if (gas != null) gas.add(w.ai, da(av, bv, yv, gv));
            if (gbs != null) gbs.add(w.bi, db(av, bv, yv, gv));
        }
        return new Tensor[]{ga, gb};
    }

    /** Odometer over the output shape tracking the flat index of each (broadcast) input. */
    static final class Walk {
        int ai, bi;
        private final int[] out, sa, sb, idx;
        private final boolean same;

        Walk(int[] a, int[] b, int[] out) {
            this.out = out;
            this.same = java.util.Arrays.equals(a, out) && java.util.Arrays.equals(b, out);
            this.sa = Shape.broadcastStrides(a, out);
            this.sb = Shape.broadcastStrides(b, out);
            this.idx = new int[out.length];
        }

        void next() {
            if (same) {
                ai++;
                bi++;
                return;
            }
            for (int d = out.length - 1; d >= 0; d--) {
                idx[d]++;
                ai += sa[d];
                bi += sb[d];
                if (idx[d] < out[d]) return;
                ai -= sa[d] * out[d];
                bi -= sb[d] * out[d];
                idx[d] = 0;
            }
        }
    }

    static final class Add extends Arithmetic {
        double f(double a, double b) { return a + b; }
        double da(double a, double b, double y, double g) { return g; }
        double db(double a, double b, double y, double g) { return g; }
    }

    static final class Sub extends Arithmetic {
        double f(double a, double b) { return a - b; }
        double da(double a, double b, double y, double g) { return g; }
        double db(double a, double b, double y, double g) { return -g; }
    }

    static final class Mul extends Arithmetic {
        double f(double a, double b) { return a * b; }
        double da(double a, double b, double y, double g) { return g * b; }
        double db(double a, double b, double y, double g) { return g * a; }
    }

    static final class Div extends Arithmetic {
        double f(double a, double b) { return a / b; }
        double da(double a, double b, double y, double g) { return g / b; }
        double db(double a, double b, double y, double g) { return -g * a / (b * b); }
    }
}
