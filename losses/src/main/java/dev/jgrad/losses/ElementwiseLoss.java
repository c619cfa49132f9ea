package dev.jgrad.losses;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Arrays;

/**
 * Base of the element-wise losses ({@code binary_cross_entropy}, {@code ..._with_logits}, {@code mse_loss},
 * {@code kl_div}, {@code soft_margin_loss}): inputs {@code (input, target)} of one shape; each subclass gives
 * the loss at one element and its two partial derivatives, evaluated in double; this class applies the
 * reduction and the chain rule. Optional per-element factors ({@code weight}, {@code pos_weight}) broadcast
 * over the trailing dimensions: the same shape, a suffix of it (e.g. {@code [C]}), or a single value.
 *
 * <p>Each subclass has a private constructor and a static {@code of(..)} that takes every parameter of the loss (through
 * {@link #set}); {@link #check} validates the arguments before the node is applied.
 */
abstract class ElementwiseLoss extends Function {
    /** The loss's PyTorch name, for messages (a constant of the subclass, not a parameter). */
    final String op;
    Reduction reduction;
    private Tensor weight, posWeight;
    private int[] shape;
    Storage ws, pws;

    ElementwiseLoss(String op) {
        this.op = op;
    }

    /** Stores the parameters every loss has; each subclass's factory calls this on every use. */
    final void set(Reduction reduction, Tensor weight, Tensor posWeight) {
        this.reduction = reduction;
        this.weight = weight;
        this.posWeight = posWeight;
    }

    @Override
    public String name() {
        return op;
    }

    /** Loss at one element. */
    abstract double value(double x, double t, int e);

    /** d loss / d input at one element. */
    abstract double dInput(double x, double t, int e);

    /** d loss / d target at one element. */
    abstract double dTarget(double x, double t, int e);

    /** Extra input checks (value ranges), run before anything is computed. */
    void validate(Storage x, Storage t, int n) {
    }

    double w(int e) {
        return ws == null ? 1.0 : ws.get(e % ws.length());
    }

    double pw(int e) {
        return pws == null ? 1.0 : pws.get(e % pws.length());
    }

    /**
     * Checks the arguments of {@code apply(input, target)} before anything is computed, naming this loss (apply's own
     * checks would name input 0 or 1 and report a dtype mix without the argument's name).
     */
    void check(Tensor input, Tensor target) {
        if (input == null || target == null) throw new IllegalArgumentException(op + ": " + (input == null ? "input" : "target") + " is null");
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape()) + " must have the input's shape " + Shape.str(input.shape()));
        }
        if (target.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": target dtype " + target.dtype() + " differs from input dtype " + input.dtype());
        }
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction is null");
        if (reduction == Reduction.BATCHMEAN && input.rank() == 0) {
            throw new IllegalArgumentException(op + ": reduction 'batchmean' needs an input with a batch dimension, got a scalar");
        }
        checkFactor("weight", weight, input);
        checkFactor("pos_weight", posWeight, input);
    }

    private void checkFactor(String arg, Tensor f, Tensor input) {
        if (f == null) return;
        if (f.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": " + arg + " dtype " + f.dtype() + " differs from input dtype " + input.dtype());
        }
        int[] fs = f.shape(), is = input.shape();
        int k = fs.length;
        while (k > 0 && fs[fs.length - k] == 1 && k > is.length) k--;
        int[] suffix = Arrays.copyOfRange(fs, fs.length - k, fs.length);
        boolean ok = f.numel() == 1 || (k <= is.length && Arrays.equals(suffix, Arrays.copyOfRange(is, is.length - k, is.length)));
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + arg + " of shape " + Shape.str(fs) + " does not broadcast over the trailing dimensions of input "
                    + Shape.str(is) + " (use the same shape, [" + (is.length == 0 ? 1 : is[is.length - 1]) + "], or a single value)");
        }
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0], t = in[1];
        shape = x.shape();
        ws = weight == null ? null : weight.storage();
        pws = posWeight == null ? null : posWeight.storage();
        int n = x.numel();
        Storage xs = x.storage(), ts = t.storage();
        validate(xs, ts, n);
        save(x, t);
        if (reduction == Reduction.NONE) {
            Tensor y = outLike(x);
            for (int e = 0; e < n; e++) y.set(e, value(xs.get(e), ts.get(e), e));
            return y;
        }
        double s = 0;
        for (int e = 0; e < n; e++) s += value(xs.get(e), ts.get(e), e);
        Tensor y = out(x.dtype());
        y.set(0, s / divisor(n));
        return y;
    }

    private double divisor(int n) {
        switch (reduction) {
            case MEAN: return n;
            case BATCHMEAN: return shape[0];
            default: return 1;
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved()[0], t = saved()[1];
        int n = x.numel();
        Storage xs = x.storage(), ts = t.storage(), gs = g.storage();
        Tensor gx = needsInputGrad(0) ? outLike(x) : null;
        Tensor gt = needsInputGrad(1) ? outLike(t) : null;
        double scalar = reduction == Reduction.NONE ? 0 : gs.get(0) / divisor(n);
        for (int e = 0; e < n; e++) {
            double ge = reduction == Reduction.NONE ? gs.get(e) : scalar;
            double xv = xs.get(e), tv = ts.get(e);
            if (gx != null) gx.set(e, ge * dInput(xv, tv, e));
            if (gt != null) gt.set(e, ge * dTarget(xv, tv, e));
        }
        return gradients(gx, gt);
    }

    /** {@code x·log(y)} with {@code 0·log(y) = 0} for any {@code y} that is not NaN (PyTorch's {@code xlogy}). */
    static double xlogy(double x, double y) {
        if (Double.isNaN(y)) return y;
        return x == 0 ? 0 : x * Math.log(y);
    }
}
