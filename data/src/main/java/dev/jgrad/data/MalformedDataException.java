package dev.jgrad.data;

import java.io.IOException;

/**
 * A data file that could be opened but whose contents are not what the loader expects:
 * a bad header, a wrong column count, a non-numeric value, a label out of range, a bad
 * IDX magic number, a truncated file, and so on.
 *
 * <p>The message always starts with the source (file name or resource name) and, for
 * line-oriented formats, the 1-based line number, e.g.
 * {@code iris.csv:17: expected 5 columns (4 features + label) but found 4}.
 */
public class MalformedDataException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file or resource name. */
    private final String source;
    /** The 1-based line number, or -1. */
    private final long line;

    /**
     * Creates an exception for a problem at a specific line.
     *
     * @param source the file or resource name
     * @param line   the 1-based line number, or {@code -1} when not line-specific
     * @param problem what is wrong
     */
    public MalformedDataException(String source, long line, String problem) {
        super(line > 0 ? source + ":" + line + ": " + problem : source + ": " + problem);
        this.source = source;
        this.line = line;
    }

    /**
     * Creates an exception for a problem that is not tied to a line.
     *
     * @param source the file or resource name
     * @param problem what is wrong
     */
    public MalformedDataException(String source, String problem) {
        this(source, -1, problem);
    }

    /**
     * Creates an exception that wraps a lower-level cause (e.g. a gzip error).
     *
     * @param source the file or resource name
     * @param problem what is wrong
     * @param cause the underlying exception
     */
    public MalformedDataException(String source, String problem, Throwable cause) {
        this(source, -1, problem);
        initCause(cause);
    }

    /**
     * The file or resource name the problem was found in.
     *
     * @return the source name
     */
    public String source() {
        return source;
    }

    /**
     * The 1-based line number of the problem.
     *
     * @return the line number, or {@code -1} when the problem is not tied to a line
     */
    public long line() {
        return line;
    }
}
