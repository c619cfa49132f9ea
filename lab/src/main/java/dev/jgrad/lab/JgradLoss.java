package dev.jgrad.lab;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

/**
 * A softmax cross-entropy built from jgrad ops: the mean loss of a batch of logits {@code [N, C]} and class-index
 * targets {@code [N]}, differentiable by {@code loss.backward()}. Registered with
 * {@link StabilityLab.Builder#jgradStrategy(String, JgradLoss)}, it joins the float32/float64 strategies of the
 * {@link StabilityReport} (loss and gradient against the 40-digit reference, with timing). A fused
 * linear + cross-entropy can be measured here as {@code (x, t) -> linearCrossEntropy(x, identity, null, t)}.
 */
@FunctionalInterface
public interface JgradLoss {
    /**
     * The mean loss.
     *
     * @param logits  {@code [N, C]} logits (requires grad)
     * @param targets {@code [N]} class indices
     * @return a scalar loss tensor
     */
    Tensor loss(Tensor logits, IntTensor targets);
}
