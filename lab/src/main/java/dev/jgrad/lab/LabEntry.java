package dev.jgrad.lab;

import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;

/**
 * One configuration of the {@link StabilityLab}: a strategy in a precision with a summation, on batches of one class
 * count and logit scale (one row of {@code stability-precision.csv}).
 *
 * <p>Errors are in units of the storage format's epsilon ({@code +∞} for a NaN or infinite value): the relative
 * error of the mean loss of each batch (largest and median over the batches) and the largest absolute error of a
 * gradient element relative to {@code 1/N} ({@code max |ĝ - g|·N / eps}, the size an optimizer step sees).
 * {@code lossAccepted} and {@code gradAccepted} are the fractions of batches whose mean loss, resp. whole gradient,
 * {@code torch.testing.assert_close} with the storage dtype's default tolerances would accept.
 *
 * @param strategy          strategy name
 * @param precision         formats (input, storage, accumulation)
 * @param summation         how reductions add
 * @param classes           class count {@code K}
 * @param scale             logit scale (logits are standard normal × scale, rounded to the input format)
 * @param rows              rows per batch
 * @param trials            batches
 * @param maxLogit          the largest logit over all batches
 * @param lossMaxErr        largest relative loss error (eps)
 * @param lossMedianErr     median relative loss error (eps)
 * @param gradMaxAbsErr     largest absolute gradient error (eps/N); NaN when the strategy gives no gradient
 * @param nonFiniteFraction share (0..1) of non-finite values among the losses and gradient elements
 * @param lossAccepted      share of batches whose loss assert_close accepts
 * @param gradAccepted      share of batches whose gradient assert_close accepts; NaN without gradient
 * @param loss              the mean loss of the first batch
 * @param exactLoss         the reference mean loss of the first batch
 */
public record LabEntry(String strategy, Precision precision, Summation summation, int classes, double scale, int rows,
                       int trials, double maxLogit, double lossMaxErr, double lossMedianErr, double gradMaxAbsErr,
                       double nonFiniteFraction, double lossAccepted, double gradAccepted, double loss, double exactLoss) {

    /**
     * True when every loss and gradient element was finite.
     *
     * @return {@code nonFiniteFraction == 0}
     */
    public boolean allFinite() {
        return nonFiniteFraction == 0;
    }

    /**
     * True when assert_close accepts the loss and (if any) the gradient of every batch.
     *
     * @return whether a PyTorch test with default tolerances would pass on every batch
     */
    public boolean accepted() {
        return lossAccepted == 1 && (Double.isNaN(gradAccepted) || gradAccepted == 1);
    }
}
