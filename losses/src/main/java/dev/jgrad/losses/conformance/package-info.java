/**
 * Conformance-case machinery: reads the PyTorch reference cases of format {@code loss-conformance/1}
 * ({@link dev.jgrad.losses.conformance.CaseReader}), compares jgrad results against them with the
 * tolerance rules of {@code FORMAT.md} ({@link dev.jgrad.losses.conformance.Comparison}), and runs
 * whole case sets through a {@link dev.jgrad.losses.conformance.CaseExecutor} into a
 * {@link dev.jgrad.losses.conformance.Report} ({@link dev.jgrad.losses.conformance.ConformanceRunner}).
 *
 * <p>The {@link dev.jgrad.losses.conformance.CaseExecutor} interface is the only seam to the library: the reader,
 * the cases, the comparison, the runner and the report use no jgrad tensor, op or loss class (they hold plain
 * arrays, {@link dev.jgrad.losses.conformance.CaseTensor}); only its implementation over jgrad,
 * {@link dev.jgrad.losses.conformance.JgradCaseExecutor}, turns the cases into tensors and calls
 * {@link dev.jgrad.losses.Losses}.
 */
package dev.jgrad.losses.conformance;
