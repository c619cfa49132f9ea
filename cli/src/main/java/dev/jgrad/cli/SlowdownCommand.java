package dev.jgrad.cli;

import dev.jgrad.lab.Slowdown;
import dev.jgrad.train.plot.LineChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jgrad slowdown}: the single sigmoid neuron experiment showing why cross-entropy learns faster than the
 * quadratic cost from a saturated start. Prints the output after the last epoch of the four runs and writes a
 * PNG of cost vs epoch.
 */
@Command(name = "slowdown", mixinStandardHelpOptions = true,
        description = "Quadratic vs cross-entropy cost on one sigmoid neuron (input 1, target 0).")
public final class SlowdownCommand implements Callable<Integer> {

    @Option(names = "--epochs", defaultValue = "300", description = "Gradient steps (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.15", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "slowdown", description = "Directory of slowdown.png (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (epochs <= 0) throw new Main.UsageException("--epochs must be positive, got " + epochs);
        if (!(lr > 0)) throw new Main.UsageException("--lr must be positive, got " + lr);
        double[][] starts = {{0.6, 0.9}, {2.0, 2.0}};
        List<Slowdown.Run> runs = new ArrayList<>();
        for (double[] s : starts) {
            for (Slowdown.Cost c : Slowdown.Cost.values()) runs.add(Slowdown.run(c, s[0], s[1], lr, epochs));
        }
        System.out.printf("one sigmoid neuron, input 1, target 0, learning rate %.3g, %d epochs%n", lr, epochs);
        System.out.printf("%-14s %-14s %14s %14s%n", "start (w, b)", "cost", "initial output", "final output");
        double[] x = new double[epochs + 1];
        for (int i = 0; i <= epochs; i++) x[i] = i;
        LineChart chart = new LineChart().panelSize(960, 540);
        LineChart.Panel panel = chart.addPanel("Cost vs epoch (lr " + lr + ")").xAxis("epoch").yAxis("cost");
        for (Slowdown.Run r : runs) {
            String label = String.format("(%.1f, %.1f) %s", r.w0(), r.b0(), r.cost() == Slowdown.Cost.QUADRATIC ? "quadratic" : "cross-entropy");
            System.out.printf("%-14s %-14s %14.4f %14.4f%n", String.format("(%.1f, %.1f)", r.w0(), r.b0()),
                    r.cost() == Slowdown.Cost.QUADRATIC ? "quadratic" : "cross-entropy", r.outputs()[0], r.finalOutput());
            panel.series(label, x, r.costs());
        }
        Files.createDirectories(out);
        Path png = out.resolve("slowdown.png");
        chart.writePng(png);
        System.out.println("chart written to " + png);
        return 0;
    }
}
