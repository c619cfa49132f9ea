package dev.jgrad.ops;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.function.Function;

import static dev.jgrad.ops.TestSupport.assertExact;
import static dev.jgrad.ops.TestSupport.assertIllegalArgument;
import static dev.jgrad.ops.TestSupport.assertShape;
import static dev.jgrad.ops.TestSupport.of;
import static dev.jgrad.ops.TestSupport.randn;
import static dev.jgrad.ops.TestSupport.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The N-D shape and indexing ops of issue 13: permute/transpose, views, expand, slicing, stack/split/chunk, flip, pad,
 * where/maskedFill, gather/scatterAdd along any dim and embedding — values in both dtypes, float64 gradchecks, edge
 * values and bad arguments. PyTorch's reference values are the conformance cases {@code cases/shape.json}.
 */
class ShapeNdTest {
    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /** {@code 0, 1, 2, ...} as a tensor of {@code shape}. */
    private static Tensor iota(DType dtype, int... shape) {
        int n = dev.jgrad.core.Shape.numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return of(dtype, v, shape);
    }

    private static double[] d(double... v) {
        return v;
    }

    /** The gradient of {@code sum(f(x) ⊙ w)} for fixed weights {@code w = 1, 2, 3, ...}. */
    private static Tensor gradOf(Function<Tensor, Tensor> f, Tensor x) {
        x.requiresGrad(true);
        Tensor y = f.apply(x);
        Ops.sum(Ops.mul(y, iota(y.dtype(), y.shape()))).backward();
        return x.grad();
    }

    // ------------------------------------------------------------------ permute / transpose

