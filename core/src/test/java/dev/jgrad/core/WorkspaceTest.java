package dev.jgrad.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffer reuse by {@link Workspace}: recycling, the lifetime rule, kept gradients and misuse. */
class WorkspaceTest {

    /** y = Σ (w ∘ x)² as a custom op built on the out helpers, so the test needs nothing outside core. */
    static final class SquareSum extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor w = in[0], x = in[1];
            save(w, x);
            Tensor y = Function.out(w.dtype());
            double s = 0;
            for (int i = 0; i < w.numel(); i++) {
                double v = w.get(i) * x.get(i);
                s += v * v;
            }
            y.set(0, s);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor w = saved()[0], x = saved()[1];
            Tensor gw = needsInputGrad(0) ? outUninitializedLike(w) : null;
            Tensor gx = needsInputGrad(1) ? outUninitializedLike(x) : null;
            for (int i = 0; i < w.numel(); i++) {
                double wi = w.get(i), xi = x.get(i);
                if (gw != null) gw.set(i, g.item() * 2 * wi * xi * xi);
                if (gx != null) gx.set(i, g.item() * 2 * xi * wi * wi);
            }
            return gradients(gw, gx);
        }
    }

    private static Tensor weights() {
        return Tensor.of(new double[]{1, -2, 3, 0.5}, 4).requiresGrad(true);
    }

    @Test
    void outOutsideAScopeIsAnOrdinaryHeapTensor() {
        Tensor t = Function.out(DType.FLOAT32, 2, 3);
        assertFalse(t.isPooled());
        assertEquals(6, t.numel());
        for (int i = 0; i < 6; i++) assertEquals(0.0, t.get(i));
    }

    @Test
    void buffersAreReusedFromTheSecondStepOnAndResultsDoNotChange() {
        Workspace ws = new Workspace();
        Tensor w = weights(), x = Tensor.of(new double[]{0.5, 1, -1, 2}, 4);
        double[] losses = new double[5];
        long afterFirst = -1;
        for (int step = 0; step < 5; step++) {
            try (Workspace s = ws.open()) {
                w.zeroGrad();
                Tensor loss = new SquareSum().apply(w, x);
                loss.backward();
                losses[step] = loss.item();
                for (int i = 0; i < 4; i++) w.set(i, w.get(i) - 0.01 * w.grad().get(i));
            }
            if (step == 0) afterFirst = ws.arraysAllocated();
        }
        assertEquals(afterFirst, ws.arraysAllocated(), "steps after the first allocate no arrays");
        // the same five steps on the heap give the same numbers
        Tensor w2 = weights();
        for (int step = 0; step < 5; step++) {
            w2.zeroGrad();
            Tensor loss = new SquareSum().apply(w2, x);
            loss.backward();
            assertEquals(losses[step], loss.item(), 0.0, "step " + step);
            for (int i = 0; i < 4; i++) w2.set(i, w2.get(i) - 0.01 * w2.grad().get(i));
        }
        assertTrue(w.contentEquals(w2));
    }

    @Test
    void aTensorUsedAfterItsScopeClosedThrowsInsteadOfReadingRecycledData() {
        Workspace ws = new Workspace();
        Tensor kept, view, copy;
        try (Workspace s = ws.open()) {
            kept = Function.out(DType.FLOAT64, 2, 2);
            kept.set(0, 42);
            view = kept.view(4);
            copy = kept.copy();
            assertTrue(kept.isPooled());
            assertTrue(view.isPooled());
            assertFalse(copy.isPooled());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.get(0));
        assertTrue(e.getMessage().contains("recycled"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        assertThrows(IllegalStateException.class, kept::storage);
        assertThrows(IllegalStateException.class, kept::matrix);
        assertThrows(IllegalStateException.class, kept::toDoubleArray);
        assertThrows(IllegalStateException.class, () -> view.get(0));
        assertThrows(IllegalStateException.class, kept::detach);
        assertFalse(kept.isPooled());
        assertEquals(42.0, copy.get(0), "a copy taken inside the scope survives it");
    }

    @Test
    void aKeptGradientSurvivesTheScopeAndReturnsToThePoolOnZeroGrad() {
        Workspace ws = new Workspace();
        Tensor w = weights(), x = Tensor.of(new double[]{1, 1, 1, 1}, 4);
        try (Workspace s = ws.open()) {
            new SquareSum().apply(w, x).backward();
        }
        Tensor g = w.grad();
        assertNotNull(g);
        assertEquals(2.0, g.get(0), "the gradient is readable after the scope: the leaf kept it");
        assertFalse(g.isPooled());
        long arrays = ws.arraysAllocated();
        w.zeroGrad();
        assertNull(w.grad());
        assertThrows(IllegalStateException.class, () -> g.get(0), "a cleared kept gradient is recycled");
        try (Workspace s = ws.open()) {
            new SquareSum().apply(w, x).backward();
        }
        assertEquals(arrays, ws.arraysAllocated(), "the returned gradient array is reused");
        assertEquals(-4.0, w.grad().get(1));
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsInOneScope() {
        Workspace ws = new Workspace();
        Tensor w = weights(), x = Tensor.of(new double[]{1, 1, 1, 1}, 4);
        try (Workspace s = ws.open()) {
            new SquareSum().apply(w, x).backward();
            new SquareSum().apply(w, x).backward();
        }
        assertEquals(4.0, w.grad().get(0));
        assertEquals(12.0, w.grad().get(2));
    }

    @Test
    void scopesDoNotNestAndBelongToOneThread() throws Exception {
        Workspace a = new Workspace(), b = new Workspace();
        try (Workspace s = a.open()) {
            assertTrue(a.isOpen());
            assertThrows(IllegalStateException.class, a::open);
            IllegalStateException e = assertThrows(IllegalStateException.class, b::open);
            assertTrue(e.getMessage().contains("do not nest"), e.getMessage());
            AtomicReference<Throwable> fromOther = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    a.close();
                } catch (Throwable ex) {
                    fromOther.set(ex);
                }
                // another thread sees no open workspace: its op results are heap tensors
                if (Function.out(DType.FLOAT32, 3).isPooled()) fromOther.set(new AssertionError("leaked scope"));
            });
            t.start();
            t.join();
            assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
        }
        assertFalse(a.isOpen());
        a.close(); // closing a closed workspace is a no-op
        try (Workspace s = b.open()) {
            assertSame(b, s);
        }
    }

    @Test
    void recycledBuffersAreZeroedForOutButNotForOutUninitialized() {
        Workspace ws = new Workspace();
        try (Workspace s = ws.open()) {
            Tensor t = Function.out(DType.FLOAT32, 8);
            for (int i = 0; i < 8; i++) t.set(i, 7);
        }
        try (Workspace s = ws.open()) {
            Tensor t = Function.out(DType.FLOAT32, 8);
            for (int i = 0; i < 8; i++) assertEquals(0.0, t.get(i));
            t.set(3, 9);
        }
        try (Workspace s = ws.open()) {
            Tensor t = Function.outUninitialized(DType.FLOAT32, 8);
            assertEquals(9.0, t.get(3), "outUninitialized reuses the array as it is");
        }
        assertEquals(1, ws.arraysAllocated());
        assertEquals(32, ws.bytesAllocated());
    }

    @Test
    void pooledTensorsReuseTheirMatrixAndShapeButOldOnesStillExpire() {
        Workspace ws = new Workspace();
        Tensor first, second;
        org.ejml.data.Matrix firstMatrix;
        try (Workspace s = ws.open()) {
            first = Function.out(DType.FLOAT32, 2, 3);
            firstMatrix = first.matrix();
        }
        try (Workspace s = ws.open()) {
            second = Function.out(DType.FLOAT32, 2, 3);
            assertSame(firstMatrix, second.matrix(), "the pooled array comes back with its matrix");
            assertArrayEquals(new int[]{2, 3}, second.shape());
            assertThrows(IllegalStateException.class, first::matrix, "the earlier tensor stays expired");
            assertThrows(IllegalStateException.class, () -> first.get(0));
            assertTrue(second.isPooled());
            assertFalse(first.isPooled());
        }
    }

    @Test
    void shapesOfOneLengthGetMatricesOfTheirOwnSize() {
        Workspace ws = new Workspace();
        for (int step = 0; step < 3; step++) {
            try (Workspace s = ws.open()) {
                // [2, 3], [3, 2] and [6] share one pool; each tensor still gets its own shape and matrix size
                Tensor a = Function.out(DType.FLOAT64, 2, 3), b = Function.outUninitialized(DType.FLOAT64, 3, 2);
                Tensor c = Function.out(DType.FLOAT64, 6), d = Function.out(DType.FLOAT64, new int[]{1, 2, 3});
                Tensor[] all = {a, b, c, d};
                int[][] rowsCols = {{2, 3}, {3, 2}, {1, 6}, {2, 3}};
                for (int i = 0; i < all.length; i++) {
                    assertEquals(rowsCols[i][0], all[i].dmatrix().numRows, "tensor " + i + " step " + step);
                    assertEquals(rowsCols[i][1], all[i].dmatrix().numCols);
                    assertSame(((Storage.F64) all[i].storage()).a, all[i].dmatrix().data);
                }
                assertArrayEquals(new int[]{1, 2, 3}, d.shape());
                assertArrayEquals(new int[]{6}, c.shape());
                for (Tensor t : all) for (Tensor u : all) if (t != u) assertNotSame(t.storage(), u.storage());
            }
        }
        // a matrix whose public fields were changed through matrix() is not handed out again as it is
        Tensor changed;
        try (Workspace s = ws.open()) {
            changed = Function.out(DType.FLOAT32, 4, 5);
            org.ejml.data.FMatrixRMaj m = changed.fmatrix();
            m.numRows = 5;
            m.numCols = 4;
        }
        try (Workspace s = ws.open()) {
            Tensor again = Function.out(DType.FLOAT32, 4, 5);
            assertEquals(4, again.fmatrix().numRows);
            assertEquals(5, again.fmatrix().numCols);
            assertSame(((Storage.F32) again.storage()).a, again.fmatrix().data);
            Tensor vector = Function.out(DType.FLOAT32, 20);
            assertArrayEquals(new int[]{20}, vector.shape());
            assertEquals(1, vector.fmatrix().numRows);
        }
    }
}
