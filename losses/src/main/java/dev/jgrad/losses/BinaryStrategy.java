package dev.jgrad.losses;

import dev.jgrad.core.Tensor;

import static dev.jgrad.ops.Ops.add;
import static dev.jgrad.ops.Ops.clamp;
import static dev.jgrad.ops.Ops.exp;
import static dev.jgrad.ops.Ops.log;
import static dev.jgrad.ops.Ops.mean;
import static dev.jgrad.ops.Ops.mul;
import static dev.jgrad.ops.Ops.neg;
import static dev.jgrad.ops.Ops.rsub;
import static dev.jgrad.ops.Ops.sigmoid;

/**
 * Numerical-stability choices for binary classification from logits, all computing the mean of
 * {@code -[t·log σ(x) + (1-t)·log(1-σ(x))]} (equivalently the ±1 logistic loss {@code log(1 + e^{-y·x})} with
 * {@code y = 2t - 1}):
 * <ul>
 *   <li>{@link #FUSED}: {@code binary_cross_entropy_with_logits} — stable softplus form, one node;</li>
 *   <li>{@link #TORCH_CLAMP}: sigmoid → {@code binary_cross_entropy} with PyTorch's log clamp at -100;</li>
 *   <li>{@link #NAIVE}: sigmoid → {@code -(t·log p + (1-t)·log(1-p))} as separate nodes: {@code log(0)} once
 *       {@code σ(x)} rounds to 0 or 1 (|x| ≳ 17 in float32, ≳ 37 in float64);</li>
 *   <li>{@link #epsClip(double)}: sigmoid → clip p to {@code [eps, 1-eps]} → the same formula;</li>
 *   <li>{@link #LOGISTIC_NAIVE}: {@code log(1 + exp(-y·x))} as separate nodes (overflows past ≈ 88.7 / 709.8);</li>
 *   <li>{@link #LOGISTIC_SOFTPLUS}: {@link Losses#softMarginLoss}, the stable softplus form.</li>
 * </ul>
 * Targets {@code t} are in [0, 1]; the logistic variants convert them to {@code y = 2t - 1}.
 */
public abstract class BinaryStrategy {
    private final String name;

    private BinaryStrategy(String name) {
        this.name = name;
    }

    /** The strategy's name. */
    public String name() {
        return name;
    }

    /** Mean loss of logits {@code x} against targets {@code t} in [0, 1] (same shape). */
    public abstract Tensor loss(Tensor logits, Tensor target);

    @Override
    public String toString() {
        return name;
    }

    /** {@code binary_cross_entropy_with_logits}. */
    public static final BinaryStrategy FUSED = new BinaryStrategy("BCE_WITH_LOGITS") {
        @Override
        public Tensor loss(Tensor x, Tensor t) {
            return Losses.binaryCrossEntropyWithLogits(x, t);
        }
    };

    /** sigmoid, then {@code binary_cross_entropy} with its -100 log clamp. */
    public static final BinaryStrategy TORCH_CLAMP = new BinaryStrategy("SIGMOID_BCE_CLAMP100") {
        @Override
        public Tensor loss(Tensor x, Tensor t) {
            return Losses.binaryCrossEntropy(sigmoid(x), t);
        }
    };

    /** sigmoid, then the unclamped textbook formula. */
    public static final BinaryStrategy NAIVE = new BinaryStrategy("SIGMOID_BCE_NAIVE") {
        @Override
        public Tensor loss(Tensor x, Tensor t) {
            return textbook(sigmoid(x), t);
        }
    };

    /** {@code log(1 + exp(-y·x))} as separate nodes, {@code y = 2t - 1}. */
    public static final BinaryStrategy LOGISTIC_NAIVE = new BinaryStrategy("LOGISTIC_NAIVE") {
        @Override
        public Tensor loss(Tensor x, Tensor t) {
            Tensor y = add(mul(t, 2.0), -1.0);
            return mean(log(add(exp(neg(mul(y, x))), 1.0)));
        }
    };

    /** The stable ±1 logistic loss ({@code soft_margin_loss}), {@code y = 2t - 1}. */
    public static final BinaryStrategy LOGISTIC_SOFTPLUS = new BinaryStrategy("LOGISTIC_SOFTPLUS") {
        @Override
        public Tensor loss(Tensor x, Tensor t) {
            return Losses.softMarginLoss(x, add(mul(t, 2.0), -1.0).detach());
        }
    };

    /** sigmoid, clip to {@code [eps, 1-eps]}, then the textbook formula. */
    public static BinaryStrategy epsClip(double eps) {
        if (!(eps > 0 && eps < 0.5)) throw new IllegalArgumentException("epsClip: eps " + eps + " must be in (0, 0.5)");
        return new BinaryStrategy("SIGMOID_BCE_EPS_CLIP(" + eps + ")") {
            @Override
            public Tensor loss(Tensor x, Tensor t) {
                return textbook(clamp(sigmoid(x), eps, 1 - eps), t);
            }
        };
    }

    private static Tensor textbook(Tensor p, Tensor t) {
        Tensor pos = mul(t, log(p));
        Tensor negPart = mul(rsub(1.0, t), log(rsub(1.0, p)));
        return neg(mean(add(pos, negPart)));
    }
}
