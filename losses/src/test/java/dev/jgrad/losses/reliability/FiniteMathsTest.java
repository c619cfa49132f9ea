package dev.jgrad.losses.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No NaN where the maths is finite: {@code 0·∞} terms of the cross-entropies. */
class FiniteMathsTest {

    @Test
    void crossEntropyBetweenHasAZeroGradientInQWherePIsZero() {
        for (DType dt : DType.values()) {
            Tensor p = Tensor.of(dt, new double[] {0, 1, 0, 0.5, 0.5, 0}, 2, 3).requiresGrad(true);
            Tensor q = Tensor.of(dt, new double[] {0, 1, 0.5, 0.5, 0.5, 0}, 2, 3).requiresGrad(true);
            Tensor h = Losses.crossEntropyBetween(p, q);
            dev.jgrad.ops.Ops.sum(h).backward();
            double[] gq = q.grad().toDoubleArray();
            assertEquals(0.0, gq[0], dt + ": p = q = 0");
            assertEquals(0.0, gq[2], dt + ": p = 0, q = 0.5");
            assertEquals(0.0, gq[5], dt + ": p = q = 0");
            assertEquals(-1.0, gq[1], 1e-6);
            assertEquals(-1.0, gq[3], 1e-6);
            assertEquals(Double.POSITIVE_INFINITY, p.grad().get(0), "-log 0");
            assertEquals(Math.log(2), h.get(1), 1e-6);
        }
    }

    /** Probability targets with extreme but finite logits: the {@code 0·log softmax} terms are 0, never NaN. */
    @Test
    void probabilityTargetCrossEntropyWithExtremeFiniteLogitsIsNeverNaN() {
        for (DType dt : DType.values()) {
            for (int c : new int[] {2, 3, 8, 17, 40}) {
                for (double big : new double[] {1e38, 3.4e38, 1e300}) {
                    if (dt == DType.FLOAT32 && big > 3.4e38) continue;
                    for (double smoothing : new double[] {0, 0.1}) {
                        double[] lg = new double[2 * c], tg = new double[2 * c];
                        for (int i = 0; i < lg.length; i++) {
                            lg[i] = i % 2 == 0 ? big : -big;
                            tg[i] = i == 0 || i == c + 1 ? 1 : 0;
                        }
                        Tensor x = Tensor.of(dt, lg, 2, c).requiresGrad(true);
                        Tensor loss = Losses.crossEntropy(x, Tensor.of(dt, tg, 2, c), null, Reduction.SUM, smoothing);
                        loss.backward();
                        String what = dt + " C=" + c + " ±" + big + " smoothing " + smoothing;
                        assertTrue(!Double.isNaN(loss.item()), what + ": loss " + loss.item());
                        for (double g : x.grad().toDoubleArray()) assertTrue(!Double.isNaN(g), what + ": gradient NaN");
                    }
                }
            }
        }
        // -inf with target 0 is PyTorch's NaN (0·(-inf)), kept as documented
        Tensor x = Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY}, 1, 2);
        assertTrue(Double.isNaN(Losses.crossEntropy(x, Tensor.of(new double[] {1, 0}, 1, 2)).item()));
    }
}
