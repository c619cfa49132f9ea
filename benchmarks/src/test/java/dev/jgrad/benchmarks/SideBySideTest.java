package dev.jgrad.benchmarks;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The side-by-side workloads compute what their names say, the same on every call (learning rate 0). */
class SideBySideTest {
    /** The loss of a fresh network of the same seed and batch, computed outside any workspace. */
    private static double plainLoss(int in, int[] hidden, int batch, DType dt) {
        Sequential net = Mlp.builder(in, MlpStepBenchmark.CLASSES).hidden(hidden).activation(Activation.Kind.RELU)
                .dtype(dt).seed(MlpStepBenchmark.SEED).build();
        SplittableRandom rng = new SplittableRandom(MlpStepBenchmark.SEED);
        Tensor x = Tensor.randn(rng, dt, batch, in);
        IntTensor y = BenchmarkSupport.randomTargets(rng, batch, MlpStepBenchmark.CLASSES);
        try (GradMode.Scope s = GradMode.noGrad()) {
            return Losses.crossEntropy(net.forward(x), y).item();
        }
    }

    @Test
    void everySharedWorkloadRunsAndRepeatsItself() {
        for (String name : SideBySide.SHARED) {
            DoubleSupplier f = SideBySide.workload(name);
            assertNotNull(f, name);
            double a = f.getAsDouble(), b = f.getAsDouble();
            assertTrue(Double.isFinite(a), name + ": " + a);
            assertEquals(a, b, 0.0, name + " changes between calls (learning rate 0)");
        }
        assertThrows(IllegalArgumentException.class, () -> SideBySide.workload("mlp_nothing"));
    }

    @Test
    void theMlpStepsAreTheNamedNetworksOnTheirBatches() {
        assertEquals(plainLoss(64, new int[]{128, 64}, 32, DType.FLOAT32),
                SideBySide.workload("mlp_tiny_64-128-64-10_b32_adam").getAsDouble(), 1e-5);
        assertEquals(plainLoss(784, new int[]{256, 128}, 128, DType.FLOAT32),
                SideBySide.workload("mlp_mnist_784-256-128-10_b128_sgd").getAsDouble(), 1e-5);
        assertEquals(plainLoss(784, new int[]{1024, 1024}, 256, DType.FLOAT32),
                SideBySide.workload("mlp_wide_784-1024-1024-10_b256_sgd").getAsDouble(), 1e-5);
        assertEquals(plainLoss(784, new int[]{256, 128}, 128, DType.FLOAT64),
                SideBySide.workload("mlp_mnist_f64_784-256-128-10_b128_sgd").getAsDouble(), 1e-12);
    }
}
