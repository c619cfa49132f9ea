package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer updates checked against hand-computed values. Every case starts from p = [1, -2] (float64)
 * with gradient g1 = [0.5, 0.25] and, for a second step, g2 = [1, -1].
 */
class OptimizersTest {
    private static final double TOL = 1e-12;
    private static final double[] P0 = {1.0, -2.0};
    private static final double[] G1 = {0.5, 0.25};
    private static final double[] G2 = {1.0, -1.0};

    private static Tensor param(double... v) {
        return Tensor.of(v.clone(), v.length).requiresGrad(true);
    }

    private static void grad(Tensor p, double... g) {
        p.setGrad(Tensor.of(g.clone(), g.length));
    }

    private static void step(Optimizer opt, Tensor p, double... g) {
        opt.zeroGrad();
        grad(p, g);
        opt.step();
    }

    private static Map<String, Tensor> snapshot(Optimizer opt) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        opt.state().forEach((k, v) -> m.put(k, v.copy()));
        return m;
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertTrue(v.contentEquals(actual.get(k)), "state entry " + k + " changed"));
    }

    // ------------------------------------------------------------------ SGD

    @Test
    void sgdPlainStep() {
        Tensor p = param(P0);
        Sgd opt = new Sgd(List.of(p), 0.1);
        step(opt, p, G1);
        // p - 0.1·g = [1 - 0.05, -2 - 0.025]
        assertArrayEquals(new double[] {0.95, -2.025}, p.toDoubleArray(), TOL);
        assertEquals(1, opt.steps());
        assertFalse(opt.state().containsKey("momentum.0"), "plain SGD keeps no momentum buffer");
        step(opt, p, G2);
        assertArrayEquals(new double[] {0.85, -1.925}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdMomentumFirstStepUsesGradientThenDampenedAverage() {
        Tensor p = param(P0);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0.5, false, 0);
        step(opt, p, G1);
        // step 1: buf = g1 = [0.5, 0.25] (no dampening on the first step); p = [0.95, -2.025]
        assertArrayEquals(new double[] {0.5, 0.25}, opt.state().get("momentum.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.95, -2.025}, p.toDoubleArray(), TOL);
        step(opt, p, G2);
        // step 2: buf = 0.9·[0.5, 0.25] + (1 - 0.5)·[1, -1] = [0.95, -0.275]; p = [0.95 - 0.095, -2.025 + 0.0275]
        assertArrayEquals(new double[] {0.95, -0.275}, opt.state().get("momentum.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.855, -1.9975}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdNesterov() {
        Tensor p = param(P0);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0, true, 0);
        step(opt, p, G1);
        // buf = g1; update = g1 + 0.9·buf = 1.9·g1 = [0.95, 0.475]; p = [0.905, -2.0475]
        assertArrayEquals(new double[] {0.905, -2.0475}, p.toDoubleArray(), TOL);
        step(opt, p, G2);
        // buf = 0.9·[0.5, 0.25] + [1, -1] = [1.45, -0.775]; update = g2 + 0.9·buf = [2.305, -1.6975]
        // p = [0.905 - 0.2305, -2.0475 + 0.16975]
        assertArrayEquals(new double[] {1.45, -0.775}, opt.state().get("momentum.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.6745, -1.87775}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdWeightDecayIsAddedToTheGradient() {
        Tensor p = param(P0);
        Sgd opt = new Sgd(List.of(p), 0.1, 0, 0, false, 0.01);
        step(opt, p, G1);
        // g' = g + 0.01·p = [0.51, 0.23]; p = [1 - 0.051, -2 - 0.023]
        assertArrayEquals(new double[] {0.949, -2.023}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdWeightDecayWithMomentumEntersTheBuffer() {
        Tensor p = param(P0);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0, false, 0.1);
        step(opt, p, G1);
        // g' = [0.5 + 0.1, 0.25 - 0.2] = [0.6, 0.05] = buf; p = [0.94, -2.005]
        assertArrayEquals(new double[] {0.6, 0.05}, opt.state().get("momentum.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.94, -2.005}, p.toDoubleArray(), TOL);
        step(opt, p, G2);
        // g' = [1 + 0.094, -1 - 0.2005] = [1.094, -1.2005]; buf = 0.9·[0.6, 0.05] + g' = [1.634, -1.1555]
        assertArrayEquals(new double[] {1.634, -1.1555}, opt.state().get("momentum.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.7766, -1.88945}, p.toDoubleArray(), TOL);
    }

    @Test
    void sgdOnFloat32ParametersKeepsFloat32() {
        Tensor p = Tensor.of(new float[] {1f, -2f}, 2).requiresGrad(true);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0, false, 0);
        p.setGrad(Tensor.of(new float[] {0.5f, 0.25f}, 2));
        opt.step();
        assertEquals(DType.FLOAT32, p.dtype());
        assertEquals(DType.FLOAT32, opt.state().get("momentum.0").dtype());
        assertArrayEquals(new float[] {0.95f, -2.025f}, p.toFloatArray(), 1e-7f);
    }

    // ------------------------------------------------------------------ Adam / AdamW

    @Test
    void adamFirstTwoStepsWithBiasCorrection() {
        Tensor p = param(P0);
        Adam opt = new Adam(List.of(p), 0.1); // betas (0.9, 0.999), eps 1e-8
        step(opt, p, G1);
        // t = 1: m = 0.1·g = [0.05, 0.025], v = 0.001·g² = [2.5e-4, 6.25e-5]
        // m̂ = m/0.1 = g, √v̂ = √(v/0.001) = |g|, p -= 0.1·g/(|g| + 1e-8)
        //   = [1 - 0.05/0.50000001, -2 - 0.025/0.25000001] = [0.900000002, -2.099999996]
        assertArrayEquals(new double[] {0.05, 0.025}, opt.state().get("exp_avg.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {2.5e-4, 6.25e-5}, opt.state().get("exp_avg_sq.0").toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.900000002, -2.099999996}, p.toDoubleArray(), TOL);
        step(opt, p, G2);
        // t = 2: m = 0.9·[0.05, 0.025] + 0.1·[1, -1] = [0.145, -0.0775]
        //        v = 0.999·[2.5e-4, 6.25e-5] + 0.001·[1, 1] = [0.00124975, 0.0010624375]
        //        bias corrections 1 - 0.9² = 0.19 and 1 - 0.999² = 0.001999
        //        p -= 0.1·(m/0.19)/(√(v/0.001999) + 1e-8)
        //          = [0.900000002 - 0.0965182013614906, -2.099999996 + 0.0559503486363238]
        assertArrayEquals(new double[] {0.145, -0.0775}, opt.state().get("exp_avg.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.00124975, 0.0010624375}, opt.state().get("exp_avg_sq.0").toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.8034818006385094, -2.0440496473636762}, p.toDoubleArray(), TOL);
        assertEquals(2, opt.steps());
    }

    @Test
    void adamEpsIsAddedToTheCorrectedRootOfV() {
        Tensor p = param(P0);
        Adam opt = new Adam(List.of(p), 0.1, 0.9, 0.999, 0.5, 0, false);
        step(opt, p, G1);
        // t = 1: p -= 0.1·g/(|g| + 0.5) = [0.1·0.5/1.0, 0.1·0.25/0.75] = [0.05, 0.0333…]
        assertArrayEquals(new double[] {0.95, -2.0 - 0.1 / 3}, p.toDoubleArray(), TOL);
    }

    @Test
    void adamWithL2AddsDecayToTheGradient() {
        Tensor p = param(P0);
        Adam opt = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.1, false);
        step(opt, p, G1);
        // g' = g + 0.1·p = [0.6, 0.05]; t = 1: p -= 0.1·g'/(|g'| + 1e-8)
        assertArrayEquals(new double[] {0.06, 0.005}, opt.state().get("exp_avg.0").toDoubleArray(), TOL);
        assertArrayEquals(new double[] {1 - 0.06 / 0.60000001, -2 - 0.005 / 0.05000001}, p.toDoubleArray(), TOL);
        assertArrayEquals(new double[] {0.9000000016666666, -2.09999998}, p.toDoubleArray(), 1e-11);
    }

    @Test
    void adamWDecaysTheParameterFirstAndKeepsItOutOfTheMoments() {
        Tensor p = param(P0);
        Adam opt = Adam.adamW(List.of(p), 0.1, 0.1);
        step(opt, p, G1);
        // p ← p·(1 - 0.1·0.1) = [0.99, -1.98], then the plain Adam t = 1 update [-0.099999998, +0.099999996]·sign:
        //   [0.99 - 0.099999998, -1.98 - 0.099999996] = [0.890000002, -2.079999996]
        // (decaying after the update would give 0.900000002·0.99 = 0.89100000198)
        assertArrayEquals(new double[] {0.05, 0.025}, opt.state().get("exp_avg.0").toDoubleArray(), TOL, "moments see the raw gradient");
        assertArrayEquals(new double[] {0.890000002, -2.079999996}, p.toDoubleArray(), TOL);
        step(opt, p, G2);
        // t = 2: [0.890000002·0.99 - 0.0965182013614906, -2.079999996·0.99 + 0.0559503486363238]
        assertArrayEquals(new double[] {0.7845818006185094, -2.0032496474036763}, p.toDoubleArray(), TOL);
    }

    @Test
    void adamWDefaultWeightDecayIsPyTorchs() {
        Tensor p = param(P0);
        Adam opt = Adam.adamW(List.of(p), 0.1); // weight decay 0.01
        step(opt, p, G1);
        // p·(1 - 0.001) = [0.999, -1.998], then ∓0.0999999980 / 0.099999996
        assertArrayEquals(new double[] {0.999 - 0.099999998, -1.998 - 0.099999996}, p.toDoubleArray(), TOL);
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void zeroGradClearsEveryGradient() {
        Tensor a = param(1, 2), b = param(3);
        Sgd opt = new Sgd(List.of(a, b), 0.1);
        grad(a, 1, 1);
        grad(b, 1);
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
        opt.step(); // no gradients: nothing changes
        assertArrayEquals(new double[] {1, 2}, a.toDoubleArray(), 0);
        assertArrayEquals(new double[] {3}, b.toDoubleArray(), 0);
    }

    @Test
    void parameterWithoutGradIsUntouchedAndGetsNoState() {
        for (int kind = 0; kind < 3; kind++) {
            Tensor a = param(P0), b = param(5, 6, 7);
            Optimizer opt = kind == 0 ? new Sgd(List.of(a, b), 0.1, 0.9, 0, true, 0.1)
                    : kind == 1 ? Adam.adamW(List.of(a, b), 0.1, 0.5) : new Adam(List.of(a, b), 0.1, 0.9, 0.999, 1e-8, 0.5, false);
            grad(a, G1);
            opt.step();
            opt.step();
            assertArrayEquals(new double[] {5, 6, 7}, b.toDoubleArray(), 0, opt.getClass().getSimpleName() + " changed a parameter without grad (weight decay must not apply)");
            assertFalse(a.contentEquals(param(P0)));
            for (String k : opt.state().keySet()) assertFalse(k.endsWith(".1"), "state " + k + " created for a parameter without grad");
        }
    }

    @Test
    void nonFiniteGradientThrowsAndChangesNothing() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            for (int kind = 0; kind < 2; kind++) {
                Tensor a = param(P0), b = param(3, 4);
                Tensor a2 = param(P0), b2 = param(3, 4);
                Optimizer opt = kind == 0 ? new Sgd(List.of(a, b), 0.1, 0.9, 0, false, 0) : Adam.adamW(List.of(a, b), 0.1, 0.1);
                Optimizer ref = kind == 0 ? new Sgd(List.of(a2, b2), 0.1, 0.9, 0, false, 0) : Adam.adamW(List.of(a2, b2), 0.1, 0.1);
                // one good step on both
                grad(a, G1); grad(b, 1, 1); opt.step();
                grad(a2, G1); grad(b2, 1, 1); ref.step();
                Tensor aBefore = a.copy(), bBefore = b.copy();
                Map<String, Tensor> stateBefore = snapshot(opt);
                // parameter 0 has a fine gradient, parameter 1 a bad one: the check must come before any update
                grad(a, G2);
                grad(b, 1, bad);
                IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
                assertTrue(e.getMessage().contains("parameter 1"), e.getMessage());
                assertTrue(a.contentEquals(aBefore), "parameter 0 changed");
                assertTrue(b.contentEquals(bBefore), "parameter 1 changed");
                assertSameState(stateBefore, snapshot(opt));
                assertEquals(1, opt.steps());
                // and the next good step is exactly what an optimizer that never saw the bad gradient does
                grad(b, 2, 2);
                opt.step();
                grad(a2, G2); grad(b2, 2, 2); ref.step();
                assertTrue(a.contentEquals(a2) && b.contentEquals(b2), "step after a rejected step diverged");
            }
        }
    }

    @Test
    void invalidHyperParametersAreRejected() {
        List<Tensor> ps = List.of(param(P0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, -0.9, 0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, 0.9, 0, false, -1e-4));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, 0, 0, true, 0), "Nesterov without momentum");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0.1, 0.9, 0.1, true, 0), "Nesterov with dampening");
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, -1e-3));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 1.0, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 0.9, 1.0, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 0.9, 1.5, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3, -0.1, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 0.9, 0.999, -1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> Adam.adamW(ps, 1e-3, -0.01));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(Tensor.of(new double[] {1}, 1)), 0.1), "parameter without requiresGrad");
        Sgd ok = new Sgd(ps, 0.1);
        assertThrows(IllegalArgumentException.class, () -> ok.setLr(-1));
        assertEquals(0.1, ok.lr());
        ok.setLr(0.0);
        assertEquals(0.0, ok.lr());
        // valid edge cases
        new Sgd(ps, 0.1, 0.9, 0, true, 0);
        new Adam(ps, 1e-3, 0.0, 0.0, 0.0, 0, false);
    }

    // ------------------------------------------------------------------ state

    @Test
    void stateRoundTripContinuesIdentically() {
        for (int kind = 0; kind < 2; kind++) {
            Tensor a = param(P0), b = param(3, -4, 5);
            Optimizer opt = kind == 0 ? new Sgd(List.of(a, b), 0.1, 0.9, 0.1, false, 0.01) : Adam.adamW(List.of(a, b), 0.05, 0.1);
            for (int s = 0; s < 2; s++) {
                grad(a, G1[0] + s, G1[1] - s);
                grad(b, 1, 2 * s, -1);
                opt.step();
            }
            opt.setLr(0.07);
            Map<String, Tensor> state = snapshot(opt);
            assertEquals(2.0, state.get("step").item());
            assertEquals(0.07, state.get("lr").item());
            // SGD: step, lr, 2 momentum buffers; Adam: step, lr, 2 × (exp_avg, exp_avg_sq, per-parameter step)
            assertEquals(kind == 0 ? 4 : 8, state.size(), state.keySet().toString());

            Tensor a2 = a.copy().requiresGrad(true), b2 = b.copy().requiresGrad(true);
            Optimizer fresh = kind == 0 ? new Sgd(List.of(a2, b2), 0.1, 0.9, 0.1, false, 0.01) : Adam.adamW(List.of(a2, b2), 0.05, 0.1);
            fresh.loadState(state);
            assertEquals(2, fresh.steps());
            assertEquals(0.07, fresh.lr());
            assertSameState(state, snapshot(fresh));
            // loadState copies: mutating the source map's tensors afterwards does not leak in
            state.values().forEach(t -> t.set(0, 123));
            for (int s = 0; s < 3; s++) {
                grad(a, -1, 0.5 * s);
                grad(b, 0.25, 0, s);
                opt.step();
                grad(a2, -1, 0.5 * s);
                grad(b2, 0.25, 0, s);
                fresh.step();
            }
            assertTrue(a.contentEquals(a2), "resumed optimizer diverged on parameter 0");
            assertTrue(b.contentEquals(b2), "resumed optimizer diverged on parameter 1");
        }
    }

    @Test
    void adamCountsStepsPerParameterSoASkippedParameterIsUpdatedAsIfItsOwnStepsWereAll() {
        for (boolean decoupled : new boolean[]{false, true}) {
            Tensor a = param(P0), b = param(3, -4, 5);
            Adam both = new Adam(List.of(a, b), 0.05, 0.9, 0.999, 1e-8, 0.1, decoupled);
            Tensor b2 = param(3, -4, 5);
            Adam alone = new Adam(List.of(b2), 0.05, 0.9, 0.999, 1e-8, 0.1, decoupled);
            for (int s = 0; s < 5; s++) {
                both.zeroGrad();
                grad(a, G1[0] + s, G1[1] - s);
                // b has no gradient in steps 0 and 2 (an unused branch): PyTorch skips it and does not count the step
                if (s % 2 == 1 || s == 4) {
                    grad(b, 1, -0.5 * s, 0.25);
                    step(alone, b2, 1, -0.5 * s, 0.25);
                }
                both.step();
            }
            assertEquals(5, both.steps());
            assertTrue(b.contentEquals(b2), "b: " + java.util.Arrays.toString(b.toDoubleArray()) + " vs " + java.util.Arrays.toString(b2.toDoubleArray()));
            Map<String, Tensor> st = both.state();
            assertEquals(5.0, st.get("step.0").item());
            assertEquals(3.0, st.get("step.1").item());
            Adam unused = new Adam(List.of(param(3, -4, 5)), 0.05);
            assertTrue(unused.state().keySet().stream().noneMatch(k -> k.startsWith("step.")), "no count before a parameter's first update");
        }
    }

    @Test
    void adamStateRoundTripsThePerParameterStepsAndAnOlderStateWithoutThemCountsEveryStep() {
        Tensor a = param(P0), b = param(3, -4, 5);
        Adam opt = new Adam(List.of(a, b), 0.1);
        grad(a, G1);
        opt.step(); // b has no gradient yet
        grad(a, G2);
        grad(b, 1, 1, 1);
        opt.step();
        Map<String, Tensor> state = snapshot(opt);
        assertEquals(2.0, state.get("step.0").item());
        assertEquals(1.0, state.get("step.1").item());

        Tensor a2 = a.copy().requiresGrad(true), b2 = b.copy().requiresGrad(true);
        Adam fresh = new Adam(List.of(a2, b2), 0.1);
        fresh.loadState(state);
        assertSameState(state, snapshot(fresh));
        for (Adam o : List.of(opt, fresh)) {
            Tensor x = o == opt ? a : a2, y = o == opt ? b : b2;
            grad(x, 0.3, -0.2);
            grad(y, -1, 2, 0.5);
            o.step();
        }
        assertTrue(a.contentEquals(a2) && b.contentEquals(b2), "resumed optimizer diverged");

        // a state written before the per-parameter counts: each parameter with buffers is taken to have had every step
        Map<String, Tensor> old = new LinkedHashMap<>(snapshot(opt));
        old.keySet().removeIf(k -> k.startsWith("step."));
        Adam legacy = new Adam(List.of(a.copy().requiresGrad(true), b.copy().requiresGrad(true)), 0.1);
        legacy.loadState(old);
        assertEquals(3.0, legacy.state().get("step.0").item());
        assertEquals(3.0, legacy.state().get("step.1").item());

        // counts must be non-negative whole numbers: rejected before anything changes
        for (Tensor bad : List.of(Tensor.scalar(-1, DType.FLOAT64), Tensor.scalar(1.5, DType.FLOAT64), Tensor.of(new double[]{1, 2}, 2))) {
            Map<String, Tensor> s = new LinkedHashMap<>(snapshot(opt));
            s.put("exp_avg.0", Tensor.of(new double[]{9, 9}, 2));
            s.put("step.1", bad);
            Map<String, Tensor> before = snapshot(opt);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(s));
            assertTrue(e.getMessage().contains("step.1"), e.getMessage());
            assertSameState(before, snapshot(opt));
        }
    }

    @Test
    void loadStateReplacesTheWholeState() {
        // an optimizer that already has momentum, given the state of one that has not stepped yet,
        // must behave like the fresh one (first step buf = g), not keep its old buffer
        Tensor p = param(P0);
        Sgd used = new Sgd(List.of(p), 0.1, 0.9, 0, false, 0);
        step(used, p, G2);
        step(used, p, G2);
        Tensor q = param(P0);
        Sgd fresh = new Sgd(List.of(q), 0.1, 0.9, 0, false, 0);
        used.loadState(fresh.state());
        assertEquals(0, used.steps());
        assertFalse(used.state().containsKey("momentum.0"));
        p.storage().copyFrom(q.storage(), 0, 0, 2);
        step(used, p, G1);
        step(fresh, q, G1);
        assertTrue(p.contentEquals(q));
    }

    @Test
    void loadStateWithABadEntryIsRejectedWithoutChangingAnything() {
        Tensor a = param(P0), b = param(3, -4, 5);
        Adam opt = new Adam(List.of(a, b), 0.1);
        grad(a, G1);
        grad(b, 1, 1, 1);
        opt.step();
        Map<String, Tensor> before = snapshot(opt);

        List<Map<String, Tensor>> bad = new java.util.ArrayList<>();
        // a valid, different exp_avg.0 first, then a wrong-shape exp_avg_sq.1
        Map<String, Tensor> shape = new LinkedHashMap<>(before);
        shape.put("step", Tensor.scalar(7, DType.FLOAT64));
        shape.put("exp_avg.0", Tensor.of(new double[] {9, 9}, 2));
        shape.put("exp_avg_sq.1", Tensor.of(new double[] {1, 2}, 2));
        bad.add(shape);
        Map<String, Tensor> dtype = new LinkedHashMap<>(before);
        dtype.put("exp_avg.1", Tensor.of(new float[] {1, 2, 3}, 3));
        bad.add(dtype);
        Map<String, Tensor> unknown = new LinkedHashMap<>(before);
        unknown.put("momentum.0", Tensor.of(new double[] {1, 2}, 2));
        bad.add(unknown);
        Map<String, Tensor> index = new LinkedHashMap<>(before);
        index.put("exp_avg.2", Tensor.of(new double[] {1, 2}, 2));
        bad.add(index);
        Map<String, Tensor> noStep = new LinkedHashMap<>(before);
        noStep.remove("step");
        bad.add(noStep);
        Map<String, Tensor> vectorStep = new LinkedHashMap<>(before);
        vectorStep.put("step", Tensor.of(new double[] {1, 2}, 2));
        bad.add(vectorStep);
        Map<String, Tensor> negLr = new LinkedHashMap<>(before);
        negLr.put("lr", Tensor.scalar(-1, DType.FLOAT64));
        bad.add(negLr);

        for (Map<String, Tensor> s : bad) {
            assertThrows(IllegalArgumentException.class, () -> opt.loadState(s), s.keySet().toString());
            assertSameState(before, snapshot(opt));
            assertEquals(1, opt.steps());
            assertEquals(0.1, opt.lr());
        }
    }

    @Test
    void stateExposesStepAndLrAsFloat64Scalars() {
        Tensor p = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Sgd opt = new Sgd(List.of(p), 0.25, 0.5, 0, false, 0);
        Map<String, Tensor> s0 = opt.state();
        assertEquals(List.of("step", "lr"), List.copyOf(s0.keySet()));
        assertEquals(0, s0.get("step").rank());
        assertEquals(DType.FLOAT64, s0.get("lr").dtype());
        assertEquals(0.25, s0.get("lr").item());
        p.setGrad(Tensor.of(new float[] {1, 1}, 2));
        opt.step();
        assertNotNull(opt.state().get("momentum.0"));
        assertEquals(1.0, opt.state().get("step").item());
    }
}
