package dev.jgrad.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ready-made data sets: four small ones bundled (three for classification, diabetes for regression) as resources (see {@code NOTICE.md} next to
 * them for sources and licences) and Fashion-MNIST read from disk.
 *
 * <p>The bundled sets are parsed once and cached; since {@link Tabular} is immutable the
 * same instance is returned on every call.
 */
public final class Datasets {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the Fashion-MNIST IDX files. */
    public static final Path DEFAULT_FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The installation hint included in the message when Fashion-MNIST is missing. */
    public static final String FASHION_MNIST_INSTALL_HINT =
            "install with `apt-get install dataset-fashion-mnist` (or pass --data DIR)";

    /** Fashion-MNIST class names, index = label. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final ConcurrentHashMap<String, Tabular> CACHE = new ConcurrentHashMap<>();

    private Datasets() {
    }

    /**
     * UCI optical handwritten digits: 1797 8×8 images as 64 features with values 0..16,
     * 10 classes named {@code "0"}..{@code "9"}.
     *
     * @return the data set
     * @throws UncheckedIOException if the bundled resource is missing or damaged (a build problem)
     */
    public static Tabular digits() {
        return CACHE.computeIfAbsent("digits", k -> bundled("digits.csv.gz", true));
    }

    /**
     * Fisher's Iris: 150 rows, 4 features, classes setosa, versicolor, virginica (50 each).
     *
     * @return the data set
     * @throws UncheckedIOException if the bundled resource is missing or damaged (a build problem)
     */
    public static Tabular iris() {
        return CACHE.computeIfAbsent("iris", k -> bundled("iris.csv", false));
    }

    /**
     * Breast Cancer Wisconsin (Diagnostic): 569 rows, 30 features, classes malignant (0, 212
     * rows) and benign (1, 357 rows).
     *
     * @return the data set
     * @throws UncheckedIOException if the bundled resource is missing or damaged (a build problem)
     */
    public static Tabular breastCancer() {
        return CACHE.computeIfAbsent("breast_cancer", k -> bundled("breast_cancer.csv", false));
    }

    /**
     * The diabetes progression data (Efron et al. 2004) as a regression set: 442 rows, 10 raw features
     * ({@code age, sex, bmi, bp, s1..s6}) and one target, {@code progression} (25..346); read with
     * {@link CsvLoader#options()} (header, target column by name). Sources and licence: {@code NOTICE.md} beside it.
     *
     * @return the data set ({@link Tabular#numTargets()} 1)
     * @throws UncheckedIOException if the bundled resource is missing or damaged (a build problem)
     */
    public static Tabular diabetes() {
        return CACHE.computeIfAbsent("diabetes", k -> {
            try (InputStream in = resource("diabetes.csv")) {
                return CsvLoader.options().header(true).label("progression").regression(true).read(in, "diabetes.csv");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load bundled data set diabetes.csv", e);
            }
        });
    }

    /**
     * Fashion-MNIST from {@link #DEFAULT_FASHION_MNIST_DIR}.
     *
     * @param train {@code true} for the 60000-image training set, {@code false} for the
     *              10000-image test set
     * @return the data set (see {@link #fashionMnist(Path, boolean)})
     * @throws DatasetNotFoundException if the files are not installed
     * @throws IOException              if a file cannot be read or is malformed
     */
    public static Tabular fashionMnist(boolean train) throws IOException {
        return fashionMnist(DEFAULT_FASHION_MNIST_DIR, train);
    }

    /**
     * Fashion-MNIST from a directory holding {@code train-images-idx3-ubyte.gz},
     * {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz} and
     * {@code t10k-labels-idx1-ubyte.gz} (uncompressed files without {@code .gz} are accepted
     * too). Rows are the 28×28 images flattened row-major (784 features), pixel values in
     * [0, 1] stored compactly as bytes (see {@link Tabular}); class names are
     * {@link #FASHION_MNIST_CLASSES}. Not cached: each call reads the files.
     *
     * @param dir   the directory
     * @param train {@code true} for the training files, {@code false} for {@code t10k}
     * @return the data set
     * @throws DatasetNotFoundException if a file is missing; the message ends with
     *                                  {@link #FASHION_MNIST_INSTALL_HINT}
     * @throws IOException              if a file cannot be read or is malformed
     */
    public static Tabular fashionMnist(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        return IdxLoader.load(images, labels, FASHION_MNIST_CLASSES);
    }

    private static Path find(Path dir, String baseName) throws DatasetNotFoundException {
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(baseName);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        String where = Files.isDirectory(dir) ? gz + " does not exist" : "directory " + dir + " does not exist";
        throw new DatasetNotFoundException("Fashion-MNIST not found: " + where + "; " + FASHION_MNIST_INSTALL_HINT);
    }

    private static InputStream resource(String resource) {
        InputStream in = Datasets.class.getResourceAsStream(resource);
        if (in == null) {
            throw new UncheckedIOException(new IOException("bundled resource dev/jgrad/data/"
                    + resource + " is missing from the classpath"));
        }
        return in;
    }

    private static Tabular bundled(String resource, boolean headerlessDigits) {
        try (InputStream in = resource(resource)) {
            if (headerlessDigits) {
                // default class names "0".."9" are the digit names
                return CsvLoader.readHeaderless(in, resource, 64, 10);
            }
            return CsvLoader.readWithHeader(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load bundled data set " + resource, e);
        }
    }
}
