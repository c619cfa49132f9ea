package dev.jgrad.lab;

import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import dev.jgrad.train.plot.LineChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

import static dev.jgrad.lab.StabilityOutput.csvNum;
import static dev.jgrad.lab.StabilityOutput.err;
import static dev.jgrad.lab.StabilityOutput.scale;

/**
 * The result of a {@link StabilityLab} run: one {@link LabEntry} per strategy × precision × summation × class
 * count × scale, and, if it was run, the float32/float64 {@link StabilityReport} of jgrad's ops. Writes
 * {@code stability-precision.md} (findings, an acceptance summary and one table per class count),
 * {@code stability-precision.csv} (every entry) and {@code stability-precision.png} (loss error against scale).
 */
public final class LabReport {
    /** File name of the Markdown report. */
    public static final String MARKDOWN = "stability-precision.md";
    /** File name of the CSV data. */
    public static final String CSV = "stability-precision.csv";
    /** File name of the chart. */
    public static final String CHART = "stability-precision.png";

    private final StabilityLab.Settings settings;
    private final List<LabEntry> entries;
    private final StabilityReport jgrad;
    private final double seconds;
    private final TrainingLab.Settings trainingSettings;
    private final List<TrainingLab.Run> training;

    LabReport(StabilityLab.Settings settings, List<LabEntry> entries, StabilityReport jgrad, double seconds) {
        this(settings, entries, jgrad, seconds, null, List.of());
    }

    private LabReport(StabilityLab.Settings settings, List<LabEntry> entries, StabilityReport jgrad, double seconds,
                      TrainingLab.Settings trainingSettings, List<TrainingLab.Run> training) {
        this.settings = settings;
        this.entries = List.copyOf(entries);
        this.jgrad = jgrad;
        this.seconds = seconds;
        this.trainingSettings = trainingSettings;
        this.training = List.copyOf(training);
    }

    /** This report with training runs. */
    LabReport withTraining(TrainingLab.Settings s, List<TrainingLab.Run> runs) {
        return new LabReport(settings, entries, jgrad, seconds, s, runs);
    }

    /** File name of the training chart. */
    public static final String TRAINING_CHART = "stability-training.png";

    /** @return the training runs (empty unless {@link StabilityLab.Builder#training} was chosen) */
    public List<TrainingLab.Run> training() {
        return training;
    }

    /** @return what ran */
    public StabilityLab.Settings settings() {
        return settings;
    }

    /** @return every entry, in strategy, precision, summation, class count, scale order */
    public List<LabEntry> entries() {
        return entries;
    }

    /** @return the float32/float64 report of jgrad's own ops, if it was run */
    public Optional<StabilityReport> jgradReport() {
        return Optional.ofNullable(jgrad);
    }

    /** @return wall time of the run in seconds */
    public double seconds() {
        return seconds;
    }

    /**
     * The entries of one strategy, precision and summation.
     *
     * @param strategy  strategy name
     * @param precision precision name
     * @param summation summation
     * @return the entries, by class count and scale
     */
    public List<LabEntry> entries(String strategy, String precision, Summation summation) {
        return entries.stream().filter(e -> e.strategy().equals(strategy) && e.precision().name().equals(precision)
                && e.summation() == summation).toList();
    }

    /**
     * One entry.
     *
     * @param strategy  strategy name
     * @param precision precision name
     * @param summation summation
     * @param classes   class count
     * @param scale     scale
     * @return the entry, if it was run
     */
    public Optional<LabEntry> entry(String strategy, String precision, Summation summation, int classes, double scale) {
        return entries(strategy, precision, summation).stream().filter(e -> e.classes() == classes && e.scale() == scale).findFirst();
    }

    /**
     * The largest scale up to which assert_close accepted the loss and gradient of every batch at every class count
     * (scales ascending; the first failure ends the run).
     *
     * @param strategy  strategy name
     * @param precision precision name
     * @param summation summation
     * @return the scale, or empty if it failed at the smallest scale
     */
    public OptionalDouble acceptedUpTo(String strategy, String precision, Summation summation) {
        List<LabEntry> rows = entries(strategy, precision, summation);
        double firstFail = rows.stream().filter(e -> !e.accepted()).mapToDouble(LabEntry::scale).min().orElse(Double.POSITIVE_INFINITY);
        return rows.stream().mapToDouble(LabEntry::scale).filter(s -> s < firstFail).max();
    }

