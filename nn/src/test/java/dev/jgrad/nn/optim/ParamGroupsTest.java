package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter groups, the new optimizers' options and state: validation, round trips, skipped parameters. */
class ParamGroupsTest {
    private static Tensor param(DType dtype, double... v) {
        return Tensor.of(v.clone(), v.length).to(dtype).requiresGrad(true);
    }

    private static void run(Optimizer opt, List<Tensor> ps, int steps) {
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            for (int i = 0; i < ps.size(); i++) {
                Tensor p = ps.get(i);
                double[] g = new double[p.numel()];
                for (int k = 0; k < g.length; k++) g[k] = Math.sin(k + 2 * p.numel() + 0.7 * s) + 0.3;
                p.setGrad(Tensor.of(g, g.length).to(p.dtype()));
            }
            opt.step();
        }
    }

    @Test
    void builderGroupsOverrideDefaults() {
        Tensor w = param(DType.FLOAT64, 1, 2, 3), b = param(DType.FLOAT64, 0.5);
        Adam opt = Adam.builder().lr(0.01).weightDecay(0.1).defaults(d -> d.decoupled(true).amsgrad(true))
                .group(List.of(w)).group(List.of(b), g -> g.weightDecay(0).lr(0.02)).build();
        assertEquals(2, opt.groupCount());
        assertEquals(0.1, opt.option(0, "weight_decay"));
        assertEquals(0.0, opt.option(1, "weight_decay"));
        assertEquals(0.02, opt.lr(1));
        assertEquals(1.0, opt.option(1, "amsgrad"));
        assertEquals(1, opt.groupOf(1));
        // the same as two separate optimizers, one per group
        Tensor w2 = param(DType.FLOAT64, 1, 2, 3), b2 = param(DType.FLOAT64, 0.5);
        Adam ow = Adam.builder().lr(0.01).weightDecay(0.1).defaults(d -> d.decoupled(true).amsgrad(true)).group(List.of(w2)).build();
        Adam ob = new Adam(List.of(new ParamGroup(List.of(b2)).lr(0.02).decoupled(true).amsgrad(true)));
        run(opt, List.of(w, b), 4);
        run(ow, List.of(w2), 4);
        run(ob, List.of(b2), 4);
        assertArrayEquals(w2.toDoubleArray(), w.toDoubleArray(), 0);
        assertArrayEquals(b2.toDoubleArray(), b.toDoubleArray(), 0);
        // setLr sets every group; setLr(g) one
        opt.setLr(0.5);
        assertEquals(0.5, opt.lr(1));
        opt.setLr(1, 0.25);
        assertEquals(0.5, opt.lr(0));
        assertEquals(0.25, opt.lr(1));
        assertEquals(0.02, opt.initialLr(1));
    }

    @Test
    void badGroupsAndOptionsAreRejectedNamingThem() {
        Tensor w = param(DType.FLOAT64, 1, 2);
        assertMessage(() -> Sgd.builder().group(List.of(w), g -> g.set("betas", 0.9)).build(), "Sgd", "unknown option 'betas'", "known: lr");
        assertMessage(() -> Adam.builder().group(List.of(w)).group(List.of(w)).build(), "Adam", "more than one place");
        assertMessage(() -> Adam.builder().group(List.of(w)).group(List.of(param(DType.FLOAT64, 1)), g -> g.eps(-1)).build(),
                "Adam", "parameter group 1: eps = -1.0");
        assertMessage(() -> new RmsProp(List.of(w), -0.1), "RmsProp", "lr = -0.1");
        assertMessage(() -> new RmsProp(List.of(w), 0.1, Double.NaN, 1e-8, 0, 0, false), "RmsProp", "alpha = NaN");
        assertMessage(() -> new RmsProp(List.of(w), 0.1, 0.99, -1e-8, 0, 0, false), "RmsProp", "eps = -1.0E-8");
        assertMessage(() -> new RmsProp(List.of(w), 0.1, 0.99, 1e-8, 0, -0.5, false), "RmsProp", "momentum = -0.5");
        assertMessage(() -> new RmsProp(List.of(w), 0.1, 0.99, 1e-8, Double.POSITIVE_INFINITY, 0, false), "RmsProp", "weightDecay = Infinity");
        assertMessage(() -> new Adagrad(List.of(w), 0.1, -1, 0, 0, 1e-10), "Adagrad", "lrDecay = -1.0");
        assertMessage(() -> new Adagrad(List.of(w), 0.1, 0, 0, -0.1, 1e-10), "Adagrad", "initialAccumulatorValue = -0.1");
        assertMessage(() -> new Adagrad(List.of(w), 0.1, 0, 0, 0, Double.NaN), "Adagrad", "eps = NaN");
        assertMessage(() -> new Adagrad(List.of(w), Double.NaN), "Adagrad", "lr = NaN");
        Sgd sgd = Sgd.builder().lr(0.1).group(List.of(w)).build();
        assertMessage(() -> sgd.setOption(0, "nesterov", 1), "Sgd", "Nesterov");
        assertEquals(0.0, sgd.option(0, "nesterov"), "a rejected option leaves the group unchanged");
        assertMessage(() -> sgd.option(0, "alpha"), "Sgd", "unknown option 'alpha'");
    }

    @Test
    void newOptimizersStateRoundTripsAndIsValidated() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (int kind = 0; kind < 3; kind++) {
                Tensor a = param(dtype, 1, -2, 3), b = param(dtype, 0.5, 0.25);
                Tensor a2 = param(dtype, 1, -2, 3), b2 = param(dtype, 0.5, 0.25);
                Optimizer o1 = make(kind, List.of(a, b)), o2 = make(kind, List.of(a2, b2));
                run(o1, List.of(a, b), 3);
                Map<String, Tensor> state = new LinkedHashMap<>();
                o1.state().forEach((k, v) -> state.put(k, v.copy()));
                a2.storage().copyFrom(a.storage(), 0, 0, a.numel());
                b2.storage().copyFrom(b.storage(), 0, 0, b.numel());
                o2.loadState(state);
                run(o1, List.of(a, b), 2);
                run(o2, List.of(a2, b2), 2);
                assertArrayEquals(a.toDoubleArray(), a2.toDoubleArray(), 0, o1.getClass().getSimpleName() + " " + dtype);
                assertArrayEquals(b.toDoubleArray(), b2.toDoubleArray(), 0);
                // a negative second moment / accumulator or a NaN buffer is rejected and nothing is loaded
                String sq = kind == 0 ? "max_exp_avg_sq.0" : kind == 1 ? "square_avg.0" : "sum.0";
                Map<String, Tensor> bad = new LinkedHashMap<>(o2.state());
                Tensor neg = bad.get(sq).copy();
                neg.set(1, -1);
                bad.put(sq, neg);
                Map<String, Tensor> before = new LinkedHashMap<>();
                o2.state().forEach((k, v) -> before.put(k, v.copy()));
                assertMessage(() -> o2.loadState(bad), sq, "-1.0", ">= 0");
                Map<String, Tensor> nan = new LinkedHashMap<>(o2.state());
                Tensor n = nan.get(sq).copy();
                n.set(0, Double.NaN);
                nan.put(sq, n);
                assertMessage(() -> o2.loadState(nan), sq, "NaN", "finite");
                o2.state().forEach((k, v) -> assertTrue(v.contentEquals(before.get(k)), k + " changed by a rejected load"));
            }
        }
    }

    private static Optimizer make(int kind, List<Tensor> ps) {
        return switch (kind) {
            case 0 -> Adam.builder().lr(0.01).defaults(d -> d.amsgrad(true)).group(ps).build();
            case 1 -> new RmsProp(ps, 0.01, 0.9, 1e-8, 0.01, 0.5, true);
            default -> new Adagrad(ps, 0.1, 0.01, 0.01, 0.1, 1e-10);
        };
    }

    @Test
    void aParameterWithoutGradientIsSkippedAndKeepsItsCount() {
        for (int kind = 0; kind < 3; kind++) {
            Tensor a = param(DType.FLOAT64, 1, 2), b = param(DType.FLOAT64, 3);
            Optimizer opt = make(kind, List.of(a, b));
            opt.zeroGrad();
            a.setGrad(Tensor.of(new double[] {0.5, -0.5}, 2));
            opt.step();
            assertArrayEquals(new double[] {3}, b.toDoubleArray(), 0, "no gradient: unchanged");
            assertFalse(opt.state().containsKey("step.1"), "no count for a parameter never updated");
            assertEquals(1.0, opt.state().get("step.0").item());
        }
    }

    @Test
    void groupRatesRoundTripInTheState() {
        Tensor w = param(DType.FLOAT64, 1, 2), b = param(DType.FLOAT64, 3);
        RmsProp o = RmsProp.builder().lr(0.01).group(List.of(w)).group(List.of(b), g -> g.lr(0.03)).build();
        o.setLr(1, 0.007);
        Map<String, Tensor> s = o.state();
        assertEquals(0.007, s.get("group_lr.1").item());
        RmsProp o2 = RmsProp.builder().lr(0.01).group(List.of(param(DType.FLOAT64, 1, 2))).group(List.of(param(DType.FLOAT64, 3))).build();
        o2.loadState(s);
        assertEquals(0.007, o2.lr(1));
        Map<String, Tensor> extra = new LinkedHashMap<>(s);
        extra.put("group_lr.2", Tensor.scalar(0.1, DType.FLOAT64));
        assertMessage(() -> o2.loadState(extra), "unknown optimizer state entry 'group_lr.2'");
    }

    private static void assertMessage(Executable f, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f);
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage() + " lacks " + p);
    }
}
