package dev.jgrad.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Workspace#reusingGraph()}: recycled nodes ({@link Function#node}) and tensor objects, the fixed-arity
 * {@code apply}/{@code save}/{@code gradients}, and what stays the same as in a plain workspace.
 */
class GraphReuseTest {

    /** y = Σ (w ∘ x)² ({@link WorkspaceTest.SquareSum}: no constructor state, so recyclable); counts its instances. */
    static final AtomicInteger MADE = new AtomicInteger();

    static WorkspaceTest.SquareSum weighted() {
        MADE.incrementAndGet();
        return new WorkspaceTest.SquareSum();
    }

    /** Elementwise square, one input, recyclable. */
    static final class Square extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            save(x);
            Tensor y = outUninitializedLike(x);
            for (int i = 0; i < x.numel(); i++) y.set(i, x.get(i) * x.get(i));
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0];
            Tensor gx = outUninitializedLike(x);
            for (int i = 0; i < x.numel(); i++) gx.set(i, 2 * x.get(i) * g.get(i));
            return gradients(gx);
        }
    }

    private static Tensor step(Tensor w, Tensor x) {
        Tensor h = Function.node(Square.class, Square::new).apply(w);
        return Function.node(WorkspaceTest.SquareSum.class, GraphReuseTest::weighted).apply(h, x);
    }

    @Test
    void nodesAreMadeFreshOutsideAGraphReusingScope() {
        Square a = Function.node(Square.class, Square::new), b = Function.node(Square.class, Square::new);
        assertNotSame(a, b);
        Workspace plain = new Workspace();
        try (Workspace s = plain.open()) {
            assertNotSame(Function.node(Square.class, Square::new), Function.node(Square.class, Square::new));
        }
        try (Workspace s = plain.open()) {
            assertNotSame(a, Function.node(Square.class, Square::new));
        }
    }

    @Test
    void aGraphReusingStepComputesWhatTheHeapComputesAndOnceWarmAllocatesNothing() {
        Tensor x = Tensor.of(new double[]{0.5, 1, -1, 2}, 4);
        Tensor wHeap = Tensor.of(new double[]{1, -2, 3, 0.5}, 4).requiresGrad(true);
        Tensor lossHeap = step(wHeap, x);
        lossHeap.backward();

        Tensor w = Tensor.of(new double[]{1, -2, 3, 0.5}, 4).requiresGrad(true);
        Workspace ws = Workspace.reusingGraph();
        assertTrue(ws.reusesGraph());
        assertFalse(new Workspace().reusesGraph());
        int steps = 42;
        double[] losses = new double[steps];
        double[][] grads = new double[steps][4];
        long[] bytes = new long[steps];
        Function[] nodes = new Function[steps];
        com.sun.management.ThreadMXBean mx = allocationCounter();
        int madeBefore = 0;
        for (int s = 0; s < steps; s++) {
            if (s == 1) madeBefore = MADE.get();
            long b0 = mx == null ? 0 : mx.getCurrentThreadAllocatedBytes();
            ws.open();
            w.zeroGrad();
            Tensor loss = step(w, x);
            nodes[s] = loss.gradFn;
            loss.backward();
            losses[s] = loss.item();
            Tensor g = w.grad();
            for (int i = 0; i < 4; i++) grads[s][i] = g.get(i);
            ws.close();
            bytes[s] = mx == null ? 0 : mx.getCurrentThreadAllocatedBytes() - b0;
        }
        for (int s = 0; s < steps; s++) {
            assertEquals(lossHeap.item(), losses[s], 0.0, "step " + s);
            assertArrayEquals(wHeap.grad().toDoubleArray(), grads[s], 0.0, "step " + s);
        }
        assertEquals(madeBefore, MADE.get(), "no node made after the first step");
        for (int s = 2; s < steps; s++) assertSame(nodes[1], nodes[s], "the same node object, step " + s);
        if (mx != null) {
            // a step that allocates does so every time, so steps of exactly 0 bytes prove it allocates nothing; the
            // JIT may allocate on this thread in the odd step while it compiles and deoptimises, so a quarter of the
            // warm steps at 0 is asked, not all of them (in practice nearly all are)
            int zero = 0;
            for (int s = 2; s < steps; s++) if (bytes[s] == 0) zero++;
            assertTrue(4 * zero >= steps - 2, "bytes allocated per step " + java.util.Arrays.toString(bytes));
        }
    }

    /** The JDK's per-thread allocation counter, or null where the JVM does not provide it. */
    static com.sun.management.ThreadMXBean allocationCounter() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)) return null;
        if (!mx.isThreadAllocatedMemorySupported()) return null;
        if (!mx.isThreadAllocatedMemoryEnabled()) mx.setThreadAllocatedMemoryEnabled(true);
        return mx;
    }

    @Test
    void aRecycledNodeStartsClean() {
        Workspace ws = Workspace.reusingGraph();
        Tensor w = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true), x = Tensor.of(new double[]{3, 4}, 2);
        WorkspaceTest.SquareSum first;
        try (Workspace s = ws.open()) {
            first = Function.node(WorkspaceTest.SquareSum.class, GraphReuseTest::weighted);
            Tensor y = first.apply(w, x);
            assertSame(first, y.gradFn);
            assertTrue(first.needsInputGrad(0));
            assertFalse(first.needsInputGrad(1));
        }
        try (Workspace s = ws.open()) {
            WorkspaceTest.SquareSum again = Function.node(WorkspaceTest.SquareSum.class, GraphReuseTest::weighted);
            assertSame(first, again);
            assertFalse(again.needsInputGrad(0), "not applied yet: no input needs a gradient");
            // applied the other way round: the masks and saved tensors are this step's
            Tensor x2 = Tensor.of(new double[]{3, 4}, 2).requiresGrad(true);
            Tensor y = again.apply(Tensor.of(new double[]{1, 2}, 2), x2);
            assertFalse(again.needsInputGrad(0));
            assertTrue(again.needsInputGrad(1));
            y.backward();
            assertArrayEquals(new double[]{2 * 3 * 1, 2 * 4 * 4}, x2.grad().toDoubleArray(), 0.0);
            assertNull(w.grad(), "the old input got nothing");
        }
    }

    @Test
    void aNodeIsRecycledEvenWhenItsForwardThrew() {
        Workspace ws = Workspace.reusingGraph();
        WorkspaceTest.SquareSum failed;
        try (Workspace s = ws.open()) {
            failed = Function.node(WorkspaceTest.SquareSum.class, GraphReuseTest::weighted);
            Tensor w = Tensor.of(new double[]{1, 2}, 2), x = Tensor.of(new double[]{1}, 1);
            assertThrows(IndexOutOfBoundsException.class, () -> failed.apply(w, x));
        }
        try (Workspace s = ws.open()) {
            WorkspaceTest.SquareSum again = Function.node(WorkspaceTest.SquareSum.class, GraphReuseTest::weighted);
            assertSame(failed, again);
            assertEquals(5.0, again.apply(Tensor.of(new double[]{1, 2}, 2), Tensor.of(new double[]{1, 1}, 2)).item(), 0.0);
        }
    }

    @Test
    void theFixedArityApplyChecksLikeTheVarargsOneAndAReappliedNodeKeepsItsInputs() {
        Tensor w = Tensor.of(new double[]{1, 2}, 2).requiresGrad(true), x = Tensor.of(new double[]{3, 4}, 2);
        WorkspaceTest.SquareSum f = new WorkspaceTest.SquareSum();
        Tensor y = f.apply(w, x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.apply(x, w));
        assertTrue(e.getMessage().contains("applied only once"), e.getMessage());
        y.backward();
        assertArrayEquals(new double[]{2 * 1 * 9, 2 * 2 * 16}, w.grad().toDoubleArray(), 0.0, "the first inputs are still the graph's");
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> new WorkspaceTest.SquareSum().apply(w, Tensor.of(new float[]{3, 4}, 2)));
        assertTrue(mixed.getMessage().contains("mixed dtypes"), mixed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Square().apply((Tensor) null));
    }

    @Test
    void aSupplierOfAnotherClassIsRejected() {
        Workspace ws = Workspace.reusingGraph();
        try (Workspace s = ws.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Function.node(Function.class, Square::new));
            assertTrue(e.getMessage().contains("Function.node") && e.getMessage().contains("Square"), e.getMessage());
        }
    }

    @Test
    void aStaleReferenceIsDetectedInAPlainWorkspaceAndAliasesTheNextStepInAGraphReusingOne() {
        Tensor x = Tensor.of(new double[]{1, 2}, 2);
        Workspace plain = new Workspace();
        Tensor kept;
        try (Workspace s = plain.open()) {
            kept = Function.node(Square.class, Square::new).apply(x);
        }
        try (Workspace s = plain.open()) {
            Tensor now = Function.node(Square.class, Square::new).apply(Tensor.of(new double[]{5, 6}, 2));
            assertNotSame(kept, now);
            assertThrows(IllegalStateException.class, () -> kept.get(0));
        }
        Workspace reusing = Workspace.reusingGraph();
        Tensor old;
        try (Workspace s = reusing.open()) {
            old = Function.node(Square.class, Square::new).apply(x);
        }
        assertThrows(IllegalStateException.class, () -> old.get(0), "expired until the object is handed out again");
        try (Workspace s = reusing.open()) {
            Tensor now = Function.node(Square.class, Square::new).apply(Tensor.of(new double[]{5, 6}, 2));
            assertSame(old, now, "the documented price of graph reuse: the old reference is this step's tensor");
            assertEquals(25.0, old.get(0), 0.0);
        }
    }

    @Test
    void aRecycledTensorComesBackAsAFreshNonLeaf() {
        Workspace ws = Workspace.reusingGraph();
        Tensor first;
        try (Workspace s = ws.open()) {
            first = Function.out(DType.FLOAT64, 3);
            first.requiresGrad(true).retainGrad();
        }
        try (Workspace s = ws.open()) {
            Tensor again = Function.out(DType.FLOAT64, 3);
            assertSame(first, again);
            assertFalse(again.requiresGrad());
            assertNull(again.grad());
            assertNull(again.gradFn);
            assertTrue(again.isPooled());
            for (int i = 0; i < 3; i++) assertEquals(0.0, again.get(i), 0.0, "out() is zeroed");
            // another shape over an array of the same length gets its own tensor object
            Tensor other = Function.out(DType.FLOAT64, 1, 3);
            assertArrayEquals(new int[]{1, 3}, other.shape());
        }
    }

}
