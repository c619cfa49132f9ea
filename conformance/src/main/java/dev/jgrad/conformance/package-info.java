/**
 * Conformance-case machinery: reads the PyTorch reference cases of format {@code loss-conformance/1}
 * ({@link dev.jgrad.conformance.CaseReader}), compares jgrad results against them with the
 * tolerance rules of {@code FORMAT.md} ({@link dev.jgrad.conformance.Comparison}), and runs
 * whole case sets through a {@link dev.jgrad.conformance.CaseExecutor} into a
 * {@link dev.jgrad.conformance.Report} ({@link dev.jgrad.conformance.ConformanceRunner}).
 *
 * <p>The {@link dev.jgrad.conformance.CaseExecutor} interface is the only seam to the library: the reader,
 * the cases, the comparison, the runner and the report use no jgrad tensor, op or loss class (they hold plain
 * arrays, {@link dev.jgrad.conformance.CaseTensor}); only its implementation over jgrad,
 * {@link dev.jgrad.conformance.JgradCaseExecutor}, turns the cases into tensors and calls
 * {@link dev.jgrad.losses.Losses}.
 */
package dev.jgrad.conformance;
