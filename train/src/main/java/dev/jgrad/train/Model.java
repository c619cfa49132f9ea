package dev.jgrad.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgrad.core.DType;
import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.io.SafeTensorsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A trained network that describes itself: its {@link Architecture}, the feature scaler fitted on the training rows,
 * the class names (or, for regression, the scaler of the targets) and the training options travel with the weights,
 * so a saved model predicts with no code that re-declares the network:
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("runs/digits/model.safetensors"));
 * Predictions p = model.predict(new double[][]{row});   // row: model.inputFeatures() raw feature values
 * String label = p.label(0);                            // the class name, e.g. "7"
 * double[] probabilities = p.probabilities(0);          // index = class, as in model.classNames()
 * }</pre>
 *
 * <p><b>The file</b> is a jgrad checkpoint ({@link Checkpoint}: safetensors, written atomically, with CRC-32s of the
 * weights and of the metadata) without optimizer state, whose metadata also holds {@value #FORMAT_KEY} =
 * {@value #FORMAT}, the task, the architecture, dtype, scalers and class names as JSON under {@code jgrad.model.*}, and
 * the training options under {@value #OPTION_PREFIX}{@code <option>} (as {@code jgrad train} stores them for
 * {@code --resume}). Python's {@code safetensors} reads the weights under their PyTorch names.
 *
 * <p><b>Loading</b> validates everything (it is a jgrad model of a format this jgrad reads, both checksums, every
 * field, every weight's name, shape and dtype) before it returns; a failure is a {@link ModelFileException} naming
 * the file and never a half-built model.
 *
 * <p><b>Predicting</b> standardises the rows with the stored scaler, runs the network in eval mode (dropout off,
 * batch-norm running statistics) without recording a graph, {@value #BATCH} rows at a time, exactly as the training
 * run evaluated its test rows. A model is not safe for concurrent use from several threads.
 */
public final class Model {
    /** Metadata key that marks a model file; its value is the format version. */
    public static final String FORMAT_KEY = "jgrad.model";
    /** The format version this jgrad writes and reads. */
    public static final String FORMAT = "jgrad-model/1";
    /** Metadata prefix of the training options ({@link #trainingOptions()}). */
    public static final String OPTION_PREFIX = "jgrad.train.";
    /** The conventional name of a model file in a run directory. */
    public static final String FILE_NAME = "model.safetensors";
    /** Rows per forward pass when predicting. */
    public static final int BATCH = 256;

    private static final String KEY = FORMAT_KEY + ".";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a model predicts. */
    public enum Task {
        /** Classes: the network's outputs are logits (one logit for a binary classifier with a sigmoid output). */
        CLASSIFICATION,
        /** Real values: the network's outputs are the (standardised) targets. */
        REGRESSION;

        /** @return the lower-case name, as stored in a model file and printed by the command line */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Architecture architecture;
    private final Module network;
    private final DType dtype;
    private final Task task;
    private final List<String> classNames;
    private final Standardizer scaler;
    private final Standardizer targetScaler;
    private final Map<String, String> options;
    private final String source;

    private Model(Architecture architecture, Module network, DType dtype, Task task, List<String> classNames, Standardizer scaler,
                  Standardizer targetScaler, Map<String, String> options, String source) {
        this.architecture = architecture;
        this.network = network;
        this.dtype = dtype;
        this.task = task;
        this.classNames = classNames;
        this.scaler = scaler;
        this.targetScaler = targetScaler;
        this.options = options;
        this.source = source;
    }

    // ------------------------------------------------------------------ building

    /**
     * Starts a classifier from a trained network: it gives one logit per class, or one logit for two classes (a
     * binary classifier trained with a sigmoid, the probability of class 1 being {@code sigmoid(logit)}).
     *
     * @param architecture what the network is (it must have exactly the parameters that {@code architecture} builds)
     * @param network      the trained network (kept, not copied: predicting sets it to eval mode)
     * @param classNames   the class names, index = class; distinct
     * @return the builder
     */
    public static Builder classifier(Architecture architecture, Module network, List<String> classNames) {
        if (classNames == null) throw new IllegalArgumentException("Model.classifier: classNames is null");
        return new Builder(architecture, network, Task.CLASSIFICATION, List.copyOf(classNames));
    }

    /**
     * Starts a regressor from a trained network: one output per target.
     *
     * @param architecture what the network is (it must have exactly the parameters that {@code architecture} builds)
     * @param network      the trained network (kept, not copied: predicting sets it to eval mode)
     * @return the builder
     */
    public static Builder regressor(Architecture architecture, Module network) {
        return new Builder(architecture, network, Task.REGRESSION, List.of());
    }

    /** The optional parts of a {@link Model}; each setter returns {@code this}. */
    public static final class Builder {
        private final Architecture architecture;
        private final Module network;
        private final Task task;
        private final List<String> classNames;
        private Standardizer scaler;
        private Standardizer targetScaler;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder(Architecture architecture, Module network, Task task, List<String> classNames) {
            if (architecture == null) throw new IllegalArgumentException("Model: architecture is null");
            if (network == null) throw new IllegalArgumentException("Model: network is null");
            this.architecture = architecture;
            this.network = network;
            this.task = task;
            this.classNames = classNames;
        }

        /**
         * The scaler the training rows were standardised with; {@link #predict} applies it to raw rows.
         *
         * @param scaler fitted on the training rows, with {@link Architecture#inputs()} features; null: none
         * @return this
         */
        public Builder scaler(Standardizer scaler) {
            this.scaler = scaler;
            return this;
        }

        /**
         * A regressor's target scaler: the network predicts standardised targets, {@link #predict} maps them back
         * ({@code value = output · std + mean}).
         *
         * @param targetScaler fitted on the training targets, with {@link Architecture#outputs()} entries; null: none
         * @return this
         */
        public Builder targetScaler(Standardizer targetScaler) {
            this.targetScaler = targetScaler;
            return this;
        }

        /**
         * The options of the training run, stored with the model (e.g. {@code lr -> 0.002}).
         *
         * @param trainingOptions option names (non-empty) to values (non-null); added to those given before
         * @return this
         */
        public Builder trainingOptions(Map<String, String> trainingOptions) {
            if (trainingOptions == null) throw new IllegalArgumentException("Model: trainingOptions is null");
            trainingOptions.forEach((k, v) -> {
                if (k == null || k.isEmpty() || v == null) throw new IllegalArgumentException("Model: training option '" + k + "' = " + v + " (need a name and a value)");
                options.put(k, v);
            });
            return this;
        }

        /**
         * Checks that every part fits the others and builds the model.
         *
         * @return the model
         * @throws IllegalArgumentException if the network's parameters are not the architecture's (names, shapes or
         *                                  mixed dtypes), the class names do not match the outputs or are not distinct,
         *                                  a scaler has the wrong width, or a classifier has a target scaler
         */
        public Model build() {
            Map<String, Tensor> state = network.stateDict();
            if (state.isEmpty()) throw new IllegalArgumentException("Model: the network has no parameters");
            DType dt = state.values().iterator().next().dtype();
            Map<String, Tensor> expected = architecture.build(dt, 0).stateDict();
            if (!expected.keySet().equals(state.keySet())) {
                throw new IllegalArgumentException("Model: the network's parameters " + state.keySet() + " are not those of " + architecture.describe()
                        + " " + expected.keySet());
            }
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor t = state.get(e.getKey());
                if (!Arrays.equals(t.shape(), e.getValue().shape()) || t.dtype() != dt) {
                    throw new IllegalArgumentException("Model: parameter '" + e.getKey() + "' is " + Arrays.toString(t.shape()) + " " + t.dtype() + " but "
                            + architecture.describe() + " in " + dt + " has " + Arrays.toString(e.getValue().shape()));
                }
            }
            check(architecture, task, classNames, scaler, targetScaler);
            return new Model(architecture, network, dt, task, classNames, scaler, targetScaler, Map.copyOf(options), "model");
        }
    }

    /** The checks shared by {@link Builder#build()} and {@link #load}. */
    private static void check(Architecture arch, Task task, List<String> classNames, Standardizer scaler, Standardizer targetScaler) {
        if (task == Task.CLASSIFICATION) {
            int k = classNames.size();
            if (!(k == arch.outputs() || (k == 2 && arch.outputs() == 1))) {
                throw new IllegalArgumentException("Model: " + k + " class names for " + arch.outputs() + " outputs (need one name per output, or 2 names for 1 output)");
            }
            if (new HashSet<>(classNames).size() != k) throw new IllegalArgumentException("Model: class names are not distinct: " + classNames);
            if (targetScaler != null) throw new IllegalArgumentException("Model: a classifier has no target scaler");
        } else if (targetScaler != null && targetScaler.numFeatures() != arch.outputs()) {
            throw new IllegalArgumentException("Model: target scaler of " + targetScaler.numFeatures() + " targets for " + arch.outputs() + " outputs");
        }
        if (scaler != null && scaler.numFeatures() != arch.inputs()) {
            throw new IllegalArgumentException("Model: scaler of " + scaler.numFeatures() + " features for " + arch.inputs() + " inputs");
        }
    }

    // ------------------------------------------------------------------ saving and loading

    /**
     * Writes the model (atomically: a failure leaves a previous file intact).
     *
     * @param file the file, conventionally {@value #FILE_NAME}
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("Model.save: file is null");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(KEY + "task", task.toString());
        meta.put(KEY + "architecture", json(architecture.toMap()));
        meta.put(KEY + "dtype", dtype.toString());
        if (task == Task.CLASSIFICATION) meta.put(KEY + "classes", json(classNames));
        if (scaler != null) meta.put(KEY + "scaler", json(scalerMap(scaler)));
        if (targetScaler != null) meta.put(KEY + "target_scaler", json(scalerMap(targetScaler)));
        new java.util.TreeMap<>(options).forEach((k, v) -> meta.put(OPTION_PREFIX + k, v));
        Checkpoint.save(file, network, null, meta);
    }

    /**
     * Reads a model written by {@link #save}, validating all of it first.
     *
     * @param file the model file
     * @return the model, in eval mode
     * @throws NoSuchFileException if there is no such file
     * @throws ModelFileException  if the file is not a jgrad model (another safetensors file, a training checkpoint,
     *                             not safetensors), is of a newer format, or is damaged (checksums, description, weights)
     * @throws IOException         if it cannot be read
     */
    public static Model load(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("Model.load: file is null");
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such model file");
        if (Files.isDirectory(file)) throw new ModelFileException(file, "is a directory, not a model file", null);
        Map<String, String> meta;
        try {
            meta = SafeTensors.readHeader(file).metadata();
        } catch (SafeTensorsException e) {
            throw new ModelFileException(file, "not a jgrad model (not a readable safetensors file: " + reason(file, e) + ")", e);
        }
        String format = meta.get(FORMAT_KEY);
        if (format == null) {
            boolean checkpoint = Checkpoint.FORMAT.equals(meta.get(Checkpoint.FORMAT_KEY));
            throw new ModelFileException(file, "not a jgrad model (" + (checkpoint
                    ? "a training checkpoint: predict with the run's " + FILE_NAME + ")"
                    : "a safetensors file without the '" + FORMAT_KEY + "' metadata entry)"), null);
        }
        if (!format.equals(FORMAT)) {
            throw new ModelFileException(file, "model format '" + format + "' is not " + FORMAT + " (written by another jgrad version?)", null);
        }
        Architecture arch;
        Task task;
        DType dt;
        List<String> classes = List.of();
        Standardizer scaler, targetScaler;
        try {
            task = parseTask(meta.get(KEY + "task"));
            arch = Architecture.fromMap(parseJson(meta, "architecture", Map.class));
            dt = DType.parse(required(meta, "dtype"));
            if (task == Task.CLASSIFICATION) classes = stringList(parseJson(meta, "classes", List.class));
            scaler = meta.containsKey(KEY + "scaler") ? scaler(parseJson(meta, "scaler", Map.class)) : null;
            targetScaler = meta.containsKey(KEY + "target_scaler") ? scaler(parseJson(meta, "target_scaler", Map.class)) : null;
            check(arch, task, classes, scaler, targetScaler);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "damaged model description: " + e.getMessage(), e);
        }
        Module net = arch.build(dt, 0);
        try {
            Checkpoint.load(file, net, null, verified -> {
                if (!verified.equals(meta)) throw new IllegalArgumentException("the file changed while it was read");
            });
        } catch (SafeTensorsException | IllegalArgumentException e) {
            throw new ModelFileException(file, "damaged: " + reason(file, e), e);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(OPTION_PREFIX)) opts.put(k.substring(OPTION_PREFIX.length()), v);
        });
        net.eval();
        return new Model(arch, net, dt, task, classes, scaler, targetScaler, Map.copyOf(opts), file.toString());
    }

    /** The message of {@code e} without the leading file name that {@link ModelFileException} adds again. */
    private static String reason(Path file, Exception e) {
        String m = String.valueOf(e.getMessage());
        for (String prefix : new String[]{file + ": ", "checkpoint " + file + ": "}) if (m.startsWith(prefix)) m = m.substring(prefix.length());
        return m;
    }

    private static Task parseTask(String s) {
        if ("classification".equals(s)) return Task.CLASSIFICATION;
        if ("regression".equals(s)) return Task.REGRESSION;
        throw new IllegalArgumentException("task '" + s + "' is not classification or regression");
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(KEY + key);
        if (v == null) throw new IllegalArgumentException("no '" + KEY + key + "' entry");
        return v;
    }

    private static <T> T parseJson(Map<String, String> meta, String key, Class<T> type) {
        try {
            return JSON.readValue(required(meta, key), type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("'" + KEY + key + "' is not a JSON " + type.getSimpleName().toLowerCase(Locale.ROOT) + ": "
                    + e.getOriginalMessage());
        }
    }

    private static List<String> stringList(List<?> list) {
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("class name " + o + " is not a string");
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> scalerMap(Standardizer s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", s.mean());
        m.put("std", s.std());
        return m;
    }

    private static Standardizer scaler(Map<?, ?> m) {
        return Standardizer.of(doubles(m.get("mean"), "mean"), doubles(m.get("std"), "std"));
    }

    private static double[] doubles(Object o, String what) {
        if (!(o instanceof List<?> list)) throw new IllegalArgumentException("scaler " + what + " is not a list of numbers: " + o);
        double[] d = new double[list.size()];
        for (int i = 0; i < d.length; i++) {
            if (!(list.get(i) instanceof Number n)) throw new IllegalArgumentException("scaler " + what + "[" + i + "] is not a number: " + list.get(i));
            d[i] = n.doubleValue();
        }
        return d;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Model: cannot write JSON: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ predicting

    /**
     * Predicts raw rows.
     *
     * @param rows rows of {@link #inputFeatures()} finite values each, in the units of the training data (the stored
     *             scaler is applied); may be empty
     * @return a prediction per row
     * @throws IllegalArgumentException for a row of another width (naming the row and both counts) or a non-finite value
     */
    public Predictions predict(double[][] rows) {
        return predictions(outputs(rows));
    }

    /**
     * Predicts every row of a data set (its labels or targets, if any, are ignored).
     *
     * @param data rows with {@link #inputFeatures()} features, in the units of the training data
     * @return a prediction per row
     * @throws IllegalArgumentException if the data has another number of features (naming both counts)
     */
    public Predictions predict(Tabular data) {
        return predictions(outputs(data));
    }

    /**
     * The class probabilities of raw rows ({@link Predictions#probabilities(int)} of every row).
     *
     * @param rows as for {@link #predict(double[][])}
     * @return per row, the probability of each class, index = class
     * @throws IllegalStateException    for a regression model
     * @throws IllegalArgumentException as {@link #predict(double[][])}
     */
    public double[][] predictProba(double[][] rows) {
        if (task != Task.CLASSIFICATION) throw new IllegalStateException("Model.predictProba: a regression model has no class probabilities");
        double[][] out = outputs(rows);
        for (int i = 0; i < out.length; i++) out[i] = probabilities(out[i]);
        return out;
    }

    /**
     * The network's raw outputs for raw rows: logits of a classifier, standardised values of a regressor whose targets
     * were standardised (exactly what the in-memory network gives for the scaled rows).
     *
     * @param rows as for {@link #predict(double[][])}
     * @return per row, {@link Architecture#outputs()} values
     * @throws IllegalArgumentException as {@link #predict(double[][])}
     */
    public double[][] outputs(double[][] rows) {
        if (rows == null) throw new IllegalArgumentException("Model.predict: rows is null");
        if (rows.length == 0) return new double[0][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) throw new IllegalArgumentException("Model.predict: row " + i + " is null");
            if (rows[i].length != inputFeatures()) {
                throw new IllegalArgumentException("Model.predict: row " + i + " has " + rows[i].length + " values but the model expects "
                        + inputFeatures() + " features");
            }
        }
        return outputs(Tabular.of(rows, new int[rows.length], 1));
    }

    /**
     * {@link #outputs(double[][])} for every row of a data set.
     *
     * @param data rows with {@link #inputFeatures()} features
     * @return per row, {@link Architecture#outputs()} values
     * @throws IllegalArgumentException if the data has another number of features
     */
    public double[][] outputs(Tabular data) {
        if (data == null) throw new IllegalArgumentException("Model.predict: data is null");
        if (data.numFeatures() != inputFeatures()) {
            throw new IllegalArgumentException("Model.predict: the data has " + data.numFeatures() + " features per row but the model ("
                    + source + ") expects " + inputFeatures());
        }
        int n = data.size(), k = architecture.outputs();
        double[][] out = new double[n][k];
        if (n == 0) return out;
        Tabular x = scaler != null ? scaler.transform(data) : data;
        network.eval();
        int row = 0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (DataLoader.Batch b : new DataLoader(x, BATCH, false, false, 0, dtype).epochInPlace(0)) {
                Tensor o = network.forward(b.features());
                for (int i = 0; i < b.size(); i++, row++) for (int j = 0; j < k; j++) out[row][j] = o.get(i * k + j);
            }
        }
        return out;
    }

    private Predictions predictions(double[][] out) {
        if (task == Task.REGRESSION) {
            if (targetScaler != null) for (int i = 0; i < out.length; i++) out[i] = targetScaler.inverseTransformRow(out[i]);
            return Predictions.regression(out);
        }
        int[] cls = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = probabilities(out[i]);
            for (int c = 1; c < out[i].length; c++) if (out[i][c] > out[i][cls[i]]) cls[i] = c;
        }
        return Predictions.classification(classNames, cls, out);
    }

    /** Softmax of the logits (stable), or {@code [1 - sigmoid(z), sigmoid(z)]} for one logit. */
    private static double[] probabilities(double[] logits) {
        if (logits.length == 1) {
            double z = logits[0];
            double p1 = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
            double p0 = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
            return new double[]{p0, p1};
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double z : logits) max = Math.max(max, z);
        double[] p = new double[logits.length];
        for (int c = 0; c < p.length; c++) sum += p[c] = Math.exp(logits[c] - max);
        for (int c = 0; c < p.length; c++) p[c] /= sum;
        return p;
    }

    // ------------------------------------------------------------------ what it is

    /**
     * What the model predicts.
     *
     * @return classification or regression
     */
    public Task task() {
        return task;
    }

    /**
     * The class names, index = class (empty for a regressor).
     *
     * @return an unmodifiable list
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The number of features a row must have.
     *
     * @return the network's input width
     */
    public int inputFeatures() {
        return architecture.inputs();
    }

    /**
     * The network's description.
     *
     * @return the architecture
     */
    public Architecture architecture() {
        return architecture;
    }

    /**
     * The parameter dtype (rows are converted to it).
     *
     * @return float32 or float64
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The scaler applied to raw rows before the network.
     *
     * @return the scaler, or empty if rows go to the network unchanged
     */
    public Optional<Standardizer> scaler() {
        return Optional.ofNullable(scaler);
    }

    /**
     * A regressor's target scaler (its outputs are mapped back with it).
     *
     * @return the scaler, or empty
     */
    public Optional<Standardizer> targetScaler() {
        return Optional.ofNullable(targetScaler);
    }

    /**
     * The options of the training run (option name to value, e.g. {@code epochs -> 30}), as stored with the model.
     *
     * @return an unmodifiable map, empty if none were stored
     */
    public Map<String, String> trainingOptions() {
        return options;
    }

    /**
     * The network itself (e.g. to fine-tune it or inspect its weights); changing it changes the model's predictions.
     *
     * @return the network
     */
    public Module network() {
        return network;
    }

    /** @return e.g. {@code Model[classification, MLP 64-128-64-10 relu, float32, 10 classes, scaled]} */
    @Override
    public String toString() {
        return "Model[" + task + ", " + architecture.describe() + ", " + dtype + ", "
                + (task == Task.CLASSIFICATION ? classNames.size() + " classes" : architecture.outputs() + (architecture.outputs() == 1 ? " target" : " targets"))
                + (scaler != null ? ", scaled" : "") + "]";
    }
}
