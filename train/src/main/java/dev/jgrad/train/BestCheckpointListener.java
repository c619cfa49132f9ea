package dev.jgrad.train;

import dev.jgrad.nn.io.Checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the best model: saves a {@link Checkpoint} (model and optimizer, with the epoch count under
 * {@link Trainer#EPOCHS_COMPLETED_KEY} and the loss under {@value #BEST_LOSS_KEY}) whenever an epoch's evaluation
 * loss ({@link EpochMetrics#testLoss()}, of a validation split) is the lowest so far. Load it afterwards with
 * {@link Checkpoint#load} to use or test the best epoch's model.
 */
public final class BestCheckpointListener implements TrainingListener {
    /** Checkpoint metadata key of the saved epoch's evaluation loss. */
    public static final String BEST_LOSS_KEY = "best_eval_loss";

    private final Path file;
    private final Map<String, String> extra;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch;

    /** Saves to {@code file}, with {@code metadata} added to every checkpoint's metadata. */
    public BestCheckpointListener(Path file, Map<String, String> metadata) {
        if (file == null) throw new IllegalArgumentException("BestCheckpointListener: file is null");
        if (metadata == null) throw new IllegalArgumentException("BestCheckpointListener: metadata is null");
        this.file = file;
        this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics m) throws IOException {
        if (!(m.testLoss() < best)) return;
        best = m.testLoss();
        bestEpoch = m.epoch();
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put(Trainer.EPOCHS_COMPLETED_KEY, Integer.toString(m.epoch()));
        meta.put(BEST_LOSS_KEY, Double.toString(m.testLoss()));
        Checkpoint.save(file, ctx.model(), ctx.optimizer(), meta);
    }

    /** The checkpoint file. */
    public Path file() {
        return file;
    }

    /** The epoch saved last (the best so far), or 0 if none was. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** {@code "best"}. */
    @Override
    public String timingLabel() {
        return "best";
    }
}
