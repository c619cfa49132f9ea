package dev.jgrad.spark;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.List;
import java.util.SplittableRandom;

/** Shared helpers of the Spark tests: a quiet local context, synthetic data, the single-machine reference run. */
final class SparkTestSupport {
    private SparkTestSupport() {
    }

    /** A local Spark context for {@code master}, without the web UI, bound to the loopback address. */
    static JavaSparkContext context(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("jgrad-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false");
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }

    /** {@code n} rows of {@code d} Gaussian features, 3 classes from a fixed linear rule with noise (seeded). */
    static Tabular synthetic(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double a = 0, b = 0;
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian();
                a += (j % 2 == 0 ? 1 : -0.5) * x[i][j];
                b += (j % 3 == 0 ? 0.7 : 0.2) * x[i][j];
            }
            a += 0.3 * r.nextGaussian();
            y[i] = a > 0.5 ? 0 : b > 0 ? 1 : 2;
        }
        return Tabular.of(x, y, 3);
    }

    /** A float64 MLP run on 10 features with 3 classes. */
    static TrainConfig config(int batchPerWorker, int epochs) {
        return new TrainConfig("mlp", 10, new int[]{16}, "tanh", 0.0, 3, false, "fused", "float64", "adamw", 1e-2, Double.NaN,
                "cosine", epochs, batchPerWorker, 7, 0);
    }

    /** The single-machine run: jgrad's own {@link Trainer} with batch {@code batch}. */
    static Sequential reference(TrainConfig c, Tabular train, int batch) throws Exception {
        Sequential model = c.buildModel();
        Optimizer opt = c.buildOptimizer(model);
        Trainer t = Trainer.builder(model, opt).objective(c.objective()).epochs(c.epochs()).schedule(c.buildSchedule())
                .clipGradNorm(c.clip()).progress(false).log(null).build();
        t.fit(new DataLoader(train, batch, true, false, c.seed(), DType.parse(c.dtype())), null);
        return model;
    }

    /** The largest absolute difference between the two models' parameters (same architecture). */
    static double maxDiff(Sequential a, Sequential b) {
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        double m = 0;
        for (int i = 0; i < pa.size(); i++) {
            for (int k = 0; k < pa.get(i).numel(); k++) m = Math.max(m, Math.abs(pa.get(i).get(k) - pb.get(i).get(k)));
        }
        return m;
    }

    /** The largest absolute parameter value (to put {@link #maxDiff} in scale). */
    static double maxAbs(Sequential a) {
        double m = 0;
        for (Tensor p : a.parameters()) for (int k = 0; k < p.numel(); k++) m = Math.max(m, Math.abs(p.get(k)));
        return m;
    }
}
