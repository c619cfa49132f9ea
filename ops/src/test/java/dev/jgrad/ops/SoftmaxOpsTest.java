package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertFinite;
import static dev.jgrad.ops.TestSupport.assertNoNaN;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static dev.jgrad.ops.TestSupport.scale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** softmax, logSoftmax and logSumExp along dim -1, 0 and the middle dim of a 3-D tensor; stability edge cases. */
class SoftmaxOpsTest {
    static final double INF = Double.POSITIVE_INFINITY, NAN = Double.NaN;
    static final int[] SHAPE = {2, 3, 4};

    // ------------------------------------------------------------------ independent references

    /**
     * The flat indices of every row along {@code dim} of a row-major tensor of {@code shape}, rows listed in
     * row-major order of the remaining dimensions (the order of a reduction's output).
     */
    static int[][] rows(int[] shape, int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        int n = shape[d], count = 1;
        for (int i = 0; i < shape.length; i++) if (i != d) count *= shape[i];
        int[][] out = new int[count][n];
        int[] idx = new int[shape.length];
        int r = 0;
        // odometer over all dims except d
        while (true) {
            for (int k = 0; k < n; k++) {
                idx[d] = k;
                int f = 0;
                for (int i = 0; i < shape.length; i++) f = f * shape[i] + idx[i];
                out[r][k] = f;
            }
            r++;
            int i = shape.length - 1;
            while (i >= 0) {
                if (i == d) {
                    i--;
                    continue;
                }
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
                i--;
            }
            if (i < 0) break;
        }
        idx[d] = 0;
        return out;
    }

    /** log Σ exp over one row in double, shifted by the row max (plain Java math). */
    static double lse(double[] x, int[] row) {
        double m = Double.NEGATIVE_INFINITY;
        for (int p : row) m = Math.max(m, x[p]);
        if (m == Double.NEGATIVE_INFINITY) return m;
        double s = 0;
        for (int p : row) s += Math.exp(x[p] - m);
        return m + Math.log(s);
    }

    static double[] softmaxRef(double[] x, int[] shape, int dim, boolean log) {
        double[] y = new double[x.length];
        for (int[] row : rows(shape, dim)) {
            double l = lse(x, row);
            for (int p : row) y[p] = log ? x[p] - l : Math.exp(x[p] - l);
        }
        return y;
    }

    static double[] lseRef(double[] x, int[] shape, int dim) {
        int[][] rs = rows(shape, dim);
        double[] y = new double[rs.length];
        for (int r = 0; r < rs.length; r++) y[r] = lse(x, rs[r]);
        return y;
    }

