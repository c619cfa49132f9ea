package dev.jgrad.cli;

import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Tabular;
import dev.jgrad.train.Model;
import dev.jgrad.train.Predictions;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * {@code jgrad predict --model FILE --data input.csv}: loads a model file ({@link Model}, e.g. the
 * {@code model.safetensors} that {@code jgrad train} writes into its run directory) and writes one CSV line per input
 * row: {@code row} (0-based data row), the predicted {@code label} (a class name) and its {@code probability} for a
 * classifier, the predicted value(s) for a regressor; {@code --proba} adds every class's probability (a column per
 * class name), {@code --top-k K} the K most probable classes. If the input has a label column its true value is
 * written too ({@code actual}) and the accuracy or R² is printed (on standard error when the predictions go to
 * standard output).
 *
 * <p>The input is read as {@code jgrad train} reads CSV ({@link CsvLoader#options()}: header, delimiter, quotes, UTF-8
 * with or without BOM, gzip). Whether it has a label column: {@code --label COL} (name or 0-based index) or
 * {@code --no-label} say so; otherwise a row of the model's feature count has none and one with one more column has
 * its label last. {@code --dataset NAME} predicts a data set {@code jgrad train} knows instead (by default the test
 * split the training run held out, from the model's stored seed). Bad input is one line and exit code 2.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Predict with a saved model (jgrad train writes runs/NAME/model.safetensors): labels and probabilities, or values.")
public final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model file (e.g. runs/NAME/model.safetensors).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", description = "CSV rows to predict (with --dataset fashion-mnist: its directory).")
    Path data;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Predict a known data set instead: digits, fashion-mnist, breast-cancer, iris or diabetes.")
    String dataset;

    @Option(names = "--split", description = "With --dataset: test (default: the rows the training run held out), train or all.", defaultValue = "test")
    String split;

    @Option(names = "--header", description = "The first CSV record names the columns.")
    boolean header;

    @Option(names = "--delimiter", paramLabel = "C", description = "CSV field separator (default ','; 'tab' for a tab).", defaultValue = ",")
    String delimiter;

    @Option(names = "--label", paramLabel = "COL", description = "The label column: a header name or a 0-based index (default: the last column if the rows have one more than the model's features).")
    String label;

    @Option(names = "--no-label", description = "The input has no label column.")
    boolean noLabel;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions here (default: standard output).")
    Path out;

    @Option(names = "--proba", description = "Add the probability of every class (a column per class name).")
    boolean proba;

    @Option(names = "--top-k", paramLabel = "K", description = "Add the K most probable classes and their probabilities.")
    Integer topK;

    @Override
    public Integer call() throws IOException {
        if (data == null && dataset == null) throw new Main.UsageException("give --data FILE (CSV rows) or --dataset NAME");
        if (label != null && noLabel) throw new Main.UsageException("--label and --no-label exclude each other");
        if (out != null && Files.isDirectory(out)) throw new Main.UsageException("--out: " + out + " is a directory");
        Path outDir = out == null ? null : out.toAbsolutePath().getParent();
        if (outDir != null && !Files.isDirectory(outDir)) throw new Main.UsageException("--out: no such directory: " + outDir);
        char delim = delimiter();
        Model m = Model.load(model);
        boolean classifier = m.task() == Model.Task.CLASSIFICATION;
        int k = classifier ? m.classNames().size() : m.architecture().outputs();
        if (topK != null && (!classifier || topK < 1 || topK > k)) {
            throw new Main.UsageException("--top-k " + topK + ": " + (classifier ? "must be in [1, " + k + "] (the model's classes)" : "a regression model has no classes"));
        }
        if (proba && !classifier) throw new Main.UsageException("--proba: a regression model has no class probabilities");
        Input in = dataset != null ? dataset(m) : csv(m, delim);
        Predictions p = m.predict(in.rows());

        Writer w = out != null ? Files.newBufferedWriter(out, StandardCharsets.UTF_8)
                : new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
        try {
            csv.printRecord(columns(m, in.labeled()));
            List<String> record = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                record.clear();
                record.add(Integer.toString(i));
                if (classifier) {
                    double[] pr = p.probabilities(i);
                    record.add(p.label(i));
                    record.add(prob(pr[p.classIndex(i)]));
                    if (topK != null) for (int c : top(pr, topK)) {
                        record.add(m.classNames().get(c));
                        record.add(prob(pr[c]));
                    }
                    if (proba) for (double v : pr) record.add(prob(v));
                } else {
                    for (double v : p.values(i)) record.add(String.format(Locale.ROOT, "%.6g", v));
                }
                if (in.labeled()) record.add(classifier ? m.classNames().get(in.classes()[i]) : String.format(Locale.ROOT, "%.6g", in.rows().target(i, 0)));
                csv.printRecord(record);
            }
        } finally {
            if (out == null) csv.flush(); // standard output stays open
            else csv.close();
        }
        String line = summary(m, in, p);
        System.out.flush();
        if (out != null) {
            System.out.println(line);
        } else { // standard output holds the CSV
            spec.commandLine().getErr().println(line);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    /** The rows, and for labeled input each row's class in the model's numbering (classification). */
    private record Input(Tabular rows, String source, boolean labeled, int[] classes) {
    }

    private char delimiter() {
        String d = delimiter.equalsIgnoreCase("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
        if (d.length() != 1 || d.equals("\"") || d.equals("\n") || d.equals("\r")) {
            throw new Main.UsageException("--delimiter must be one character other than a quote or line break (or 'tab'), got '" + delimiter + "'");
        }
        return d.charAt(0);
    }

    /** Reads {@code --data} with the label column found as the class documentation says. */
    private Input csv(Model m, char delim) throws IOException {
        if (!Files.isRegularFile(data)) throw new Main.UsageException("--data: no such file: " + data);
        int features = m.inputFeatures();
        CsvLoader.Options o = CsvLoader.options().header(header).delimiter(delim);
        boolean regression = m.task() == Model.Task.REGRESSION;
        boolean labeled = !noLabel;
        if (label != null) {
            if (label.matches("[0-9]+")) o.label(Integer.parseInt(label));
            else if (header) o.label(label);
            else throw new Main.UsageException("--label " + label + ": a column name needs --header (or give a 0-based index)");
        } else if (!noLabel) {
            int columns = columns(data, delim);
            labeled = columns != features;
            if (columns != features && columns != features + 1) {
                throw new Main.UsageException(data + ": rows of " + columns + " columns, but the model expects " + features + " features ("
                        + (features + 1) + " columns with a label column)");
            }
        }
        if (!labeled) o.noLabel();
        if (labeled && regression && m.architecture().outputs() != 1) {
            throw new Main.UsageException(data + ": a label column cannot hold the " + m.architecture().outputs() + " targets of this model (use --no-label)");
        }
        Tabular t = o.regression(labeled && regression).read(data);
        if (t.numFeatures() != features) {
            throw new Main.UsageException(data + ": " + t.numFeatures() + " feature columns" + (labeled ? " besides the label" : "") + ", but the model expects " + features);
        }
        return new Input(t, data.toString(), labeled, labeled && !regression ? modelClasses(m, t, data.toString()) : null);
    }

    /** The number of columns of the first record of a (possibly gzip-compressed) CSV file. */
    private static int columns(Path file, char delim) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gz ? new GZIPInputStream(raw) : raw;
            CSVParser p = CSVParser.builder().setReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .setFormat(CSVFormat.DEFAULT.builder().setDelimiter(delim).get()).get();
            Iterator<CSVRecord> it = p.iterator();
            return it.hasNext() ? it.next().size() : 0;
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Each row's label as a class of the model: by name, else an integer label as the class index. */
    private static int[] modelClasses(Model m, Tabular t, String source) {
        List<String> names = m.classNames();
        int[] map = new int[t.numClasses()];
        for (int c = 0; c < map.length; c++) {
            String name = t.className(c);
            int idx = names.indexOf(name);
            if (idx < 0 && name.matches("[0-9]+") && Integer.parseInt(name) < names.size()) idx = Integer.parseInt(name);
            if (idx < 0) throw new Main.UsageException(source + ": label '" + name + "' is not one of the model's classes " + names);
            map[c] = idx;
        }
        int[] y = t.labels();
        for (int i = 0; i < y.length; i++) y[i] = map[y[i]];
        return y;
    }

    /** {@code --dataset}: the bundled set (its test split by the model's seed), or Fashion-MNIST's t10k/train files. */
    private Input dataset(Model m) throws IOException {
        if (!TrainCommand.DATASETS.contains(dataset)) {
            throw new Main.UsageException("unknown data set '" + dataset + "': expected " + String.join(", ", TrainCommand.DATASETS));
        }
        if (!List.of("test", "train", "all").contains(split)) throw new Main.UsageException("--split must be test, train or all, got '" + split + "'");
        Tabular t;
        try {
            if (dataset.equals("fashion-mnist")) {
                Path dir = data != null ? data : Datasets.DEFAULT_FASHION_MNIST_DIR;
                if (split.equals("all")) throw new Main.UsageException("--dataset fashion-mnist: --split test or train (its two files)");
                t = Datasets.fashionMnist(dir, split.equals("train"));
            } else {
                Tabular all = TrainCommand.bundled(dataset);
                long seed;
                try {
                    seed = Long.parseLong(m.trainingOptions().getOrDefault("seed", "42"));
                } catch (NumberFormatException e) {
                    throw new Main.UsageException(model + ": stored training option seed '" + m.trainingOptions().get("seed") + "' is not an integer");
                }
                Split s = Split.stratified(all, 0.2, seed);
                t = split.equals("all") ? all : split.equals("test") ? s.test() : s.train();
            }
        } catch (DatasetNotFoundException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (t.numFeatures() != m.inputFeatures()) {
            throw new Main.UsageException(dataset + " has " + t.numFeatures() + " features, but the model " + model + " expects " + m.inputFeatures());
        }
        boolean regression = m.task() == Model.Task.REGRESSION;
        if (regression != (t.numTargets() > 0)) {
            throw new Main.UsageException(dataset + " is a " + (regression ? "classification" : "regression") + " data set, but the model " + model + " is a "
                    + m.task() + " model");
        }
        return new Input(t, dataset + " (" + split + ")", true, regression ? null : modelClasses(m, t, dataset));
    }

    private List<String> columns(Model m, boolean labeled) {
        List<String> h = new ArrayList<>(List.of("row"));
        if (m.task() == Model.Task.CLASSIFICATION) {
            h.add("label");
            h.add("probability");
            if (topK != null) for (int j = 1; j <= topK; j++) {
                h.add("top" + j);
                h.add("top" + j + "_probability");
            }
            if (proba) h.addAll(m.classNames());
        } else {
            int k = m.architecture().outputs();
            if (k == 1) h.add("value");
            else for (int j = 0; j < k; j++) h.add("value" + j);
        }
        if (labeled) h.add("actual");
        return h;
    }

    private static String prob(double p) {
        return String.format(Locale.ROOT, "%.6f", p);
    }

    /** The {@code k} most probable classes, most probable first (ties: the lower index first). */
    static int[] top(double[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx[i];
        return out;
    }

    /**
     * Rows predicted with which model, then (on a second, indented line) where the predictions went and the accuracy
     * or R² if the input was labeled.
     */
    private String summary(Model m, Input in, Predictions p) {
        String s = String.format(Locale.ROOT, "jgrad predict: %d rows of %s with %s", p.size(), in.source(), m);
        String where = out != null ? "predictions in " + out : "";
        if (!in.labeled() || p.size() == 0) return where.isEmpty() ? s : s + "\n  " + where;
        s += "\n  " + (where.isEmpty() ? "" : where + "; ");
        if (m.task() == Model.Task.CLASSIFICATION) {
            int correct = 0;
            for (int i = 0; i < p.size(); i++) if (p.classIndex(i) == in.classes()[i]) correct++;
            return s + String.format(Locale.ROOT, "accuracy %.4f (%d of %d)", (double) correct / p.size(), correct, p.size());
        }
        double mean = 0, se = 0, ae = 0, tot = 0;
        int n = p.size();
        for (int i = 0; i < n; i++) mean += in.rows().target(i, 0) / n;
        for (int i = 0; i < n; i++) {
            double y = in.rows().target(i, 0), e = y - p.value(i);
            se += e * e;
            ae += Math.abs(e);
            tot += (y - mean) * (y - mean);
        }
        return s + String.format(Locale.ROOT, "R² %.4f, RMSE %.4g, MAE %.4g", 1 - se / tot, Math.sqrt(se / n), ae / n);
    }
}
