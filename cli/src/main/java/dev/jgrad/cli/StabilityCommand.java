package dev.jgrad.cli;

import dev.jgrad.lab.StabilityOutput;
import dev.jgrad.lab.StabilityReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jgrad stability}: the numerical-stability report. Runs every softmax cross-entropy strategy (NAIVE,
 * EPS_CLAMP(1e-7), EPS_CLAMP(1e-12), MAX_SHIFT, FUSED) and every binary strategy in float32 and float64 over a
 * range of logit scales, compares losses and gradients with a high-precision reference, and writes
 * {@code stability.md}, {@code stability.csv}, {@code stability.png} and {@code stability-binary.png} to
 * {@code --out}; the Markdown is also printed. See {@link StabilityReport} for the method.
 */
@Command(name = "stability", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Numerical-stability report: loss and gradient error of every loss strategy vs. a high-precision reference.")
public final class StabilityCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).", defaultValue = "stability-report")
    Path out;

    @Option(names = "--seed", description = "Seed of the random logits and targets (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--rows", description = "Rows per batch for every table (default: 64 for C <= 250, 16 for C = 1000, 256 binary logits).")
    Integer rows;

    @Option(names = "--classes", split = ",", paramLabel = "C", description = "Class counts of the softmax table (default ${DEFAULT-VALUE}).", defaultValue = "10,1000")
    List<Integer> classes;

    @Option(names = "--trials", description = "Independent batches per configuration (default 3).")
    Integer trials;

    @Option(names = "--quick", description = "Fewer scales, fewer rows for C > 250, fewer timing repetitions (for tests and a first look).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        if (rows != null && rows <= 0) throw new Main.UsageException("--rows must be positive, got " + rows);
        if (trials != null && trials <= 0) throw new Main.UsageException("--trials must be positive, got " + trials);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new Main.UsageException("--out: not a directory: " + out);
        int[] cs = classes.stream().mapToInt(Integer::intValue).toArray();
        StabilityReport.Settings settings;
        try {
            settings = new StabilityReport.Settings(seed, cs, rows == null ? 0 : rows, trials == null ? 0 : trials, quick);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        StabilityReport report = StabilityReport.run(settings, System.err);
        StabilityOutput output = new StabilityOutput(report);
        List<Path> files = output.writeAll(out);
        System.out.print(output.markdown());
        System.err.printf("jgrad stability: wrote %s (%.1f s)%n",
                String.join(", ", files.stream().map(Path::toString).toList()), report.seconds());
        return 0;
    }
}
