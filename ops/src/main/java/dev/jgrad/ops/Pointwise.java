package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Erf;
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
        @Override void compute(Storage x, Storage y, int n) { Kernels.sigmoid(x, y, n); }
        @Override void gradient(Storage x, Storage y, Storage g, Storage out, int n) { Kernels.sigmoidBackward(y, g, out, n); }
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
        /** {@code g} unless {@code x <= 0}: PyTorch's {@code threshold_backward}, which passes {@code g} at NaN. */
        double df(double x, double y, double g) { return x <= 0 ? 0.0 : g; }
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

    /**
     * GELU: the exact {@code x·Φ(x)}, or with {@code tanh} PyTorch's {@code approximate='tanh'} form
     * {@code x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
     */
    static final class Gelu extends Pointwise {
        private boolean tanh;
        private Gelu() {}
        static Gelu of(boolean tanh) {
            Gelu op = node(Gelu.class, Gelu::new);
            op.tanh = tanh;
            return op;
        }
        private static final double INV_SQRT2 = 0.7071067811865476, INV_SQRT_2PI = 0.3989422804014327;
        private static final double SQRT_2_OVER_PI = 0.7978845608028654, KAPPA = 0.044715;
        double f(double x) {
            if (tanh) return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x * x * x)));
            return 0.5 * x * Erf.erfc(-x * INV_SQRT2);
        }
        double df(double x, double y, double g) {
            if (tanh) {
                double t = Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x * x * x));
                return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x * x));
            }
            return g * (0.5 * Erf.erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
        }
        @Override void compute(Storage x, Storage y, int n) {
            if (tanh) super.compute(x, y, n);
            else Kernels.gelu(x, y, n);
        }
        @Override void gradient(Storage x, Storage y, Storage g, Storage out, int n) {
            if (tanh) super.gradient(x, y, g, out, n);
            else Kernels.geluBackward(x, g, out, n);
        }
    }

    /**
     * {@code x} for {@code x > 0}, else {@code slope·x}; the gradient takes the negative branch at 0 and at NaN
     * (PyTorch's {@code x > 0 ? g : g·slope}).
     */
    static final class LeakyRelu extends Pointwise {
        private double slope;
        private LeakyRelu() {}
        static LeakyRelu of(double slope) {
            LeakyRelu op = node(LeakyRelu.class, LeakyRelu::new);
            op.slope = slope;
            return op;
        }
        double f(double x) { return x > 0 ? x : x * slope; }
        double df(double x, double y, double g) { return x > 0 ? g : g * slope; }
        @Override void compute(Storage x, Storage y, int n) { Kernels.leakyRelu(x, slope, y, n); }
        @Override void gradient(Storage x, Storage y, Storage g, Storage out, int n) { Kernels.leakyReluBackward(x, slope, g, out, n); }
    }

    /**
     * {@code x} for {@code x > 0}, else {@code alpha·expm1(x)}; the gradient {@code g·alpha·exp(x)} for {@code x <= 0}
     * (so at 0 too), else {@code g} (also at NaN, as PyTorch's scalar kernel).
     */
    static final class Elu extends Pointwise {
        private double alpha;
        private Elu() {}
        static Elu of(double alpha) {
            Elu op = node(Elu.class, Elu::new);
            op.alpha = alpha;
            return op;
        }
        double f(double x) { return x <= 0 ? alpha * Math.expm1(x) : x; }
        double df(double x, double y, double g) { return x <= 0 ? g * alpha * Math.exp(x) : g; }
    }

    /** {@code x·σ(x)} with the stable σ; gradient {@code g·σ(x)·(1 + x·(1 - σ(x)))} (NaN at {@code ±inf}, as PyTorch). */
    static final class Silu extends Pointwise {
        private Silu() {}
        static Silu of() { return node(Silu.class, Silu::new); }
        double f(double x) { return x * Stable.sigmoid(x); }
        double df(double x, double y, double g) { double s = Stable.sigmoid(x); return g * s * (1 + x * (1 - s)); }
        @Override void compute(Storage x, Storage y, int n) { Kernels.silu(x, y, n); }
        @Override void gradient(Storage x, Storage y, Storage g, Storage out, int n) { Kernels.siluBackward(x, g, out, n); }
    }

    /** {@code min(max(x, lo), hi)}; unlike clamp the gradient is 0 at both bounds ({@code lo < x < hi} passes, NaN passes). */
    static final class Hardtanh extends Pointwise {
        private double lo, hi;
        private Hardtanh() {}
        static Hardtanh of(double lo, double hi) {
            Hardtanh op = node(Hardtanh.class, Hardtanh::new);
            op.lo = lo;
            op.hi = hi;
            return op;
        }
        double f(double x) { return x != x ? x : Math.min(Math.max(x, lo), hi); }
        double df(double x, double y, double g) { return x <= lo || x >= hi ? 0.0 : g; }
    }

    static final class Log1p extends Pointwise {
        private Log1p() {}
        static Log1p of() { return node(Log1p.class, Log1p::new); }
        double f(double x) { return Math.log1p(x); }
        double df(double x, double y, double g) { return g / (x + 1); }
    }

    static final class Expm1 extends Pointwise {
        private Expm1() {}
        static Expm1 of() { return node(Expm1.class, Expm1::new); }
        double f(double x) { return Math.expm1(x); }
        double df(double x, double y, double g) { return g * (y + 1); }
    }

    /** {@code 1/sqrt(x)}; gradient {@code -g·y³/2} from the saved output. */
    static final class Rsqrt extends Pointwise {
        private Rsqrt() {}
        static Rsqrt of() { return node(Rsqrt.class, Rsqrt::new); }
        double f(double x) { return 1 / Math.sqrt(x); }
        double df(double x, double y, double g) { return -0.5 * g * (y * y * y); }
    }
}
