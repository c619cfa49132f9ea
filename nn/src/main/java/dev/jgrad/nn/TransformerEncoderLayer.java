package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/**
 * PyTorch 1.13's {@code nn.TransformerEncoderLayer}: self-attention and a feed-forward block, each with a residual
 * connection and a layer norm, post-norm (the default) or pre-norm ({@code normFirst}):
 * <pre>
 * normFirst:  x = x + dropout1(self_attn(norm1(x)));  x = x + dropout2(linear2(dropout(act(linear1(norm2(x))))))
 * otherwise:  x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))
 * </pre>
 *
 * <p>Children, named and initialised as in PyTorch: {@code self_attn} ({@link MultiheadAttention} with biases),
 * {@code linear1 [F, E]}, {@code dropout}, {@code linear2 [E, F]} (PyTorch's default Linear init), {@code norm1},
 * {@code norm2} ({@link LayerNorm}), {@code dropout1}, {@code dropout2}; so its state dict has PyTorch's names
 * ({@code self_attn.in_proj_weight}, {@code linear1.weight}, ..., {@code norm2.bias}).
 */
public final class TransformerEncoderLayer extends Module {
    private final boolean normFirst;
    private final boolean gelu;
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2;
    private final LayerNorm norm1, norm2;

    /**
     * @param dModel         model width {@code E} (divisible by {@code nhead})
     * @param nhead          attention heads
     * @param dimFeedforward hidden width {@code F} of the feed-forward block (PyTorch's default 2048)
     * @param dropout        drop probability of the three dropouts, in [0, 1) (PyTorch's default 0.1)
     * @param activation     {@code "relu"} (PyTorch's default) or {@code "gelu"}
     * @param layerNormEps   eps of both layer norms (PyTorch's default 1e-5)
     * @param batchFirst     inputs {@code [N, S, E]} instead of {@code [S, N, E]}
     * @param normFirst      pre-norm (layer norm before each block) instead of post-norm
     * @param rng            seeded generator for the initialisation and the dropout seeds
     * @param dtype          parameter dtype
     * @throws IllegalArgumentException for sizes that do not fit, an unknown activation or a null generator or dtype
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst, RandomGenerator rng, DType dtype) {
        if (rng == null) throw new IllegalArgumentException("TransformerEncoderLayer: rng is null");
        if (dtype == null) throw new IllegalArgumentException("TransformerEncoderLayer: dtype is null");
        if (dimFeedforward <= 0) throw new IllegalArgumentException("TransformerEncoderLayer: dimFeedforward " + dimFeedforward + " must be positive");
        if (!"relu".equals(activation) && !"gelu".equals(activation)) {
            throw new IllegalArgumentException("TransformerEncoderLayer: activation '" + activation + "' must be relu or gelu");
        }
        if (rng == null) throw new IllegalArgumentException("TransformerEncoderLayer: rng is null");
        this.normFirst = normFirst;
        this.gelu = activation.equals("gelu");
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, rng, dtype));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, Init.PYTORCH_DEFAULT, rng, dtype));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng.nextLong()));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, Init.PYTORCH_DEFAULT, rng, dtype));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[]{dModel}, layerNormEps, true, dtype));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[]{dModel}, layerNormEps, true, dtype));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, rng.nextLong()));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, rng.nextLong()));
    }

    /** The self-attention {@code self_attn}. */
    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    /** Without masks: {@code forward(src, null, null, false)}. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * PyTorch's {@code forward(src, src_mask, src_key_padding_mask)} (plus PyTorch 2.x's {@code is_causal}).
     *
     * @param src                {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or unbatched {@code [S, E]})
     * @param srcMask            additive float mask {@code [S, S]} or {@code [N·nhead, S, S]}, or null
     * @param srcKeyPaddingMask  0/1 {@code [N, S]}, non-zero = padding, or null
     * @param isCausal           apply the causal mask (as {@link MultiheadAttention#forward(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)})
     * @return the output, shaped like {@code src}
     * @throws IllegalArgumentException naming the argument and shapes when they do not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        if (normFirst) {
            x = Ops.add(x, attention(norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
            return Ops.add(x, feedForward(norm2.forward(x)));
        }
        x = norm1.forward(Ops.add(x, attention(x, srcMask, srcKeyPaddingMask, isCausal)));
        return norm2.forward(Ops.add(x, feedForward(x)));
    }

    private Tensor attention(Tensor x, Tensor mask, Tensor keyPadding, boolean isCausal) {
        return dropout1.forward(selfAttn.forward(x, x, x, mask, keyPadding, false, isCausal).output());
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.forward(x);
        h = gelu ? Ops.gelu(h) : Ops.relu(h);
        return dropout2.forward(linear2.forward(dropout.forward(h)));
    }
}
