package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.BinaryOp;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.Operand;

/**
 * Binary element-wise ops with NumPy/PyTorch broadcasting. The output index walks an odometer over the
 * broadcast shape; each input's index advances by its own strides (0 along broadcast dimensions), so the
 * backward pass accumulates straight into each input's gradient: no expanded temporaries.
 *
 * <p>The common layouts — same shape, a scalar, a row {@code [.., C]} against {@code [R.., C]}, a per-row value
 * {@code [R.., 1]} — go through the vectorised {@link Kernels#binary} seam instead (same values: one double operation
 * rounded once); their backward passes reduce full-size products with {@link Kernels#sum} (sums in double, rounded
 * once). Other broadcasts, and the backward of division, use the walk.
 */
abstract class Arithmetic extends Function {
    /** Output {@code [rows, cols]} (cols = the last dimension) and each operand's layout, or null when only the walk fits. */
    int rows, cols;
    Operand aLayout, bLayout;

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
        Tensor y = outUninitialized(a.dtype(), shape);
        cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        rows = cols == 0 ? 0 : y.numel() / cols;
        aLayout = layout(a.shape(), shape);
        bLayout = layout(b.shape(), shape);
        Storage as = a.storage(), bs = b.storage(), ys = y.storage();
        if (aLayout != null && bLayout != null && op() != null) {
            Kernels.binary(op(), as, aLayout, bs, bLayout, ys, rows, cols);
        } else {
            Walk w = new Walk(a.shape(), b.shape(), shape);
            for (int o = 0, n = y.numel(); o < n; o++, w.next()) ys.set(o, f(as.get(w.ai), bs.get(w.bi)));
        }
        save(a, b, y);
        return y;
    }

    /** The seam kernel's name for this op; null for an op the seam does not have (it always takes the walk). */
    abstract BinaryOp op();

    /**
     * The {@link Operand} layout of an input of shape {@code in} broadcast to {@code out}: the same shape, a single
     * value, one row ({@code [.., C]} with every other dimension 1), one value per row ({@code out} with the last
     * dimension 1); null for other broadcasts.
     */
    static Operand layout(int[] in, int[] out) {
        if (java.util.Arrays.equals(in, out)) return Operand.FULL;
        if (Shape.numel(in) == 1) return Operand.SCALAR;
        if (in.length == 0 || out.length == 0) return null;
        int last = out[out.length - 1];
        if (in[in.length - 1] == last && Shape.numel(in) == last) return Operand.ROW;
        if (in.length == out.length && in[in.length - 1] == 1
                && java.util.Arrays.equals(java.util.Arrays.copyOf(in, in.length - 1), java.util.Arrays.copyOf(out, out.length - 1))) {
            return Operand.COLUMN;
        }
        return null;
    }

    /**
     * The gradient of an input with layout {@code layout}, given the full-size {@code t} (the upstream gradient times
     * the local derivative): {@code t} itself for a full operand (the engine copies a gradient that is also the
     * upstream gradient before a leaf keeps it), else its sums over the broadcast dimensions.
     */
    Tensor reduce(Tensor t, Tensor like, Operand layout) {
        if (layout == Operand.FULL) return t;
        Tensor r = outLike(like);
        switch (layout) {
            case ROW -> Kernels.sum(t.storage(), r.storage(), 1, rows, cols);
            case COLUMN -> Kernels.sum(t.storage(), r.storage(), rows, cols, 1);
            default -> Kernels.sum(t.storage(), r.storage(), 1, rows * cols, 1);
        }
        return r;
    }

    /** {@code x ∘ (y in layout)} as a new full-size tensor. */
    Tensor full(BinaryOp op, Tensor x, Tensor y, Operand yLayout) {
        Tensor t = outUninitializedLike(x);
        Kernels.binary(op, x.storage(), Operand.FULL, y.storage(), yLayout, t.storage(), rows, cols);
        return t;
    }

    /** {@code -x}, exactly (a multiplication by −1 keeps the sign of zeros and NaN payload rules of negation). */
    Tensor negate(Tensor x) {
        Tensor t = outUninitializedLike(x);
        Kernels.binary(BinaryOp.MUL, x.storage(), Operand.FULL, MINUS_ONE.get(x.dtype()), Operand.SCALAR, t.storage(), 1, x.numel());
        return t;
    }

    private static final java.util.Map<dev.jgrad.core.DType, Storage> MINUS_ONE = minusOne();

    private static java.util.Map<dev.jgrad.core.DType, Storage> minusOne() {
        java.util.Map<dev.jgrad.core.DType, Storage> m = new java.util.EnumMap<>(dev.jgrad.core.DType.class);
        for (dev.jgrad.core.DType t : dev.jgrad.core.DType.values()) {
            Storage s = Storage.allocate(t, 1);
            s.set(0, -1);
            m.put(t, s);
        }
        return m;
    }

    /** Backward through the seam kernels for the layouts it covers; null to use the walk. */
    Tensor[] fastBackward(Tensor a, Tensor b, Tensor g) {
        return null;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = saved()[0], b = saved()[1], y = saved()[2];
        if (aLayout != null && bLayout != null) {
            Tensor[] fast = fastBackward(a, b, g);
            if (fast != null) return fast;
        }
        Tensor ga = needsInputGrad(0) ? outLike(a) : null;
        Tensor gb = needsInputGrad(1) ? outLike(b) : null;
        Walk w = new Walk(a.shape(), b.shape(), y.shape());
        Storage as = a.storage(), bs = b.storage(), ys = y.storage(), gs = g.storage();
        Storage gas = ga == null ? null : ga.storage(), gbs = gb == null ? null : gb.storage();
        for (int o = 0, n = y.numel(); o < n; o++, w.next()) {
            double av = as.get(w.ai), bv = bs.get(w.bi), yv = ys.get(o), gv = gs.get(o);
            if (gas != null) gas.add(w.ai, da(av, bv, yv, gv));
            if (gbs != null) gbs.add(w.bi, db(av, bv, yv, gv));
        }
        return gradients(ga, gb);
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
        private Add() {}
        static Add of() { return node(Add.class, Add::new); }
        BinaryOp op() { return BinaryOp.ADD; }
        @Override Tensor[] fastBackward(Tensor a, Tensor b, Tensor g) {
            return gradients(needsInputGrad(0) ? reduce(g, a, aLayout) : null, needsInputGrad(1) ? reduce(g, b, bLayout) : null);
        }
        double f(double a, double b) { return a + b; }
        double da(double a, double b, double y, double g) { return g; }
        double db(double a, double b, double y, double g) { return g; }
    }

    static final class Sub extends Arithmetic {
        private Sub() {}
        static Sub of() { return node(Sub.class, Sub::new); }
        BinaryOp op() { return BinaryOp.SUB; }
        @Override Tensor[] fastBackward(Tensor a, Tensor b, Tensor g) {
            return gradients(needsInputGrad(0) ? reduce(g, a, aLayout) : null, needsInputGrad(1) ? negate(reduce(g, b, bLayout)) : null);
        }
        double f(double a, double b) { return a - b; }
        double da(double a, double b, double y, double g) { return g; }
        double db(double a, double b, double y, double g) { return -g; }
    }

    static final class Mul extends Arithmetic {
        private Mul() {}
        static Mul of() { return node(Mul.class, Mul::new); }
        BinaryOp op() { return BinaryOp.MUL; }
        @Override Tensor[] fastBackward(Tensor a, Tensor b, Tensor g) {
            return gradients(needsInputGrad(0) ? reduce(full(BinaryOp.MUL, g, b, bLayout), a, aLayout) : null,
                    needsInputGrad(1) ? reduce(full(BinaryOp.MUL, g, a, aLayout), b, bLayout) : null);
        }
        double f(double a, double b) { return a * b; }
        double da(double a, double b, double y, double g) { return g * b; }
        double db(double a, double b, double y, double g) { return g * a; }
    }

    static final class Div extends Arithmetic {
        private Div() {}
        static Div of() { return node(Div.class, Div::new); }
        BinaryOp op() { return BinaryOp.DIV; }
        double f(double a, double b) { return a / b; }
        double da(double a, double b, double y, double g) { return g / b; }
        double db(double a, double b, double y, double g) { return -g * a / (b * b); }
    }

    /**
     * {@code max(a, b)}, NaN if either is NaN. Gradient as PyTorch's {@code maximum}: {@code g} to the larger input,
     * {@code g/2} to each at a tie, and {@code g} to both where either is NaN (no comparison holds there).
     */
    static final class Maximum extends Arithmetic {
        private Maximum() {}
        static Maximum of() { return node(Maximum.class, Maximum::new); }
        BinaryOp op() { return null; }
        double f(double a, double b) { return Math.max(a, b); }
        double da(double a, double b, double y, double g) { return a == b ? g / 2 : a < b ? 0.0 : g; }
        double db(double a, double b, double y, double g) { return a == b ? g / 2 : a > b ? 0.0 : g; }
    }

    /** {@code min(a, b)}, NaN if either is NaN; the gradient mirrors {@link Maximum}'s (ties {@code g/2}, NaN {@code g} to both). */
    static final class Minimum extends Arithmetic {
        private Minimum() {}
        static Minimum of() { return node(Minimum.class, Minimum::new); }
        BinaryOp op() { return null; }
        double f(double a, double b) { return Math.min(a, b); }
        double da(double a, double b, double y, double g) { return a == b ? g / 2 : a > b ? 0.0 : g; }
        double db(double a, double b, double y, double g) { return a == b ? g / 2 : a < b ? 0.0 : g; }
    }
}
