package dev.jgrad.losses.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.ops.Ops;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;
import dev.jgrad.ops.reliability.PropertySupport;
import static dev.jgrad.ops.reliability.PropertySupport.allFinite;
import static dev.jgrad.ops.reliability.PropertySupport.assertClose;
import static dev.jgrad.ops.reliability.PropertySupport.gradcheck;
import static dev.jgrad.ops.reliability.PropertySupport.maxAbs;
import static dev.jgrad.ops.reliability.PropertySupport.tensor;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based tests of every loss (jqwik; on failure jqwik prints the seed and the shrunk sample):
 * <ul>
 *   <li>float64 gradcheck of every loss with random options (class weights, ignore_index, label smoothing, probability
 *       targets, pos_weight, reductions, log targets, stability strategies) — logits up to 1e3 (beyond that the
 *       loss's own rounding, ~1e3·2^-52/1e-6, approaches gradcheck's atol);</li>
 *   <li>the fused cross-entropy equals every composite strategy (MAX_SHIFT, NAIVE, EPS_CLAMP) wherever the composite is
 *       finite and its probabilities are normal numbers, at scales 1e-3..1e4 (float64 up to 1e300), in value and
 *       gradient, within a rounding bound derived from the coefficients; where the composite is not finite the fused
 *       loss still is;</li>
 *   <li>float32 agrees with float64 on the same inputs (rtol 1e-4 at moderate scale), in value and gradient;</li>
 *   <li>losses are non-negative where the maths says so (cross-entropy, BCE, BCE with logits, soft margin, MSE,
 *       KL between normalised distributions, entropy; and Gibbs' inequality H(p, q) ≥ H(p)).</li>
 * </ul>
 */
class LossPropertiesTest {
    private static final AtomicLong TRIES = new AtomicLong();
    private static final AtomicLong COMPOSITE_VALUES = new AtomicLong(), COMPOSITE_GRADIENTS = new AtomicLong(), COMPOSITE_OUT_OF_RANGE = new AtomicLong();

    @AfterContainer
    static void report() {
        System.out.println("LossPropertiesTest: " + TRIES.get() + " generated tries; fused vs composite: " + COMPOSITE_VALUES.get()
                + " value and " + COMPOSITE_GRADIENTS.get() + " gradient comparisons, " + COMPOSITE_OUT_OF_RANGE.get()
                + " samples outside the composite's normal range (fused checked finite only)");
    }

    // ================================================================== generators

    @Provide
    Arbitrary<double[]> pool() {
        return PropertySupport.pool();
    }

    @Provide
    Arbitrary<double[]> pool2() {
        return PropertySupport.pool();
    }

    @Provide
    Arbitrary<Reduction> reductions() {
        return Arbitraries.of(Reduction.NONE, Reduction.MEAN, Reduction.SUM);
    }

    /** Logit scales for gradient checks. */
    @Provide
    Arbitrary<Double> gradScale() {
        return Arbitraries.of(1e-3, 0.1, 1.0, 10.0, 100.0, 1e3);
    }

    @Provide
    Arbitrary<Double> extremeScale() {
        return Arbitraries.of(1e-3, 1e-1, 1.0, 10.0, 1e2, 1e3, 1e4);
    }

    @Provide
    Arbitrary<SoftmaxCrossEntropy> strategies() {
        return Arbitraries.of(SoftmaxCrossEntropy.FUSED, SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE, SoftmaxCrossEntropy.epsClamp(1e-7));
    }

    @Provide
    Arbitrary<SoftmaxCrossEntropy> composites() {
        return Arbitraries.of(SoftmaxCrossEntropy.MAX_SHIFT, SoftmaxCrossEntropy.NAIVE, SoftmaxCrossEntropy.epsClamp(1e-12));
    }

    /** Options of one cross-entropy call; {@link #build} turns them into tensors. */
    record CeSpec(int n, int c, boolean unbatched, int[] raw, int ignoreMask, boolean ignoreValidClass, boolean weighted,
                  Reduction reduction, double smoothing, boolean probTargets) {
    }

    @Provide
    Arbitrary<CeSpec> ce() {
        Arbitrary<double[]> smoothing = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0.0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.doubles().between(0, 1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(1.0))).map(e -> new double[] {e});
        Arbitrary<int[]> raw = Arbitraries.integers().between(0, 99).array(int[].class).ofSize(4);
        return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 5), Arbitraries.of(true, false),
                        raw, Arbitraries.integers().between(0, 15), Arbitraries.of(true, false), Arbitraries.of(true, false), reductions())
                .as((n, c, ub, r, mask, ivc, w, red) -> new CeSpec(n, c, ub, r, mask, ivc, w, red, 0, false))
                .flatMap(s -> Combinators.combine(smoothing, Arbitraries.of(true, false)).as((e, probs) ->
                        new CeSpec(s.n(), s.c(), s.unbatched(), s.raw(), s.ignoreMask(), s.ignoreValidClass(), s.weighted(), s.reduction(), e[0], probs)));
    }

    /** A cross-entropy problem: logits, targets and options as tensors of one dtype. */
    static final class Ce {
        final CeSpec spec;
        final DType dt;
        final int n, c, ignoreIndex;
        final int[] t;                // index targets (ignored entries = ignoreIndex), or null for probability targets
        final double[] logits, probs; // row-major [n, c]; probs null for index targets
        final double[] weight;        // [c] or null

        Ce(CeSpec s, DType dt, double scale, double[] pool) {
            this.spec = s;
            this.dt = dt;
            this.n = s.unbatched() ? 1 : s.n();
            this.c = s.c();
            this.logits = new double[n * c];
            for (int i = 0; i < logits.length; i++) logits[i] = dt.round(pool[i % pool.length] * scale);
            this.weight = s.weighted() ? new double[c] : null;
            if (weight != null) for (int k = 0; k < c; k++) weight[k] = dt.round(0.1 + 1.9 * Math.abs(pool[(40 + k) % pool.length]));
            if (s.probTargets()) {
                this.ignoreIndex = -100;
                this.t = null;
                this.probs = new double[n * c];
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int k = 0; k < c; k++) sum += Math.abs(pool[(20 + i * c + k) % pool.length]) + 0.05;
                    for (int k = 0; k < c; k++) probs[i * c + k] = dt.round((Math.abs(pool[(20 + i * c + k) % pool.length]) + 0.05) / sum);
                }
            } else {
                this.probs = null;
                this.ignoreIndex = s.ignoreValidClass() && c > 1 ? s.raw()[3] % c : -100;
                this.t = new int[n];
                boolean counted = false;
                for (int i = 0; i < n; i++) {
                    t[i] = ((s.ignoreMask() >> i) & 1) == 1 ? ignoreIndex : s.raw()[i] % c;
                    counted |= t[i] != ignoreIndex;
                }
                if (!counted) t[0] = ignoreIndex == -100 ? s.raw()[0] % c : (ignoreIndex + 1) % c; // keep MEAN's divisor > 0
            }
        }

        int[] shape() {
            return spec.unbatched() ? new int[] {c} : new int[] {n, c};
        }

        Tensor logits() {
            return Tensor.of(dt, logits, shape());
        }

        Tensor probs() {
            return probs == null ? null : Tensor.of(dt, probs, shape());
        }

        IntTensor target() {
            return spec.unbatched() ? IntTensor.scalar(t[0]) : IntTensor.of(t);
        }

        CrossEntropyLoss module(SoftmaxCrossEntropy strategy) {
            return CrossEntropyLoss.builder().weight(weight == null ? null : Tensor.of(dt, weight)).ignoreIndex(ignoreIndex)
                    .reduction(spec.reduction()).labelSmoothing(spec.smoothing()).strategy(strategy).build();
        }

        Tensor loss(SoftmaxCrossEntropy strategy, Tensor x, Tensor p) {
            return p == null ? module(strategy).apply(x, target()) : module(strategy).apply(x, p);
        }

        double w(int k) {
            return weight == null ? 1 : weight[k];
        }

        boolean ignored(int i) {
            return t != null && t[i] == ignoreIndex;
        }

        /** The coefficient a_ik of log-probability (i, k) in the loss of row i. */
        double a(int i, int k) {
            double e = spec.smoothing();
            if (t == null) return w(k) * ((1 - e) * probs[i * c + k] + e / c);
            if (ignored(i)) return 0;
            return (k == t[i] ? (1 - e) * w(k) : 0) + e / c * w(k);
        }

        double rowMass(int i) {
            double m = 0;
            for (int k = 0; k < c; k++) m += a(i, k);
            return m;
        }

        /** MEAN's divisor (1 for the other reductions). */
        double divisor() {
            if (spec.reduction() != Reduction.MEAN) return 1;
            if (t == null) return n;
            double d = 0;
            for (int i = 0; i < n; i++) if (!ignored(i)) d += w(t[i]);
            return d;
        }

        String describe() {
            return spec + " dtype " + dt + " ignoreIndex " + ignoreIndex + " targets " + Arrays.toString(t) + " logits " + Arrays.toString(logits);
        }
    }

    // ================================================================== gradcheck of every loss

    @Property(tries = 300)
    void crossEntropyPassesGradcheck(@ForAll("ce") CeSpec spec, @ForAll("strategies") SoftmaxCrossEntropy strategy,
                                     @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        // the composites overflow or lose the target's probability at large logits; that is what the fused node is for
        double s = strategy == SoftmaxCrossEntropy.FUSED ? scale : Math.min(scale, 10);
        Ce ce = new Ce(spec, FLOAT64, s, pool);
        Tensor x = ce.logits().requiresGrad(true);
        Tensor p = ce.probs();
        if (p == null) {
            gradcheck("cross_entropy[" + strategy + "] " + ce.describe(), in -> ce.loss(strategy, in[0], null), x);
        } else {
            p.requiresGrad(true); // the probability target's gradient too
            gradcheck("cross_entropy[" + strategy + "] " + ce.describe(), in -> ce.loss(strategy, in[0], in[1]), x, p);
        }
    }

    @Property(tries = 200)
    void nllLossPassesGradcheck(@ForAll("ce") CeSpec spec, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        CeSpec indices = new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                spec.reduction(), 0, false);
        Ce ce = new Ce(indices, FLOAT64, 3, pool);
        Tensor lp = ce.logits().requiresGrad(true); // nll_loss accepts any values
        Tensor w = ce.weight == null ? null : Tensor.of(FLOAT64, ce.weight);
        gradcheck("nll_loss " + ce.describe(), in -> Losses.nllLoss(in[0], ce.target(), w, ce.ignoreIndex, spec.reduction()), lp);
    }

    @Property(tries = 200)
    void multiPositiveCrossEntropyPassesGradcheck(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                                  @ForAll("reductions") Reduction reduction, @ForAll("gradScale") double scale,
                                                  @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor x = tensor(FLOAT64, pool, 0, new int[] {n, c}, u -> u * scale).requiresGrad(true);
        Tensor positives = tensor(FLOAT64, pool, 31, new int[] {n, c}, u -> u > 0 ? 1 : 0);
        gradcheck("multi_positive_cross_entropy", in -> Losses.multiPositiveCrossEntropy(in[0], positives, reduction), x);
    }

    /** A per-element weight: none, a single value, one per class (the last dimension), or the full shape. */
    private static Tensor elementWeight(int kind, DType dt, int[] shape, double[] pool, int offset) {
        switch (kind % 4) {
            case 1: return tensor(dt, pool, offset, new int[] {1}, u -> 0.1 + 1.9 * Math.abs(u));
            case 2: return tensor(dt, pool, offset, new int[] {shape[shape.length - 1]}, u -> 0.1 + 1.9 * Math.abs(u));
            case 3: return tensor(dt, pool, offset, shape, u -> 0.1 + 1.9 * Math.abs(u));
            default: return null;
        }
    }

    @Provide
    Arbitrary<int[]> shape() {
        return PropertySupport.shapes();
    }

    @Property(tries = 250)
    void binaryCrossEntropyPassesGradcheck(@ForAll("shape") int[] shape, @ForAll @IntRange(min = 0, max = 3) int weightKind,
                                           @ForAll("reductions") Reduction reduction, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor p = tensor(FLOAT64, pool, 0, shape, u -> 0.5 + 0.47 * u).requiresGrad(true);   // in [0.03, 0.97]
        Tensor t = tensor(FLOAT64, pool, 13, shape, u -> 0.5 + 0.5 * u).requiresGrad(true);   // in [0, 1]
        Tensor w = elementWeight(weightKind, FLOAT64, shape, pool, 29);
        gradcheck("binary_cross_entropy " + Arrays.toString(shape) + " weight " + weightKind,
                in -> Losses.binaryCrossEntropy(in[0], in[1], w, reduction), p, t);
    }

    @Property(tries = 250)
    void binaryCrossEntropyWithLogitsPassesGradcheck(@ForAll("shape") int[] shape, @ForAll @IntRange(min = 0, max = 3) int weightKind,
                                                     @ForAll boolean posWeighted, @ForAll("reductions") Reduction reduction,
                                                     @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor x = tensor(FLOAT64, pool, 0, shape, u -> u * scale).requiresGrad(true);
        Tensor t = tensor(FLOAT64, pool, 13, shape, u -> 0.5 + 0.5 * u).requiresGrad(true);
        Tensor w = elementWeight(weightKind, FLOAT64, shape, pool, 29);
        Tensor pw = posWeighted ? tensor(FLOAT64, pool, 37, new int[] {shape[shape.length - 1]}, u -> 3 * Math.abs(u)) : null;
        gradcheck("binary_cross_entropy_with_logits " + Arrays.toString(shape),
                in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], w, pw, reduction), x, t);
    }

    enum Regression {
        MSE, HALF_SUM_SQUARED_ERROR, SOFT_MARGIN
    }

    @Property(tries = 250)
    void regressionAndMarginLossesPassGradcheck(@ForAll Regression kind, @ForAll("shape") int[] shape, @ForAll("reductions") Reduction reduction,
                                                @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor x = tensor(FLOAT64, pool, 0, shape, u -> u * scale).requiresGrad(true);
        switch (kind) {
            case MSE: {
                Tensor t = tensor(FLOAT64, pool, 13, shape, u -> u * scale).requiresGrad(true);
                gradcheck("mse_loss", in -> Losses.mseLoss(in[0], in[1], reduction), x, t);
                break;
            }
            case HALF_SUM_SQUARED_ERROR: {
                Tensor t = tensor(FLOAT64, pool, 13, shape, u -> u * scale).requiresGrad(true);
                gradcheck("half_sum_squared_error", in -> Losses.halfSumSquaredError(in[0], in[1]), x, t);
                break;
            }
            default: {
                Tensor y = tensor(FLOAT64, pool, 13, shape, u -> u >= 0 ? 1 : -1);
                gradcheck("soft_margin_loss", in -> Losses.softMarginLoss(in[0], y, reduction), x);
            }
        }
    }

    @Property(tries = 250)
    void klDivPassesGradcheck(@ForAll("shape") int[] shape, @ForAll boolean logTarget, @ForAll @IntRange(min = 0, max = 3) int reductionIndex,
                              @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Reduction reduction = Reduction.values()[reductionIndex]; // including batchmean
        Tensor input = tensor(FLOAT64, pool, 0, shape, u -> 3 * u - 1).requiresGrad(true); // log q
        Tensor target = logTarget ? tensor(FLOAT64, pool, 13, shape, u -> 2 * u - 1.5)  // log p
                : tensor(FLOAT64, pool, 13, shape, u -> 0.525 + 0.475 * u);              // p in [0.05, 1]
        target.requiresGrad(true);
        gradcheck("kl_div " + reduction + " logTarget " + logTarget, in -> Losses.klDiv(in[0], in[1], reduction, logTarget), input, target);
    }

    @Property(tries = 200)
    void entropyAndCrossEntropyBetweenDistributionsPassGradcheck(@ForAll("shape") int[] shape, @ForAll boolean bits,
                                                                  @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor p = tensor(FLOAT64, pool, 0, shape, u -> 0.525 + 0.475 * u).requiresGrad(true);
        Tensor q = tensor(FLOAT64, pool, 13, shape, u -> 0.525 + 0.475 * u).requiresGrad(true);
        gradcheck("entropy", in -> Losses.entropy(in[0], bits ? 2 : Math.E), p);
        gradcheck("cross_entropy(p, q)", in -> Losses.crossEntropyBetween(in[0], in[1]), p, q);
    }

    // ================================================================== fused == composite

    @Property(tries = 500)
    void fusedCrossEntropyEqualsEveryCompositeWhereTheCompositeIsFinite(@ForAll("ce") CeSpec spec, @ForAll DType dtype,
                                                                         @ForAll("composites") SoftmaxCrossEntropy composite,
                                                                         @ForAll("extremeScale") double scale, @ForAll boolean huge,
                                                                         @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        double s = huge && dtype == FLOAT64 ? 1e300 : scale;
        Ce ce = new Ce(spec, dtype, s, pool);
        Tensor xf = ce.logits().requiresGrad(true), xc = ce.logits().requiresGrad(true);
        Tensor pf = ce.probs(), pc = ce.probs();
        Tensor fused = ce.loss(SoftmaxCrossEntropy.FUSED, xf, pf);
        assertTrue(allFinite(fused), "fused cross-entropy is not finite: " + fused + " for " + ce.describe());
        Tensor comp;
        try {
            comp = ce.loss(composite, xc, pc);
        } catch (RuntimeException e) {
            throw new AssertionError("composite " + composite + " threw for " + ce.describe(), e);
        }
        fused.backward(Tensor.ones(dtype, fused.shape()));
        assertTrue(allFinite(xf.grad()), "fused gradient is not finite: " + xf.grad() + " for " + ce.describe());
        // outside the normal range the composite may be inf/NaN (overflow, log of an underflowed probability) or finite
        // but inaccurate (subnormal probabilities): only the fused loss is required to be finite there
        if (!compositeInNormalRange(ce, composite)) {
            COMPOSITE_OUT_OF_RANGE.incrementAndGet();
            return;
        }
        assertTrue(allFinite(comp), composite + " is not finite although its probabilities are normal: " + comp + " for " + ce.describe());
        comp.backward(Tensor.ones(dtype, comp.shape()));

        // values: per row, rounding of each log-probability (absolute ~eps, relative ~eps) weighted by the coefficients,
        // plus EPS_CLAMP's bias Σ a·log(1 + eps/p)
        double eps = dtype.eps(), clampEps = composite.name().startsWith("EPS_CLAMP") ? 1e-12 : 0;
        double[] lp = referenceLogProbs(ce);
        double d = ce.divisor(), slack = (ce.c + 16) * eps;
        boolean none = spec.reduction() == Reduction.NONE;
        double total = 0, totalMass = 0, totalBias = 0;
        for (int i = 0; i < ce.n; i++) {
            double mass = ce.rowMass(i), loss = 0, bias = 0;
            for (int k = 0; k < ce.c; k++) {
                loss -= ce.a(i, k) * lp[i * ce.c + k];
                bias += ce.a(i, k) * Math.log1p(clampEps / Math.exp(lp[i * ce.c + k]));
            }
            if (none) check(ce, composite, "row " + i, fused.get(i), comp.get(i), slack * (mass + Math.abs(loss)) + bias);
            total += loss;
            totalMass += mass;
            totalBias += bias;
        }
        if (!none) check(ce, composite, "reduced", fused.item(), comp.item(), (slack * (totalMass + Math.abs(total)) + totalBias) / d);
        COMPOSITE_VALUES.incrementAndGet();

        // gradients g_i·(A_i·softmax − a_i): a few roundings of terms of size g_i·A_i, plus EPS_CLAMP's bias 2·g·A·eps/p
        if (composite == SoftmaxCrossEntropy.NAIVE && dtype == FLOAT64 && !squaredSumsNormal(ce)) return;
        double g = spec.reduction() == Reduction.MEAN ? 1 / d : 1, a = maxMass(ce), pmin = Math.exp(minLp(lp));
        double gtol = 4 * slack * g * a + 2 * g * a * clampEps / pmin;
        assertClose("gradient fused vs " + composite + " for " + ce.describe(), xf.grad(), xc.grad(), 0, gtol);
        COMPOSITE_GRADIENTS.incrementAndGet();
    }

    /** NAIVE's division backward forms Σ² in float64: compare its gradient only where Σ² is a normal number. */
    private static boolean squaredSumsNormal(Ce ce) {
        for (int i = 0; i < ce.n; i++) {
            double sum = 0;
            for (int k = 0; k < ce.c; k++) sum += Math.exp(ce.logits[i * ce.c + k]);
            double sq = sum * sum;
            if (!(sq >= 2 * Double.MIN_NORMAL && sq <= Double.MAX_VALUE / 2)) return false;
        }
        return true;
    }

    private static void check(Ce ce, SoftmaxCrossEntropy composite, String what, double fused, double comp, double tol) {
        if (!(Math.abs(fused - comp) <= tol)) {
            throw new AssertionError(String.format("fused %.17g vs %s %.17g (%s): |diff| %.3g > %.3g for %s", fused, composite, comp, what,
                    Math.abs(fused - comp), tol, ce.describe()));
        }
    }

    private static double maxMass(Ce ce) {
        double m = 0;
        for (int i = 0; i < ce.n; i++) m = Math.max(m, ce.rowMass(i));
        return m;
    }

    private static double minLp(double[] lp) {
        double m = 0;
        for (double v : lp) m = Math.min(m, v);
        return m;
    }

    /** Exact-enough log-probabilities (float64 max-shifted log-sum-exp of the dtype-rounded logits). */
    private static double[] referenceLogProbs(Ce ce) {
        double[] lp = new double[ce.n * ce.c];
        for (int i = 0; i < ce.n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < ce.c; k++) m = Math.max(m, ce.logits[i * ce.c + k]);
            double s = 0;
            for (int k = 0; k < ce.c; k++) s += Math.exp(ce.logits[i * ce.c + k] - m);
            double ls = Math.log(s);
            for (int k = 0; k < ce.c; k++) lp[i * ce.c + k] = (ce.logits[i * ce.c + k] - m) - ls;
        }
        return lp;
    }

    /**
     * Whether the composite's intermediates stay normal numbers (so the composite is accurate, not merely finite):
     * every probability, and for NAIVE every {@code exp(x)} and their sum, within the dtype's normal range.
     */
    private static boolean compositeInNormalRange(Ce ce, SoftmaxCrossEntropy composite) {
        double logMinNormal = Math.log(ce.dt == FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL) + 1;
        double logMax = Math.log(ce.dt == FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE) - 1;
        for (double v : referenceLogProbs(ce)) if (v < logMinNormal) return false;
        if (composite == SoftmaxCrossEntropy.NAIVE) {
            for (double x : ce.logits) if (x < logMinNormal || x > logMax - Math.log(ce.c)) return false;
        }
        return true;
    }

    // ================================================================== float32 agrees with float64

    enum Kind {
        CE_INDEX, CE_PROBS, NLL, MULTI_POSITIVE, BCE, BCE_WITH_LOGITS, SOFT_MARGIN, MSE, HALF_SUM_SQUARED_ERROR, KL_DIV, KL_DIV_LOG_TARGET,
        ENTROPY, CROSS_ENTROPY_BETWEEN
    }

    @Property(tries = 500)
    void float32AgreesWithFloat64(@ForAll Kind kind, @ForAll("ce") CeSpec spec, @ForAll("shape") int[] shape, @ForAll @IntRange(min = 0, max = 3) int option,
                                  @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        Tensor[] in32 = inputs(kind, spec, FLOAT32, shape, option, pool);
        Tensor[] in64 = new Tensor[in32.length];
        for (int i = 0; i < in32.length; i++) in64[i] = in32[i].to(FLOAT64).requiresGrad(true); // the same values, exactly
        for (Tensor t : in32) t.requiresGrad(true);
        Tensor l32 = loss(kind, spec, option, in32, pool), l64 = loss(kind, spec, option, in64, pool);
        String what = kind + " " + spec + " shape " + Arrays.toString(shape) + " option " + option;
        assertClose("float32 vs float64 loss, " + what, l64, l32, 1e-4, 1e-6);
        l32.backward(Tensor.ones(FLOAT32, l32.shape()));
        l64.backward(Tensor.ones(FLOAT64, l64.shape()));
        for (int i = 0; i < in32.length; i++) {
            if (in64[i].grad() == null) continue;
            assertClose("float32 vs float64 gradient of input " + i + ", " + what, in64[i].grad(), in32[i].grad(), 1e-4, 1e-4 * maxAbs(in64[i].grad()) + 1e-6);
        }
    }

    /** The inputs of one loss at moderate scale, in {@code dt}, leaves without grad. */
    private static Tensor[] inputs(Kind kind, CeSpec spec, DType dt, int[] shape, int option, double[] pool) {
        switch (kind) {
            case CE_INDEX:
            case NLL: {
                Ce ce = new Ce(new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                        spec.reduction(), kind == Kind.NLL ? 0 : spec.smoothing(), false), dt, 8, pool);
                return new Tensor[] {ce.logits()};
            }
            case CE_PROBS: {
                Ce ce = new Ce(new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                        spec.reduction(), spec.smoothing(), true), dt, 8, pool);
                return new Tensor[] {ce.logits(), ce.probs()};
            }
            case MULTI_POSITIVE: return new Tensor[] {tensor(dt, pool, 0, new int[] {spec.n(), spec.c()}, u -> 8 * u)};
            case BCE: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 0.5 + 0.49 * u), tensor(dt, pool, 13, shape, u -> 0.5 + 0.5 * u)};
            case BCE_WITH_LOGITS: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 8 * u), tensor(dt, pool, 13, shape, u -> 0.5 + 0.5 * u)};
            case SOFT_MARGIN: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 8 * u)};
            case MSE:
            case HALF_SUM_SQUARED_ERROR: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 8 * u), tensor(dt, pool, 13, shape, u -> 8 * u)};
            case KL_DIV: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 3 * u - 1), tensor(dt, pool, 13, shape, u -> 0.5 + 0.5 * u)};
            case KL_DIV_LOG_TARGET: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 3 * u - 1), tensor(dt, pool, 13, shape, u -> 2 * u - 1)};
            case ENTROPY: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 0.5 + 0.5 * u)};
            default: return new Tensor[] {tensor(dt, pool, 0, shape, u -> 0.5 + 0.5 * u), tensor(dt, pool, 13, shape, u -> 0.505 + 0.495 * u)};
        }
    }

    private static Tensor loss(Kind kind, CeSpec spec, int option, Tensor[] in, double[] pool) {
        DType dt = in[0].dtype();
        Reduction r = spec.reduction();
        switch (kind) {
            case CE_INDEX:
            case NLL: {
                Ce ce = new Ce(new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                        r, kind == Kind.NLL ? 0 : spec.smoothing(), false), dt, 8, pool);
                if (kind == Kind.NLL) return Losses.nllLoss(in[0], ce.target(), ce.weight == null ? null : Tensor.of(dt, ce.weight), ce.ignoreIndex, r);
                return ce.loss(SoftmaxCrossEntropy.FUSED, in[0], null);
            }
            case CE_PROBS: {
                Ce ce = new Ce(new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                        r, spec.smoothing(), true), dt, 8, pool);
                return ce.loss(SoftmaxCrossEntropy.FUSED, in[0], in[1]);
            }
            case MULTI_POSITIVE:
                return Losses.multiPositiveCrossEntropy(in[0], tensor(dt, pool, 31, in[0].shape(), u -> u > 0 ? 1 : 0), r);
            case BCE: return Losses.binaryCrossEntropy(in[0], in[1], elementWeight(option, dt, in[0].shape(), pool, 29), r);
            case BCE_WITH_LOGITS:
                return Losses.binaryCrossEntropyWithLogits(in[0], in[1], elementWeight(option, dt, in[0].shape(), pool, 29),
                        option >= 2 ? tensor(dt, pool, 37, new int[] {in[0].size(-1)}, u -> 3 * Math.abs(u)) : null, r);
            case SOFT_MARGIN: return Losses.softMarginLoss(in[0], tensor(dt, pool, 13, in[0].shape(), u -> u >= 0 ? 1 : -1), r);
            case MSE: return Losses.mseLoss(in[0], in[1], r);
            case HALF_SUM_SQUARED_ERROR: return Losses.halfSumSquaredError(in[0], in[1]);
            case KL_DIV: return Losses.klDiv(in[0], in[1], Reduction.values()[option], false);
            case KL_DIV_LOG_TARGET: return Losses.klDiv(in[0], in[1], Reduction.values()[option], true);
            case ENTROPY: return Losses.entropy(in[0], option % 2 == 0 ? Math.E : 2);
            default: return Losses.crossEntropyBetween(in[0], in[1]);
        }
    }

    // ================================================================== non-negativity

    enum NonNegative {
        CE_INDEX, CE_PROBS, BCE, BCE_WITH_LOGITS, SOFT_MARGIN, MSE, KL_NORMALISED, ENTROPY, GIBBS
    }

    @Property(tries = 500)
    void lossesAreNonNegativeWhereTheMathsSaysSo(@ForAll NonNegative kind, @ForAll("ce") CeSpec spec, @ForAll DType dtype, @ForAll("shape") int[] shape,
                                                 @ForAll("extremeScale") double scale, @ForAll boolean huge, @ForAll("pool") double[] pool,
                                                 @ForAll("pool2") double[] pool2) {
        TRIES.incrementAndGet();
        double s = huge && dtype == FLOAT64 ? 1e300 : scale;
        Reduction r = spec.reduction();
        int[] rows = new int[] {spec.n(), spec.c()};
        Tensor l;
        double tol = 0;
        switch (kind) {
            case CE_INDEX:
            case CE_PROBS: {
                CeSpec cs = new CeSpec(spec.n(), spec.c(), spec.unbatched(), spec.raw(), spec.ignoreMask(), spec.ignoreValidClass(), spec.weighted(),
                        r, spec.smoothing(), kind == NonNegative.CE_PROBS);
                Ce ce = new Ce(cs, dtype, s, pool);
                l = ce.loss(SoftmaxCrossEntropy.FUSED, ce.logits(), ce.probs());
                break;
            }
            case BCE:
                l = Losses.binaryCrossEntropy(tensor(dtype, pool, 0, shape, u -> 0.5 + 0.5 * u), tensor(dtype, pool2, 0, shape, u -> 0.5 + 0.5 * u),
                        elementWeight(spec.raw()[0], dtype, shape, pool, 29), r);
                break;
            case BCE_WITH_LOGITS: {
                Tensor x = tensor(dtype, pool, 0, shape, u -> u * Math.min(s, 1e4));
                l = Losses.binaryCrossEntropyWithLogits(x, tensor(dtype, pool2, 0, shape, u -> 0.5 + 0.5 * u),
                        elementWeight(spec.raw()[0], dtype, shape, pool, 29), spec.weighted() ? tensor(dtype, pool2, 7, new int[] {shape[shape.length - 1]}, u -> 3 * Math.abs(u)) : null, r);
                // (1-t)·x + (1+(pw-1)t)·softplus(-x) = (1-t)·softplus(x) + pw·t·softplus(-x) >= 0, up to the rounding of the first form
                tol = 128 * dtype.eps() * (maxAbs(x) + 1) * x.numel();
                break;
            }
            case SOFT_MARGIN:
                l = Losses.softMarginLoss(tensor(dtype, pool, 0, shape, u -> u * Math.min(s, 1e4)), tensor(dtype, pool2, 0, shape, u -> u >= 0 ? 1 : -1), r);
                break;
            case MSE:
                l = Losses.mseLoss(tensor(dtype, pool, 0, shape, u -> u * Math.min(s, 1e4)), tensor(dtype, pool2, 0, shape, u -> u * Math.min(s, 1e4)), r);
                break;
            case KL_NORMALISED: {
                // KL(p || q) with q = softmax(x) given as log_softmax, p a normalised distribution: >= 0 (Gibbs)
                Tensor lq = Ops.logSoftmax(tensor(dtype, pool, 0, rows, u -> u * Math.min(s, 30)), -1);
                Tensor p = normalisedRows(dtype, pool2, rows);
                // reduction NONE returns the element-wise terms p·(log p − log q), which may be negative: only sums are >= 0
                l = Losses.klDiv(lq, p, r == Reduction.NONE ? Reduction.SUM : r == Reduction.MEAN ? Reduction.BATCHMEAN : r, false);
                tol = (spec.c() + 8) * dtype.eps() * (1 + maxAbs(lq)) * spec.n() * 4;
                break;
            }
            case ENTROPY:
                l = Losses.entropy(tensor(dtype, pool, 0, shape, u -> 0.5 + 0.5 * u), spec.weighted() ? 2 : Math.E);
                break;
            default: {
                // H(p, q) >= H(p) for normalised p and q
                Tensor p = normalisedRows(dtype, pool, rows), q = normalisedRows(dtype, pool2, rows);
                Tensor gap = Ops.sub(Losses.crossEntropyBetween(p, q), Losses.entropy(p));
                l = gap;
                tol = (spec.c() + 8) * dtype.eps() * 64;
            }
        }
        for (int i = 0; i < l.numel(); i++) {
            double v = l.get(i);
            assertTrue(v >= -tol, kind + " is " + v + " < 0 (tolerance " + tol + ") at element " + i + " for " + spec + " " + dtype
                    + " shape " + Arrays.toString(shape) + " scale " + s);
            if (tol == 0) assertTrue(!Double.isNaN(v), kind + " is NaN");
        }
    }

    /** Rows of positive values divided by their sum (in float64, then rounded to the dtype). */
    private static Tensor normalisedRows(DType dt, double[] pool, int[] shape) {
        int n = shape[0], c = shape[1];
        double[] v = new double[n * c];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.abs(pool[(i * c + k) % pool.length]) + 1e-3;
            for (int k = 0; k < c; k++) v[i * c + k] = (Math.abs(pool[(i * c + k) % pool.length]) + 1e-3) / sum;
        }
        return Tensor.of(dt, v, shape);
    }
}
