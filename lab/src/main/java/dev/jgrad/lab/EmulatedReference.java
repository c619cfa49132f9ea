package dev.jgrad.lab;

import dev.jgrad.lab.precision.LabelSmoothing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Reference values of the {@link StabilityLab}'s batches: the mean (label-smoothed) cross-entropy and its gradient.
 *
 * <p>For float64 logits the loss comes from the {@link HighPrecisionReference} (40 digits), kept as a double-double
 * {@code hi + lo}. For logits of the narrower formats a double computation suffices and is far cheaper: the
 * max-shifted log-sum-exp with a compensated sum and {@code log1p} when the target is the maximum has a relative
 * error of a few {@code 2^-53}, below {@code 1e-8} of float32's epsilon and so invisible in errors reported in
 * float32, bfloat16 or float16 epsilons. Every term {@code q_j·(lse - x_j)} of a smoothed loss is non-negative, so
 * the smoothing adds no cancellation. Gradients ({@code (softmax - q)/N}) are always computed in double: they are
 * scored by their absolute error, relative to {@code 1/N}.
 */
final class EmulatedReference {
    private static final MathContext MC = new MathContext(HighPrecisionReference.MIN_DIGITS, RoundingMode.HALF_EVEN);

    private EmulatedReference() {
    }

    /** The reference of one batch: mean loss {@code hi + lo} and the gradient of the mean loss. */
    record Values(double lossHi, double lossLo, double[] grad) {
    }

    /**
     * The reference of a batch.
     *
     * @param x         {@code rows × k} logits, row-major
     * @param targets   target per row
     * @param k         classes
     * @param smoothing target convention
     * @param exact     use the 40-digit reference for the loss (float64 logits)
     * @return the values
     */
    static Values batch(double[] x, int[] targets, int k, LabelSmoothing smoothing, boolean exact) {
        int n = targets.length;
        double[] grad = new double[n * k];
        double[] rowLoss = new double[n];
        BigDecimal exactSum = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            double[] row = java.util.Arrays.copyOfRange(x, i * k, (i + 1) * k);
            rowLoss[i] = doubleRow(row, targets[i], smoothing, grad, i * k, n);
            if (exact) exactSum = exactSum.add(exactRow(row, targets[i], smoothing));
        }
        if (exact) {
            BigDecimal mean = exactSum.divide(BigDecimal.valueOf(n), MC);
            double hi = mean.doubleValue();
            return new Values(hi, mean.subtract(new BigDecimal(hi)).doubleValue(), grad);
        }
        Sum sum = new Sum();
        for (double v : rowLoss) sum.add(v);
        return new Values(sum.value() / n, 0, grad);
    }

    /** Loss of one row in double; writes {@code (p - q)/n} into {@code grad[off..]}. */
    private static double doubleRow(double[] x, int t, LabelSmoothing ls, double[] grad, int off, int n) {
        int k = x.length;
        double m = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int j = 0; j < k; j++) {
            if (x[j] > m) {
                m = x[j];
                argmax = j;
            }
        }
        // Σ_{j ≠ argmax} exp(x_j - m), compensated; the full sum is 1 + that
        Sum sum = new Sum();
        double[] e = new double[k];
        for (int j = 0; j < k; j++) {
            e[j] = Math.exp(x[j] - m);
            if (j != argmax) sum.add(e[j]);
        }
        double rest = sum.value();
        double log1p = Math.log1p(rest); // lse = m + log1p(rest)
        double qo = ls.otherWeight(k), qt = ls.targetWeight(k);
        for (int j = 0; j < k; j++) grad[off + j] = (e[j] / (1 + rest) - (j == t ? qt : qo)) / n;
        // loss = Σ_j q_j (lse - x_j), each term (m - x_j) + log1p >= 0
        double loss = qt * ((m - x[t]) + log1p);
        if (qo != 0) {
            Sum others = new Sum();
            for (int j = 0; j < k; j++) if (j != t) others.add(qo * ((m - x[j]) + log1p));
            loss += others.value();
        }
        return loss;
    }

    /** 40-digit loss of one row: {@code CE_t + Σ_{j≠t} q_j (x_t - x_j)} (using {@code Σ q = 1}). */
    private static BigDecimal exactRow(double[] x, int t, LabelSmoothing ls) {
        BigDecimal ce = HighPrecisionReference.crossEntropyRow(x, t, MC).loss();
        if (ls.epsilon() == 0) return ce;
        BigDecimal diff = BigDecimal.ZERO, xt = new BigDecimal(x[t]);
        for (int j = 0; j < x.length; j++) if (j != t) diff = diff.add(xt.subtract(new BigDecimal(x[j])));
        BigDecimal qo = ls.excludeTarget()
                ? new BigDecimal(ls.epsilon()).divide(BigDecimal.valueOf(x.length - 1L), MC)
                : new BigDecimal(ls.epsilon()).divide(BigDecimal.valueOf(x.length), MC);
        return ce.add(qo.multiply(diff, MC), MC);
    }

    /** Neumaier's compensated sum in double. */
    private static final class Sum {
        private double s, c;

        void add(double v) {
            double u = s + v;
            c += Math.abs(s) >= Math.abs(v) ? (s - u) + v : (v - u) + s;
            s = u;
        }

        double value() {
            return s + c;
        }
    }
}
