package dev.jgrad.ops;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/**
 * Element-wise comparisons with broadcasting, returning masks: tensors of the inputs' dtype holding 1.0 where the
 * relation holds and 0.0 elsewhere. Not differentiable: no graph node is recorded and the mask never requires grad
 * (a mask's derivative is 0 almost everywhere, undefined at the switch). IEEE rules: a comparison with NaN is false,
 * so {@code ne} is the only one that holds there.
 *
 * <p>This class only extends {@link Function} to allocate its result like an op does (lent by the open
 * {@code Workspace}); it is never instantiated.
 */
abstract class Compare extends Function {
    private Compare() {
    }

    /** The six relations, named as PyTorch names them. */
    enum Relation {
        EQ, NE, LT, LE, GT, GE;

        boolean test(double a, double b) {
            return switch (this) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                case GE -> a >= b;
            };
        }

        String opName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The mask {@code r(a, b)} over the broadcast shape of {@code a} and {@code b}.
     *
     * @throws IllegalArgumentException naming the op for a null input, mixed dtypes, or shapes that do not broadcast
     */
    static Tensor mask(Relation r, Tensor a, Tensor b) {
        String op = r.opName();
        if (a == null) throw new IllegalArgumentException(op + ": input is null");
        if (b == null) throw new IllegalArgumentException(op + ": other is null");
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": mixed dtypes " + a.dtype() + " and " + b.dtype()
                    + "; convert with tensor.to(DType) so both inputs share one dtype");
        }
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        Tensor y = outUninitialized(a.dtype(), shape);
        Storage as = a.storage(), bs = b.storage(), ys = y.storage();
        Arithmetic.Walk w = new Arithmetic.Walk(a.shape(), b.shape(), shape);
        for (int o = 0, n = y.numel(); o < n; o++, w.next()) ys.set(o, r.test(as.get(w.ai), bs.get(w.bi)) ? 1.0 : 0.0);
        return y;
    }
}
