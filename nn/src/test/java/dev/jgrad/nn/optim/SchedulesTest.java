package dev.jgrad.nn.optim;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulesTest {
    private static final double TOL = 1e-15;

    // ------------------------------------------------------------------ LrSchedule

    @Test
    void constantSchedule() {
        LrSchedule s = LrSchedule.constant(0.3);
        assertEquals(0.3, s.lr(0));
        assertEquals(0.3, s.lr(17));
    }

    @Test
    void stepScheduleDecaysEveryStepSizeEpochs() {
        LrSchedule s = LrSchedule.step(0.1, 3, 0.5);
        assertEquals(0.1, s.lr(0), TOL);
        assertEquals(0.1, s.lr(2), TOL);
        assertEquals(0.05, s.lr(3), TOL);
        assertEquals(0.05, s.lr(5), TOL);
        assertEquals(0.025, s.lr(6), TOL);
        assertEquals(0.1 / 8, s.lr(9), TOL);
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0.1, 0, 0.5));
    }

    @Test
    void cosineScheduleFollowsTheClosedForm() {
        LrSchedule s = LrSchedule.cosine(0.1, 10, 0.0);
        assertEquals(0.1, s.lr(0), TOL);
        // (1 + cos(0.2π))/2 = (1 + 0.8090169943749475)/2 = 0.9045084971874737
        assertEquals(0.09045084971874737, s.lr(2), 1e-15);
        assertEquals(0.05, s.lr(5), 1e-15);
        // (1 + cos(0.9π))/2 = (1 - 0.9510565162951535)/2
        assertEquals(0.1 * (1 - 0.9510565162951535) / 2, s.lr(9), 1e-15);
        assertEquals(0.0, s.lr(10), TOL);
        // past tMax the cosine comes back up (PyTorch's CosineAnnealingLR): lr(12) = lr(8), lr(20) = base
        assertEquals(s.lr(8), s.lr(12), 1e-15, "follows the cosine back up after tMax");
        assertEquals(0.1, s.lr(20), 1e-15);
        LrSchedule m = LrSchedule.cosine(0.1, 10, 0.01);
        assertEquals(0.1, m.lr(0), TOL);
        assertEquals(0.01 + 0.09 * 0.5, m.lr(5), 1e-15);
        assertEquals(0.01, m.lr(10), TOL);
        assertEquals(0.1, m.lr(20), 1e-15);
        // monotone non-increasing
        for (int e = 1; e <= 10; e++) assertTrue(m.lr(e) <= m.lr(e - 1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0.1, 0, 0));
    }

    @Test
    void parseBuildsTheNamedSchedules() {
        assertEquals(0.2, LrSchedule.parse("constant", 0.2, 10).lr(7));
        assertEquals(0.2, LrSchedule.parse("none", 0.2, 10).lr(7));
        LrSchedule st = LrSchedule.parse("step:2:0.5", 0.2, 10);
        assertEquals(0.2, st.lr(1), TOL);
        assertEquals(0.1, st.lr(2), TOL);
        assertEquals(0.05, st.lr(5), TOL);
        // defaults: stepSize = epochs/3, gamma 0.1
        LrSchedule sd = LrSchedule.parse("step", 1.0, 9);
        assertEquals(1.0, sd.lr(2), TOL);
        assertEquals(0.1, sd.lr(3), 1e-15);
        assertEquals(0.01, sd.lr(6), 1e-15);
        // tMax = epochs, etaMin 0 by default
        LrSchedule c = LrSchedule.parse(" Cosine ", 0.4, 8);
        assertEquals(0.4, c.lr(0), TOL);
        assertEquals(0.2, c.lr(4), 1e-15);
        assertEquals(0.0, c.lr(8), TOL);
        LrSchedule cm = LrSchedule.parse("cosine:0.001", 0.4, 8);
        assertEquals(0.001, cm.lr(8), TOL);
        assertEquals(0.001 + 0.399 / 2, cm.lr(4), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear", 0.1, 10));
        assertTrue(e.getMessage().contains("linear"));
    }

    /** PyTorch 1.13's sequences (values from conformance/tools/gen_optim.py's cases, replayed here through parse). */
    @Test
    void parseBuildsTheNewSchedulesWithPyTorchsValues() {
        Sgd probe = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.1);
        // multistep:3,7:0.3 = MultiStepLR(milestones [3, 7], gamma 0.3)
        LrSchedule ms = LrSchedule.parse("multistep:3,7:0.3", 0.1, 10);
        LrScheduler ref = new LrScheduler.MultiStep(probe, new int[] {3, 7}, 0.3);
        for (int e = 0; e < 12; e++) {
            if (e > 0) ref.step();
            assertEquals(ref.lr(0), ms.lr(e), 0, "multistep epoch " + e);
        }
        assertEquals(0.1 * 0.3 * 0.3, ms.lr(9), 1e-16);
        LrSchedule ex = LrSchedule.parse("exp:0.5", 0.1, 10);
        assertEquals(0.1, ex.lr(0));
        assertEquals(0.0125, ex.lr(3), 1e-17);
        LrSchedule cr = LrSchedule.parse("cosine-restarts:3:2", 0.1, 20);
        assertEquals(0.1, cr.lr(3), 1e-16, "restart after T0 = 3");
        assertEquals(0.1, cr.lr(9), 1e-16, "second restart after 3 + 6");
        assertEquals(0.05, cr.lr(6), 1e-16);
        LrSchedule wc = LrSchedule.parse("warmup:4+cosine", 0.1, 14);
        assertEquals(0.01, wc.lr(0), 1e-17);
        assertEquals(0.1, wc.lr(4), 1e-16, "cosine starts at the base rate after the warm-up");
        assertEquals(0.05, wc.lr(9), 1e-16, "half way through the 10 cosine epochs");
        assertTrue(wc.lr(1) > wc.lr(0) && wc.lr(3) > wc.lr(2));
        for (String bad : new String[] {"multistep", "multistep:a:0.1", "exp:x", "warmup:3", "warmup:0+cosine", "warmup:2+linear", "cosine-restarts:0",
                "onecycle:-1", "plateau:2", "plateau:0.5:-1"}) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(bad, 0.1, 10), bad);
            assertTrue(x.getMessage().length() > 10, bad);
        }
    }

    @Test
    void oneCycleStepsPerBatchAndCyclesMomentum() {
        LrSchedule oc = LrSchedule.parse("onecycle:0.4", 0.1, 2);
        assertTrue(oc.perBatch());
        Tensor p = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        Sgd opt = new Sgd(List.of(p), 0.1, 0.9, 0, false, 0);
        LrScheduler.OneCycle ref = new LrScheduler.OneCycle(0.4, 10, 0.3, true, false, 25, 1e4, 0.85, 0.95);
        for (int e = 0; e < 2; e++) {
            for (int b = 0; b < 5; b++) {
                if (e + b > 0) ref.step();
                oc.applyBatch(opt, e, b, 5);
                assertEquals(ref.lr(0), opt.lr(), 0, "batch " + (e * 5 + b));
                assertEquals(ref.momentum(0), opt.option(0, "momentum"), 0);
            }
        }
        assertEquals(0.4 / 25, new LrScheduler.OneCycle(0.4, 10, 0.3, true, false, 25, 1e4, 0.85, 0.95).lr(0), 1e-15);
    }

    @Test
    void plateauReducesAfterPatienceOnReportedMetrics() {
        LrSchedule pl = LrSchedule.parse("plateau:0.5:1", 0.2, 10);
        Sgd opt = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.2);
        // two bad epochs (> patience 1) after the best 0.9: halved; two more: halved again
        double[] metric = {1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8};
        double[] want = {0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.05};
        for (int e = 0; e < metric.length; e++) {
            pl.apply(opt, e);
            assertEquals(want[e], opt.lr(), 1e-17, "epoch " + e);
            pl.epochEnd(opt, e, metric[e]);
        }
    }

    @Test
    void schedulerStateRoundTrips() {
        Sgd a = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.1);
        LrScheduler.CosineWarmRestarts s = new LrScheduler.CosineWarmRestarts(a, 3, 2, 0.01);
        for (int i = 0; i < 5; i++) s.step();
        Sgd b = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.1);
        LrScheduler.CosineWarmRestarts t = new LrScheduler.CosineWarmRestarts(b, 3, 2, 0.01);
        t.loadState(s.state());
        assertEquals(a.lr(), b.lr(), 0);
        for (int i = 0; i < 7; i++) {
            s.step();
            t.step();
            assertEquals(a.lr(), b.lr(), 0, "step " + i);
        }
        java.util.Map<String, Double> bad = new java.util.LinkedHashMap<>(s.state());
        bad.put("T_cur", -1.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.loadState(bad));
        assertTrue(e.getMessage().contains("T_cur"), e.getMessage());
        ReduceLrOnPlateau p = new ReduceLrOnPlateau(a, "max", 0.5, 0, 0, "abs", 0, 0, 1e-8);
        p.step(1);
        p.step(0.5);
        ReduceLrOnPlateau q = new ReduceLrOnPlateau(b, "max", 0.5, 0, 0, "abs", 0, 0, 1e-8);
        q.loadState(p.state());
        assertEquals(a.lr(), b.lr(), 0);
        assertEquals(1, q.best());
    }

    @Test
    void schedulersRejectBadOptions() {
        Sgd o = new Sgd(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.1);
        assertMessage(() -> new LrScheduler.Step(o, 0, 0.1), "StepLR", "stepSize = 0");
        assertMessage(() -> new LrScheduler.Exponential(o, Double.NaN), "ExponentialLR", "gamma = NaN");
        assertMessage(() -> new LrScheduler.CosineAnnealing(o, 5, -1), "CosineAnnealingLR", "etaMin = -1.0");
        assertMessage(() -> new LrScheduler.CosineWarmRestarts(o, 3, 0, 0), "CosineAnnealingWarmRestarts", "tMult = 0");
        assertMessage(() -> new LrScheduler.Linear(o, 0, 1, 5), "LinearLR", "startFactor = 0.0");
        assertMessage(() -> new LrScheduler.MultiStep(o, new int[] {-1}, 0.1), "MultiStepLR", "milestone -1");
        assertMessage(() -> new LrScheduler.OneCycle(o, 0.1, 10, 1.5, true, false, 25, 1e4, true, 0.85, 0.95), "OneCycleLR", "pctStart = 1.5");
        assertMessage(() -> new LrScheduler.OneCycle(new Adagrad(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), 0.1), 0.1, 10, 0.3,
                true, false, 25, 1e4, true, 0.85, 0.95), "OneCycleLR", "Adagrad has no momentum");
        assertMessage(() -> new ReduceLrOnPlateau(o, "min", 1.0, 1, 0, "rel", 0, 0, 0), "ReduceLROnPlateau", "factor = 1.0");
        assertMessage(() -> new ReduceLrOnPlateau(o, "mid", 0.5, 1, 0, "rel", 0, 0, 0), "ReduceLROnPlateau", "mode 'mid'");
        LrScheduler lin = new LrScheduler.Linear(o, 0.5, 1, 3);
        assertMessage(() -> new LrScheduler.Sequential(o, new LrScheduler[] {lin}, new int[] {2}), "SequentialLR", "1 schedulers need 0 milestones");
        assertEquals(0.05, o.lr(), 1e-17, "the failed constructions left the rate set by LinearLR");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable f, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f);
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage() + " lacks " + p);
    }

    @Test
    void applySetsTheOptimizersRate() {
        Tensor p = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Sgd opt = new Sgd(List.of(p), 0.5);
        LrSchedule s = LrSchedule.step(0.5, 1, 0.1);
        s.apply(opt, 2);
        assertEquals(0.005, opt.lr(), 1e-15);
        p.setGrad(Tensor.of(new double[] {1}, 1));
        opt.step();
        assertEquals(1 - 0.005, p.get(0), 1e-15);
    }

    // ------------------------------------------------------------------ GradClip

    @Test
    void clipGradNormScalesToMaxNormAndReturnsThePreClipNorm() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        Tensor none = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true); // no grad: ignored
        a.setGrad(Tensor.of(new double[] {3, 4}, 2));
        b.setGrad(Tensor.of(new double[] {12}, 1));
        double norm = GradClip.clipGradNorm(List.of(a, b, none), 6.5);
        assertEquals(13.0, norm, 1e-12, "norm of [3, 4, 12]");
        double c = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 4 * c}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {12 * c}, b.grad().toDoubleArray(), 1e-15);
        double after = Math.sqrt(Math.pow(a.grad().get(0), 2) + Math.pow(a.grad().get(1), 2) + Math.pow(b.grad().get(0), 2));
        assertEquals(6.5, after, 1e-6);
        assertTrue(after <= 6.5);
        assertNull(none.grad());
    }

    @Test
    void clipGradNormLeavesSmallGradientsAlone() {
        Tensor a = Tensor.zeros(DType.FLOAT32, 3).requiresGrad(true);
        Tensor g = Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3);
        a.setGrad(g.copy());
        double norm = GradClip.clipGradNorm(List.of(a), 1.0);
        assertEquals(Math.sqrt(0.01 + 0.04 + 0.09), norm, 1e-7);
        assertTrue(a.grad().contentEquals(g), "gradient below the threshold must be unchanged");
        // exactly at the threshold: unchanged too
        Tensor d = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        d.setGrad(Tensor.of(new double[] {3, 4}, 2));
        assertEquals(5.0, GradClip.clipGradNorm(List.of(d), 5.0));
        assertArrayEquals(new double[] {3, 4}, d.grad().toDoubleArray(), 0);
    }

    @Test
    void clipGradNormWithNonFiniteGradientScalesNothing() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        a.setGrad(Tensor.of(new double[] {30, 40}, 2));
        b.setGrad(Tensor.of(new double[] {Double.NaN}, 1));
        assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(a, b), 1.0)));
        assertArrayEquals(new double[] {30, 40}, a.grad().toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), 0));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), Double.NaN));
    }
}
