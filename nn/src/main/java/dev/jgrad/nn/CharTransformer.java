package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A tiny GPT-style character-level language model (makemore's transformer): token embedding {@code wte} plus a
 * learned position embedding {@code wpe}, {@code layers} pre-norm {@link TransformerEncoderLayer} blocks ({@code h.0},
 * {@code h.1}, ...; ReLU (PyTorch's default), feed-forward width {@code 4·dim}, no dropout) with causal self-attention, a final
 * {@link LayerNorm} {@code ln_f} and the {@link Linear} head {@code lm_head}. The same model in PyTorch:
 * <pre>
 * self.wte = nn.Embedding(vocab, dim); self.wpe = nn.Embedding(block, dim)
 * self.h = nn.ModuleList([nn.TransformerEncoderLayer(dim, heads, 4 * dim, 0.0, batch_first=True, norm_first=True)
 *                         for _ in range(layers)])
 * self.ln_f = nn.LayerNorm(dim); self.lm_head = nn.Linear(dim, vocab)
 * # forward: x = wte(idx) + wpe(arange(T)); x = block(x, src_mask=causal) for each block; lm_head(ln_f(x))
 * </pre>
 * Parameters are initialised as PyTorch's layers initialise themselves (embeddings N(0, 1), Linear's default).
 */
public final class CharTransformer extends Module {
    private final int vocabSize, blockSize;
    private final Embedding wte, wpe;
    private final Sequential h;
    private final LayerNorm lnF;
    private final Linear lmHead;
    /** {@code positions[t]} = the positions {@code 0..t-1}, built once. */
    private final IntTensor[] positions;

    /**
     * @param vocabSize tokens ({@code > 0})
     * @param blockSize longest context ({@code > 0})
     * @param dim       model width (divisible by {@code heads})
     * @param heads     attention heads
     * @param layers    transformer blocks ({@code > 0})
     * @param rng       seeded generator for the initialisation
     * @param dtype     parameter dtype
     * @throws IllegalArgumentException for sizes that do not fit
     */
    public CharTransformer(int vocabSize, int blockSize, int dim, int heads, int layers, RandomGenerator rng, DType dtype) {
        if (vocabSize <= 0 || blockSize <= 0 || layers <= 0) {
            throw new IllegalArgumentException("CharTransformer: vocabSize " + vocabSize + ", blockSize " + blockSize + " and layers " + layers
                    + " must be positive");
        }
        this.vocabSize = vocabSize;
        this.blockSize = blockSize;
        this.wte = registerModule("wte", new Embedding(vocabSize, dim, rng, dtype));
        this.wpe = registerModule("wpe", new Embedding(blockSize, dim, rng, dtype));
        List<Module> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) blocks.add(new TransformerEncoderLayer(dim, heads, 4 * dim, 0.0, "relu", 1e-5, true, true, rng, dtype));
        this.h = registerModule("h", new Sequential(blocks));
        this.lnF = registerModule("ln_f", new LayerNorm(new int[]{dim}, dtype));
        this.lmHead = registerModule("lm_head", new Linear(dim, vocabSize, true, Init.PYTORCH_DEFAULT, rng, dtype));
        this.positions = new IntTensor[blockSize + 1];
        for (int t = 1; t <= blockSize; t++) {
            int[] p = new int[t];
            for (int i = 0; i < t; i++) p[i] = i;
            positions[t] = IntTensor.of(p, t);
        }
    }

    /** Vocabulary size. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Longest context. */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The next-token logits at every position.
     *
     * @param idx tokens {@code [B, T]}, {@code 1 ≤ T ≤ blockSize}
     * @return logits {@code [B, T, vocabSize]}; position {@code t} sees tokens {@code 0..t} only
     * @throws IllegalArgumentException for another shape or a token outside the vocabulary
     */
    public Tensor forward(IntTensor idx) {
        if (idx == null || idx.rank() != 2 || idx.shape()[1] < 1 || idx.shape()[1] > blockSize) {
            throw new IllegalArgumentException("CharTransformer: idx " + (idx == null ? "null" : Shape.str(idx.shape()))
                    + " must be [B, T] with 1 <= T <= blockSize " + blockSize);
        }
        Tensor x = Ops.add(wte.forward(idx), wpe.forward(positions[idx.shape()[1]]));
        for (Module block : h.layers()) x = ((TransformerEncoderLayer) block).forward(x, null, null, true);
        return lmHead.forward(lnF.forward(x));
    }

    /** {@link #forward(IntTensor)} with the tokens given as a float tensor of integral values. */
    @Override
    public Tensor forward(Tensor idx) {
        if (idx == null) throw new IllegalArgumentException("CharTransformer: idx is null");
        int[] v = new int[idx.numel()];
        for (int i = 0; i < v.length; i++) {
            double d = idx.get(i);
            if (d != Math.rint(d) || d < 0 || d >= vocabSize) throw new IllegalArgumentException("CharTransformer: token " + d + " outside [0, " + vocabSize + ")");
            v[i] = (int) d;
        }
        return forward(IntTensor.of(v, idx.shape()));
    }
}
