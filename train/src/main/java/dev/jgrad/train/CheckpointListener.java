package dev.jgrad.train;

import dev.jgrad.nn.io.Checkpoint;
import java.nio.file.Path;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} of the model and optimizer after every epoch, overwriting the file (atomically), with
 * the number of completed epochs ({@link Trainer#EPOCHS_COMPLETED_KEY}), the objective's name and the schedule's state
 * ({@value #SCHEDULE_PREFIX}{@code <entry>}, e.g. ReduceLROnPlateau's counters) in its metadata:
 * what {@link Trainer#resume(Path)} needs to continue the run exactly. {@link Trainer.Builder#checkpoint(Path)}
 * adds one.
 */
public final class CheckpointListener implements TrainingListener {
    /** Checkpoint metadata key of the objective's {@linkplain Objective#name() name}. */
    public static final String OBJECTIVE_KEY = "objective";
    /** Checkpoint metadata prefix of the schedule's {@linkplain dev.jgrad.nn.optim.LrSchedule#state() state} entries. */
    public static final String SCHEDULE_PREFIX = "schedule.";

    private final Path file;
    private final Map<String, String> extra;

    /** Saves to {@code file}. */
    public CheckpointListener(Path file) {
        this(file, Map.of());
    }

    /**
     * Saves to {@code file}, with {@code metadata} (for instance the options of the run, so that it can be resumed
     * from the file alone) in every checkpoint's metadata besides the listener's own entries, which take precedence.
     */
    public CheckpointListener(Path file, Map<String, String> metadata) {
        if (file == null) throw new IllegalArgumentException("CheckpointListener: file is null");
        if (metadata == null) throw new IllegalArgumentException("CheckpointListener: metadata is null");
        this.file = file;
        this.extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The checkpoint file. */
    public Path file() {
        return file;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put(Trainer.EPOCHS_COMPLETED_KEY, Integer.toString(metrics.epoch()));
        meta.put(OBJECTIVE_KEY, ctx.objective().name());
        if (ctx.schedule() != null) ctx.schedule().state().forEach((k, v) -> meta.put(SCHEDULE_PREFIX + k, Double.toString(v)));
        Checkpoint.save(file, ctx.model(), ctx.optimizer(), meta);
    }

    /** {@code "checkpoint"}. */
    @Override
    public String timingLabel() {
        return "checkpoint";
    }
}
