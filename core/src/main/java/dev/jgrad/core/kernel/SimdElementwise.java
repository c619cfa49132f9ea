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

    // ------------------------------------------------------------------------------------------ logistic family

    /**
     * {@code out = exp(-|x|)} in two vector passes, no scratch: {@code out = -|x|}, then {@link VectorMath#exp} in place
     * (≤ 1 ulp; results below {@code MIN_NORMAL} flushed to 0). Both σ(x) and 1 − σ(x) follow from this {@code t}
     * without cancellation: {@code σ = (x ≥ 0 ? 1 : t)/(1 + t)}, {@code 1 − σ = (x ≥ 0 ? t : 1)/(1 + t)}.
     */
    private static void expNegAbs(float[] x, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector.fromArray(SF, x, i).abs().neg().intoArray(out, i);
        }
        for (; i < n; i++) out[i] = -Math.abs(x[i]);
        VectorMath.exp(out, 0, out, 0, n);
    }

    /** {@code out = σ(x)} from {@link #expNegAbs}: within 3 ulp of the correctly rounded value. */
    static void sigmoid(float[] x, float[] out, int n) {
        expNegAbs(x, out, n);
        FloatVector one = FloatVector.broadcast(SF, 1f);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector t = FloatVector.fromArray(SF, out, i);
            VectorMask<Float> nonNeg = FloatVector.fromArray(SF, x, i).compare(VectorOperators.GE, 0f);
            t.blend(one, nonNeg).div(t.add(one)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = (x[i] >= 0 ? 1f : out[i]) / (1f + out[i]);
    }

    /** {@code out = g·y·(1 - y)}. */
    static void sigmoidBackward(float[] y, float[] g, float[] out, int n) {
        FloatVector one = FloatVector.broadcast(SF, 1f);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, y, i);
            FloatVector.fromArray(SF, g, i).mul(v).mul(one.sub(v)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = g[i] * y[i] * (1f - y[i]);
    }

    /** {@code out = x·σ(x)}; {@code out} must not be {@code x}. */
    static void silu(float[] x, float[] out, int n) {
        sigmoid(x, out, n);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector.fromArray(SF, x, i).mul(FloatVector.fromArray(SF, out, i)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] * out[i];
    }

    /**
     * {@code out = g·s·(1 + x·(1 - s))}, {@code s = σ(x)}, with {@code 1 - s} taken from {@code t} (not by subtracting
     * from 1, which would cost up to ~x/2 ulp for large x); {@code out} must alias neither input.
     */
    static void siluBackward(float[] x, float[] g, float[] out, int n) {
        expNegAbs(x, out, n);
        FloatVector one = FloatVector.broadcast(SF, 1f);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector t = FloatVector.fromArray(SF, out, i), xv = FloatVector.fromArray(SF, x, i);
            VectorMask<Float> nonNeg = xv.compare(VectorOperators.GE, 0f);
            FloatVector d = t.add(one);
            FloatVector sv = t.blend(one, nonNeg).div(d), rest = one.blend(t, nonNeg).div(d);
            FloatVector.fromArray(SF, g, i).mul(sv).mul(xv.fma(rest, one)).intoArray(out, i);
        }
        for (; i < n; i++) {
            float t = out[i], d = 1f + t;
            boolean nonNeg = x[i] >= 0;
            out[i] = g[i] * ((nonNeg ? 1f : t) / d) * Math.fma(x[i], (nonNeg ? t : 1f) / d, 1f);
        }
    }

    // ------------------------------------------------------------------------------------------ leaky relu

    /** {@code out = x > 0 ? x : slope·x} (the float product: within 1 ulp of the double one rounded once). */
    static void leakyRelu(float[] x, float slope, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, x, i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] > 0 ? x[i] : x[i] * slope;
    }

    /** {@code out = x > 0 ? g : slope·g}. */
    static void leakyReluBackward(float[] x, float slope, float[] g, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            gv.mul(slope).blend(gv, FloatVector.fromArray(SF, x, i).compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * slope;
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