    @ParameterizedTest
    @EnumSource(DType.class)
    void permuteMovesEveryDimension(DType dtype) {
        Tensor a = iota(dtype, 2, 3, 4);
        Tensor p = Ops.permute(a, 2, 0, -2);
        assertShape(p, 4, 2, 3);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) assertEquals(a.at(i, j, k), p.at(k, i, j));
        assertShape(Ops.permute(Tensor.scalar(3, dtype)));
        assertShape(Ops.permute(Tensor.zeros(dtype, 2, 0, 3), 1, 2, 0), 0, 3, 2);
    }

    @Test
    void permuteAndTransposePassGradcheck() {
        GradCheck.assertGradients(in -> Ops.permute(in[0], 1, 3, 0, 2), randn64(1, 2, 3, 1, 2));
        GradCheck.assertGradients(in -> Ops.transpose(in[0], 0, -1), randn64(2, 2, 3, 4));
        GradCheck.assertGradients(in -> Ops.transpose(in[0], 1, 1), randn64(3, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void transposeOfAnyTwoDimsAndTheTwoArgumentFormAgree(DType dtype) {
        Tensor a = randn(4, dtype, 2, 3, 4);
        assertExact(Ops.transpose(a).toDoubleArray(), Ops.transpose(a, -1, -2));
        Tensor t = Ops.transpose(a, 0, 2);
        assertShape(t, 4, 3, 2);
        assertEquals(a.at(1, 2, 3), t.at(3, 2, 1));
        assertShape(Ops.transpose(Tensor.of(new double[]{1, 2}, 2), 0, -1), 2);
        assertShape(Ops.transpose(Tensor.scalar(1, dtype), 0, -1));
    }

    @Test
    void permuteAndTransposeRejectBadDims() {
        Tensor a = randn64(5, 2, 3);
        assertIllegalArgument(() -> Ops.permute(a, 0), "permute", "[0]", "[2, 3]");
        assertIllegalArgument(() -> Ops.permute(a, 1, -1), "permute", "repeats");
        assertIllegalArgument(() -> Ops.permute(a, 0, 2), "permute", "dim 2");
        assertIllegalArgument(() -> Ops.permute(a, (int[]) null), "permute", "null");
        assertIllegalArgument(() -> Ops.transpose(a, 0, 2), "transpose", "dim 2");
        assertIllegalArgument(() -> Ops.transpose(null, 0, 1), "transpose", "null");
    }

    // ------------------------------------------------------------------ views: view, flatten, squeeze, unsqueeze

    @Test
    void viewFlattenSqueezeAndUnsqueezeShareTheData() {
        Tensor a = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 1, 2, 3);
        List<Tensor> views = List.of(Ops.view(a, 3, -1), Ops.flatten(a), Ops.flatten(a, 1, 2), Ops.squeeze(a), Ops.squeeze(a, 0),
                Ops.unsqueeze(a, -1));
        a.set(5, 60);
        for (Tensor v : views) assertEquals(60.0, v.get(5), "a view sees the write");
        assertShape(views.get(0), 3, 2);
        assertShape(views.get(1), 6);
        assertShape(views.get(2), 1, 6);
        assertShape(views.get(3), 2, 3);
        assertShape(views.get(4), 2, 3);
        assertShape(views.get(5), 1, 2, 3, 1);
    }

    @Test
    void viewShapesAtTheEdges() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 1, 3, 1);
        assertShape(Ops.squeeze(a, 0), 2, 1, 3, 1); // not size 1: unchanged
        assertShape(Ops.squeeze(a, -1), 2, 1, 3);
        assertShape(Ops.squeeze(Tensor.zeros(DType.FLOAT32, 1, 0, 1)), 0);
        assertShape(Ops.squeeze(Tensor.scalar(2, DType.FLOAT32), 0));
        assertShape(Ops.unsqueeze(Tensor.scalar(2, DType.FLOAT32), -1), 1);
        assertShape(Ops.unsqueeze(a, 4), 2, 1, 3, 1, 1);
        assertShape(Ops.unsqueeze(a, -5), 1, 2, 1, 3, 1);
        assertShape(Ops.flatten(Tensor.scalar(2, DType.FLOAT64)), 1);
        assertShape(Ops.flatten(a, -3, -2), 2, 3, 1);
        assertShape(Ops.flatten(Tensor.zeros(DType.FLOAT64, 2, 0, 3), 0, 1), 0, 3);
        assertShape(Ops.view(Tensor.zeros(DType.FLOAT64, 0, 4), -1, 8), 0, 8);
    }

    @Test
    void viewsPassGradcheck() {
        GradCheck.assertGradients(in -> Ops.mul(Ops.flatten(in[0], 0, 1), Ops.view(in[0], 6, 1)), randn64(6, 2, 3, 1));
        GradCheck.assertGradients(in -> Ops.unsqueeze(Ops.squeeze(in[0]), 1), randn64(7, 1, 3, 1));
    }

    @Test
    void viewsRejectBadArguments() {
        Tensor a = randn64(8, 2, 3);
        assertIllegalArgument(() -> Ops.flatten(a, 1, 0), "flatten", "start dim 1", "end dim 0");
        assertIllegalArgument(() -> Ops.flatten(a, 0, 2), "flatten", "dim 2");
        assertIllegalArgument(() -> Ops.squeeze(a, 2), "squeeze", "dim 2");
        assertIllegalArgument(() -> Ops.unsqueeze(a, 3), "unsqueeze", "dim 3");
        assertIllegalArgument(() -> Ops.unsqueeze(a, -4), "unsqueeze", "dim -4");
        assertIllegalArgument(() -> Ops.view(a, 4, -1), "reshape", "[2, 3]");
    }

    // ------------------------------------------------------------------ expand

    @ParameterizedTest
    @EnumSource(DType.class)
    void expandRepeatsSizeOneDimensionsAndSumsTheGradientBack(DType dtype) {
        Tensor a = of(dtype, d(1, NAN, INF), 3, 1);
        Tensor e = Ops.expand(a, 2, -1, 2);
        assertShape(e, 2, 3, 2);
        assertExact(d(1, 1, NAN, NAN, INF, INF, 1, 1, NAN, NAN, INF, INF), e);
        Tensor g = gradOf(t -> Ops.broadcastTo(t, 2, 3, 2), of(dtype, d(1, 2, 3), 3, 1));
        // weights 0..11: row r of the input collects (2r + 2r+1) + (6 + 2r + 6 + 2r + 1)
        assertExact(d(0 + 1 + 6 + 7, 2 + 3 + 8 + 9, 4 + 5 + 10 + 11), g);
        assertShape(Ops.expand(Tensor.scalar(5, dtype), 0, 3), 0, 3);
        assertShape(Ops.expand(of(dtype, d(1), 1), 0), 0);
    }

    @Test
    void expandPassesGradcheckAndRejectsBadShapes() {
        GradCheck.assertGradients(in -> Ops.expand(in[0], 3, 2, 4, -1), randn64(9, 2, 1, 1));
        Tensor a = randn64(10, 2, 3);
        assertIllegalArgument(() -> Ops.expand(a, 3), "expand", "fewer dimensions");
        assertIllegalArgument(() -> Ops.expand(a, 4, 3), "expand", "[2, 3]", "[4, 3]");
        assertIllegalArgument(() -> Ops.expand(a, -1, 2, 3), "expand", "new dimension");
        assertIllegalArgument(() -> Ops.broadcastTo(a, (int[]) null), "expand", "null");
    }

    // ------------------------------------------------------------------ slice / narrow / select

    @ParameterizedTest
    @EnumSource(DType.class)
    void sliceFollowsPythonSlicing(DType dtype) {
        Tensor a = iota(dtype, 7);
        assertExact(d(1, 3, 5), Ops.slice(a, 0, 1, 6, 2));
        assertExact(d(4, 5, 6), Ops.slice(a, 0, -3, Integer.MAX_VALUE, 1));
        assertExact(d(0, 3, 6), Ops.slice(a, -1, -100, 100, 3));
        assertShape(Ops.slice(a, 0, 5, 1, 1), 0);
        assertShape(Ops.slice(a, 0, 7, 9, 1), 0);
        assertExact(d(5), Ops.slice(a, 0, -2, -1, 1));
        Tensor m = iota(dtype, 3, 4);
        assertExact(d(1, 3, 5, 7, 9, 11), Ops.slice(m, 1, 1, 4, 2));
        assertExact(d(4, 5, 6, 7), Ops.narrow(m, 0, -2, 1));
        assertShape(Ops.narrow(m, 1, 4, 0), 3, 0);
        assertExact(d(2, 6, 10), Ops.select(m, 1, -2));
        assertExact(d(8, 9, 10, 11), Ops.select(m, 0, 2));
        assertShape(Ops.select(Tensor.zeros(dtype, 3, 0), 0, 1), 0);
    }

    @Test
    void slicingGradientsPutGBackInPlace() {
        Tensor g = gradOf(t -> Ops.slice(t, 0, 1, 6, 2), iota(DType.FLOAT64, 7));
        assertExact(d(0, 0, 0, 1, 0, 2, 0), g);
        GradCheck.assertGradients(in -> Ops.slice(in[0], 1, -4, 5, 3), randn64(11, 2, 5, 2));
        GradCheck.assertGradients(in -> Ops.narrow(in[0], -1, 1, 2), randn64(12, 2, 4));
        GradCheck.assertGradients(in -> Ops.select(in[0], 0, -1), randn64(13, 3, 2));
    }

    @Test
    void slicingRejectsBadArguments() {
        Tensor a = randn64(14, 3, 4);
        assertIllegalArgument(() -> Ops.slice(a, 0, 0, 2, 0), "slice", "step 0");
        assertIllegalArgument(() -> Ops.slice(a, 0, 0, 2, -1), "slice", "step -1");
        assertIllegalArgument(() -> Ops.slice(a, 2, 0, 2, 1), "slice", "dim 2");
        assertIllegalArgument(() -> Ops.slice(Tensor.scalar(1, DType.FLOAT64), 0, 0, 1, 1), "slice", "0-D");
        assertIllegalArgument(() -> Ops.narrow(a, 1, 3, 2), "narrow", "size 4");
        assertIllegalArgument(() -> Ops.narrow(a, 1, -5, 1), "narrow", "start -5");
        assertIllegalArgument(() -> Ops.narrow(a, 1, 0, -1), "narrow", "length -1");
        assertIllegalArgument(() -> Ops.select(a, 0, 3), "select", "index 3", "size 3");
        assertIllegalArgument(() -> Ops.select(a, 1, -5), "select", "index -5");
    }

    // ------------------------------------------------------------------ stack / split / chunk / cat

    @ParameterizedTest
    @EnumSource(DType.class)
    void stackAddsADimension(DType dtype) {
        Tensor a = iota(dtype, 2, 3), b = Ops.add(iota(dtype, 2, 3), 10.0);
        Tensor s = Ops.stack(-1, a, b);
        assertShape(s, 2, 3, 2);
        assertEquals(a.at(1, 2), s.at(1, 2, 0));
        assertEquals(b.at(1, 2), s.at(1, 2, 1));
        assertShape(Ops.stack(0, a, b, a), 3, 2, 3);
        assertShape(Ops.stack(0, Tensor.scalar(1, dtype), Tensor.scalar(2, dtype)), 2);
        GradCheck.assertGradients(in -> Ops.stack(1, in[0], in[1]), randn64(15, 2, 2), randn64(16, 2, 2));
        assertIllegalArgument(() -> Ops.stack(0, a, Tensor.zeros(dtype, 3, 2)), "stack", "tensor 1", "[3, 2]");
        assertIllegalArgument(() -> Ops.stack(3, a, b), "stack", "dim 3");
        assertIllegalArgument(() -> Ops.stack(0), "stack", "at least one");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void splitAndChunkCutAlongAnyDim(DType dtype) {
        Tensor a = iota(dtype, 2, 7);
        Tensor[] p = Ops.split(a, 3, 1);
        assertEquals(3, p.length);
        assertShape(p[2], 2, 1);
        assertExact(d(3, 4, 5, 10, 11, 12), p[1]);
        Tensor[] q = Ops.split(a, new int[]{0, 5, 2}, -1);
        assertShape(q[0], 2, 0);
        assertExact(d(5, 6, 12, 13), q[2]);
        assertEquals(2, Ops.chunk(a, 3, 0).length); // ceil(2/3) = 1 per piece: two pieces, like torch.chunk
        assertEquals(3, Ops.chunk(Tensor.zeros(dtype, 0, 2), 3, 0).length);
        assertEquals(1, Ops.split(Tensor.zeros(dtype, 0, 2), 0, 0).length);
        Tensor[] c = Ops.chunk(iota(dtype, 6, 1), 4, 0);
        assertEquals(3, c.length);
        assertExact(d(4, 5), c[2]);
        GradCheck.assertGradients(in -> Ops.mul(Ops.chunk(in[0], 2, 1)[1], Ops.split(in[0], 2, 1)[0]), randn64(17, 2, 4));
    }

    @Test
    void splitAndChunkRejectBadSizes() {
        Tensor a = randn64(18, 2, 5);
        assertIllegalArgument(() -> Ops.split(a, 0, 1), "split", "split size 0");
        assertIllegalArgument(() -> Ops.split(a, new int[]{2, 2}, 1), "split", "add up to 4", "size 5");
        assertIllegalArgument(() -> Ops.split(a, new int[]{6, -1}, 1), "split", "negative size -1");
        assertIllegalArgument(() -> Ops.chunk(a, 0, 1), "chunk", "chunks 0");
        assertIllegalArgument(() -> Ops.chunk(a, 2, 2), "chunk", "dim 2");
    }

    @Test
    void catWorksAlongAnyDimIncludingNegativeOnes() {
        Tensor a = iota(DType.FLOAT64, 2, 1, 2), b = Ops.add(iota(DType.FLOAT64, 2, 2, 2), 100.0);
        Tensor c = Ops.cat(-2, a, b);
        assertShape(c, 2, 3, 2);
        assertExact(d(0, 1, 100, 101, 102, 103, 2, 3, 104, 105, 106, 107), c);
    }

    // ------------------------------------------------------------------ flip / pad

    @ParameterizedTest
    @EnumSource(DType.class)
    void flipReversesTheGivenDims(DType dtype) {
        Tensor a = iota(dtype, 2, 3);
        assertExact(d(2, 1, 0, 5, 4, 3), Ops.flip(a, -1));
        assertExact(d(5, 4, 3, 2, 1, 0), Ops.flip(a, 0, 1));
        assertExact(a.toDoubleArray(), Ops.flip(a));
        assertShape(Ops.flip(Tensor.zeros(dtype, 2, 0), 1), 2, 0);
        assertEquals(4.0, Ops.flip(Tensor.scalar(4, dtype), 0).item());
        GradCheck.assertGradients(in -> Ops.flip(in[0], 2, 0), randn64(19, 2, 2, 3));
        assertIllegalArgument(() -> Ops.flip(a, 1, -1), "flip", "dim -1", "multiple");
        assertIllegalArgument(() -> Ops.flip(a, 2), "flip", "dim 2");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void padAddsAndCropsLastDimensionFirst(DType dtype) {
        Tensor a = iota(dtype, 2, 2);
        Tensor p = Ops.pad(a, new int[]{1, 0, 0, 1}, -1);
        assertShape(p, 3, 3);
        assertExact(d(-1, 0, 1, -1, 2, 3, -1, -1, -1), p);
        assertExact(d(1, 3), Ops.pad(a, -1, 0));
        assertExact(d(NAN, 0, 1, NAN, 2, 3), Ops.pad(a, new int[]{1, 0}, NAN));
        assertShape(Ops.pad(a, -2, 0), 2, 0);
        assertShape(Ops.pad(a, -3, 1), 2, 0);
        assertExact(a.toDoubleArray(), Ops.pad(a));
        Tensor g = gradOf(t -> Ops.pad(t, 1, -1, 0, 1), iota(DType.FLOAT64, 2, 2));
        // output [3, 2]: column 0 is padding, column 1 is input column 0; row 2 is padding
        assertExact(d(1, 0, 3, 0), g);
        GradCheck.assertGradients(in -> Ops.pad(in[0], new int[]{2, -1, -1, 1, 1, 0}, 0.5), randn64(20, 2, 3, 4));
    }

    @Test
    void aNonFiniteFillValueIsNoAnomaly() {
        Tensor x = randn64(36, 2, 3).requiresGrad(true);
        try (dev.jgrad.core.AnomalyMode.Scope s = dev.jgrad.core.AnomalyMode.enable()) {
            Tensor p = Ops.pad(x, new int[]{1, 1}, Double.NEGATIVE_INFINITY);
            Tensor m = Ops.maskedFill(x, Tensor.of(new double[]{1, 0, 0}, 3), Double.NEGATIVE_INFINITY);
            assertEquals(Double.NEGATIVE_INFINITY, p.get(0));
            assertEquals(Double.NEGATIVE_INFINITY, m.get(0));
            Ops.sum(Ops.add(Ops.sum(Ops.narrow(p, 1, 1, 3)), Ops.sum(Ops.narrow(m, 1, 1, 2)))).backward();
        }
        assertExact(d(1, 2, 2, 1, 2, 2), x.grad());
    }

    @Test
    void padRejectsBadPaddings() {
        Tensor a = randn64(21, 2, 3);
        assertIllegalArgument(() -> Ops.pad(a, 1), "pad", "even length");
        assertIllegalArgument(() -> Ops.pad(a, 1, 1, 1, 1, 1, 1), "pad", "at most 2·rank = 4");
        assertIllegalArgument(() -> Ops.pad(a, -2, -2), "pad", "invalid size -1");
        assertIllegalArgument(() -> Ops.pad(a, (int[]) null), "pad", "null");
    }

    // ------------------------------------------------------------------ where / maskedFill

    @ParameterizedTest
    @EnumSource(DType.class)
    void whereBroadcastsAndRoutesTheGradient(DType dtype) {
        Tensor cond = of(dtype, d(1, 0, NAN), 3, 1); // NaN is non-zero: true
        Tensor a = of(dtype, d(10, 20), 2), b = of(dtype, d(-1, INF, NAN), 3, 1);
        Tensor y = Ops.where(cond, a, b);
        assertShape(y, 3, 2);
        assertExact(d(10, 20, INF, INF, 10, 20), y);
        a.requiresGrad(true);
        b.requiresGrad(true);
        Ops.sum(Ops.mul(Ops.where(cond, a, b), iota(dtype, 3, 2))).backward();
        assertExact(d(0 + 4, 1 + 5), a.grad());
        assertExact(d(0, 2 + 3, 0), b.grad()); // NaN in the unselected branch does not leak
        // a float32 mask selects between float64 tensors
        Tensor m32 = of(DType.FLOAT32, d(0, 1), 2);
        assertExact(d(5, 2), Ops.where(m32, of(DType.FLOAT64, d(1, 2), 2), of(DType.FLOAT64, d(5, 6), 2)));
    }

    @Test
    void whereAndMaskedFillPassGradcheck() {
        Tensor mask = Tensor.of(new double[]{1, 0, 0, 1, 0, 1}, 2, 1, 3);
        GradCheck.assertGradients(in -> Ops.where(mask, in[0], in[1]), randn64(22, 4, 1), randn64(23, 2, 4, 3));
        GradCheck.assertGradients(in -> Ops.maskedFill(in[0], Tensor.of(new double[]{1, 0, 0}, 1, 3), 7), randn64(24, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maskedFillWritesTheValueWhereTheMaskIsSet(DType dtype) {
        Tensor x = iota(dtype, 2, 3), mask = of(dtype, d(0, 1, 0), 3);
        assertExact(d(0, Double.NEGATIVE_INFINITY, 2, 3, Double.NEGATIVE_INFINITY, 5), Ops.maskedFill(x, mask, Double.NEGATIVE_INFINITY));
        assertExact(d(NAN, NAN, NAN, NAN, NAN, NAN), Ops.maskedFill(x, Tensor.scalar(1, dtype), NAN));
        Tensor g = gradOf(t -> Ops.maskedFill(t, mask, 9), iota(dtype, 2, 3));
        assertExact(d(0, 0, 2, 3, 0, 5), g);
        assertIllegalArgument(() -> Ops.maskedFill(x, of(dtype, d(1, 0), 2), 0), "maskedFill", "[2]", "[2, 3]");
        assertIllegalArgument(() -> Ops.maskedFill(x, Tensor.zeros(dtype, 2, 2, 3), 0), "maskedFill", "[2, 2, 3]");
        assertIllegalArgument(() -> Ops.where(null, x, x), "where", "null");
        assertIllegalArgument(() -> Ops.where(mask, x, Tensor.zeros(dtype, 2)), "where", "[2, 3]", "[2]");
    }

    // ------------------------------------------------------------------ gather / scatterAdd

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherAlongAnyDim(DType dtype) {
        Tensor x = iota(dtype, 3, 4);
        Tensor g0 = Ops.gather(x, 0, IntTensor.of(new int[]{2, 0, 1, 1, 0, 0, 2, 2}, 2, 4));
        assertExact(d(8, 1, 6, 7, 0, 1, 10, 11), g0);
        Tensor g1 = Ops.gather(x, -1, IntTensor.of(new int[]{3, 3, 0, 1, 2, 0}, 3, 2)); // index smaller than the input
        assertExact(d(3, 3, 4, 5, 10, 8), g1);
        assertShape(Ops.gather(x, 1, IntTensor.of(new int[0], 0, 5)), 0, 5);
        Tensor grad = gradOf(t -> Ops.gather(t, 1, IntTensor.of(new int[]{1, 1, 1, 0}, 2, 2)), iota(dtype, 2, 3));
        assertExact(d(0, 0 + 1, 0, 3, 2, 0), grad); // repeated indices add
        GradCheck.assertGradients(in -> Ops.gather(in[0], 1, IntTensor.of(new int[]{2, 0, 2, 1, 1, 1}, 1, 2, 3)), randn64(25, 2, 3, 4));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void scatterAddAccumulatesIntoACopy(DType dtype) {
        Tensor x = of(dtype, d(1, 1, 1, 1, 1, 1), 2, 3);
        IntTensor index = IntTensor.of(new int[]{0, 0, 2, 1}, 2, 2);
        Tensor src = iota(dtype, 2, 3);
        Tensor y = Ops.scatterAdd(x, 1, index, src);
        assertExact(d(1 + 0 + 1, 1, 1, 1, 1 + 4, 1 + 3), y);
        assertExact(d(1, 1, 1, 1, 1, 1), x); // the input is unchanged
        x.requiresGrad(true);
        src.requiresGrad(true);
        Ops.sum(Ops.mul(Ops.scatterAdd(x, 1, index, src), iota(dtype, 2, 3))).backward();
        assertExact(d(0, 1, 2, 3, 4, 5), x.grad());
        assertExact(d(0, 0, 0, 5, 4, 0), src.grad()); // src[.., 2] is never read
        GradCheck.assertGradients(in -> Ops.scatterAdd(in[0], 0, IntTensor.of(new int[]{1, 0, 1, 1, 1, 0}, 3, 2), in[1]),
                randn64(26, 2, 2), randn64(27, 3, 2));
    }

    @Test
    void gatherAndScatterAddRejectBadIndices() {
        Tensor x = randn64(28, 2, 3);
        assertIllegalArgument(() -> Ops.gather(x, 1, IntTensor.of(new int[]{0, 3}, 1, 2)), "gather", "index 3", "size 3");
        assertIllegalArgument(() -> Ops.gather(x, 1, IntTensor.of(new int[]{-1}, 1, 1)), "gather", "index -1");
        assertIllegalArgument(() -> Ops.gather(x, 1, IntTensor.of(new int[]{0, 0, 0}, 3, 1)), "gather", "[3, 1]", "[2, 3]");
        assertIllegalArgument(() -> Ops.gather(x, 0, IntTensor.of(0, 1)), "gather", "rank");
        assertIllegalArgument(() -> Ops.gather(x, 2, IntTensor.of(new int[]{0}, 1, 1)), "gather", "dim 2");
        assertIllegalArgument(() -> Ops.scatterAdd(x, 0, IntTensor.of(new int[]{0, 2}, 1, 2), randn64(29, 1, 2)), "scatterAdd", "index 2");
        assertIllegalArgument(() -> Ops.scatterAdd(x, 0, IntTensor.of(new int[]{0, 1}, 1, 2), randn64(30, 1, 1)), "scatterAdd", "src [1, 1]");
        assertIllegalArgument(() -> Ops.scatterAdd(x, 0, null, x), "scatterAdd", "null");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zeroDimensionalAndEmptyOperands(DType dtype) {
        Tensor s = Tensor.scalar(5, dtype);
        assertEquals(5.0, Ops.gather(s, 0, IntTensor.scalar(0)).item());
        assertEquals(12.0, Ops.scatterAdd(s, -1, IntTensor.scalar(0), Tensor.scalar(7, dtype)).item());
        assertEquals(5.0, Ops.where(Tensor.scalar(1, dtype), s, Tensor.scalar(1, dtype)).item());
        assertShape(Ops.where(Tensor.zeros(dtype, 0, 1), s, Tensor.zeros(dtype, 3)), 0, 3);
        Tensor e = Tensor.zeros(dtype, 2, 0, 3).requiresGrad(true);
        Tensor y = Ops.permute(Ops.expand(Ops.flip(Ops.pad(e, 1, 1), 0), 4, 2, 0, 5), 3, 0, 1, 2);
        assertShape(y, 5, 4, 2, 0);
        Ops.sum(y).backward();
        assertShape(e.grad(), 2, 0, 3);
        assertShape(Ops.scatterAdd(Tensor.zeros(dtype, 2, 3), 0, IntTensor.of(new int[0], 0, 3), Tensor.zeros(dtype, 0, 3)), 2, 3);
    }

    // ------------------------------------------------------------------ embedding

    @ParameterizedTest
    @EnumSource(DType.class)
    void embeddingLooksUpRowsAndAccumulatesRepeatedIndices(DType dtype) {
        Tensor w = iota(dtype, 4, 2);
        IntTensor idx = IntTensor.of(new int[]{3, 1, 3, 0}, 2, 2);
        Tensor e = Ops.embedding(w, idx);
        assertShape(e, 2, 2, 2);
        assertExact(d(6, 7, 2, 3, 6, 7, 0, 1), e);
        assertShape(Ops.embedding(w, IntTensor.scalar(2)), 2);
        assertShape(Ops.embedding(w, IntTensor.of(new int[0], 0)), 0, 2);
        Tensor g = gradOf(t -> Ops.embedding(t, idx), iota(dtype, 4, 2));
        assertExact(d(6, 7, 2, 3, 0, 0, 0 + 4, 1 + 5), g);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void embeddingPaddingRowIsLookedUpButGetsNoGradient(DType dtype) {
        IntTensor idx = IntTensor.of(3, 1, 3, 0);
        Tensor out = Ops.embedding(iota(dtype, 4, 2), idx, -1);
        assertExact(d(6, 7, 2, 3, 6, 7, 0, 1), out);
        Tensor g = gradOf(t -> Ops.embedding(t, idx, -1), iota(dtype, 4, 2));
        assertExact(d(6, 7, 2, 3, 0, 0, 0, 0), g);
        Tensor g0 = gradOf(t -> Ops.embedding(t, idx, 0), iota(dtype, 4, 2));
        assertExact(d(0, 0, 2, 3, 0, 0, 0 + 4, 1 + 5), g0);
    }

    @Test
    void embeddingPassesGradcheckAndRejectsBadArguments() {
        GradCheck.assertGradients(in -> Ops.embedding(in[0], IntTensor.of(new int[]{0, 2, 2, 1, 0, 0}, 3, 2)), randn64(31, 3, 2));
        Tensor w = randn64(32, 3, 2);
        assertIllegalArgument(() -> Ops.embedding(w, IntTensor.of(3)), "embedding", "index 3", "[3, 2]");
        assertIllegalArgument(() -> Ops.embedding(w, IntTensor.of(-1)), "embedding", "index -1");
        assertIllegalArgument(() -> Ops.embedding(w, IntTensor.of(0), 3), "embedding", "paddingIdx 3");
        assertIllegalArgument(() -> Ops.embedding(w, IntTensor.of(0), -4), "embedding", "paddingIdx -4");
        assertIllegalArgument(() -> Ops.embedding(randn64(33, 3), IntTensor.of(0)), "embedding", "2-D");
        assertIllegalArgument(() -> Ops.embedding(w, null), "embedding", "null");
    }

    // ------------------------------------------------------------------ no partial state; recycled nodes

    @Test
    void aRejectedCallRecordsNothing() {
        Tensor x = randn64(34, 2, 3).requiresGrad(true);
        assertIllegalArgument(() -> Ops.gather(x, 0, IntTensor.of(new int[]{0, 5, 0}, 1, 3)), "gather");
        assertIllegalArgument(() -> Ops.permute(x, 0, 0), "permute");
        assertNull(x.grad());
    }

    @Test
    void recycledNodesTakeTheParametersOfTheirNewCall() {
        Tensor x = randn64(35, 3, 4);
        Tensor mask = Tensor.of(new double[]{1, 0, 0, 1}, 4);
        List<List<Function<Tensor, Tensor>>> pairs = List.of(
                List.of(t -> Ops.permute(t, 1, 0), t -> Ops.permute(t, 0, 1)),
                List.of(t -> Ops.expand(t, 2, 3, 4), t -> Ops.expand(t, 1, -1, -1)),
                List.of(t -> Ops.slice(t, 1, 0, 4, 2), t -> Ops.slice(t, 0, 1, 3, 1)),
                List.of(t -> Ops.flip(t, 0), t -> Ops.flip(t, 1)),
                List.of(t -> Ops.pad(t, new int[]{1, 0}, 2), t -> Ops.pad(t, new int[]{0, 0, -1, 1}, -3)),
                List.of(t -> Ops.where(mask, t, Ops.neg(t)), t -> Ops.maskedFill(t, Tensor.of(new double[]{0, 1, 1}, 3, 1), 5)),
                List.of(t -> Ops.gather(t, 0, IntTensor.of(new int[]{2, 1, 0, 0}, 1, 4)), t -> Ops.gather(t, 1, IntTensor.of(new int[]{3, 3, 0}, 3, 1))),
                List.of(t -> Ops.scatterAdd(t, 0, IntTensor.of(new int[]{2, 1}, 1, 2), t), t -> Ops.scatterAdd(t, 1, IntTensor.of(new int[]{0, 0}, 1, 2), t)),
                List.of(t -> Ops.embedding(t, IntTensor.of(0, 2, 2)), t -> Ops.embedding(t, IntTensor.of(1, 1, 0), 1)));
        for (List<Function<Tensor, Tensor>> pair : pairs) {
            double[][][] heap = new double[2][][];
            for (int k = 0; k < 2; k++) heap[k] = valueAndGrad(pair.get(k), x);
            Workspace ws = Workspace.reusingGraph();
            for (int scope = 0; scope < 4; scope++) {
                int k = scope % 2;
                try (Workspace s = ws.open()) {
                    double[][] got = valueAndGrad(pair.get(k), x);
                    assertArrayEquals(heap[k][0], got[0], 0.0, "value, setting " + k + ", scope " + scope);
                    assertArrayEquals(heap[k][1], got[1], 0.0, "gradient, setting " + k + ", scope " + scope);
                }
            }
        }
    }

    private static double[][] valueAndGrad(Function<Tensor, Tensor> f, Tensor x0) {
        Tensor x = x0.copy().requiresGrad(true);
        Tensor y = f.apply(x);
        Ops.sum(Ops.mul(y, iota(y.dtype(), y.shape()))).backward();
        return new double[][]{y.toDoubleArray(), x.grad().toDoubleArray()};
    }
}
