/**
 * Conformance-case machinery: reads the PyTorch reference cases of format {@code loss-conformance/1}
 * ({@link dev.jgrad.losses.conformance.CaseReader}), compares jgrad results against them with the
 * tolerance rules of {@code FORMAT.md} ({@link dev.jgrad.losses.conformance.Comparison}), and runs
 * whole case sets through a {@link dev.jgrad.losses.conformance.CaseExecutor} into a
 * {@link dev.jgrad.losses.conformance.Report} ({@link dev.jgrad.losses.conformance.ConformanceRunner}).
 *
 * <p>This package depends on no jgrad tensor class: the executor is the only seam to the library.
 */
package dev.jgrad.losses.conformance;
