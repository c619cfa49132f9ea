package dev.jgrad.lab;

import dev.jgrad.core.DType;

/**
 * One configuration of the numerical-stability report (one row of its tables and of {@code stability.csv}).
 *
 * <p>All errors are in units of the dtype's machine epsilon ({@code 2^-23} for float32, {@code 2^-52} for
 * float64) and are {@code +∞} when the value compared is NaN or infinite. See {@link StabilityReport} for how
 * they are measured.
 *
 * @param family            {@link StabilityReport.Family#SOFTMAX_CE} or {@link StabilityReport.Family#BINARY}
 * @param strategy          display name of the strategy, e.g. {@code EPS_CLAMP(1e-7)}
 * @param dtype             the dtype of the logits and of the computation
 * @param classes           number of classes {@code C} (2 for the binary losses, which have one logit per sample)
 * @param scale             the logit scale (logits are standard normal × scale, rounded to the dtype)
 * @param rows              rows (samples) per batch; for the binary losses the number of logits per batch
 * @param trials            number of independent seeded batches evaluated
 * @param maxAbsLogit       the largest logit magnitude over all batches (after rounding to the dtype)
 * @param maxExpArgument    the largest argument a naive {@code exp} sees over all batches: the largest logit
 *                          {@code max x} for softmax cross-entropy, the largest margin {@code max(-y·x)} with
 *                          {@code y = 2t - 1} for the binary losses; {@code exp} overflows past
 *                          {@code ln(MAX)} (88.72 in float32, 709.78 in float64)
 * @param lossMaxErr        largest error of the mean loss over the batches
 * @param lossMedianErr     median error of the mean loss over the batches
 * @param gradMaxErr        largest error over all gradient elements of all batches
 * @param gradMedianErr     median error over all gradient elements of all batches
 * @param gradMaxAbsErr     largest absolute error of a gradient element in units of {@code eps/N}
 *                          ({@code max |ĝ - g| · N / eps}): the error relative to the largest gradient entries,
 *                          which is what an optimizer step sees
 * @param nonFiniteFraction fraction (0..1) of non-finite values among the losses and gradient elements of all batches
 * @param nsPerRow          median time of one forward+backward pass divided by {@code rows}, in nanoseconds
 *                          (NaN if not timed)
 * @param loss              jgrad's mean loss of the first batch
 * @param exactLoss         the exact mean loss of the first batch (rounded to double)
 */
public record StabilityEntry(StabilityReport.Family family, String strategy, DType dtype, int classes, double scale,
                             int rows, int trials, double maxAbsLogit, double maxExpArgument, double lossMaxErr, double lossMedianErr,
                             double gradMaxErr, double gradMedianErr, double gradMaxAbsErr, double nonFiniteFraction,
                             double nsPerRow, double loss, double exactLoss) {

    /**
     * True when every loss and gradient element of every batch was finite.
     *
     * @return {@code nonFiniteFraction == 0}
     */
    public boolean allFinite() {
        return nonFiniteFraction == 0;
    }

    /**
     * Signed relative deviation of jgrad's mean loss of the first batch from the exact one,
     * {@code (loss - exact) / exact} (the bias of a biased strategy such as {@code EPS_CLAMP}).
     *
     * @return the signed relative deviation; NaN or infinite when the loss is not finite
     */
    public double lossRelativeBias() {
        return (loss - exactLoss) / exactLoss;
    }

    /**
     * This entry with another timing.
     *
     * @param ns nanoseconds per row
     * @return a copy with {@code nsPerRow = ns}
     */
    public StabilityEntry withNsPerRow(double ns) {
        return new StabilityEntry(family, strategy, dtype, classes, scale, rows, trials, maxAbsLogit, maxExpArgument,
                lossMaxErr, lossMedianErr, gradMaxErr, gradMedianErr, gradMaxAbsErr, nonFiniteFraction, ns, loss, exactLoss);
    }
}
