package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.Shape;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;

import java.util.random.RandomGenerator;

/**
 * PyTorch's {@code nn.MultiheadAttention} (query, key and value of the same size {@code embedDim}; no dropout on the
 * weights, no {@code add_bias_kv}/{@code add_zero_attn}): the packed input projection, {@code numHeads} heads of
 * {@link Ops#scaledDotProductAttention} on the batched GEMM, the output projection.
 *
 * <p>Parameters, named and initialised as in PyTorch 1.13: {@code in_proj_weight [3E, E]} (Xavier uniform),
 * {@code in_proj_bias [3E]} (zeros), and the child {@code out_proj}, a {@link Linear} with PyTorch's default weight
 * init and a zeroed bias ({@code out_proj.weight}, {@code out_proj.bias}); without bias there are no biases.
 *
 * <p>Layout: {@code [L, N, E]} (sequence first, PyTorch's default) or {@code [N, L, E]} with {@code batchFirst};
 * unbatched {@code [L, E]} inputs are accepted.
 */
public final class MultiheadAttention extends Module {
    private final int embedDim, numHeads;
    private final boolean batchFirst;
    private final Tensor inProjWeight, inProjBias;
    private final Linear outProj;

    /** The output and, when asked for, the head-averaged attention weights {@code [N, L, S]} (else null). */
    public record Output(Tensor output, Tensor weights) {
    }

