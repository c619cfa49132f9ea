package dev.jgrad.data;

import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Reads CSV files, parsed by Apache Commons CSV (RFC 4180: fields may be quoted, with the delimiter, {@code ""} or
 * line breaks inside), UTF-8 with or without a byte order mark; input may be gzip-compressed, which is detected
 * from its first bytes. General files go through {@link #options()} (delimiter, header row, label column by name or
 * index, string labels mapped to classes); the bundled data sets use two fixed comma-separated layouts:
 *
 * <ul>
 *   <li><b>with header</b> ({@link #readWithHeader}): the first line is
 *       {@code ROWS,FEATURES,CLASS_NAME...}, e.g. {@code 150,4,setosa,versicolor,virginica};
 *       then exactly {@code ROWS} lines of {@code FEATURES} numbers followed by an integer
 *       label in {@code [0, number of class names)}.</li>
 *   <li><b>headerless</b> ({@link #readHeaderless}): every line is {@code numFeatures}
 *       numbers followed by an integer label in {@code [0, numClasses)}.</li>
 * </ul>
 *
 * <p>Validation is strict and every failure is a {@link MalformedDataException} naming the
 * source and line: wrong column count, a value that is not a finite number, a label that is
 * not an integer or is out of range, a row count that disagrees with the header, no data rows,
 * blank lines in the middle of the data, a CSV syntax error (an unclosed quote), invalid UTF-8
 * or a damaged gzip stream. Whitespace around fields and Windows line endings are accepted;
 * blank lines at the end are ignored.
 *
 * <p>Untrusted files are read in bounded memory: a record longer than {@link #MAX_LINE_CHARS}
 * characters is rejected as it is read, and before the arrays of values grow their size is
 * checked against the heap the JVM has left ({@code needs N MB; the JVM's heap limit is M MB:
 * raise -Xmx}), so a decompression bomb or a gigabyte line is a {@link MalformedDataException},
 * not an {@link OutOfMemoryError}. A directory or an unreadable file is an {@link IOException}
 * naming the file.
 */
public final class CsvLoader {
    /**
     * The longest line (more exactly: record, which may span lines inside a quoted field) accepted, in
     * characters: 16 Mi. A longer one is a {@link MalformedDataException}, so that a file of one endless line
     * (e.g. a gzip stream of zeros) is rejected in bounded memory.
     */
    public static final int MAX_LINE_CHARS = 1 << 24;

    /** The most feature values (rows × features) or rows one data set can hold: the largest Java array. */
    static final int MAX_VALUES = Integer.MAX_VALUE - 8;

    private CsvLoader() {
    }

    /**
     * How a general CSV file is read ({@link #options()}): which character separates fields, whether the first
     * record names the columns, and which column holds the label.
     */
    public enum ClassOrder {
        /**
         * Classes in sorted order of their labels: numerically when every label is an integer (so labels
         * {@code 0..9} become classes {@code 0..9}), otherwise in {@link String#compareTo} order. The class
         * indices then do not depend on the order of the rows.
         */
        SORTED,
        /** Classes in the order their labels first appear in the file. */
        FIRST_SEEN
    }

    /**
     * Starts a reader of general CSV files (RFC 4180, parsed by Apache Commons CSV): fields may be quoted
     * ({@code "a, b"}, with {@code ""} for a quote inside), the delimiter is chosen, the first record may be a
     * header naming the columns, and one column (by name or index; by default the last) holds the label, any
     * string, mapped to classes in {@link ClassOrder#SORTED sorted} or {@link ClassOrder#FIRST_SEEN first-seen}
     * order. Every other column is a feature and must hold a finite decimal number. Example:
     * <pre>{@code Tabular t = CsvLoader.options().delimiter(';').header(true).label("species").read(path);}</pre>
     *
     * @return the options with their defaults: delimiter {@code ','}, quote {@code '"'}, no header, label in the
     *         last column, classes sorted
     */
    public static Options options() {
        return new Options();
    }

    /** The settings of a general CSV read; see {@link CsvLoader#options()}. Each setter returns {@code this}. */
    public static final class Options {
        private char delimiter = ',';
        private char quote = '"';
        private boolean header;
        private String labelName;
        private int labelIndex = -1;
        private ClassOrder classOrder = ClassOrder.SORTED;
        private boolean regression;
        private boolean noLabel;

        private Options() {
        }

        /**
         * Reads a file without a label column: every column is a feature (e.g. the rows to predict for). The data set
         * then has one class, {@code "0"}, and every label is 0. A later {@link #label(String)} or {@link #label(int)}
         * undoes this.
         *
         * @return this
         */
        public Options noLabel() {
            this.noLabel = true;
            this.labelName = null;
            this.labelIndex = -1;
            return this;
        }

        /**
         * Whether the label column holds a real-valued regression target (a finite decimal number) instead of a class:
         * the data set is then a {@linkplain Tabular#regression regression set} with one target.
         *
         * @param on true for a regression target (default false: classes)
         * @return this
         */
        public Options regression(boolean on) {
            this.regression = on;
            return this;
        }

        /**
         * The field separator.
         *
         * @param delimiter e.g. {@code ','}, {@code ';'} or {@code '\t'}; not a line break, not the quote
         * @return this
         */
        public Options delimiter(char delimiter) {
            if (delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("CsvLoader.options: delimiter must not be a line break");
            }
            this.delimiter = delimiter;
            return this;
        }

        /**
         * The quote character that encloses fields containing the delimiter or line breaks.
         *
         * @param quote e.g. {@code '"'} (the default) or {@code '\''}
         * @return this
         */
        public Options quote(char quote) {
            if (quote == '\n' || quote == '\r') {
                throw new IllegalArgumentException("CsvLoader.options: quote must not be a line break");
            }
            this.quote = quote;
            return this;
        }

        /**
         * Whether the first record is a header naming the columns (needed to choose the label by name).
         *
         * @param header {@code true} if the first record names the columns
         * @return this
         */
        public Options header(boolean header) {
            this.header = header;
            return this;
        }

        /**
         * Chooses the label column by its header name (requires {@link #header(boolean) header(true)}).
         *
         * @param name the column name, exactly as in the header (after trimming)
         * @return this
         */
        public Options label(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("CsvLoader.options: label name must be non-empty, got " + name);
            }
            this.labelName = name;
            this.labelIndex = -1;
            this.noLabel = false;
            return this;
        }

        /**
         * Chooses the label column by its 0-based index.
         *
         * @param index the column, {@code >= 0}
         * @return this
         */
        public Options label(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("CsvLoader.options: label index must be >= 0, got " + index);
            }
            this.labelIndex = index;
            this.labelName = null;
            this.noLabel = false;
            return this;
        }

        /**
         * How labels map to class indices.
         *
         * @param order {@link ClassOrder#SORTED} (the default) or {@link ClassOrder#FIRST_SEEN}
         * @return this
         */
        public Options classOrder(ClassOrder order) {
            if (order == null) throw new IllegalArgumentException("CsvLoader.options: classOrder is null");
            this.classOrder = order;
            return this;
        }

        /**
         * Reads a file.
         *
         * @param path the file, plain or gzip-compressed (detected from its first bytes), UTF-8 with or without
         *             a byte order mark
         * @return the data set; its class names are the distinct labels
         * @throws MalformedDataException if the contents are invalid (naming the file and line)
         * @throws IOException            if the file cannot be read (naming the file)
         */
        public Tabular read(Path path) throws IOException {
            if (path == null) throw new IllegalArgumentException("CsvLoader.options: path is null");
            try (InputStream in = Inputs.openRaw(path)) {
                return read(in, path.toString());
            } catch (MalformedDataException e) {
                throw e;
            } catch (IOException e) {
                throw ioError(path, e);
            }
        }

        /**
         * Reads a stream; it is not closed.
         *
         * @param in     the stream, plain or gzip-compressed
         * @param source name used in error messages
         * @return the data set; its class names are the distinct labels
         * @throws MalformedDataException if the contents are invalid
         * @throws IOException            if the stream cannot be read
         */
        public Tabular read(InputStream in, String source) throws IOException {
            if (delimiter == quote) {
                throw new IllegalArgumentException("CsvLoader.options: delimiter and quote are both '" + quote + "'");
            }
            if (noLabel && regression) {
                throw new IllegalArgumentException("CsvLoader.options: noLabel() and regression(true) exclude each other (no target column)");
            }
            if (labelName != null && !header) {
                throw new IllegalArgumentException("CsvLoader.options: label(\"" + labelName
                        + "\") needs header(true) to find the column by name");
            }
            try {
                return readGeneral(new Records(reader(in, source, quote), format(delimiter, quote), source), source,
                        this);
            } catch (IOException e) {
                throw damaged(source, e);
            }
        }
    }

    private static Tabular readGeneral(Records records, String source, Options o) throws IOException {
        CSVRecord first = records.next();
        if (first == null) {
            throw new MalformedDataException(source, "no data rows (an empty data set cannot be trained on)");
        }
        int columns = first.size();
        if (o.noLabel) {
            return readUnlabeled(records, source, o, first, columns);
        }
        if (columns < 2) {
            throw new MalformedDataException(source, records.line(), "need at least 2 columns (features and a label)"
                    + " but found " + columns + (o.delimiter != ',' ? "" : " (is the delimiter not ','?)"));
        }
        int label = o.labelIndex >= 0 ? o.labelIndex : columns - 1;
        if (o.labelName != null) {
            label = columns;
            for (int j = 0; j < columns; j++) {
                if (first.get(j).equals(o.labelName)) {
                    label = j;
                    break;
                }
            }
            if (label == columns) {
                throw new MalformedDataException(source, records.line(), "no column named '" + o.labelName
                        + "' in the header " + Arrays.toString(first.values()));
            }
        }
        if (label >= columns) {
            throw new MalformedDataException(source, records.line(), "label column " + label
                    + " does not exist: the file has " + columns + " columns (0.." + (columns - 1) + ")");
        }
        int features = columns - 1;
        DoubleList values = new DoubleList(1024, source);
        DoubleList targets = new DoubleList(1024, source);
        IntList ids = new IntList(source);
        Map<String, Integer> firstSeen = new LinkedHashMap<>();
        CSVRecord r = o.header ? records.next() : first;
        for (; r != null; r = records.next()) {
            long lineNo = records.line();
            if (r.size() != columns) {
                throw new MalformedDataException(source, lineNo, "expected " + columns + " columns but found "
                        + r.size());
            }
            for (int j = 0; j < columns; j++) {
                if (j != label) {
                    values.add(parseFeature(r.get(j), j, source, lineNo));
                }
            }
            String y = r.get(label);
            if (o.regression) {
                targets.add(parseFeature(y, label, source, lineNo));
                ids.add(0);
                continue;
            }
            if (y.isEmpty()) {
                throw new MalformedDataException(source, lineNo, "column " + (label + 1) + ": empty label");
            }
            Integer id = firstSeen.get(y);
            if (id == null) {
                id = firstSeen.size();
                firstSeen.put(y, id);
            }
            ids.add(id);
        }
        if (ids.size() == 0) {
            throw new MalformedDataException(source, "header but no data rows (an empty data set cannot be trained on)");
        }
        if (o.regression) return Tabular.wrapFlat(values.toArray(), features, ids.toArray(), 1, null).withTargets(targets.toArray(), 1);
        List<String> names = new ArrayList<>(firstSeen.keySet());
        int[] labels = ids.toArray();
        if (o.classOrder == ClassOrder.SORTED) {
            names.sort(allIntegers(names) ? Comparator.comparing(BigInteger::new) : Comparator.naturalOrder());
            int[] remap = new int[names.size()];
            for (int c = 0; c < names.size(); c++) {
                remap[firstSeen.get(names.get(c))] = c;
            }
            for (int i = 0; i < labels.length; i++) {
                labels[i] = remap[labels[i]];
            }
        }
        return Tabular.wrapFlat(values.toArray(), features, labels, names.size(), names);
    }

    /** The rows of a file without a label column ({@link Options#noLabel()}): every column a feature, one class. */
    private static Tabular readUnlabeled(Records records, String source, Options o, CSVRecord first, int columns) throws IOException {
        DoubleList values = new DoubleList(1024, source);
        IntList ids = new IntList(source);
        for (CSVRecord r = o.header ? records.next() : first; r != null; r = records.next()) {
            long lineNo = records.line();
            if (r.size() != columns) {
                throw new MalformedDataException(source, lineNo, "expected " + columns + " columns but found " + r.size());
            }
            for (int j = 0; j < columns; j++) values.add(parseFeature(r.get(j), j, source, lineNo));
            ids.add(0);
        }
        if (ids.size() == 0) throw new MalformedDataException(source, "header but no data rows");
        return Tabular.wrapFlat(values.toArray(), columns, ids.toArray(), 1, null);
    }

    private static boolean allIntegers(List<String> labels) {
        for (String s : labels) {
            if (!s.matches("[+-]?[0-9]+")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a file in the header form ({@code ROWS,FEATURES,CLASS_NAME...}).
     *
     * @param path the file, plain or gzip-compressed
     * @return the data set, with the header's class names
     * @throws MalformedDataException if the contents are invalid
     * @throws IOException            if the file cannot be read
     */
    public static Tabular readWithHeader(Path path) throws IOException {
        try (InputStream in = Inputs.openRaw(path)) {
            return readWithHeader(in, path.toString());
        } catch (MalformedDataException e) {
            throw e;
        } catch (IOException e) {
            throw ioError(path, e);
        }
    }

    /**
     * Reads a stream in the header form ({@code ROWS,FEATURES,CLASS_NAME...}). The stream is
     * not closed.
     *
     * @param in     the stream, plain or gzip-compressed
     * @param source name used in error messages (file or resource name)
     * @return the data set, with the header's class names
     * @throws MalformedDataException if the contents are invalid
     * @throws IOException            if the stream cannot be read
     */
    public static Tabular readWithHeader(InputStream in, String source) throws IOException {
        try {
            Records records = new Records(reader(in, source, '"'), PLAIN, source);
            CSVRecord h = records.next();
            if (h == null) {
                throw new MalformedDataException(source, 1,
                        "missing header line ROWS,FEATURES,CLASS_NAME...");
            }
            String headerLine = String.join(",", h.values());
            if (h.size() < 3) {
                throw new MalformedDataException(source, records.line(), "header '" + headerLine
                        + "' must be ROWS,FEATURES,CLASS_NAME... with at least one class name");
            }
            int rows = parseHeaderInt(h.get(0), "ROWS", 0, source);
            int features = parseHeaderInt(h.get(1), "FEATURES", 1, source);
            List<String> names = new ArrayList<>(Arrays.asList(h.values()).subList(2, h.size()));
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (name.isEmpty()) {
                    throw new MalformedDataException(source, 1, "empty class name in header '" + headerLine + "'");
                }
                if (!seen.add(name)) {
                    throw new MalformedDataException(source, 1, "duplicate class name '" + name + "' in header");
                }
            }
            return readRows(records, source, rows, features, names.size(), names);
        } catch (IOException e) {
            throw damaged(source, e);
        }
    }

    /**
     * Reads a headerless file whose lines are {@code numFeatures} numbers then a label.
     *
     * @param path        the file, plain or gzip-compressed
     * @param numFeatures number of feature columns, at least 1
     * @param numClasses  number of classes; labels must lie in {@code [0, numClasses)}
     * @return the data set, with class names {@code "0"}, {@code "1"}, ...
     * @throws MalformedDataException if the contents are invalid
     * @throws IOException            if the file cannot be read
     */
    public static Tabular readHeaderless(Path path, int numFeatures, int numClasses) throws IOException {
        try (InputStream in = Inputs.openRaw(path)) {
            return readHeaderless(in, path.toString(), numFeatures, numClasses);
        } catch (MalformedDataException e) {
            throw e;
        } catch (IOException e) {
            throw ioError(path, e);
        }
    }

    /**
     * Reads a headerless stream whose lines are {@code numFeatures} numbers then a label.
     * The stream is not closed.
     *
     * @param in          the stream, plain or gzip-compressed
     * @param source      name used in error messages
     * @param numFeatures number of feature columns, at least 1
     * @param numClasses  number of classes; labels must lie in {@code [0, numClasses)}
     * @return the data set, with class names {@code "0"}, {@code "1"}, ...
     * @throws MalformedDataException if the contents are invalid
     * @throws IOException            if the stream cannot be read
     */
    public static Tabular readHeaderless(InputStream in, String source, int numFeatures, int numClasses)
            throws IOException {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("CsvLoader.readHeaderless: numFeatures must be >= 1, got " + numFeatures);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("CsvLoader.readHeaderless: numClasses must be >= 1, got " + numClasses);
        }
        try {
            return readRows(new Records(reader(in, source, '"'), PLAIN, source), source, -1, numFeatures, numClasses,
                    null);
        } catch (IOException e) {
            throw damaged(source, e);
        }
    }

    // ------------------------------------------------------------------ internals

    /** The CSV dialect of the two fixed layouts: comma, double quotes, fields trimmed, blank lines kept. */
    private static final CSVFormat PLAIN = format(',', '"');

    static CSVFormat format(char delimiter, char quote) {
        return CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setQuote(quote).setIgnoreEmptyLines(false)
                .setIgnoreSurroundingSpaces(true).setTrim(true).get();
    }

    /** The decoded, BOM-stripped and line-length-bounded text of a (possibly gzip-compressed) stream. */
    static Reader reader(InputStream raw, String source, char quote) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BoundedReader(new InputStreamReader(Inputs.maybeGunzip(raw), decoder), source, quote);
    }

    /** Turns the failures of decoding and decompression into a message naming the source. */
    static IOException damaged(String source, IOException e) {
        if (e instanceof MalformedDataException) {
            return e;
        }
        String what;
        if (e instanceof CharacterCodingException) {
            what = "not valid UTF-8 text (is this a binary file?)";
        } else if (e instanceof CSVException) {
            what = "CSV syntax error: " + e.getMessage();
        } else if (e instanceof ZipException || e instanceof EOFException) {
            what = "damaged or truncated gzip data: " + e.getMessage();
        } else {
            return new IOException(source + ": read error: " + e, e);
        }
        return new MalformedDataException(source, what, e);
    }

    /** An I/O error while opening or reading {@code path}, with a message naming the file. */
    static IOException ioError(Path path, IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains(path.toString()) ? e : new IOException(path + ": " + e, e);
    }

    /**
     * The non-blank records of a CSV text, each with its 1-based starting line; a blank record followed by a
     * non-blank one is an error (blank lines are accepted only at the end).
     */
    static final class Records {
        private final CSVParser parser;
        private final Iterator<CSVRecord> it;
        private final String source;
        private long firstBlank = -1;
        private long line;

        Records(Reader reader, CSVFormat format, String source) throws IOException {
            this.parser = CSVParser.builder().setReader(reader).setFormat(format).get();
            this.it = parser.iterator();
            this.source = source;
        }

        /** The next non-blank record, or {@code null} at the end; {@link #line()} is its first line. */
        CSVRecord next() throws IOException {
            try {
                while (true) {
                    long before = parser.getCurrentLineNumber();
                    if (!it.hasNext()) {
                        return null;
                    }
                    CSVRecord r = it.next();
                    line = before + 1;
                    if (r.size() == 1 && r.get(0).isEmpty()) {
                        if (firstBlank < 0) {
                            firstBlank = line;
                        }
                        continue;
                    }
                    if (firstBlank >= 0) {
                        throw new MalformedDataException(source, firstBlank, "blank line inside the data");
                    }
                    return r;
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        /** The 1-based line the last record returned by {@link #next()} starts on. */
        long line() {
            return line;
        }
    }

    /**
     * Reads data lines.
     *
     * @param expectedRows row count from the header, or -1 when unknown
     */
    private static Tabular readRows(Records records, String source, int expectedRows,
                                    int features, int numClasses, List<String> names) throws IOException {
        int columns = features + 1;
        // pre-size from the header, but never trust it for more than a modest allocation
        long hint = expectedRows >= 0 ? (long) expectedRows * features : 1024;
        DoubleList values = new DoubleList((int) Math.min(hint, 1 << 16), source);
        IntList labels = new IntList(source);
        CSVRecord f;
        while ((f = records.next()) != null) {
            long lineNo = records.line();
            if (expectedRows >= 0 && labels.size() == expectedRows) {
                throw new MalformedDataException(source, lineNo, "more data rows than the "
                        + expectedRows + " declared in the header");
            }
            if (f.size() != columns) {
                throw new MalformedDataException(source, lineNo, "expected " + columns + " columns ("
                        + features + " features + label) but found " + f.size());
            }
            for (int j = 0; j < features; j++) {
                values.add(parseFeature(f.get(j), j, source, lineNo));
            }
            labels.add(parseLabel(f.get(features), numClasses, source, lineNo));
        }
        if (expectedRows >= 0 && labels.size() != expectedRows) {
            throw new MalformedDataException(source, records.line(), "header declares " + expectedRows
                    + " data rows but the file has " + labels.size() + " (truncated?)");
        }
        if (labels.size() == 0) {
            throw new MalformedDataException(source, "no data rows (an empty data set cannot be trained on)");
        }
        return Tabular.wrapFlat(values.toArray(), features, labels.toArray(), numClasses, names);
    }

    private static int parseHeaderInt(String s, String what, int min, String source) throws MalformedDataException {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new MalformedDataException(source, 1, "header " + what + " '" + s + "' is not an integer");
        }
        if (v < min) {
            throw new MalformedDataException(source, 1, "header " + what + " must be >= " + min + ", got " + v);
        }
        return v;
    }

    private static double parseFeature(String s, int column, String source, long line)
            throws MalformedDataException {
        double v;
        try {
            // Double.parseDouble also accepts hex floats and a trailing 'd'/'f'; reject those
            // (and NaN/Infinity below) so that only ordinary decimal numbers pass.
            if (s.isEmpty() || !isDecimal(s)) {
                throw new NumberFormatException();
            }
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new MalformedDataException(source, line, "column " + (column + 1) + ": '" + s
                    + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new MalformedDataException(source, line, "column " + (column + 1) + ": value '" + s
                    + "' is not finite");
        }
        return v;
    }

    private static boolean isDecimal(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int parseLabel(String s, int numClasses, String source, long line)
            throws MalformedDataException {
        int y;
        try {
            y = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new MalformedDataException(source, line, "label '" + s + "' is not an integer");
        }
        if (y < 0 || y >= numClasses) {
            throw new MalformedDataException(source, line, "label " + y + " is outside [0, " + numClasses + ")");
        }
        return y;
    }

    /** Growable primitive list (avoids boxing); growing it first checks that the heap can hold it. */
    private static final class DoubleList {
        private final String source;
        private double[] a;
        private int n;

        DoubleList(int capacity, String source) {
            this.source = source;
            a = new double[Math.max(16, capacity)];
        }

        void add(double v) throws MalformedDataException {
            if (n == a.length) {
                if (a.length >= MAX_VALUES) {
                    throw new MalformedDataException(source, "more than " + MAX_VALUES
                            + " feature values, more than one array can hold");
                }
                int grown = (int) Math.min(MAX_VALUES, 2L * a.length);
                String what = "reading " + n + "+ feature values";
                Inputs.checkHeap(source, 8L * grown, what);
                try {
                    a = Arrays.copyOf(a, grown);
                } catch (OutOfMemoryError e) {
                    throw Inputs.outOfHeap(source, 8L * grown, what);
                }
            }
            a[n++] = v;
        }

        /** The values, in an array of exactly {@link #n} (the list's own when it is full). */
        double[] toArray() throws MalformedDataException {
            if (n == a.length) {
                return a;
            }
            String what = "the " + n + " feature values";
            Inputs.checkHeap(source, 8L * n, what);
            try {
                double[] out = Arrays.copyOf(a, n);
                a = null;
                return out;
            } catch (OutOfMemoryError e) {
                throw Inputs.outOfHeap(source, 8L * n, what);
            }
        }
    }

    /** Growable primitive list (avoids boxing); growing it first checks that the heap can hold it. */
    private static final class IntList {
        private final String source;
        private int[] a = new int[256];
        private int n;

        IntList(String source) {
            this.source = source;
        }

        void add(int v) throws MalformedDataException {
            if (n == a.length) {
                if (a.length >= MAX_VALUES) {
                    throw new MalformedDataException(source, "more than " + MAX_VALUES + " rows");
                }
                int grown = (int) Math.min(MAX_VALUES, 2L * a.length);
                String what = "reading " + n + "+ rows";
                Inputs.checkHeap(source, 4L * grown, what);
                try {
                    a = Arrays.copyOf(a, grown);
                } catch (OutOfMemoryError e) {
                    throw Inputs.outOfHeap(source, 4L * grown, what);
                }
            }
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /**
     * The decoded text with a leading UTF-8 byte order mark dropped, failing with a {@link MalformedDataException}
     * once one record (a line, or several lines inside a quoted field) exceeds {@link #MAX_LINE_CHARS} characters,
     * so that no single line or field can take more memory than that.
     */
    private static final class BoundedReader extends Reader {
        private final Reader in;
        private final String source;
        private final char quote;
        private boolean started;
        private boolean quoted;
        private boolean afterCr;
        private long recordChars;
        private long line = 1;
        private long recordLine = 1;

        BoundedReader(Reader in, String source, char quote) {
            this.in = in;
            this.source = source;
            this.quote = quote;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0 && !started) {
                started = true;
                if (buf[off] == '\uFEFF') {
                    System.arraycopy(buf, off + 1, buf, off, n - 1);
                    n--;
                    if (n == 0) {
                        return read(buf, off, len);
                    }
                }
            }
            for (int k = off; k < off + n; k++) {
                char c = buf[k];
                boolean lf = c == '\n';
                if (c == '\r' || (lf && !afterCr)) {
                    line++;
                }
                afterCr = c == '\r';
                if (c == quote) {
                    quoted = !quoted;
                }
                if ((lf || c == '\r') && !quoted) {
                    recordChars = 0;
                    recordLine = line;
                } else if (++recordChars > MAX_LINE_CHARS) {
                    throw new MalformedDataException(source, recordLine, "line longer than "
                            + MAX_LINE_CHARS + " characters, the limit (CsvLoader.MAX_LINE_CHARS)"
                            + (quoted ? "; it is inside a quoted field: an unclosed quote?" : ""));
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
