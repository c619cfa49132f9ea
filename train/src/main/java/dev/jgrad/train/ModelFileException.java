package dev.jgrad.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that {@link Model#load} cannot use: not a jgrad model (another safetensors file, a training checkpoint, not a
 * safetensors file at all), written by a newer jgrad, or damaged (a failed integrity check, a malformed description).
 * The message starts with the file, e.g. {@code runs/x/model.safetensors: not a jgrad model (...)}.
 */
public final class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file    the file being loaded
     * @param problem what is wrong with it
     * @param cause   the underlying exception, or null
     */
    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /**
     * The file the problem was found in.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }
}