    /**
     * The smallest scale with a non-finite loss or gradient element, at any class count.
     *
     * @param strategy  strategy name
     * @param precision precision name
     * @param summation summation
     * @return the scale, or empty if finite everywhere
     */
    public OptionalDouble firstNonFiniteScale(String strategy, String precision, Summation summation) {
        return entries(strategy, precision, summation).stream().filter(e -> !e.allFinite()).mapToDouble(LabEntry::scale).min();
    }

    /**
     * Writes the Markdown, CSV and PNG files (and, if run, those of the jgrad-ops report) into {@code dir}.
     *
     * @param dir output directory (created if needed)
     * @return the files written
     * @throws IOException if a file cannot be written
     */
    public List<Path> writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        if (jgrad != null) files.addAll(new StabilityOutput(jgrad).writeAll(dir));
        files.add(StabilityOutput.writeText(dir.resolve(MARKDOWN), markdown()));
        files.add(StabilityOutput.writeText(dir.resolve(CSV), csv()));
        Path png = dir.resolve(CHART);
        chart().writePng(png);
        files.add(png);
        if (!training.isEmpty()) {
            Path tpng = dir.resolve(TRAINING_CHART);
            TrainingLab.chart(training).writePng(tpng);
            files.add(tpng);
        }
        return files;
    }

    private List<String> strategyNames() {
        return settings.strategies().stream().map(StabilityLab.Registered::name).toList();
    }

    // ------------------------------------------------------------------ Markdown

    /**
     * The Markdown report: method, findings, the assert_close summary and one table per class count.
     *
     * @return the text
     */
    public String markdown() {
        StringBuilder sb = new StringBuilder("# jgrad stability lab: storage precision, accumulation and summation\n\n");
        String rows = Arrays.stream(settings.classes()).mapToObj(c -> "K=" + c + ": " + settings.rowsFor(c)).collect(Collectors.joining(", "));
        sb.append(String.format(Locale.ROOT, "Seed %d, %d batches per configuration, rows per batch %s. Generated in %.1f s.%n%n",
                settings.seed(), settings.trials(), rows, seconds));
        sb.append("Logits are standard normal × scale, rounded to the precision's input format; every operation rounds "
                + "what it stores to the storage format (round to nearest even, IEEE overflow/underflow), reductions add "
                + "in the accumulation format with the given summation. *err* is the largest relative error of the batch "
                + "mean loss in units of the storage format's epsilon (float16 2^-10, bfloat16 2^-7, float32 2^-23, float64 "
                + "2^-52), against a reference on exactly the rounded logits; `inf` marks a NaN or infinite result. ✓: "
                + "`torch.testing.assert_close` with the storage dtype's default tolerances (float16 rtol 1e-3, bfloat16 "
                + "1.6e-2, float32 1.3e-6, float64 1e-7; atol 1e-5, float64 1e-7) accepts the loss and the gradient of every "
                + "batch; ✗: it rejects one. `autocast-cpu` = `torch.autocast(\"cpu\")`: bfloat16 logits, cross-entropy in float32.\n\n");
        sb.append("## Findings\n\n");
        for (String f : findings()) sb.append("- ").append(f).append('\n');
        if (!training.isEmpty()) {
            sb.append("\n## Training with each strategy (").append(TRAINING_CHART).append(")\n\n");
            sb.append(TrainingLab.markdown(training, trainingSettings));
        }
        sb.append("\n## Largest scale at which assert_close accepts every batch (all class counts)\n\n");
        List<String> names = strategyNames();
        sb.append("| precision | summation | ").append(String.join(" | ", names)).append(" |\n|---|---|");
        sb.append("---:|".repeat(names.size())).append('\n');
        for (Precision p : settings.precisions()) {
            for (Summation s : settings.summations()) {
                sb.append("| ").append(p.name()).append(" | ").append(s.label());
                for (String n : names) {
                    OptionalDouble up = acceptedUpTo(n, p.name(), s);
                    sb.append(" | ").append(up.isEmpty() ? "never" : scale(up.getAsDouble()));
                }
                sb.append(" |\n");
            }
        }
        double[] scales = settings.scales();
        for (int k : settings.classes()) {
            sb.append("\n## K = ").append(k).append(": loss error (eps), ✓/✗ assert_close\n\n");
            sb.append("| strategy | precision | summation | ");
            sb.append(Arrays.stream(scales).mapToObj(StabilityOutput::scale).collect(Collectors.joining(" | "))).append(" |\n|---|---|---|");
            sb.append("---:|".repeat(scales.length)).append('\n');
            for (String n : names) {
                for (Precision p : settings.precisions()) {
                    for (Summation s : settings.summations()) {
                        sb.append("| ").append(n).append(" | ").append(p.name()).append(" | ").append(s.label());
                        for (double sc : scales) {
                            LabEntry e = entry(n, p.name(), s, k, sc).orElseThrow();
                            sb.append(" | ").append(err(e.lossMaxErr())).append(e.accepted() ? " ✓" : " ✗");
                        }
                        sb.append(" |\n");
                    }
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ findings

    /**
     * Findings computed from the data: where each strategy first turns non-finite per precision, what the
     * summation changes for 16-bit accumulation at the largest class count, which precisions a PyTorch test
     * accepts for the two-pass kernel, and how far the two label-smoothing conventions lie apart.
     *
     * @return one Markdown sentence per finding
     */
    public List<String> findings() {
        List<String> out = new ArrayList<>();
        Summation first = settings.summations().get(0);
        for (String n : strategyNames()) {
            List<String> parts = new ArrayList<>();
            for (Precision p : settings.precisions()) {
                OptionalDouble nf = firstNonFiniteScale(n, p.name(), first);
                if (nf.isPresent()) {
                    LabEntry at = entries(n, p.name(), first).stream().filter(e -> e.scale() == nf.getAsDouble() && !e.allFinite())
                            .max(Comparator.comparingDouble(LabEntry::maxLogit)).orElseThrow();
                    parts.add(p.name() + " from scale " + scale(nf.getAsDouble()) + " (largest logit " + StabilityOutput.num(at.maxLogit()) + ")");
                }
            }
            out.add("**" + n + "** (" + first.label() + " sums): " + (parts.isEmpty() ? "finite in every precision at every scale"
                    : "non-finite in " + String.join(", ", parts)) + ".");
        }
        int kMax = Arrays.stream(settings.classes()).max().orElseThrow();
        double s0 = settings.scales()[0];
        String probe = strategyNames().contains("TWO_PASS") ? "TWO_PASS" : strategyNames().get(0);
        for (Precision p : settings.precisions()) {
            if (p.accumulation() != p.storage() || p.storage() == Format.FLOAT32 || p.storage() == Format.FLOAT64) continue;
            List<String> parts = new ArrayList<>();
            for (Summation s : settings.summations()) {
                entry(probe, p.name(), s, kMax, s0).ifPresent(e -> parts.add(s.label() + " " + err(e.lossMaxErr()) + " eps" + (e.accepted() ? " (accepted)" : " (rejected)")));
            }
            out.add(String.format(Locale.ROOT, "%s with %s accumulation, K=%d, scale %s, %s: loss error %s.", p.storage(), p.accumulation(), kMax,
                    scale(s0), probe, String.join(", ", parts)));
        }
        List<String> accepted = new ArrayList<>(), rejected = new ArrayList<>();
        for (Precision p : settings.precisions()) {
            for (Summation s : settings.summations()) {
                List<LabEntry> rows = entries(probe, p.name(), s);
                if (rows.isEmpty()) continue;
                (rows.stream().allMatch(LabEntry::accepted) ? accepted : rejected).add(p.name() + "/" + s.label());
            }
        }
        out.add("**" + probe + "** passes assert_close at every class count and scale in: " + (accepted.isEmpty() ? "none" : String.join(", ", accepted))
                + "; fails somewhere in: " + (rejected.isEmpty() ? "none" : String.join(", ", rejected)) + ".");
        if (strategyNames().containsAll(List.of("LS_EPS/K", "LS_EPS/(K-1)"))) {
            Precision p = settings.precisions().get(0);
            List<String> parts = new ArrayList<>();
            for (int k : settings.classes()) {
                LabEntry a = entry("LS_EPS/K", p.name(), first, k, s0).orElseThrow();
                LabEntry b = entry("LS_EPS/(K-1)", p.name(), first, k, s0).orElseThrow();
                double gap = Math.abs(a.exactLoss() - b.exactLoss()) / Math.abs(a.exactLoss());
                List<String> fails = Arrays.stream(Format.values()).filter(f -> gap > f.rtol()).map(Format::label).toList();
                parts.add(String.format(Locale.ROOT, "K=%d: %.3g %% (%s)", k, gap * 100,
                        fails.isEmpty() ? "within every rtol" : "beyond the rtol of " + String.join(", ", fails)));
            }
            out.add("The label-smoothing conventions ε/K and ε/(K-1) (ε = 0.1) are different losses: relative gap of the exact "
                    + "losses at scale " + scale(s0) + " " + String.join("; ", parts) + " — a port that switches convention fails a PyTorch test "
                    + "wherever the gap exceeds the dtype's rtol.");
        }
        return out;
    }

    // ------------------------------------------------------------------ CSV

    /**
     * Every entry as CSV with a header; errors at full precision, {@code inf} for non-finite results.
     *
     * @return the text
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("strategy,precision,input,storage,accumulation,summation,classes,scale,rows,trials,max_logit,"
                + "loss_max_err_eps,loss_median_err_eps,grad_max_abs_err_eps_per_n,non_finite_fraction,loss_accepted,grad_accepted,"
                + "loss_batch0,exact_loss_batch0\n");
        for (LabEntry e : entries) {
            Precision p = e.precision();
            sb.append(e.strategy()).append(',').append(p.name()).append(',').append(p.input()).append(',').append(p.storage()).append(',')
                    .append(p.accumulation()).append(',').append(e.summation().label()).append(',').append(e.classes()).append(',')
                    .append(csvNum(e.scale())).append(',').append(e.rows()).append(',').append(e.trials()).append(',')
                    .append(csvNum(e.maxLogit())).append(',').append(csvNum(e.lossMaxErr())).append(',').append(csvNum(e.lossMedianErr())).append(',')
                    .append(csvNum(e.gradMaxAbsErr())).append(',').append(csvNum(e.nonFiniteFraction())).append(',')
                    .append(csvNum(e.lossAccepted())).append(',').append(csvNum(e.gradAccepted())).append(',')
                    .append(csvNum(e.loss())).append(',').append(csvNum(e.exactLoss())).append('\n');
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ chart

    /**
     * Loss error (eps, log axis) against logit scale (log axis) at the largest class count with the first
     * summation: one panel per precision whose accumulation is its storage format (at most four), one line per
     * strategy; errors below {@value StabilityOutput#CHART_FLOOR} eps are drawn at that floor, non-finite points are
     * dropped (the legend counts them).
     *
     * @return the chart
     */
    public LineChart chart() {
        int k = Arrays.stream(settings.classes()).max().orElseThrow();
        Summation s = settings.summations().get(0);
        List<Precision> panels = settings.precisions().stream().filter(p -> p.accumulation() == p.storage() && p.input() == p.storage()).limit(4).toList();
        if (panels.isEmpty()) panels = settings.precisions().subList(0, 1);
        LineChart fig = new LineChart().panelSize(480, 400);
        for (Precision p : panels) {
            LineChart.Panel panel = fig.addPanel(p.name() + ", K=" + k + ", " + s.label() + " sums").xAxis("logit scale").logX(true)
                    .yAxis("max loss error (eps)").logY(true).markers(true);
            for (String n : strategyNames()) {
                List<LabEntry> rows = entries(n, p.name(), s).stream().filter(e -> e.classes() == k).toList();
                double[] x = rows.stream().mapToDouble(LabEntry::scale).toArray();
                double[] y = rows.stream().mapToDouble(e -> e.allFinite() ? Math.max(StabilityOutput.CHART_FLOOR, e.lossMaxErr()) : Double.POSITIVE_INFINITY).toArray();
                panel.series(n, x, y);
            }
        }
        return fig;
    }
}
