package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

/**
 * Softmax cross-entropy as a reusable, immutable module: PyTorch's {@code nn.CrossEntropyLoss} options
 * plus the stability {@link SoftmaxCrossEntropy strategy}. {@link Losses#crossEntropy} is the same
 * implementation.
 *
 * <pre>{@code
 * CrossEntropyLoss ce = CrossEntropyLoss.builder().labelSmoothing(0.1).reduction(Reduction.MEAN).build();
 * Tensor loss = ce.apply(logits, labels);
 * }</pre>
 *
 * <p>Semantics (PyTorch 1.13): {@code lp = log_softmax(input)}; for class-index targets
 * {@code l_i = (1-ε)(-w[t_i] lp[i,t_i]) + (ε/C)(-Σ_c w_c lp[i,c])}, 0 for ignored samples, {@code mean}
 * divides by the summed target weights of the non-ignored samples (all ignored: NaN, or 0 with
 * {@link Builder#allIgnoredMeanIsZero}); for probability targets {@code l_i = -Σ_c w_c ((1-ε)T_ic + ε/C) lp[i,c]}
 * and {@code mean} divides by N. Every form PyTorch takes: logits {@code [C]}, {@code [N, C]} or
 * {@code [N, C, d1, ..., dk]} (classes in dimension 1), each position {@code (n, d1..dk)} a sample. A row holding a
 * {@code +inf} logit has a NaN loss and gradient, as in PyTorch; one deliberate difference: the gradient of an
 * <em>ignored</em> sample is 0 even when its logits hold {@code +inf} or NaN (PyTorch's log-softmax backward gives NaN
 * there).
 */
public final class CrossEntropyLoss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;
    private final double labelSmoothing;
    private final SoftmaxCrossEntropy strategy;
    private final boolean allIgnoredMeanIsZero;

    private CrossEntropyLoss(Builder b) {
        this.weight = b.weight;
        this.ignoreIndex = b.ignoreIndex;
        this.reduction = b.reduction;
        this.labelSmoothing = b.labelSmoothing;
        this.strategy = b.strategy;
        this.allIgnoredMeanIsZero = b.allIgnoredMeanIsZero;
    }

    /** A builder with PyTorch's defaults (no weight, ignore_index -100, mean, no smoothing) and the FUSED strategy. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loss for class-index targets: logits {@code [N, C, d1, ..., dk]} with target {@code [N, d1, ..., dk]} (K ≥ 0
     * spatial dimensions; NONE returns the target's shape), or {@code [C]} with a scalar target.
     */
    public Tensor apply(Tensor logits, IntTensor target) {
        FusedCrossEntropy.Targets t =
                FusedCrossEntropy.Targets.ofIndices("cross_entropy", logits, target, weight, ignoreIndex, labelSmoothing, reduction);
        return strategy.loss(logits, t, allIgnoredMeanIsZero);
    }

    /**
     * Loss for probability targets (soft labels, or multi-hot rows), same shape and dtype as the logits
     * ({@code [N, C, d1, ..., dk]}, {@code [N, C]} or {@code [C]}); MEAN divides by {@code N·d1·…·dk}.
     */
    public Tensor apply(Tensor logits, Tensor target) {
        FusedCrossEntropy.Targets t =
                FusedCrossEntropy.Targets.ofProbabilities("cross_entropy", logits, target, weight, labelSmoothing, reduction);
        return strategy.loss(logits, t, allIgnoredMeanIsZero);
    }

    /** {@code nll_loss} with this module's weight, ignore_index and reduction (smoothing and strategy unused). */
    public Tensor nll(Tensor logProbs, IntTensor target) {
        FusedCrossEntropy.Targets t =
                FusedCrossEntropy.Targets.ofIndices("nll_loss", logProbs, target, weight, ignoreIndex, 0.0, reduction);
        return NllFromLogProbs.of("nll_loss", t, allIgnoredMeanIsZero).apply(logProbs);
    }

    /** The stability strategy. */
    public SoftmaxCrossEntropy strategy() {
        return strategy;
    }

    /** Options for {@link CrossEntropyLoss}. */
    public static final class Builder {
        private Tensor weight;
        private long ignoreIndex = -100;
        private Reduction reduction = Reduction.MEAN;
        private double labelSmoothing;
        private SoftmaxCrossEntropy strategy = SoftmaxCrossEntropy.FUSED;
        private boolean allIgnoredMeanIsZero;

        private Builder() {
        }

        /**
         * Per-class weights {@code [C]}, null for none. Any values, as in PyTorch: negative weights and even NaN or
         * infinite ones go into the formulas as they are (a MEAN whose target weights sum to 0 is NaN or {@code ±inf}).
         */
        public Builder weight(Tensor w) {
            this.weight = w;
            return this;
        }

        /** Target value whose samples contribute nothing (default -100; any long, as PyTorch's int64; may be a valid class). */
        public Builder ignoreIndex(long i) {
            this.ignoreIndex = i;
            return this;
        }

        /** NONE, MEAN (default) or SUM. */
        public Builder reduction(Reduction r) {
            this.reduction = r;
            return this;
        }

        /** Label smoothing ε in [0, 1]. */
        public Builder labelSmoothing(double eps) {
            this.labelSmoothing = eps;
            return this;
        }

        /** The stability strategy (FUSED by default). */
        public Builder strategy(SoftmaxCrossEntropy s) {
            if (s == null) throw new IllegalArgumentException("CrossEntropyLoss: strategy is null");
            this.strategy = s;
            return this;
        }

        /**
         * With {@code mean} reduction and every target ignored, return 0 (gradient 0) instead of PyTorch's
         * NaN (0/0). Off by default.
         */
        public Builder allIgnoredMeanIsZero(boolean flag) {
            this.allIgnoredMeanIsZero = flag;
            return this;
        }

        /** The immutable module. */
        public CrossEntropyLoss build() {
            return new CrossEntropyLoss(this);
        }
    }
}
