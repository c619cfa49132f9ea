package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten and Dropout2d: shapes, parameters, initialisation, modes. */
class ConvLayersTest {
    static Tensor randn(long seed, DType dtype, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), dtype, shape);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void conv2dParametersShapesAndForward(DType dtype) {
        Conv2d conv = new Conv2d(4, 6, new int[]{3, 2}, new int[]{2, 1}, new int[]{1}, new int[]{1}, 2, true, "zeros",
                new SplittableRandom(1), dtype);
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        assertArrayEquals(new int[]{6, 2, 3, 2}, conv.weight().shape());
        assertArrayEquals(new int[]{6}, conv.bias().shape());
        assertEquals(dtype, conv.weight().dtype());
        Tensor x = randn(2, dtype, 2, 4, 7, 5);
        Tensor y = conv.forward(x);
        assertArrayEquals(new int[]{2, 6, 4, 6}, y.shape());
        assertArrayEquals(Ops.conv2d(x, conv.weight(), conv.bias(), new int[]{2, 1}, new int[]{1}, new int[]{1}, 2).toDoubleArray(),
                y.toDoubleArray());
        Conv2d same = new Conv2d(4, 3, new int[]{4}, new int[]{1}, "same", new int[]{1}, 1, false, "zeros", new SplittableRandom(3), dtype);
        assertNull(same.bias());
        assertEquals(List.of("weight"), List.copyOf(same.namedParameters().keySet()));
        assertArrayEquals(new int[]{2, 3, 7, 5}, same.forward(x).shape());
        assertArrayEquals(new int[]{3, 7, 5}, same.forward(randn(4, dtype, 4, 7, 5)).shape()); // unbatched
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void conv1dParametersShapesAndForward(DType dtype) {
        Conv1d conv = new Conv1d(3, 4, 3, 2, 1, 1, 1, true, "zeros", new SplittableRandom(5), dtype);
        assertArrayEquals(new int[]{4, 3, 3}, conv.weight().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        Tensor x = randn(6, dtype, 2, 3, 9);
        assertArrayEquals(new int[]{2, 4, 5}, conv.forward(x).shape());
        assertArrayEquals(Ops.conv1d(x, conv.weight(), conv.bias(), 2, 1, 1, 1).toDoubleArray(), conv.forward(x).toDoubleArray());
        Conv1d same = new Conv1d(3, 3, 4, 1, "same", 2, 3, true, "zeros", new SplittableRandom(7), dtype);
        assertArrayEquals(new int[]{3, 1, 4}, same.weight().shape());
        assertArrayEquals(new int[]{2, 3, 9}, same.forward(x).shape());
    }

    @Test
    void initialisationIsPyTorchsKaimingUniformWithASqrt5() {
        // fan_in = 16/2 · 3 · 3 = 72: weight and bias U(±1/√72), variance bound²/3
        Conv2d conv = new Conv2d(16, 64, new int[]{3}, new int[]{1}, new int[]{0}, new int[]{1}, 2, true, "zeros",
                new SplittableRandom(11), DType.FLOAT64);
        double bound = 1 / Math.sqrt(72);
        double[] w = conv.weight().toDoubleArray();
        double sum = 0, sq = 0, max = 0;
        for (double v : w) {
            sum += v;
            sq += v * v;
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.98 * bound, "max |w| " + max + " vs bound " + bound);
        double mean = sum / w.length, var = sq / w.length - mean * mean;
        assertEquals(0, mean, 4 * bound / Math.sqrt(3 * w.length));
        assertEquals(bound * bound / 3, var, 0.05 * bound * bound / 3);
        for (double v : conv.bias().toDoubleArray()) assertTrue(Math.abs(v) <= bound && v != 0);
        double bmax = 0;
        Conv1d c1 = new Conv1d(8, 512, 5, new SplittableRandom(12), DType.FLOAT64); // fan_in 40
        for (double v : c1.bias().toDoubleArray()) bmax = Math.max(bmax, Math.abs(v));
        assertTrue(bmax <= 1 / Math.sqrt(40) && bmax > 0.95 / Math.sqrt(40), "bias max " + bmax);
        // same seed, same parameters
        assertArrayEquals(w, new Conv2d(16, 64, new int[]{3}, new int[]{1}, new int[]{0}, new int[]{1}, 2, true, "zeros",
                new SplittableRandom(11), DType.FLOAT64).weight().toDoubleArray());
    }

    @Test
    void badConstructorArgumentsAreNamed() {
        SplittableRandom r = new SplittableRandom(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new int[]{3}, new int[]{1},
                new int[]{1}, new int[]{1}, 1, true, "reflect", r, DType.FLOAT32));
        assertTrue(e.getMessage().contains("Conv2d") && e.getMessage().contains("'reflect'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 6, new int[]{3}, new int[]{1}, new int[]{1}, new int[]{1},
                3, true, "zeros", r, DType.FLOAT32));
        assertTrue(e.getMessage().contains("in_channels 4") && e.getMessage().contains("groups 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new int[]{3}, new int[]{2}, "same", new int[]{1},
                1, true, "zeros", r, DType.FLOAT32));
        assertTrue(e.getMessage().contains("padding='same'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(4, 4, 0, r, DType.FLOAT32));
        assertTrue(e.getMessage().contains("Conv1d") && e.getMessage().contains("kernel_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new int[]{3, 3, 3}, new int[]{1}, new int[]{1},
                new int[]{1}, 1, true, "zeros", r, DType.FLOAT32));
        assertTrue(e.getMessage().contains("kernel_size") && e.getMessage().contains("1 or 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(new int[]{2}, null, null, false, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(-1, 1));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void poolingAndFlattenLayers(DType dtype) {
        Tensor x = randn(20, dtype, 2, 3, 8, 6);
        assertArrayEquals(new int[]{2, 3, 4, 3}, new MaxPool2d(2).forward(x).shape());
        assertArrayEquals(new int[]{2, 3, 4, 3}, new MaxPool2d(new int[]{3}, new int[]{2}, new int[]{1}, null, false).forward(x).shape());
        assertArrayEquals(new int[]{2, 3, 4, 3}, new AvgPool2d(2).forward(x).shape());
        assertArrayEquals(Ops.avgPool2d(x, new int[]{3, 2}, new int[]{2}, new int[]{1}, true, false, 5).toDoubleArray(),
                new AvgPool2d(new int[]{3, 2}, new int[]{2}, new int[]{1}, true, false, 5).forward(x).toDoubleArray());
        assertArrayEquals(new int[]{2, 3, 1, 1}, new AdaptiveAvgPool2d(1).forward(x).shape());
        assertArrayEquals(new int[]{2, 3, 3, 2}, new AdaptiveAvgPool2d(3, 2).forward(x).shape());
        assertArrayEquals(new int[]{2, 144}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[]{2, 3, 48}, new Flatten(2, 3).forward(x).shape());
        assertTrue(new MaxPool2d(2).namedParameters().isEmpty() && new Flatten().namedParameters().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void dropout2dZeroesWholeChannelsInTrainingOnly(DType dtype) {
        Dropout2d d = new Dropout2d(0.5, 42);
        Tensor x = Ops.add(Tensor.zeros(dtype, 16, 32, 3, 4), 1.0).requiresGrad(true);
        Tensor y = d.forward(x);
        int dropped = 0;
        for (int ch = 0; ch < 16 * 32; ch++) {
            double first = y.get(ch * 12);
            assertTrue(first == 0 || first == 2, "value " + first);
            for (int i = 1; i < 12; i++) assertEquals(first, y.get(ch * 12 + i), "channel " + ch + " is not uniform");
            if (first == 0) dropped++;
        }
        assertEquals(256, dropped, 48); // Binomial(512, 1/2): sd ≈ 11
        assertEquals(512, d.seedState());
        Ops.sum(y).backward();
        assertArrayEquals(y.toDoubleArray(), x.grad().toDoubleArray()); // g = 1: the gradient is the mask
        assertArrayEquals(new int[]{2, 3, 5}, d.forward(randn(21, dtype, 2, 3, 5)).shape());
        assertTrue(d.forward(randn(22, dtype, 2, 3, 5)).toDoubleArray().length == 30);
        d.eval();
        Tensor z = randn(23, dtype, 2, 3, 4, 4);
        assertSame(z, d.forward(z));
        assertThrows(IllegalArgumentException.class, () -> d.forward(randn(24, dtype, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout2d(1.0, 1));
    }
}