    static int[] reduced(int dim, boolean keepdim) {
        int d = dim < 0 ? dim + 3 : dim;
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i != d) s.add(SHAPE[i]);
            else if (keepdim) s.add(1);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    static Stream<Arguments> dimsAndDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (int dim : new int[]{-1, 0, 1}) for (DType d : DType.values()) args.add(Arguments.of(dim, d));
        return args.stream();
    }

    static Stream<Arguments> dimsKeepdimDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (int dim : new int[]{-1, 0, 1})
            for (boolean k : new boolean[]{false, true})
                for (DType d : DType.values()) args.add(Arguments.of(dim, k, d));
        return args.stream();
    }

    // ------------------------------------------------------------------ forward values

    @ParameterizedTest(name = "dim {0} {1}")
    @MethodSource("dimsAndDtypes")
    void softmaxMatchesReference(int dim, DType dtype) {
        Tensor x = scale(randn(1, dtype, SHAPE), 3);
        Tensor y = Ops.softmax(x, dim);
        assertShape(y, SHAPE);
        assertClose(softmaxRef(x.toDoubleArray(), SHAPE, dim, false), y);
    }

    @ParameterizedTest(name = "dim {0} {1}")
    @MethodSource("dimsAndDtypes")
    void softmaxRowsSumToOne(int dim, DType dtype) {
        Tensor y = Ops.softmax(scale(randn(2, dtype, SHAPE), 3), dim);
        for (int[] row : rows(SHAPE, dim)) {
            double s = 0;
            for (int p : row) s += y.get(p);
            assertEquals(1.0, s, dtype == DType.FLOAT32 ? 1e-6 : 1e-14);
        }
    }

    @ParameterizedTest(name = "dim {0} {1}")
    @MethodSource("dimsAndDtypes")
    void logSoftmaxMatchesReference(int dim, DType dtype) {
        Tensor x = scale(randn(3, dtype, SHAPE), 3);
        Tensor y = Ops.logSoftmax(x, dim);
        assertShape(y, SHAPE);
        assertClose(softmaxRef(x.toDoubleArray(), SHAPE, dim, true), y);
    }

    @ParameterizedTest(name = "dim {0} keepdim {1} {2}")
    @MethodSource("dimsKeepdimDtypes")
    void logSumExpMatchesReference(int dim, boolean keepdim, DType dtype) {
        Tensor x = scale(randn(4, dtype, SHAPE), 3);
        Tensor y = Ops.logSumExp(x, dim, keepdim);
        assertShape(y, reduced(dim, keepdim));
        assertClose(lseRef(x.toDoubleArray(), SHAPE, dim), y, TestSupport.rtol(dtype), 1e-12);
    }

    @Test
    void softmaxOfSmallRowMatchesHandComputation() {
        Tensor y = Ops.softmax(Tensor.of(new double[]{0, Math.log(3)}, 2), 0);
        assertClose(new double[]{0.25, 0.75}, y);
        assertClose(new double[]{Math.log(4)}, Ops.logSumExp(Tensor.of(new double[]{0, Math.log(3)}, 2), 0, false));
    }

    @Test
    void scalarInputGivesOneZeroAndItself() {
        Tensor s = Tensor.scalar(3.5, DType.FLOAT64);
        assertEquals(1.0, Ops.softmax(s, 0).item());
        assertEquals(0.0, Ops.logSoftmax(s, -1).item());
        assertEquals(3.5, Ops.logSumExp(s, 0, false).item());
    }

    // ------------------------------------------------------------------ gradients

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1})
    void softmaxPassesGradcheck(int dim) {
        GradCheck.assertGradients(in -> Ops.softmax(in[0], dim), randn64(11, SHAPE));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1})
    void logSoftmaxPassesGradcheck(int dim) {
        GradCheck.assertGradients(in -> Ops.logSoftmax(in[0], dim), randn64(12, SHAPE));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1})
    void logSumExpPassesGradcheck(int dim) {
        GradCheck.assertGradients(in -> Ops.logSumExp(in[0], dim, false), randn64(13, SHAPE));
        GradCheck.assertGradients(in -> Ops.logSumExp(in[0], dim, true), randn64(14, SHAPE));
    }

    @Test
    void logSumExpGradientIsGTimesSoftmax() {
        Tensor x = randn64(15, 2, 3);
        Ops.logSumExp(x, 1, false).backward(Tensor.of(new double[]{2, -1}, 2));
        double[] p = softmaxRef(x.toDoubleArray(), new int[]{2, 3}, 1, false);
        for (int i = 0; i < 6; i++) p[i] *= i < 3 ? 2 : -1;
        assertClose(p, x.grad());
    }

    @Test
    void logSoftmaxGradientMatchesClosedForm() {
        // d/dx_j Σ_i g_i (x_i - lse) = g_j - p_j Σ g
        Tensor x = randn64(16, 4);
        double[] g = {0.5, -1, 2, 0.25};
        Ops.logSoftmax(x, 0).backward(Tensor.of(g, 4));
        double[] p = softmaxRef(x.toDoubleArray(), new int[]{4}, 0, false), e = new double[4];
        double sg = 0.5 - 1 + 2 + 0.25;
        for (int j = 0; j < 4; j++) e[j] = g[j] - p[j] * sg;
        assertClose(e, x.grad());
    }

    // ------------------------------------------------------------------ large logits

    @Test
    void float32LargeLogitsAreFiniteAndCorrect() {
        Tensor x = Tensor.of(new float[]{1e4f, 9999f, -1e4f, 0f, -1e4f, -1e4f, -1e4f, -1e4f}, 2, 4).requiresGrad(true);
        double l = Math.log1p(Math.exp(-1));
        Tensor sm = Ops.softmax(x, -1);
        assertClose(new double[]{1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1)), 0, 0, 0.25, 0.25, 0.25, 0.25}, sm, 2e-6, 0);
        Tensor ls = Ops.logSoftmax(x, -1);
        assertClose(new double[]{-l, -1 - l, -2e4 - l, -1e4 - l, -Math.log(4), -Math.log(4), -Math.log(4), -Math.log(4)}, ls, 2e-6, 0);
        Tensor lse = Ops.logSumExp(x, -1, false);
        assertClose(new double[]{1e4 + l, -1e4 + Math.log(4)}, lse, 2e-7, 0);

        Tensor g = randn(17, DType.FLOAT32, 2, 4);
        Ops.sum(Ops.add(Ops.add(Ops.mul(sm, g), Ops.mul(ls, g)), Ops.sum(lse))).backward();
        assertFinite(x.grad());
    }

    @Test
    void float32LogSumExpGradientAtLargeLogitsIsTheSoftmax() {
        Tensor x = Tensor.of(new float[]{1e4f, 9999f, -1e4f}, 3).requiresGrad(true);
        Ops.logSumExp(x, 0, false).backward();
        double p = 1 / (1 + Math.exp(-1));
        // exp(x - lse) with lse rounded to float32 (ulp 2^-10 at 1e4): relative error up to ~5e-4
        assertClose(new double[]{p, 1 - p, 0}, x.grad(), 1e-3, 0);
    }

    @Test
    void float64HugeLogitsAreFiniteAndCorrect() {
        Tensor x = Tensor.of(new double[]{1e300, 1e300, -1e300, 1e300, -1e300, -1e300}, 2, 3).requiresGrad(true);
        Tensor sm = Ops.softmax(x, 1);
        assertClose(new double[]{0.5, 0.5, 0, 1, 0, 0}, sm, 1e-15, 0);
        Tensor ls = Ops.logSoftmax(x, 1);
        assertFinite(ls);
        Tensor lse = Ops.logSumExp(x, 1, true);
        assertShape(lse, 2, 1);
        assertClose(new double[]{1e300, 1e300}, lse, 1e-15, 0);

        Ops.sum(Ops.add(Ops.mul(sm, 3.0), Ops.add(Ops.div(ls, 1e300), lse))).backward();
        assertFinite(x.grad());
    }

    @Test
    void float64LogSoftmaxOfHugeLogitsKeepsTheLogNormaliser() {
        // log_softmax must be formed as (x - m) - log Σ exp(x - m): forming m + log Σ first absorbs log 2 into 1e300
        Tensor x = Tensor.of(new double[]{1e300, 1e300, -1e300, 1e300, -1e300, -1e300}, 2, 3);
        assertClose(new double[]{-Math.log(2), -Math.log(2), -2e300, 0, -2e300, -2e300}, Ops.logSoftmax(x, 1), 1e-15, 0);
        Tensor y = Tensor.of(new double[]{1e12, 1e12 + 1}, 2);
        double l = Math.log1p(Math.exp(-1));
        assertClose(new double[]{-1 - l, -l}, Ops.logSoftmax(y, 0), 1e-14, 0);
    }

    @Test
    void float64HugeLogitsAlongDim0AndMiddleDim() {
        Tensor x = Tensor.of(new double[]{1e300, -1e300, -1e300, 1e300}, 2, 1, 2);
        assertClose(new double[]{1, 0, 0, 1}, Ops.softmax(x, 0), 1e-15, 0);
        assertClose(new double[]{1e300, 1e300}, Ops.logSumExp(x, 0, false), 1e-15, 0);
        assertExact(new double[]{0, 0, 0, 0}, Ops.logSoftmax(x, 1)); // middle dim of size 1
    }

    // ------------------------------------------------------------------ masked (-inf) entries

    static Tensor masked(DType dtype) {
        return of(dtype, new double[]{-INF, 1, 2, -INF, 0.5, -INF, -1, 3}, 2, 4);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxOfMaskedClassesIsZeroAndOtherwiseExact(DType dtype) {
        Tensor y = Ops.softmax(masked(dtype), -1);
        double[] x = masked(DType.FLOAT64).toDoubleArray();
        assertNoNaN(y);
        assertEquals(0.0, y.get(0));
        assertEquals(0.0, y.get(3));
        assertEquals(0.0, y.get(5));
        assertClose(softmaxRef(x, new int[]{2, 4}, -1, false), y);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxOfMaskedClassesIsMinusInfinity(DType dtype) {
        Tensor y = Ops.logSoftmax(masked(dtype), -1);
        assertNoNaN(y);
        assertEquals(-INF, y.get(0));
        assertEquals(-INF, y.get(3));
        assertEquals(-INF, y.get(5));
        assertClose(softmaxRef(masked(DType.FLOAT64).toDoubleArray(), new int[]{2, 4}, -1, true), y);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maskedClassesGiveFiniteGradientsAndNoNaN(DType dtype) {
        Tensor g = randn(18, dtype, 2, 4);
        Tensor x1 = masked(dtype).requiresGrad(true);
        Ops.softmax(x1, -1).backward(g);
        assertFinite(x1.grad());
        assertEquals(0.0, x1.grad().get(0), 0.0);

        Tensor x2 = masked(dtype).requiresGrad(true);
        Ops.logSoftmax(x2, -1).backward(g);
        assertFinite(x2.grad());
        assertEquals(g.get(0), x2.grad().get(0)); // d(x_i - lse)/dx_i with p_i = 0

        Tensor x3 = masked(dtype).requiresGrad(true);
        Ops.logSumExp(x3, -1, false).backward(Tensor.ones(dtype, 2));
        assertFinite(x3.grad());
        assertEquals(0.0, x3.grad().get(3), 0.0);
    }

    @Test
    void maskedNegativeLogLikelihoodHasFiniteGradient() {
        // the cross-entropy pattern: pick the target's log-probability out of a masked row
        Tensor x = masked(DType.FLOAT64).requiresGrad(true);
        Tensor picked = Ops.gather(Ops.logSoftmax(x, 1), IntTensor.of(new int[]{2, 3}, 2, 1));
        Tensor loss = Ops.neg(Ops.mean(picked));
        assertTrue(Double.isFinite(loss.item()));
        loss.backward();
        assertFinite(x.grad());
        assertEquals(0.0, x.grad().get(0), 0.0);
        double[] p = softmaxRef(masked(DType.FLOAT64).toDoubleArray(), new int[]{2, 4}, 1, false);
        assertEquals(0.5 * (p[2] - 1), x.grad().get(2), 1e-15);
    }

    @Test
    void maskedEntriesAlongDim0OfA3dTensor() {
        Tensor x = Tensor.of(new double[]{-INF, 1, -INF, 0.5, -INF, 4}, 2, 1, 3).requiresGrad(true);
        Tensor y = Ops.logSoftmax(x, 0);
        assertClose(softmaxRef(x.toDoubleArray(), new int[]{2, 1, 3}, 0, true), y);
        y.backward(Tensor.ones(DType.FLOAT64, 2, 1, 3));
        assertFinite(x.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSumExpOfAllMinusInfinityRowIsMinusInfinityNotNaN(DType dtype) {
        Tensor x = of(dtype, new double[]{-INF, -INF, -INF, 1, 2, 3}, 2, 3);
        Tensor y = Ops.logSumExp(x, 1, false);
        assertEquals(-INF, y.get(0));
        assertClose(new double[]{-INF, 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2))}, y);
    }

    @Test
    void logSumExpOfAllMinusInfinityAlongDim0() {
        Tensor x = Tensor.of(new double[]{-INF, 0, -INF, 0}, 2, 2);
        assertExact(new double[]{-INF, Math.log(2)}, Ops.logSumExp(x, 0, false));
    }

    @Test
    void logSumExpWithPlusInfinityIsPlusInfinity() {
        assertEquals(INF, Ops.logSumExp(Tensor.of(new double[]{1, INF, -INF}, 3), 0, false).item());
    }

    @Test
    void softmaxOfAllMinusInfinityRowIsNaNAsDocumented() {
        // documented (PyTorch) behaviour: a fully masked row is undefined; other rows are unaffected
        Tensor y = Ops.softmax(Tensor.of(new double[]{-INF, -INF, 0, 0}, 2, 2), 1);
        assertTrue(Double.isNaN(y.get(0)) && Double.isNaN(y.get(1)));
        assertClose(new double[]{0.5, 0.5}, Ops.indexSelect(y, 0, IntTensor.of(1)));
    }

    // ------------------------------------------------------------------ float32 accuracy

    @Test
    void float32SoftmaxFamilyOnA1000ElementRowAgreesWithFloat64() {
        Tensor x32 = scale(randn(19, DType.FLOAT32, 1000), 5);
        double[] x = x32.toDoubleArray(); // the exact float32 inputs, widened
        int[] shape = {1000};
        assertClose(softmaxRef(x, shape, 0, false), Ops.softmax(x32, 0), 1e-5, 0);
        assertClose(softmaxRef(x, shape, 0, true), Ops.logSoftmax(x32, 0), 1e-5, 0);
        assertClose(lseRef(x, shape, 0), Ops.logSumExp(x32, 0, false), 1e-5, 0);
        // and the float64 op on the same values agrees too
        Tensor x64 = x32.to(DType.FLOAT64);
        assertClose(Ops.softmax(x64, 0).toDoubleArray(), Ops.softmax(x32, 0), 1e-5, 0);
        assertClose(Ops.logSumExp(x64, 0, true).toDoubleArray(), Ops.logSumExp(x32, 0, true), 1e-5, 0);
    }

    @Test
    void float32SoftmaxFamilyAccumulatesTheRowSumInDouble() {
        // one term exp(0) = 1 plus 2^20 terms exp(ln 2^-24) ≈ 2^-24 each: a float accumulator rounds 1 + 2^-24 back
        // to 1 at every step (sum 1, lse 0), the double sum is ≈ 1.0625
        int n = 1 << 20;
        Tensor x = Tensor.full(-24 * Math.log(2), DType.FLOAT32, n + 1);
        x.set(0, 0.0);
        double small = Math.exp(x.get(1)), total = 1 + n * small;
        assertClose(new double[]{Math.log(total)}, Ops.logSumExp(x, 0, false), 1e-6, 0);
        assertEquals(1 / total, Ops.softmax(x, 0).get(0), 1e-6);
        assertEquals(-Math.log(total), Ops.logSoftmax(x, 0).get(0), 1e-6);
        assertTrue(Math.log(total) > 0.05);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void outOfRangeDimIsRejectedNamingTheOp() {
        Tensor x = Tensor.zeros(DType.FLOAT64, SHAPE);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ops.softmax(x, 3)).getMessage().toLowerCase().contains("softmax"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ops.logSoftmax(x, -4)).getMessage().toLowerCase().contains("logsoftmax"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ops.logSumExp(x, 3, false)).getMessage().toLowerCase().contains("logsumexp"));
    }
}
