package dev.jgrad.lab;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * High-precision ("exact") reference values for the numerical-stability report: losses and
 * gradients of softmax cross-entropy and of the binary logistic losses, computed to at least
 * {@value #MIN_DIGITS} (by default {@value #DEFAULT_DIGITS}) significant decimal digits.
 *
 * <h2>Inputs</h2>
 * Every input {@code double} (or {@code float} widened to {@code double}) is taken as the exact
 * binary value it denotes, i.e. as {@code new BigDecimal(x)}; no decimal rounding happens on input.
 * Logits of any finite magnitude are supported (e.g. {@code ±1e300}); cross-entropy logits may be
 * {@code -∞} (a masked class, {@code exp(-∞) = 0}). {@code NaN} and {@code +∞} are rejected with
 * {@link IllegalArgumentException} because the exact value is undefined or infinite.
 *
 * <h2>Formulas</h2>
 * Cross-entropy of one row {@code x ∈ R^C} with target class {@code t}, {@code m = max_i x_i},
 * {@code d_i = x_i - m <= 0} (computed exactly):
 * <pre>
 *   loss    = logsumexp(x) - x_t = (m - x_t) + log(S),     S = Σ_i e^(d_i)  (>= 1)
 *   grad_i  = softmax_i(x) - [i = t] = e^(d_i)/S - [i = t]
 * </pre>
 * Only {@code e^(d_i)} with {@code d_i <= 0} is ever evaluated, never {@code e} of a large number.
 * To avoid cancellation, {@code log(S)} is evaluated as {@code log1p(S - 1)} with {@code S - 1}
 * summed directly from the non-maximal terms, and {@code grad_t = -(Σ_{j≠t} e^(d_j))/S}.
 * Binary losses use {@code z = e^(-|x|) <= 1}:
 * <pre>
 *   softplus(x)         = log(1 + e^x) = max(x, 0) + log1p(e^(-|x|))
 *   sigmoid(x)          = 1/(1+z) for x &gt;= 0,  z/(1+z) for x &lt; 0
 *   bceWithLogits(x, t) = softplus(x) - x·t = [max(x,0) - x·t] + log1p(z),  d/dx = sigmoid(x) - t
 *   logisticPm1(s, y)   = softplus(-y·s),  d/ds = -y·sigmoid(-y·s)
 * </pre>
 *
 * <h2>Negligible terms (underflow)</h2>
 * Terms too small to influence a result are skipped instead of evaluated (evaluating e.g.
 * {@code e^(-1e300)} is impossible). With {@code P} the requested number of digits and {@code C}
 * classes:
 * <ul>
 *   <li>A term {@code e^(d_j)} is skipped when {@code d_j < -(746 + ln C)}: then each gradient
 *       entry it feeds is below {@code e^-746 < 2^-1076}, and all skipped terms together add less than
 *       {@code e^-746}. Values below {@code 2^-1076} are less than half the smallest subnormal
 *       double ({@code 2^-1074 ≈ 4.9e-324}) so their correctly rounded {@code double} (and
 *       {@code float}) is 0; such results are returned as exactly {@link BigDecimal#ZERO}.</li>
 *   <li>When the loss itself is tiny ({@code t} is the arg-max and the other logits are far
 *       below it), {@code loss ≈ S - 1} needs relative accuracy, so terms are evaluated down to
 *       {@code d_j >= d_2 - (P·ln 10 + 50)} ({@code d_2}: largest non-maximal {@code d_j}) unless
 *       {@code d_2} itself is below the first bound: the skipped terms then contribute less than
 *       {@code C·e^-50·10^-P < 10^-P·e^-28} relative to {@code S - 1} ({@code C < 2^31}).</li>
 *   <li>Binary losses: {@code z = e^(-|x|)} is treated as 0 when {@code |x| > 850 + P·ln 10}. Then
 *       {@code z < e^-850·10^-P}; for targets {@code t ∈ [0, 1]} every result either is dominated by
 *       an exact term at least {@code 850·2^-1074} (so {@code z} is below its last digit) or equals
 *       a quantity smaller than {@code z < 2^-1076}, returned as 0 as above.</li>
 * </ul>
 *
 * <h2>Accuracy and speed</h2>
 * Internally values are binary {@code BigInteger} floating/fixed-point numbers with
 * {@code w = ⌈P·log2 10⌉ + 40} bits (rounded up to a multiple of 32); {@code exp} uses a
 * {@code ln 2} range reduction with three 1024-entry tables plus a short Taylor series (see
 * {@code ExpLogEngine}), about 25× faster than {@code BigDecimalMath.exp}; {@code ln 2} itself comes
 * from big-math's {@code BigDecimalMath}. Accumulated relative errors stay below {@code 2^-(w-24)},
 * i.e. far below {@code 10^-P}; every result is then rounded to the caller's {@link MathContext},
 * so it is accurate to within about one unit in its {@code P}-th digit. The binary gradient
 * {@code sigmoid(x) - t} can cancel when {@code sigmoid(x) ≈ t}; the cancellation is measured and
 * the computation repeated with more bits when needed, so the relative accuracy holds there too.
 *
 * <p>All methods are static, thread-safe and free of global mutable state (apart from caches).
 */
public final class HighPrecisionReference {

    /** Default number of significant decimal digits of all results. */
    public static final int DEFAULT_DIGITS = 50;
    /** Smallest accepted precision in significant decimal digits. */
    public static final int MIN_DIGITS = 40;
    /** Largest accepted precision in significant decimal digits. */
    public static final int MAX_DIGITS = 1000;
    /** The default working context: {@value #DEFAULT_DIGITS} digits, half-even rounding. */
    public static final MathContext DEFAULT_CONTEXT = new MathContext(DEFAULT_DIGITS, RoundingMode.HALF_EVEN);

    /** {@code ln(2^-1076)} ≈ -745.83 rounded down: {@code e^-746} is below half the smallest subnormal. */
    static final double UNDERFLOW_LOG = 746.0;
    /** Beyond {@code P·ln 10}, the extra depth (in natural-log units) of the relative skip bound. */
    static final double RELATIVE_SKIP_MARGIN = 50.0;
    /** Base of the binary-loss threshold on {@code |x|} above which {@code e^(-|x|)} is negligible. */
    static final double BINARY_NEGLIGIBLE_BASE = 850.0;

    /** Upper limit of the adaptive working width used to resolve cancellation in {@code sigmoid(x) - t}. */
    private static final long MAX_CANCELLATION_BITS = 16384;

    private static final double LN10 = Math.log(10.0);
    private static final double LOG2_10 = Math.log(10.0) / Math.log(2.0);
    private static final BigDecimal HALF = new BigDecimal("0.5");

    private HighPrecisionReference() {
    }

    /** Floating-point formats whose machine epsilon is used by {@link #inEpsilonUnits}. */
    public enum Dtype {
        /** IEEE-754 binary32, epsilon {@code 2^-23}. */
        FLOAT32(0x1p-23),
        /** IEEE-754 binary64, epsilon {@code 2^-52}. */
        FLOAT64(0x1p-52);

        private final double epsilon;

        Dtype(double epsilon) {
            this.epsilon = epsilon;
        }

        /**
         * Machine epsilon: the gap between 1 and the next representable value.
         *
         * @return {@code 2^-23} for FLOAT32, {@code 2^-52} for FLOAT64
         */
        public double machineEpsilon() {
            return epsilon;
        }
    }

    /**
     * Loss and gradient of one cross-entropy row.
     *
     * @param loss the loss {@code logsumexp(x) - x_t}
     * @param grad the gradient {@code softmax(x) - onehot(t)} with respect to the logits (the array is
     *             owned by this record; do not modify it)
     */
    public record RowResult(BigDecimal loss, BigDecimal[] grad) {
        /**
         * Validates the components.
         *
         * @param loss the loss
         * @param grad the gradient
         */
        public RowResult {
            Objects.requireNonNull(loss, "loss");
            Objects.requireNonNull(grad, "grad");
        }

        /**
         * The loss correctly rounded to double.
         *
         * @return {@link HighPrecisionReference#toDouble(BigDecimal) toDouble(loss)}
         */
        public double lossAsDouble() {
            return toDouble(loss);
        }

        /**
         * The gradient correctly rounded to doubles.
         *
         * @return a new array
         */
        public double[] gradAsDoubles() {
            return toDoubles(grad);
        }
    }

    /**
     * Loss and gradient of a mean-reduced cross-entropy batch.
     *
     * @param loss mean of the row losses
     * @param grad {@code grad[i][j] = (softmax(x_i) - onehot(t_i))_j / N} (owned by this record)
     */
    public record BatchResult(BigDecimal loss, BigDecimal[][] grad) {
        /**
         * Validates the components.
         *
         * @param loss the loss
         * @param grad the gradient
         */
        public BatchResult {
            Objects.requireNonNull(loss, "loss");
            Objects.requireNonNull(grad, "grad");
        }

        /**
         * The loss correctly rounded to double.
         *
         * @return {@link HighPrecisionReference#toDouble(BigDecimal) toDouble(loss)}
         */
        public double lossAsDouble() {
            return toDouble(loss);
        }
    }

    /**
     * Loss and derivative of a scalar (binary) loss.
     *
     * @param loss the loss value
     * @param grad the derivative with respect to the logit / score
     */
    public record ScalarResult(BigDecimal loss, BigDecimal grad) {
        /**
         * Validates the components.
         *
         * @param loss the loss
         * @param grad the derivative
         */
        public ScalarResult {
            Objects.requireNonNull(loss, "loss");
            Objects.requireNonNull(grad, "grad");
        }
    }

    // ------------------------------------------------------------------ cross-entropy

    /**
     * Softmax cross-entropy of one row at {@link #DEFAULT_CONTEXT}.
     *
     * @param logits the logits, finite or {@code -∞} (at least one finite)
     * @param target the target class index; {@code logits[target]} must be finite
     * @return {@code loss = logsumexp(x) - x_t}, {@code grad = softmax(x) - onehot(t)}
     * @throws IllegalArgumentException for empty rows, NaN or +∞ logits, a masked target, or a
     *                                  target out of range
     */
    public static RowResult crossEntropyRow(double[] logits, int target) {
        return crossEntropyRow(logits, target, DEFAULT_CONTEXT);
    }

    /**
     * Softmax cross-entropy of one row of {@code float} logits (widened exactly) at
     * {@link #DEFAULT_CONTEXT}.
     *
     * @param logits the logits, finite or {@code -∞} (at least one finite)
     * @param target the target class index
     * @return see {@link #crossEntropyRow(double[], int)}
     */
    public static RowResult crossEntropyRow(float[] logits, int target) {
        return crossEntropyRow(widen(logits), target, DEFAULT_CONTEXT);
    }

    /**
     * Softmax cross-entropy of one row with an explicit precision. See the class documentation for
     * the formulas and for which negligible terms are skipped.
     *
     * @param logits the logits, finite or {@code -∞} (at least one finite)
     * @param target the target class index; {@code logits[target]} must be finite
     * @param mc     the result precision, {@value #MIN_DIGITS} to {@value #MAX_DIGITS} digits
     * @return {@code loss = logsumexp(x) - x_t}, {@code grad = softmax(x) - onehot(t)}
     * @throws IllegalArgumentException for invalid inputs (see {@link #crossEntropyRow(double[], int)})
     */
    public static RowResult crossEntropyRow(double[] logits, int target, MathContext mc) {
        checkContext(mc);
        return row(logits, target, 1, mc);
    }

    /**
     * Mean-reduced softmax cross-entropy of a batch at {@link #DEFAULT_CONTEXT}:
     * {@code loss = (1/N) Σ_i CE(x_i, t_i)}, {@code grad_i = (softmax(x_i) - onehot(t_i)) / N}.
     *
     * @param logits  {@code N × C} logits (all rows of equal length {@code C >= 1}, {@code N >= 1})
     * @param targets {@code N} target indices
     * @return mean loss and the {@code N × C} gradient
     * @throws IllegalArgumentException for shape mismatches or invalid rows
     */
    public static BatchResult crossEntropyBatch(double[][] logits, int[] targets) {
        return crossEntropyBatch(logits, targets, DEFAULT_CONTEXT);
    }

    /**
     * Mean-reduced softmax cross-entropy of a batch of {@code float} logits (widened exactly) at
     * {@link #DEFAULT_CONTEXT}.
     *
     * @param logits  {@code N × C} logits
     * @param targets {@code N} target indices
     * @return see {@link #crossEntropyBatch(double[][], int[])}
     */
    public static BatchResult crossEntropyBatch(float[][] logits, int[] targets) {
        Objects.requireNonNull(logits, "logits");
        double[][] wide = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            wide[i] = widen(logits[i]);
        }
        return crossEntropyBatch(wide, targets, DEFAULT_CONTEXT);
    }

    /**
     * Mean-reduced softmax cross-entropy of a batch with an explicit precision. Each gradient entry
     * is rounded once (the division by {@code N} is folded into the internal computation).
     *
     * @param logits  {@code N × C} logits (all rows of equal length {@code C >= 1}, {@code N >= 1})
     * @param targets {@code N} target indices
     * @param mc      the result precision, {@value #MIN_DIGITS} to {@value #MAX_DIGITS} digits
     * @return mean loss and the {@code N × C} gradient
     * @throws IllegalArgumentException for shape mismatches or invalid rows
     */
    public static BatchResult crossEntropyBatch(double[][] logits, int[] targets, MathContext mc) {
        checkContext(mc);
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(targets, "targets");
        int n = logits.length;
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (targets.length != n) {
            throw new IllegalArgumentException("targets.length " + targets.length + " != batch size " + n);
        }
        int c = Objects.requireNonNull(logits[0], "row 0").length;
        BigDecimal lossSum = BigDecimal.ZERO;
        BigDecimal[][] grad = new BigDecimal[n][];
        for (int i = 0; i < n; i++) {
            double[] r = Objects.requireNonNull(logits[i], "row " + i);
            if (r.length != c) {
                throw new IllegalArgumentException("row " + i + " has " + r.length + " classes, expected " + c);
            }
            RowResult rr;
            try {
                rr = row(r, targets[i], n, mc);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
            }
            lossSum = lossSum.add(rr.loss()); // exact
            grad[i] = rr.grad();
        }
        BigDecimal loss = lossSum.divide(BigDecimal.valueOf(n), mc);
        return new BatchResult(loss, grad);
    }

    /**
     * Core row computation; the gradient is divided by {@code divisor} (the loss is not).
     */
    private static RowResult row(double[] logits, int target, int divisor, MathContext mc) {
        Objects.requireNonNull(logits, "logits");
        int n = logits.length;
        if (n == 0) {
            throw new IllegalArgumentException("empty logits row");
        }
        if (target < 0 || target >= n) {
            throw new IllegalArgumentException("target " + target + " out of range [0, " + n + ")");
        }
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double x = logits[j];
            if (Double.isNaN(x) || x == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit " + j + " is " + x);
            }
            if (x > m) {
                m = x;
            }
        }
        if (m == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all logits are -inf");
        }
        if (logits[target] == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("target logit is -inf: the loss is +inf");
        }
        // index that plays the role of the maximal term e^0 = 1 (the target if it attains the max)
        int a = target;
        if (logits[target] != m) {
            a = 0;
            while (logits[a] != m) {
                a++;
            }
        }
        int digits = mc.getPrecision();
        int w = workingBits(digits);
        ExpLogEngine eng = ExpLogEngine.forBits(w);
        w = eng.w;

        // skip bound (see class javadoc); decisions are made on double differences with a margin of 1
        double absBound = -(UNDERFLOW_LOG + Math.log(n));
        double d2 = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (j != a) {
                d2 = Math.max(d2, logits[j] - m);
            }
        }
        double bound = absBound;
        if (d2 >= absBound) {
            bound = Math.min(absBound, d2 - (digits * LN10 + RELATIVE_SKIP_MARGIN));
        }
        double cut = bound - 1.0;

        BigBinary mBin = BigBinary.of(m);
        BigBinary mNeg = mBin.negate();
        BigBinary[] e = new BigBinary[n];
        e[a] = BigBinary.ONE;
        for (int j = 0; j < n; j++) {
            if (j == a) {
                continue;
            }
            double dd = logits[j] - m; // -inf for masked classes
            if (!(dd >= cut)) {
                continue; // negligible (or masked): e^(d_j) treated as 0
            }
            if (dd == 0.0 && logits[j] == m) {
                e[j] = BigBinary.ONE;
            } else {
                e[j] = eng.exp(BigBinary.of(logits[j]).add(mNeg));
            }
        }
        int sumBits = w + 64;
        BigBinary[] rest = new BigBinary[n];
        for (int j = 0; j < n; j++) {
            if (j != a && j != target) {
                rest[j] = e[j];
            }
        }
        BigBinary sumRest = BigBinary.sumNonNegative(rest, sumBits);       // Σ_{j∉{a,t}} e_j
        BigBinary u;                                                       // S - 1 = Σ_{j≠a} e_j
        BigBinary othersOfTarget;                                          // Σ_{j≠t} e_j
        if (a == target) {
            u = sumRest;
            othersOfTarget = sumRest;
        } else {
            u = e[target] == null ? sumRest : sumRest.add(e[target]).truncate(sumBits);
            othersOfTarget = sumRest.add(BigBinary.ONE).truncate(sumBits);
        }
        BigBinary s = BigBinary.ONE.add(u).truncate(sumBits);
        BigBinary denom = divisor == 1 ? s : s.multiply(new BigBinary(java.math.BigInteger.valueOf(divisor), 0));
        BigBinary inv = denom.reciprocal(w + 32);

        MathContext work = new MathContext(digits + 15, RoundingMode.HALF_EVEN);
        BigDecimal log1pU = eng.log1p(u).toBigDecimal(work);
        BigDecimal loss;
        if (a == target) {
            loss = log1pU.round(mc);
        } else {
            BigDecimal gap = new BigDecimal(m).subtract(new BigDecimal(logits[target])); // m - x_t > 0, exact
            loss = gap.add(log1pU).round(mc);
        }

        BigDecimal[] grad = new BigDecimal[n];
        for (int j = 0; j < n; j++) {
            if (j == target) {
                grad[j] = othersOfTarget.multiply(inv).truncate(w + 32).negate().toBigDecimal(mc);
            } else if (e[j] == null) {
                grad[j] = BigDecimal.ZERO;
            } else {
                grad[j] = e[j].multiply(inv).truncate(w + 32).toBigDecimal(mc);
            }
        }
        return new RowResult(loss, grad);
    }

    // ------------------------------------------------------------------ binary losses

    /**
     * Binary cross-entropy with logits at {@link #DEFAULT_CONTEXT}:
     * {@code loss = log(1 + e^x) - x·t = softplus(x) - x·t}, {@code d/dx = sigmoid(x) - t}.
     *
     * @param x the logit (any finite double)
     * @param t the target probability in {@code [0, 1]}
     * @return loss and derivative
     * @throws IllegalArgumentException if {@code x} is not finite or {@code t ∉ [0, 1]}
     */
    public static ScalarResult bceWithLogits(double x, double t) {
        return bceWithLogits(x, t, DEFAULT_CONTEXT);
    }

    /**
     * Binary cross-entropy with logits with an explicit precision. Evaluated as
     * {@code loss = [max(x,0) - x·t] + log1p(e^(-|x|))} (the bracket is exact and non-negative for
     * {@code t ∈ [0, 1]}, so nothing cancels) and
     * {@code grad = ((1-t) - t·z)/(1+z)} for {@code x >= 0}, {@code (z·(1-t) - t)/(1+z)} for
     * {@code x < 0}, {@code z = e^(-|x|)}; the numerator may cancel when {@code sigmoid(x) ≈ t},
     * which is detected and compensated with more working bits.
     *
     * @param x  the logit (any finite double)
     * @param t  the target probability in {@code [0, 1]}
     * @param mc the result precision, {@value #MIN_DIGITS} to {@value #MAX_DIGITS} digits
     * @return loss and derivative
     * @throws IllegalArgumentException if {@code x} is not finite or {@code t ∉ [0, 1]}
     */
    public static ScalarResult bceWithLogits(double x, double t, MathContext mc) {
        checkContext(mc);
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("logit must be finite: " + x);
        }
        if (!(t >= 0.0 && t <= 1.0)) {
            throw new IllegalArgumentException("target must be in [0, 1]: " + t);
        }
        int digits = mc.getPrecision();
        BigDecimal xd = new BigDecimal(x);
        BigDecimal td = new BigDecimal(t);
        // exact, >= 0: x(1-t) for x > 0, -x t for x <= 0
        BigDecimal lin = x > 0 ? xd.multiply(BigDecimal.ONE.subtract(td)) : xd.negate().multiply(td);
        if (x == 0.0) {
            BigDecimal ln2 = ExpLogEngine.forBits(workingBits(digits)).log1p(BigBinary.ONE)
                    .toBigDecimal(mc);
            return new ScalarResult(ln2, HALF.subtract(td).round(mc));
        }
        double ax = Math.abs(x);
        boolean negligible = ax > binaryNegligibleBound(digits);
        int w = workingBits(digits);
        ExpLogEngine eng = ExpLogEngine.forBits(w);
        BigBinary z = negligible ? BigBinary.ZERO : eng.exp(BigBinary.of(-ax));

        MathContext work = new MathContext(digits + 15, RoundingMode.HALF_EVEN);
        BigDecimal loss = lin.add(eng.log1p(z).toBigDecimal(work)).round(mc);

        BigBinary tb = BigBinary.of(t);
        BigBinary oneMinusT = BigBinary.ONE.add(tb.negate()); // exact
        BigDecimal grad;
        if (negligible) {
            // x >= 0: (1-t); x < 0: -t (the z-terms are below 2^-1076 and below the last digit)
            grad = (x > 0 ? oneMinusT : tb.negate()).toBigDecimal(mc);
        } else {
            int requiredBits = (int) Math.ceil(digits * LOG2_10) + 16;
            while (true) {
                // the only inexact ingredient is z (relative error < 2^-(w-8)); it enters through
                // approxPart, so the numerator's relative error is that times |approxPart| / |num|
                BigBinary approxPart = x > 0 ? tb.multiply(z) : z.multiply(oneMinusT);
                BigBinary num = x > 0 ? oneMinusT.add(approxPart.negate()) : approxPart.add(tb.negate());
                long lostBits;
                if (approxPart.isZero()) {
                    lostBits = 0;
                } else if (num.isZero()) {
                    lostBits = eng.w; // total cancellation at this precision: retry with more bits
                } else {
                    lostBits = Math.max(0, approxPart.top() - num.top() + 1);
                }
                if ((eng.w - 8) - lostBits >= requiredBits) {
                    BigBinary den = BigBinary.ONE.add(z);
                    grad = num.multiply(den.reciprocal(eng.w + 32)).truncate(eng.w + 32).toBigDecimal(mc);
                    break;
                }
                long newBits = eng.w + lostBits + 64;
                if (newBits > MAX_CANCELLATION_BITS) {
                    throw new ArithmeticException("cancellation too deep in sigmoid(x) - t at x=" + x + ", t=" + t);
                }
                eng = ExpLogEngine.forBits((int) newBits);
                z = eng.exp(BigBinary.of(-ax));
            }
        }
        return new ScalarResult(loss, grad);
    }

    /**
     * Logistic loss for labels {@code y ∈ {-1, +1}} at {@link #DEFAULT_CONTEXT}:
     * {@code loss = log(1 + e^(-y·s)) = softplus(-y·s)}, {@code d/ds = -y·sigmoid(-y·s)}.
     * Equals {@link #bceWithLogits(double, double) bceWithLogits(s, (1+y)/2)}.
     *
     * @param score the score {@code s} (any finite double)
     * @param y     the label, exactly {@code -1} or {@code +1}
     * @return loss and derivative with respect to the score
     * @throws IllegalArgumentException if {@code score} is not finite or {@code y ∉ {-1, +1}}
     */
    public static ScalarResult logisticPm1(double score, double y) {
        return logisticPm1(score, y, DEFAULT_CONTEXT);
    }

    /**
     * Logistic loss for labels {@code y ∈ {-1, +1}} with an explicit precision; with
     * {@code u = -y·s} (exact) and {@code z = e^(-|u|)}: {@code loss = max(u,0) + log1p(z)},
     * {@code d/ds = -y·sigmoid(u)}, {@code sigmoid(u) = 1/(1+z)} ({@code u >= 0}) or
     * {@code z/(1+z)} ({@code u < 0}). Nothing cancels.
     *
     * @param score the score {@code s} (any finite double)
     * @param y     the label, exactly {@code -1} or {@code +1}
     * @param mc    the result precision, {@value #MIN_DIGITS} to {@value #MAX_DIGITS} digits
     * @return loss and derivative with respect to the score
     * @throws IllegalArgumentException if {@code score} is not finite or {@code y ∉ {-1, +1}}
     */
    public static ScalarResult logisticPm1(double score, double y, MathContext mc) {
        checkContext(mc);
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite: " + score);
        }
        if (y != 1.0 && y != -1.0) {
            throw new IllegalArgumentException("label must be -1 or +1: " + y);
        }
        int digits = mc.getPrecision();
        double u = -y * score; // exact (sign change)
        double au = Math.abs(u);
        ExpLogEngine eng = ExpLogEngine.forBits(workingBits(digits));
        boolean negligible = au > binaryNegligibleBound(digits);
        BigBinary z = negligible ? BigBinary.ZERO : eng.exp(BigBinary.of(-au));
        MathContext work = new MathContext(digits + 15, RoundingMode.HALF_EVEN);
        BigDecimal lin = u > 0 ? new BigDecimal(u) : BigDecimal.ZERO;
        BigDecimal loss = lin.add(eng.log1p(z).toBigDecimal(work)).round(mc);
        BigBinary inv = BigBinary.ONE.add(z).reciprocal(eng.w + 32);
        BigBinary sig = u >= 0 ? inv : z.multiply(inv).truncate(eng.w + 32);
        BigBinary g = y > 0 ? sig.negate() : sig;
        return new ScalarResult(loss, g.toBigDecimal(mc));
    }

    // ------------------------------------------------------------------ conversions and metrics

    /**
     * Correctly rounded (round-half-even) conversion to {@code double}; values of magnitude
     * {@code >= Double.MAX_VALUE + ulp/2} become infinite. {@link BigDecimal#doubleValue()} is
     * correctly rounded on Java 17; the result is additionally verified against both neighbours.
     *
     * @param v the exact value
     * @return the nearest double
     */
    public static double toDouble(BigDecimal v) {
        double c = v.doubleValue();
        if (Double.isInfinite(c)) {
            BigDecimal max = new BigDecimal(Double.MAX_VALUE);
            BigDecimal limit = max.add(new BigDecimal(Math.ulp(Double.MAX_VALUE)).multiply(HALF));
            if (v.abs().compareTo(limit) < 0) {
                return Math.copySign(Double.MAX_VALUE, c);
            }
            return c;
        }
        double best = c;
        BigDecimal bestErr = v.subtract(new BigDecimal(c)).abs();
        for (double nb : new double[] {Math.nextUp(c), Math.nextDown(c)}) {
            if (Double.isInfinite(nb)) {
                continue;
            }
            BigDecimal err = v.subtract(new BigDecimal(nb)).abs();
            int cmp = err.compareTo(bestErr);
            if (cmp < 0 || (cmp == 0 && (Double.doubleToRawLongBits(nb) & 1) == 0)) {
                best = nb;
                bestErr = err;
            }
        }
        return best;
    }

    /**
     * Correctly rounded (round-half-even) conversion to {@code float}, directly from the decimal
     * value (no double rounding through {@code double}); verified against both neighbours.
     *
     * @param v the exact value
     * @return the nearest float
     */
    public static float toFloat(BigDecimal v) {
        float c = v.floatValue();
        if (Float.isInfinite(c)) {
            BigDecimal max = new BigDecimal(Float.MAX_VALUE);
            BigDecimal limit = max.add(new BigDecimal(Math.ulp(Float.MAX_VALUE)).multiply(HALF));
            if (v.abs().compareTo(limit) < 0) {
                return Math.copySign(Float.MAX_VALUE, c);
            }
            return c;
        }
        float best = c;
        BigDecimal bestErr = v.subtract(new BigDecimal(c)).abs();
        for (float nb : new float[] {Math.nextUp(c), Math.nextDown(c)}) {
            if (Float.isInfinite(nb)) {
                continue;
            }
            BigDecimal err = v.subtract(new BigDecimal(nb)).abs();
            int cmp = err.compareTo(bestErr);
            if (cmp < 0 || (cmp == 0 && (Float.floatToRawIntBits(nb) & 1) == 0)) {
                best = nb;
                bestErr = err;
            }
        }
        return best;
    }

    /**
     * Element-wise {@link #toDouble(BigDecimal)}.
     *
     * @param v exact values
     * @return a new array of nearest doubles
     */
    public static double[] toDoubles(BigDecimal[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = toDouble(v[i]);
        }
        return out;
    }

    /**
     * Element-wise {@link #toFloat(BigDecimal)}.
     *
     * @param v exact values
     * @return a new array of nearest floats
     */
    public static float[] toFloats(BigDecimal[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = toFloat(v[i]);
        }
        return out;
    }

    /**
     * Relative error of a computed value against the exact reference:
     * {@code |actual - exact| / |exact|}, evaluated exactly and rounded to double. When
     * {@code exact == 0} (including results documented as rounding to 0) the error is the absolute
     * error {@code |actual|}. A non-finite {@code actual} (NaN, ±∞) gives {@code +∞}; callers report
     * non-finite results separately.
     *
     * @param actual the computed value ({@code float}s widen exactly)
     * @param exact  the reference value
     * @return the relative (or, for a zero reference, absolute) error, {@code >= 0}
     */
    public static double relError(double actual, BigDecimal exact) {
        if (!Double.isFinite(actual)) {
            return Double.POSITIVE_INFINITY;
        }
        BigDecimal diff = new BigDecimal(actual).subtract(exact).abs();
        if (exact.signum() == 0) {
            return diff.doubleValue();
        }
        return diff.divide(exact.abs(), MathContext.DECIMAL64).doubleValue();
    }

    /**
     * Expresses a relative error in units of the machine epsilon of {@code dtype}
     * ({@code 2^-23} for float32, {@code 2^-52} for float64). An error of 0.5 corresponds to a
     * correctly rounded result near a power of two; {@code +∞} stays {@code +∞}.
     *
     * @param relErr a relative error, e.g. from {@link #relError(double, BigDecimal)}
     * @param dtype  the floating-point format the value was computed in
     * @return {@code relErr / epsilon(dtype)}
     */
    public static double inEpsilonUnits(double relErr, Dtype dtype) {
        return relErr / dtype.machineEpsilon();
    }

    /**
     * Convenience: {@code inEpsilonUnits(relError(actual, exact), dtype)}.
     *
     * @param actual the computed value
     * @param exact  the reference value
     * @param dtype  the floating-point format the value was computed in
     * @return the error in epsilons of {@code dtype}
     */
    public static double errorInEpsilons(double actual, BigDecimal exact, Dtype dtype) {
        return inEpsilonUnits(relError(actual, exact), dtype);
    }

    // ------------------------------------------------------------------ internals

    private static void checkContext(MathContext mc) {
        Objects.requireNonNull(mc, "mc");
        int p = mc.getPrecision();
        if (p < MIN_DIGITS || p > MAX_DIGITS) {
            throw new IllegalArgumentException(
                    "precision must be in [" + MIN_DIGITS + ", " + MAX_DIGITS + "] digits: " + p);
        }
    }

    /** Working bits for {@code digits} decimal digits: {@code ⌈digits·log2 10⌉ + 40}. */
    static int workingBits(int digits) {
        return (int) Math.ceil(digits * LOG2_10) + 40;
    }

    /** {@code |x|} above which {@code e^(-|x|)} is negligible for the binary losses. */
    static double binaryNegligibleBound(int digits) {
        return BINARY_NEGLIGIBLE_BASE + digits * LN10;
    }

    private static double[] widen(float[] v) {
        Objects.requireNonNull(v, "logits");
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
