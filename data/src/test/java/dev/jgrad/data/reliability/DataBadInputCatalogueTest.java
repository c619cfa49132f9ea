package dev.jgrad.data.reliability;

import dev.jgrad.data.BatchSampler;
import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.DatasetNotFoundException;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.IdxLoader;
import dev.jgrad.data.MalformedDataException;
import dev.jgrad.data.MinMaxScaler;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.ops.reliability.BadInputCatalogue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;

/**
 * The bad-input catalogue of data: data sets, the mini-batch DataLoader and BatchSampler, Tabular, splits,
 * scalers and the CSV and IDX loaders. Each case is run by the shared harness
 * ({@link BadInputCatalogue}, from the ops test-jar), which checks the exception's exact type, that its message
 * names the API and the offending argument, and that no watched state changed (data sets and scalers as
 * snapshotted by {@link #DATA}, arrays, files on disk).
 */
class DataBadInputCatalogueTest extends BadInputCatalogue {
    private static final Class<MalformedDataException> MDE = MalformedDataException.class;

    /** Data sets (features and labels) and fitted scalers (their parameters, bit for bit). */
    static final Snapshotter DATA = (sb, o, nested) -> {
        if (o instanceof Tabular t) {
            sb.append(t).append(Arrays.toString(t.flatFeatures())).append(Arrays.toString(t.labels()));
        } else if (o instanceof Standardizer s) {
            sb.append("Standardizer").append(Arrays.toString(s.mean())).append(Arrays.toString(s.std()));
        } else if (o instanceof MinMaxScaler s) {
            sb.append("MinMaxScaler").append(Arrays.toString(s.min())).append(Arrays.toString(s.range()));
        } else {
            return false;
        }
        return true;
    };

    DataBadInputCatalogueTest() {
        super(DATA);
    }

    @Override
    protected void register() {
        dataCases();
        csvCases();
        idxCases();
    }

    // ------------------------------------------------------------------ fixtures

