package dev.jgrad.conformance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs conformance cases through a {@link CaseExecutor} and collects a {@link Report}.
 *
 * <p>Per case: the executor's output is compared with {@link ConformanceCase#output()}, and for every
 * name in {@link ConformanceCase#requiresGrad()} the executor's gradient with the expected one (a
 * missing gradient fails), all with the case's {@link Tolerance} via {@link Comparison}. The verdict:
 * <ul>
 *   <li>{@link Outcome.Kind#COMPUTED}: passed iff every comparison passes;</li>
 *   <li>{@link Outcome.Kind#UNSUPPORTED}: skipped (never passed), with the reason;</li>
 *   <li>{@link Outcome.Kind#DEVIATION}: the comparisons are still made and reported, but the case
 *       counts as <em>passed only if the executor's deviation is acceptable</em> (its flag or
 *       {@link Outcome.DeviationCheck}), and as failed otherwise;</li>
 *   <li>an exception thrown by the executor (including {@link AssertionError} and
 *       {@link StackOverflowError}) or a {@code null} outcome: failed, with the exception's message.</li>
 * </ul>
 * Cases run sequentially in the given order. The runner is stateless apart from its executor.
 */
public final class ConformanceRunner {

    /** Comparison label of the forward output. */
    public static final String OUTPUT = "output";

    private final CaseExecutor executor;

    /**
     * @param executor the executor under test
     */
    public ConformanceRunner(CaseExecutor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * The comparison label of a gradient: {@code grad[<input>]}.
     *
     * @param inputName input name
     * @return the label
     */
    public static String gradLabel(String inputName) {
        return "grad[" + inputName + "]";
    }

    /**
     * Runs all cases.
     *
     * @param cases the cases, in report order
     * @return the report
     */
    public Report run(List<ConformanceCase> cases) {
        return run(cases, c -> true);
    }

    /**
     * Runs the cases of the given ops only; the others are left out of the report entirely (they are
     * not "skipped").
     *
     * @param cases the cases
     * @param ops   op names to keep; {@code null} or empty means all ops
     * @return the report
     * @throws IllegalArgumentException if an op name matches no case (catches typos)
     */
    public Report run(List<ConformanceCase> cases, Collection<String> ops) {
        if (ops == null || ops.isEmpty()) {
            return run(cases);
        }
        Set<String> wanted = new LinkedHashSet<>(ops);
        Set<String> present = new LinkedHashSet<>();
        for (ConformanceCase c : cases) {
            present.add(c.op());
        }
        for (String op : wanted) {
            if (!present.contains(op)) {
                throw new IllegalArgumentException("no cases for op '" + op + "'; ops present: " + present);
            }
        }
        return run(cases, c -> wanted.contains(c.op()));
    }

    /**
     * Runs the cases accepted by {@code filter}; the others are left out of the report.
     *
     * @param cases  the cases
     * @param filter which cases to run
     * @return the report
     */
    public Report run(List<ConformanceCase> cases, Predicate<ConformanceCase> filter) {
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : cases) {
            if (filter.test(c)) {
                results.add(runCase(c));
            }
        }
        return new Report(results);
    }

    /**
     * Runs and judges one case (see the class comment for the rules).
     *
     * @param c the case
     * @return its result; never throws for executor problems
     */
    public CaseResult runCase(ConformanceCase c) {
        Outcome outcome;
        try {
            outcome = executor.execute(c);
        } catch (Exception | AssertionError | StackOverflowError e) {
            return new CaseResult(c, CaseResult.Status.FAILED, false, "executor threw " + describe(e),
                    Map.of(), null, e);
        }
        if (outcome == null) {
            return new CaseResult(c, CaseResult.Status.FAILED, false, "executor returned null", Map.of(), null, null);
        }
        if (outcome.isUnsupported()) {
            return new CaseResult(c, CaseResult.Status.SKIPPED, false, outcome.reason(), Map.of(), outcome, null);
        }
        Map<String, Comparison.Result> comparisons = new LinkedHashMap<>();
        comparisons.put(OUTPUT, Comparison.compare(c.output(), outcome.output(), c.tolerance()));
        for (Map.Entry<String, CaseTensor> e : c.grads().entrySet()) {
            comparisons.put(gradLabel(e.getKey()),
                    Comparison.compare(e.getValue(), outcome.grads().get(e.getKey()), c.tolerance()));
        }
        boolean allMatch = comparisons.values().stream().allMatch(Comparison.Result::passed);
        if (!outcome.isDeviation()) {
            return new CaseResult(c, allMatch ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, false, null,
                    comparisons, outcome, null);
        }
        boolean acceptable;
        try {
            acceptable = outcome.deviationCheck().acceptable(c, outcome.output(), outcome.grads(),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(comparisons)));
        } catch (Exception | AssertionError | StackOverflowError e) {
            return new CaseResult(c, CaseResult.Status.FAILED, true, outcome.reason(), comparisons, outcome, e);
        }
        return new CaseResult(c, acceptable ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, true,
                outcome.reason(), comparisons, outcome, null);
    }

    /**
     * @param t a throwable
     * @return its simple class name and message on one line
     */
    static String describe(Throwable t) {
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + CaseResult.oneLine(msg));
    }
}
