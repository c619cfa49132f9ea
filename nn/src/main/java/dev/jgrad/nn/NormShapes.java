package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;

/** Argument checks shared by {@link LayerNorm} and {@link RMSNorm}. */
final class NormShapes {
    private NormShapes() {
    }

    /** A copy of a valid {@code normalizedShape} (non-empty, positive dimensions); checks {@code eps} and {@code dtype}. */
    static int[] check(String layer, int[] normalizedShape, double eps, DType dtype) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException(layer + ": normalizedShape must have at least one dimension");
        }
        for (int d : normalizedShape) {
            if (d <= 0) throw new IllegalArgumentException(layer + ": normalizedShape " + Shape.str(normalizedShape) + " must be positive");
        }
        if (!(eps >= 0)) throw new IllegalArgumentException(layer + ": eps = " + eps + " must be >= 0");
        if (dtype == null) throw new IllegalArgumentException(layer + ": dtype is null");
        return normalizedShape.clone();
    }
}
