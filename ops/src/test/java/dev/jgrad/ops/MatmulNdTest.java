package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static dev.jgrad.ops.TestSupport.assertClose;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every form of {@code torch.matmul} (1-D, N-D, broadcast batches), {@code bmm} and {@code linear} with a 1-D weight. */
class MatmulNdTest {

    /** {@code {a shape, b shape, expected result shape}} per torch.matmul's rules. */
    private static final int[][][] FORMS = {
            {{3}, {2, 3, 4}, {2, 4}},
            {{2, 3, 4}, {4}, {2, 3}},
            {{2, 3}, {4, 2, 3, 5}, {4, 2, 2, 5}},
            {{4, 1, 2, 3}, {5, 3, 2}, {4, 5, 2, 2}},
            {{2, 1, 3, 4}, {1, 3, 4, 2}, {2, 3, 3, 2}},
            {{3, 2, 4}, {3, 4, 5}, {3, 2, 5}},
            {{1, 2, 4}, {3, 4, 5}, {3, 2, 5}},
            {{3, 2, 4}, {1, 4, 5}, {3, 2, 5}},
            {{5}, {5}, {}},
    };

    /**
     * Reference {@code torch.matmul} in double with explicit index loops: 1-D operands promoted and the added
     * dimension removed, batch dimensions broadcast.
     */
    static double[] reference(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        boolean av = as.length == 1, bv = bs.length == 1;
        int[] a2 = av ? new int[]{1, as[0]} : as, b2 = bv ? new int[]{bs[0], 1} : bs;
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int[] ba = Arrays.copyOf(a2, a2.length - 2), bb = Arrays.copyOf(b2, b2.length - 2);
        int[] batch = Shape.broadcast("ref", ba, bb);
        int slices = Shape.numel(batch);
        double[] av2 = a.toDoubleArray(), bv2 = b.toDoubleArray(), c = new double[slices * m * n];
        for (int s = 0; s < slices; s++) {
            int ia = 0, ib = 0, rest = s;
            int[] idx = new int[batch.length];
            for (int d = batch.length - 1; d >= 0; d--) {
                idx[d] = rest % batch[d];
                rest /= batch[d];
            }
            ia = flat(idx, ba);
            ib = flat(idx, bb);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) sum += av2[ia * m * k + i * k + p] * bv2[ib * k * n + p * n + j];
                    c[s * m * n + i * n + j] = sum;
                }
        }
        return c;
    }

    /** Row-major index into {@code shape} (right-aligned, size-1 dimensions broadcast) of the batch index {@code idx}. */
    private static int flat(int[] idx, int[] shape) {
        int f = 0, off = idx.length - shape.length;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
        return f;
    }

    private static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyFormMatchesTheReference(DType dtype) {
        long seed = 1;
        for (int[][] f : FORMS) {
            Tensor a = randn(seed++, dtype, f[0]), b = randn(seed++, dtype, f[1]);
            Tensor y = Ops.matmul(a, b);
            assertShape(y, f[2]);
            assertEquals(dtype, y.dtype());
            assertClose(reference(a, b), y, tol(dtype), tol(dtype));
        }
    }

    @Test
    void everyFormHasExactFloat64Gradients() {
        long seed = 100;
        for (int[][] f : FORMS) {
            GradCheck.assertGradients(in -> Ops.matmul(in[0], in[1]), randn64(seed++, f[0]), randn64(seed++, f[1]));
        }
    }

    @Test
    void broadcastGradientSumsOverTheBroadcastSlices() {
        // [2,3]·[4,2,3,5]: dA = Σ over the 8 slices of g_s·B_sᵀ; with g = 1, dA[i,p] = Σ_s Σ_j B_s[p,j]
        Tensor a = randn64(7, 2, 3), b = randn64(8, 4, 2, 3, 5);
        Ops.sum(Ops.matmul(a, b)).backward();
        double[] bv = b.toDoubleArray(), e = new double[6];
        for (int s = 0; s < 8; s++)
            for (int i = 0; i < 2; i++)
                for (int p = 0; p < 3; p++)
                    for (int j = 0; j < 5; j++) e[i * 3 + p] += bv[s * 15 + p * 5 + j];
        assertShape(a.grad(), 2, 3);
        assertClose(e, a.grad(), 1e-12, 1e-12);
        assertShape(b.grad(), 4, 2, 3, 5);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void attentionShapesMatchTheReference(DType dtype) {
        Tensor a = randn(21, dtype, 2, 4, 16, 8), b = randn(22, dtype, 2, 4, 8, 16);
        Tensor y = Ops.matmul(a, b);
        assertShape(y, 2, 4, 16, 16);
        assertClose(reference(a, b), y, tol(dtype), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zeroSizedDimensions(DType dtype) {
        assertShape(Ops.matmul(Tensor.zeros(dtype, 0, 3), randn(1, dtype, 2, 3, 4)), 2, 0, 4);
        assertShape(Ops.matmul(randn(2, dtype, 0, 2, 3), randn(3, dtype, 3, 4)), 0, 2, 4);
        assertShape(Ops.matmul(randn(2, dtype, 0, 2, 3), randn(3, dtype, 1, 3, 4)), 0, 2, 4);
        // zero inner dimension: zeros, and zero gradients
        Tensor a = Tensor.ones(dtype, 2, 3, 0).requiresGrad(true), b = Tensor.ones(dtype, 2, 0, 4).requiresGrad(true);
        Tensor y = Ops.matmul(a, b);
        assertShape(y, 2, 3, 4);
        assertClose(new double[24], y, 0, 0);
        Ops.sum(y).backward();
        assertShape(a.grad(), 2, 3, 0);
        assertShape(b.grad(), 2, 0, 4);
        // zero output columns: the gradient of A is zero
        Tensor c = Tensor.ones(dtype, 2, 3, 2).requiresGrad(true), d = Tensor.ones(dtype, 2, 2, 0).requiresGrad(true);
        Ops.sum(Ops.matmul(c, d)).backward();
        assertClose(new double[12], c.grad(), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nonFiniteValuesPropagateLikeIeee(DType dtype) {
        // inf·0 is NaN, inf·positive sums stay inf, NaN spreads over its row only
        Tensor a = TestSupport.of(dtype, new double[]{Double.POSITIVE_INFINITY, 1, 1, 1, Double.NaN, 1}, 2, 1, 3);
        Tensor b = TestSupport.of(dtype, new double[]{1, 0, 1, 0, 1, 0}, 2, 3, 1);
        Tensor y = Ops.matmul(a, b);
        assertShape(y, 2, 1, 1);
        assertTrue(Double.isInfinite(y.get(0)) && y.get(0) > 0, () -> "inf expected, got " + y);
        assertTrue(Double.isNaN(y.get(1)), () -> "NaN expected, got " + y);
        Tensor z = Ops.matmul(a, TestSupport.of(dtype, new double[]{0, 1, 1, 0, 1, 1}, 2, 3, 1));
        assertTrue(Double.isNaN(z.get(0)), () -> "inf·0 must be NaN, got " + z);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void bmmIsTheStrictBatchedProduct(DType dtype) {
        Tensor a = randn(31, dtype, 3, 2, 4), b = randn(32, dtype, 3, 4, 5);
        Tensor y = Ops.bmm(a, b);
        assertShape(y, 3, 2, 5);
        assertClose(reference(a, b), y, tol(dtype), tol(dtype));
        assertShape(Ops.bmm(Tensor.zeros(dtype, 0, 2, 4), Tensor.zeros(dtype, 0, 4, 5)), 0, 2, 5);
    }

    @Test
    void bmmGradients() {
        GradCheck.assertGradients(in -> Ops.bmm(in[0], in[1]), randn64(33, 3, 2, 4), randn64(34, 3, 4, 5));
    }

    @Test
    void bmmRejectsWhatTorchRejects() {
        DType f = DType.FLOAT64;
        assertIllegalArgument(() -> Ops.bmm(Tensor.zeros(f, 2, 3), Tensor.zeros(f, 2, 3, 4)), "bmm", "3-D", "[2, 3]");
        assertIllegalArgument(() -> Ops.bmm(Tensor.zeros(f, 2, 3, 4), Tensor.zeros(f, 4, 5)), "bmm", "3-D", "[4, 5]");
        // no broadcasting of the batch (matmul would broadcast 1 against 3)
        assertIllegalArgument(() -> Ops.bmm(Tensor.zeros(f, 1, 3, 4), Tensor.zeros(f, 3, 4, 5)), "bmm", "[1, 3, 4]", "[3, 4, 5]");
        assertIllegalArgument(() -> Ops.bmm(Tensor.zeros(f, 2, 3, 4), Tensor.zeros(f, 2, 5, 4)), "bmm", "[2, 4, N]", "[2, 5, 4]");
    }

    @Test
    void matmulRejectsBadShapesNamingThem() {
        DType f = DType.FLOAT64;
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(f, 2, 3, 4), Tensor.zeros(f, 3, 4, 5)),
                "matmul", "[2, 3, 4]", "[3, 4, 5]", "broadcast");
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(f, 2, 2, 3), Tensor.zeros(f, 2, 4, 5)), "matmul", "[2, 2, 3]", "[2, 4, 5]", "3 vs 4");
        assertIllegalArgument(() -> Ops.matmul(Tensor.zeros(f, 4), Tensor.zeros(f, 2, 3, 5)), "matmul", "[4]", "[2, 3, 5]");
        assertIllegalArgument(() -> Ops.matmul(Tensor.scalar(1, f), Tensor.zeros(f, 2, 3, 5)), "matmul", "1-D", "[]");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void linearWithAVectorWeightDropsTheLastDimension(DType dtype) {
        Tensor x = randn(41, dtype, 2, 3, 4), w = randn(42, dtype, 4);
        Tensor y = Ops.linear(x, w, null);
        assertShape(y, 2, 3);
        assertClose(reference(x, w), y, tol(dtype), tol(dtype));
        Tensor v = randn(43, dtype, 4);
        Tensor s = Ops.linear(v, w, Tensor.scalar(0.5, dtype));
        assertShape(s);
        assertClose(new double[]{reference(v, w)[0] + 0.5}, s, tol(dtype), tol(dtype));
    }

    @Test
    void linearWithAVectorWeightGradients() {
        GradCheck.assertGradients(in -> Ops.linear(in[0], in[1], null), randn64(44, 2, 3, 4), randn64(45, 4));
        GradCheck.assertGradients(in -> Ops.linear(in[0], in[1], in[2]), randn64(46, 4), randn64(47, 4), randn64(48));
    }

    @Test
    void linearWithAVectorWeightRejectsWhatTorchRejects() {
        DType f = DType.FLOAT64;
        Tensor w = Tensor.zeros(f, 4);
        assertIllegalArgument(() -> Ops.linear(Tensor.zeros(f, 3, 4), w, Tensor.scalar(1, f)), "linear", "bias", "[3, 4]");
        assertIllegalArgument(() -> Ops.linear(Tensor.zeros(f, 4), w, Tensor.zeros(f, 1)), "linear", "bias", "[1]");
        assertIllegalArgument(() -> Ops.linear(Tensor.zeros(f, 3, 5), w, null), "linear", "[3, 5]", "[4]");
        assertIllegalArgument(() -> Ops.linear(Tensor.scalar(1, f), w, null), "linear", "[]");
    }
}
