package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Unflatten} and the {@link Cnn} model: shapes, parameter count and names, errors, a training step. */
class CnnTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void unflattenSplitsOneDimensionAsAViewAndPassesGradients(DType dtype) {
        double[] v = new double[2 * 12];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Tensor x = Tensor.of(dtype, v, 2, 12).requiresGrad(true);
        Tensor y = new Unflatten(1, 3, -1, 2).forward(x);
        assertArrayEquals(new int[]{2, 3, 2, 2}, y.shape());
        assertArrayEquals(v, y.toDoubleArray());
        assertArrayEquals(new int[]{2, 1, 12}, new Unflatten(0, 2, 1).forward(x.detach()).shape());
        assertArrayEquals(new int[]{2, 4, 3}, new Unflatten(-1, 4, 3).forward(x.detach()).shape());
        dev.jgrad.ops.Ops.sum(y).backward();
        for (double g : x.grad().toDoubleArray()) assertEquals(1.0, g);
    }

    @Test
    void unflattenRejectsBadSizesNamingThem() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 12);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, 5, 2).forward(x)), "Unflatten", "[5, 2]", "12");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, 5, -1).forward(x)), "Unflatten", "[5, -1]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, -1, -1)), "Unflatten", "-1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, 0, 12)), "Unflatten", "[0, 12]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Unflatten(1)), "Unflatten", "empty");
        assertThrows(IllegalArgumentException.class, () -> new Unflatten(2, 12).forward(x));
    }

    @Test
    void smallCnnHasPytorchNamesAndParameterCount() {
        Sequential net = Cnn.small(1, 28, 28, 10, 0.25, 1, DType.FLOAT32);
        assertEquals(421_834, net.parameterCount());
        assertEquals(List.of("1.weight", "1.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
                "5.weight", "5.bias", "6.weight", "6.bias", "6.running_mean", "6.running_var", "6.num_batches_tracked",
                "10.weight", "10.bias", "13.weight", "13.bias"), List.copyOf(net.stateDict().keySet()));
        assertArrayEquals(new int[]{128, 3136}, net.stateDict().get("10.weight").shape());
        assertEquals(53_194, Cnn.small(1, 8, 8, 10, 0, 1, DType.FLOAT64).parameterCount());
    }

    @Test
    void cnnRejectsBadSizes() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Cnn.small(1, 30, 28, 10, 0, 1, DType.FLOAT32)), "Cnn", "height=30");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Cnn.of(1, 8, 8, 3, 0, 8, 16, 0, 1, DType.FLOAT32)), "Cnn", "c1=0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Cnn.small(1, 8, 8, 10, 1.0, 1, DType.FLOAT32)), "Cnn", "dropout");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Cnn.small(1, 8, 8, 10, 0, 1, null)), "Cnn", "dtype");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void aTrainingStepInAGraphReusingWorkspaceMatchesTheHeapStep(DType dtype) {
        Sequential a = Cnn.of(1, 8, 8, 3, 4, 8, 16, 0.25, 3, dtype), b = Cnn.of(1, 8, 8, 3, 4, 8, 16, 0.25, 3, dtype);
        Tensor x = Tensor.randn(new java.util.SplittableRandom(4), dtype, 5, 64);
        Tensor heap = dev.jgrad.ops.Ops.sum(a.forward(x));
        heap.backward();
        Workspace ws = Workspace.reusingGraph();
        for (int round = 0; round < 2; round++) {
            b.zeroGrad();
            try (Workspace w = ws.open()) {
                Tensor loss = dev.jgrad.ops.Ops.sum(b.forward(x));
                loss.backward();
                assertEquals(heap.item(), loss.item(), 0.0);
            }
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(a.parameters().get(i).grad().toDoubleArray(), b.parameters().get(i).grad().toDoubleArray(), "param " + i);
            }
            // the dropout masks and running statistics advance in both; rerun the heap step for the next round
            a.zeroGrad();
            heap = dev.jgrad.ops.Ops.sum(a.forward(x));
            heap.backward();
        }
        assertSame(b, b.train(true));
    }

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }
}
