package dev.jgrad.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed case file: its {@code format} tag, the {@code reference} description (e.g.
 * {@code torch 1.13.1 (CPU)}) and its cases in file order.
 */
public final class CaseFile {

    /** The only format tag this reader accepts. */
    public static final String FORMAT = "loss-conformance/1";

    private final String format;
    private final String reference;
    private final List<ConformanceCase> cases;
    private final Path source;

    /**
     * @param format    format tag, normally {@link #FORMAT}
     * @param reference reference description
     * @param cases     the cases (copied)
     * @param source    the file the cases came from, or {@code null} if not read from a file
     */
    public CaseFile(String format, String reference, List<ConformanceCase> cases, Path source) {
        this.format = Objects.requireNonNull(format, "format");
        this.reference = Objects.requireNonNull(reference, "reference");
        this.cases = List.copyOf(cases);
        this.source = source;
    }

    /** @return the format tag */
    public String format() {
        return format;
    }

    /** @return the reference description */
    public String reference() {
        return reference;
    }

    /** @return the cases in file order; unmodifiable */
    public List<ConformanceCase> cases() {
        return cases;
    }

    /** @return the file the cases were read from, if known */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** @return the source (or reference) and the case count */
    @Override
    public String toString() {
        return (source != null ? source.toString() : reference) + " (" + cases.size() + " cases)";
    }
}
