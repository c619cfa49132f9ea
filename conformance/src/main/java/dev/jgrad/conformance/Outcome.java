package dev.jgrad.conformance;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link CaseExecutor} produced for a case. One of three kinds:
 * <ul>
 *   <li>{@link Kind#COMPUTED}: an output and gradients, judged by {@link Comparison} against the
 *       reference: the case passes iff the output and every expected gradient are within tolerance;</li>
 *   <li>{@link Kind#UNSUPPORTED}: jgrad does not implement the op or an option; the case is
 *       skipped with the reason (never counted as passed);</li>
 *   <li>{@link Kind#DEVIATION}: a documented, deliberate difference from PyTorch (e.g. jgrad stays
 *       finite where PyTorch overflows). The computed result is carried anyway, still compared
 *       against the reference and shown in the report, but the verdict comes from the executor:
 *       either a fixed {@code acceptable} flag or a {@link DeviationCheck} that the runner evaluates.
 *       An acceptable deviation counts as passed, an unacceptable one as failed.</li>
 * </ul>
 * Gradient maps are keyed by input name; gradients of inputs not in
 * {@link ConformanceCase#requiresGrad()} are ignored, missing ones fail the case.
 */
public final class Outcome {

    /** The kind of outcome. */
    public enum Kind {
        /** Output and gradients were computed normally. */
        COMPUTED,
        /** The op or an option is not implemented; the case is skipped. */
        UNSUPPORTED,
        /** A documented deliberate deviation from the reference, with its own verdict. */
        DEVIATION
    }

    /**
     * Decides whether a deviating result is acceptable; evaluated by {@link ConformanceRunner} after
     * comparing the result with the reference. An exception thrown here fails the case.
     */
    @FunctionalInterface
    public interface DeviationCheck {

        /**
         * @param c           the case
         * @param output      the output jgrad produced
         * @param grads       the gradients jgrad produced, by input name
         * @param comparisons the comparison with the reference of {@code output} (key {@code "output"})
         *                    and of each expected gradient (key {@code "grad[<input>]"}), in that order
         * @return {@code true} if the deviation is acceptable for this case
         */
        boolean acceptable(ConformanceCase c, Computed output, Map<String, Computed> grads,
                           Map<String, Comparison.Result> comparisons);
    }

    private final Kind kind;
    private final String reason;
    private final Computed output;
    private final Map<String, Computed> grads;
    private final DeviationCheck check;

    private Outcome(Kind kind, String reason, Computed output, Map<String, Computed> grads, DeviationCheck check) {
        this.kind = kind;
        this.reason = reason;
        this.output = output;
        this.grads = grads;
        this.check = check;
    }

    /**
     * A normally computed result.
     *
     * @param outShape output shape ({@code []} for a scalar loss)
     * @param out      flat row-major output values (float32 results widened to double)
     * @param grads    gradient per input name; {@code null} is treated as empty
     * @return the outcome
     * @throws IllegalArgumentException if {@code out} does not fit {@code outShape}
     */
    public static Outcome computed(int[] outShape, double[] out, Map<String, Computed> grads) {
        return computed(Computed.of(outShape, out), grads);
    }

    /**
     * A normally computed result.
     *
     * @param output the output
     * @param grads  gradient per input name; {@code null} is treated as empty
     * @return the outcome
     */
    public static Outcome computed(Computed output, Map<String, Computed> grads) {
        return new Outcome(Kind.COMPUTED, null, Objects.requireNonNull(output, "output"), copy(grads), null);
    }

    /**
     * The op or an option of the case is not implemented; the case is reported as skipped.
     *
     * @param reason what is missing, e.g. {@code "label_smoothing not implemented"}
     * @return the outcome
     */
    public static Outcome unsupported(String reason) {
        return new Outcome(Kind.UNSUPPORTED, requireText(reason, "reason"), null, Map.of(), null);
    }

    /**
     * A documented deliberate deviation with a fixed verdict.
     *
     * @param explanation human explanation shown in the report (why jgrad differs, and how)
     * @param acceptable  whether the produced result is acceptable (counts as passed) or not (failed)
     * @param outShape    output shape
     * @param out         flat row-major output values
     * @param grads       gradient per input name; {@code null} is treated as empty
     * @return the outcome
     */
    public static Outcome deviation(String explanation, boolean acceptable, int[] outShape, double[] out,
                                    Map<String, Computed> grads) {
        return deviation(explanation, (c, o, g, r) -> acceptable, outShape, out, grads);
    }

    /**
     * A documented deliberate deviation whose verdict is computed by {@code check} (e.g. "output
     * finite and every gradient within tolerance").
     *
     * @param explanation human explanation shown in the report
     * @param check       decides acceptability once the result has been compared with the reference
     * @param outShape    output shape
     * @param out         flat row-major output values
     * @param grads       gradient per input name; {@code null} is treated as empty
     * @return the outcome
     */
    public static Outcome deviation(String explanation, DeviationCheck check, int[] outShape, double[] out,
                                    Map<String, Computed> grads) {
        return new Outcome(Kind.DEVIATION, requireText(explanation, "explanation"), Computed.of(outShape, out),
                copy(grads), Objects.requireNonNull(check, "check"));
    }

    private static Map<String, Computed> copy(Map<String, Computed> grads) {
        return grads == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(grads));
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return s;
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return {@code true} for {@link Kind#UNSUPPORTED} */
    public boolean isUnsupported() {
        return kind == Kind.UNSUPPORTED;
    }

    /** @return {@code true} for {@link Kind#DEVIATION} */
    public boolean isDeviation() {
        return kind == Kind.DEVIATION;
    }

    /** @return the unsupported reason or the deviation explanation; {@code null} for computed outcomes */
    public String reason() {
        return reason;
    }

    /** @return the output, {@code null} for unsupported outcomes */
    public Computed output() {
        return output;
    }

    /** @return gradients by input name (unmodifiable, empty for unsupported outcomes) */
    public Map<String, Computed> grads() {
        return grads;
    }

    /** @return the deviation check, {@code null} unless {@link #isDeviation()} */
    public DeviationCheck deviationCheck() {
        return check;
    }

    /** @return kind and reason */
    @Override
    public String toString() {
        return kind + (reason != null ? ": " + reason : "");
    }
}
