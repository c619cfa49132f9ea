package dev.jgrad.data;

import java.io.IOException;

/**
 * A data set that is not bundled (such as Fashion-MNIST) could not be found on disk.
 * The message says which file is missing and how to install the data set.
 */
public class DatasetNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the full message, including an installation hint
     */
    public DatasetNotFoundException(String message) {
        super(message);
    }
}
