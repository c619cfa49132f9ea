package dev.jgrad.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Reads the two plain CSV layouts used by the bundled data sets (comma-separated, no
 * quoting, UTF-8; input may be gzip-compressed, which is detected from its first bytes):
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
 * not an integer or is out of range, a row count that disagrees with the header, blank
 * lines in the middle of the data, invalid UTF-8 or a damaged gzip stream. Whitespace
 * around fields and Windows line endings are accepted; blank lines at the end are ignored.
 */
public final class CsvLoader {
    private CsvLoader() {
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
        try (InputStream in = Files.newInputStream(path)) {
            return readWithHeader(in, path.toString());
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
            BufferedReader reader = reader(in);
            String headerLine = reader.readLine();
            if (headerLine == null || headerLine.isBlank()) {
                throw new MalformedDataException(source, 1,
                        "missing header line ROWS,FEATURES,CLASS_NAME...");
            }
            String[] h = split(headerLine);
            if (h.length < 3) {
                throw new MalformedDataException(source, 1, "header '" + headerLine
                        + "' must be ROWS,FEATURES,CLASS_NAME... with at least one class name");
            }
            int rows = parseHeaderInt(h[0], "ROWS", 0, source);
            int features = parseHeaderInt(h[1], "FEATURES", 1, source);
            List<String> names = new ArrayList<>(Arrays.asList(h).subList(2, h.length));
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (name.isEmpty()) {
                    throw new MalformedDataException(source, 1, "empty class name in header '" + headerLine + "'");
                }
                if (!seen.add(name)) {
                    throw new MalformedDataException(source, 1, "duplicate class name '" + name + "' in header");
                }
            }
            return readRows(reader, source, 1, rows, features, names.size(), names);
        } catch (CharacterCodingException | ZipException | EOFException e) {
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
        try (InputStream in = Files.newInputStream(path)) {
            return readHeaderless(in, path.toString(), numFeatures, numClasses);
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
            return readRows(reader(in), source, 0, -1, numFeatures, numClasses, null);
        } catch (CharacterCodingException | ZipException | EOFException e) {
            throw damaged(source, e);
        }
    }

    // ------------------------------------------------------------------ internals

    private static BufferedReader reader(InputStream raw) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(Inputs.maybeGunzip(raw), decoder), 1 << 16);
    }

    private static MalformedDataException damaged(String source, IOException e) {
        String what = e instanceof CharacterCodingException
                ? "not valid UTF-8 text (is this a binary file?)"
                : "damaged or truncated gzip data: " + e.getMessage();
        return new MalformedDataException(source, what, e);
    }

    /**
     * Reads data lines.
     *
     * @param linesBefore  lines already consumed (the header), for line numbering
     * @param expectedRows row count from the header, or -1 when unknown
     */
    private static Tabular readRows(BufferedReader reader, String source, int linesBefore, int expectedRows,
                                    int features, int numClasses, List<String> names) throws IOException {
        int columns = features + 1;
        // pre-size from the header, but never trust it for more than a modest allocation
        long hint = expectedRows >= 0 ? (long) expectedRows * features : 1024;
        DoubleList values = new DoubleList((int) Math.min(hint, 1 << 22));
        IntList labels = new IntList();
        long lineNo = linesBefore;
        long firstBlank = -1;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                if (firstBlank < 0) {
                    firstBlank = lineNo;
                }
                continue;
            }
            if (firstBlank >= 0) {
                throw new MalformedDataException(source, firstBlank, "blank line inside the data");
            }
            if (expectedRows >= 0 && labels.size() == expectedRows) {
                throw new MalformedDataException(source, lineNo, "more data rows than the "
                        + expectedRows + " declared in the header");
            }
            String[] f = split(line);
            if (f.length != columns) {
                throw new MalformedDataException(source, lineNo, "expected " + columns + " columns ("
                        + features + " features + label) but found " + f.length);
            }
            for (int j = 0; j < features; j++) {
                values.add(parseFeature(f[j], j, source, lineNo));
            }
            labels.add(parseLabel(f[features], numClasses, source, lineNo));
        }
        if (expectedRows >= 0 && labels.size() != expectedRows) {
            throw new MalformedDataException(source, lineNo, "header declares " + expectedRows
                    + " data rows but the file has " + labels.size() + " (truncated?)");
        }
        if (labels.size() == 0 && expectedRows < 0) {
            throw new MalformedDataException(source, "no data rows");
        }
        return Tabular.ofFlat(values.toArray(), features, labels.toArray(), numClasses, names);
    }

    private static String[] split(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].strip();
        }
        return f;
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

    /** Growable primitive list (avoids boxing). */
    private static final class DoubleList {
        private double[] a;
        private int n;

        DoubleList(int capacity) {
            a = new double[Math.max(16, capacity)];
        }

        void add(double v) {
            if (n == a.length) {
                if (a.length >= Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("too many values for one array");
                }
                a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * a.length));
            }
            a[n++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Growable primitive list (avoids boxing). */
    private static final class IntList {
        private int[] a = new int[256];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * a.length);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
