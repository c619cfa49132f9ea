package dev.jgrad.nn;

import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.Arrays;

/**
 * PyTorch's {@code nn.Unflatten(dim, unflattened_size)}: splits dimension {@code dim} into {@code sizes}, as a view
 * sharing the data (e.g. image rows {@code [N, 784]} to {@code [N, 1, 28, 28]} with {@code Unflatten(1, 1, 28, 28)}).
 * One size may be {@code -1} (inferred). No parameters.
 *
 * @see Flatten
 * @see Ops#reshape(Tensor, int...)
 */
public final class Unflatten extends Module {
    private final int dim;
    private final int[] sizes;

    /**
     * @param dim   the dimension to split; negative counts from the end
     * @param sizes its new sizes, whose product must equal its size (one may be {@code -1})
     * @throws IllegalArgumentException for no sizes, a size below {@code -1} or 0, or more than one {@code -1}
     */
    public Unflatten(int dim, int... sizes) {
        if (sizes == null) throw new IllegalArgumentException("Unflatten: sizes is null");
        if (sizes.length == 0) throw new IllegalArgumentException("Unflatten: unflattened_size is empty");
        int inferred = 0;
        for (int s : sizes) {
            if (s == -1) inferred++;
            else if (s <= 0) throw new IllegalArgumentException("Unflatten: sizes must be positive or -1, got " + Arrays.toString(sizes));
        }
        if (inferred > 1) throw new IllegalArgumentException("Unflatten: only one size may be -1, got " + Arrays.toString(sizes));
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException("Unflatten: x is null");
        int[] s = x.shape();
        int d = Shape.dim("Unflatten", dim, s.length);
        int known = 1;
        for (int v : sizes) if (v != -1) known *= v;
        if (s[d] % known != 0 || (known != s[d] && Arrays.stream(sizes).noneMatch(v -> v == -1))) {
            throw new IllegalArgumentException("Unflatten: sizes " + Arrays.toString(sizes) + " don't multiply to dimension " + dim
                    + " of size " + s[d] + " in input " + Shape.str(s));
        }
        int[] out = new int[s.length - 1 + sizes.length];
        System.arraycopy(s, 0, out, 0, d);
        for (int i = 0; i < sizes.length; i++) out[d + i] = sizes[i] == -1 ? s[d] / known : sizes[i];
        System.arraycopy(s, d + 1, out, d + sizes.length, s.length - d - 1);
        return Ops.reshape(x, out);
    }
}
