package dev.jgrad.conformance;

import java.io.IOException;

/**
 * A case file that is not valid JSON, has the wrong {@code format} tag, or violates the
 * {@code loss-conformance/1} structure. The message names the file and, where known, the case.
 */
public class CaseFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message description naming the file (and case)
     */
    public CaseFormatException(String message) {
        super(message);
    }

    /**
     * @param message description naming the file (and case)
     * @param cause   the underlying parse or validation error
     */
    public CaseFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
