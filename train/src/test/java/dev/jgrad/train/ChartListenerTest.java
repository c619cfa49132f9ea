package dev.jgrad.train;

import dev.jgrad.train.plot.LineChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartListenerTest {
    static List<EpochMetrics> history(double... trainLoss) {
        List<EpochMetrics> h = new ArrayList<>();
        for (int i = 0; i < trainLoss.length; i++) {
            h.add(new EpochMetrics(i + 1, 1e-3, trainLoss[i], 0.5, trainLoss[i] * 1.1, 0.5, 100, 1, 10, 0.9, 0.1, 0));
        }
        return h;
    }

    @Test
    void runNameInTheTitlesLogLossWhenItSpansMoreThan20xAndNonFiniteLossesMarked(@TempDir Path dir) throws IOException {
        // 100 epochs from 2.3 down to 0.01: a log axis; the titles name the run
        double[] fall = new double[100];
        for (int i = 0; i < fall.length; i++) fall[i] = 2.3 * Math.pow(0.01 / 2.3, i / 99.0);
        LineChart c = ChartListener.figure(history(fall), "cross_entropy", "fashion-cnn-seed1");
        assertTrue(c.panels().get(0).isLogY(), "a 230x span is drawn on a log axis");
        assertTrue(c.panels().get(0).title().contains("fashion-cnn-seed1") && c.panels().get(1).title().contains("fashion-cnn-seed1"),
                c.panels().get(0).title());
        Path png = dir.resolve("a.png");
        c.writePng(png);
        assertTrue(Files.size(png) > 1000);
        // a flat run stays linear
        assertFalse(ChartListener.figure(history(0.5, 0.4, 0.35, 0.3), "mse", "").panels().get(0).isLogY());
        // a diverged epoch: marked (train and test), not silently dropped; the figure still renders
        LineChart d = ChartListener.figure(history(0.9, 0.5, Double.NaN, Double.POSITIVE_INFINITY), "cross_entropy", "run");
        assertEquals(4, d.panels().get(0).nonFinitePoints());
        assertEquals(4, d.panels().get(0).droppedPoints());
        d.writePng(dir.resolve("b.png"));
        assertTrue(Files.size(dir.resolve("b.png")) > 1000);
    }

    @Test
    void theListenerNamesTheRunAfterItsDirectory(@TempDir Path dir) throws IOException {
        Path runDir = dir.resolve("digits-run");
        ChartListener l = new ChartListener(runDir, 0);
        assertEquals("digits-run", l.runName());
        assertEquals("named", new ChartListener(runDir, 0, "named").runName());
        LineChart c = ChartListener.figure(history(1, 0.5), "ce", l.runName());
        assertTrue(c.panels().get(0).title().endsWith("— digits-run"), c.panels().get(0).title());
    }
}
