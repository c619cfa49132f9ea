package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm and RMSNorm: PyTorch's parameter and buffer names, initial values,
 * train/eval behaviour, and three SGD steps against PyTorch 1.13 (values printed by
 * {@code conformance/tools/gen_norm_layers.py}, float64).
 */
class NormLayersTest {

    // ------------------------------------------------------------------ PyTorch reference runs

    /** {@code sin(0.37·i + 1.3·k)·2 + 0.1·k + 0.05·(i mod 3)} in row-major order: the k-th input of the reference run. */
    static Tensor data(int k, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.numel(); i++) t.set(i, Math.sin(0.37 * i + 1.3 * k) * 2 + 0.1 * k + 0.05 * (i % 3));
        return t;
    }

    /** Three training steps: loss {@code Σ bn(x_k)·cos(0.11·i)}, SGD with lr 0.1; then eval on {@code x_7}. */
    static Tensor run(BatchNormBase bn, int... shape) {
        Tensor c = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < c.numel(); i++) c.set(i, Math.cos(0.11 * i));
        for (int k = 0; k < 3; k++) {
            bn.train(true);
            bn.zeroGrad();
            Ops.sum(Ops.mul(bn.forward(data(k, shape)), c)).backward();
            for (Tensor p : bn.parameters()) {
                for (int i = 0; i < p.numel(); i++) p.set(i, p.get(i) - 0.1 * p.grad().get(i));
            }
        }
        bn.eval();
        return bn.forward(data(7, shape));
    }

    static void assertClose(double[] expected, Tensor actual) {
        assertEquals(expected.length, Math.min(expected.length, actual.numel()));
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual.get(i);
            int k = i;
            assertTrue(Math.abs(a - e) <= 1e-12 + 1e-10 * Math.abs(e), () -> "element " + k + ": expected " + e + " but was " + a);
        }
    }

    @Test
    void batchNorm2dTrainedThreeStepsMatchesPyTorch() {
        BatchNorm2d bn = new BatchNorm2d(3, DType.FLOAT64);
        Tensor y = run(bn, 4, 3, 2, 2);
        assertClose(new double[]{-0.24736638835393837, 1.0300451084766582, 2.251932104479678}, bn.weight());
        assertClose(new double[]{0.5073010182490961, 0.7929965987941073, 0.9276289651243894}, bn.bias());
        assertClose(new double[]{0.06838315226691785, 0.01568178207756714, 0.011844477802106054}, bn.runningMean());
        assertClose(new double[]{1.287382340136107, 1.305468403547958, 1.2819171135451162}, bn.runningVar());
        assertClose(new double[]{3.0}, bn.numBatchesTracked());
        assertClose(new double[]{0.2304633436420807, 0.37841010744860526, 0.5236890265934901, 0.6778640830307908,
                -0.1945653890601973, -0.30108269881110883}, y);
    }

    @Test
    void batchNorm2dWithoutMomentumKeepsTheCumulativeAverage() {
        BatchNorm2d bn = new BatchNorm2d(3, 1e-5, null, true, true, DType.FLOAT64);
        Tensor y = run(bn, 4, 3, 2, 2);
        assertClose(new double[]{0.25790070267564424, 0.06766244756122546, 0.027167938056277943}, bn.runningMean());
        assertClose(new double[]{2.0709501684896208, 2.1174877843076763, 2.0492218307474737}, bn.runningVar());
        assertClose(new double[]{3.0}, bn.numBatchesTracked());
        assertClose(new double[]{0.3216071376560252, 0.43825453607851467, 0.5527984945123974, 0.674356538584048,
                -0.019219518099819588, -0.10285557564110001}, y);
    }

    @Test
    void batchNorm1dTrainedThreeStepsMatchesPyTorch() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-3, 0.3, true, true, DType.FLOAT64);
        Tensor y = run(bn, 5, 2, 3);
        assertClose(new double[]{0.4847906454272839, 0.7406788292945266}, bn.weight());
        assertClose(new double[]{-0.386970856679043, 0.5186305325070617}, bn.bias());
        assertClose(new double[]{0.08861429603384019, 0.013150267546027179}, bn.runningMean());
        assertClose(new double[]{1.6546552711949563, 1.711279246789105}, bn.runningVar());
        assertClose(new double[]{0.08382668081805815, -0.17184905526939365, -0.4229143279030877, 0.10705876284227785,
                -0.09999923655098208, -0.16687849144296218}, y);
    }

    // ------------------------------------------------------------------ names, initial values, modes

    @Test
    void parameterAndBufferNamesAreTorchs() {
        BatchNorm2d bn = new BatchNorm2d(4, DType.FLOAT32);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertEquals(Set.of("num_batches_tracked"), bn.integralBuffers());
        assertArrayEquals(new double[]{1, 1, 1, 1}, bn.weight().toDoubleArray());
        assertArrayEquals(new double[4], bn.bias().toDoubleArray());
        assertArrayEquals(new double[4], bn.runningMean().toDoubleArray());
        assertArrayEquals(new double[]{1, 1, 1, 1}, bn.runningVar().toDoubleArray());
        assertEquals(0, bn.numBatchesTracked().rank());
        BatchNorm1d plain = new BatchNorm1d(3, 1e-5, 0.1, false, false, DType.FLOAT64);
        assertTrue(plain.stateDict().isEmpty());
        assertEquals(List.of("weight", "bias"), List.copyOf(new LayerNorm(new int[]{2, 3}, DType.FLOAT64).stateDict().keySet()));
        assertArrayEquals(new int[]{2, 3}, new LayerNorm(new int[]{2, 3}, DType.FLOAT64).weight().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(new GroupNorm(2, 4, DType.FLOAT64).stateDict().keySet()));
        assertEquals(List.of("weight"), List.copyOf(new RMSNorm(new int[]{5}, DType.FLOAT64).stateDict().keySet()));
        assertTrue(new LayerNorm(new int[]{3}, 1e-5, false, DType.FLOAT64).stateDict().isEmpty());
        assertTrue(new GroupNorm(1, 3, 1e-5, false, DType.FLOAT64).stateDict().isEmpty());
        assertTrue(new RMSNorm(new int[]{3}, 1e-6, false, DType.FLOAT64).stateDict().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void evalModeUsesTheRunningStatisticsAndChangesNoBuffer(DType dtype) {
        BatchNorm2d bn = new BatchNorm2d(2, dtype);
        bn.runningMean().set(0, 1.5);
        bn.runningVar().set(1, 4);
        bn.eval();
        Tensor x = Tensor.randn(new SplittableRandom(3), dtype, 1, 2, 2, 2); // one sample: fine in eval
        Tensor y = bn.forward(x);
        for (int i = 0; i < 8; i++) {
            double mean = i < 4 ? 1.5 : 0, var = i < 4 ? 1 : 4;
            assertEquals((x.get(i) - mean) / Math.sqrt(var + 1e-5), y.get(i), dtype == DType.FLOAT32 ? 1e-6 : 1e-14);
        }
        assertArrayEquals(new double[]{1.5, 0}, bn.runningMean().toDoubleArray());
        assertArrayEquals(new double[]{1, 4}, bn.runningVar().toDoubleArray());
        assertEquals(0.0, bn.numBatchesTracked().item());
    }

    @Test
    void withoutTrackingBothModesUseBatchStatistics() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.1, true, false, DType.FLOAT64);
        Tensor x = data(0, 4, 2);
        Tensor train = bn.forward(x);
        bn.eval();
        assertArrayEquals(train.toDoubleArray(), bn.forward(x).toDoubleArray());
        assertNull(bn.runningMean());
    }

    @Test
    void badInputsNameTheLayerAndChangeNoBuffer() {
        BatchNorm2d bn = new BatchNorm2d(3, DType.FLOAT64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(DType.FLOAT64, 2, 3, 4)));
        assertTrue(e.getMessage().contains("BatchNorm2d: expected 4D input (got 3D input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(DType.FLOAT64, 2, 4, 1, 1)));
        assertTrue(e.getMessage().contains("numFeatures = 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(DType.FLOAT64, 1, 3, 1, 1)));
        assertTrue(e.getMessage().contains("Expected more than 1 value per channel when training"), e.getMessage());
        assertEquals(0.0, bn.numBatchesTracked().item());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2, DType.FLOAT64).forward(Tensor.zeros(DType.FLOAT64, 2, 2, 2, 2)));
        assertTrue(e.getMessage().contains("BatchNorm1d: expected 2D or 3D input (got 4D input"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(2, 1e-5, 1.5, true, true, DType.FLOAT64));
        e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6, DType.FLOAT64));
        assertTrue(e.getMessage().contains("GroupNorm: numChannels = 6 must be divisible by numGroups = 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[0], DType.FLOAT64));
        assertTrue(e.getMessage().startsWith("LayerNorm: normalizedShape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RMSNorm(new int[]{3}, DType.FLOAT64).forward(Tensor.zeros(DType.FLOAT64, 2, 4)));
        assertTrue(e.getMessage().contains("rmsNorm: normalizedShape [3]"), e.getMessage());
    }

    @Test
    void layersApplyTheirOps() {
        Tensor x = data(1, 2, 4, 3);
        LayerNorm ln = new LayerNorm(new int[]{4, 3}, DType.FLOAT64);
        ln.weight().set(2, 3.0);
        assertArrayEquals(Ops.layerNorm(x, new int[]{4, 3}, ln.weight(), ln.bias(), 1e-5).toDoubleArray(), ln.forward(x).toDoubleArray());
        GroupNorm gn = new GroupNorm(2, 4, 1e-3, true, DType.FLOAT64);
        gn.bias().set(1, -1.0);
        assertArrayEquals(Ops.groupNorm(x, 2, gn.weight(), gn.bias(), 1e-3).toDoubleArray(), gn.forward(x).toDoubleArray());
        RMSNorm rms = new RMSNorm(new int[]{3}, DType.FLOAT64);
        assertArrayEquals(Ops.rmsNorm(x, new int[]{3}, null, null).toDoubleArray(), rms.forward(x).toDoubleArray());
    }
}
