package dev.jgrad.losses;

import dev.jgrad.core.Tensor;
import dev.jgrad.losses.LossTestSupport.IndexCase;
import dev.jgrad.losses.LossTestSupport.ProbCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.CLASS_WEIGHT;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.probabilityRows;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Losses#crossEntropy} with class-index and probability targets, every option combination. */
class CrossEntropyTest {

    // ------------------------------------------------------------------ plain-Java reference (FORMAT.md semantics)

    private static double[][] rows(Tensor x) {
        double[][] r = new double[x.size(0)][x.size(1)];
        for (int i = 0; i < r.length; i++) for (int k = 0; k < r[i].length; k++) r[i][k] = x.at(i, k);
        return r;
    }

    private static double[] logSoftmaxRow(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) m = Math.max(m, v);
        double s = 0;
        for (double v : x) s += Math.exp(v - m);
        double lse = m + Math.log(s);
        double[] lp = new double[x.length];
        for (int k = 0; k < x.length; k++) lp[k] = x[k] - lse;
        return lp;
    }

    private static double[] reduce(double[] per, double meanDivisor, Reduction r) {
        double s = 0;
        for (double v : per) s += v;
        switch (r) {
            case NONE: return per;
            case SUM: return new double[]{s};
            default: return new double[]{s / meanDivisor};
        }
    }

    static double[] referenceIndexLoss(Tensor logits, IndexCase k) {
        double[][] x = rows(logits);
        double[] per = new double[x.length];
        double divisor = 0;
        for (int i = 0; i < x.length; i++) {
            if (k.ignore().isIgnored(i)) continue;
            double[] lp = logSoftmaxRow(x[i]);
            int t = k.ignore().targets[i];
            double w = k.weighted() ? CLASS_WEIGHT[t] : 1;
            double smooth = 0;
            for (int c = 0; c < C; c++) smooth -= (k.weighted() ? CLASS_WEIGHT[c] : 1) * lp[c];
            per[i] = (1 - k.eps()) * (-w * lp[t]) + (k.eps() / C) * smooth;
            divisor += w;
        }
        return reduce(per, divisor, k.reduction());
    }

    static double[] referenceProbLoss(Tensor logits, Tensor target, ProbCase k) {
        double[][] x = rows(logits), t = rows(target);
        double[] per = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] lp = logSoftmaxRow(x[i]);
            for (int c = 0; c < C; c++) {
                double w = k.weighted() ? CLASS_WEIGHT[c] : 1;
                per[i] -= w * ((1 - k.eps()) * t[i][c] + k.eps() / C) * lp[c];
            }
        }
        return reduce(per, x.length, k.reduction());
    }

    // ------------------------------------------------------------------ class-index targets

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgrad.losses.LossTestSupport#indexCases")
    void indexTargetsMatchTheReferenceFormula(IndexCase k) {
        Tensor x = randn(11, F64, N, C);
        Tensor out = Losses.crossEntropy(x, k.target(), k.weight(F64), k.ignore().index, k.reduction(), k.eps());
        assertArrayEquals(k.reduction() == Reduction.NONE ? new int[]{N} : new int[0], out.shape(), "output shape");
        assertClose(k.toString(), referenceIndexLoss(x, k), out.toDoubleArray(), 1e-12, 1e-14);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgrad.losses.LossTestSupport#indexCases")
    void indexTargetsGradcheck(IndexCase k) {
        Tensor x = randn(12, F64, N, C).requiresGrad(true);
        Tensor w = k.weight(F64);
        gradcheck(k.toString(), in -> Losses.crossEntropy(in[0], k.target(), w, k.ignore().index, k.reduction(), k.eps()), x);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgrad.losses.LossTestSupport#indexCases")
    void ignoredSamplesGetExactlyZeroGradientAndLoss(IndexCase k) {
        Tensor x = randn(13, F64, N, C).requiresGrad(true);
        LossTestSupport.Run r = run(in -> k.module(SoftmaxCrossEntropy.FUSED, F64).apply(in[0], k.target()), x);
        for (int i = 0; i < N; i++) {
            boolean ignored = k.ignore().isIgnored(i);
            double rowAbs = 0;
            for (int c = 0; c < C; c++) rowAbs += Math.abs(r.grad(0).at(i, c));
            if (ignored) {
                assertEquals(0.0, rowAbs, k + ": ignored row " + i + " has gradient");
                if (k.reduction() == Reduction.NONE) assertEquals(0.0, r.out().get(i), k + ": ignored row " + i + " has loss");
            } else {
                assertTrue(rowAbs > 0, k + ": row " + i + " has no gradient");
            }
        }
    }

    @Test
    void defaultsAreMeanNoWeightIgnoreMinus100NoSmoothing() {
        Tensor x = randn(14, F64, N, C);
        IndexCase k = new IndexCase(false, LossTestSupport.Ignore.MINUS_100_PRESENT, 0.0, Reduction.MEAN);
        assertClose("defaults", referenceIndexLoss(x, k), Losses.crossEntropy(x, k.target()).toDoubleArray(), 1e-12, 0);
    }

    @Test
    void builderModuleIsReusableAndEqualsTheFacade() {
        CrossEntropyLoss ce = CrossEntropyLoss.builder().weight(Tensor.of(F64, CLASS_WEIGHT)).labelSmoothing(0.1)
                .reduction(Reduction.SUM).build();
        assertEquals(SoftmaxCrossEntropy.FUSED, ce.strategy());
        for (long seed = 0; seed < 3; seed++) {
            Tensor x = randn(100 + seed, F64, N, C);
            Tensor a = ce.apply(x, LossTestSupport.Ignore.NONE.target());
            Tensor b = Losses.crossEntropy(x, LossTestSupport.Ignore.NONE.target(), Tensor.of(F64, CLASS_WEIGHT), -100, Reduction.SUM, 0.1);
            assertEquals(b.item(), a.item(), 0.0, "seed " + seed);
        }
    }

    @Test
    void labelSmoothingChangesTheLossAndOneMeansUniformTarget() {
        Tensor x = randn(15, F64, N, C);
        var t = LossTestSupport.Ignore.NONE.target();
        double plain = Losses.crossEntropy(x, t, null, -100, Reduction.MEAN, 0.0).item();
        double smooth = Losses.crossEntropy(x, t, null, -100, Reduction.MEAN, 0.1).item();
        assertNotEquals(plain, smooth);
        // ε = 1: the target is uniform, so the loss is the mean over rows of -(1/C) Σ_c lp_c, independent of the labels
        double uniform = Losses.crossEntropy(x, t, null, -100, Reduction.MEAN, 1.0).item();
        double other = Losses.crossEntropy(x, LossTestSupport.Ignore.VALID_CLASS.target(), null, -100, Reduction.MEAN, 1.0).item();
        assertEquals(uniform, other, 1e-12);
        double ref = 0;
        for (double[] row : rows(x)) {
            double[] lp = logSoftmaxRow(row);
            for (double v : lp) ref -= v / C;
        }
        assertEquals(ref / N, uniform, 1e-12);
    }

    // ------------------------------------------------------------------ probability targets

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgrad.losses.LossTestSupport#probCases")
    void probabilityTargetsMatchTheReferenceFormula(ProbCase k) {
        Tensor x = randn(21, F64, N, C);
        Tensor t = probabilityRows(22, F64, N, C);
        Tensor out = Losses.crossEntropy(x, t, k.weight(F64), k.reduction(), k.eps());
        assertClose(k.toString(), referenceProbLoss(x, t, k), out.toDoubleArray(), 1e-12, 1e-14);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jgrad.losses.LossTestSupport#probCases")
    void probabilityTargetsGradcheckLogitsAndTarget(ProbCase k) {
        Tensor x = randn(23, F64, N, C).requiresGrad(true);
        // rows that do not sum to 1 are allowed and make the logit gradient depend on the row mass
        Tensor t = uniform(24, 0.05, 1.0, F64, N, C).requiresGrad(true);
        Tensor w = k.weight(F64);
        gradcheck(k.toString(), in -> Losses.crossEntropy(in[0], in[1], w, k.reduction(), k.eps()), x, t);
    }

    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "MEAN", "SUM"})
    void multiPositiveCrossEntropyIsMinusSumOfPositiveLogSoftmax(Reduction r) {
        Tensor x = randn(25, F64, 3, 6);
        double[][] pos = {{1, 1, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 1}, {0, 1, 0, 1, 0, 1}};
        Tensor p = Tensor.of(F64, pos);
        double[] per = new double[3];
        double[][] xr = rows(x);
        for (int i = 0; i < 3; i++) {
            double[] lp = logSoftmaxRow(xr[i]);
            for (int c = 0; c < 6; c++) if (pos[i][c] == 1) per[i] -= lp[c];
        }
        assertClose("multi-positive " + r, reduce(per, 3, r), Losses.multiPositiveCrossEntropy(x, p, r).toDoubleArray(), 1e-12, 0);
        Tensor xg = x.copy().requiresGrad(true);
        gradcheck("multi-positive " + r, in -> Losses.multiPositiveCrossEntropy(in[0], p, r), xg);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.multiPositiveCrossEntropy(x, Tensor.full(0.5, F64, 3, 6), r));
        assertTrue(e.getMessage().contains("multi_positive_cross_entropy") && e.getMessage().contains("0.5"), e.getMessage());
    }

    @Test
    void probabilityTargetGradientIsMinusWeightedLogSoftmax() {
        // d l_i / d T_ic = -w_c (1-ε) lp_ic · scale; check the closed form (SUM, upstream 1)
        Tensor x = randn(26, F64, N, C);
        Tensor t = probabilityRows(27, F64, N, C).requiresGrad(true);
        Tensor w = Tensor.of(F64, CLASS_WEIGHT);
        Losses.crossEntropy(x, t, w, Reduction.SUM, 0.1).backward();
        double[][] xr = rows(x);
        for (int i = 0; i < N; i++) {
            double[] lp = logSoftmaxRow(xr[i]);
            for (int c = 0; c < C; c++) assertEquals(-CLASS_WEIGHT[c] * 0.9 * lp[c], t.grad().at(i, c), 1e-12, "T[" + i + "," + c + "]");
        }
    }

    @Test
    void float32ClassIndexAndProbabilityTargetsRun() {
        Tensor x = randn(28, F32, N, C);
        Tensor out = Losses.crossEntropy(x, LossTestSupport.Ignore.MINUS_100_PRESENT.target(), Tensor.of(F32, CLASS_WEIGHT), -100, Reduction.MEAN, 0.1);
        assertEquals(F32, out.dtype());
        Tensor out2 = Losses.crossEntropy(x, probabilityRows(29, F32, N, C));
        assertEquals(F32, out2.dtype());
    }
}
