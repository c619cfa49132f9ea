package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 transcendental element-wise kernels of {@link SimdKernels}: the logistic family (sigmoid, SiLU and their
 * gradients) and the exact GELU and its gradient, within a few ulp of the scalar reference (double, rounded once; the
 * bounds are in each method's javadoc and asserted by {@code SimdElementwiseTest}). float64 runs these in
 * {@link ScalarKernels}. The exact kernels (ReLU, leaky ReLU, {@code + − · /}, the finiteness check), which give the
 * scalar backend's values bit for bit in both precisions, are in {@link SimdPointwiseF32} and its generated float64 twin.
 * JIT note (as in {@link VectorMath}): loop-carried vectors are never receivers and every helper that takes or returns a
 * vector is small enough to be inlined, so no vector is boxed.
 */
final class SimdElementwise {
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;

    private SimdElementwise() {
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

    // ------------------------------------------------------------------------------------------ exact gelu

    /** Arguments are clamped to ±14 for Φ: beyond, Φ is 0 or 1 in float (and exp(-x²/2) is below MIN_NORMAL). */
    private static final float GELU_CLAMP = 14f;
    private static final float INV_SQRT2 = 0.70710678f, INV_SQRT_2PI = 0.39894228f;
    /** {@code erf(z) ≈ z·P(z²)} for {@code |z| < 0.5} (least-squares fit in relative error, max 1.4e-9, {@code core/tools/fit_gelu.py}). */
    private static final float E0 = 1.128379166e+00f, E1 = -3.761260840e-01f, E2 = 1.128281947e-01f,
            E3 = -2.675697190e-02f, E4 = 4.717567414e-03f;
    /**
     * {@code erfc(a)·exp(a²) ≈ t·Q(t)}, {@code t = 1/(1 + a/2)}, for {@code 0.5 ≤ a ≤ 9.9} (least-squares fit in relative
     * error with Lawson reweighting, max 1.1e-8; fitted by {@code core/tools/fit_gelu.py}).
     */
    private static final float Q0 = 2.820767144e-01f, Q1 = 2.825677444e-01f, Q2 = 2.415411021e-01f,
            Q3 = 2.094613873e-01f, Q4 = -4.373958350e-02f, Q5 = 3.037603464e-01f, Q6 = -5.093869459e-01f,
            Q7 = 2.944488644e-01f, Q8 = -6.071707498e-02f;

    /**
     * {@code out = exp(-xc²/2)} with {@code xc = x} clamped to {@code ±14} (NaN stays NaN): {@code out = -xc·xc/2} then
     * {@link VectorMath#exp} in place. The product's rounding error is put back by the caller (see {@link #gelu}).
     */
    private static void gaussian(float[] x, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector xc = FloatVector.fromArray(SF, x, i).max(-GELU_CLAMP).min(GELU_CLAMP);
            xc.mul(xc).mul(-0.5f).intoArray(out, i);
        }
        for (; i < n; i++) {
            float xc = Math.min(Math.max(x[i], -GELU_CLAMP), GELU_CLAMP);
            out[i] = xc * xc * -0.5f;
        }
        VectorMath.exp(out, 0, out, 0, n);
    }

    /**
     * The exact GELU {@code out = x·Φ(x)}, {@code Φ(x) = erfc(-x/√2)/2}, in float; {@code out} must not be {@code x}.
     *
     * <p>With {@code z = xc/√2} ({@code xc} = x clamped to ±14) and {@code a = |z|}: for {@code a < 0.5},
     * {@code Φ = 1/2 + z·P(z²)/2} (erf's odd series as a polynomial; {@code Φ ∈ [0.31, 0.69]}, no cancellation); beyond,
     * {@code erfc(a) = exp(-a²)·t·Q(t)} with {@code Φ = erfc(a)/2} for {@code x < 0} (relative accuracy where
     * {@code Φ} is tiny) and {@code 1 - erfc(a)/2} for {@code x ≥ 0}. {@code exp(-a²) = exp(-xc²/2)} comes from
     * {@link #gaussian} as {@code E = exp(-s/2)}, {@code s = fl(xc·xc)}, and is corrected to first order by the exact
     * rounding error {@code e = fma(xc, xc, -s)}: {@code exp(-(s + e)/2) ≈ E·(1 - e/2)}, since an uncorrected
     * {@code fl(xc²)} would cost up to {@code xc²/2} ulp (~50 ulp at x = -10). Measured against the double reference
     * rounded once ({@code SimdElementwiseTest}, 0.45 M arguments): at most 4 ulp seen, 8 asserted. Special values: {@code gelu(+inf) = +inf},
     * {@code gelu(-inf) = NaN} ({@code -inf·0}, as PyTorch), NaN stays NaN; for {@code x < -13.2}, where
     * {@code x·Φ(x)} is below 1e-37, the result is {@code -0}.
     */
    static void gelu(float[] x, float[] out, int n) {
        gaussian(x, out, n);
        final FloatVector one = FloatVector.broadcast(SF, 1f), half = FloatVector.broadcast(SF, 0.5f);
        final FloatVector e0 = FloatVector.broadcast(SF, E0), e1 = FloatVector.broadcast(SF, E1), e2 = FloatVector.broadcast(SF, E2);
        final FloatVector q0 = FloatVector.broadcast(SF, Q0), q1 = FloatVector.broadcast(SF, Q1), q2 = FloatVector.broadcast(SF, Q2),
                q3 = FloatVector.broadcast(SF, Q3), q4 = FloatVector.broadcast(SF, Q4), q5 = FloatVector.broadcast(SF, Q5),
                q6 = FloatVector.broadcast(SF, Q6);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector xv = FloatVector.fromArray(SF, x, i), xc = xv.max(-GELU_CLAMP).min(GELU_CLAMP);
            FloatVector s = xc.mul(xc), e = xc.fma(xc, s.neg());
            FloatVector g = FloatVector.fromArray(SF, out, i);
            g = e.mul(-0.5f).fma(g, g); // exp(-xc²/2)
            FloatVector z = xc.mul(INV_SQRT2), a = z.abs(), u = z.mul(z);
            FloatVector small = u.fma(E4, E3).fma(u, e2).fma(u, e1).fma(u, e0).mul(z).fma(half, half);
            FloatVector t = one.div(a.fma(half, one));
            FloatVector h = t.fma(Q8, Q7).fma(t, q6).fma(t, q5).fma(t, q4).fma(t, q3).fma(t, q2).fma(t, q1).fma(t, q0)
                    .mul(t).mul(g).mul(half); // erfc(a)/2
            FloatVector phi = h.blend(one.sub(h), xv.compare(VectorOperators.GE, 0f))
                    .blend(small, a.compare(VectorOperators.LT, 0.5f));
            xv.mul(phi).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] * normalCdf(x[i], out[i]);
    }

    /**
     * The exact GELU's gradient {@code out = g·(Φ(x) + x·φ(x))}, {@code φ(x) = exp(-x²/2)/√(2π)}, with {@code Φ} and the
     * corrected {@code exp(-x²/2)} as in {@link #gelu} (the same lines: JIT rule (1) of {@link VectorMath}); NaN at
     * {@code ±inf} ({@code ±inf·0}, as PyTorch). {@code out} must alias neither input.
     */
    static void geluBackward(float[] x, float[] g, float[] out, int n) {
        gaussian(x, out, n);
        final FloatVector one = FloatVector.broadcast(SF, 1f), half = FloatVector.broadcast(SF, 0.5f);
        final FloatVector e0 = FloatVector.broadcast(SF, E0), e1 = FloatVector.broadcast(SF, E1), e2 = FloatVector.broadcast(SF, E2);
        final FloatVector q0 = FloatVector.broadcast(SF, Q0), q1 = FloatVector.broadcast(SF, Q1), q2 = FloatVector.broadcast(SF, Q2),
                q3 = FloatVector.broadcast(SF, Q3), q4 = FloatVector.broadcast(SF, Q4), q5 = FloatVector.broadcast(SF, Q5),
                q6 = FloatVector.broadcast(SF, Q6);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector xv = FloatVector.fromArray(SF, x, i), xc = xv.max(-GELU_CLAMP).min(GELU_CLAMP);
            FloatVector s = xc.mul(xc), e = xc.fma(xc, s.neg());
            FloatVector q = FloatVector.fromArray(SF, out, i);
            q = e.mul(-0.5f).fma(q, q); // exp(-xc²/2)
            FloatVector z = xc.mul(INV_SQRT2), a = z.abs(), u = z.mul(z);
            FloatVector small = u.fma(E4, E3).fma(u, e2).fma(u, e1).fma(u, e0).mul(z).fma(half, half);
            FloatVector t = one.div(a.fma(half, one));
            FloatVector h = t.fma(Q8, Q7).fma(t, q6).fma(t, q5).fma(t, q4).fma(t, q3).fma(t, q2).fma(t, q1).fma(t, q0)
                    .mul(t).mul(q).mul(half);
            FloatVector phi = h.blend(one.sub(h), xv.compare(VectorOperators.GE, 0f))
                    .blend(small, a.compare(VectorOperators.LT, 0.5f));
            FloatVector.fromArray(SF, g, i).mul(xv.fma(q.mul(INV_SQRT_2PI), phi)).intoArray(out, i);
        }
        for (; i < n; i++) {
            float xi = x[i], xc = Math.min(Math.max(xi, -GELU_CLAMP), GELU_CLAMP);
            float q = gaussianCorrected(xc, out[i]);
            out[i] = g[i] * Math.fma(xi, q * INV_SQRT_2PI, normalCdf(xi, out[i]));
        }
    }

    /** The scalar twin of the vector lines: {@code exp(-xc²/2)} from {@code E = exp(fl(xc·xc)·(-1/2))}, corrected. */
    private static float gaussianCorrected(float xc, float gauss) {
        float s = xc * xc, e = Math.fma(xc, xc, -s);
        return Math.fma(e * -0.5f, gauss, gauss);
    }

    /** The scalar twin of the vector lines: {@code Φ(x)} from {@code gauss = exp(fl(xc·xc)·(-1/2))} (see {@link #gelu}). */
    private static float normalCdf(float x, float gauss) {
        float xc = Math.min(Math.max(x, -GELU_CLAMP), GELU_CLAMP);
        float q = gaussianCorrected(xc, gauss);
        float z = xc * INV_SQRT2, a = Math.abs(z), u = z * z;
        if (a < 0.5f) {
            float p = Math.fma(Math.fma(Math.fma(Math.fma(u, E4, E3), u, E2), u, E1), u, E0);
            return Math.fma(p * z, 0.5f, 0.5f);
        }
        float t = 1f / Math.fma(a, 0.5f, 1f);
        float p = Math.fma(t, Q8, Q7);
        p = Math.fma(p, t, Q6);
        p = Math.fma(p, t, Q5);
        p = Math.fma(p, t, Q4);
        p = Math.fma(p, t, Q3);
        p = Math.fma(p, t, Q2);
        p = Math.fma(p, t, Q1);
        p = Math.fma(p, t, Q0);
        float h = p * t * q * 0.5f;
        return x >= 0 ? 1f - h : h;
    }
}
