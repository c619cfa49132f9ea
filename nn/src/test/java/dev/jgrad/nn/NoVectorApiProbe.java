package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;

import java.util.SplittableRandom;

/**
 * Trains a small MLP with dropout, the fused cross-entropy and both optimizers (parameters large enough for the
 * optimizers' parallel element ranges) and prints the backend, then every loss and a parameter checksum as exact bits;
 * run in child JVMs by {@link NoVectorApiTrainingTest}.
 */
public final class NoVectorApiProbe {
    private NoVectorApiProbe() {
    }

    public static void main(String[] args) {
        System.out.println(Kernels.backend().name());
        for (DType dt : DType.values()) {
            for (boolean adam : new boolean[]{false, true}) {
                SplittableRandom rng = new SplittableRandom(3);
                Sequential net = new Sequential(new Linear(64, 1100, true, Init.HE_UNIFORM, rng, dt),
                        new Activation(Activation.Kind.RELU), new Dropout(0.25, 9),
                        new Linear(1100, 10, true, Init.HE_UNIFORM, rng, dt));
                Optimizer opt = adam ? Adam.adamW(net.parameters(), 1e-3) : new Sgd(net.parameters(), 0.05, 0.9, 0, false, 1e-4);
                CrossEntropyLoss ce = CrossEntropyLoss.builder().build();
                Tensor x = Tensor.randn(new SplittableRandom(4), dt, 32, 64);
                int[] y = new int[32];
                for (int i = 0; i < y.length; i++) y[i] = i % 10;
                IntTensor target = IntTensor.of(y, 32);
                StringBuilder line = new StringBuilder(dt + (adam ? " adamw" : " sgd"));
                for (int step = 0; step < 3; step++) {
                    opt.zeroGrad();
                    Tensor loss = ce.apply(net.forward(x), target);
                    loss.backward();
                    opt.step();
                    line.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(loss.item())));
                }
                double sum = 0;
                for (Tensor p : net.parameters()) for (int i = 0; i < p.numel(); i++) sum += p.storage().get(i) * (1 + i % 7);
                System.out.println(line.append(" params ").append(Long.toHexString(Double.doubleToRawLongBits(sum))));
            }
        }
    }
}
