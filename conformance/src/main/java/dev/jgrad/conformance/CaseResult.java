package dev.jgrad.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The verdict of one case run by {@link ConformanceRunner}: its {@link Status}, whether it was a
 * deviation, the per-tensor comparisons with the reference, and the reason text (skip reason,
 * exception, or deviation explanation).
 *
 * <p>Comparisons are keyed {@code "output"} and {@code "grad[<input>]"} (in {@code requires_grad}
 * order). They are present for computed and deviation outcomes, and empty for skipped cases and
 * executor errors.
 */
public final class CaseResult {

    /** Final status of a case. */
    public enum Status {
        /** Within tolerance, or an acceptable deviation. */
        PASSED,
        /** Out of tolerance, structural mismatch, missing gradient, executor error, or unacceptable deviation. */
        FAILED,
        /** The executor reported the op/option as unsupported. */
        SKIPPED
    }

    private final ConformanceCase testCase;
    private final Status status;
    private final boolean deviation;
    private final String reason;
    private final Map<String, Comparison.Result> comparisons;
    private final Outcome outcome;
    private final Throwable error;

    CaseResult(ConformanceCase testCase, Status status, boolean deviation, String reason,
               Map<String, Comparison.Result> comparisons, Outcome outcome, Throwable error) {
        this.testCase = Objects.requireNonNull(testCase, "testCase");
        this.status = Objects.requireNonNull(status, "status");
        this.deviation = deviation;
        this.reason = reason;
        this.comparisons = Collections.unmodifiableMap(new LinkedHashMap<>(comparisons));
        this.outcome = outcome;
        this.error = error;
    }

    /** @return the case */
    public ConformanceCase testCase() {
        return testCase;
    }

    /** @return the case name */
    public String name() {
        return testCase.name();
    }

    /** @return the op of the case */
    public String op() {
        return testCase.op();
    }

    /** @return the status */
    public Status status() {
        return status;
    }

    /** @return {@code true} if {@link Status#PASSED} (including acceptable deviations) */
    public boolean passed() {
        return status == Status.PASSED;
    }

    /** @return {@code true} if {@link Status#FAILED} */
    public boolean failed() {
        return status == Status.FAILED;
    }

    /** @return {@code true} if {@link Status#SKIPPED} */
    public boolean skipped() {
        return status == Status.SKIPPED;
    }

    /** @return {@code true} if the executor reported a documented deviation (acceptable or not) */
    public boolean isDeviation() {
        return deviation;
    }

    /**
     * @return the skip reason, the deviation explanation, or for failures caused by the executor the
     *         exception / problem text; {@code null} for ordinary passes and tolerance failures
     */
    public String reason() {
        return reason;
    }

    /** @return comparisons by label ({@code output}, {@code grad[<input>]}); unmodifiable */
    public Map<String, Comparison.Result> comparisons() {
        return comparisons;
    }

    /** @return labels of the comparisons that failed, in order */
    public List<String> failingTensors() {
        List<String> out = new ArrayList<>();
        comparisons.forEach((label, r) -> {
            if (!r.passed()) {
                out.add(label);
            }
        });
        return out;
    }

    /** @return the executor's outcome, {@code null} if it threw or returned {@code null} */
    public Outcome outcome() {
        return outcome;
    }

    /** @return the exception thrown by the executor or the deviation check, or {@code null} */
    public Throwable error() {
        return error;
    }

    /**
     * One line for the report's failure list: case name, then the first failing tensor with its worst
     * element (index, expected vs actual, error vs allowed), and the labels of further failing tensors;
     * or the executor problem; or, for an unacceptable deviation, its explanation.
     *
     * @return the line (no line breaks)
     */
    public String failureLine() {
        StringBuilder sb = new StringBuilder("FAIL ").append(name()).append(": ");
        if (deviation && error != null) {
            sb.append("deviation check threw ").append(ConformanceRunner.describe(error))
                    .append(" (deviation: ").append(reason).append("); ");
        } else if (deviation) {
            sb.append("deviation not acceptable (").append(reason).append("); ");
        } else if (reason != null) {
            return oneLine(sb.append(reason).toString());
        }
        List<String> failing = failingTensors();
        if (failing.isEmpty()) {
            sb.append("all tensors match the reference");
        } else {
            sb.append(comparisons.get(failing.get(0)).describe(failing.get(0)));
            if (failing.size() > 1) {
                sb.append("; also failing: ").append(String.join(", ", failing.subList(1, failing.size())));
            }
        }
        return oneLine(sb.toString());
    }

    /**
     * One line for the report's deviation list: case name, verdict, explanation and what jgrad
     * produced where it differs from the reference (worst element of the first differing tensor).
     *
     * @return the line (no line breaks)
     */
    public String deviationLine() {
        StringBuilder sb = new StringBuilder("DEVIATION ").append(name())
                .append(passed() ? " (acceptable): " : " (NOT acceptable): ").append(reason);
        List<String> failing = failingTensors();
        if (failing.isEmpty()) {
            sb.append("; jgrad matches the reference within tolerance");
        } else {
            sb.append("; jgrad vs reference: ").append(comparisons.get(failing.get(0)).describe(failing.get(0)));
            if (failing.size() > 1) {
                sb.append("; also differs: ").append(String.join(", ", failing.subList(1, failing.size())));
            }
        }
        return oneLine(sb.toString());
    }

    /** @return the status and name, e.g. {@code PASSED softmax/random/float32/0} */
    @Override
    public String toString() {
        return status + (deviation ? " (deviation) " : " ") + name();
    }

    static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
