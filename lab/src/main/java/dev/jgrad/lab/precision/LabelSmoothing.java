package dev.jgrad.lab.precision;

/**
 * A label-smoothing convention: the target distribution {@code q} that replaces the one-hot target, for {@code K}
 * classes and smoothing {@code ε}.
 * <ul>
 *   <li>{@code ε/K} (PyTorch's {@code cross_entropy(label_smoothing=ε)}, Szegedy et al. 2016): {@code q_t = 1 - ε + ε/K},
 *       {@code q_j = ε/K} for {@code j ≠ t};</li>
 *   <li>{@code ε/(K-1)} (the target excluded, e.g. several older implementations): {@code q_t = 1 - ε},
 *       {@code q_j = ε/(K-1)} for {@code j ≠ t}.</li>
 * </ul>
 * The loss is {@code Σ_j q_j·(-log softmax(x)_j)} and its gradient {@code softmax(x) - q}.
 *
 * @param epsilon       the smoothing, in {@code [0, 1]}
 * @param excludeTarget true for the {@code ε/(K-1)} convention
 */
public record LabelSmoothing(double epsilon, boolean excludeTarget) {
    /** No smoothing (the plain one-hot target). */
    public static final LabelSmoothing NONE = new LabelSmoothing(0, false);

    /**
     * Validates ε.
     *
     * @param epsilon       smoothing
     * @param excludeTarget convention
     * @throws IllegalArgumentException unless {@code 0 <= epsilon <= 1}
     */
    public LabelSmoothing {
        if (!(epsilon >= 0 && epsilon <= 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + epsilon);
    }

    /**
     * PyTorch's convention {@code ε/K}.
     *
     * @param epsilon smoothing
     * @return the convention
     */
    public static LabelSmoothing overK(double epsilon) {
        return new LabelSmoothing(epsilon, false);
    }

    /**
     * The {@code ε/(K-1)} convention.
     *
     * @param epsilon smoothing
     * @return the convention
     */
    public static LabelSmoothing overKMinus1(double epsilon) {
        return new LabelSmoothing(epsilon, true);
    }

    /**
     * {@code q_t}.
     *
     * @param k class count
     * @return the target's weight
     */
    public double targetWeight(int k) {
        return excludeTarget ? 1 - epsilon : 1 - epsilon + epsilon / k;
    }

    /**
     * {@code q_j} for {@code j ≠ t}.
     *
     * @param k class count
     * @return the weight of every other class
     */
    public double otherWeight(int k) {
        return epsilon == 0 ? 0 : excludeTarget ? epsilon / (k - 1) : epsilon / k;
    }

    @Override
    public String toString() {
        return epsilon == 0 ? "none" : (excludeTarget ? "ε/(K-1)" : "ε/K") + ", ε=" + epsilon;
    }
}
