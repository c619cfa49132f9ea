package dev.jgrad.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 element-wise kernels of {@link SimdKernels}: ReLU and its gradient, the four arithmetic operations,
 * in-place accumulation, the finiteness check and the optimizer updates. Every kernel produces exactly the values of
 * the scalar reference ({@link ScalarKernels}), bit for bit:
 * <ul>
 *   <li>ReLU is {@code max(x, 0)} (Vector API {@code MAX} has {@link Math#max} semantics: NaN propagates,
 *   {@code max(-0, 0) = +0}); its gradient selects {@code g} where {@code x > 0};</li>
 *   <li>{@code + − · /} of two floats, evaluated in float, equal the double result rounded once (a double holds
 *   more than {@code 2·24 + 2} bits, so the double operation is exact before that rounding);</li>
 *   <li>the optimizer rules mix double hyper-parameters with several operations, so they run in double lanes:
 *   each half-width float vector is widened, the scalar expression is evaluated in the same order (no fused
 *   multiply-add) and each stored value is rounded once.</li>
 * </ul>
 * Tails shorter than a vector, and the rarely used variants (the first momentum step, Nesterov), are delegated to
 * the scalar loops. JIT note (as in {@link VectorMath}): loop-carried vectors are never receivers and every helper
 * that takes or returns a vector is small enough to be inlined, so no vector is boxed.
 */
final class SimdElementwise {
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    /** Half-width floats: one such vector widens to one {@link #SD} vector. */
    private static final VectorSpecies<Float> SH = VectorSpecies.of(float.class, VectorShape.forBitSize(SF.vectorBitSize() / 2));
    private static final VectorSpecies<Double> SD = VectorSpecies.of(double.class, SF.vectorShape());

    private SimdElementwise() {
    }

    // ------------------------------------------------------------------------------------------ relu

    static void relu(float[] x, float[] out, int n) {
        FloatVector zero = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector.fromArray(SF, x, i).max(zero).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = (float) ScalarKernels.relu(x[i]);
    }

    static void reluBackward(float[] x, float[] g, float[] out, int n) {
        FloatVector zero = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            VectorMask<Float> pos = FloatVector.fromArray(SF, x, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(SF, g, i), pos).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0f;
    }

    // ------------------------------------------------------------------------------------------ arithmetic

    /**
     * {@code out[o + i] = a[ao + i] ∘ b[bo + i]} for {@code i < n}; {@code out} may alias {@code a} or {@code b} at the
     * same offset.
     */
    static void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int o, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            apply(op, FloatVector.fromArray(SF, a, ao + i), FloatVector.fromArray(SF, b, bo + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = (float) op.apply(a[ao + i], b[bo + i]);
    }

    /** One operation on two vectors; small, so it is inlined and the loop-invariant switch is hoisted. */
    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
        };
    }

    /** True iff no element of {@code x[0 .. n)} is NaN or infinite: {@code x − x} is 0 exactly for finite {@code x}, NaN otherwise. */
    static boolean allFinite(float[] x, int n) {
        FloatVector acc = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, x, i);
            acc = v.sub(v).add(acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[i] - x[i];
        return s == 0;
    }

    // ------------------------------------------------------------------------------------------ optimizers

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(SH, a, i).convertShape(VectorOperators.F2D, SD, 0);
    }

    private static void narrow(DoubleVector v, float[] a, int i) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, SH, 0)).intoArray(a, i);
    }

    /**
     * The common SGD cases in double lanes over elements {@code [from, to)}: plain ({@code buf == null}) and heavy-ball
     * momentum after the first step; returns where the vector loop stopped (the caller finishes with the scalar rule).
     */
    static int sgd(float[] p, float[] g, float[] buf, int from, int to, double lr, double momentum, double dampening, double weightDecay) {
        int i = from, bound = from + SH.loopBound(to - from), step = SH.length();
        if (buf == null) {
            for (; i < bound; i += step) {
                DoubleVector pv = widen(p, i);
                DoubleVector d = pv.mul(weightDecay).add(widen(g, i));
                narrow(pv.sub(d.mul(lr)), p, i);
            }
        } else {
            double damp = 1 - dampening;
            for (; i < bound; i += step) {
                DoubleVector pv = widen(p, i);
                DoubleVector d = pv.mul(weightDecay).add(widen(g, i));
                DoubleVector b = widen(buf, i).mul(momentum).add(d.mul(damp));
                // the buffer is stored rounded, but the update uses the double value, as the scalar rule does
                narrow(b, buf, i);
                narrow(pv.sub(b.mul(lr)), p, i);
            }
        }
        return i;
    }

    /** Adam (L2 in the gradient) or AdamW (decoupled decay) in double lanes over {@code [from, to)}; returns where the vector loop stopped. */
    static int adam(float[] p, float[] g, float[] m, float[] v, int from, int to, double lr, double beta1, double beta2, double eps,
                    double weightDecay, boolean decoupled, double stepSize, double bc2) {
        int i = from, bound = from + SH.loopBound(to - from), step = SH.length();
        double c1 = 1 - beta1, c2 = 1 - beta2, decay = 1 - lr * weightDecay;
        if (decoupled) {
            for (; i < bound; i += step) {
                DoubleVector pv = widen(p, i).mul(decay);
                narrow(adamTail(pv, widen(g, i), m, v, i, beta1, c1, beta2, c2, eps, stepSize, bc2), p, i);
            }
        } else {
            for (; i < bound; i += step) {
                DoubleVector pv = widen(p, i);
                DoubleVector gv = pv.mul(weightDecay).add(widen(g, i));
                narrow(adamTail(pv, gv, m, v, i, beta1, c1, beta2, c2, eps, stepSize, bc2), p, i);
            }
        }
        return i;
    }

    /** The moment updates (stored) and the new parameter value, in the scalar rule's order. */
    private static DoubleVector adamTail(DoubleVector pv, DoubleVector gv, float[] m, float[] v, int i, double beta1, double c1,
                                         double beta2, double c2, double eps, double stepSize, double bc2) {
        DoubleVector mv = widen(m, i).mul(beta1).add(gv.mul(c1));
        DoubleVector vv = widen(v, i).mul(beta2).add(gv.mul(c2).mul(gv));
        narrow(mv, m, i);
        narrow(vv, v, i);
        return pv.sub(mv.mul(stepSize).div(vv.sqrt().div(bc2).add(eps)));
    }
}
