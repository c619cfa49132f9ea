package dev.jgrad.train;

import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.nn.Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How well a classifier does on a data set, beyond accuracy: the confusion matrix, per-class precision, recall and F1
 * with their macro averages (the unweighted mean over the classes) and micro averages (over all predictions: for
 * single-label classification all three equal the accuracy), and top-k accuracy. The prediction of a row is its first
 * maximal logit (as {@link Objective#argmaxCorrect}); a row counts as top-k correct when fewer than {@code k} classes
 * have a logit strictly greater than its label's.
 *
 * <p>A class that is never predicted has precision 0 and one that never occurs recall 0 (scikit-learn's
 * {@code zero_division=0}); such classes still count in the macro averages.
 */
public final class ClassificationMetrics {
    private final long[][] confusion;
    /** rankCounts[r]: rows whose label's logit is beaten by exactly r classes. */
    private final long[] rankCounts;
    private final long rows;

    private ClassificationMetrics(long[][] confusion, long[] rankCounts, long rows) {
        this.confusion = confusion;
        this.rankCounts = rankCounts;
        this.rows = rows;
    }

    /**
     * Evaluates {@code model} (left in eval mode, no graph recorded) on {@code data}: its outputs are one logit per
     * class ({@code [B, numClasses]}), or, for {@code numClasses == 2} and one output, a binary logit (class 1 when
     * it is &gt; 0).
     *
     * @throws IllegalArgumentException if the outputs do not match {@code numClasses} or a label is out of range
     */
    public static ClassificationMetrics evaluate(Module model, DataLoader data, int numClasses) {
        if (model == null) throw new IllegalArgumentException("ClassificationMetrics.evaluate: model is null");
        if (data == null) throw new IllegalArgumentException("ClassificationMetrics.evaluate: data is null");
        if (numClasses < 1) throw new IllegalArgumentException("ClassificationMetrics.evaluate: numClasses " + numClasses + " must be >= 1");
        long[][] m = new long[numClasses][numClasses];
        long[] ranks = new long[numClasses];
        long rows = 0;
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (DataLoader.Batch b : data.epochInPlace(0)) {
                Tensor out = model.forward(b.features());
                int n = b.size(), c = out.numel() / Math.max(n, 1);
                boolean binary = c == 1 && numClasses == 2;
                if (!binary && c != numClasses) {
                    throw new IllegalArgumentException("ClassificationMetrics.evaluate: model output " + java.util.Arrays.toString(out.shape())
                            + " has " + c + " logits per row for " + numClasses + " classes");
                }
                for (int i = 0; i < n; i++) {
                    int y = b.labels().get(i);
                    if (y < 0 || y >= numClasses) {
                        throw new IllegalArgumentException("ClassificationMetrics.evaluate: label " + y + " outside [0, " + numClasses + ")");
                    }
                    int pred, rank;
                    if (binary) {
                        double z = out.get(i);
                        pred = z > 0 ? 1 : 0;
                        rank = pred == y ? 0 : 1;
                    } else {
                        pred = 0;
                        double best = out.get(i * c), own = out.get(i * c + y);
                        rank = 0;
                        for (int k = 0; k < c; k++) {
                            double v = out.get(i * c + k);
                            if (v > best) {
                                best = v;
                                pred = k;
                            }
                            if (v > own) rank++;
                        }
                    }
                    m[y][pred]++;
                    ranks[rank]++;
                }
                rows += n;
            }
        }
        return new ClassificationMetrics(m, ranks, rows);
    }

    /** The number of classes. */
    public int numClasses() {
        return confusion.length;
    }

    /** The number of rows evaluated. */
    public long rows() {
        return rows;
    }

    /** The confusion matrix: {@code [true class][predicted class]} counts (a copy). */
    public long[][] confusion() {
        long[][] c = new long[confusion.length][];
        for (int i = 0; i < c.length; i++) c[i] = confusion[i].clone();
        return c;
    }

    /** The fraction of rows predicted correctly (= micro precision = micro recall = micro F1). */
    public double accuracy() {
        long right = 0;
        for (int i = 0; i < confusion.length; i++) right += confusion[i][i];
        return rows == 0 ? Double.NaN : (double) right / rows;
    }

    /** The fraction of rows whose label is among the {@code k} highest logits (ties counted in the row's favour). */
    public double topKAccuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("ClassificationMetrics.topKAccuracy: k " + k + " must be >= 1");
        long in = 0;
        for (int r = 0; r < Math.min(k, rankCounts.length); r++) in += rankCounts[r];
        return rows == 0 ? Double.NaN : (double) in / rows;
    }

    /** Precision of class {@code c}: correct predictions of c over all predictions of c (0 if never predicted). */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) predicted += row[c];
        return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
    }

    /** Recall of class {@code c}: rows of class c predicted as c over all rows of class c (0 if it never occurs). */
    public double recall(int c) {
        long actual = 0;
        for (long v : confusion[c]) actual += v;
        return actual == 0 ? 0 : (double) confusion[c][c] / actual;
    }

    /** F1 of class {@code c}: the harmonic mean of its precision and recall (0 if both are 0). */
    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** The mean of the classes' precisions. */
    public double macroPrecision() {
        double s = 0;
        for (int c = 0; c < confusion.length; c++) s += precision(c);
        return s / confusion.length;
    }

    /** The mean of the classes' recalls. */
    public double macroRecall() {
        double s = 0;
        for (int c = 0; c < confusion.length; c++) s += recall(c);
        return s / confusion.length;
    }

    /** The mean of the classes' F1 scores. */
    public double macroF1() {
        double s = 0;
        for (int c = 0; c < confusion.length; c++) s += f1(c);
        return s / confusion.length;
    }

    /** Micro-averaged F1: for single-label classification, the accuracy. */
    public double microF1() {
        return accuracy();
    }

    /**
     * The confusion matrix as text, one row per true class, e.g. for three classes
     * <pre>
     * true\pred  setosa  versicolor  virginica
     * setosa         10           0          0
     * </pre>
     *
     * @param classNames the classes' names (null: their numbers)
     */
    public String format(List<String> classNames) {
        int n = confusion.length;
        String[] names = new String[n];
        for (int c = 0; c < n; c++) names[c] = classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
        // the first column as wide as its longest entry; the count columns as wide as the longest name or count
        int w0 = "true\\pred".length(), w = 1;
        for (String s : names) {
            w0 = Math.max(w0, s.length());
            w = Math.max(w, s.length());
        }
        for (long[] row : confusion) for (long v : row) w = Math.max(w, Long.toString(v).length());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + w0 + "s", "true\\pred"));
        for (String s : names) sb.append(String.format(Locale.ROOT, "  %" + w + "s", s));
        for (int i = 0; i < n; i++) {
            sb.append('\n').append(String.format(Locale.ROOT, "%-" + w0 + "s", names[i]));
            for (long v : confusion[i]) sb.append(String.format(Locale.ROOT, "  %" + w + "d", v));
        }
        return sb.toString();
    }

    /**
     * Writes the confusion matrix as CSV: a header {@code true\pred,<class>...}, then one line per true class with its
     * counts, then the per-class precision, recall and F1 as three more lines.
     */
    public void writeCsv(Path file, List<String> classNames) throws IOException {
        int n = confusion.length;
        StringBuilder sb = new StringBuilder("true\\pred");
        for (int c = 0; c < n; c++) sb.append(',').append(name(classNames, c));
        sb.append('\n');
        for (int i = 0; i < n; i++) {
            sb.append(name(classNames, i));
            for (long v : confusion[i]) sb.append(',').append(v);
            sb.append('\n');
        }
        String[] what = {"precision", "recall", "f1"};
        for (int k = 0; k < 3; k++) {
            sb.append(what[k]);
            for (int c = 0; c < n; c++) sb.append(',').append(k == 0 ? precision(c) : k == 1 ? recall(c) : f1(c));
            sb.append('\n');
        }
        Files.writeString(file, sb);
    }

    private static String name(List<String> classNames, int c) {
        String s = classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** One line: accuracy, top-k accuracy, macro precision/recall/F1 and micro F1. */
    public String summary(int topK) {
        return String.format(Locale.ROOT, "accuracy %.4f, top-%d %.4f, macro precision %.4f recall %.4f F1 %.4f, micro F1 %.4f",
                accuracy(), topK, topKAccuracy(topK), macroPrecision(), macroRecall(), macroF1(), microF1());
    }
}
