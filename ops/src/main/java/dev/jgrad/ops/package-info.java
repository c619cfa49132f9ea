/**
 * Differentiable ops ({@link dev.jgrad.ops.Ops}); each is one small {@link dev.jgrad.core.Function} with
 * forward and backward side by side.
 *
 * <h2>Derivative index</h2>
 * <p>{@code g} is the gradient w.r.t. the output {@code y}; broadcast gradients are summed back to each
 * input's shape; {@code Σ} runs along the op's {@code dim}.
 * <pre>
 * add(a, b)          da = g                       db = g
 * sub(a, b)          da = g                       db = -g
 * mul(a, b)          da = g·b                     db = g·a
 * div(a, b)          da = g/b                     db = -g·a/b²
 * neg(a)             da = -g
 * pow(a, p)          da = g·p·a^(p-1)             (0 when p = 0)
 * matmul(A, B)       dA = g·Bᵀ                    dB = Aᵀ·g
 * linear(x, W, b)    dx = g·W                     dW = gᵀ·x          db = Σ_rows g
 * transpose(a)       da = gᵀ
 * reshape(a)         da = reshape(g, shape(a))
 * cat(dim, a..)      da_i = slice_i(g)
 * gather(a, idx)     da[.., idx[.., j]] += g[.., j]
 * indexSelect(a)     da[idx[i]] += g[i]
 * sum(a[, dim])      da = broadcast(g)
 * mean(a[, dim])     = sum / n
 * max(a, dim)        da = g at the first arg-max, 0 elsewhere
 * max(a)             da = g / #ties at every maximal element
 * exp(a)             da = g·y
 * log(a)             da = g/a
 * sqrt(a)            da = g/(2y)
 * abs(a)             da = g·sign(a)
 * sigmoid(a)         da = g·y·(1-y)
 * tanh(a)            da = g·(1-y²)
 * relu(a)            da = g·[a &gt; 0]
 * gelu(a)            da = g·(Φ(a) + a·φ(a))
 * softplus(a; β, t)  da = g·sigmoid(β·a)         (g where β·a &gt; t)
 * clamp(a, lo, hi)   da = g·[lo ≤ a ≤ hi]
 * softmax(a)         da = y ⊙ (g - Σ g⊙y)
 * logSoftmax(a)      da = g - exp(y)·Σ g
 * logSumExp(a)       da = g·exp(a - y)
 * </pre>
 *
 * <p>Hot kernels (GEMM, exp/log over arrays, the softmax family, reductions) are called through
 * {@link dev.jgrad.core.kernel.Kernels}, the one seam where faster implementations plug in.
 */
package dev.jgrad.ops;
