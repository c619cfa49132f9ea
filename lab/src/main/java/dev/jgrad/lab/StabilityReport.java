package dev.jgrad.lab;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.BinaryStrategy;
import dev.jgrad.losses.CrossEntropyLoss;
import dev.jgrad.losses.SoftmaxCrossEntropy;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The numerical-stability report: every softmax cross-entropy {@link SoftmaxCrossEntropy strategy} and every
 * {@link BinaryStrategy binary strategy}, in float32 and float64, over a range of logit scales, compared with
 * the {@link HighPrecisionReference high-precision reference}.
 *
 * <h2>Inputs</h2>
 * For each class count {@code C} and trial, a {@link SplittableRandom} seeded from the report seed draws
 * {@code rows × C} standard normal values {@code z} and uniform random targets (class indices, or 0/1 for the
 * binary losses). The logits at scale {@code s} are {@code z·s} rounded to the dtype; the same {@code z} is used
 * at every scale and in both dtypes, so the rows of a table differ only in the scale. The reference is
 * evaluated on exactly the rounded logits (every float widens exactly to a double), so the errors measure
 * jgrad's arithmetic, not the rounding of the inputs.
 *
 * <h2>Errors</h2>
 * jgrad computes the mean loss (batch mean over rows, or over the logits for the binary losses) and its
 * gradient with respect to the logits by {@code loss.backward()}. Each value is compared with the exact one:
 * <ul>
 *   <li>the <b>loss</b>: relative error {@code |loss - exact| / |exact|} of the mean loss of each batch; the
 *       report gives the largest and the median over the {@code trials} batches;</li>
 *   <li>a <b>gradient element</b> whose exact value {@code g} is a normal number of the dtype
 *       ({@code |g| >=} {@link Float#MIN_NORMAL} resp. {@link Double#MIN_NORMAL}): relative error
 *       {@code |ĝ - g| / |g|};</li>
 *   <li>a gradient element whose exact value is 0 or below the smallest normal: an <em>absolute</em> error
 *       relative to {@code 1/N}, {@code |ĝ - g| · N} ({@code N} = rows, the number of terms of the mean).
 *       {@code 1/N} is the size of the largest gradient entries ({@code (softmax - onehot)/N}); a relative error
 *       would be meaningless there, since such values cannot be represented to full relative precision (a
 *       subnormal flushed to 0 has relative error 1 but is harmless). The report gives the largest and the
 *       median over all gradient elements of all batches.</li>
 *   <li>in addition, the largest <b>absolute gradient error</b> relative to {@code 1/N},
 *       {@code max |ĝ - g| · N} over all elements: the normwise view of what an optimizer step sees.</li>
 * </ul>
 * Both are divided by the dtype's machine epsilon ({@link DType#eps()}): 0.5 is a correctly rounded result.
 * A NaN or infinite value has error {@code +∞}; the fraction of non-finite values among all losses and gradient
 * elements of all batches is reported separately. The reference values are kept as a double-double
 * ({@code hi + lo}), so the error is computed without losing precision near 1 eps.
 *
 * <h2>Timing</h2>
 * Timing starts after the accuracy pass over all configurations (which exercises every code path) and a short
 * global warm-up. Every configuration is then warmed up again and timed over 9 repetitions of forward + backward
 * on its first batch (a fresh graph each time; the input tensor is created beforehand); this is repeated in 3
 * rounds over all configurations, and the report gives the smallest of the round medians divided by the number
 * of rows (quick mode: one round of 3 repetitions). Reference values are computed in parallel before any
 * timing, so the timings are taken on an otherwise idle process.
 */
public final class StabilityReport {

    /** The two families of losses in the report. */
    public enum Family {
        /** Softmax cross-entropy over {@code C} classes with class-index targets. */
        SOFTMAX_CE("softmax-ce"),
        /** Binary losses from one logit per sample with 0/1 targets. */
        BINARY("binary");

        private final String label;

        Family(String label) {
            this.label = label;
        }

        /**
         * The label used in the CSV file.
         *
         * @return {@code softmax-ce} or {@code binary}
         */
        public String label() {
            return label;
        }
    }

    /** Strategies of the softmax cross-entropy table, in report order. */
    static final List<Named<SoftmaxCrossEntropy>> CE_STRATEGIES = List.of(
            new Named<>("NAIVE", SoftmaxCrossEntropy.NAIVE),
            new Named<>("EPS_CLAMP(1e-7)", SoftmaxCrossEntropy.epsClamp(1e-7)),
            new Named<>("EPS_CLAMP(1e-12)", SoftmaxCrossEntropy.epsClamp(1e-12)),
            new Named<>("MAX_SHIFT", SoftmaxCrossEntropy.MAX_SHIFT),
            new Named<>("FUSED", SoftmaxCrossEntropy.FUSED));

    /** Strategies of the binary table, in report order. */
    static final List<Named<BinaryStrategy>> BINARY_STRATEGIES = List.of(
            new Named<>("NAIVE", BinaryStrategy.NAIVE),
            new Named<>("EPS_CLIP(1e-7)", BinaryStrategy.epsClip(1e-7)),
            new Named<>("TORCH_CLAMP", BinaryStrategy.TORCH_CLAMP),
            new Named<>("LOGISTIC_NAIVE", BinaryStrategy.LOGISTIC_NAIVE),
            new Named<>("LOGISTIC_SOFTPLUS", BinaryStrategy.LOGISTIC_SOFTPLUS),
            new Named<>("FUSED", BinaryStrategy.FUSED));

    /** Precision of the reference values (digits); far more than the 17 a double error estimate needs. */
    private static final MathContext REFERENCE_CONTEXT = new MathContext(HighPrecisionReference.MIN_DIGITS, RoundingMode.HALF_EVEN);

    private static final double[] SCALES_F32 = {1, 10, 30, 80, 90, 100, 1e3, 1e4};
    private static final double[] SCALES_F64 = {1, 10, 30, 80, 90, 100, 700, 750, 1e3, 1e4, 1e5, 1e300};
    private static final double[] QUICK_SCALES_F32 = {1, 10, 30, 80, 1e4};
    private static final double[] QUICK_SCALES_F64 = {1, 30, 100, 700, 1e4, 1e300};

    /** A strategy with its display name. */
    record Named<S>(String label, S strategy) {
    }

    /**
     * What to run.
     *
     * @param seed    seed of all random inputs
     * @param classes class counts of the softmax cross-entropy table (each {@code >= 2})
     * @param rows    rows per batch for every table, or 0 for the defaults (softmax: 64 rows for {@code C <= 250},
     *                else {@code max(4, 16000/C)}, i.e. 16 for {@code C = 1000}, a quarter of that in quick mode;
     *                binary: 256 logits)
     * @param trials  independent batches per configuration, or 0 for the default (3)
     * @param quick   fewer scales, fewer rows for {@code C > 250} and fewer timing repetitions (for tests). Batches
     *                with {@code C <= 250} and the binary batches are the same as in a full run (same seeds and
     *                sizes), so their rows of the report are identical apart from the timing.
     */
    public record Settings(long seed, int[] classes, int rows, int trials, boolean quick) {
        /**
         * Validates the settings.
         *
         * @param seed    seed
         * @param classes class counts
         * @param rows    rows per batch or 0
         * @param trials  trials or 0
         * @param quick   quick mode
         * @throws IllegalArgumentException for an empty or invalid class list or negative counts
         */
        public Settings {
            Objects.requireNonNull(classes, "classes");
            if (classes.length == 0) throw new IllegalArgumentException("--classes: at least one class count is needed");
            classes = classes.clone();
            for (int c : classes) {
                if (c < 2 || c > 1_000_000) throw new IllegalArgumentException("--classes: class counts must be in [2, 1000000], got " + c);
            }
            if (Arrays.stream(classes).distinct().count() != classes.length) {
                throw new IllegalArgumentException("--classes: duplicate class count in " + Arrays.toString(classes));
            }
            if (rows < 0 || rows > 1_000_000) throw new IllegalArgumentException("--rows must be positive (at most 1000000), got " + rows);
            if (trials < 0 || trials > 1000) throw new IllegalArgumentException("--trials must be positive (at most 1000), got " + trials);
        }

        /**
         * The defaults of {@code jgrad stability}: seed 42, classes 10 and 1000, default rows and trials.
         *
         * @return the default settings
         */
        public static Settings defaults() {
            return new Settings(42, new int[]{10, 1000}, 0, 0, false);
        }

        /**
         * The class counts.
         *
         * @return a copy
         */
        @Override
        public int[] classes() {
            return classes.clone();
        }

        /**
         * Rows per softmax batch for {@code c} classes.
         *
         * @param c the class count
         * @return the rows
         */
        public int rowsFor(int c) {
            if (rows > 0) return rows;
            if (c <= 250) return 64;
            int r = Math.max(4, 16000 / c);
            return quick ? Math.max(4, r / 4) : r;
        }

        /**
         * Logits per binary batch.
         *
         * @return the batch size
         */
        public int binaryRows() {
            return rows > 0 ? rows : 256;
        }

        /**
         * Batches per configuration.
         *
         * @return the trials
         */
        public int trialCount() {
            return trials > 0 ? trials : 3;
        }
    }

    private final Settings settings;
    private final List<StabilityEntry> entries;
    private final double seconds;
    private final List<String> softmaxNames;

    private StabilityReport(Settings settings, List<StabilityEntry> entries, double seconds, List<String> softmaxNames) {
        this.settings = settings;
        this.entries = List.copyOf(entries);
        this.seconds = seconds;
        this.softmaxNames = List.copyOf(softmaxNames);
    }

    /**
     * Display names of the strategies of one family in this report, in report order: the built-in ones, then the
     * {@link JgradLoss} strategies registered through {@link StabilityLab.Builder#jgradStrategy}.
     *
     * @param family the family
     * @return the names
     */
    public List<String> strategyNames(Family family) {
        return family == Family.SOFTMAX_CE ? softmaxNames : binaryStrategyNames();
    }

    /**
     * The logit scales evaluated for a dtype.
     *
     * @param dtype the dtype
     * @param quick the quick (test) selection
     * @return ascending scales (a new array)
     */
    public static double[] scales(DType dtype, boolean quick) {
        if (quick) return (dtype == DType.FLOAT32 ? QUICK_SCALES_F32 : QUICK_SCALES_F64).clone();
        return (dtype == DType.FLOAT32 ? SCALES_F32 : SCALES_F64).clone();
    }

    /**
     * Display names of the softmax cross-entropy strategies, in report order.
     *
     * @return the names
     */
    public static List<String> softmaxStrategyNames() {
        return CE_STRATEGIES.stream().map(Named::label).toList();
    }

    /**
     * Display names of the binary strategies, in report order.
     *
     * @return the names
     */
    public static List<String> binaryStrategyNames() {
        return BINARY_STRATEGIES.stream().map(Named::label).toList();
    }

    /**
     * Runs the report without progress output.
     *
     * @param settings what to run
     * @return the report
     */
    public static StabilityReport run(Settings settings) {
        return run(settings, null);
    }

    /**
     * Runs the report.
     *
     * @param settings what to run
     * @param progress where to print progress lines (e.g. {@code System.err}), or null
     * @return the report
     */
    public static StabilityReport run(Settings settings, PrintStream progress) {
        return run(settings, List.of(), progress);
    }

    /** The built-in softmax strategies as jgrad losses (one {@link CrossEntropyLoss} module each). */
    private static List<Named<JgradLoss>> builtInSoftmaxLosses() {
        List<Named<JgradLoss>> out = new ArrayList<>();
        for (Named<SoftmaxCrossEntropy> st : CE_STRATEGIES) {
            CrossEntropyLoss module = CrossEntropyLoss.builder().strategy(st.strategy()).build();
            out.add(new Named<>(st.label(), module::apply));
        }
        return out;
    }

    /**
     * Runs the report with additional softmax cross-entropy strategies after the built-in ones.
     *
     * @param settings what to run
     * @param extra    additional strategies (names distinct from the built-in ones)
     * @param progress where to print progress lines, or null
     * @return the report
     */
    static StabilityReport run(Settings settings, List<Named<JgradLoss>> extra, PrintStream progress) {
        List<Named<JgradLoss>> softmax = new ArrayList<>(builtInSoftmaxLosses());
        softmax.addAll(extra);
        List<String> names = softmax.stream().map(Named::label).toList();
        long t0 = System.nanoTime();
        int trials = settings.trialCount();
        List<Config> configs = new ArrayList<>();
        for (DType dt : DType.values()) {
            for (double s : scales(dt, settings.quick())) {
                for (int c : settings.classes) configs.add(new Config(Family.SOFTMAX_CE, dt, s, c, settings.rowsFor(c)));
                configs.add(new Config(Family.BINARY, dt, s, 2, settings.binaryRows()));
            }
        }
        // 1. inputs and exact reference values (in parallel; nothing is timed meanwhile)
        Map<Config, Batch[]> batches = new ConcurrentHashMap<>();
        List<Runnable> tasks = new ArrayList<>();
        for (Config cfg : configs) {
            Batch[] arr = new Batch[trials];
            batches.put(cfg, arr);
            for (int k = 0; k < trials; k++) {
                int trial = k;
                tasks.add(() -> arr[trial] = Batch.create(cfg, settings.seed(), trial));
            }
        }
        if (progress != null) {
            progress.printf("jgrad stability: computing %d exact reference batches...%n", tasks.size());
        }
        runParallel(tasks);
        if (progress != null) {
            progress.printf("jgrad stability: references done in %.1f s; evaluating and timing %d strategies x %d configurations...%n",
                    (System.nanoTime() - t0) / 1e9, softmax.size() + BINARY_STRATEGIES.size(), configs.size());
        }

        // 2. jgrad accuracy for every configuration (this also warms up the JIT on every code path)
        List<Job> jobs = new ArrayList<>();
        for (Config cfg : configs) {
            Batch[] bs = batches.get(cfg);
            if (cfg.family == Family.SOFTMAX_CE) {
                for (Named<JgradLoss> st : softmax) {
                    jobs.add(new Job(cfg, st.label(), bs, b -> softmaxPass(st.strategy(), b)));
                }
            } else {
                for (Named<BinaryStrategy> st : BINARY_STRATEGIES) {
                    jobs.add(new Job(cfg, st.label(), bs, b -> binaryPass(st.strategy(), b)));
                }
            }
        }
        List<StabilityEntry> accuracy = new ArrayList<>(jobs.size());
        for (Job j : jobs) accuracy.add(evaluate(j.cfg(), j.label(), j.batches(), j.factory()));

        // 3. timing (single thread, after a global warm-up); several rounds over all jobs, best round per job,
        //    so that a transient load on the machine does not distort single configurations
        Timer timer = new Timer(settings.quick());
        timer.globalWarmUp(settings, softmax);
        double[] ns = new double[jobs.size()];
        Arrays.fill(ns, Double.POSITIVE_INFINITY);
        for (int round = 0; round < timer.rounds; round++) {
            for (int i = 0; i < jobs.size(); i++) {
                Job j = jobs.get(i);
                ns[i] = Math.min(ns[i], timer.nsPerRow(j.factory().prepare(j.batches()[0]), j.cfg().rows));
            }
        }
        List<StabilityEntry> out = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) out.add(accuracy.get(i).withNsPerRow(ns[i]));
        out.sort(Comparator
                .comparing(StabilityEntry::family)
                .thenComparingInt(e -> (e.family() == Family.SOFTMAX_CE ? names : binaryStrategyNames()).indexOf(e.strategy()))
                .thenComparing(StabilityEntry::dtype)
                .thenComparingInt(StabilityEntry::classes)
                .thenComparingDouble(StabilityEntry::scale));
        return new StabilityReport(settings, out, (System.nanoTime() - t0) / 1e9, names);
    }

    // ------------------------------------------------------------------ results

    /**
     * The settings the report ran with.
     *
     * @return the settings
     */
    public Settings settings() {
        return settings;
    }

    /**
     * Wall-clock time of {@link #run}.
     *
     * @return seconds
     */
    public double seconds() {
        return seconds;
    }

    /**
     * All rows, ordered by family, strategy (report order), dtype, classes and scale.
     *
     * @return an unmodifiable list
     */
    public List<StabilityEntry> entries() {
        return entries;
    }

    /**
     * The rows of one family.
     *
     * @param family the family
     * @return the rows in report order
     */
    public List<StabilityEntry> entries(Family family) {
        return entries.stream().filter(e -> e.family() == family).toList();
    }

    /**
     * The rows of one strategy and dtype (all class counts), in ascending scale within each class count.
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @return the rows
     */
    public List<StabilityEntry> entries(Family family, String strategy, DType dtype) {
        return entries.stream().filter(e -> e.family() == family && e.strategy().equals(strategy) && e.dtype() == dtype).toList();
    }

    /**
     * One row.
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @param classes  the class count (2 for binary)
     * @param scale    the logit scale
     * @return the row, if that configuration was run
     */
    public Optional<StabilityEntry> entry(Family family, String strategy, DType dtype, int classes, double scale) {
        return entries.stream().filter(e -> e.family() == family && e.strategy().equals(strategy) && e.dtype() == dtype
                && e.classes() == classes && e.scale() == scale).findFirst();
    }

    /**
     * The smallest scale at which a strategy produced a non-finite loss or gradient element (for any class count).
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @return the scale, or empty if it was finite everywhere
     */
    public OptionalDouble firstNonFiniteScale(Family family, String strategy, DType dtype) {
        return entries(family, strategy, dtype).stream().filter(e -> !e.allFinite()).mapToDouble(StabilityEntry::scale).min();
    }

    /**
     * The smallest scale at which a strategy produced a non-finite loss or gradient element for one class count.
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @param classes  the class count (2 for binary)
     * @return the scale, or empty if it was finite everywhere
     */
    public OptionalDouble firstNonFiniteScale(Family family, String strategy, DType dtype, int classes) {
        return entries(family, strategy, dtype).stream().filter(e -> e.classes() == classes && !e.allFinite())
                .mapToDouble(StabilityEntry::scale).min();
    }

    /**
     * The largest scale below {@link #firstNonFiniteScale(Family, String, DType, int)} (or overall, if finite
     * everywhere) for one class count.
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @param classes  the class count (2 for binary)
     * @return the scale, or empty if it was non-finite at the smallest scale
     */
    public OptionalDouble lastFiniteScale(Family family, String strategy, DType dtype, int classes) {
        double first = firstNonFiniteScale(family, strategy, dtype, classes).orElse(Double.POSITIVE_INFINITY);
        return entries(family, strategy, dtype).stream().filter(e -> e.classes() == classes)
                .mapToDouble(StabilityEntry::scale).filter(s -> s < first).max();
    }

    /**
     * The largest scale below {@link #firstNonFiniteScale} (or overall) at which the strategy was finite for every
     * class count.
     *
     * @param family   the family
     * @param strategy the strategy's display name
     * @param dtype    the dtype
     * @return the scale, or empty if it was non-finite at the smallest scale
     */
    public OptionalDouble lastFiniteScale(Family family, String strategy, DType dtype) {
        double first = firstNonFiniteScale(family, strategy, dtype).orElse(Double.POSITIVE_INFINITY);
        return entries(family, strategy, dtype).stream().mapToDouble(StabilityEntry::scale).filter(s -> s < first).max();
    }

    // ------------------------------------------------------------------ evaluation

    /** One strategy on one configuration. */
    private record Job(Config cfg, String label, Batch[] batches, PassFactory factory) {
    }

    /** One configuration (apart from the strategy). */
    record Config(Family family, DType dtype, double scale, int classes, int rows) {
    }

    /** One seeded batch with its exact reference values as double-doubles. */
    static final class Batch {
        final Config cfg;
        final double[] x;        // rounded logits, rows × C (or rows for binary)
        final int[] targets;     // class indices, or 0/1
        final double lossHi, lossLo;
        final double[] gradHi, gradLo;
        final double exactLoss;

        private Batch(Config cfg, double[] x, int[] targets, BigDecimal loss, BigDecimal[] grad) {
            this.cfg = cfg;
            this.x = x;
            this.targets = targets;
            this.lossHi = loss.doubleValue();
            this.lossLo = loss.subtract(new BigDecimal(lossHi)).doubleValue();
            this.exactLoss = HighPrecisionReference.toDouble(loss);
            this.gradHi = new double[grad.length];
            this.gradLo = new double[grad.length];
            for (int i = 0; i < grad.length; i++) {
                double hi = grad[i].doubleValue();
                gradHi[i] = hi;
                // below 1e-290 only the absolute criterion is used, so the low part is not needed
                gradLo[i] = Math.abs(hi) < 1e-290 ? 0.0 : grad[i].subtract(new BigDecimal(hi)).doubleValue();
            }
        }

        static Batch create(Config cfg, long seed, int trial) {
            int n = cfg.rows, c = cfg.family == Family.BINARY ? 1 : cfg.classes;
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L
                    + (cfg.family == Family.BINARY ? 0x5DEECE66DL : 0L) + 1_000_003L * cfg.classes + 7919L * cfg.rows + trial);
            double[] x = new double[n * c];
            for (int i = 0; i < x.length; i++) x[i] = cfg.dtype.round(rng.nextGaussian() * cfg.scale);
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = rng.nextInt(cfg.family == Family.BINARY ? 2 : cfg.classes);
            if (cfg.family == Family.SOFTMAX_CE) {
                double[][] rowsArr = new double[n][];
                for (int i = 0; i < n; i++) rowsArr[i] = Arrays.copyOfRange(x, i * c, (i + 1) * c);
                HighPrecisionReference.BatchResult r = HighPrecisionReference.crossEntropyBatch(rowsArr, t, REFERENCE_CONTEXT);
                BigDecimal[] g = new BigDecimal[n * c];
                for (int i = 0; i < n; i++) System.arraycopy(r.grad()[i], 0, g, i * c, c);
                return new Batch(cfg, x, t, r.loss(), g);
            }
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal[] g = new BigDecimal[n];
            BigDecimal bn = BigDecimal.valueOf(n);
            for (int i = 0; i < n; i++) {
                HighPrecisionReference.ScalarResult r = HighPrecisionReference.bceWithLogits(x[i], t[i], REFERENCE_CONTEXT);
                sum = sum.add(r.loss());
                g[i] = r.grad().divide(bn, REFERENCE_CONTEXT);
            }
            return new Batch(cfg, x, t, sum.divide(bn, REFERENCE_CONTEXT), g);
        }

        double maxAbsLogit() {
            double m = 0;
            for (double v : x) m = Math.max(m, Math.abs(v));
            return m;
        }

        /** Softmax: the largest logit; binary: the largest margin {@code -y·x}, {@code y = 2t - 1}. */
        double maxExpArgument() {
            double m = Double.NEGATIVE_INFINITY;
            if (cfg.family == Family.SOFTMAX_CE) {
                for (double v : x) m = Math.max(m, v);
            } else {
                for (int i = 0; i < x.length; i++) m = Math.max(m, targets[i] == 1 ? -x[i] : x[i]);
            }
            return m;
        }
    }

    /** Builds the inputs of one pass (not timed) and returns a runnable that does forward + backward. */
    @FunctionalInterface
    interface PassFactory {
        Prepared prepare(Batch b);
    }

    /** Prepared inputs: {@link #run()} does forward + backward and returns {loss, input gradient}. */
    interface Prepared {
        Tensor[] run();
    }

    private static Prepared softmaxPass(JgradLoss module, Batch b) {
        int n = b.cfg.rows, c = b.cfg.classes;
        Tensor x = Tensor.of(b.cfg.dtype, b.x, n, c).requiresGrad(true);
        IntTensor t = IntTensor.of(b.targets);
        return () -> {
            x.zeroGrad();
            Tensor loss = module.loss(x, t);
            loss.backward();
            return new Tensor[]{loss, x.grad()};
        };
    }

    private static Prepared binaryPass(BinaryStrategy strategy, Batch b) {
        int n = b.cfg.rows;
        Tensor x = Tensor.of(b.cfg.dtype, b.x, n).requiresGrad(true);
        double[] t01 = new double[n];
        for (int i = 0; i < n; i++) t01[i] = b.targets[i];
        Tensor t = Tensor.of(b.cfg.dtype, t01, n);
        return () -> {
            x.zeroGrad();
            Tensor loss = strategy.loss(x, t);
            loss.backward();
            return new Tensor[]{loss, x.grad()};
        };
    }

    /** Accuracy of one strategy on all batches of one configuration (not timed: {@code nsPerRow} is NaN). */
    private static StabilityEntry evaluate(Config cfg, String label, Batch[] bs, PassFactory factory) {
        double eps = cfg.dtype.eps();
        double minNormal = cfg.dtype == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL;
        int per = bs[0].gradHi.length;
        double[] lossErr = new double[bs.length];
        double[] gradErr = new double[bs.length * per];
        double gradAbs = 0;
        long nonFinite = 0;
        double firstLoss = Double.NaN;
        double maxAbs = 0, maxArg = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < bs.length; k++) {
            Batch b = bs[k];
            maxAbs = Math.max(maxAbs, b.maxAbsLogit());
            maxArg = Math.max(maxArg, b.maxExpArgument());
            Tensor[] r = factory.prepare(b).run();
            double loss = r[0].item();
            if (k == 0) firstLoss = loss;
            if (!Double.isFinite(loss)) nonFinite++;
            lossErr[k] = error(loss, b.lossHi, b.lossLo, minNormal, 1.0) / eps;
            Tensor g = r[1];
            double absScale = 1.0 / cfg.rows;
            for (int i = 0; i < per; i++) {
                double v = g == null ? 0.0 : g.get(i);
                if (!Double.isFinite(v)) nonFinite++;
                gradErr[k * per + i] = error(v, b.gradHi[i], b.gradLo[i], minNormal, absScale) / eps;
                gradAbs = Math.max(gradAbs, error(v, b.gradHi[i], b.gradLo[i], Double.POSITIVE_INFINITY, absScale) / eps);
            }
        }
        double ns = Double.NaN;
        double frac = (double) nonFinite / ((double) bs.length * (1 + per));
        return new StabilityEntry(cfg.family, label, cfg.dtype, cfg.classes, cfg.scale, cfg.rows, bs.length, maxAbs, maxArg,
                max(lossErr), median(lossErr), max(gradErr), median(gradErr), gradAbs, frac, ns, firstLoss, bs[0].exactLoss);
    }

    /**
     * Error of {@code actual} against the exact {@code hi + lo}: relative when {@code |hi| >= minNormal}, else
     * absolute divided by {@code absScale}; {@code +∞} for a non-finite value.
     */
    static double error(double actual, double hi, double lo, double minNormal, double absScale) {
        if (!Double.isFinite(actual)) return Double.POSITIVE_INFINITY;
        double diff = Math.abs((actual - hi) - lo);
        if (Double.isNaN(diff)) return Double.POSITIVE_INFINITY;
        if (Math.abs(hi) < minNormal) return diff / absScale;
        return diff / Math.abs(hi);
    }

    static double max(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n == 0) return Double.NaN;
        if ((n & 1) == 1) return s[n / 2];
        double a = s[n / 2 - 1], b = s[n / 2];
        return a == b ? a : (a + b) / 2; // (inf + inf)/2 stays inf
    }

    static void runParallel(List<Runnable> tasks) {
        int threads = Math.max(1, Math.min(tasks.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stability-reference");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> fs = new ArrayList<>();
            // most expensive first (large batches), for better load balance
            List<Runnable> ordered = new ArrayList<>(tasks);
            Collections.reverse(ordered);
            for (Runnable r : ordered) fs.add(pool.submit(r));
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing reference values", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Warm-up and median-of-repetitions timing of forward + backward. */
    static final class Timer {
        private final int warmUp;
        private final int reps;
        private final long minWarmNanos;
        final int rounds;

        Timer(boolean quick) {
            this.warmUp = quick ? 3 : 10;
            this.reps = quick ? 3 : 9;
            this.minWarmNanos = quick ? 1_000_000L : 5_000_000L;
            this.rounds = quick ? 1 : 3;
        }

        /** Runs every strategy on small float32/float64 batches so that the JIT compiles the kernels first. */
        void globalWarmUp(Settings s, List<Named<JgradLoss>> softmax) {
            long deadline = System.nanoTime() + (s.quick() ? 150_000_000L : 1_000_000_000L);
            int rounds = s.quick() ? 20 : 100;
            for (int r = 0; r < rounds && System.nanoTime() < deadline; r++) {
                for (DType dt : DType.values()) {
                    Config ce = new Config(Family.SOFTMAX_CE, dt, 1.0, 10, 32);
                    Config wide = new Config(Family.SOFTMAX_CE, dt, 1.0, 1000, 2);
                    Config bin = new Config(Family.BINARY, dt, 1.0, 2, 128);
                    Batch cb = warmBatch(ce), wb = warmBatch(wide), bb = warmBatch(bin);
                    for (Named<JgradLoss> st : softmax) {
                        softmaxPass(st.strategy(), cb).run();
                        softmaxPass(st.strategy(), wb).run();
                    }
                    for (Named<BinaryStrategy> st : BINARY_STRATEGIES) binaryPass(st.strategy(), bb).run();
                }
            }
        }

        private static Batch warmBatch(Config cfg) {
            int n = cfg.rows * (cfg.family == Family.BINARY ? 1 : cfg.classes);
            SplittableRandom rng = new SplittableRandom(n);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = cfg.dtype.round(rng.nextGaussian());
            int[] t = new int[cfg.rows];
            for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(cfg.family == Family.BINARY ? 2 : cfg.classes);
            BigDecimal[] g = new BigDecimal[x.length];
            Arrays.fill(g, BigDecimal.ZERO);
            return new Batch(cfg, x, t, BigDecimal.ONE, g);
        }

        double nsPerRow(Prepared p, int rows) {
            long start = System.nanoTime();
            for (int i = 0; i < warmUp || System.nanoTime() - start < minWarmNanos; i++) {
                p.run();
                if (i > 10_000) break;
            }
            long[] t = new long[reps];
            for (int i = 0; i < reps; i++) {
                long a = System.nanoTime();
                p.run();
                t[i] = System.nanoTime() - a;
            }
            Arrays.sort(t);
            double med = (reps & 1) == 1 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2.0;
            return med / rows;
        }
    }
}
