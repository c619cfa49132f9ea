package dev.jgrad.lab;

import dev.jgrad.lab.StabilityReport.Family;
import dev.jgrad.core.DType;
import dev.jgrad.train.plot.LineChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Renders a {@link StabilityReport}: {@code stability.md} (Markdown tables and findings computed from the data),
 * {@code stability.csv} (every row, full precision) and the charts {@code stability.png} (softmax cross-entropy)
 * and {@code stability-binary.png} (binary losses): maximum loss error against logit scale, log-log, one line per
 * strategy and one panel per dtype.
 */
public final class StabilityOutput {
    /** File name of the Markdown report. */
    public static final String MARKDOWN = "stability.md";
    /** File name of the CSV data. */
    public static final String CSV = "stability.csv";
    /** File name of the softmax cross-entropy chart. */
    public static final String CHART = "stability.png";
    /** File name of the binary-loss chart. */
    public static final String BINARY_CHART = "stability-binary.png";

    /** Errors below this many epsilons (including exact results, error 0) are drawn at this value on the log axis. */
    static final double CHART_FLOOR = 1e-2;
    /** Larger scales (1e300) are left out of the charts: they would squeeze every other scale into one corner. */
    static final double CHART_MAX_SCALE = 1e10;

    private static final double LN_FLOAT_MAX = Math.log(Float.MAX_VALUE);
    private static final double LN_DOUBLE_MAX = Math.log(Double.MAX_VALUE);

    private final StabilityReport report;

    /**
     * Wraps a finished report.
     *
     * @param report the report
     */
    public StabilityOutput(StabilityReport report) {
        this.report = report;
    }

