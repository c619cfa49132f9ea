package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 element-wise kernels of {@link SimdKernels}: ReLU and its gradient, the four arithmetic operations,
 * in-place accumulation and the finiteness check. Every kernel produces exactly the values of the scalar reference
 * ({@link ScalarKernels}), bit for bit:
 * <ul>
 *   <li>ReLU is {@code max(x, 0)} (Vector API {@code MAX} has {@link Math#max} semantics: NaN propagates,
 *   {@code max(-0, 0) = +0}); its gradient selects {@code g} unless {@code x <= 0} (so at NaN, as PyTorch);</li>
 *   <li>{@code + − · /} of two floats, evaluated in float, equal the double result rounded once (a double holds
 *   more than {@code 2·24 + 2} bits, so the double operation is exact before that rounding).</li>
 * </ul>
 * Tails shorter than a vector are done by scalar loops. JIT note (as in {@link VectorMath}): loop-carried vectors are
 * never receivers and every helper that takes or returns a vector is small enough to be inlined, so no vector is boxed.
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
            VectorMask<Float> notPos = FloatVector.fromArray(SF, x, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(SF, g, i).blend(zero, notPos).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] <= 0 ? 0f : g[i];
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
}
