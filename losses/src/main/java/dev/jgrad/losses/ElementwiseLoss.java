package dev.jgrad.losses;

import dev.jgrad.core.Function;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

import java.util.Arrays;

/**
 * Base of the element-wise losses ({@code binary_cross_entropy}, {@code ..._with_logits}, {@code mse_loss},
 * {@code l1_loss}, {@code smooth_l1_loss}, {@code huber_loss}, {@code margin_ranking_loss}, {@code poisson_nll_loss},
 * {@code gaussian_nll_loss}, {@code kl_div}, {@code soft_margin_loss}). Each subclass gives the loss at one element
 * and its partial derivatives w.r.t. each operand, evaluated in double; this class broadcasts the operands, applies
 * the reduction and the chain rule, and sums each operand's gradient back to its own shape.
 *
 * <p>Operands sit in fixed slots: 0 the input, 1 the target, 2 and 3 optional per-element tensors ({@code weight} and
 * {@code pos_weight}, {@code margin_ranking_loss}'s {@code target}, {@code gaussian_nll_loss}'s {@code var}); an absent
 * one reads as 1. The first {@link #mains} slots broadcast together (PyTorch's broadcasting rules) and give the
 * output shape; with {@link #sameShape} slots 0 and 1 must have one shape instead. The other slots must broadcast to
 * that shape without enlarging it.
 *
 * <p>Each subclass has a private constructor and a static {@code of(..)} that takes every parameter of the loss (through
 * {@link #set}); {@link #check} validates the arguments before the node is applied.
 */
abstract class ElementwiseLoss extends Function {
    /** The loss's PyTorch name, for messages (a constant of the subclass, not a parameter). */
    final String op;
    Reduction reduction;
    private final Tensor[] extra = new Tensor[2];
    /** Node input position → slot (identity unless a factor slot is empty). */
    private final int[] slotOf = new int[4];
    private int arity;
    private int[] outShape;
    private int[][] strides;
    private boolean allSame;
    private final double[] v = new double[4];

    ElementwiseLoss(String op) {
        this.op = op;
    }

    /** Stores the parameters every loss has; each subclass's factory calls this on every use. */
    final void set(Reduction reduction, Tensor slot2, Tensor slot3) {
        this.reduction = reduction;
        extra[0] = slot2;
        extra[1] = slot3;
    }

    @Override
    public String name() {
        return op;
    }

    /** Loss at one element; {@code v} holds the operands by slot (1 for an absent one). */
    abstract double value(double[] v);

    /** d loss / d operand {@code slot} at one element. */
    abstract double partial(int slot, double[] v);

    /** Extra input checks (value ranges), run before anything is computed. */
    void validate(Storage x, Storage t, int n) {
    }

    /** How many leading slots broadcast together to give the output shape (2, or 3 with a third operand). */
    int mains() {
        return 2;
    }

    /** True if input and target must have exactly one shape (the losses PyTorch does not broadcast). */
    boolean sameShape() {
        return false;
    }

    /** PyTorch's name of the operand in {@code slot}, for messages. */
    String argName(int slot) {
        switch (slot) {
            case 0: return "input";
            case 1: return "target";
            case 2: return "weight";
            default: return "pos_weight";
        }
    }

