package dev.jgrad.lab.precision;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulated arithmetic and the key findings of the precision lab, pinned on small hand-made inputs. */
class ArithAndStrategiesTest {

    private static Arith arith(Format storage, Format acc, Summation s) {
        return new Arith(Precision.of(storage, acc), s);
    }

    private static double[] ones(int n) {
        double[] v = new double[n];
        Arrays.fill(v, 1.0);
        return v;
    }

    @Test
    void bfloat16RunningSumSaturatesAt256() {
        // 256 + 1 = 257 is a tie between 256 and 258 in bfloat16 (8 significant bits): ties to even keep 256
        assertEquals(256.0, arith(Format.BFLOAT16, Format.BFLOAT16, Summation.PLAIN).sumAcc(ones(1000)));
        // float16 (11 bits) saturates at 2048
        assertEquals(2048.0, arith(Format.FLOAT16, Format.FLOAT16, Summation.PLAIN).sumAcc(ones(3000)));
        // pairwise partial sums stay small enough to be exact; float32 accumulation is exact
        assertEquals(1000.0, arith(Format.BFLOAT16, Format.BFLOAT16, Summation.PAIRWISE).sumAcc(ones(1000)));
        // compensated summation in bfloat16 only doubles the reach: the compensation is itself a bfloat16 running
        // sum of the lost ones and saturates at 256 too (256 + 256)
        assertEquals(512.0, arith(Format.BFLOAT16, Format.BFLOAT16, Summation.COMPENSATED).sumAcc(ones(1000)));
        assertEquals(500.0, arith(Format.BFLOAT16, Format.BFLOAT16, Summation.COMPENSATED).sumAcc(ones(500)));
        assertEquals(1000.0, arith(Format.BFLOAT16, Format.FLOAT32, Summation.PLAIN).sumAcc(ones(1000)));
        // stored as bfloat16, 1000 is representable (1000 = 125·8)
        assertEquals(1000.0, arith(Format.BFLOAT16, Format.FLOAT32, Summation.PLAIN).sum(ones(1000)));
    }

    @Test
    void float16NaiveExpOverflowsAtLogit12AndTheMaxShiftFixesIt() {
        Arith h = arith(Format.FLOAT16, Format.FLOAT16, Summation.PLAIN);
        assertEquals(Math.exp(11), h.exp(11), Math.exp(11) * 0x1p-11); // 59874 < 65504
        assertEquals(Double.POSITIVE_INFINITY, h.exp(12));              // 162755 > 65504
        double[] x = {12, 0, -1};
        CrossEntropyStrategy.RowLoss naive = Strategies.NAIVE.row(h, x, 1);
        // sum = inf, p = [inf/inf = NaN, 1/inf = 0, 0]: the loss -log 0 = inf, the gradient NaN
        assertEquals(Double.POSITIVE_INFINITY, naive.loss());
        assertTrue(Double.isNaN(naive.grad()[0]));
        double exact = 12 + Math.log1p(Math.exp(-12) + Math.exp(-13)); // lse - x_1
        for (CrossEntropyStrategy s : List.of(Strategies.TWO_PASS, Strategies.THREE_PASS, Strategies.ONLINE)) {
            CrossEntropyStrategy.RowLoss r = s.row(h, x, 1);
            assertTrue(Format.FLOAT16.accepts(r.loss(), exact), r.loss() + " vs " + exact);
            for (double g : r.grad()) assertTrue(Double.isFinite(g));
        }
        // at logit 11 float16 NAIVE is still finite
        assertTrue(Double.isFinite(Strategies.NAIVE.row(h, new double[]{11, 0, -1}, 1).loss()));
    }

    @Test
    void threePassUnderflowsWhereTwoPassStaysFinite() {
        // a probability exp(-30) underflows in float16 (smallest subnormal 2^-24 ≈ 6e-8): log(0) = -inf
        Arith h = arith(Format.FLOAT16, Format.FLOAT32, Summation.PLAIN);
        double[] x = {30, 0};
        assertEquals(Double.POSITIVE_INFINITY, Strategies.THREE_PASS.row(h, x, 1).loss());
        assertEquals(30.0, Strategies.TWO_PASS.row(h, x, 1).loss());
        assertEquals(30.0, Strategies.ONLINE.row(h, x, 1).loss());
    }

    @Test
    void onlineSoftmaxMatchesTwoPassInEveryMode() {
        double[] x = new double[1000];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = Math.rint(r.nextGaussian() * 30);
        double exact = lse(x) - x[7];
        for (Summation s : Summation.values()) {
            Arith a = arith(Format.FLOAT64, Format.FLOAT64, s);
            assertEquals(exact, Strategies.ONLINE.row(a, x, 7).loss(), 1e-12 * exact, s.toString());
            assertEquals(exact, Strategies.TWO_PASS.row(a, x, 7).loss(), 1e-12 * exact, s.toString());
        }
    }

    @Test
    void labelSmoothingConventionsDiffer() {
        double[] x = {2, 1, 0, -1};
        Arith d = arith(Format.FLOAT64, Format.FLOAT64, Summation.PLAIN);
        double l = lse(x);
        double overK = 0.9 * (l - 2) + 0.1 / 4 * (4 * l - 2);        // (1-ε)·nll + ε/K·Σ(-logp), Σx = 2
        double overK1 = 0.9 * (l - 2) + 0.1 / 3 * (3 * l - 0);        // (1-ε)·nll + ε/(K-1)·Σ_{j≠t}(-logp)
        assertEquals(overK, Strategies.smoothed(LabelSmoothing.overK(0.1)).row(d, x, 0).loss(), 1e-14);
        assertEquals(overK1, Strategies.smoothed(LabelSmoothing.overKMinus1(0.1)).row(d, x, 0).loss(), 1e-14);
        // gradients sum to 0 (Σp = Σq = 1)
        double[] g = Strategies.smoothed(LabelSmoothing.overKMinus1(0.1)).row(d, x, 0).grad();
        assertEquals(0, Arrays.stream(g).sum(), 1e-15);
        assertEquals(0.9, LabelSmoothing.overKMinus1(0.1).targetWeight(4), 1e-15);
        assertEquals(0.925, LabelSmoothing.overK(0.1).targetWeight(4), 1e-15);
    }

    private static double lse(double[] x) {
        double m = Arrays.stream(x).max().orElseThrow(), s = 0;
        for (double v : x) s += Math.exp(v - m);
        return m + Math.log(s);
    }
}
