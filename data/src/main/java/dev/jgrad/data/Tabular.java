package dev.jgrad.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, in-memory labelled classification data set: {@code n} rows of {@code d}
 * features each, one integer label per row in {@code [0, numClasses)}, and a name per class.
 * A regression data set ({@link #regression}) has instead {@link #numTargets()} real-valued targets per row
 * (and a single class).
 *
 * <h2>Storage</h2>
 * Features are stored row-major in one flat array (row {@code i}, feature {@code j} at
 * {@code i * d + j}), in one of two forms:
 * <ul>
 *   <li><b>double</b>: the values as given (CSV data sets, scaled data);</li>
 *   <li><b>unsigned bytes with a scale</b>: value = {@code (byte & 0xFF) * scale}. The
 *       IDX image loader uses this with scale {@code 1/255}, so pixels read as doubles in
 *       {@code [0, 1]} while Fashion-MNIST's 60000×784 training set costs 47 MB instead of
 *       376 MB. The conversion happens on access ({@link #feature}, {@link #row},
 *       {@link #copyRows}).</li>
 * </ul>
 * Both forms behave identically through this API. Transforming a byte-backed set (for
 * example with {@link Standardizer}) produces a double-backed one.
 *
 * <p>Every factory copies its arrays and every accessor that returns an array returns a
 * fresh copy, so instances are truly immutable and safe to share between threads.
 * Feature values must be finite.
 */
public final class Tabular {
    private final int size;
    private final int numFeatures;
    private final double[] dense;      // null when byte-backed
    private final byte[] bytes;        // null when double-backed
    private final double byteScale;
    private final int[] labels;
    private final int numClasses;
    private final List<String> classNames;
    /** Byte-backed sets: the float value of each byte, {@code (float) (k * byteScale)}; null otherwise. */
    private final float[] floatOfByte;
    /** Regression targets, row-major {@code size × numTargets}; null for a classification set. */
    private final double[] targets;
    private final int numTargets;

    private Tabular(int size, int numFeatures, double[] dense, byte[] bytes, double byteScale,
                    int[] labels, int numClasses, List<String> classNames) {
        this(size, numFeatures, dense, bytes, byteScale, labels, numClasses, classNames, null, 0);
    }

    private Tabular(int size, int numFeatures, double[] dense, byte[] bytes, double byteScale,
                    int[] labels, int numClasses, List<String> classNames, double[] targets, int numTargets) {
        this.targets = targets;
        this.numTargets = numTargets;
        this.size = size;
        this.numFeatures = numFeatures;
        this.dense = dense;
        this.bytes = bytes;
        this.byteScale = byteScale;
        this.labels = labels;
        this.numClasses = numClasses;
        this.classNames = classNames;
        if (bytes != null) {
            floatOfByte = new float[256];
            for (int k = 0; k < 256; k++) {
                floatOfByte[k] = (float) (k * byteScale);
            }
        } else {
            floatOfByte = null;
        }
    }

    // ------------------------------------------------------------------ factories

    /**
     * Creates a data set from a feature matrix, with class names {@code "0"}, {@code "1"}, ...
     *
     * @param features   n × d matrix, every row of the same length d, at least one row
     * @param labels     n labels in {@code [0, numClasses)}
     * @param numClasses number of classes, at least 1
     * @return the data set (arrays are copied)
     * @throws IllegalArgumentException on ragged rows, a length mismatch, a label out of
     *                                  range or a non-finite feature
     */
    public static Tabular of(double[][] features, int[] labels, int numClasses) {
        return of(features, labels, numClasses, null);
    }

    /**
     * Creates a data set from a feature matrix.
     *
     * @param features   n × d matrix, every row of the same length d, at least one row
     *                   (use {@link #ofFlat} for an empty data set)
     * @param labels     n labels in {@code [0, numClasses)}
     * @param numClasses number of classes, at least 1
     * @param classNames one distinct name per class, or {@code null} for {@code "0"}, {@code "1"}, ...
     * @return the data set (arrays are copied)
     * @throws IllegalArgumentException on ragged rows, a length mismatch, a label out of
     *                                  range, a non-finite feature or bad class names
     */
    public static Tabular of(double[][] features, int[] labels, int numClasses, List<String> classNames) {
        nonNull(features, "features");
        if (features.length == 0) {
            throw new IllegalArgumentException("Tabular: no rows: use Tabular.ofFlat to build an empty data set");
        }
        int d = nonNull(features[0], "features[0]").length;
        if (d < 1) {
            throw new IllegalArgumentException("Tabular: rows must have at least one feature");
        }
        nonNull(labels, "labels");
        if (labels.length != features.length) {
            throw new IllegalArgumentException("Tabular: " + features.length + " feature rows but " + labels.length + " labels");
        }
        checkSize(features.length, d);
        double[] flat = new double[features.length * d];
        for (int i = 0; i < features.length; i++) {
            double[] row = features[i];
            if (row == null) {
                throw new IllegalArgumentException("Tabular: features[" + i + "] is null");
            }
            if (row.length != d) {
                throw new IllegalArgumentException("Tabular: ragged features: row 0 has " + d
                        + " columns but row " + i + " has " + row.length);
            }
            System.arraycopy(row, 0, flat, i * d, d);
        }
        return build(flat, d, nonNull(labels, "labels").clone(), numClasses, classNames);
    }

    /**
     * Creates a data set from a row-major flat feature array.
     *
     * @param flat        n·d values, row {@code i} at {@code [i*d, (i+1)*d)}
     * @param numFeatures d, at least 1
     * @param labels      n labels in {@code [0, numClasses)}
     * @param numClasses  number of classes, at least 1
     * @param classNames  one distinct name per class, or {@code null} for {@code "0"}, {@code "1"}, ...
     * @return the data set (arrays are copied)
     * @throws IllegalArgumentException on a length mismatch, a label out of range, a
     *                                  non-finite feature or bad class names
     */
    public static Tabular ofFlat(double[] flat, int numFeatures, int[] labels, int numClasses,
                                 List<String> classNames) {
        return wrapFlat(nonNull(flat, "flat").clone(), numFeatures, nonNull(labels, "labels").clone(), numClasses,
                classNames);
    }

    /** Like {@link #ofFlat} but takes ownership of the arrays (no copies: a loader's arrays may fill the heap). */
    static Tabular wrapFlat(double[] flat, int numFeatures, int[] labels, int numClasses, List<String> classNames) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("Tabular: numFeatures must be >= 1, got " + numFeatures);
        }
        checkSize(labels.length, numFeatures);
        if ((long) labels.length * numFeatures != flat.length) {
            throw new IllegalArgumentException("Tabular: flat has " + flat.length + " values but "
                    + labels.length + " labels × " + numFeatures + " features = "
                    + (long) labels.length * numFeatures);
        }
        return build(flat, numFeatures, labels, numClasses, classNames);
    }

    /**
     * Creates a compact data set whose features are unsigned bytes times a scale, e.g.
     * image pixels with {@code scale = 1.0 / 255}.
     *
     * @param pixels      n·d unsigned bytes, row-major
     * @param numFeatures d, at least 1
     * @param scale       positive finite factor applied to every byte on access
     * @param labels      n labels in {@code [0, numClasses)}
     * @param numClasses  number of classes, at least 1
     * @param classNames  one distinct name per class, or {@code null} for {@code "0"}, {@code "1"}, ...
     * @return the data set (arrays are copied)
     * @throws IllegalArgumentException on a length mismatch, a bad scale, a label out of
     *                                  range or bad class names
     */
    public static Tabular ofUnsignedBytes(byte[] pixels, int numFeatures, double scale, int[] labels,
                                          int numClasses, List<String> classNames) {
        return wrapUnsignedBytes(nonNull(pixels, "pixels").clone(), numFeatures, scale,
                nonNull(labels, "labels").clone(), numClasses, classNames);
    }

    /** Like {@link #ofUnsignedBytes} but takes ownership of the arrays (no copies). */
    static Tabular wrapUnsignedBytes(byte[] pixels, int numFeatures, double scale, int[] labels,
                                     int numClasses, List<String> classNames) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("Tabular: numFeatures must be >= 1, got " + numFeatures);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("Tabular: scale must be positive and finite, got " + scale);
        }
        checkSize(labels.length, numFeatures);
        if ((long) labels.length * numFeatures != pixels.length) {
            throw new IllegalArgumentException("Tabular: pixels has " + pixels.length + " bytes but "
                    + labels.length + " labels × " + numFeatures + " features = "
                    + (long) labels.length * numFeatures);
        }
        List<String> names = checkLabels(labels, numClasses, classNames);
        return new Tabular(labels.length, numFeatures, null, pixels, scale, labels, numClasses, names);
    }

    /** Takes ownership of {@code flat} and {@code labels}. */
    /**
     * Creates a regression data set: {@code n} rows of features with {@code k >= 1} real-valued targets each
     * (single- or multi-output). It has one class (every label 0, so the class-based tools such as
     * {@link Split#stratified} treat it as a single stratum, i.e. split it at random) and
     * {@link #numTargets()} {@code = k}; {@link #subset}, {@link #withFeatures} and the scalers keep the targets.
     *
     * @param features n × d matrix, every row of the same length d >= 1, at least one row
     * @param targets  n × k matrix of finite targets, every row of the same length k >= 1
     * @return the data set (arrays are copied)
     * @throws IllegalArgumentException on ragged rows, a row-count mismatch or a non-finite value
     */
    public static Tabular regression(double[][] features, double[][] targets) {
        Tabular x = of(features, new int[nonNull(features, "features").length], 1);
        nonNull(targets, "targets");
        if (targets.length != features.length) {
            throw new IllegalArgumentException("Tabular: " + features.length + " feature rows but " + targets.length + " target rows");
        }
        int k = targets.length == 0 ? 0 : nonNull(targets[0], "targets[0]").length;
        double[] flat = new double[targets.length * k];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == null || targets[i].length != k) {
                throw new IllegalArgumentException("Tabular: ragged targets: row 0 has " + k + " targets but row " + i + " has "
                        + (targets[i] == null ? "none (null)" : targets[i].length));
            }
            System.arraycopy(targets[i], 0, flat, i * k, k);
        }
        return x.withTargets(flat, k);
    }

    /**
     * The same features, labels and classes with regression targets (new ones, for example scaled, or targets for a
     * classification set's rows).
     *
     * @param flat row-major targets, {@code size() * k} finite values
     * @param k    targets per row, at least 1
     * @return the new data set ({@code flat} is copied)
     * @throws IllegalArgumentException for a wrong length, {@code k < 1} or a non-finite target
     */
    public Tabular withTargets(double[] flat, int k) {
        nonNull(flat, "targets");
        if (k < 1) throw new IllegalArgumentException("Tabular: numTargets must be >= 1, got " + k);
        if ((long) size * k != flat.length) {
            throw new IllegalArgumentException("Tabular: targets has " + flat.length + " values but " + size + " rows × " + k
                    + " targets = " + (long) size * k);
        }
        for (int j = 0; j < flat.length; j++) {
            if (!Double.isFinite(flat[j])) {
                throw new IllegalArgumentException("Tabular: non-finite target " + flat[j] + " at row " + (j / k) + ", target " + (j % k));
            }
        }
        return new Tabular(size, numFeatures, dense, bytes, byteScale, labels, numClasses, classNames, flat.clone(), k);
    }

    private static Tabular build(double[] flat, int d, int[] labels, int numClasses, List<String> classNames) {
        for (int k = 0; k < flat.length; k++) {
            if (!Double.isFinite(flat[k])) {
                throw new IllegalArgumentException("Tabular: non-finite feature " + flat[k] + " at row "
                        + (k / d) + ", column " + (k % d));
            }
        }
        List<String> names = checkLabels(labels, numClasses, classNames);
        return new Tabular(labels.length, d, flat, null, 0.0, labels, numClasses, names);
    }

    private static void checkSize(long n, long d) {
        if (n * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Tabular: " + n + " × " + d + " features exceed the "
                    + "single-array limit of " + (Integer.MAX_VALUE - 8) + " values");
        }
    }

    private static List<String> checkLabels(int[] labels, int numClasses, List<String> classNames) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Tabular: numClasses must be >= 1, got " + numClasses);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("Tabular: label " + labels[i] + " at row " + i
                        + " is outside [0, " + numClasses + ")");
            }
        }
        List<String> names;
        if (classNames == null) {
            names = new ArrayList<>(numClasses);
            for (int k = 0; k < numClasses; k++) {
                names.add(Integer.toString(k));
            }
        } else {
            names = new ArrayList<>(classNames);
            if (names.size() != numClasses) {
                throw new IllegalArgumentException("Tabular: " + names.size() + " class names for "
                        + numClasses + " classes");
            }
            if (names.contains(null)) {
                throw new IllegalArgumentException("Tabular: null class name in " + names);
            }
            if (new HashSet<>(names).size() != names.size()) {
                throw new IllegalArgumentException("Tabular: duplicate class names in " + names);
            }
        }
        return Collections.unmodifiableList(names);
    }

    private static <T> T nonNull(T value, String name) {
        if (value == null) throw new IllegalArgumentException("Tabular: " + name + " is null");
        return value;
    }

    /** {@code row}, or an {@link IndexOutOfBoundsException} naming the accessor and the valid range. */
    private int checkRow(String method, String what, int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("Tabular." + method + ": " + what + " " + row + " is outside the rows [0, " + size + ")");
        }
        return row;
    }

    // ------------------------------------------------------------------ shape

    /**
     * Number of rows (examples).
     *
     * @return n
     */
    public int size() {
        return size;
    }

    /**
     * Number of features per row.
     *
     * @return d
     */
    public int numFeatures() {
        return numFeatures;
    }

    /**
     * Number of classes; labels lie in {@code [0, numClasses())}.
     *
     * @return the number of classes
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The class names, index {@code k} naming label {@code k}.
     *
     * @return an unmodifiable list of {@link #numClasses()} names
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The name of one class.
     *
     * @param label a label in {@code [0, numClasses())}
     * @return its name
     */
    public String className(int label) {
        return classNames.get(label);
    }

    // ------------------------------------------------------------------ access

    /**
     * One feature value.
     *
     * @param row    row index in {@code [0, size())}
     * @param column feature index in {@code [0, numFeatures())}
     * @return the value
     * @throws IndexOutOfBoundsException for a bad index
     */
    public double feature(int row, int column) {
        checkRow("feature", "row", row);
        if (column < 0 || column >= numFeatures) {
            throw new IndexOutOfBoundsException("Tabular.feature: column " + column + " is outside [0, " + numFeatures + ")");
        }
        int k = row * numFeatures + column;
        return dense != null ? dense[k] : (bytes[k] & 0xFF) * byteScale;
    }

    /**
     * The label of one row.
     *
     * @param row row index in {@code [0, size())}
     * @return the label in {@code [0, numClasses())}
     */
    public int label(int row) {
        return labels[checkRow("label", "row", row)];
    }

    /**
     * All labels.
     *
     * @return a fresh copy of the n labels
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Labels of the given rows, in the given order (e.g. one mini-batch).
     *
     * @param indices row indices, repeats allowed
     * @return a fresh array with {@code indices.length} labels
     */
    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = labels[checkRow("labels", "index", indices[i])];
        }
        return out;
    }

    /**
     * One row of features.
     *
     * @param row row index in {@code [0, size())}
     * @return a fresh array of {@link #numFeatures()} values
     */
    public double[] row(int row) {
        double[] out = new double[numFeatures];
        copyRow(row, out, 0);
        return out;
    }

    /**
     * Copies one row of features into {@code dst[offset .. offset + numFeatures())}.
     *
     * @param row    row index in {@code [0, size())}
     * @param dst    destination array
     * @param offset first destination index
     */
    public void copyRow(int row, double[] dst, int offset) {
        checkRow("copyRow", "row", row);
        Objects.checkFromIndexSize(offset, numFeatures, dst.length);
        int base = row * numFeatures;
        if (dense != null) {
            System.arraycopy(dense, base, dst, offset, numFeatures);
        } else {
            for (int j = 0; j < numFeatures; j++) {
                dst[offset + j] = (bytes[base + j] & 0xFF) * byteScale;
            }
        }
    }

    /**
     * Gathers the given rows, row-major, into {@code dst} starting at {@code offset}: row
     * {@code indices[b]} lands at {@code offset + b * numFeatures()}. This is the building
     * block for turning a mini-batch of indices into a batch matrix.
     *
     * @param indices row indices, repeats allowed
     * @param dst     destination with room for {@code indices.length * numFeatures()} values
     * @param offset  first destination index
     */
    public void copyRows(int[] indices, double[] dst, int offset) {
        copyRows(indices, 0, indices.length, dst, offset);
    }

    /**
     * {@link #copyRows(int[], double[], int)} for the rows {@code indices[from .. to)}: row {@code indices[b]} lands at
     * {@code offset + (b - from) * numFeatures()} (so a batch can be gathered in pieces without copying its indices).
     *
     * @throws IndexOutOfBoundsException if {@code [from, to)} is not within {@code indices} or {@code dst} is too short
     */
    public void copyRows(int[] indices, int from, int to, double[] dst, int offset) {
        Objects.checkFromToIndex(from, to, indices.length);
        Objects.checkFromIndexSize(offset, (to - from) * numFeatures, dst.length);
        for (int b = from; b < to; b++) {
            copyRow(indices[b], dst, offset + (b - from) * numFeatures);
        }
    }

    /**
     * Single-precision variant of {@link #copyRows(int[], double[], int)}; each value is
     * rounded to the nearest float.
     *
     * @param indices row indices, repeats allowed
     * @param dst     destination with room for {@code indices.length * numFeatures()} values
     * @param offset  first destination index
     */
    public void copyRows(int[] indices, float[] dst, int offset) {
        copyRows(indices, 0, indices.length, dst, offset);
    }

    /**
     * {@link #copyRows(int[], float[], int)} for the rows {@code indices[from .. to)}: row {@code indices[b]} lands at
     * {@code offset + (b - from) * numFeatures()}.
     *
     * @throws IndexOutOfBoundsException if {@code [from, to)} is not within {@code indices} or {@code dst} is too short
     */
    public void copyRows(int[] indices, int from, int to, float[] dst, int offset) {
        Objects.checkFromToIndex(from, to, indices.length);
        Objects.checkFromIndexSize(offset, (to - from) * numFeatures, dst.length);
        float[] lut = floatOfByte;
        for (int b = from; b < to; b++) {
            int row = checkRow("copyRows", "index", indices[b]);
            int base = row * numFeatures;
            int out = offset + (b - from) * numFeatures;
            if (lut != null) {
                ByteRows.INSTANCE.toFloats(bytes, base, dst, out, numFeatures, byteScale, lut);
            } else {
                for (int j = 0; j < numFeatures; j++) {
                    dst[out + j] = (float) dense[base + j];
                }
            }
        }
    }

    /**
     * Gathers the given rows into a fresh row-major array.
     *
     * @param indices row indices, repeats allowed
     * @return {@code indices.length * numFeatures()} values
     */
    public double[] gather(int[] indices) {
        if (indices == null) throw new IllegalArgumentException("Tabular.gather: indices is null");
        checkSize(indices.length, numFeatures);
        double[] out = new double[indices.length * numFeatures];
        copyRows(indices, out, 0);
        return out;
    }

    /**
     * All features as a matrix.
     *
     * @return a fresh n × d array
     */
    public double[][] features() {
        double[][] out = new double[size][];
        for (int i = 0; i < size; i++) {
            out[i] = row(i);
        }
        return out;
    }

    /**
     * All features, row-major.
     *
     * @return a fresh array of n·d values
     */
    public double[] flatFeatures() {
        if (dense != null) {
            return dense.clone();
        }
        double[] out = new double[bytes.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (bytes[k] & 0xFF) * byteScale;
        }
        return out;
    }

    /**
     * How many rows carry each label.
     *
     * @return an array of {@link #numClasses()} counts
     */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int y : labels) {
            counts[y]++;
        }
        return counts;
    }

    // ------------------------------------------------------------------ regression targets

    /**
     * Number of real-valued targets per row: 0 for a classification set, {@code k >= 1} for a regression set
     * ({@link #regression}, {@link #withTargets}).
     *
     * @return the number of targets
     */
    public int numTargets() {
        return numTargets;
    }

    /**
     * Target {@code k} of a row.
     *
     * @param row a row in {@code [0, size())}
     * @param k   a target in {@code [0, numTargets())}
     * @return the target
     * @throws IndexOutOfBoundsException for a bad row or target (or a classification set)
     */
    public double target(int row, int k) {
        checkRow("target", "row", row);
        if (k < 0 || k >= numTargets) {
            throw new IndexOutOfBoundsException("Tabular.target: target " + k + " is outside [0, " + numTargets + ")");
        }
        return targets[row * numTargets + k];
    }

    /**
     * The targets of the rows at {@code indices}, row-major ({@code indices.length × numTargets()}), in a fresh array.
     *
     * @param indices row indices in {@code [0, size())}
     * @return the targets (empty for a classification set)
     * @throws IndexOutOfBoundsException for a bad index
     */
    public double[] targets(int[] indices) {
        double[] out = new double[indices.length * numTargets];
        for (int b = 0; b < indices.length; b++) {
            int row = checkRow("targets", "index", indices[b]);
            if (numTargets > 0) System.arraycopy(targets, row * numTargets, out, b * numTargets, numTargets);
        }
        return out;
    }

    /**
     * All targets, row-major, in a fresh array.
     *
     * @return the targets (empty for a classification set)
     */
    public double[] targets() {
        return targets == null ? new double[0] : targets.clone();
    }

    // ------------------------------------------------------------------ derived sets

    /**
     * The rows at {@code indices}, in that order, as a new data set with the same classes
     * and storage form. Repeated indices are allowed (e.g. for bootstrapping); an empty
     * array gives an empty data set with the same number of features.
     *
     * @param indices row indices in {@code [0, size())}
     * @return the subset
     * @throws IndexOutOfBoundsException for a bad index
     */
    public Tabular subset(int[] indices) {
        int n = indices.length;
        checkSize(n, numFeatures);
        int[] newLabels = new int[n];
        if (dense != null) {
            double[] flat = new double[n * numFeatures];
            for (int b = 0; b < n; b++) {
                int row = checkRow("subset", "index", indices[b]);
                System.arraycopy(dense, row * numFeatures, flat, b * numFeatures, numFeatures);
                newLabels[b] = labels[row];
            }
            return new Tabular(n, numFeatures, flat, null, 0.0, newLabels, numClasses, classNames, targets == null ? null : targets(indices), numTargets);
        }
        byte[] px = new byte[n * numFeatures];
        for (int b = 0; b < n; b++) {
            int row = checkRow("subset", "index", indices[b]);
            System.arraycopy(bytes, row * numFeatures, px, b * numFeatures, numFeatures);
            newLabels[b] = labels[row];
        }
        return new Tabular(n, numFeatures, null, px, byteScale, newLabels, numClasses, classNames, targets == null ? null : targets(indices), numTargets);
    }

    /**
     * The same labels, classes and targets with new features (for example scaled ones).
     *
     * @param flat new row-major features, {@code size() * d} values for some d >= 1
     * @param d    the new number of features
     * @return the new data set (double-backed; {@code flat} is copied)
     */
    public Tabular withFeatures(double[] flat, int d) {
        Tabular t = ofFlat(flat, d, labels, numClasses, classNames);
        return targets == null ? t : new Tabular(t.size, d, t.dense, null, 0.0, labels, numClasses, classNames, targets, numTargets);
    }

    /**
     * A short description, e.g. {@code Tabular[n=150, d=4, classes=3 [setosa, versicolor, virginica]]}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "Tabular[n=" + size + ", d=" + numFeatures + (numTargets > 0 ? ", targets=" + numTargets : ", classes=" + numClasses + " "
                + (numClasses <= 12 ? classNames.toString() : "[...]"))
                + (dense == null ? ", uint8×" + byteScale : "") + "]";
    }

    /** Used by tests of the compact form. */
    boolean isByteBacked() {
        return bytes != null;
    }
}
