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
        double norm = Math.sqrt(sq);
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
}
