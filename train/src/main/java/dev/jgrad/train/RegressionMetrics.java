package dev.jgrad.train;

import dev.jgrad.core.GradMode;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.nn.Module;

/**
 * How well a regression model fits a data set: the root mean squared error, the mean absolute error (both over every
 * target value, in the targets' units times {@code scale}) and the coefficient of determination R², computed per
 * output as {@code 1 − Σ(y − ŷ)² / Σ(y − ȳ)²} (with {@code ȳ} the mean of the evaluated targets) and averaged over
 * the outputs (scikit-learn's {@code r2_score} with {@code multioutput='uniform_average'}).
 *
 * @param rmse    root mean squared error
 * @param mae     mean absolute error
 * @param r2      coefficient of determination (1 is a perfect fit, 0 the mean's; NaN if a target is constant)
 * @param samples the number of rows evaluated
 */
public record RegressionMetrics(double rmse, double mae, double r2, int samples) {

    /**
     * Evaluates {@code model} (left in eval mode, no graph recorded) on every batch of {@code data}, a regression
     * data set's loader ({@link DataLoader.Batch#targets()}).
     *
     * @param scale per-output factors applied to the errors (for targets standardised before training: their standard
     *              deviations, so that RMSE and MAE are in the original units; R² does not change); null: 1
     * @throws IllegalArgumentException if the data has no targets, the model's outputs do not match them, or
     *                                  {@code scale} has the wrong length
     */
    public static RegressionMetrics evaluate(Module model, DataLoader data, double[] scale) {
        if (model == null) throw new IllegalArgumentException("RegressionMetrics.evaluate: model is null");
        if (data == null) throw new IllegalArgumentException("RegressionMetrics.evaluate: data is null");
        int k = data.data().numTargets();
        if (k == 0) throw new IllegalArgumentException("RegressionMetrics.evaluate: the data set has no regression targets");
        if (scale != null && scale.length != k) {
            throw new IllegalArgumentException("RegressionMetrics.evaluate: " + scale.length + " scale factors for " + k + " targets");
        }
        int n = data.data().size();
        double[] y = new double[n * k], p = new double[n * k];
        int row = 0;
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (DataLoader.Batch b : data.epoch(0)) {
                Tensor out = model.forward(b.features());
                if (out.numel() != b.targets().numel()) {
                    throw new IllegalArgumentException("RegressionMetrics.evaluate: model output " + java.util.Arrays.toString(out.shape())
                            + " does not match the targets " + java.util.Arrays.toString(b.targets().shape()));
                }
                for (int i = 0; i < out.numel(); i++) {
                    p[row * k + i] = out.get(i);
                    y[row * k + i] = b.targets().get(i);
                }
                row += b.size();
            }
        }
        double se = 0, ae = 0, r2 = 0;
        for (int j = 0; j < k; j++) {
            double f = scale == null ? 1 : scale[j], mean = 0, res = 0, tot = 0;
            for (int i = 0; i < row; i++) mean += y[i * k + j];
            mean /= row;
            for (int i = 0; i < row; i++) {
                double e = y[i * k + j] - p[i * k + j], d = y[i * k + j] - mean;
                res += e * e;
                tot += d * d;
                se += e * e * f * f;
                ae += Math.abs(e) * f;
            }
            r2 += 1 - res / tot;
        }
        return new RegressionMetrics(Math.sqrt(se / ((double) row * k)), ae / ((double) row * k), r2 / k, row);
    }
}
