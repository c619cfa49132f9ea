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
        assertEquals(0.0, s.lr(12), TOL, "constant at etaMin after tMax");
        LrSchedule m = LrSchedule.cosine(0.1, 10, 0.01);
        assertEquals(0.1, m.lr(0), TOL);
        assertEquals(0.01 + 0.09 * 0.5, m.lr(5), 1e-15);
        assertEquals(0.01, m.lr(10), TOL);
        assertEquals(0.01, m.lr(20), TOL);
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
