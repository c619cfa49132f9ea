package dev.jgrad.lab.precision;

import dev.jgrad.lab.precision.CrossEntropyStrategy.RowLoss;

/**
 * The built-in {@link CrossEntropyStrategy strategies}, each written once with the emulated operations of
 * {@link Arith} (so each runs in every precision). For a row {@code x} of {@code K} logits with target {@code t}:
 * <ul>
 *   <li>{@link #NAIVE}: {@code -log(exp(x)[t] / sum(exp(x)))} as separate ops, every result stored (no max shift:
 *       float16's {@code exp} overflows once a logit exceeds ln(65504) ≈ 11.09);</li>
 *   <li>{@link #TWO_PASS}: the safe log-softmax kernel (PyTorch's {@code log_softmax}): a max pass, a pass summing
 *       {@code exp(x - m)} in the accumulation format, and {@code logp = x - m - log(s)} stored;</li>
 *   <li>{@link #THREE_PASS}: the safe softmax kernel followed by a {@code log} op ({@code log(softmax(x))}): the third
 *       pass stores the probabilities {@code exp(x - m)/s}, whose underflow to 0 gives {@code -inf};</li>
 *   <li>{@link #ONLINE}: the single-pass online softmax (Milakov &amp; Gimelshein 2018, "Online normalizer calculation
 *       for softmax"): a running maximum {@code m} and a running sum {@code d} rescaled by {@code exp(m_old - m)}
 *       whenever the maximum grows, in one pass; with {@link Summation#PAIRWISE} the (m, d) pairs of the halves are
 *       merged as in the paper's parallel form, with {@link Summation#COMPENSATED} the compensation is rescaled
 *       with the sum;</li>
 *   <li>{@link #smoothed(LabelSmoothing)}: {@link #TWO_PASS} with a label-smoothed target, PyTorch's formula
 *       {@code (1-ε)·nll + ε/K·Σ(-logp)} for {@code ε/K}, and {@code (1-ε)·nll + ε/(K-1)·(Σ(-logp) - nll)} for
 *       {@code ε/(K-1)}.</li>
 * </ul>
 * All gradients are {@code p - q} with {@code q} the (smoothed) target distribution.
 */
public final class Strategies {
    private Strategies() {
    }

    /** Textbook softmax then log, no max shift. */
    public static final CrossEntropyStrategy NAIVE = (a, x, t) -> {
        double[] e = a.map(x, Math::exp);
        double s = a.sum(e);
        double[] p = a.map(e, v -> v / s);
        return RowLoss.of(a, -a.log(p[t]), p, t);
    };

    /** The safe log-softmax kernel: max pass, sum pass, {@code x - m - log s} stored. */
    public static final CrossEntropyStrategy TWO_PASS = (a, x, t) -> {
        double[] logp = logSoftmax(a, x);
        return RowLoss.of(a, -logp[t], probabilities(a, logp), t);
    };

    /** The safe softmax kernel (max, sum, normalize), then {@code log} of the stored probability. */
    public static final CrossEntropyStrategy THREE_PASS = (a, x, t) -> {
        double m = a.max(x);
        double[] e = shiftedExp(a, x, m);
        double s = a.sumAcc(e);
        double[] p = new double[x.length];
        for (int j = 0; j < x.length; j++) p[j] = a.store(e[j] / s);
        return RowLoss.of(a, -a.log(p[t]), p, t);
    };

    /** Single-pass online normalizer (Milakov &amp; Gimelshein 2018), then {@code x - m - log d} stored. */
    public static final CrossEntropyStrategy ONLINE = (a, x, t) -> {
        double[] md = online(a, x, 0, x.length);
        double m = md[0], logd = a.acc(Math.log(md[1]));
        double[] logp = new double[x.length];
        for (int j = 0; j < x.length; j++) logp[j] = a.store(a.acc(x[j] - m) - logd);
        return RowLoss.of(a, -logp[t], probabilities(a, logp), t);
    };

