package dev.jgrad.train;

import dev.jgrad.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ends a diverging run at once: after a training step whose loss is NaN or infinite (the {@link Trainer} itself
 * already stops, or skips, a batch whose loss is not finite before its step, so this matters for other loops that
 * call the listeners), or an epoch whose test loss is, it throws a {@link TrainingDivergedException} naming the epoch, the step and what became non-finite (the
 * loss, and which parameter tensors now hold non-finite values). {@link Trainer#fit} then ends (its listeners'
 * {@code onFitEnd} run) with that exception. Add it before a {@link CheckpointListener}: the diverged epoch never
 * reaches the checkpoint, so the file keeps the last good epoch. The per-step check is one comparison and allocates
 * nothing.
 */
public final class DivergenceListener implements TrainingListener {
    private TrainingContext ctx;
    private int epoch, step;

    @Override
    public void onFitStart(TrainingContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void onEpochStart(TrainingContext ctx, int epoch) {
        this.epoch = epoch;
        this.step = 0;
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
        step = batch;
        if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException(epoch, batch, batches, (long) (epoch - 1) * batches + batch, describe(ctx, "the training loss", loss));
        }
    }

    /**
     * Explains a failure of the step after the last one this listener saw: an optimizer refuses a non-finite gradient
     * ({@link dev.jgrad.nn.optim.Optimizer#step()} throws an {@link IllegalStateException} and changes nothing), which
     * happens before the step's loss reaches the listeners. Returns the divergence, naming the epoch and that step,
     * if {@code failure} is such a refusal (its message speaks of a non-finite value), else null.
     */
    public TrainingDivergedException explain(RuntimeException failure) {
        if (ctx == null || epoch == 0 || !(failure instanceof IllegalStateException)
                || failure.getMessage() == null || !failure.getMessage().contains("non-finite")) {
            return null;
        }
        String what = "a gradient became non-finite (" + failure.getMessage() + ")";
        int batches = ctx.batchesPerEpoch();
        return new TrainingDivergedException(epoch, step + 1, batches, batches > 0 ? (long) (epoch - 1) * batches + step + 1 : 0, describe(ctx, what));
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics m) {
        if (Double.isNaN(m.testAccuracy())) return; // no test data (with test data the accuracy is a fraction even when the loss is NaN)
        if (!Double.isFinite(m.testLoss())) throw new TrainingDivergedException(m.epoch(), 0, describe(ctx, "the test loss", m.testLoss()));
    }

    /** {@code "<what> became NaN; non-finite parameters: 0.weight, 0.bias"} (at most three names). */
    static String describe(TrainingContext ctx, String what, double value) {
        return describe(ctx, what + " became " + (Double.isNaN(value) ? "NaN" : value > 0 ? "+inf" : "-inf"));
    }

    /** {@code s}, followed by the non-finite parameters' names (at most three) or that the parameters are finite. */
    private static String describe(TrainingContext ctx, String s) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : ctx.model().namedParameters().entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0, n = t.numel(); i < n; i++) {
                if (!Double.isFinite(t.get(i))) {
                    bad.add(e.getKey());
                    break;
                }
            }
        }
        if (bad.isEmpty()) return s + " (the parameters are finite)";
        return s + "; non-finite parameters: " + String.join(", ", bad.subList(0, Math.min(3, bad.size())))
                + (bad.size() > 3 ? " and " + (bad.size() - 3) + " more" : "");
    }
}
