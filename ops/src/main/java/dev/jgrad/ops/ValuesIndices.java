package dev.jgrad.ops;

import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

/**
 * The two results of {@code torch.max(x, dim)}, {@code torch.min(x, dim)} and {@code torch.topk}: the values
 * (differentiable) and their indices along the reduced dim (same shape, not differentiable).
 *
 * @param values  the selected values
 * @param indices the position of each value along the dim
 */
public record ValuesIndices(Tensor values, IntTensor indices) {
}
