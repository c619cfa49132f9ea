package dev.jgrad.lab.precision;

/**
 * A way to compute softmax cross-entropy of one row of logits, written with the emulated operations of an
 * {@link Arith} so that it runs in every {@link Precision}. Register one with
 * {@link dev.jgrad.lab.StabilityLab.Builder#strategy(String, CrossEntropyStrategy)}; see {@link Strategies} for
 * the built-in ones.
 *
 * <p>Example, the textbook formula {@code -log(softmax(x)[t])} without the max shift:
 * <pre>{@code
 * CrossEntropyStrategy naive = (a, x, t) -> {
 *     double[] e = a.map(x, Math::exp);
 *     double s = a.sum(e);
 *     double[] p = a.map(e, v -> v / s);
 *     return RowLoss.of(a, -a.log(p[t]), p, t);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface CrossEntropyStrategy {
    /**
     * The loss of one row and, optionally, its gradient with respect to the logits.
     *
     * @param a      the emulated arithmetic (every value the strategy stores should go through it)
     * @param logits the row's logits, already rounded to the precision's input format (do not modify)
     * @param target the target class, {@code 0 <= target < logits.length}
     * @return the loss and gradient of the row
     */
    RowLoss row(Arith a, double[] logits, int target);

    /**
     * One row's result.
     *
     * @param loss the loss (in the storage format)
     * @param grad the gradient with respect to the logits (in the storage format), or null if the strategy gives
     *             none (then its gradient is not scored and it cannot train)
     */
    record RowLoss(double loss, double[] grad) {
        /**
         * The loss alone.
         *
         * @param loss the loss
         * @return a result without gradient
         */
        public static RowLoss lossOnly(double loss) {
            return new RowLoss(loss, null);
        }

        /**
         * The loss with the usual gradient {@code p - onehot(target)}, stored element by element.
         *
         * @param a      the arithmetic (rounds {@code p[target] - 1})
         * @param loss   the loss
         * @param p      the probabilities (stored values; reused as the gradient array)
         * @param target the target class
         * @return the result
         */
        public static RowLoss of(Arith a, double loss, double[] p, int target) {
            p[target] = a.sub(p[target], 1.0);
            return new RowLoss(loss, p);
        }
    }
}
