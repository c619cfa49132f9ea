package dev.jgrad.losses;

import dev.jgrad.core.Tensor;

import static dev.jgrad.ops.Ops.add;
import static dev.jgrad.ops.Ops.div;
import static dev.jgrad.ops.Ops.exp;
import static dev.jgrad.ops.Ops.log;
import static dev.jgrad.ops.Ops.logSoftmax;
import static dev.jgrad.ops.Ops.softmax;
import static dev.jgrad.ops.Ops.sum;

/**
 * A numerical-stability choice for softmax cross-entropy. All strategies compute the same mathematical
 * loss (with every option of {@link CrossEntropyLoss}: weights, ignore_index, label smoothing, probability
 * targets, reductions) and differ only in how the log-probabilities are formed — so benchmarks and the
 * stability report compare real alternatives:
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>strategy</th><th>graph</th><th>behaviour</th></tr>
 *   <tr><td>{@link #FUSED} (default)</td><td>one node: log-sum-exp per row, loss and gradient
 *       {@code (softmax - target')·scale} in one pass each</td><td>finite and accurate at any logit scale</td></tr>
 *   <tr><td>{@link #MAX_SHIFT}</td><td>softmax with max subtraction → log → NLL</td><td>stable forward, but the log
 *       of an underflowed probability is {@code -inf}</td></tr>
 *   <tr><td>{@link #NAIVE}</td><td>exp → sum → divide → log → NLL</td><td>overflows once a logit exceeds ≈ 88.7
 *       (float32) / ≈ 709.8 (float64)</td></tr>
 *   <tr><td>{@link #epsClamp(double)}</td><td>softmax (max-shifted) → log(p + eps) → NLL</td><td>the textbook
 *       {@code delta} fix: never {@code -inf}, but biased by about {@code eps/p} at small probabilities</td></tr>
 * </table>
 */
public abstract class SoftmaxCrossEntropy {

    /** The fused log-softmax cross-entropy node (the default). */
    public static final SoftmaxCrossEntropy FUSED = new SoftmaxCrossEntropy("FUSED") {
        @Override
        public Tensor logProbabilities(Tensor logits) {
            return logSoftmax(logits, classDim(logits));
        }

        @Override
        Tensor loss(Tensor logits, FusedCrossEntropy.Targets t, boolean allIgnoredMeanIsZero) {
            FusedCrossEntropy node = FusedCrossEntropy.of(t, allIgnoredMeanIsZero);
            return t.probs == null ? node.apply(logits) : node.apply(logits, t.probs);
        }
    };

    /** Max-shifted softmax, then log, then NLL: three nodes. */
    public static final SoftmaxCrossEntropy MAX_SHIFT = new SoftmaxCrossEntropy("MAX_SHIFT") {
        @Override
        public Tensor logProbabilities(Tensor logits) {
            return log(softmax(logits, classDim(logits)));
        }
    };

    /** Textbook softmax without the max shift ({@code exp(x) / Σ exp(x)}), then log, then NLL. */
    public static final SoftmaxCrossEntropy NAIVE = new SoftmaxCrossEntropy("NAIVE") {
        @Override
        public Tensor logProbabilities(Tensor logits) {
            Tensor e = exp(logits);
            return log(div(e, sum(e, classDim(logits), true)));
        }
    };

    private final String name;

    private SoftmaxCrossEntropy(String name) {
        this.name = name;
    }

    /**
     * Softmax (max-shifted), then {@code log(p + eps)}, then NLL — the epsilon-clamp fix of textbook code
     * ({@code delta = 1e-7}); also {@code 1e-12} is common.
     *
     * @param eps the added constant, {@code > 0}
     */
    public static SoftmaxCrossEntropy epsClamp(double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("epsClamp: eps " + eps + " must be finite and > 0");
        return new SoftmaxCrossEntropy("EPS_CLAMP(" + eps + ")") {
            @Override
            public Tensor logProbabilities(Tensor logits) {
                return log(add(softmax(logits, classDim(logits)), eps));
            }
        };
    }

    /** Parses {@code FUSED}, {@code MAX_SHIFT}, {@code NAIVE} or {@code EPS_CLAMP(1e-7)} (also {@code eps_clamp:1e-7}). */
    public static SoftmaxCrossEntropy parse(String s) {
        String up = s.trim().toUpperCase(java.util.Locale.ROOT);
        String u = up.replace('-', '_');
        switch (u) {
            case "FUSED": return FUSED;
            case "MAX_SHIFT": return MAX_SHIFT;
            case "NAIVE": return NAIVE;
            default:
                // match the eps on the trimmed original text, case-insensitively: '-' -> '_' above would turn "1e-7"
                // into "1E_7", and the message should quote the eps as it was written
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("EPS[_-]CLAMP[(:=]?([^)]*)\\)?", java.util.regex.Pattern.CASE_INSENSITIVE)
                        .matcher(s.trim());
                if (m.matches()) {
                    try {
                        return epsClamp(m.group(1).isEmpty() ? 1e-7 : Double.parseDouble(m.group(1).trim()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("cross-entropy strategy '" + s + "': eps '" + m.group(1) + "' is not a number", e);
                    }
                }
                throw new IllegalArgumentException("unknown cross-entropy strategy '" + s + "': expected FUSED, MAX_SHIFT, NAIVE or EPS_CLAMP(eps)");
        }
    }

    /** The strategy's name, e.g. {@code EPS_CLAMP(1.0E-7)}. */
    public String name() {
        return name;
    }

    /**
     * The log-probabilities as this strategy forms them (graph nodes), over the class dimension: dimension 1 of a
     * batched input {@code [N, C, d1, ..., dk]} or {@code [N, C]}, the only one of {@code [C]}.
     */
    public abstract Tensor logProbabilities(Tensor logits);

    /** The class dimension of {@code logits}: 1 when batched, 0 for {@code [C]}. */
    static int classDim(Tensor logits) {
        return logits.rank() == 1 ? 0 : 1;
    }

    Tensor loss(Tensor logits, FusedCrossEntropy.Targets t, boolean allIgnoredMeanIsZero) {
        NllFromLogProbs nll = NllFromLogProbs.of("cross_entropy[" + name + "]", t, allIgnoredMeanIsZero);
        Tensor lp = logProbabilities(logits);
        return t.probs == null ? nll.apply(lp) : nll.apply(lp, t.probs);
    }

    @Override
    public String toString() {
        return name;
    }
}
