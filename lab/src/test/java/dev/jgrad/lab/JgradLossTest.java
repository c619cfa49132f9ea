package dev.jgrad.lab;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JgradLossTest {
    /** The fused linear + cross-entropy on an identity weight is the cross-entropy of the logits: loss and gradient. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void linearCrossEntropyOnIdentityIsTheCrossEntropyOfTheLogits(DType dtype) {
        JgradLoss fused = JgradLoss.linearCrossEntropyOnIdentity();
        SplittableRandom r = new SplittableRandom(4);
        for (int c : new int[] {1, 10, 1000}) {
            int n = 7;
            double[] x = new double[n * c];
            for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian() * 30;
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = r.nextInt(c);
            Tensor a = Tensor.of(dtype, x, n, c).requiresGrad(true), b = Tensor.of(dtype, x, n, c).requiresGrad(true);
            Tensor la = fused.loss(a, IntTensor.of(t)), lb = Losses.crossEntropy(b, IntTensor.of(t));
            double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            assertEquals(lb.item(), la.item(), tol * Math.max(1, Math.abs(lb.item())), "C=" + c);
            la.backward();
            lb.backward();
            for (int i = 0; i < n * c; i++) assertEquals(b.grad().get(i), a.grad().get(i), tol, "C=" + c + " grad[" + i + "]");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fused.loss(Tensor.zeros(dtype, 1, JgradLoss.LINEAR_IDENTITY_MAX_CLASSES + 1), IntTensor.of(0)));
        assertTrue(e.getMessage().contains("4097 classes"), e.getMessage());
    }
}
