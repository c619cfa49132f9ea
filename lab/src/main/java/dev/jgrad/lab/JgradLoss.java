package dev.jgrad.lab;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /** The largest class count {@link #linearCrossEntropyOnIdentity()} accepts (its identity weight has C² entries). */
    int LINEAR_IDENTITY_MAX_CLASSES = 4096;

    /**
     * The fused linear + cross-entropy ({@link Losses#linearCrossEntropy}) on the lab's logits: {@code hidden} = the
     * logits and {@code weight} = the {@code [C, C]} identity, so its products reproduce the logits exactly and what is
     * measured is its chunked, online log-sum-exp and its gradient (PyTorch-style mean reduction).
     *
     * @return the strategy, for class counts up to {@link #LINEAR_IDENTITY_MAX_CLASSES}
     */
    static JgradLoss linearCrossEntropyOnIdentity() {
        Map<String, Tensor> identities = new ConcurrentHashMap<>();
        return (logits, targets) -> {
            int c = logits.shape()[1];
            if (c > LINEAR_IDENTITY_MAX_CLASSES) {
                throw new IllegalArgumentException("linearCrossEntropyOnIdentity: " + c + " classes; at most "
                        + LINEAR_IDENTITY_MAX_CLASSES + " (the identity weight has C² entries)");
            }
            Tensor eye = identities.computeIfAbsent(logits.dtype() + "/" + c, k -> {
                Tensor e = Tensor.zeros(logits.dtype(), c, c);
                for (int i = 0; i < c; i++) e.set(i * c + i, 1);
                return e;
            });
            return Losses.linearCrossEntropy(logits, eye, null, targets);
        };
    }
}
