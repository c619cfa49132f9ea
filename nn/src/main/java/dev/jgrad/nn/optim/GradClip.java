package dev.jgrad.nn.optim;

import dev.jgrad.core.Tensor;

import java.util.List;

/** Gradient clipping by global norm, PyTorch's {@code clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Scales all gradients by {@code maxNorm/(norm + 1e-6)} when their joint L2 norm exceeds {@code maxNorm}.
     *
     * Edge: float64 gradients whose squared norm overflows (entries beyond about {@code 1e154}) are measured scaled by
     * their largest magnitude, so a finite norm is clipped rather than reported as {@code inf}.
     *
     * @return the norm before clipping (NaN/inf if a gradient is not finite; then nothing is scaled)
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        if (params == null) throw new IllegalArgumentException("clipGradNorm: params is null");
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm " + maxNorm + " must be > 0");
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.numel(); i++) sq += g.get(i) * g.get(i);
        }
        // float64 gradients beyond ~1e154 overflow the sum of squares although the norm is finite: redo it scaled by
        // the largest magnitude (only then, so that ordinary norms stay bit-identical)
        double norm = sq == Double.POSITIVE_INFINITY ? scaledNorm(params) : Math.sqrt(sq);
        if (Double.isFinite(norm) && norm > maxNorm) {
            double c = maxNorm / (norm + 1e-6);
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < g.numel(); i++) g.set(i, g.get(i) * c);
            }
        }
        return norm;
    }

    /** {@code max·sqrt(Σ (g/max)²)}: the L2 norm without overflow in the squares ({@code inf} if a gradient is). */
    private static double scaledNorm(List<Tensor> params) {
        double max = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.numel(); i++) max = Math.max(max, Math.abs(g.get(i)));
        }
        if (!Double.isFinite(max)) return max;
        double sq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.numel(); i++) {
                double x = g.get(i) / max;
                sq += x * x;
            }
        }
        return max * Math.sqrt(sq);
    }
}
