package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.Kernels;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mask stream, distribution, scaling, gradient and reproducibility of {@link Dropout}. */
class DropoutTest {

    /** The documented mask: element 2k low half, 2k+1 high half of SplittableRandom's k-th nextLong after {@code skip} words. */
    private static boolean[] expectedKeep(long seed, long skip, double p, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < skip; i++) r.nextLong();
        long t = Math.round(p * 0x1p32);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i += 2) {
            long w = r.nextLong();
            keep[i] = (w & 0xFFFF_FFFFL) >= t;
            if (i + 1 < n) keep[i + 1] = (w >>> 32) >= t;
        }
        return keep;
    }

    private static Storage.F32 f32(int n) {
        return (Storage.F32) Storage.allocate(DType.FLOAT32, n);
    }

    private static Tensor ramp(DType dt, int n) {
        Tensor x = Tensor.zeros(dt, n);
        for (int i = 0; i < n; i++) x.set(i, 1 + i % 13 * 0.25);
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64, 65, 127, 300, 4099})
    void masksAreTheDocumentedHalvesOfTheSplittableRandomStream(int n) {
        for (DType dt : DType.values()) {
            Dropout d = new Dropout(0.3, 11);
            Tensor x = ramp(dt, n);
            Tensor y1 = d.forward(x), y2 = d.forward(x);
            long words = (n + 1) / 2;
            assertEquals(2 * words, d.seedState(), "each call starts on a fresh word");
            double scale = dt == DType.FLOAT32 ? (float) (1 / 0.7) : 1 / 0.7;
            boolean[] k1 = expectedKeep(11, 0, 0.3, n), k2 = expectedKeep(11, words, 0.3, n);
            for (int i = 0; i < n; i++) {
                double v = x.get(i) * scale;
                if (dt == DType.FLOAT32) v = (float) v;
                assertEquals(k1[i] ? v : 0, y1.get(i), 0, dt + " first mask, element " + i);
                assertEquals(k2[i] ? v : 0, y2.get(i), 0, dt + " second mask, element " + i);
            }
        }
    }

    @Test
    void vectorKernelIsBitIdenticalToTheScalarOne() {
        // the tests run with the Vector API module, so the fast backend is the one in use
        assertInstanceOf(SimdKernels.class, Kernels.backend());
        KernelBackend vector = new SimdKernels(), scalar = new ScalarKernels();
        SplittableRandom rng = new SplittableRandom(5);
        double[] ps = {1e-12, 0.1, 0.2, 0.5, 0.75, 0.9, 1 - 0x1p-40};
        for (int trial = 0; trial < 200; trial++) {
            int n = trial < 70 ? trial : rng.nextInt(1, 5000);
            double p = ps[trial % ps.length];
            long start = rng.nextLong(), t = Math.round(p * 0x1p32);
            Storage.F32 in = f32(n);
            for (int i = 0; i < n; i++) in.a[i] = (float) rng.nextGaussian();
            if (n > 3) in.a[3] = Float.NaN;
            Storage.F32 a = f32(n), b = f32(n);
            Dropout.mask(vector, start, t, 1 / (1 - p), in, a, n);
            Dropout.mask(scalar, start, t, 1 / (1 - p), in, b, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(b.a[i]), Float.floatToRawIntBits(a.a[i]), "n=" + n + " p=" + p + " element " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.2, 0.5, 0.9})
    void keptFractionIsOneMinusPAndKeptValuesAreScaledByOneOverOneMinusP(double p) {
        int n = 1_000_000;
        Dropout d = new Dropout(p, 3);
        Tensor x = Tensor.full(2.0, DType.FLOAT32, 1000, 1000);
        Tensor y = d.forward(x);
        float scaled = 2.0f * (float) (1 / (1 - p));
        long kept = 0;
        float[] v = y.toFloatArray();
        for (float f : v) {
            if (f != 0) {
                assertEquals(scaled, f, 0f, "kept values are x / (1 - p)");
                kept++;
            }
        }
        double sd = Math.sqrt(p * (1 - p) / n);
        assertEquals(1 - p, kept / (double) n, 5 * sd, "kept fraction within 5 standard errors");
        // inverted dropout keeps the mean
        assertEquals(2.0, Ops.mean(y).item(), 2.0 * 5 * sd / (1 - p));
    }

    @Test
    void dropProbabilityIsExactForDyadicPAndWithinTwoToTheMinus33Otherwise() {
        assertEquals(0.5, new Dropout(0.5, 1).effectiveDropProbability(), 0);
        assertEquals(0.125, new Dropout(0.125, 1).effectiveDropProbability(), 0);
        assertEquals(0, new Dropout(0, 1).effectiveDropProbability(), 0);
        for (double p : new double[] {0.1, 0.2, 1.0 / 3, 0.999}) {
            assertEquals(p, new Dropout(p, 1).effectiveDropProbability(), 0x1p-33, "p = " + p);
        }
        assertEquals(0.2, new Dropout(0.2, 1).p(), 0);
    }

    @Test
    void gradientIsTheMaskAndZeroWhereDropped() {
        Dropout d = new Dropout(0.4, 8);
        Tensor x = ramp(DType.FLOAT64, 501).requiresGrad(true);
        Tensor y = d.forward(x);
        Tensor w = ramp(DType.FLOAT64, 501); // a non-uniform upstream gradient
        Ops.sum(Ops.mul(y, w)).backward();
        boolean[] keep = expectedKeep(8, 0, 0.4, 501);
        int dropped = 0;
        for (int i = 0; i < 501; i++) {
            double g = x.grad().get(i);
            if (keep[i]) {
                assertEquals(w.get(i) / 0.6, g, 1e-12, "kept element " + i);
            } else {
                assertEquals(0.0, g, 0, "dropped element " + i);
                assertEquals(0.0, y.get(i), 0);
                dropped++;
            }
        }
        assertTrue(dropped > 150 && dropped < 250, "dropped " + dropped);
    }

    @Test
    void gradCheckWithTheMaskHeldFixed() {
        Dropout d = new Dropout(0.5, 21);
        Tensor x = Tensor.randn(new SplittableRandom(4), DType.FLOAT64, 6, 7).requiresGrad(true);
        // rewinding before every evaluation makes the function deterministic: the same mask each time
        GradCheck.assertGradients(in -> {
            d.restoreSeedState(0);
            return Ops.sum(Ops.mul(d.forward(in[0]), in[0]));
        }, x);
    }

    @Test
    void theSameSeedGivesTheSameMasksAndOtherSeedsDifferent() {
        Tensor x = Tensor.ones(DType.FLOAT32, 32, 64);
        Dropout a = new Dropout(0.2, 42), b = new Dropout(0.2, 42), c = new Dropout(0.2, 43);
        for (int step = 0; step < 3; step++) {
            Tensor ya = a.forward(x), yb = b.forward(x), yc = c.forward(x);
            assertTrue(ya.contentEquals(yb), "step " + step);
            assertFalse(ya.contentEquals(yc), "step " + step);
        }
    }

    @Test
    void restoringAPositionIsConstantTimeAndMatchesTheStream() {
        Tensor x = Tensor.ones(DType.FLOAT64, 10);
        Dropout d = new Dropout(0.5, 9);
        d.restoreSeedState(1000);
        boolean[] keep = expectedKeep(9, 1000, 0.5, 10);
        Tensor y = d.forward(x);
        for (int i = 0; i < 10; i++) assertEquals(keep[i] ? 2.0 : 0.0, y.get(i), 0);
        assertEquals(1005, d.seedState());
        // a position far beyond anything a loop could skip: instantaneous, and repeatable
        long far = 1L << 50;
        Dropout e = new Dropout(0.5, 9), f = new Dropout(0.5, 1);
        e.restoreSeedState(far);
        f.restoreSeedState(9, far);
        assertTrue(e.forward(x).contentEquals(f.forward(x)));
        assertEquals(far + 5, e.seedState());
        assertThrows(IllegalArgumentException.class, () -> e.restoreSeedState(-1));
    }

    @Test
    void noGradAndNaNInputs() {
        Dropout d = new Dropout(0.5, 2);
        Tensor x = Tensor.full(Double.NaN, DType.FLOAT32, 100).requiresGrad(true);
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = d.forward(x);
        }
        assertFalse(y.requiresGrad(), "no graph under noGrad");
        assertEquals(50, d.seedState(), "training mode draws a mask even without a graph");
        // NaN · 0 is NaN: dropping does not hide a non-finite input (as with an explicit mask multiplication)
        for (float v : y.toFloatArray()) assertTrue(Float.isNaN(v));
    }

    @Test
    void evalModeAndPZeroAreTheIdentity() {
        Tensor x = ramp(DType.FLOAT32, 10);
        Dropout d = new Dropout(0.3, 1);
        d.eval();
        assertTrue(d.forward(x) == x);
        assertTrue(new Dropout(0, 1).forward(x) == x);
        assertEquals(0, d.seedState());
        assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray(), 0f);
        assertThrows(IllegalArgumentException.class, () -> d.forward(null));
    }
}
