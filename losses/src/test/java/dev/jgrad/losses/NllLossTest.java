package dev.jgrad.losses;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.LossTestSupport.Ignore;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jgrad.losses.LossTestSupport.C;
import static dev.jgrad.losses.LossTestSupport.CLASS_WEIGHT;
import static dev.jgrad.losses.LossTestSupport.CLASS_REDUCTIONS;
import static dev.jgrad.losses.LossTestSupport.F32;
import static dev.jgrad.losses.LossTestSupport.F64;
import static dev.jgrad.losses.LossTestSupport.N;
import static dev.jgrad.losses.LossTestSupport.assertClose;
import static dev.jgrad.losses.LossTestSupport.gradcheck;
import static dev.jgrad.losses.LossTestSupport.randn;
import static dev.jgrad.losses.LossTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Losses#nllLoss}: weight × ignore_index × reduction, forward against the definition and gradcheck. */
class NllLossTest {

    static Stream<Arguments> combos() {
        List<Arguments> out = new ArrayList<>();
        for (boolean w : new boolean[]{false, true}) {
            for (Ignore ig : Ignore.values()) {
                for (Reduction r : CLASS_REDUCTIONS) out.add(Arguments.of(w, ig, r));
            }
        }
        return out.stream();
    }

    /** {@code l_i = -w[t_i]·input[i, t_i]}, 0 if ignored; MEAN divides by the summed weights of the kept targets. */
    static double[] reference(Tensor in, boolean weighted, Ignore ig, Reduction r) {
        double[] per = new double[N];
        double s = 0, d = 0;
        for (int i = 0; i < N; i++) {
            if (ig.isIgnored(i)) continue;
            int t = ig.targets[i];
            double w = weighted ? CLASS_WEIGHT[t] : 1;
            per[i] = -w * in.at(i, t);
            s += per[i];
            d += w;
        }
        return r == Reduction.NONE ? per : new double[]{r == Reduction.SUM ? s : s / d};
    }

    @ParameterizedTest(name = "weighted={0} {1} {2}")
    @MethodSource("combos")
    void forwardMatchesDefinition(boolean weighted, Ignore ig, Reduction r) {
        // any values are accepted as "log-probabilities", including positive ones
        Tensor in = randn(31, F64, N, C);
        Tensor out = Losses.nllLoss(in, ig.target(), weighted ? Tensor.of(F64, CLASS_WEIGHT) : null, ig.index, r);
        assertClose(weighted + "/" + ig + "/" + r, reference(in, weighted, ig, r), out.toDoubleArray(), 1e-14, 1e-15);
    }

    @ParameterizedTest(name = "weighted={0} {1} {2}")
    @MethodSource("combos")
    void gradcheckAllCombinations(boolean weighted, Ignore ig, Reduction r) {
        Tensor in = randn(32, F64, N, C).requiresGrad(true);
        Tensor w = weighted ? Tensor.of(F64, CLASS_WEIGHT) : null;
        gradcheck(weighted + "/" + ig + "/" + r, x -> Losses.nllLoss(x[0], ig.target(), w, ig.index, r), in);
    }

    @ParameterizedTest(name = "weighted={0} {1} {2}")
    @MethodSource("combos")
    void gradientOnlyAtTheTargetEntries(boolean weighted, Ignore ig, Reduction r) {
        Tensor in = randn(33, F64, N, C).requiresGrad(true);
        Tensor w = weighted ? Tensor.of(F64, CLASS_WEIGHT) : null;
        LossTestSupport.Run res = run(x -> Losses.nllLoss(x[0], ig.target(), w, ig.index, r), in);
        Tensor v = LossTestSupport.upstream(res.out());
        double d = 0;
        for (int i = 0; i < N; i++) if (!ig.isIgnored(i)) d += weighted ? CLASS_WEIGHT[ig.targets[i]] : 1;
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                boolean target = !ig.isIgnored(i) && ig.targets[i] == c;
                double wt = weighted ? CLASS_WEIGHT[c] : 1;
                double scale = r == Reduction.NONE ? v.get(i) : r == Reduction.SUM ? v.get(0) : v.get(0) / d;
                double expected = target ? -wt * scale : 0.0;
                assertEquals(expected, res.grad(0).at(i, c), 1e-15, "entry " + i + "," + c);
            }
        }
    }

    @Test
    void nllOfLogSoftmaxEqualsCrossEntropy() {
        for (Ignore ig : Ignore.values()) {
            for (Reduction r : CLASS_REDUCTIONS) {
                Tensor x = randn(34, F64, N, C);
                Tensor w = Tensor.of(F64, CLASS_WEIGHT);
                Tensor a = Losses.nllLoss(Ops.logSoftmax(x, -1), ig.target(), w, ig.index, r);
                Tensor b = Losses.crossEntropy(x, ig.target(), w, ig.index, r, 0.0);
                assertClose(ig + "/" + r, b, a, 1e-13, 1e-15);
            }
        }
    }

    @Test
    void defaultOverloadIsMeanWithoutWeight() {
        Tensor in = randn(35, F64, N, C);
        assertClose("defaults", reference(in, false, Ignore.MINUS_100_PRESENT, Reduction.MEAN),
                Losses.nllLoss(in, Ignore.MINUS_100_PRESENT.target()).toDoubleArray(), 1e-14, 0);
    }

    @Test
    void float32AgreesWithFloat64() {
        Tensor in64 = LossTestSupport.roundedToF32(randn(36, F64, N, C));
        Tensor in32 = in64.to(F32);
        for (Reduction r : CLASS_REDUCTIONS) {
            Tensor a = Losses.nllLoss(in64, IntTensor.of(0, 1, 2, 3, 0, 1), Tensor.of(F64, CLASS_WEIGHT), -100, r);
            Tensor b = Losses.nllLoss(in32, IntTensor.of(0, 1, 2, 3, 0, 1), Tensor.of(F32, CLASS_WEIGHT), -100, r);
            assertEquals(F32, b.dtype());
            assertClose("f32 vs f64 " + r, a, b, 1e-6, 1e-7);
        }
    }
}
