package dev.jgrad.conformance;

/**
 * The seam between the conformance machinery and jgrad: given a case, run the op forward on the
 * case inputs and options (at the case dtype), back-propagate {@link ConformanceCase#gradOutput()},
 * and hand back the output and the gradients of the inputs in {@link ConformanceCase#requiresGrad()}.
 *
 * <p>Implementations return {@link Outcome#computed}, {@link Outcome#unsupported} for an op or
 * option jgrad does not implement (reported as skipped, never as passed), or
 * {@link Outcome#deviation} for a documented, deliberate difference from PyTorch. Any exception
 * thrown (and {@code null} returned) is reported by {@link ConformanceRunner} as a failure of the
 * case, with the exception's message.
 */
@FunctionalInterface
public interface CaseExecutor {

    /**
     * Runs one case.
     *
     * @param c the case (inputs, options, upstream gradient)
     * @return what jgrad produced, or why it did not
     */
    Outcome execute(ConformanceCase c);
}
