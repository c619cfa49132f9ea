/**
 * Differentiable ops ({@link dev.jgrad.ops.Ops}); each is one small {@link dev.jgrad.core.Function} with
 * forward and backward side by side.
 *
 * <p><b>Derivatives.</b> The gradient of every op — and of every loss and layer {@code Function} — is on one
 * page, the derivative index {@code docs/derivatives.md} at the root of the repository (one line per op: its
 * public entry point, its {@code Function} class, the formula, and the stable form where it matters). The
 * formula is written there and in the op's {@code backward}, nowhere else; {@code DerivativeIndexTest} checks
 * that every {@code Function} has a line and a float64 gradcheck.
 *
 * <p>Hot kernels (GEMM, exp/log over arrays, the softmax family, reductions) are called through
 * {@link dev.jgrad.core.kernel.Kernels}, the one seam where faster implementations plug in.
 */
package dev.jgrad.ops;
