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
            argmax = argExtreme(x, ax, true);
            Storage xs = x.storage(), ys = y.storage();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < ax.inner(); i++) {
                    int j = o * ax.inner() + i;
                    ys.set(j, xs.get((o * ax.n() + argmax[j]) * ax.inner() + i));
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

    // ------------------------------------------------------------------ reductions over several dims

    /**
     * Layout of a reduction over a set of dims: output element {@code o} reduces the {@code n()} input elements
     * at {@code base[o] + roff[r]}, both enumerated row-major over the kept and the reduced dims; {@code block} is
     * the {@code [outer, n, inner]} view when the reduced dims are one contiguous block (else null).
     */
    record Plan(int[] outShape, int[] base, int[] roff, Axis block) {
        /** Number of elements reduced into each output. */
        int n() {
            return roff.length;
        }

        /** Number of output elements. */
        int count() {
            return base.length;
        }

        /**
         * The plan for reducing {@code dims} (negative counts from the end; null or empty = every dim, as
         * {@code torch.sum(x, dim=[])}) of {@code shape}.
         *
         * @throws IllegalArgumentException naming {@code op} for a dim out of range or given twice
         */
        static Plan of(String op, int[] shape, int[] dims, boolean keepdim) {
            int rank = shape.length;
            boolean[] red = new boolean[Math.max(rank, 1)];
            if (dims == null || dims.length == 0) {
                java.util.Arrays.fill(red, true);
            } else {
                for (int d : dims) {
                    int k = Shape.dim(op, d, rank);
                    if (red[k]) {
                        throw new IllegalArgumentException(op + ": dim " + d + " appears multiple times in the list of dims "
                                + java.util.Arrays.toString(dims) + " for a tensor of shape " + Shape.str(shape));
                    }
                    red[k] = true;
                }
            }
            int kept = 0;
            for (int i = 0; i < rank; i++) if (!red[i]) kept++;
            int[] ks = new int[kept], kst = new int[kept], rs = new int[rank - kept], rst = new int[rank - kept];
            int[] out = new int[keepdim ? rank : kept];
            for (int i = rank - 1, stride = 1, a = kept, b = rank - kept, c = out.length; i >= 0; stride *= shape[i], i--) {
                if (red[i]) {
                    rs[--b] = shape[i];
                    rst[b] = stride;
                    if (keepdim) out[--c] = 1;
                } else {
                    ks[--a] = shape[i];
                    kst[a] = stride;
                    out[--c] = shape[i];
                }
            }
            int first = 0, last = rank - 1;
            while (first < rank && !red[first]) first++;
            while (last >= 0 && !red[last]) last--;
            boolean contiguous = true;
            for (int i = first; i <= last; i++) contiguous &= red[i];
            Axis block = rank == 0 ? new Axis(1, 1, 1)
                    : contiguous ? new Axis(Shape.prod(shape, 0, first), Shape.prod(shape, first, last + 1), Shape.prod(shape, last + 1, rank)) : null;
            return new Plan(out, offsets(ks, kst), offsets(rs, rst), block);
        }

        /** The offsets {@code Σ idx[i]·strides[i]} of every index of {@code sizes}, row-major. */
        private static int[] offsets(int[] sizes, int[] strides) {
            int[] off = new int[Shape.numel(sizes)];
            int[] idx = new int[sizes.length];
            for (int j = 0, cur = 0; j < off.length; j++) {
                off[j] = cur;
                for (int i = sizes.length - 1; i >= 0; i--) {
                    if (++idx[i] < sizes[i]) {
                        cur += strides[i];
                        break;
                    }
                    cur -= (idx[i] - 1) * strides[i];
                    idx[i] = 0;
                }
            }
            return off;
        }
    }

    /** The shared state of a reduction over several dims: the dims, keepdim, and the plan of the last forward. */
    abstract static class OverDims extends Function {
        int[] dims;
        boolean keepdim;
        Plan plan;

        /** Sets the parameters; called on every {@code of} (nodes are recycled). */
        final void set(int[] dims, boolean keepdim) {
            this.dims = dims;
            this.keepdim = keepdim;
        }

        /** Plans the reduction of {@code x} for this call. */
        final Plan plan(String op, Tensor x) {
            plan = Plan.of(op, x.shape(), dims, keepdim);
            return plan;
        }
    }

    /** {@code sum} over several dims; backward broadcasts {@code g} back over the reduced dims. */
    static final class SumDims extends OverDims {
        private int[] inShape;

        private SumDims() {
        }

        static SumDims of(int[] dims, boolean keepdim) {
            SumDims op = node(SumDims.class, SumDims::new);
            op.set(dims, keepdim);
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            plan("sum", x);
            Tensor y = out(x.dtype(), plan.outShape());
            Storage xs = x.storage(), ys = y.storage();
            Axis b = plan.block();
            if (b != null) { // the kernel of the one-dim sum (same bits as a sum over the merged dims)
                Kernels.sum(xs, ys, b.outer(), b.n(), b.inner());
                return y;
            }
            int[] base = plan.base(), roff = plan.roff();
            for (int o = 0; o < base.length; o++) {
                double s = 0;
                for (int r : roff) s += xs.get(base[o] + r);
                ys.set(o, s);
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            Storage gs = g.storage(), out = gx.storage();
            int[] base = plan.base(), roff = plan.roff();
            for (int o = 0; o < base.length; o++) {
                double v = gs.get(o);
                for (int r : roff) out.set(base[o] + r, v);
            }
            return gradients(gx);
        }
    }

    /**
     * {@code logsumexp} over several dims: {@code m + log Σ exp(x − m)} with {@code m} the max of the slice as a
     * constant, or 0 when that max is infinite (an all-{@code -inf} slice gives {@code -inf}, a {@code +inf} one
     * {@code +inf}); the parts are kept apart so backward forms the exact softmax {@code g·exp((x − m) − log Σ)}.
     */
    static final class LogSumExpDims extends OverDims {
        private double[] shift, logSum;

        private LogSumExpDims() {
        }

        static LogSumExpDims of(int[] dims, boolean keepdim) {
            LogSumExpDims op = node(LogSumExpDims.class, LogSumExpDims::new);
            op.set(dims, keepdim);
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            plan("logsumexp", x);
            Tensor y = out(x.dtype(), plan.outShape());
            Storage xs = x.storage();
            int[] base = plan.base(), roff = plan.roff();
            shift = new double[base.length];
            logSum = new double[base.length];
            for (int o = 0; o < base.length; o++) {
                double m = extreme(xs, base[o], roff, true);
                if (Double.isInfinite(m)) m = 0.0;
                double s = 0;
                for (int r : roff) s += Math.exp(xs.get(base[o] + r) - m);
                shift[o] = m;
                logSum[o] = Math.log(s);
                y.set(o, m + logSum[o]);
            }
            save(x);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outLike(x);
            Storage xs = x.storage(), gs = g.storage(), out = gx.storage();
            int[] base = plan.base(), roff = plan.roff();
            for (int o = 0; o < base.length; o++) {
                double go = gs.get(o);
                for (int r : roff) out.set(base[o] + r, go * Math.exp((xs.get(base[o] + r) - shift[o]) - logSum[o]));
            }
            return gradients(gx);
        }
    }

    /**
     * The max (or min when not {@code largest}) of the elements {@code x[base + roff[r]]}, NaN if any is NaN;
     * {@code -inf} ({@code +inf}) for an empty slice.
     */
    static double extreme(Storage x, int base, int[] roff, boolean largest) {
        double m = largest ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (int r : roff) {
            double v = x.get(base + r);
            if (largest ? v > m : v < m) m = v;
            else if (Double.isNaN(v)) return v;
        }
        return m;
    }

    /**
     * {@code amax} over several dims (NaN if the slice holds a NaN). Ties share the gradient evenly, PyTorch's
     * {@code g·mask/Σ mask} with {@code mask = (x == y)}: a NaN slice has no match and gets a NaN gradient.
     */
    static final class AMax extends OverDims {
        private double[] max;

        private AMax() {
        }

        static AMax of(int[] dims, boolean keepdim) {
            AMax op = node(AMax.class, AMax::new);
            op.set(dims, keepdim);
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            plan("amax", x);
            if (plan.n() == 0 && plan.count() > 0) {
                throw new IllegalArgumentException("amax: cannot reduce an empty dimension of " + Shape.str(x.shape()));
            }
            Tensor y = out(x.dtype(), plan.outShape());
            int[] base = plan.base(), roff = plan.roff();
            max = new double[base.length];
            for (int o = 0; o < base.length; o++) {
                max[o] = extreme(x.storage(), base[o], roff, true);
                y.set(o, max[o]);
            }
            save(x);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outLike(x);
            Storage xs = x.storage(), out = gx.storage();
            int[] base = plan.base(), roff = plan.roff();
            for (int o = 0; o < base.length; o++) {
                int ties = 0;
                for (int r : roff) if (xs.get(base[o] + r) == max[o]) ties++;
                double share = g.get(o) / ties;
                for (int r : roff) out.set(base[o] + r, xs.get(base[o] + r) == max[o] ? share : share * 0.0);
            }
            return gradients(gx);
        }
    }

    /**
     * {@code var} (or {@code std}) over several dims with Bessel's {@code correction}:
     * {@code Σ(x − x̄)² / (n − correction)}. Backward {@code g·2(x − x̄)/(n − correction)}, for {@code std} divided by
     * {@code 2·std}, and 0 where {@code std = 0} (PyTorch's rule, so a constant slice has gradient 0, not NaN).
     */
    static final class VarStd extends OverDims {
        private boolean std;
        private double correction;
        private double[] mean, value;

        private VarStd() {
        }

        static VarStd of(int[] dims, double correction, boolean keepdim, boolean std) {
            VarStd op = node(VarStd.class, VarStd::new);
            op.set(dims, keepdim);
            op.correction = correction;
            op.std = std;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            plan(std ? "std" : "var", x);
            Tensor y = out(x.dtype(), plan.outShape());
            Storage xs = x.storage();
            int[] base = plan.base(), roff = plan.roff();
            mean = new double[base.length];
            value = new double[base.length];
            double dof = Math.max(0, plan.n() - correction);
            for (int o = 0; o < base.length; o++) {
                double s = 0;
                for (int r : roff) s += xs.get(base[o] + r);
                double m = s / plan.n();
                double ss = 0;
                for (int r : roff) {
                    double d = xs.get(base[o] + r) - m;
                    ss += d * d;
                }
                mean[o] = m;
                value[o] = std ? Math.sqrt(ss / dof) : ss / dof;
                y.set(o, value[o]);
            }
            save(x);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outLike(x);
            Storage xs = x.storage(), out = gx.storage();
            int[] base = plan.base(), roff = plan.roff();
            double scale = 2.0 / (plan.n() - correction);
            for (int o = 0; o < base.length; o++) {
                double gv = g.get(o);
                if (std) gv = value[o] == 0 ? 0.0 : gv / (2 * value[o]);
                for (int r : roff) out.set(base[o] + r, scale * gv * (xs.get(base[o] + r) - mean[o]));
            }
            return gradients(gx);
        }
    }

    /**
     * The vector {@code p}-norm over several dims: {@code (Σ|x|^p)^(1/p)}, {@code max|x|} for {@code p = inf}.
     * Backward as PyTorch's {@code norm_backward}: {@code g·x/‖x‖} for {@code p = 2} (0 where the norm is 0),
     * {@code g·sgn(x)} for {@code p = 1}, {@code g·sgn(x)|x|^(p−1)/‖x‖^(p−1)} otherwise, and for {@code inf}
     * {@code g·sgn(x)} shared evenly among the elements with {@code |x| = ‖x‖} (or NaN).
     */
    static final class Norm extends OverDims {
        private double p;
        private double[] norm;

        private Norm() {
        }

        static Norm of(double p, int[] dims, boolean keepdim) {
            Norm op = node(Norm.class, Norm::new);
            op.p = p;
            op.set(dims, keepdim);
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            plan("norm", x);
            Tensor y = out(x.dtype(), plan.outShape());
            Storage xs = x.storage();
            int[] base = plan.base(), roff = plan.roff();
            norm = new double[base.length];
            for (int o = 0; o < base.length; o++) {
                double acc = 0;
                for (int r : roff) {
                    double a = Math.abs(xs.get(base[o] + r));
                    if (p == Double.POSITIVE_INFINITY) acc = a > acc || Double.isNaN(a) ? a : acc;
                    else acc += p == 1 ? a : p == 2 ? a * a : Math.pow(a, p);
                    if (Double.isNaN(acc)) break;
                }
                norm[o] = p == Double.POSITIVE_INFINITY || p == 1 ? acc : p == 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / p);
                y.set(o, norm[o]);
            }
            save(x);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outLike(x);
            Storage xs = x.storage(), out = gx.storage();
            int[] base = plan.base(), roff = plan.roff();
            for (int o = 0; o < base.length; o++) {
                double go = g.get(o), n = norm[o];
                int ties = 0;
                if (p == Double.POSITIVE_INFINITY) {
                    for (int r : roff) if (attainsNorm(xs.get(base[o] + r), n)) ties++;
                }
                for (int r : roff) {
                    double v = xs.get(base[o] + r);
                    double d;
                    if (p == 1) d = go * Math.signum(v);
                    else if (p == 2) d = n == 0 ? 0.0 : go * (v / n);
                    else if (p == Double.POSITIVE_INFINITY) d = Math.signum(v) * ((go / ties) * (attainsNorm(v, n) ? 1 : 0));
                    else if (p < 1) d = (v == 0 ? 0.0 : Math.signum(v) * Math.pow(Math.abs(v), p - 1)) * go * Math.pow(n, 1 - p);
                    else d = n == 0 ? 0.0 : Math.signum(v) * Math.pow(Math.abs(v), p - 1) * (go / Math.pow(n, p - 1));
                    out.set(base[o] + r, d);
                }
            }
            return gradients(gx);
        }

        private static boolean attainsNorm(double v, double n) {
            return Math.abs(v) == n || Double.isNaN(v);
        }
    }

    /**
     * {@code topk} along a dim: the {@code k} largest (or smallest) values of each slice, in order (ties by index;
     * NaN counts as larger than every number); backward puts {@code g} at the selected positions.
     */
    static final class TopK extends Function {
        private int k, dim;
        private boolean largest;
        private int[] inShape, indices;
        private Axis ax;

        private TopK() {
        }

        static TopK of(int k, int dim, boolean largest) {
            TopK op = node(TopK.class, TopK::new);
            op.k = k;
            op.dim = dim;
            op.largest = largest;
            return op;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            inShape = x.shape();
            int d = Shape.dim("topk", dim, inShape.length);
            ax = Axis.of(inShape, d);
            if (k < 0 || k > ax.n()) {
                throw new IllegalArgumentException("topk: k " + k + " is out of range for dimension " + dim + " of size " + ax.n()
                        + " of a tensor of shape " + Shape.str(inShape));
            }
            int[] ys = inShape.clone();
            if (ys.length > 0) ys[d] = k;
            Tensor y = out(x.dtype(), ys);
            indices = new int[ax.outer() * k * ax.inner()];
            Integer[] order = new Integer[ax.n()];
            Storage xs = x.storage();
            for (int o = 0; o < ax.outer(); o++) {
                for (int i = 0; i < ax.inner(); i++) {
                    int b = o * ax.n() * ax.inner() + i;
                    for (int j = 0; j < order.length; j++) order[j] = j;
                    java.util.Arrays.sort(order, (u, v) -> { // stable: ties keep index order
                        int c = order(xs.get(b + u * ax.inner()), xs.get(b + v * ax.inner()));
                        return largest ? -c : c;
                    });
                    for (int j = 0; j < k; j++) {
                        int p = (o * k + j) * ax.inner() + i;
                        indices[p] = order[j];
                        y.set(p, xs.get(b + order[j] * ax.inner()));
                    }
                }
            }
            return y;
        }

        /** The order of {@code topk}: NaN above every number, {@code -0.0} equal to {@code 0.0}. */
        private static int order(double a, double b) {
            if (Double.isNaN(a) || Double.isNaN(b)) return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
            return Double.compare(a + 0.0, b + 0.0);
        }

        /** The indices along the dim of the selected values (valid after apply), the shape of the values. */
        int[] indices() {
            return indices.clone();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor gx = out(g.dtype(), inShape);
            for (int o = 0; o < ax.outer(); o++) {
                for (int j = 0; j < k; j++) {
                    for (int i = 0; i < ax.inner(); i++) {
                        int p = (o * k + j) * ax.inner() + i;
                        gx.set((o * ax.n() + indices[p]) * ax.inner() + i, g.get(p));
                    }
                }
            }
            return gradients(gx);
        }
    }

    /**
     * Index of the max (or min) of each slice along {@code ax}: the first one, and the first NaN when a slice holds
     * a NaN (PyTorch's {@code argmax}/{@code argmin}).
     */
    static int[] argExtreme(Tensor x, Axis ax, boolean largest) {
        int[] idx = new int[ax.outer() * ax.inner()];
        Storage xs = x.storage();
        for (int o = 0; o < ax.outer(); o++) {
            for (int i = 0; i < ax.inner(); i++) {
                int best = 0;
                double m = xs.get(o * ax.n() * ax.inner() + i);
                for (int k = 1; k < ax.n() && !Double.isNaN(m); k++) {
                    double v = xs.get((o * ax.n() + k) * ax.inner() + i);
                    if ((largest ? v > m : v < m) || Double.isNaN(v)) {
                        m = v;
                        best = k;
                    }
                }
                idx[o * ax.inner() + i] = best;
            }
        }
        return idx;
    }
}
