package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regression through the trainer: {@link Objective#regression()} on float targets, {@link RegressionMetrics}. */
class RegressionTrainingTest {

    /** A fixed model: output = the features themselves (y = x), whatever the weights. */
    private static final class Identity extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void metricsOfKnownPredictions() {
        // predictions (the features) 1, 2, 3, 4 against targets 1, 2, 3, 6: errors 0, 0, 0, -2
        Tabular t = Tabular.regression(new double[][]{{1}, {2}, {3}, {4}}, new double[][]{{1}, {2}, {3}, {6}});
        RegressionMetrics m = RegressionMetrics.evaluate(new Identity(), new DataLoader(t, 3, false, false, 1, DType.FLOAT64), null);
        assertEquals(4, m.samples());
        assertEquals(1.0, m.rmse(), 1e-12); // sqrt(4/4)
        assertEquals(0.5, m.mae(), 1e-12);
        assertEquals(1 - 4 / 14.0, m.r2(), 1e-12); // mean 3: total (4 + 1 + 0 + 9)
        RegressionMetrics scaled = RegressionMetrics.evaluate(new Identity(), new DataLoader(t, 3, false, false, 1, DType.FLOAT64), new double[]{10});
        assertEquals(10.0, scaled.rmse(), 1e-12);
        assertEquals(5.0, scaled.mae(), 1e-12);
        assertEquals(m.r2(), scaled.r2(), 1e-12);

        // two outputs: R² is the mean of the per-output values (the second predicted perfectly)
        Tabular two = Tabular.regression(new double[][]{{1, 5}, {2, 6}, {3, 7}, {4, 8}}, new double[][]{{1, 5}, {2, 6}, {3, 7}, {6, 8}});
        RegressionMetrics m2 = RegressionMetrics.evaluate(new Identity(), new DataLoader(two, 4, false, false, 1, DType.FLOAT64), null);
        assertEquals(((1 - 4 / 14.0) + 1) / 2, m2.r2(), 1e-12);
        assertEquals(Math.sqrt(4 / 8.0), m2.rmse(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.evaluate(new Identity(),
                new DataLoader(Tabular.of(new double[][]{{1}}, new int[]{0}, 1), 1, false, false, 1, DType.FLOAT64), null));
        assertTrue(e.getMessage().contains("no regression targets"), e.getMessage());
    }

    @Test
    void theTrainerFitsAMultiOutputLinearTarget() throws java.io.IOException {
        // y = (x0 + 2 x1, x0 - x1) on a grid: a linear model learns it
        int n = 64;
        double[][] x = new double[n][2], y = new double[n][2];
        for (int i = 0; i < n; i++) {
            x[i][0] = (i % 8) / 4.0 - 1;
            x[i][1] = (i / 8) / 4.0 - 1;
            y[i][0] = x[i][0] + 2 * x[i][1];
            y[i][1] = x[i][0] - x[i][1];
        }
        Tabular t = Tabular.regression(x, y);
        Sequential model = Mlp.builder(2, 2).seed(1).build();
        Objective mse = Objective.regression();
        assertFalse(mse.scoresAccuracy());
        Trainer tr = Trainer.builder(model, Adam.adamW(model.parameters(), 5e-2, 0)).objective(mse).epochs(60).progress(false).log(null).build();
        DataLoader loader = new DataLoader(t, 16, true, false, 1, DType.FLOAT32);
        List<EpochMetrics> h = tr.fit(loader, new DataLoader(t, 64, false, false, 1, DType.FLOAT32));
        assertTrue(h.get(h.size() - 1).testLoss() < 1e-3 * h.get(0).trainLoss(), h.get(h.size() - 1).line());
        assertEquals(0.0, h.get(0).trainAccuracy(), "nothing counted as correct");
        RegressionMetrics m = RegressionMetrics.evaluate(model, new DataLoader(t, 64, false, false, 1, DType.FLOAT32), null);
        assertTrue(m.r2() > 0.999, m.toString());
        // a classification batch (no targets) is refused with a clear message
        DataLoader classes = new DataLoader(Tabular.of(x, new int[n], 1), 16, false, false, 1, DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(model, mse, classes));
        assertTrue(e.getMessage().contains("needs float targets"), e.getMessage());
        // L1 and Huber: the losses of the same outputs and targets
        Tensor o = Tensor.of(DType.FLOAT64, new double[]{0, 3, 1, -1}, 2, 2), y0 = Tensor.of(DType.FLOAT64, new double[]{1, 1, 1, 1}, 2, 2);
        DataLoader.Batch b = new DataLoader.Batch(o, dev.jgrad.core.IntTensor.of(new int[2]), new int[]{0, 1}, y0);
        assertEquals((1 + 2 + 0 + 2) / 4.0, Objective.l1().loss(o, b).item(), 1e-15);
        // delta 1: 0.5·1 for |e| = 1, |e| − 0.5 beyond
        assertEquals((0.5 + 1.5 + 0 + 1.5) / 4.0, Objective.huber(1).loss(o, b).item(), 1e-15);
        assertEquals((1 + 4 + 0 + 4) / 4.0, Objective.regression().loss(o, b).item(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Objective.huber(0));
        // and the short log line leaves the accuracy out
        assertFalse(h.get(0).shortLine(60, false).contains("acc"), h.get(0).shortLine(60, false));
    }
}
