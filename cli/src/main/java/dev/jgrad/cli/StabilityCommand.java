package dev.jgrad.cli;

import dev.jgrad.lab.JgradLoss;
import dev.jgrad.lab.LabReport;
import dev.jgrad.lab.StabilityLab;
import dev.jgrad.lab.StabilityOutput;
import dev.jgrad.lab.StabilityReport;
import dev.jgrad.lab.TrainingLab;
import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jgrad stability}: a thin front end over {@link StabilityLab}. It runs the float32/float64 report of jgrad's
 * own loss strategies ({@link StabilityReport}: NAIVE, EPS_CLAMP(1e-7), EPS_CLAMP(1e-12), MAX_SHIFT, FUSED and the
 * binary strategies, with timing; {@code --classes}) and the precision lab (the built-in emulated strategies in
 * float16, bfloat16, float32 and float64 storage with the chosen accumulations and summations, plus PyTorch CPU
 * autocast; {@code --lab-classes}), and writes {@code stability.md}, {@code stability.csv}, {@code stability.png},
 * {@code stability-binary.png}, {@code stability-precision.md}, {@code stability-precision.csv} and
 * {@code stability-precision.png} to {@code --out}, and trains the digits MLP with every lab strategy in emulated
 * precisions ({@link TrainingLab}; {@code --train-steps}, chart {@code stability-training.png}); both Markdown
 * reports are also printed.
 */
@Command(name = "stability", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Numerical-stability report: loss and gradient error of every loss strategy vs. a high-precision reference, "
                + "in float32/float64 (jgrad's ops) and in emulated float16/bfloat16/float32/float64 storage with a choice of accumulation.")
public final class StabilityCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).", defaultValue = "stability-report")
    Path out;

    @Option(names = "--seed", description = "Seed of the random logits and targets (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--rows", description = "Rows per batch for every table (default: 64 for C <= 250, 16 for C = 1000, 256 binary logits; lab: min(64, 64000/C), at least 1).")
    Integer rows;

    @Option(names = "--classes", split = ",", paramLabel = "C", description = "Class counts of the float32/float64 softmax table of jgrad's ops (default ${DEFAULT-VALUE}).", defaultValue = "10,1000")
    List<Integer> classes;

    @Option(names = "--trials", description = "Independent batches per configuration (default 3; --quick lab: 2).")
    Integer trials;

    @Option(names = "--quick", description = "Fewer scales, rows, class counts and timing repetitions (for tests and a first look).")
    boolean quick;

    @Option(names = "--precisions", split = ",", paramLabel = "FORMAT",
            description = "Lab storage formats: float16, bfloat16, float32, float64 (default ${DEFAULT-VALUE}).", defaultValue = "float16,bfloat16,float32,float64")
    List<String> precisions;

    @Option(names = "--accumulations", split = ",", paramLabel = "ACC",
            description = "Lab accumulation formats: half (= the storage format), float32, float64; narrower than the storage format are skipped (default ${DEFAULT-VALUE}).",
            defaultValue = "half,float32,float64")
    List<String> accumulations;

    @Option(names = "--summations", split = ",", paramLabel = "SUM",
            description = "Lab summations: plain, pairwise, compensated (default: all; --quick: plain,pairwise).")
    List<String> summations;

    @Option(names = "--autocast", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Add PyTorch CPU autocast (bfloat16 logits, cross-entropy in float32) to the lab (default: on; --no-autocast).")
    boolean autocast;

    @Option(names = "--lab-classes", split = ",", paramLabel = "K", description = "Lab class counts (default 10,1000,32000,128000; --quick: 10,1000).")
    List<Integer> labClasses;

    @Option(names = "--scales", split = ",", paramLabel = "S", description = "Lab logit scales (default 1,10,100,1e3,1e4; --quick: 1,10,100,1e4).")
    List<Double> scales;

    @Option(names = "--train-steps", paramLabel = "N",
            description = "SGD steps of the digits MLP trained with every lab strategy in bfloat16, bfloat16/acc=float32, float16/acc=float32 and float32 (default 300, --quick 60; 0: no training).")
    Integer trainSteps;

    @Option(names = "--lab", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the precision lab (default: on; --no-lab runs only the float32/float64 report).")
    boolean lab;

    @Override
    public Integer call() throws Exception {
        if (rows != null && rows <= 0) throw new Main.UsageException("--rows must be positive, got " + rows);
        if (trials != null && trials <= 0) throw new Main.UsageException("--trials must be positive, got " + trials);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new Main.UsageException("--out: not a directory: " + out);
        int[] cs = classes.stream().mapToInt(Integer::intValue).toArray();
        StabilityLab.Builder b = StabilityLab.builder().builtInStrategies().seed(seed).progress(System.err);
        try {
            b.jgradReport(new StabilityReport.Settings(seed, cs, rows == null ? 0 : rows, trials == null ? 0 : trials, quick));
            // the fused linear + cross-entropy, on an identity weight (C² entries: only for the smaller class counts)
            if (java.util.Arrays.stream(cs).allMatch(c -> c <= JgradLoss.LINEAR_IDENTITY_MAX_CLASSES)) {
                b.jgradStrategy("LINEAR_CE", JgradLoss.linearCrossEntropyOnIdentity());
            }
            List<Format> storage = precisions.stream().map(Format::parse).toList();
            List<Precision> ps = new ArrayList<>(Precision.grid(storage, accumulations));
            if (autocast) ps.add(Precision.AUTOCAST_CPU);
            b.precisions(ps);
            List<String> sums = summations != null ? summations : quick ? List.of("plain", "pairwise") : List.of("plain", "pairwise", "compensated");
            b.summations(sums.stream().map(Summation::parse).toArray(Summation[]::new));
            if (labClasses != null) b.classes(labClasses.stream().mapToInt(Integer::intValue).toArray());
            else if (quick) b.classes(10, 1000);
            if (scales != null) b.scales(scales.stream().mapToDouble(Double::doubleValue).toArray());
            else if (quick) b.scales(1, 10, 100, 1e4);
            if (rows != null) b.rows(rows);
            int steps = trainSteps != null ? trainSteps : quick ? 60 : 300;
            if (steps < 0) throw new IllegalArgumentException("--train-steps must be >= 0, got " + steps);
            TrainingLab.Settings ts = TrainingLab.Settings.defaults();
            if (steps > 0) b.training(new TrainingLab.Settings(steps, ts.batch(), ts.hidden(), ts.lr(), seed),
                    TrainingLab.defaultPrecisions().toArray(Precision[]::new));
            if (trials != null) b.trials(trials);
            else if (quick) b.trials(2);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        List<Path> files;
        double seconds;
        String markdown;
        if (lab) {
            LabReport report = b.run();
            files = report.writeAll(out);
            seconds = report.seconds() + report.jgradReport().orElseThrow().seconds();
            markdown = new StabilityOutput(report.jgradReport().orElseThrow()).markdown() + "\n" + report.markdown();
        } else {
            StabilityReport report = b.runJgradReport();
            StabilityOutput output = new StabilityOutput(report);
            files = output.writeAll(out);
            seconds = report.seconds();
            markdown = output.markdown();
        }
        System.out.print(markdown);
        System.err.printf("jgrad stability: wrote %s (%.1f s)%n", String.join(", ", files.stream().map(Path::toString).toList()), seconds);
        return 0;
    }
}