    private static Tabular table() {
        return Tabular.of(new double[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}}, new int[] {0, 1, 2, 0, 1, 2}, 3);
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(content);
        }
        return b.toByteArray();
    }

    /** An IDX file: big-endian magic, dimensions, payload. */
    private static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) out.writeInt(d);
        out.write(payload);
        out.flush();
        return bytes.toByteArray();
    }

    // ================================================================== data sets and loaders

    private void dataCases() {
        add("DataLoader.<init>", "batch size 0", IAE, msg("BatchSampler", "batchSize must be >= 1, got 0"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, 0, true, false, 1, FLOAT32), t);
        });
        add("DataLoader.<init>", "negative batch size", IAE, msg("BatchSampler", "batchSize must be >= 1, got -3"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, -3, false, false, 1, FLOAT64), t);
        });
        add("DataLoader.<init>", "null data", IAE, msg("DataLoader", "data is null"), () ->
                act(() -> new DataLoader(null, 2, false, false, 1, FLOAT32)));
        add("DataLoader.<init>", "null dtype", IAE, msg("DataLoader", "dtype is null"), () -> {
            Tabular t = table();
            return act(() -> new DataLoader(t, 2, false, false, 1, null), t);
        });
        add("DataLoader.epoch", "negative epoch", IAE, msg("BatchSampler", "epoch must be >= 0, got -1"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT32);
            return act(() -> dl.epoch(-1), dl.data());
        });
        add("DataLoader.batch", "row index past the end", IOOBE, msg("DataLoader.batch", "index 10", "[0, 6)"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT32);
            return act(() -> dl.batch(new int[] {0, 10}), dl.data());
        });
        add("DataLoader.batch", "negative row index", IOOBE, msg("DataLoader.batch", "index -1"), () -> {
            DataLoader dl = new DataLoader(table(), 2, true, false, 1, FLOAT64);
            return act(() -> dl.batch(new int[] {-1}), dl.data());
        });
        add("BatchSampler.<init>", "negative size", IAE, msg("BatchSampler", "size must be >= 0, got -1"), () ->
                act(() -> new BatchSampler(-1, 2, false, false, 0)));
        add("Tabular.of", "no rows", IAE, msg("Tabular", "no rows"), () -> act(() -> Tabular.of(new double[0][], new int[0], 2)));
        add("Tabular.of", "ragged rows", IAE, msg("Tabular", "ragged", "row 1"), () ->
                act(() -> Tabular.of(new double[][] {{1, 2}, {3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "label = numClasses", IAE, msg("Tabular", "label 3 at row 1", "[0, 3)"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {0, 3}, 3)));
        add("Tabular.of", "negative label", IAE, msg("Tabular", "label -1 at row 0"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {-1, 0}, 3)));
        add("Tabular.of", "NaN feature", IAE, msg("Tabular", "non-finite feature NaN", "row 0, column 1"), () ->
                act(() -> Tabular.of(new double[][] {{1, Double.NaN}, {2, 3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "infinite feature", IAE, msg("Tabular", "non-finite feature -Infinity", "row 1, column 0"), () ->
                act(() -> Tabular.of(new double[][] {{1, 2}, {Double.NEGATIVE_INFINITY, 3}}, new int[] {0, 1}, 2)));
        add("Tabular.of", "zero classes", IAE, msg("Tabular", "numClasses must be >= 1, got 0"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 0)));
        add("Tabular.of", "more labels than rows", IAE, msg("Tabular", "2 feature rows but 3 labels"), () ->
                act(() -> Tabular.of(new double[][] {{1}, {2}}, new int[] {0, 1, 0}, 2)));
        add("Tabular.of", "class name count differs", IAE, msg("Tabular", "2 class names for 3 classes"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 3, List.of("a", "b"))));
        add("Tabular.of", "duplicate class names", IAE, msg("Tabular", "duplicate class names"), () ->
                act(() -> Tabular.of(new double[][] {{1}}, new int[] {0}, 2, List.of("a", "a"))));
        add("Tabular.of", "null features", IAE, msg("Tabular", "features is null"), () -> act(() -> Tabular.of(null, new int[] {0}, 2)));
        add("Tabular.ofFlat", "length differs", IAE, msg("Tabular", "flat has 5 values", "2 labels × 3 features"), () ->
                act(() -> Tabular.ofFlat(new double[5], 3, new int[] {0, 1}, 2, null)));
        add("Tabular.ofFlat", "zero features", IAE, msg("Tabular", "numFeatures must be >= 1, got 0"), () ->
                act(() -> Tabular.ofFlat(new double[0], 0, new int[] {0}, 2, null)));
        add("Tabular.ofUnsignedBytes", "scale 0", IAE, msg("Tabular", "scale must be positive and finite, got 0.0"), () ->
                act(() -> Tabular.ofUnsignedBytes(new byte[2], 1, 0.0, new int[] {0, 1}, 2, null)));
        add("Tabular.subset", "index past the end", IOOBE, msg("Tabular.subset", "index 9", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.subset(new int[] {0, 9}), t);
        });
        add("Tabular.feature", "row past the end", IOOBE, msg("Tabular.feature", "row 6", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.feature(6, 0), t);
        });
        add("Tabular.label", "negative row", IOOBE, msg("Tabular.label", "row -1", "[0, 6)"), () -> {
            Tabular t = table();
            return act(() -> t.label(-1), t);
        });
        add("Split.stratified", "test fraction 0", IAE, msg("Split", "testFraction must be in (0, 1), got 0.0"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, 0.0, 1), t);
        });
        add("Split.stratified", "test fraction 1", IAE, msg("Split", "got 1.0"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, 1.0, 1), t);
        });
        add("Split.stratified", "NaN test fraction", IAE, msg("Split", "got NaN"), () -> {
            Tabular t = table();
            return act(() -> Split.stratified(t, Double.NaN, 1), t);
        });
        add("Split.stratified", "null data", IAE, msg("Split", "data is null"), () -> act(() -> Split.stratified(null, 0.2, 1)));
        add("Standardizer.fit", "empty data set", IAE, msg("Standardizer", "empty data set"), () -> {
            Tabular t = table().subset(new int[0]);
            return act(() -> Standardizer.fit(t), t);
        });
        add("Standardizer.fit", "null data set", IAE, msg("Standardizer", "train is null"), () -> act(() -> Standardizer.fit(null)));
        add("Standardizer.of", "lengths differ", IAE, msg("Standardizer", "2 means but 3 stds"), () ->
                act(() -> Standardizer.of(new double[2], new double[] {1, 1, 1})));
        add("Standardizer.of", "zero std", IAE, msg("Standardizer", "feature 1", "std 0.0"), () ->
                act(() -> Standardizer.of(new double[2], new double[] {1, 0})));
        add("Standardizer.of", "NaN mean", IAE, msg("Standardizer", "feature 0", "mean NaN"), () ->
                act(() -> Standardizer.of(new double[] {Double.NaN}, new double[] {1})));
        add("Standardizer.transform", "feature count differs", IAE, msg("Standardizer", "fitted on 3 features but got 2"), () -> {
            Standardizer s = Standardizer.of(new double[3], new double[] {1, 1, 1});
            Tabular t = table();
            return act(() -> s.transform(t), s, t);
        });
        add("Standardizer.transformRow", "row length differs", IAE, msg("Standardizer", "fitted on 3 features but got 4"), () -> {
            Standardizer s = Standardizer.of(new double[3], new double[] {1, 1, 1});
            double[] row = {1, 2, 3, 4};
            return act(() -> s.transformRow(row), s, row);
        });
        add("MinMaxScaler.fit", "empty data set", IAE, msg("MinMaxScaler", "empty data set"), () -> {
            Tabular t = table().subset(new int[0]);
            return act(() -> MinMaxScaler.fit(t), t);
        });
        add("MinMaxScaler.ofRange", "hi below lo", IAE, msg("MinMaxScaler", "lo < hi", "[1.0, 0.0]"), () -> act(() -> MinMaxScaler.ofRange(2, 1, 0)));
        add("MinMaxScaler.ofRange", "NaN bound", IAE, msg("MinMaxScaler", "NaN"), () -> act(() -> MinMaxScaler.ofRange(2, Double.NaN, 1)));
        add("MinMaxScaler.ofRange", "negative feature count", IAE, msg("MinMaxScaler", "numFeatures", "-1"), () -> act(() -> MinMaxScaler.ofRange(-1, 0, 1)));
        add("MinMaxScaler.transform", "feature count differs", IAE, msg("MinMaxScaler", "fitted on 4 features but got 2"), () -> {
            MinMaxScaler s = MinMaxScaler.ofRange(4, 0, 16);
            Tabular t = table();
            return act(() -> s.transform(t), s, t);
        });
        add("Datasets.fashionMnist", "missing directory", DatasetNotFoundException.class,
                msg("Fashion-MNIST not found", "does not exist", Datasets.FASHION_MNIST_INSTALL_HINT), () -> {
                    Path missing = dir.resolve("no-such-fashion-mnist");
                    return act(() -> Datasets.fashionMnist(missing, true), missing);
                });
    }

    private void csvCase(String what, String content, String... message) {
        add("CsvLoader.readWithHeader", what, MDE, msg(message), () -> {
            Path f = text("data.csv", content);
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
    }

    private void csvCases() {
        csvCase("empty file", "", "data.csv:1", "missing header");
        csvCase("header with two fields", "2,1\n1,0\n2,0\n", "data.csv:1", "header", "at least one class name");
        csvCase("ROWS not an integer", "two,1,a,b\n1,0\n", "data.csv:1", "header ROWS 'two' is not an integer");
        csvCase("negative ROWS", "-2,1,a,b\n", "data.csv:1", "header ROWS must be >= 0, got -2");
        csvCase("FEATURES 0", "1,0,a,b\n0\n", "data.csv:1", "header FEATURES must be >= 1, got 0");
        csvCase("empty class name", "1,1,a,,c\n1,0\n", "data.csv:1", "empty class name");
        csvCase("duplicate class name", "1,1,a,a\n1,0\n", "data.csv:1", "duplicate class name 'a'");
        csvCase("too few columns", "2,2,a,b\n1,2,0\n3,1\n", "data.csv:3", "expected 3 columns", "found 2");
        csvCase("feature not a number", "1,2,a,b\n1,x,0\n", "data.csv:2", "column 2", "'x' is not a number");
        csvCase("NaN feature", "1,2,a,b\nNaN,1,0\n", "data.csv:2", "column 1", "'NaN' is not a number");
        csvCase("overflowing feature", "1,2,a,b\n1e999,1,0\n", "data.csv:2", "column 1", "'1e999' is not finite");
        csvCase("hex-float feature", "1,1,a,b\n0x1p3,0\n", "data.csv:2", "'0x1p3' is not a number");
        csvCase("fractional label", "1,1,a,b\n1,1.5\n", "data.csv:2", "label '1.5' is not an integer");
        csvCase("label = number of classes", "1,1,a,b\n1,2\n", "data.csv:2", "label 2 is outside [0, 2)");
        csvCase("negative label", "2,1,a,b\n1,0\n1,-1\n", "data.csv:3", "label -1 is outside [0, 2)");
        csvCase("fewer rows than declared", "3,1,a,b\n1,0\n2,1\n", "data.csv", "header declares 3 data rows but the file has 2");
        csvCase("more rows than declared", "1,1,a,b\n1,0\n2,1\n", "data.csv:3", "more data rows than the 1 declared");
        csvCase("blank line inside the data", "2,1,a,b\n1,0\n\n2,1\n", "data.csv:3", "blank line inside the data");
        add("CsvLoader.readWithHeader", "invalid UTF-8", MDE, msg("data.csv", "not valid UTF-8"), () -> {
            Path f = write("data.csv", new byte[] {'1', ',', '1', ',', 'a', ',', (byte) 0xC3, (byte) 0x28, '\n'});
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readWithHeader", "truncated gzip", MDE, msg("data.csv.gz", "damaged or truncated gzip"), () -> {
            byte[] gz = gzip("2,1,a,b\n1,0\n2,1\n".getBytes(StandardCharsets.UTF_8));
            Path f = write("data.csv.gz", Arrays.copyOf(gz, gz.length - 12));
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readWithHeader", "missing file", NoSuchFileException.class, msg("missing.csv"), () -> {
            Path f = dir.resolve("missing.csv");
            return act(() -> CsvLoader.readWithHeader(f), f);
        });
        add("CsvLoader.readHeaderless", "zero features", IAE, msg("CsvLoader", "numFeatures must be >= 1, got 0"), () -> {
            Path f = text("h.csv", "1,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 0, 2), f);
        });
        add("CsvLoader.readHeaderless", "zero classes", IAE, msg("CsvLoader", "numClasses must be >= 1, got 0"), () -> {
            Path f = text("h.csv", "1,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 0), f);
        });
        add("CsvLoader.readHeaderless", "no data rows", MDE, msg("h.csv", "no data rows"), () -> {
            Path f = text("h.csv", "\n\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 2), f);
        });
        add("CsvLoader.readHeaderless", "too many columns", MDE, msg("h.csv:1", "expected 2 columns (1 features + label) but found 3"), () -> {
            Path f = text("h.csv", "1,2,0\n");
            return act(() -> CsvLoader.readHeaderless(f, 1, 2), f);
        });
    }

    private void idxCases() {
        byte[] px = new byte[2 * 2 * 3];
        add("IdxLoader.readImages", "label magic in an image file", MDE, msg("img.idx", "bad magic number 0x00000801", "expected 0x00000803", "swapped"), () -> {
            Path f = write("img.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[2]));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "byte-swapped magic", MDE, msg("img.idx", "bad magic number 0x03080000", "byte-swapped"), () -> {
            Path f = write("img.idx", idx(Integer.reverseBytes(IdxLoader.IMAGES_MAGIC), new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "float element type", MDE, msg("img.idx", "bad magic number 0x00000D03", "element type 0x0D"), () -> {
            Path f = write("img.idx", idx(0x00000D03, new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "truncated header", MDE, msg("img.idx", "truncated header", "image count"), () -> {
            Path f = write("img.idx", Arrays.copyOf(idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px), 6));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "truncated pixels", MDE, msg("img.idx", "truncated", "12 pixel bytes", "ends after 7"), () -> {
            byte[] full = idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px);
            Path f = write("img.idx", Arrays.copyOf(full, full.length - 5));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "trailing bytes", MDE, msg("img.idx", "3 unexpected trailing bytes"), () -> {
            Path f = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, Arrays.copyOf(px, px.length + 3)));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "negative dimension", MDE, msg("img.idx", "row count -2 is negative"), () -> {
            Path f = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, -2, 3}, px));
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readImages", "damaged gzip", MDE, msg("img.idx.gz", "damaged or truncated gzip"), () -> {
            byte[] gz = gzip(idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            for (int i = 12; i < gz.length - 8; i++) gz[i] ^= 0x5A;
            Path f = write("img.idx.gz", gz);
            return act(() -> IdxLoader.readImages(f), f);
        });
        add("IdxLoader.readLabels", "image magic in a label file", MDE, msg("lab.idx", "bad magic number 0x00000803", "expected 0x00000801"), () -> {
            Path f = write("lab.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            return act(() -> IdxLoader.readLabels(f), f);
        });
        add("IdxLoader.readLabels", "truncated labels", MDE, msg("lab.idx", "header promises 5 label bytes", "ends after 3"), () -> {
            Path f = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {5}, new byte[] {1, 2, 3}));
            return act(() -> IdxLoader.readLabels(f), f);
        });
        add("IdxLoader.load", "image and label counts differ", MDE, msg("image/label count mismatch", "2 images", "3 labels"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 1, 2}));
            return act(() -> IdxLoader.load(im, lb, List.of("a", "b", "c")), im, lb);
        });
        add("IdxLoader.load", "label beyond the class names", MDE, msg("lab.idx", "label 12 of item 1", "[0, 10)"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 12}));
            return act(() -> IdxLoader.load(im, lb, Datasets.FASHION_MNIST_CLASSES), im, lb);
        });
        add("IdxLoader.load", "zero-pixel images", MDE, msg("img.idx", "zero pixels"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 0, 3}, new byte[0]));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}));
            return act(() -> IdxLoader.load(im, lb, List.of("a", "b")), im, lb);
        });
        add("IdxLoader.load", "null class names", IAE, msg("IdxLoader", "classNames is null"), () -> {
            Path im = write("img.idx", idx(IdxLoader.IMAGES_MAGIC, new int[] {2, 2, 3}, px));
            Path lb = write("lab.idx", idx(IdxLoader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}));
            return act(() -> IdxLoader.load(im, lb, null), im, lb);
        });
    }
}
