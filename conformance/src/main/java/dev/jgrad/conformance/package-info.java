/**
 * Conformance-case machinery: reads the PyTorch reference cases of format {@code loss-conformance/1}
 * ({@link dev.jgrad.conformance.CaseReader}), compares jgrad results against them with the
 * tolerance rules of {@code FORMAT.md} ({@link dev.jgrad.conformance.Comparison}), and runs
 * whole case sets through a {@link dev.jgrad.conformance.CaseExecutor} into a
 * {@link dev.jgrad.conformance.Report} ({@link dev.jgrad.conformance.ConformanceRunner}).
 *
 * <p>This package depends on no jgrad tensor class: the executor is the only seam to the library.
 */
package dev.jgrad.conformance;
