package dev.jgrad.lab.precision;

/**
 * How a reduction adds its terms, in the accumulation format of a {@link Precision} (every partial result is
 * rounded to that format).
 */
public enum Summation {
    /** A running sum, left to right: {@code s = round(s + x)}. Error grows like {@code n·eps}. */
    PLAIN("plain"),
    /** Pairwise (cascade) summation: halves summed recursively, blocks of up to 8 terms summed plainly. Error grows like {@code log2(n)·eps}. */
    PAIRWISE("pairwise"),
    /** Compensated summation (Neumaier's variant of Kahan's): the rounding error of every addition is carried in a second sum. Error about {@code 2·eps}, independent of {@code n}. */
    COMPENSATED("compensated");

    private final String label;

    Summation(String label) {
        this.label = label;
    }

    /**
     * The lower-case name.
     *
     * @return {@code plain}, {@code pairwise} or {@code compensated}
     */
    public String label() {
        return label;
    }

    /**
     * Parses a label ({@code kahan} and {@code neumaier} are aliases of {@code compensated}).
     *
     * @param s the name
     * @return the summation
     * @throws IllegalArgumentException for an unknown name
     */
    public static Summation parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "plain", "naive" -> PLAIN;
            case "pairwise", "cascade" -> PAIRWISE;
            case "compensated", "kahan", "neumaier" -> COMPENSATED;
            default -> throw new IllegalArgumentException("unknown summation '" + s + "' (plain, pairwise, compensated)");
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
