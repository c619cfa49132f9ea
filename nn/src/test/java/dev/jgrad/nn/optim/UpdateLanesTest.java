package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.kernel.KernelBackend;
import dev.jgrad.core.kernel.ScalarKernels;
import dev.jgrad.core.kernel.SimdKernels;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The optimizer rules with a SIMD backend ({@link UpdateLanesF32} and its generated float64 twin, split over the pool for large parameters) against the
 * scalar rules: bit for bit, float32 and float64, every length class (empty, shorter than a vector, vector multiples,
 * ragged tails), every SGD variant and special gradient values; and both forms pinned against the float32 rules
 * written out in plain {@code float} Java.
 */
class UpdateLanesTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 15, 16, 17, 33, 255, 256, 257, 1000};
    private static final double[] SPECIAL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, 1e-40, -1e-40};
    private static final KernelBackend SIMD = new SimdKernels(), SCALAR = new ScalarKernels();

    /** Random values with special values sprinkled in (every 5th element when {@code specials}). */
    private static Storage data(DType t, SplittableRandom r, int n, boolean specials) {
        Storage s = Storage.allocate(t, n);
        for (int i = 0; i < n; i++) s.set(i, specials && i % 5 == 2 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextGaussian() * 3);
        return s;
    }

    private static Storage copy(Storage s) {
        Storage c = Storage.allocate(s.dtype(), s.length());
        c.copyFrom(s, 0, 0, s.length());
        return c;
    }

    private static void same(String what, Storage expected, Storage got, int n) {
        for (int i = 0; i < n; i++) {
            if (Double.compare(expected.get(i), got.get(i)) != 0) {
                fail(what + " [" + i + "]: expected " + expected.get(i) + ", got " + got.get(i));
            }
        }
    }

    private static List<Tensor> param(DType t, int n) {
        return List.of(Tensor.zeros(t, n).requiresGrad(true));
    }

    private static Storage state(Optimizer o, String name) {
        return o.buffers().get(name).get(0).storage();
    }

    @Test
    void sgdMatchesScalarInEveryVariant() {
        SplittableRandom r = new SplittableRandom(5);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                for (int variant = 0; variant < 6; variant++) {
                    // 0 plain, 1 momentum, 2 momentum's first step, 3 Nesterov, 4 dampening + decay, 5 decay + special gradients
                    boolean withBuf = variant > 0, firstOnly = variant == 2, nesterov = variant == 3;
                    double momentum = withBuf ? 0.9 : 0, dampening = variant == 4 ? 0.1 : 0, wd = variant >= 4 ? 1e-2 : 0;
                    Sgd a = new Sgd(param(t, n), 0.05, momentum, dampening, nesterov, wd);
                    Sgd b = new Sgd(param(t, n), 0.05, momentum, dampening, nesterov, wd);
                    Storage p = data(t, r, n, false), p2 = copy(p);
                    for (int step = 0; step < (firstOnly ? 1 : 3); step++) {
                        Storage g = data(t, r, n, variant == 5);
                        a.update(SCALAR, 0, p, g, n);
                        b.update(SIMD, 0, p2, g, n);
                        String what = "sgd variant " + variant + " " + t + " n=" + n + " step " + step;
                        same(what + " p", p, p2, n);
                        if (withBuf) same(what + " buffer", state(a, "momentum"), state(b, "momentum"), n);
                    }
                }
            }
        }
    }

    @Test
    void adamMatchesScalarForAdamAndAdamW() {
        SplittableRandom r = new SplittableRandom(6);
        for (DType t : DType.values()) {
            for (int n : LENGTHS) {
                for (boolean decoupled : new boolean[]{false, true}) {
                    Adam a = new Adam(param(t, n), 1e-3, 0.9, 0.999, 1e-8, 0.05, decoupled);
                    Adam b = new Adam(param(t, n), 1e-3, 0.9, 0.999, 1e-8, 0.05, decoupled);
                    Storage p = data(t, r, n, false), p2 = copy(p);
                    for (int step = 0; step < 4; step++) {
                        Storage g = data(t, r, n, false);
                        if (n > 3) g.set(3, -0.0);
                        a.update(SCALAR, 0, p, g, n);
                        b.update(SIMD, 0, p2, g, n);
                        String what = (decoupled ? "adamw " : "adam ") + t + " n=" + n + " step " + step;
                        same(what + " p", p, p2, n);
                        same(what + " m", state(a, "exp_avg"), state(b, "exp_avg"), n);
                        same(what + " v", state(a, "exp_avg_sq"), state(b, "exp_avg_sq"), n);
                    }
                }
            }
        }
    }

    @Test
    void largeUpdatesSplitOverThePoolMatchScalar() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 300_001; // above the split threshold, not a multiple of the block or vector size
        for (DType t : DType.values()) largeUpdatesMatchScalar(r, n, t);
    }

    private static void largeUpdatesMatchScalar(SplittableRandom r, int n, DType t) {
        Sgd s1 = new Sgd(param(t, n), 0.05, 0.9, 0, false, 1e-4), s2 = new Sgd(param(t, n), 0.05, 0.9, 0, false, 1e-4);
        Adam a1 = Adam.adamW(param(t, n), 1e-3, 0.05), a2 = Adam.adamW(param(t, n), 1e-3, 0.05);
        Storage p = data(t, r, n, false), p2 = copy(p), q = data(t, r, n, false), q2 = copy(q);
        for (int round = 0; round < 3; round++) { // the pool worker may be parked or awake
            Storage g = data(t, r, n, false);
            s1.update(SCALAR, 0, p, g, n);
            s2.update(SIMD, 0, p2, g, n);
            same("large sgd p " + t + ", round " + round, p, p2, n);
            same("large sgd buffer, round " + round, state(s1, "momentum"), state(s2, "momentum"), n);
            a1.update(SCALAR, 0, q, g, n);
            a2.update(SIMD, 0, q2, g, n);
            same("large adamw p, round " + round, q, q2, n);
            same("large adamw m, round " + round, state(a1, "exp_avg"), state(a2, "exp_avg"), n);
            same("large adamw v, round " + round, state(a1, "exp_avg_sq"), state(a2, "exp_avg_sq"), n);
        }
    }

    private static Storage f32(float[] a) {
        return Storage.of(FMatrixRMaj.wrap(1, a.length, a));
    }

    /**
     * For float32 parameters both forms evaluate PyTorch's update rules in float, every operation rounded (as
     * PyTorch's kernels do for float32 tensors), not in double: pinned against the rules written out in plain
     * {@code float} Java over two steps, bit for bit.
     */
    @Test
    void float32UpdatesAreEvaluatedInFloat() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 1000;
        DType t = DType.FLOAT32;
        for (KernelBackend kernels : new KernelBackend[]{SCALAR, SIMD}) {
            double lr = 0.05, mom = 0.9, damp = 0.1, wd = 1e-4;
            Sgd sgd = new Sgd(param(t, n), lr, mom, damp, false, wd);
            Storage p = data(t, r, n, false);
            float[] pe = ((Storage.F32) copy(p)).a, be = new float[n];
            for (int step = 0; step < 2; step++) {
                Storage g = data(t, r, n, false);
                float[] ge = ((Storage.F32) g).a;
                sgd.update(kernels, 0, p, g, n);
                for (int i = 0; i < n; i++) {
                    float d = ge[i] + (float) wd * pe[i];
                    be[i] = step == 0 ? d : (float) mom * be[i] + (float) (1 - damp) * d;
                    pe[i] = pe[i] - (float) lr * be[i];
                }
                String what = kernels.name() + " sgd step " + step;
                same(what + " p", f32(pe), p, n);
                same(what + " buffer", f32(be), state(sgd, "momentum"), n);
            }

            for (boolean decoupled : new boolean[]{false, true}) {
                double alr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, awd = 0.05;
                Adam adam = new Adam(param(t, n), alr, b1, b2, eps, awd, decoupled);
                Storage q = data(t, r, n, false);
                float[] qe = ((Storage.F32) copy(q)).a, me = new float[n], ve = new float[n];
                for (int step = 1; step <= 2; step++) {
                    Storage g = data(t, r, n, false);
                    float[] ge = ((Storage.F32) g).a;
                    adam.update(kernels, 0, q, g, n);
                    double bc2 = Math.sqrt(1 - Math.pow(b2, step)), stepSize = alr / (1 - Math.pow(b1, step));
                    for (int i = 0; i < n; i++) {
                        float pi = qe[i], gi = ge[i];
                        if (decoupled) pi = pi * (float) (1 - alr * awd);
                        else gi = gi + (float) awd * pi;
                        me[i] = me[i] * (float) b1 + (float) (1 - b1) * gi;
                        ve[i] = ve[i] * (float) b2 + (float) (1 - b2) * gi * gi;
                        float denom = (float) Math.sqrt(ve[i]) / (float) bc2 + (float) eps;
                        qe[i] = pi - (float) stepSize * me[i] / denom;
                    }
                    String what = kernels.name() + (decoupled ? " adamw" : " adam") + " step " + step;
                    same(what + " p", f32(qe), q, n);
                    same(what + " m", f32(me), state(adam, "exp_avg"), n);
                    same(what + " v", f32(ve), state(adam, "exp_avg_sq"), n);
                }
            }
        }
    }
}
