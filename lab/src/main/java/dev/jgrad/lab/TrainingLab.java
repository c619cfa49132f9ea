package dev.jgrad.lab;

import dev.jgrad.data.Datasets;
import dev.jgrad.data.Tabular;
import dev.jgrad.lab.precision.Arith;
import dev.jgrad.lab.precision.CrossEntropyStrategy;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import dev.jgrad.train.plot.LineChart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The training-level effect of a loss strategy in an emulated precision: the same small network (a one-hidden-layer
 * ReLU MLP on the bundled UCI digits, features scaled to [0, 1]) trained by minibatch SGD with each strategy in each
 * precision, from the same seeded initialisation and batch order.
 *
 * <p>Everything the network stores is rounded to the storage format: the parameters (after every update, so updates
 * below half an ulp are lost, as in pure bfloat16/float16 training without master weights), the inputs, every
 * activation and every gradient. Matrix products and the batch sums of the weight gradients add their products
 * in the accumulation format with the chosen summation, then store the result. The loss and its gradient with respect
 * to the logits come from the strategy ({@link CrossEntropyStrategy#row}). A run <em>diverges</em> at the first step
 * whose loss or updated parameters are not finite; it stops there.
 */
public final class TrainingLab {
    private TrainingLab() {
    }

    /**
     * Training settings.
     *
     * @param steps   SGD steps
     * @param batch   minibatch size
     * @param hidden  hidden units
     * @param lr      learning rate
     * @param seed    seed of the initialisation and the batch order
     */
    public record Settings(int steps, int batch, int hidden, double lr, long seed) {
        /**
         * Validates.
         *
         * @param steps  steps, at least 1
         * @param batch  batch, at least 1
         * @param hidden hidden units, at least 1
         * @param lr     positive learning rate
         * @param seed   seed
         * @throws IllegalArgumentException for non-positive values
         */
        public Settings {
            if (steps < 1 || batch < 1 || hidden < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("training: steps, batch, hidden and lr must be positive, got steps " + steps
                        + ", batch " + batch + ", hidden " + hidden + ", lr " + lr);
            }
        }

        /**
         * 300 steps of batch 64, 32 hidden units, learning rate 0.5, seed 42.
         *
         * @return the defaults
         */
        public static Settings defaults() {
            return new Settings(300, 64, 32, 0.5, 42);
        }
    }

    /**
     * One training run.
     *
     * @param strategy   strategy name
     * @param precision  precision
     * @param summation  summation
     * @param losses     the minibatch loss of every step run (up to and including a divergent one)
     * @param divergedAt the step (1-based, as on the chart's x axis) whose loss or parameters became non-finite, or -1
     * @param accuracy   training-set accuracy at the end (NaN after a divergence)
     */
    public record Run(String strategy, Precision precision, Summation summation, double[] losses, int divergedAt, double accuracy) {
        /** @return whether the run diverged */
        public boolean diverged() {
            return divergedAt >= 0;
        }

        /** @return the mean loss of the last tenth of the steps run (NaN after a divergence) */
        public double finalLoss() {
            if (diverged()) return Double.NaN;
            int from = losses.length - Math.max(1, losses.length / 10);
            double s = 0;
            for (int i = from; i < losses.length; i++) s += losses[i];
            return s / (losses.length - from);
        }
    }

    /**
     * Trains with every strategy in every precision.
     *
     * @param strategies the strategies (those without a gradient are skipped)
     * @param precisions the precisions
     * @param summation  the summation of every reduction
     * @param settings   the training settings
     * @return the runs, strategies outer, precisions inner
     */
    public static List<Run> run(List<StabilityLab.Registered> strategies, List<Precision> precisions, Summation summation, Settings settings) {
        Tabular data = Datasets.digits();
        List<Runnable> tasks = new ArrayList<>();
        strategies = strategies.stream()
                .filter(st -> st.strategy().row(new Arith(Precision.AUTOCAST_CPU, summation), new double[]{0, 0}, 0).grad() != null).toList();
        Run[] out = new Run[strategies.size() * precisions.size()];
        for (int i = 0; i < strategies.size(); i++) {
            for (int j = 0; j < precisions.size(); j++) {
                int idx = i * precisions.size() + j;
                StabilityLab.Registered st = strategies.get(i);
                Precision p = precisions.get(j);
                tasks.add(() -> out[idx] = train(st, new Arith(p, summation), data, settings));
            }
        }
        StabilityReport.runParallel(tasks);
        return List.of(out);
    }

    /** One run: a 64 → hidden → 10 ReLU MLP, SGD. */
    static Run train(StabilityLab.Registered st, Arith a, Tabular data, Settings s) {
        int n = data.size(), d = data.numFeatures(), k = data.numClasses(), h = s.hidden(), b = s.batch();
        SplittableRandom rng = new SplittableRandom(s.seed());
        double[] w1 = init(a, rng, h * d, d), b1 = new double[h], w2 = init(a, rng, k * h, h), b2 = new double[k];
        double[] x = new double[b * d], z1 = new double[b * h], logits = new double[b * k], dlogits = new double[b * k], dh = new double[b * h];
        int[] y = new int[b];
        double[] losses = new double[s.steps()];
        double[] tmp = new double[Math.max(Math.max(d, h), b)];
        int[] order = permutation(n, rng);
        int cursor = 0;
        for (int step = 0; step < s.steps(); step++) {
            for (int r = 0; r < b; r++) {
                if (cursor == n) {
                    order = permutation(n, rng);
                    cursor = 0;
                }
                int row = order[cursor++];
                for (int c = 0; c < d; c++) x[r * d + c] = a.store(data.feature(row, c) / 16.0);
                y[r] = data.label(row);
            }
            // forward: z1 = relu(x W1^T + b1), logits = z1 W2^T + b2
            linear(a, x, w1, b1, z1, b, d, h, tmp);
            for (int i = 0; i < z1.length; i++) z1[i] = Math.max(0, z1[i]);
            linear(a, z1, w2, b2, logits, b, h, k, tmp);
            // loss and its gradient from the strategy
            double[] rowLoss = new double[b];
            boolean finite = true;
            for (int r = 0; r < b; r++) {
                CrossEntropyStrategy.RowLoss rl = st.strategy().row(a, java.util.Arrays.copyOfRange(logits, r * k, (r + 1) * k), y[r]);
                rowLoss[r] = rl.loss();
                for (int c = 0; c < k; c++) dlogits[r * k + c] = a.store(rl.grad()[c] / b);
            }
            double loss = a.store(a.sumAcc(rowLoss) / b);
            losses[step] = loss;
            if (!Double.isFinite(loss)) return new Run(st.name(), a.precision(), a.summation(), java.util.Arrays.copyOf(losses, step + 1), step + 1, Double.NaN);
            // backward: dh = dlogits W2 masked by relu; dW2 = dlogits^T z1; dW1 = dh^T x
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < h; j++) {
                    for (int c = 0; c < k; c++) tmp[c] = a.acc(dlogits[r * k + c] * w2[c * h + j]);
                    dh[r * h + j] = z1[r * h + j] > 0 ? a.store(a.sumAcc(tmp, 0, k)) : 0;
                }
            }
            finite &= update(a, w2, b2, dlogits, z1, b, h, k, s.lr(), tmp);
            finite &= update(a, w1, b1, dh, x, b, d, h, s.lr(), tmp);
            if (!finite) return new Run(st.name(), a.precision(), a.summation(), java.util.Arrays.copyOf(losses, step + 1), step + 1, Double.NaN);
        }
        return new Run(st.name(), a.precision(), a.summation(), losses, -1, accuracy(a, data, w1, b1, w2, b2, d, h, k));
    }

    private static double[] init(Arith a, SplittableRandom rng, int size, int fanIn) {
        double bound = Math.sqrt(6.0 / fanIn);
        double[] w = new double[size];
        for (int i = 0; i < size; i++) w[i] = a.store((rng.nextDouble() * 2 - 1) * bound);
        return w;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** {@code out[r, o] = store(Σ_i in[r, i]·w[o, i] + bias[o])}, products and sum in the accumulation format. */
    private static void linear(Arith a, double[] in, double[] w, double[] bias, double[] out, int rows, int nin, int nout, double[] tmp) {
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < nout; o++) {
                for (int i = 0; i < nin; i++) tmp[i] = a.acc(in[r * nin + i] * w[o * nin + i]);
                out[r * nout + o] = a.store(a.acc(a.sumAcc(tmp, 0, nin) + bias[o]));
            }
        }
    }

    /** {@code W -= lr·(g^T in)}, {@code bias -= lr·Σ g}, every value stored; false if a parameter became non-finite. */
    private static boolean update(Arith a, double[] w, double[] bias, double[] g, double[] in, int rows, int nin, int nout, double lr, double[] tmp) {
        boolean finite = true;
        for (int o = 0; o < nout; o++) {
            for (int i = 0; i < nin; i++) {
                for (int r = 0; r < rows; r++) tmp[r] = a.acc(g[r * nout + o] * in[r * nin + i]);
                double grad = a.store(a.sumAcc(tmp, 0, rows));
                w[o * nin + i] = a.sub(w[o * nin + i], a.mul(lr, grad));
                finite &= Double.isFinite(w[o * nin + i]);
            }
            for (int r = 0; r < rows; r++) tmp[r] = g[r * nout + o];
            bias[o] = a.sub(bias[o], a.mul(lr, a.store(a.sumAcc(tmp, 0, rows))));
            finite &= Double.isFinite(bias[o]);
        }
        return finite;
    }

    private static double accuracy(Arith a, Tabular data, double[] w1, double[] b1, double[] w2, double[] b2, int d, int h, int k) {
        double[] x = new double[d], z = new double[h], o = new double[k], tmp = new double[Math.max(d, h)];
        int correct = 0;
        for (int row = 0; row < data.size(); row++) {
            for (int c = 0; c < d; c++) x[c] = a.store(data.feature(row, c) / 16.0);
            linear(a, x, w1, b1, z, 1, d, h, tmp);
            for (int i = 0; i < h; i++) z[i] = Math.max(0, z[i]);
            linear(a, z, w2, b2, o, 1, h, k, tmp);
            int best = 0;
            for (int c = 1; c < k; c++) if (o[c] > o[best]) best = c;
            if (best == data.label(row)) correct++;
        }
        return (double) correct / data.size();
    }

    /**
     * The precisions of {@code jgrad stability}'s training runs: pure bfloat16, bfloat16 and float16 storage with
     * float32 accumulation, and float32.
     *
     * @return the precisions
     */
    public static List<Precision> defaultPrecisions() {
        return List.of(Precision.of(dev.jgrad.lab.precision.Format.BFLOAT16, dev.jgrad.lab.precision.Format.BFLOAT16),
                Precision.of(dev.jgrad.lab.precision.Format.BFLOAT16, dev.jgrad.lab.precision.Format.FLOAT32),
                Precision.of(dev.jgrad.lab.precision.Format.FLOAT16, dev.jgrad.lab.precision.Format.FLOAT32),
                Precision.of(dev.jgrad.lab.precision.Format.FLOAT32, dev.jgrad.lab.precision.Format.FLOAT32));
    }

    // ------------------------------------------------------------------ output

    /**
     * A Markdown table: one row per run with the final loss, the accuracy and the divergence step.
     *
     * @param runs     the runs
     * @param settings their settings
     * @return the text
     */
    public static String markdown(List<Run> runs, Settings settings) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Digits MLP 64 → %d → 10 (ReLU), SGD lr %s, batch %d, %d steps, seed %d; "
                        + "parameters, activations and gradients stored in the precision.%n%n",
                settings.hidden(), StabilityOutput.num(settings.lr()), settings.batch(), settings.steps(), settings.seed()));
        sb.append("| strategy | precision | summation | final loss | train accuracy | diverged at step |\n|---|---|---|---:|---:|---:|\n");
        for (Run r : runs) {
            sb.append("| ").append(r.strategy()).append(" | ").append(r.precision().name()).append(" | ").append(r.summation().label())
                    .append(" | ").append(r.diverged() ? "–" : StabilityOutput.num(r.finalLoss()))
                    .append(" | ").append(r.diverged() ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * r.accuracy()))
                    .append(" | ").append(r.diverged() ? String.valueOf(r.divergedAt()) : "–").append(" |\n");
        }
        return sb.toString();
    }

    /**
     * Loss curves side by side: one panel per precision, one line per strategy (a diverged run ends at its step).
     *
     * @param runs the runs
     * @return the chart
     */
    public static LineChart chart(List<Run> runs) {
        LineChart fig = new LineChart().panelSize(480, 400);
        List<Precision> ps = runs.stream().map(Run::precision).distinct().toList();
        for (Precision p : ps) {
            LineChart.Panel panel = fig.addPanel("digits MLP, " + p.name()).xAxis("step").yAxis("minibatch loss").logY(true);
            for (Run r : runs) {
                if (!r.precision().equals(p)) continue;
                panel.series(r.strategy() + (r.diverged() ? " (diverged at step " + r.divergedAt() + ")" : ""), r.losses());
            }
        }
        return fig;
    }
}
