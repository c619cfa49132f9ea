package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scaledDotProductAttention against a scalar loop, its gradients, masks, the causal fill and argument checks. */
class AttentionTest {
    static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /**
     * Independent reference: per batch slice and query row, scores over keys, the additive mask (broadcast from
     * {@code [L, S]}), the causal rule {@code j > i → -inf}, a plain softmax and the weighted sum of values.
     */
    static double[] reference(Tensor q, Tensor k, Tensor v, double[] mask, boolean causal, double scale) {
        int b = q.size(0), l = q.size(1), e = q.size(2), s = k.size(1), ev = v.size(2);
        double[] out = new double[b * l * ev];
        for (int n = 0; n < b; n++) {
            for (int i = 0; i < l; i++) {
                double[] w = new double[s];
                double max = NEG_INF, sum = 0;
                for (int j = 0; j < s; j++) {
                    double d = 0;
                    for (int c = 0; c < e; c++) d += q.at(n, i, c) * k.at(n, j, c);
                    w[j] = d * scale + (mask == null ? 0 : mask[i * s + j]) + (causal && j > i ? NEG_INF : 0);
                    max = Math.max(max, w[j]);
                }
                for (int j = 0; j < s; j++) sum += w[j] = Math.exp(w[j] - max);
                for (int c = 0; c < ev; c++) {
                    double o = 0;
                    for (int j = 0; j < s; j++) o += w[j] / sum * v.at(n, j, c);
                    out[(n * l + i) * ev + c] = o;
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matchesTheLoopWithMaskCausalAndScale(DType dt) {
        Tensor q = randn(1, dt, 2, 4, 3), k = randn(2, dt, 2, 5, 3), v = randn(3, dt, 2, 5, 2);
        double[] m = randn64(4, 4, 5).toDoubleArray();
        m[7] = NEG_INF;
        Tensor mask = Tensor.of(dt, m, 4, 5);
        double rtol = dt == DType.FLOAT32 ? 1e-5 : 1e-12, atol = dt == DType.FLOAT32 ? 1e-6 : 1e-14;
        assertClose(reference(q, k, v, m, false, 1 / Math.sqrt(3)), Ops.scaledDotProductAttention(q, k, v, mask, false), rtol, atol);
        assertClose(reference(q, k, v, null, true, 0.25), Ops.scaledDotProductAttention(q, k, v, null, true, 0.25), rtol, atol);
        Tensor y = Ops.scaledDotProductAttention(q, k, v, null, false, 1.0);
        assertShape(y, 2, 4, 2);
        assertClose(reference(q, k, v, null, false, 1.0), y, rtol, atol);
    }

    @Test
    void batchDimensionsBroadcast() {
        Tensor q = randn64(5, 2, 3, 4, 3), k = randn64(6, 3, 5, 3), v = randn64(7, 2, 1, 5, 2);
        Tensor y = Ops.scaledDotProductAttention(q, k, v, null, false);
        assertShape(y, 2, 3, 4, 2);
        Tensor one = Ops.scaledDotProductAttention(Ops.select(Ops.select(q, 0, 1), 0, 2), Ops.select(k, 0, 2),
                Ops.select(Ops.select(v, 0, 1), 0, 0), null, false);
        assertArrayEquals(one.toDoubleArray(), Ops.select(Ops.select(y, 0, 1), 0, 2).toDoubleArray(), 1e-14);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        Tensor mask = Ops.attentionMask(Tensor.of(new double[]{1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1}, 3, 4));
        GradCheck.assertGradients(in -> Ops.scaledDotProductAttention(in[0], in[1], in[2], mask, false),
                randn64(8, 2, 3, 2).requiresGrad(true), randn64(9, 2, 4, 2).requiresGrad(true), randn64(10, 2, 4, 3).requiresGrad(true));
        GradCheck.assertGradients(in -> Ops.scaledDotProductAttention(in[0], in[1], in[2], null, true, 0.5),
                randn64(11, 3, 2).requiresGrad(true), randn64(12, 3, 2).requiresGrad(true), randn64(13, 3, 1).requiresGrad(true));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void aFullyMaskedRowIsNaNAndTheOthersAreNot(DType dt) {
        Tensor allowed = Tensor.of(dt, new double[]{1, 0, 1, 0, 0, 0}, 2, 3);
        Tensor mask = Ops.attentionMask(allowed);
        assertArrayEquals(new double[]{0, NEG_INF, 0, NEG_INF, NEG_INF, NEG_INF}, mask.toDoubleArray());
        assertEquals(dt, mask.dtype());
        Tensor y = Ops.scaledDotProductAttention(randn(14, dt, 2, 2), randn(15, dt, 3, 2), randn(16, dt, 3, 2), mask, false);
        for (int c = 0; c < 2; c++) {
            assertTrue(Double.isFinite(y.at(0, c)));
            assertTrue(Double.isNaN(y.at(1, c)));
        }
    }

    @Test
    void causalWithMoreQueriesThanKeysIsTopLeftAligned() {
        // L = 3 > S = 2: row 0 sees key 0 only, rows 1 and 2 see both keys
        Tensor q = Tensor.zeros(DType.FLOAT64, 3, 1), k = Tensor.zeros(DType.FLOAT64, 2, 1);
        Tensor v = Tensor.of(new double[]{1, 3}, 2, 1);
        assertArrayEquals(new double[]{1, 2, 2}, Ops.scaledDotProductAttention(q, k, v, null, true).toDoubleArray());
    }

    @Test
    void badArgumentsNameTheOpArgumentAndShapes() {
        Tensor q = randn64(17, 2, 3, 4), k = randn64(18, 2, 5, 4), v = randn64(19, 2, 5, 6);
        bad("query [2, 3, 4] and key [2, 5, 3] must be [.., L, E] and [.., S, E] with the same E",
                () -> Ops.scaledDotProductAttention(q, randn64(1, 2, 5, 3), v, null, false));
        bad("value [2, 4, 6] must be [.., S, Ev] with S = 5", () -> Ops.scaledDotProductAttention(q, k, randn64(1, 2, 4, 6), null, false));
        bad("attnMask [3, 4] does not broadcast to the attention scores [2, 3, 5]",
                () -> Ops.scaledDotProductAttention(q, k, v, randn64(1, 3, 4), false));
        bad("either attnMask or isCausal", () -> Ops.scaledDotProductAttention(q, k, v, randn64(1, 3, 5), true));
        bad("key is float32 but query is float64", () -> Ops.scaledDotProductAttention(q, k.to(DType.FLOAT32), v, null, false));
        bad("query is null", () -> Ops.scaledDotProductAttention(null, k, v, null, false));
        bad("cannot be broadcast", () -> Ops.scaledDotProductAttention(q, randn64(1, 3, 5, 4), v, null, false));
        bad("query [4] and key", () -> Ops.scaledDotProductAttention(randn64(1, 4), k, v, null, false));
    }

    private static void bad(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith("scaledDotProductAttention: "), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
