package dev.jgrad.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AnomalyModeTest {

    /** y = 1/x: finite inputs, infinite output at 0 (a forward anomaly); gradient -1/x². */
    static final class Reciprocal extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, 1 / in[0].get(i));
            save(in[0]);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], gx = Tensor.zerosLike(x);
            for (int i = 0; i < x.numel(); i++) gx.set(i, -g.get(i) / (x.get(i) * x.get(i)));
            return new Tensor[]{gx};
        }
    }

    /** y = sqrt(|x|) written with a backward that divides by y (infinite at 0): a backward anomaly. */
    static final class SqrtAbs extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor y = Tensor.zerosLike(in[0]);
            for (int i = 0; i < y.numel(); i++) y.set(i, Math.sqrt(Math.abs(in[0].get(i))));
            save(in[0], y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved()[0], y = saved()[1], gx = Tensor.zerosLike(x);
            for (int i = 0; i < x.numel(); i++) gx.set(i, g.get(i) * Math.signum(x.get(i)) / (2 * y.get(i)));
            return new Tensor[]{gx};
        }
    }

    @Test
    void offByDefaultAndNothingIsChecked() {
        assertFalse(AnomalyMode.isEnabled());
        Tensor y = new Reciprocal().apply(Tensor.zeros(DType.FLOAT64, 2));
        assertEquals(Double.POSITIVE_INFINITY, y.get(0));
        assertNull(y.gradFn(), "no graph: inputs do not require grad");
    }

    @Test
    void forwardAnomalyNamesOpShapesAndCreationSite() {
        try (var a = AnomalyMode.enable()) {
            AnomalyMode.AnomalyException e = assertThrows(AnomalyMode.AnomalyException.class,
                    () -> new Reciprocal().apply(Tensor.of(new double[]{1, 0, 2}, 3)));
            assertTrue(e.getMessage().contains("forward of Reciprocal"), e.getMessage());
            assertTrue(e.getMessage().contains("[3] float64"), e.getMessage());
            assertTrue(e.getMessage().contains("AnomalyModeTest"), "creation site: " + e.getMessage());
        }
        assertFalse(AnomalyMode.isEnabled());
    }

    @Test
    void nonFiniteInputsAreNotBlamedOnTheOp() {
        try (var a = AnomalyMode.enable()) {
            Tensor y = new Reciprocal().apply(Tensor.of(new double[]{Double.NaN, 0}, 2));
            assertTrue(Double.isNaN(y.get(0)));
        }
    }

    @Test
    void backwardAnomalyIsDetected() {
        try (var a = AnomalyMode.enable()) {
            Tensor x = Tensor.of(new double[]{4, 0}, 2).requiresGrad(true);
            Tensor y = new SqrtAbs().apply(x);
            AnomalyMode.AnomalyException e = assertThrows(AnomalyMode.AnomalyException.class, () -> y.backward(Tensor.ones(DType.FLOAT64, 2)));
            assertTrue(e.getMessage().contains("backward of SqrtAbs") && e.getMessage().contains("input 0"), e.getMessage());
            assertNotNull(y.gradFn().creationSite());
        }
    }

    @Test
    void otherThreadsAreNotAffected() throws Exception {
        try (var a = AnomalyMode.enable()) {
            Thread t = new Thread(() -> new Reciprocal().apply(Tensor.zeros(DType.FLOAT64, 1)));
            Throwable[] failure = new Throwable[1];
            t.setUncaughtExceptionHandler((th, ex) -> failure[0] = ex);
            t.start();
            t.join();
            assertNull(failure[0]);
        }
    }
}
