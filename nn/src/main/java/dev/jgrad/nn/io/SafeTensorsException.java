package dev.jgrad.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that is malformed, truncated, inconsistent or corrupted. The message
 * starts with the file and says what is wrong, e.g.
 * {@code /tmp/model.safetensors: tensor 'w': shape [3, 4] × F32 needs 48 bytes but data_offsets [0, 40] span 40}.
 */
public class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file    the file being read
     * @param problem what is wrong
     */
    public SafeTensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /**
     * Creates the exception with a cause.
     *
     * @param file    the file being read
     * @param problem what is wrong
     * @param cause   the underlying exception
     */
    public SafeTensorsException(Path file, String problem, Throwable cause) {
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
