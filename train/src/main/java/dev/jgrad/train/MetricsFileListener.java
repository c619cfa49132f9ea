package dev.jgrad.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.jgrad.nn.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the run's history to {@code metrics.csv} ({@link EpochMetrics#CSV_HEADER}, then one {@link EpochMetrics#csv()}
 * line per epoch) and {@code metrics.json} (an indented array of the {@link EpochMetrics} records) in a directory,
 * both rewritten atomically after every epoch (a temporary file renamed over the old one), so they are complete after
 * any epoch, even if the process dies while writing. On {@link Trainer#resume} it reads the
 * earlier epochs back from {@code metrics.json}, so the files of a resumed run cover the whole run.
 * {@link Trainer.Builder#outDir(Path)} adds one. Uses Jackson.
 */
public final class MetricsFileListener implements TrainingListener {
    /** The CSV file's name. */
    public static final String CSV = "metrics.csv";
    /** The JSON file's name. */
    public static final String JSON = "metrics.json";

    private final Path dir;

    /** Writes into {@code dir} (created at the start of a fit if needed). */
    public MetricsFileListener(Path dir) {
        if (dir == null) throw new IllegalArgumentException("MetricsFileListener: dir is null");
        this.dir = dir;
    }

    /** Reads a {@code metrics.json} written by this listener. */
    public static List<EpochMetrics> read(Path json) throws IOException {
        return List.of(new ObjectMapper().readValue(json.toFile(), EpochMetrics[].class));
    }

    /** One configured writer for every epoch (building an {@code ObjectMapper} per epoch cost milliseconds). */
    private static final com.fasterxml.jackson.databind.ObjectWriter JSON_WRITER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writer();

    @Override
    public void onFitStart(TrainingContext ctx) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
        List<EpochMetrics> history = ctx.history();
        StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) csv.append(m.csv()).append('\n');
        // each file is replaced atomically (temporary + rename): a crash mid-write leaves the previous epoch's complete file
        AtomicFiles.write(dir.resolve(CSV), csv.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(JSON), JSON_WRITER.writeValueAsBytes(history));
    }

    /** The epochs in the directory's {@code metrics.json}, if there is one (the trainer keeps those it resumes after). */
    @Override
    public List<EpochMetrics> onResume(TrainingContext ctx, int epochsCompleted) throws IOException {
        Path json = dir.resolve(JSON);
        return Files.isRegularFile(json) ? read(json) : List.of();
    }

    /** {@code "metrics"}. */
    @Override
    public String timingLabel() {
        return "metrics";
    }
}
