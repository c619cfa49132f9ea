package dev.jgrad.losses;

import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.probabilityRows;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kl_div, entropy and the cross-entropy H(p, q) between distributions. */
class DivergenceTest {

    static Stream<Arguments> klCombos() {
        List<Arguments> out = new ArrayList<>();
        for (boolean logTarget : new boolean[]{false, true}) {
            for (Reduction r : Reduction.values()) out.add(Arguments.of(logTarget, r));
        }
        return out.stream();
    }

    static double klReduce(double[] per, Reduction r, int batch) {
        double s = 0;
        for (double v : per) s += v;
        switch (r) {
            case SUM: return s;
            case MEAN: return s / per.length;
            case BATCHMEAN: return s / batch;
            default: throw new IllegalStateException();
        }
    }

    @ParameterizedTest(name = "logTarget={0} {1}")
    @MethodSource("klCombos")
    void klDivForwardMatchesDefinition(boolean logTarget, Reduction r) {
        Tensor in = Ops.logSoftmax(randn(81, F64, 5, 3), -1);
        Tensor tgt = logTarget ? Ops.logSoftmax(randn(82, F64, 5, 3), -1) : probabilityRows(82, F64, 5, 3);
        double[] per = new double[15];
        for (int e = 0; e < 15; e++) {
            double x = in.get(e), t = tgt.get(e);
            per[e] = logTarget ? Math.exp(t) * (t - x) : t * (Math.log(t) - x);
        }
        Tensor out = Losses.klDiv(in, tgt, r, logTarget);
        if (r == Reduction.NONE) {
            assertArrayEquals(new int[]{5, 3}, out.shape());
            assertClose("kl none", per, out.toDoubleArray(), 1e-13, 1e-15);
        } else {
            assertArrayEquals(new int[0], out.shape());
            assertClose("kl " + r, klReduce(per, r, 5), out.item(), 1e-13, 1e-15);
        }
    }

    @ParameterizedTest(name = "logTarget={0} {1}")
    @MethodSource("klCombos")
    void klDivGradcheckInputAndTarget(boolean logTarget, Reduction r) {
        Tensor in = randn(83, F64, 5, 3).requiresGrad(true);
        // log_target=false: targets strictly positive (d/dp = log p + 1 - input is infinite at 0)
        Tensor tgt = (logTarget ? randn(84, F64, 5, 3) : uniform(84, 0.05, 1.0, F64, 5, 3)).requiresGrad(true);
        gradcheck("kl_div logTarget=" + logTarget + " " + r, x -> Losses.klDiv(x[0], x[1], r, logTarget), in, tgt);
    }

    @Test
    void batchmeanDividesByFirstDimensionAlsoFor3d() {
        Tensor in = randn(85, F64, 2, 3, 4), tgt = uniform(86, 0.1, 1, F64, 2, 3, 4);
        double sum = Losses.klDiv(in, tgt, Reduction.SUM, false).item();
        assertEquals(sum / 2, Losses.klDiv(in, tgt, Reduction.BATCHMEAN, false).item(), 1e-13);
        assertEquals(sum / 24, Losses.klDiv(in, tgt, Reduction.MEAN, false).item(), 1e-13);
    }

    @Test
    void logTargetEqualsPlainTargetOfExp() {
        Tensor in = randn(87, F64, 4, 5), logp = randn(88, F64, 4, 5);
        Tensor p = Ops.exp(logp);
        for (Reduction r : Reduction.values()) {
            assertClose("logTarget vs exp " + r, Losses.klDiv(in, p, r, false), Losses.klDiv(in, logp, r, true), 1e-12, 1e-14);
        }
    }

    @Test
    void klOfADistributionWithItselfIsZeroAndPositiveOtherwise() {
        Tensor p = probabilityRows(89, F64, 4, 6), q = probabilityRows(90, F64, 4, 6);
        assertEquals(0.0, Losses.klDiv(Ops.log(p), p, Reduction.BATCHMEAN, false).item(), 1e-15);
        Tensor perRow = Ops.sum(Losses.klDiv(Ops.log(q), p, Reduction.NONE, false), -1, false);
        for (int i = 0; i < 4; i++) assertTrue(perRow.get(i) > 0, "KL(p||q) row " + i + " = " + perRow.get(i));
    }

    // ------------------------------------------------------------------ entropy

    @ParameterizedTest
    @ValueSource(doubles = {Math.E, 2.0, 10.0})
    void entropyForwardAndGradcheck(double base) {
        Tensor p = uniform(91, 0.05, 1.0, F64, 3, 5).requiresGrad(true); // unnormalised values are used as given
        Tensor h = Losses.entropy(p, base);
        assertArrayEquals(new int[]{3}, h.shape());
        for (int i = 0; i < 3; i++) {
            double s = 0;
            for (int c = 0; c < 5; c++) s -= p.at(i, c) * Math.log(p.at(i, c));
            assertEquals(s / Math.log(base), h.get(i), 1e-13, "row " + i);
        }
        gradcheck("entropy base " + base, x -> Losses.entropy(x[0], base), p);
    }

    @Test
    void entropyDefaultsToNatsAndHandlesZeroAnd1dInput() {
        Tensor p = Tensor.of(new double[]{0.5, 0.5, 0.0});
        Tensor h = Losses.entropy(p);
        assertArrayEquals(new int[0], h.shape());
        assertEquals(Math.log(2), h.item(), 1e-15); // 0·log 0 = 0
        assertEquals(1.0, Losses.entropy(p, 2).item(), 1e-15);
    }

    // ------------------------------------------------------------------ H(p, q)

    @Test
    void crossEntropyBetweenForwardAndGradcheckBothInputs() {
        Tensor p = uniform(92, 0.05, 1.0, F64, 4, 5).requiresGrad(true);
        Tensor q = uniform(93, 0.05, 1.0, F64, 4, 5).requiresGrad(true);
        Tensor h = Losses.crossEntropyBetween(p, q);
        assertArrayEquals(new int[]{4}, h.shape());
        for (int i = 0; i < 4; i++) {
            double s = 0;
            for (int c = 0; c < 5; c++) s -= p.at(i, c) * Math.log(q.at(i, c));
            assertEquals(s, h.get(i), 1e-13);
        }
        gradcheck("H(p,q)", x -> Losses.crossEntropyBetween(x[0], x[1]), p, q);
    }

    @Test
    void crossEntropyBetweenOfPWithItselfIsEntropy() {
        Tensor p = probabilityRows(94, F64, 3, 7);
        assertClose("H(p,p) = H(p)", Losses.entropy(p), Losses.crossEntropyBetween(p, p), 1e-14, 1e-15);
    }

    @Test
    void crossEntropyBetweenEqualsSoftTargetCrossEntropyOfLogSoftmax() {
        Tensor x = randn(95, F64, 3, 4), p = probabilityRows(96, F64, 3, 4);
        Tensor q = Ops.softmax(x, -1);
        assertClose("H(p, softmax x) = cross_entropy(x, p)", Losses.crossEntropy(x, p, null, Reduction.NONE, 0.0),
                Losses.crossEntropyBetween(p, q), 1e-13, 1e-15);
    }
}