    /**
     * @param embedDim   model width {@code E} ({@code > 0}, divisible by {@code numHeads})
     * @param numHeads   heads ({@code > 0})
     * @param bias       whether the projections have biases
     * @param batchFirst inputs {@code [N, L, E]} instead of {@code [L, N, E]}
     * @param rng        seeded generator for the initialisation
     * @param dtype      parameter dtype
     * @throws IllegalArgumentException for sizes that do not fit or a null generator or dtype
     */
    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean batchFirst, RandomGenerator rng, DType dtype) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim + " must be positive and divisible by numHeads "
                    + numHeads);
        }
        if (rng == null || dtype == null) throw new IllegalArgumentException("MultiheadAttention: " + (rng == null ? "rng" : "dtype") + " is null");
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        Tensor w = Tensor.zeros(dtype, 3 * embedDim, embedDim);
        Init.XAVIER_UNIFORM.fillWeight(w, rng);
        this.inProjWeight = registerParameter("in_proj_weight", w);
        this.inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(dtype, 3 * embedDim)) : null;
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, Init.PYTORCH_DEFAULT, rng, dtype));
        if (bias) for (int i = 0; i < embedDim; i++) outProj.bias().set(i, 0.0);
    }

    /** {@code in_proj_weight [3E, E]}. */
    public Tensor inProjWeight() {
        return inProjWeight;
    }

    /** {@code in_proj_bias [3E]}, or null. */
    public Tensor inProjBias() {
        return inProjBias;
    }

    /** The output projection {@code out_proj}. */
    public Linear outProj() {
        return outProj;
    }

    /** Self-attention without masks: {@code forward(x, x, x, null, null, false, false).output()}. */
    @Override
    public Tensor forward(Tensor x) {
        if (x == null) throw new IllegalArgumentException("MultiheadAttention: x is null");
        return forward(x, x, x, null, null, false, false).output();
    }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask)} (plus PyTorch 2.x's
     * {@code is_causal}).
     *
     * @param query          {@code [L, N, E]} ({@code [N, L, E]} with batchFirst, or {@code [L, E]})
     * @param key            {@code [S, N, E]} (likewise)
     * @param value          {@code [S, N, E]} (likewise)
     * @param attnMask       additive float mask {@code [L, S]} or {@code [N·numHeads, L, S]}, or null; PyTorch's
     *                       boolean form ({@code true} = not allowed) is {@code Ops.attentionMask(Ops.eq(mask, 0))}
     * @param keyPaddingMask 0/1 {@code [N, S]} ({@code [S]} unbatched), non-zero = padding, ignored as a key (PyTorch's
     *                       boolean form), or null
     * @param needWeights    also return the attention weights averaged over the heads
     * @param isCausal       apply the causal mask (key {@code j > } query {@code i} not allowed); when
     *                       {@code attnMask} is given it is taken as that mask, PyTorch 2.x's hint semantics
     * @return the output {@code [L, N, E]} (the query's layout) and the weights {@code [N, L, S]} or null
     * @throws IllegalArgumentException naming the argument and shapes when they do not fit
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask,
                          boolean needWeights, boolean isCausal) {
        if (query == null || key == null || value == null) throw new IllegalArgumentException("MultiheadAttention: query, key or value is null");
        boolean unbatched = query.rank() == 2;
        int rank = unbatched ? 2 : 3;
        if (query.rank() != rank || key.rank() != rank || value.rank() != rank || query.size(rank - 1) != embedDim
                || key.size(rank - 1) != embedDim || value.size(rank - 1) != embedDim || !sameShape(key, value)) {
            throw new IllegalArgumentException("MultiheadAttention: query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape())
                    + " and value " + Shape.str(value.shape()) + " must be " + (batchFirst ? "[N, L, E]" : "[L, N, E]")
                    + " (or [L, E]) with E = " + embedDim + " and key and value of one shape");
        }
        Tensor q = batchMajor(query, unbatched), k = batchMajor(key, unbatched), v = batchMajor(value, unbatched);
        int n = q.size(0), l = q.size(1), s = k.size(1);
        if (n != k.size(0)) {
            throw new IllegalArgumentException("MultiheadAttention: query " + Shape.str(query.shape()) + " and key "
                    + Shape.str(key.shape()) + " have different batch sizes");
        }
        Tensor[] qkv = project(q, k, v, query == key && key == value);
        Tensor mask = mask(attnMask, keyPaddingMask, n, l, s, unbatched);
        boolean causal = isCausal && attnMask == null;
        if (causal && mask != null) { // key padding and the causal mask: one additive mask
            mask = Ops.add(mask, causalMask(l, s, q.dtype()));
            causal = false;
        }
        Tensor w = Ops.attentionWeights(heads(qkv[0], n, l), heads(qkv[1], n, s), mask, causal, Double.NaN);
        Tensor o = Ops.reshape(Ops.permute(Ops.matmul(w, heads(qkv[2], n, s)), 0, 2, 1, 3), n, l, embedDim);
        o = outProj.forward(o);
        if (unbatched) o = Ops.squeeze(o, 0);
        else if (!batchFirst) o = Ops.transpose(o, 0, 1);
        Tensor avg = null;
        if (needWeights) {
            avg = Ops.mean(w, 1, false);
            if (unbatched) avg = Ops.squeeze(avg, 0);
        }
        return new Output(o, avg);
    }

    private static boolean sameShape(Tensor a, Tensor b) {
        return java.util.Arrays.equals(a.shape(), b.shape());
    }

    /** {@code [N, T, E]}. */
    private Tensor batchMajor(Tensor x, boolean unbatched) {
        if (unbatched) return Ops.unsqueeze(x, 0);
        return batchFirst ? x : Ops.transpose(x, 0, 1);
    }

    /** The three projections; one product and a split for self-attention (PyTorch's packed path). */
    private Tensor[] project(Tensor q, Tensor k, Tensor v, boolean self) {
        if (self) return Ops.chunk(Ops.linear(q, inProjWeight, inProjBias), 3, -1);
        Tensor[] w = Ops.chunk(inProjWeight, 3, 0), b = inProjBias == null ? new Tensor[3] : Ops.chunk(inProjBias, 3, 0);
        return new Tensor[]{Ops.linear(q, w[0], b[0]), Ops.linear(k, w[1], b[1]), Ops.linear(v, w[2], b[2])};
    }

    /** {@code [N, T, E] → [N, H, T, E/H]}. */
    private Tensor heads(Tensor x, int n, int t) {
        return Ops.permute(Ops.reshape(x, n, t, numHeads, embedDim / numHeads), 0, 2, 1, 3);
    }

    /** The additive mask on the scores {@code [N, H, L, S]}: attnMask plus the key padding as {@code -inf}, or null. */
    private Tensor mask(Tensor attnMask, Tensor keyPaddingMask, int n, int l, int s, boolean unbatched) {
        Tensor m = null;
        if (attnMask != null) {
            int[] a = attnMask.shape();
            if (a.length == 2 && a[0] == l && a[1] == s) {
                m = attnMask;
            } else if (a.length == 3 && a[0] == n * numHeads && a[1] == l && a[2] == s) {
                m = Ops.reshape(attnMask, n, numHeads, l, s);
            } else {
                throw new IllegalArgumentException("MultiheadAttention: attnMask " + Shape.str(a) + " must be [L, S] = [" + l + ", " + s
                        + "] or [N·numHeads, L, S] = [" + n * numHeads + ", " + l + ", " + s + "]");
            }
        }
        if (keyPaddingMask != null) {
            int[] p = keyPaddingMask.shape();
            if (unbatched ? p.length != 1 || p[0] != s : p.length != 2 || p[0] != n || p[1] != s) {
                throw new IllegalArgumentException("MultiheadAttention: keyPaddingMask " + Shape.str(p) + " must be "
                        + (unbatched ? "[S] = [" + s + "]" : "[N, S] = [" + n + ", " + s + "]"));
            }
            Tensor pad = Ops.reshape(Ops.attentionMask(Ops.eq(keyPaddingMask, 0)), n, 1, 1, s);
            m = m == null ? pad : Ops.add(m, pad);
        }
        return m;
    }

    /** {@code -inf} above the diagonal of {@code [l, s]}, 0 elsewhere (a constant). */
    private static Tensor causalMask(int l, int s, DType dtype) {
        Tensor m = Tensor.zeros(dtype, l, s);
        for (int i = 0; i < l; i++) for (int j = i + 1; j < s; j++) m.set(i * s + j, Double.NEGATIVE_INFINITY);
        return m;
    }
}
