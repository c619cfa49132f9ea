package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 *   <li>the optimizer rules are PyTorch's, evaluated in float as PyTorch's kernels evaluate them for float32
 *   parameters: the hyper-parameters are rounded to float, then every operation of the scalar rule runs in float
 *   lanes in the same order (no fused multiply-add), which is exactly the scalar rule over
 *   {@link dev.jgrad.core.Storage#round}.</li>
 * </ul>
 * Tails shorter than a vector, and the rarely used variants (the first momentum step, Nesterov), are delegated to
 * the scalar loops. JIT note (as in {@link VectorMath}): loop-carried vectors are never receivers and every helper
 * that takes or returns a vector is small enough to be inlined, so no vector is boxed.
 */
final class SimdElementwise {
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;

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

    /**
     * The common SGD cases in float lanes over elements {@code [from, to)}: plain ({@code buf == null}) and heavy-ball
     * momentum after the first step; returns where the vector loop stopped (the caller finishes with the scalar rule).
     */
    static int sgd(float[] p, float[] g, float[] buf, int from, int to, double lr, double momentum, double dampening, double weightDecay) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float wd = (float) weightDecay, mom = (float) momentum, damp = (float) (1 - dampening), rate = (float) lr;
        boolean decay = weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector d = FloatVector.fromArray(SF, g, i);
            if (decay) d = d.add(pv.mul(wd));
            if (buf != null) {
                d = FloatVector.fromArray(SF, buf, i).mul(mom).add(d.mul(damp));
                d.intoArray(buf, i);
            }
            pv.sub(d.mul(rate)).intoArray(p, i);
        }
        return i;
    }

    /** Adam (L2 in the gradient) or AdamW (decoupled decay) in float lanes over {@code [from, to)}; returns where the vector loop stopped. */
    static int adam(float[] p, float[] g, float[] m, float[] v, int from, int to, double lr, double beta1, double beta2, double eps,
                    double weightDecay, boolean decoupled, double stepSize, double bc2) {
        int i = from, bound = from + SF.loopBound(to - from), step = SF.length();
        float decay = (float) (1 - lr * weightDecay), wd = (float) weightDecay, b1 = (float) beta1, c1 = (float) (1 - beta1),
                b2 = (float) beta2, c2 = (float) (1 - beta2), e = (float) eps, size = (float) stepSize, bc = (float) bc2;
        boolean l2 = !decoupled && weightDecay != 0;
        for (; i < bound; i += step) {
            FloatVector pv = FloatVector.fromArray(SF, p, i);
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            if (decoupled) pv = pv.mul(decay);
            else if (l2) gv = gv.add(pv.mul(wd));
            FloatVector mv = FloatVector.fromArray(SF, m, i).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(SF, v, i).mul(b2).add(gv.mul(c2).mul(gv));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            FloatVector denom = vv.sqrt().div(bc).add(e);
            pv.sub(mv.mul(size).div(denom)).intoArray(p, i);
        }
        return i;
    }
}
