package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;

/**
 * Element-wise unary ops. Each op is a small class: {@code f} computes the value and {@code df} the input
 * gradient from the input {@code x}, the output {@code y} and the upstream gradient {@code g}; its static
 * {@code of(..)} is the only way to a node and takes the op's parameters ({@link Function#node}).
 */
abstract class Pointwise extends Function {

    /** The value at one element (double precision; rounded once on store). */
    abstract double f(double x);

    /** The input gradient at one element. */
    abstract double df(double x, double y, double g);

    /** Forward over the whole storage; overridden where a seam kernel exists. */
    void compute(Storage x, Storage y, int n) {
        for (int i = 0; i < n; i++) y.set(i, f(x.get(i)));
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0];
        Tensor y = outUninitializedLike(x);
        compute(x.storage(), y.storage(), x.numel());
        save(x, y);
        return y;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved()[0], y = saved()[1];
        Tensor gx = outUninitializedLike(x);
        gradient(x.storage(), y.storage(), g.storage(), gx.storage(), x.numel());
        return gradients(gx);
    }

    /** Backward over the whole storage; overridden where a seam kernel exists. */
    void gradient(Storage xs, Storage ys, Storage gs, Storage out, int n) {
        for (int i = 0; i < n; i++) out.set(i, df(xs.get(i), ys.get(i), gs.get(i)));
    }

    static final class Exp extends Pointwise {
        private Exp() {}
        static Exp of() { return node(Exp.class, Exp::new); }
        double f(double x) { return Math.exp(x); }
        double df(double x, double y, double g) { return g * y; }
        @Override void compute(Storage x, Storage y, int n) { Kernels.exp(x, y, n); }
    }

    static final class Log extends Pointwise {
        private Log() {}
        static Log of() { return node(Log.class, Log::new); }
        double f(double x) { return Math.log(x); }
        double df(double x, double y, double g) { return g / x; }
        @Override void compute(Storage x, Storage y, int n) { Kernels.log(x, y, n); }
    }

    static final class Sqrt extends Pointwise {
        private Sqrt() {}
        static Sqrt of() { return node(Sqrt.class, Sqrt::new); }
        double f(double x) { return Math.sqrt(x); }
        double df(double x, double y, double g) { return g / (2 * y); }
    }

    static final class Abs extends Pointwise {
        private Abs() {}
        static Abs of() { return node(Abs.class, Abs::new); }
        double f(double x) { return Math.abs(x); }
        double df(double x, double y, double g) { return g * Math.signum(x); }
    }

    static final class Neg extends Pointwise {
        private Neg() {}
        static Neg of() { return node(Neg.class, Neg::new); }
        double f(double x) { return -x; }
        double df(double x, double y, double g) { return -g; }
    }

    static final class Sigmoid extends Pointwise {
        private Sigmoid() {}
        static Sigmoid of() { return node(Sigmoid.class, Sigmoid::new); }
        double f(double x) { return Stable.sigmoid(x); }
        double df(double x, double y, double g) { return g * y * (1 - y); }
    }

    static final class Tanh extends Pointwise {
        private Tanh() {}
        static Tanh of() { return node(Tanh.class, Tanh::new); }
        double f(double x) { return Math.tanh(x); }
        double df(double x, double y, double g) { return g * (1 - y * y); }
    }

    static final class Relu extends Pointwise {
        private Relu() {}
        static Relu of() { return node(Relu.class, Relu::new); }
        double f(double x) { return x > 0 ? x : (x != x ? x : 0.0); }
        double df(double x, double y, double g) { return x > 0 ? g : 0.0; }
        @Override void compute(Storage x, Storage y, int n) { Kernels.relu(x, y, n); }
        @Override void gradient(Storage x, Storage y, Storage g, Storage out, int n) { Kernels.reluBackward(x, g, out, n); }
    }

    static final class Softplus extends Pointwise {
        private double beta, threshold;
        private Softplus() {}
        static Softplus of(double beta, double threshold) {
            Softplus op = node(Softplus.class, Softplus::new);
            op.beta = beta;
            op.threshold = threshold;
            return op;
        }
        double f(double x) { double z = beta * x; return z > threshold ? x : Math.log1p(Math.exp(z)) / beta; }
        double df(double x, double y, double g) { double z = beta * x; return z > threshold ? g : g * Stable.sigmoid(z); }
    }

    static final class Clamp extends Pointwise {
        private double lo, hi;
        private Clamp() {}
        static Clamp of(double lo, double hi) {
            Clamp op = node(Clamp.class, Clamp::new);
            op.lo = lo;
            op.hi = hi;
            return op;
        }
        double f(double x) { return x != x ? x : Math.min(Math.max(x, lo), hi); }
        double df(double x, double y, double g) { return x >= lo && x <= hi ? g : 0.0; }
    }

    static final class Pow extends Pointwise {
        private double p;
        private Pow() {}
        static Pow of(double p) {
            Pow op = node(Pow.class, Pow::new);
            op.p = p;
            return op;
        }
        double f(double x) { return Math.pow(x, p); }
        double df(double x, double y, double g) { return p == 0 ? 0.0 : g * p * Math.pow(x, p - 1); }
    }

    static final class Gelu extends Pointwise {
        private Gelu() {}
        static Gelu of() { return node(Gelu.class, Gelu::new); }
        private static final double INV_SQRT2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327;
        double f(double x) { return 0.5 * x * Erf.erfc(-x * INV_SQRT2); }
        double df(double x, double y, double g) {
            return g * (0.5 * Erf.erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
        }
    }
}
