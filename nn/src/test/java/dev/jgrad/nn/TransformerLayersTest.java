package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedding, GELU, SiLU, Residual and Lambda: names, initialisation, forward and the padding row's gradient. */
class TransformerLayersTest {
    @Test
    void embeddingInitialisesNormalWithAZeroPaddingRowThatGetsNoGradient() {
        Embedding e = new Embedding(50, 8, -1, new SplittableRandom(1), DType.FLOAT64);
        assertEquals(49, e.paddingIdx());
        assertEquals(List.of("weight"), List.copyOf(e.namedParameters().keySet()));
        double sum = 0, sq = 0;
        for (int i = 0; i < 49 * 8; i++) {
            sum += e.weight().get(i);
            sq += e.weight().get(i) * e.weight().get(i);
        }
        assertEquals(0, sum / 392, 0.15);
        assertEquals(1, sq / 392, 0.2);
        for (int j = 0; j < 8; j++) assertEquals(0.0, e.weight().at(49, j));
        Tensor y = e.forward(IntTensor.of(new int[]{3, 49, 3, 0}, 2, 2));
        assertArrayEquals(new int[]{2, 2, 8}, y.shape());
        assertArrayEquals(y.toDoubleArray(), e.forward(Tensor.of(new double[]{3, 49, 3, 0}, 2, 2)).toDoubleArray());
        Ops.sum(y).backward();
        assertEquals(2.0, e.weight().grad().at(3, 5));
        assertEquals(0.0, e.weight().grad().at(49, 5));
        assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(new double[]{1.5}, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 2, 5, new SplittableRandom(1), DType.FLOAT64));
        Embedding plain = new Embedding(4, 3, new SplittableRandom(2), DType.FLOAT32);
        assertEquals(Embedding.NO_PADDING, plain.paddingIdx());
        assertEquals(DType.FLOAT32, plain.weight().dtype());
    }

    @Test
    void activationsResidualAndLambda() {
        Tensor x = Tensor.of(new double[]{-1.5, 0, 0.5, 2}, 2, 2);
        assertArrayEquals(Ops.gelu(x).toDoubleArray(), new GELU().forward(x).toDoubleArray());
        assertArrayEquals(Ops.gelu(x).toDoubleArray(), new GELU("none").forward(x).toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GELU("tanh"));
        assertTrue(e.getMessage().contains("tanh approximation is not implemented"), e.getMessage());
        assertArrayEquals(Ops.silu(x).toDoubleArray(), new SiLU().forward(x).toDoubleArray());

        Linear lin = new Linear(2, 2, true, Init.PYTORCH_DEFAULT, new SplittableRandom(3), DType.FLOAT64);
        Sequential net = new Sequential(new Residual(lin), new Lambda(t -> Ops.mul(t, 2.0)));
        assertEquals(List.of("0.fn.weight", "0.fn.bias"), List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(Ops.mul(Ops.add(x, lin.forward(x)), 2.0).toDoubleArray(), net.forward(x).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new Residual(null));
        assertThrows(IllegalArgumentException.class, () -> new Lambda(null));
    }
}