    /**
     * Writes {@code stability.md}, {@code stability.csv}, {@code stability.png} and {@code stability-binary.png}
     * into {@code dir} (created if needed).
     *
     * @param dir the output directory
     * @return the files written
     * @throws IOException if a file cannot be written
     */
    public List<Path> writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        files.add(writeText(dir.resolve(MARKDOWN), markdown()));
        files.add(writeText(dir.resolve(CSV), csv()));
        Path png = dir.resolve(CHART);
        chart(Family.SOFTMAX_CE).writePng(png);
        files.add(png);
        Path bpng = dir.resolve(BINARY_CHART);
        chart(Family.BINARY).writePng(bpng);
        files.add(bpng);
        return files;
    }

    /** Writes UTF-8 text and returns the path. */
    static Path writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    // ------------------------------------------------------------------ Markdown

    /**
     * The Markdown report: header, findings, the softmax cross-entropy table, the binary table and a short
     * description of the method.
     *
     * @return the Markdown text
     */
    public String markdown() {
        StabilityReport.Settings s = report.settings();
        StringBuilder sb = new StringBuilder();
        sb.append("# jgrad numerical-stability report\n\n");
        String rows = java.util.Arrays.stream(s.classes()).mapToObj(c -> "C=" + c + ": " + s.rowsFor(c))
                .collect(Collectors.joining(", "));
        sb.append(String.format(Locale.ROOT, "Seed %d, %d batches (trials) per configuration, rows per batch %s, binary: %d logits%s. "
                        + "Generated in %.1f s.%n%n", s.seed(), s.trialCount(), rows, s.binaryRows(), s.quick() ? " (quick mode)" : "",
                report.seconds()));
        sb.append("Logits are standard normal × scale, rounded to the dtype; the exact values are computed by a 40-digit "
                + "reference on exactly those rounded logits. Errors are in units of the dtype's machine epsilon "
                + "(float32 2^-23, float64 2^-52; 0.5 = correctly rounded): the relative error of the mean loss "
                + "(max and median over the batches) and of every gradient element (max and median over all elements). "
                + "Gradient elements whose exact value is 0 or below the dtype's smallest normal are scored by their "
                + "absolute error × N (N = rows, i.e. relative to 1/N, the size of the largest gradient entries); "
                + "*grad max abs err* applies that absolute criterion to every element (the normwise view an optimizer sees). "
                + "`inf` marks a NaN or infinite result; *non-finite %* is the share of such values among all losses "
                + "and gradient elements. *ns/row* is the time of one forward + backward pass divided by the rows (median of 9 repetitions, best of 3 rounds "
                + "spread over the run; single-threaded, but sensitive to other load on the machine).\n\n");
        sb.append("## Findings\n\n");
        for (String f : findings()) sb.append("- ").append(f).append('\n');
        sb.append('\n');
        sb.append("## Softmax cross-entropy\n\n");
        table(sb, report.entries(Family.SOFTMAX_CE));
        sb.append("\n## Binary losses (one logit per sample, 0/1 targets)\n\n");
        sb.append("NAIVE = sigmoid → textbook BCE, EPS_CLIP(1e-7) = sigmoid → clip to [1e-7, 1-1e-7] → BCE, "
                + "TORCH_CLAMP = sigmoid → `binary_cross_entropy` (log clamped at -100), LOGISTIC_NAIVE = log(1 + exp(-y·x)), "
                + "LOGISTIC_SOFTPLUS = `soft_margin_loss`, FUSED = `binary_cross_entropy_with_logits`. classes = 2.\n\n");
        table(sb, report.entries(Family.BINARY));
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<StabilityEntry> rows) {
        sb.append("| strategy | dtype | classes | scale | loss max err (eps) | loss median err (eps) | grad max err (eps) "
                + "| grad median err (eps) | grad max abs err (eps/N) | non-finite % | ns/row |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (StabilityEntry e : rows) {
            sb.append("| ").append(e.strategy())
                    .append(" | ").append(e.dtype())
                    .append(" | ").append(e.classes())
                    .append(" | ").append(scale(e.scale()))
                    .append(" | ").append(err(e.lossMaxErr()))
                    .append(" | ").append(err(e.lossMedianErr()))
                    .append(" | ").append(err(e.gradMaxErr()))
                    .append(" | ").append(err(e.gradMedianErr()))
                    .append(" | ").append(err(e.gradMaxAbsErr()))
                    .append(" | ").append(percent(e.nonFiniteFraction()))
                    .append(" | ").append(Double.isNaN(e.nsPerRow()) ? "–" : String.format(Locale.ROOT, "%.0f", e.nsPerRow()))
                    .append(" |\n");
        }
    }

    // ------------------------------------------------------------------ findings

    /**
     * Findings computed from the data: where NAIVE and MAX_SHIFT stop being finite, the bias of the
     * epsilon clamps at large scales, FUSED's worst errors, and the same for the binary losses.
     *
     * @return one sentence per finding (Markdown)
     */
    public List<String> findings() {
        List<String> out = new ArrayList<>();
        for (DType dt : DType.values()) {
            out.add(nonFiniteFinding(Family.SOFTMAX_CE, "NAIVE", dt,
                    "softmax without the max shift: `exp` overflows once a logit exceeds ln(MAX) ≈ " + lnMax(dt)
                            + ", and like MAX_SHIFT it takes the log of probabilities that underflow to 0", true));
        }
        for (DType dt : DType.values()) {
            out.add(nonFiniteFinding(Family.SOFTMAX_CE, "MAX_SHIFT", dt,
                    "max-shifted softmax, then log: the log of a probability that underflowed to 0 is -inf"));
        }
        for (String eps : List.of("EPS_CLAMP(1e-7)", "EPS_CLAMP(1e-12)")) {
            out.add(epsClampFinding(eps));
        }
        for (DType dt : DType.values()) out.add(worstFinding(Family.SOFTMAX_CE, "FUSED", dt));
        for (String st : List.of("NAIVE", "EPS_CLIP(1e-7)", "TORCH_CLAMP", "LOGISTIC_NAIVE")) {
            for (DType dt : DType.values()) {
                String why = switch (st) {
                    case "LOGISTIC_NAIVE" -> "`exp(-y·x)` overflows once a margin exceeds ln(MAX) ≈ " + lnMax(dt);
                    case "NAIVE" -> "log(σ(x)) or log(1-σ(x)) of a probability rounded to 0 or 1";
                    default -> "finite by construction, but clipped";
                };
                out.add(binaryFinding(st, dt, why));
            }
        }
        for (String st : List.of("LOGISTIC_SOFTPLUS", "FUSED")) {
            for (DType dt : DType.values()) out.add(worstFinding(Family.BINARY, st, dt));
        }
        return out;
    }

    private static String lnMax(DType dt) {
        return String.format(Locale.ROOT, "%.2f", dt == DType.FLOAT32 ? LN_FLOAT_MAX : LN_DOUBLE_MAX);
    }

    private String nonFiniteFinding(Family f, String strategy, DType dt, String why) {
        return nonFiniteFinding(f, strategy, dt, why, false);
    }

    /**
     * Where a strategy stops being finite, per class count. With {@code overflowProne}, each threshold is annotated
     * with the largest argument of a naive {@code exp} there, compared with ln(MAX) of the dtype, which tells an
     * overflow from an underflow to 0 followed by {@code log 0}.
     */
    private String nonFiniteFinding(Family f, String strategy, DType dt, String why, boolean overflowProne) {
        List<StabilityEntry> rows = report.entries(f, strategy, dt);
        String lbl = familyPrefix(f) + "**" + strategy + "** (" + dt + ")";
        if (rows.isEmpty()) return lbl + ": not run.";
        List<Integer> classes = rows.stream().map(StabilityEntry::classes).distinct().sorted().toList();
        List<String> parts = new ArrayList<>();
        for (int c : classes) {
            OptionalDouble first = report.firstNonFiniteScale(f, strategy, dt, c);
            OptionalDouble last = report.lastFiniteScale(f, strategy, dt, c);
            String prefix = f == Family.SOFTMAX_CE ? "C=" + c + ": " : "";
            if (first.isEmpty()) {
                parts.add(prefix + "finite at every scale (up to " + scale(maxScale(rows)) + ")");
                continue;
            }
            StabilityEntry at = at(rows, c, first.getAsDouble());
            StringBuilder sb = new StringBuilder(prefix).append("first non-finite at scale ").append(scale(at.scale()))
                    .append(" (").append(percent(at.nonFiniteFraction())).append(" % of the values non-finite, ")
                    .append(magnitude(at, f, dt, overflowProne)).append(')');
            if (last.isPresent()) {
                StabilityEntry ok = at(rows, c, last.getAsDouble());
                sb.append(", finite at scale ").append(scale(ok.scale())).append(" (").append(magnitude(ok, f, dt, overflowProne)).append(')');
            } else {
                sb.append(", already at the smallest scale");
            }
            parts.add(sb.toString());
        }
        return lbl + ": " + String.join("; ", parts) + " — " + why + ".";
    }

    private static String magnitude(StabilityEntry e, Family f, DType dt, boolean overflowProne) {
        if (!overflowProne) return "largest |logit| " + num(e.maxAbsLogit());
        double lnMax = dt == DType.FLOAT32 ? LN_FLOAT_MAX : LN_DOUBLE_MAX;
        String what = f == Family.SOFTMAX_CE ? "largest logit " : "largest margin -y·x ";
        double arg = e.maxExpArgument();
        if (arg > lnMax) return what + num(arg) + " > ln(MAX) " + lnMax(dt) + ": exp overflows";
        if (e.allFinite()) return what + num(arg);
        return what + num(arg) + " < ln(MAX) " + lnMax(dt) + ": no overflow, a probability underflowed to 0 and its log is -inf";
    }

    private static StabilityEntry at(List<StabilityEntry> rows, int classes, double scale) {
        return rows.stream().filter(e -> e.classes() == classes && e.scale() == scale).findFirst().orElseThrow();
    }

    private String epsClampFinding(String strategy) {
        List<String> parts = new ArrayList<>();
        for (DType dt : DType.values()) {
            List<StabilityEntry> rows = report.entries(Family.SOFTMAX_CE, strategy, dt);
            if (rows.isEmpty()) continue;
            double top = maxScale(rows);
            for (StabilityEntry e : rows) {
                if (e.scale() != top) continue;
                parts.add(String.format(Locale.ROOT, "%s C=%d: %s, loss error %s eps (relative bias %s)", dt, e.classes(),
                        e.allFinite() ? "finite" : "non-finite " + percent(e.nonFiniteFraction()) + " %",
                        err(e.lossMaxErr()), signedPercent(e.lossRelativeBias())));
            }
        }
        if (parts.isEmpty()) return "**" + strategy + "**: not run.";
        long nonFiniteRows = report.entries(Family.SOFTMAX_CE).stream().filter(e -> e.strategy().equals(strategy))
                .filter(e -> !e.allFinite()).count();
        List<String> biased = new ArrayList<>();
        for (DType dt : DType.values()) {
            report.entries(Family.SOFTMAX_CE, strategy, dt).stream().filter(e -> e.lossMaxErr() > 1000)
                    .mapToDouble(StabilityEntry::scale).min()
                    .ifPresent(sc -> biased.add("scale " + scale(sc) + " in " + dt));
        }
        return "**" + strategy + "** (log(p + eps)) is " + (nonFiniteRows == 0 ? "finite at every scale" : "not always finite")
                + ", but biased: at the largest scale " + String.join("; ", parts) + "."
                + (biased.isEmpty() ? "" : " Its loss error first exceeds 1000 eps at " + String.join(", ", biased) + ".");
    }

    private String worstFinding(Family f, String strategy, DType dt) {
        List<StabilityEntry> rows = report.entries(f, strategy, dt);
        String lbl = familyPrefix(f) + "**" + strategy + "** (" + dt + ")";
        if (rows.isEmpty()) return lbl + ": not run.";
        StabilityEntry wl = rows.stream().max(Comparator.comparingDouble(StabilityEntry::lossMaxErr)).orElseThrow();
        StabilityEntry wg = rows.stream().max(Comparator.comparingDouble(StabilityEntry::gradMaxErr)).orElseThrow();
        StabilityEntry wa = rows.stream().max(Comparator.comparingDouble(StabilityEntry::gradMaxAbsErr)).orElseThrow();
        double medianGrad = rows.stream().mapToDouble(StabilityEntry::gradMedianErr).max().orElse(Double.NaN);
        long nonFinite = rows.stream().filter(e -> !e.allFinite()).count();
        String where = f == Family.SOFTMAX_CE ? "scale %s, C=%d" : "scale %s";
        return lbl + (nonFinite == 0 ? " is finite at every scale" : " is non-finite in " + nonFinite + " of " + rows.size() + " configurations")
                + "; worst loss error over all scales " + err(wl.lossMaxErr()) + " eps ("
                + String.format(Locale.ROOT, where, scale(wl.scale()), wl.classes()) + "), worst gradient error "
                + err(wg.gradMaxErr()) + " eps (" + String.format(Locale.ROOT, where, scale(wg.scale()), wg.classes())
                + "; the largest median gradient error is " + err(medianGrad) + " eps), worst absolute gradient error "
                + err(wa.gradMaxAbsErr()) + " eps/N (" + String.format(Locale.ROOT, where, scale(wa.scale()), wa.classes()) + ")"
                + (wg.gradMaxErr() > 1000 * Math.max(1, wa.gradMaxAbsErr()) && Double.isFinite(wa.gradMaxAbsErr())
                        ? ": the large relative errors sit in gradient entries far smaller than 1/N" : "")
                + ".";
    }

    private String binaryFinding(String strategy, DType dt, String why) {
        List<StabilityEntry> rows = report.entries(Family.BINARY, strategy, dt);
        if (rows.isEmpty()) return "binary **" + strategy + "** (" + dt + "): not run.";
        if (report.firstNonFiniteScale(Family.BINARY, strategy, dt).isPresent()) {
            return nonFiniteFinding(Family.BINARY, strategy, dt, why, strategy.equals("LOGISTIC_NAIVE"));
        }
        StabilityEntry wl = rows.stream().max(Comparator.comparingDouble(StabilityEntry::lossMaxErr)).orElseThrow();
        return "binary **" + strategy + "** (" + dt + ") is finite at every scale; worst loss error " + err(wl.lossMaxErr())
                + " eps at scale " + scale(wl.scale()) + String.format(Locale.ROOT, " (relative bias %s)", signedPercent(wl.lossRelativeBias()))
                + (wl.lossMaxErr() > 1000 ? " — " + why : "") + ".";
    }

    private static String familyPrefix(Family f) {
        return f == Family.BINARY ? "binary " : "";
    }

    private static double maxScale(List<StabilityEntry> rows) {
        return rows.stream().mapToDouble(StabilityEntry::scale).max().orElse(Double.NaN);
    }

    // ------------------------------------------------------------------ CSV

    /**
     * All rows as CSV with a header line; errors at full precision, {@code inf} for non-finite results.
     *
     * @return the CSV text
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("family,strategy,dtype,classes,scale,rows,trials,max_abs_logit,"
                + "max_exp_argument,loss_max_err_eps,loss_median_err_eps,grad_max_err_eps,grad_median_err_eps,grad_max_abs_err_eps_per_n,non_finite_fraction,ns_per_row,"
                + "loss_batch0,exact_loss_batch0\n");
        for (StabilityEntry e : report.entries()) {
            sb.append(e.family().label()).append(',').append(e.strategy()).append(',').append(e.dtype()).append(',')
                    .append(e.classes()).append(',').append(csvNum(e.scale())).append(',').append(e.rows()).append(',')
                    .append(e.trials()).append(',').append(csvNum(e.maxAbsLogit())).append(',')
                    .append(csvNum(e.maxExpArgument())).append(',')
                    .append(csvNum(e.lossMaxErr())).append(',').append(csvNum(e.lossMedianErr())).append(',')
                    .append(csvNum(e.gradMaxErr())).append(',').append(csvNum(e.gradMedianErr())).append(',')
                    .append(csvNum(e.gradMaxAbsErr())).append(',')
                    .append(csvNum(e.nonFiniteFraction())).append(',').append(csvNum(e.nsPerRow())).append(',')
                    .append(csvNum(e.loss())).append(',').append(csvNum(e.exactLoss())).append('\n');
        }
        return sb.toString();
    }

    static String csvNum(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, "%.9g", v);
    }

    // ------------------------------------------------------------------ charts

    /**
     * The chart of one family: largest loss error (eps, log axis) against logit scale (log axis), one line per
     * strategy, one panel per dtype. Softmax cross-entropy uses C = 10 when it was run, else the first class
     * count. Errors below {@value #CHART_FLOOR} eps are drawn at that floor; scales above {@value #CHART_MAX_SCALE}
     * are left out (the axis title says so); configurations with any non-finite loss or gradient element are
     * dropped (the legend says how many).
     *
     * @param family the family
     * @return the chart
     */
    public LineChart chart(Family family) {
        int[] cs = report.settings().classes();
        int classes = family == Family.BINARY ? 2
                : java.util.Arrays.stream(cs).anyMatch(c -> c == 10) ? 10 : cs[0];
        // wide panels: the legend is one line below each panel
        LineChart fig = new LineChart().panelSize(family == Family.BINARY ? 1180 : 1000, 560);
        List<String> names = report.strategyNames(family);
        for (DType dt : DType.values()) {
            String title = (family == Family.SOFTMAX_CE ? "softmax cross-entropy, C=" + classes : "binary losses") + ", " + dt;
            boolean omitted = report.entries(family).stream().anyMatch(e -> e.dtype() == dt && e.scale() > CHART_MAX_SCALE);
            String xTitle = "logit scale" + (omitted ? " (scales above " + scale(CHART_MAX_SCALE) + " only in the tables)" : "");
            LineChart.Panel p = fig.addPanel(title).xAxis(xTitle).logX(true)
                    .yAxis("max loss error (eps; < " + CHART_FLOOR + " drawn at " + CHART_FLOOR + ")").logY(true).markers(true);
            for (String name : names) {
                List<StabilityEntry> rows = report.entries(family, name, dt).stream()
                        .filter(e -> e.classes() == classes && e.scale() <= CHART_MAX_SCALE).toList();
                if (rows.isEmpty()) continue;
                double[] x = new double[rows.size()];
                double[] y = new double[rows.size()];
                for (int i = 0; i < x.length; i++) {
                    StabilityEntry e = rows.get(i);
                    x[i] = e.scale();
                    // a non-finite loss or gradient makes the point undrawable (dropped and counted in the legend)
                    y[i] = e.allFinite() ? Math.max(CHART_FLOOR, e.lossMaxErr()) : Double.POSITIVE_INFINITY;
                }
                p.series(name, x, y);
            }
        }
        return fig;
    }

    // ------------------------------------------------------------------ formatting

    /**
     * Formats an error in eps: {@code 0}, {@code inf}, three significant digits, or scientific notation outside
     * {@code [0.01, 10^5)}.
     */
    static String err(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return "inf";
        if (v == 0) return "0";
        if (v >= 0.01 && v < 1e5) return String.format(Locale.ROOT, "%.3g", v);
        return String.format(Locale.ROOT, "%.2e", v);
    }

    static String num(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (Math.abs(v) >= 0.01 && Math.abs(v) < 1e6) return String.format(Locale.ROOT, "%.4g", v);
        return String.format(Locale.ROOT, "%.3e", v);
    }

    static String percent(double fraction) {
        if (fraction == 0) return "0";
        double p = fraction * 100;
        if (p >= 1) return String.format(Locale.ROOT, "%.1f", p);
        return String.format(Locale.ROOT, "%.2g", p);
    }

    static String signedPercent(double rel) {
        if (!Double.isFinite(rel)) return Double.isNaN(rel) ? "nan" : (rel > 0 ? "+inf" : "-inf");
        double p = rel * 100;
        if (Math.abs(p) >= 0.01) return String.format(Locale.ROOT, "%+.3g %%", p);
        return String.format(Locale.ROOT, "%+.2e %%", p);
    }

    /** Formats a scale: integers below 1000 as is, powers of ten as {@code 1e3}, others with %g. */
    static String scale(double s) {
        if (s == Math.rint(s) && s < 1000) return String.valueOf((long) s);
        double lg = Math.log10(s);
        long e = Math.round(lg);
        if (Math.abs(Math.pow(10, e) / s - 1) < 1e-12) return "1e" + e;
        return String.format(Locale.ROOT, "%g", s);
    }
}