    /**
     * {@link #TWO_PASS} with a label-smoothed target.
     *
     * @param smoothing the convention and ε
     * @return the strategy
     */
    public static CrossEntropyStrategy smoothed(LabelSmoothing smoothing) {
        return (a, x, t) -> {
            int k = x.length;
            double[] logp = logSoftmax(a, x);
            double[] neg = new double[k];
            for (int j = 0; j < k; j++) neg[j] = -logp[j];
            double smooth = a.sum(neg);
            double nll = neg[t];
            double eps = smoothing.epsilon();
            double rest = smoothing.excludeTarget() ? a.sub(smooth, nll) : smooth;
            double loss = a.add(a.mul(1 - eps, nll), a.mul(a.store(smoothing.otherWeight(k)), rest));
            double[] g = probabilities(a, logp);
            double qOther = a.store(smoothing.otherWeight(k)), qTarget = a.store(smoothing.targetWeight(k));
            for (int j = 0; j < k; j++) g[j] = a.sub(g[j], j == t ? qTarget : qOther);
            return new RowLoss(loss, g);
        };
    }

    /** Stored log-probabilities by the safe two-pass kernel (intermediates in the accumulation format). */
    static double[] logSoftmax(Arith a, double[] x) {
        double m = a.max(x);
        double[] e = shiftedExp(a, x, m);
        double logs = a.acc(Math.log(a.sumAcc(e)));
        double[] logp = new double[x.length];
        for (int j = 0; j < x.length; j++) logp[j] = a.store(a.acc(x[j] - m) - logs);
        return logp;
    }

    /** {@code exp(x - m)} in the accumulation format (a fused kernel's registers). */
    private static double[] shiftedExp(Arith a, double[] x, double m) {
        double[] e = new double[x.length];
        for (int j = 0; j < x.length; j++) e[j] = a.acc(Math.exp(a.acc(x[j] - m)));
        return e;
    }

    /** {@code exp(logp)} stored (the probabilities a log-softmax backward uses). */
    private static double[] probabilities(Arith a, double[] logp) {
        double[] p = new double[logp.length];
        for (int j = 0; j < p.length; j++) p[j] = a.exp(logp[j]);
        return p;
    }

    /** The online normalizer {m, d} of {@code x[from, to)}: {@code d = Σ exp(x - m)} with {@code m} the maximum. */
    static double[] online(Arith a, double[] x, int from, int to) {
        if (a.summation() == Summation.PAIRWISE && to - from > 8) {
            int mid = (from + to) >>> 1;
            double[] l = online(a, x, from, mid), r = online(a, x, mid, to);
            double m = Math.max(l[0], r[0]);
            if (Double.isNaN(l[0]) || Double.isNaN(r[0])) m = Double.NaN;
            return new double[]{m, a.acc(rescale(a, l, m) + rescale(a, r, m))};
        }
        boolean compensated = a.summation() == Summation.COMPENSATED;
        double m = Double.NEGATIVE_INFINITY, d = 0, c = 0;
        for (int j = from; j < to; j++) {
            double v = x[j];
            if (v > m || Double.isNaN(v)) {
                double f = m == Double.NEGATIVE_INFINITY ? 0 : a.acc(Math.exp(a.acc(m - v)));
                d = a.acc(d * f);
                c = a.acc(c * f);
                m = v;
            }
            double e = a.acc(Math.exp(a.acc(v - m)));
            if (!compensated) {
                d = a.acc(d + e);
            } else {
                double s = a.acc(d + e);
                c = a.acc(c + a.roundingError(d, e, s));
                d = s;
            }
        }
        return new double[]{m, compensated ? a.acc(d + c) : d};
    }

    private static double rescale(Arith a, double[] md, double m) {
        if (md[1] == 0) return 0;
        return a.acc(md[1] * a.acc(Math.exp(a.acc(md[0] - m))));
    }
}