    /**
     * Checks the arguments of {@link #applyTo} before anything is computed, naming this loss (apply's own checks would
     * name input 0 or 1 and report a dtype mix without the argument's name).
     */
    void check(Tensor input, Tensor target) {
        if (input == null || target == null) throw new IllegalArgumentException(op + ": " + argName(input == null ? 0 : 1) + " is null");
        if (sameShape() && !Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape()) + " must have the input's shape " + Shape.str(input.shape()));
        }
        checkDtype(1, target, input);
        if (reduction == null) throw new IllegalArgumentException(op + ": reduction is null");
        int[] out = sameShape() ? input.shape() : broadcast(input, target);
        for (int s = 2; s < 4; s++) {
            Tensor f = extra[s - 2];
            if (f == null) continue;
            checkDtype(s, f, input);
            if (s < mains()) {
                out = broadcast(out, argNames(s), f, s);
            } else {
                int[] b = broadcastOrNull(f.shape(), out);
                if (b == null || !Arrays.equals(b, out)) {
                    throw new IllegalArgumentException(op + ": " + argName(s) + " of shape " + Shape.str(f.shape())
                            + " does not broadcast to the " + (sameShape() ? "input's" : "output's") + " shape " + Shape.str(out)
                            + " (PyTorch's broadcasting rules: trailing dimensions equal or 1, no new leading dimensions)");
                }
            }
        }
    }

    private String argNames(int upTo) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < upTo; s++) sb.append(s == 0 ? "" : ", ").append(argName(s));
        return sb.toString();
    }

    private int[] broadcast(Tensor input, Tensor target) {
        return broadcast(input.shape(), argName(0), target, 1);
    }

    private int[] broadcast(int[] a, String aName, Tensor b, int slot) {
        int[] out = broadcastOrNull(a, b.shape());
        if (out == null) {
            throw new IllegalArgumentException(op + ": " + argName(slot) + " of shape " + Shape.str(b.shape()) + " does not broadcast with "
                    + aName + " of shape " + Shape.str(a) + " (trailing dimensions must be equal or 1)");
        }
        return out;
    }

    private static int[] broadcastOrNull(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) return null;
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private void checkDtype(int slot, Tensor t, Tensor input) {
        if (t.dtype() != input.dtype()) {
            throw new IllegalArgumentException(op + ": " + argName(slot) + " dtype " + t.dtype() + " differs from input dtype " + input.dtype());
        }
    }

    /** Applies this (checked) node to its operands: input, target and the present factors. */
    final Tensor applyTo(Tensor input, Tensor target) {
        Tensor a = extra[0], b = extra[1];
        slotOf[0] = 0;
        slotOf[1] = 1;
        if (a == null && b == null) return apply(input, target);
        if (a == null || b == null) {
            slotOf[2] = a == null ? 3 : 2;
            return apply(input, target, a == null ? b : a);
        }
        slotOf[2] = 2;
        slotOf[3] = 3;
        return apply(input, target, a, b);
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x = in[0], t = in[1];
        arity = in.length;
        layout(in);
        int n = Shape.numel(outShape);
        validate(x.storage(), t.storage(), x.numel());
        save(in);
        Tensor y = reduction == Reduction.NONE ? out(x.dtype(), outShape) : out(x.dtype());
        Storage ys = y.storage();
        double s = 0;
        if (allSame) { // every operand has the output's shape: flat index e throughout, no walk
            for (int e = 0; e < n; e++) {
                loadFlat(in, e);
                double l = value(v);
                if (reduction == Reduction.NONE) ys.set(e, l);
                else s += l;
            }
        } else {
            Walk w = new Walk(strides, outShape, arity);
            for (int e = 0; e < n; e++, w.next()) {
                load(in, w.idx);
                double l = value(v);
                if (reduction == Reduction.NONE) ys.set(e, l);
                else s += l;
            }
        }
        if (reduction != Reduction.NONE) ys.set(0, s / divisor(n));
        return y;
    }

    private void loadFlat(Tensor[] in, int e) {
        v[0] = in[0].storage().get(e);
        v[1] = in[1].storage().get(e);
        v[2] = 1.0;
        v[3] = 1.0;
        for (int i = 2; i < arity; i++) v[slotOf[i]] = in[i].storage().get(e);
    }

    private void layout(Tensor[] in) {
        int[] out = in[0].shape();
        boolean same = true;
        for (int i = 1; i < in.length; i++) {
            if (slotOf[i] >= mains()) continue;
            int[] s = in[i].shape();
            same &= Arrays.equals(s, out);
            out = broadcastOrNull(out, s);
        }
        for (int i = 0; i < in.length; i++) same &= Arrays.equals(in[i].shape(), out);
        outShape = out;
        allSame = same;
        strides = new int[in.length][];
        for (int i = 0; i < in.length; i++) strides[i] = Shape.broadcastStrides(in[i].shape(), out);
    }

    private void load(Tensor[] in, int[] idx) {
        v[2] = 1.0;
        v[3] = 1.0;
        for (int i = 0; i < arity; i++) v[slotOf[i]] = in[i].storage().get(idx[i]);
    }

    private double divisor(int n) {
        switch (reduction) {
            case MEAN: return n;
            case BATCHMEAN: return outShape.length == 0 ? 1 : outShape[0]; // PyTorch 1.13 does not divide a 0-d input
            default: return 1;
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor[] in = saved();
        int n = Shape.numel(outShape);
        Storage gs = g.storage();
        Tensor[] grads = new Tensor[arity];
        boolean[] own = new boolean[arity];
        for (int i = 0; i < arity; i++) {
            if (needsInputGrad(i)) {
                grads[i] = outLike(in[i]);
                own[i] = in[i].numel() == n;
            }
        }
        double scalar = reduction == Reduction.NONE ? 0 : gs.get(0) / divisor(n);
        if (allSame) {
            for (int e = 0; e < n; e++) {
                double ge = reduction == Reduction.NONE ? gs.get(e) : scalar;
                loadFlat(in, e);
                for (int i = 0; i < arity; i++) {
                    if (grads[i] != null) grads[i].storage().set(e, ge * partial(slotOf[i], v));
                }
            }
        } else {
            Walk w = new Walk(strides, outShape, arity);
            for (int e = 0; e < n; e++, w.next()) {
                double ge = reduction == Reduction.NONE ? gs.get(e) : scalar;
                load(in, w.idx);
                for (int i = 0; i < arity; i++) {
                    if (grads[i] == null) continue;
                    double d = ge * partial(slotOf[i], v);
                    if (own[i]) grads[i].storage().set(w.idx[i], d);
                    else grads[i].storage().add(w.idx[i], d);
                }
            }
        }
        switch (arity) {
            case 2: return gradients(grads[0], grads[1]);
            case 3: return gradients(grads[0], grads[1], grads[2]);
            default: return grads;
        }
    }

    /** Odometer over the output shape tracking each operand's flat index. */
    private static final class Walk {
        final int[] idx;
        private final int[][] st;
        private final int[] out, pos;

        Walk(int[][] st, int[] out, int k) {
            this.st = st;
            this.out = out;
            this.idx = new int[k];
            this.pos = new int[out.length];
        }

        void next() {
            for (int d = out.length - 1; d >= 0; d--) {
                pos[d]++;
                for (int i = 0; i < idx.length; i++) idx[i] += st[i][d];
                if (pos[d] < out[d]) return;
                for (int i = 0; i < idx.length; i++) idx[i] -= st[i][d] * out[d];
                pos[d] = 0;
            }
        }
    }

    /** {@code x·log(y)} with {@code 0·log(y) = 0} for any {@code y} that is not NaN (PyTorch's {@code xlogy}). */
    static double xlogy(double x, double y) {
        if (Double.isNaN(y)) return y;
        return x == 0 ? 0 : x * Math.log(y);
    }
}
