package dev.jgrad.lab;

import dev.jgrad.lab.StabilityReport.Named;
import dev.jgrad.lab.precision.Arith;
import dev.jgrad.lab.precision.CrossEntropyStrategy;
import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.LabelSmoothing;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Strategies;
import dev.jgrad.lab.precision.Summation;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stability lab: softmax cross-entropy strategies, the built-in ones and your own, in emulated float16,
 * bfloat16, float32 and float64 with a choice of accumulation format and summation, over logit scales and class
 * counts, scored against a reference in units of the storage format's epsilon and by PyTorch's
 * {@code assert_close} defaults.
 *
 * <pre>{@code
 * LabReport report = StabilityLab.builder()
 *         .builtInStrategies()
 *         .strategy("CLAMPED_LOG", (a, x, t) -> { ... })            // your own, see CrossEntropyStrategy
 *         .precisions(Precision.of(Format.BFLOAT16, Format.BFLOAT16), Precision.AUTOCAST_CPU)
 *         .summations(Summation.PLAIN, Summation.PAIRWISE)
 *         .classes(10, 32_000).scales(1, 10, 100)
 *         .run();
 * report.writeAll(Path.of("lab-report"));                            // Markdown, CSV, PNG
 * }</pre>
 *
 * <h2>Method</h2>
 * For each class count {@code K}, scale and trial a seeded generator draws {@code rows × K} standard normal values
 * {@code z} and uniform targets; the logits of a precision are {@code z·scale} rounded to its input format (the
 * same {@code z} for every scale and precision). Each row's loss and gradient come from the strategy in the
 * precision's {@link Arith}; the batch mean is summed in the accumulation format with the chosen summation,
 * divided by {@code N} and stored, and so is every gradient element {@code g/N}. The reference ({@link
 * EmulatedReference}) is evaluated on exactly the rounded logits, so the errors measure the arithmetic, not the
 * rounding of the inputs. Configurations run in parallel; nothing is timed.
 *
 * <p>The float32/float64 report of jgrad's own ops ({@link StabilityReport}, with timing) can run alongside
 * ({@link Builder#jgradReport}), including {@link JgradLoss} strategies registered with
 * {@link Builder#jgradStrategy}.
 */
public final class StabilityLab {
    /** Default logit scales. */
    static final double[] DEFAULT_SCALES = {1, 10, 100, 1e3, 1e4};
    /** Default class counts, up to LLM vocabularies. */
    static final int[] DEFAULT_CLASSES = {10, 1_000, 32_000, 128_000};

    private StabilityLab() {
    }

    /**
     * A new builder with the defaults: no strategy registered yet (the built-in ones are used if none is),
     * precisions {@link #defaultPrecisions()}, every {@link Summation}, scales 1, 10, 100, 1e3, 1e4, classes
     * 10, 1000, 32000, 128000, default rows, 3 trials, seed 42.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * float16, bfloat16, float32 and float64 storage, each with every accumulation at least as wide (the format
     * itself, float32, float64), then {@link Precision#AUTOCAST_CPU}: ten combinations.
     *
     * @return the precisions
     */
    public static List<Precision> defaultPrecisions() {
        List<Precision> out = new ArrayList<>(Precision.grid(List.of(Format.values()), List.of("half", "float32", "float64")));
        out.add(Precision.AUTOCAST_CPU);
        return out;
    }

    /**
     * The built-in strategies by name: NAIVE, TWO_PASS, THREE_PASS, ONLINE, and TWO_PASS with label smoothing 0.1
     * in both conventions (LS_EPS/K, LS_EPS/(K-1)).
     *
     * @return name → strategy with its target convention
     */
    public static Map<String, Registered> builtInStrategies() {
        Map<String, Registered> m = new LinkedHashMap<>();
        for (Registered r : List.of(
                new Registered("NAIVE", Strategies.NAIVE, LabelSmoothing.NONE),
                new Registered("TWO_PASS", Strategies.TWO_PASS, LabelSmoothing.NONE),
                new Registered("THREE_PASS", Strategies.THREE_PASS, LabelSmoothing.NONE),
                new Registered("ONLINE", Strategies.ONLINE, LabelSmoothing.NONE),
                new Registered("LS_EPS/K", Strategies.smoothed(LabelSmoothing.overK(0.1)), LabelSmoothing.overK(0.1)),
                new Registered("LS_EPS/(K-1)", Strategies.smoothed(LabelSmoothing.overKMinus1(0.1)), LabelSmoothing.overKMinus1(0.1)))) {
            m.put(r.name(), r);
        }
        return m;
    }

    /**
     * A registered strategy.
     *
     * @param name      display name
     * @param strategy  the strategy
     * @param smoothing the target distribution its reference uses ({@link LabelSmoothing#NONE}: one-hot)
     */
    public record Registered(String name, CrossEntropyStrategy strategy, LabelSmoothing smoothing) {
        /**
         * Validates.
         *
         * @param name      name
         * @param strategy  strategy
         * @param smoothing target
         */
        public Registered {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(smoothing, "smoothing");
            if (name.isBlank() || name.contains(",")) throw new IllegalArgumentException("strategy name must be non-blank without commas, got '" + name + "'");
        }
    }

    /**
     * What to run: a copy of the builder's choices.
     *
     * @param strategies  the strategies, in report order
     * @param precisions  the precisions
     * @param summations  the summations
     * @param scales      logit scales, ascending
     * @param classes     class counts
     * @param rows        rows per batch, or 0 for the default ({@code max(1, min(64, 64000/K))})
     * @param trials      batches per configuration
     * @param seed        seed of the inputs
     */
    public record Settings(List<Registered> strategies, List<Precision> precisions, List<Summation> summations,
                           double[] scales, int[] classes, int rows, int trials, long seed) {
        /**
         * Copies the arrays and lists.
         *
         * @param strategies strategies
         * @param precisions precisions
         * @param summations summations
         * @param scales     scales
         * @param classes    classes
         * @param rows       rows or 0
         * @param trials     trials
         * @param seed       seed
         */
        public Settings {
            strategies = List.copyOf(strategies);
            precisions = List.copyOf(precisions);
            summations = List.copyOf(summations);
            scales = scales.clone();
            classes = classes.clone();
        }

        /**
         * Rows per batch for {@code k} classes.
         *
         * @param k the class count
         * @return the rows
         */
        public int rowsFor(int k) {
            return rows > 0 ? rows : Math.max(1, Math.min(64, 64_000 / k));
        }

        @Override
        public double[] scales() {
            return scales.clone();
        }

        @Override
        public int[] classes() {
            return classes.clone();
        }
    }

    /** Chooses the strategies, precisions, summations, scales and class counts of a lab run. */
    public static final class Builder {
        private final Map<String, Registered> strategies = new LinkedHashMap<>();
        private List<Precision> precisions = defaultPrecisions();
        private List<Summation> summations = List.of(Summation.values());
        private double[] scales = DEFAULT_SCALES.clone();
        private int[] classes = DEFAULT_CLASSES.clone();
        private int rows;
        private int trials = 3;
        private long seed = 42;
        private PrintStream progress;
        private StabilityReport.Settings jgradSettings;
        private final Map<String, JgradLoss> jgradStrategies = new LinkedHashMap<>();
        private TrainingLab.Settings training;
        private List<Precision> trainingPrecisions = List.of();

        private Builder() {
        }

        /**
         * Also trains the digits MLP with every registered strategy (that gives a gradient) in each of the given
         * precisions ({@link TrainingLab}), with the first chosen summation.
         *
         * @param settings   the training settings, or null not to train
         * @param precisions the precisions to train in (at least one)
         * @return this
         */
        public Builder training(TrainingLab.Settings settings, Precision... precisions) {
            if (settings != null && precisions.length == 0) throw new IllegalArgumentException("training: at least one precision is needed");
            training = settings;
            trainingPrecisions = List.of(precisions);
            return this;
        }

        /**
         * Registers a strategy scored against plain (one-hot) cross-entropy.
         *
         * @param name     display name (unique, no commas)
         * @param strategy the strategy
         * @return this
         * @throws IllegalArgumentException for a duplicate or invalid name
         */
        public Builder strategy(String name, CrossEntropyStrategy strategy) {
            return strategy(name, strategy, LabelSmoothing.NONE);
        }

        /**
         * Registers a strategy whose reference is the label-smoothed cross-entropy.
         *
         * @param name      display name (unique, no commas)
         * @param strategy  the strategy
         * @param smoothing the convention its reference uses
         * @return this
         * @throws IllegalArgumentException for a duplicate or invalid name
         */
        public Builder strategy(String name, CrossEntropyStrategy strategy, LabelSmoothing smoothing) {
            Registered r = new Registered(name, strategy, smoothing);
            if (strategies.putIfAbsent(name, r) != null) throw new IllegalArgumentException("strategy '" + name + "' is registered twice");
            return this;
        }

        /**
         * Registers every built-in strategy ({@link StabilityLab#builtInStrategies()}).
         *
         * @return this
         */
        public Builder builtInStrategies() {
            for (Registered r : StabilityLab.builtInStrategies().values()) strategy(r.name(), r.strategy(), r.smoothing());
            return this;
        }

        /**
         * Registers the built-in strategies with the given names.
         *
         * @param names built-in names, e.g. {@code TWO_PASS}
         * @return this
         * @throws IllegalArgumentException for an unknown name
         */
        public Builder builtInStrategies(String... names) {
            Map<String, Registered> all = StabilityLab.builtInStrategies();
            for (String n : names) {
                Registered r = all.get(n);
                if (r == null) throw new IllegalArgumentException("unknown strategy '" + n + "' (built in: " + String.join(", ", all.keySet()) + ")");
                strategy(r.name(), r.strategy(), r.smoothing());
            }
            return this;
        }

        /**
         * The precisions (replacing the defaults).
         *
         * @param ps at least one
         * @return this
         */
        public Builder precisions(Precision... ps) {
            return precisions(List.of(ps));
        }

        /**
         * The precisions (replacing the defaults).
         *
         * @param ps at least one, distinct names
         * @return this
         * @throws IllegalArgumentException for an empty list or duplicate names
         */
        public Builder precisions(List<Precision> ps) {
            if (ps.isEmpty()) throw new IllegalArgumentException("precisions: at least one is needed");
            if (ps.stream().map(Precision::name).distinct().count() != ps.size()) throw new IllegalArgumentException("precisions: duplicate name in " + ps);
            precisions = List.copyOf(ps);
            return this;
        }

        /**
         * The summations (replacing the default, all three).
         *
         * @param ss at least one
         * @return this
         */
        public Builder summations(Summation... ss) {
            if (ss.length == 0) throw new IllegalArgumentException("summations: at least one is needed");
            summations = List.copyOf(new java.util.LinkedHashSet<>(List.of(ss)));
            return this;
        }

        /**
         * The logit scales.
         *
         * @param s positive finite scales (sorted ascending, duplicates removed)
         * @return this
         * @throws IllegalArgumentException for none or a non-positive scale
         */
        public Builder scales(double... s) {
            if (s.length == 0) throw new IllegalArgumentException("scales: at least one is needed");
            for (double v : s) if (!(v > 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("scales must be positive and finite, got " + v);
            scales = Arrays.stream(s).sorted().distinct().toArray();
            return this;
        }

        /**
         * The class counts.
         *
         * @param c counts in {@code [2, 1000000]}, distinct
         * @return this
         * @throws IllegalArgumentException for none, a duplicate or an out-of-range count
         */
        public Builder classes(int... c) {
            if (c.length == 0) throw new IllegalArgumentException("classes: at least one class count is needed");
            for (int v : c) if (v < 2 || v > 1_000_000) throw new IllegalArgumentException("classes: class counts must be in [2, 1000000], got " + v);
            if (Arrays.stream(c).distinct().count() != c.length) throw new IllegalArgumentException("classes: duplicate class count in " + Arrays.toString(c));
            classes = c.clone();
            return this;
        }

        /**
         * Rows per batch (0: the default {@code max(1, min(64, 64000/K))}).
         *
         * @param r rows, {@code 0 <= r <= 100000}
         * @return this
         */
        public Builder rows(int r) {
            if (r < 0 || r > 100_000) throw new IllegalArgumentException("rows must be in [0, 100000], got " + r);
            rows = r;
            return this;
        }

        /**
         * Batches per configuration.
         *
         * @param t trials, {@code 1 <= t <= 1000}
         * @return this
         */
        public Builder trials(int t) {
            if (t < 1 || t > 1000) throw new IllegalArgumentException("trials must be in [1, 1000], got " + t);
            trials = t;
            return this;
        }

        /**
         * Seed of the inputs.
         *
         * @param s the seed
         * @return this
         */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * Where to print progress lines (e.g. {@code System.err}).
         *
         * @param out the stream, or null for none
         * @return this
         */
        public Builder progress(PrintStream out) {
            progress = out;
            return this;
        }

        /**
         * Also runs the float32/float64 report of jgrad's own ops ({@link StabilityReport}) with these settings.
         *
         * @param settings its settings, or null not to run it
         * @return this
         */
        public Builder jgradReport(StabilityReport.Settings settings) {
            jgradSettings = settings;
            return this;
        }

        /**
         * Registers a strategy built from jgrad ops for the float32/float64 report (only used together with
         * {@link #jgradReport}); the hook through which a fused linear + cross-entropy joins the lab.
         *
         * @param name display name (distinct from the built-in ones: NAIVE, EPS_CLAMP(1e-7), EPS_CLAMP(1e-12),
         *             MAX_SHIFT, FUSED)
         * @param loss the loss
         * @return this
         * @throws IllegalArgumentException for a duplicate name
         */
        public Builder jgradStrategy(String name, JgradLoss loss) {
            Objects.requireNonNull(loss, "loss");
            if (name == null || name.isBlank() || name.contains(",")) throw new IllegalArgumentException("jgrad strategy name must be non-blank without commas, got '" + name + "'");
            if (StabilityReport.softmaxStrategyNames().contains(name) || jgradStrategies.putIfAbsent(name, loss) != null) {
                throw new IllegalArgumentException("jgrad strategy '" + name + "' is registered twice");
            }
            return this;
        }

        /**
         * The settings as chosen so far (the built-in strategies if none was registered).
         *
         * @return the settings
         */
        public Settings settings() {
            List<Registered> st = strategies.isEmpty() ? List.copyOf(StabilityLab.builtInStrategies().values()) : List.copyOf(strategies.values());
            return new Settings(st, precisions, summations, scales, classes, rows, trials, seed);
        }

        /**
         * Registers {@code candidate} after the built-in strategies (if no strategy was registered yet) and runs.
         *
         * @param name      the candidate's name
         * @param candidate the candidate
         * @return the report
         */
        public LabReport compare(String name, CrossEntropyStrategy candidate) {
            if (strategies.isEmpty()) builtInStrategies();
            strategy(name, candidate);
            return run();
        }

        /**
         * Runs every configuration (and the jgrad-ops report if chosen).
         *
         * @return the report
         */
        public LabReport run() {
            Settings s = settings();
            StabilityReport ops = jgradSettings == null ? null : runJgradReport();
            LabReport lab = StabilityLab.run(s, ops, progress);
            if (training == null) return lab;
            if (progress != null) progress.printf("jgrad stability lab: training %d strategies x %d precisions...%n", s.strategies().size(), trainingPrecisions.size());
            List<TrainingLab.Run> runs = TrainingLab.run(s.strategies(), trainingPrecisions, s.summations().get(0), training);
            return lab.withTraining(training, runs);
        }

        /**
         * Runs only the float32/float64 report of jgrad's ops, with the registered {@link JgradLoss} strategies.
         *
         * @return the report
         * @throws IllegalStateException if {@link #jgradReport} was not given settings
         */
        public StabilityReport runJgradReport() {
            if (jgradSettings == null) throw new IllegalStateException("runJgradReport: no jgradReport(settings) given");
            List<Named<JgradLoss>> extra = new ArrayList<>();
            jgradStrategies.forEach((n, l) -> extra.add(new Named<>(n, l)));
            return StabilityReport.run(jgradSettings, extra, progress);
        }
    }

    // ------------------------------------------------------------------ running

    /** One batch's logits in one input format and its reference. */
    private record Batch(double[] x, int[] targets, int rows, EmulatedReference.Values ref) {
    }

    private record Key(int classes, double scale, int trial, Format input, LabelSmoothing smoothing) {
    }

    static LabReport run(Settings s, StabilityReport ops, PrintStream progress) {
        long t0 = System.nanoTime();
        Map<Key, Batch> batches = new ConcurrentHashMap<>();
        List<Runnable> refs = new ArrayList<>();
        List<Format> inputs = s.precisions().stream().map(Precision::input).distinct().toList();
        List<LabelSmoothing> smoothings = s.strategies().stream().map(Registered::smoothing).distinct().toList();
        for (int k : s.classes) {
            for (double scale : s.scales) {
                for (int trial = 0; trial < s.trials(); trial++) {
                    for (Format in : inputs) {
                        for (LabelSmoothing ls : smoothings) {
                            Key key = new Key(k, scale, trial, in, ls);
                            refs.add(() -> batches.put(key, batch(s, key)));
                        }
                    }
                }
            }
        }
        if (progress != null) progress.printf("jgrad stability lab: %d reference batches...%n", refs.size());
        StabilityReport.runParallel(refs);
        List<Config> configs = new ArrayList<>();
        for (Registered st : s.strategies()) {
            for (Precision p : s.precisions()) {
                for (Summation sum : s.summations()) {
                    for (int k : s.classes) {
                        for (double scale : s.scales) configs.add(new Config(st, p, sum, k, scale));
                    }
                }
            }
        }
        if (progress != null) progress.printf("jgrad stability lab: evaluating %d configurations...%n", configs.size());
        LabEntry[] out = new LabEntry[configs.size()];
        List<Runnable> jobs = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            int idx = i;
            Config c = configs.get(i);
            jobs.add(() -> {
                Batch[] bs = new Batch[s.trials()];
                for (int t = 0; t < bs.length; t++) bs[t] = batches.get(new Key(c.classes, c.scale, t, c.precision.input(), c.strategy.smoothing()));
                out[idx] = evaluate(c, bs);
            });
        }
        StabilityReport.runParallel(jobs);
        return new LabReport(s, List.of(out), ops, (System.nanoTime() - t0) / 1e9);
    }

    private record Config(Registered strategy, Precision precision, Summation summation, int classes, double scale) {
    }

    private static Batch batch(Settings s, Key key) {
        int k = key.classes(), n = s.rowsFor(k);
        SplittableRandom rng = new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L + 1_000_003L * k + 7919L * n + key.trial());
        double[] x = new double[n * k];
        for (int i = 0; i < x.length; i++) x[i] = key.input().round(rng.nextGaussian() * key.scale());
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(k);
        return new Batch(x, t, n, EmulatedReference.batch(x, t, k, key.smoothing(), key.input() == Format.FLOAT64));
    }

    private static LabEntry evaluate(Config c, Batch[] bs) {
        Arith a = new Arith(c.precision, c.summation);
        Format storage = c.precision.storage();
        double eps = storage.eps();
        int k = c.classes;
        double[] lossErr = new double[bs.length];
        double gradAbs = 0, maxLogit = Double.NEGATIVE_INFINITY;
        long nonFinite = 0, values = 0;
        int lossOk = 0, gradOk = 0;
        boolean hasGrad = true;
        double firstLoss = Double.NaN;
        for (int b = 0; b < bs.length; b++) {
            Batch batch = bs[b];
            int n = batch.rows();
            double[] rowLoss = new double[n];
            double[] grad = new double[n * k];
            for (int i = 0; i < n; i++) {
                double[] row = Arrays.copyOfRange(batch.x(), i * k, (i + 1) * k);
                for (double v : row) maxLogit = Math.max(maxLogit, v);
                CrossEntropyStrategy.RowLoss r = c.strategy.strategy().row(a, row, batch.targets()[i]);
                rowLoss[i] = r.loss();
                if (r.grad() == null) hasGrad = false;
                else System.arraycopy(r.grad(), 0, grad, i * k, k);
            }
            double loss = a.store(a.sumAcc(rowLoss) / n);
            if (b == 0) firstLoss = loss;
            EmulatedReference.Values ref = batch.ref();
            values++;
            if (!Double.isFinite(loss)) nonFinite++;
            lossErr[b] = StabilityReport.error(loss, ref.lossHi(), ref.lossLo(), Double.MIN_NORMAL, 1) / eps;
            if (storage.accepts(loss, ref.lossHi())) lossOk++;
            if (hasGrad) {
                boolean ok = true;
                for (int j = 0; j < grad.length; j++) {
                    double g = a.store(grad[j] / n), exact = ref.grad()[j];
                    values++;
                    if (!Double.isFinite(g)) nonFinite++;
                    gradAbs = Math.max(gradAbs, StabilityReport.error(g, exact, 0, Double.POSITIVE_INFINITY, 1.0 / n) / eps);
                    ok &= storage.accepts(g, exact);
                }
                if (ok) gradOk++;
            }
        }
        return new LabEntry(c.strategy.name(), c.precision, c.summation, k, c.scale, bs[0].rows(), bs.length, maxLogit,
                StabilityReport.max(lossErr), StabilityReport.median(lossErr), hasGrad ? gradAbs : Double.NaN,
                (double) nonFinite / values, (double) lossOk / bs.length, hasGrad ? (double) gradOk / bs.length : Double.NaN,
                firstLoss, bs[0].ref().lossHi());
    }
}
