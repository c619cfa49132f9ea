package dev.jgrad.losses;

import dev.jgrad.core.Function;
import dev.jgrad.core.Storage;
import dev.jgrad.core.Tensor;

/**
 * {@code cosine_embedding_loss(x1, x2, y)} per row (PyTorch 1.13's ATen formula): {@code p = Σ x1·x2},
 * {@code m1 = Σ x1² + ε}, {@code m2 = Σ x2² + ε} ({@code ε = 1e-12}), {@code c = p/√(m1·m2)};
 * {@code l = 1 - c} where {@code y = 1}, {@code max(c - margin, 0)} where {@code y = -1}, 0 for any other label.
 * Gradient: {@code dl/dc} ({@code -1}, or 1 where {@code c - margin ≥ 0}, else 0) times
 * {@code dc/dx1 = x2/√(m1·m2) - c·x1/m1} and {@code dc/dx2 = x1/√(m1·m2) - c·x2/m2}; none for {@code y}.
 * Inputs are {@code [N, D]} with {@code y} of {@code [N]}, or {@code [D]} with a 0-d {@code y}; either input may have
 * one row ({@code [1, D]}) broadcast over the other's rows.
 */
final class CosineEmbedding extends Function {
    static final double EPSILON = 1e-12;
    private double margin;
    private Reduction reduction;
    private int rows, dim;
    private final double[] norms = new double[3];

    private CosineEmbedding() {
    }

    static CosineEmbedding of(double margin, Reduction reduction) {
        CosineEmbedding op = node(CosineEmbedding.class, CosineEmbedding::new);
        op.margin = margin;
        op.reduction = reduction;
        return op;
    }

    @Override
    public String name() {
        return "cosine_embedding_loss";
    }

    /** Checks the arguments; returns the number of rows N (1 for 1-D inputs). */
    static int check(Tensor x1, Tensor x2, Tensor y, Reduction r) {
        String op = "cosine_embedding_loss";
        if (x1 == null || x2 == null || y == null) {
            throw new IllegalArgumentException(op + ": " + (x1 == null ? "input1" : x2 == null ? "input2" : "target") + " is null");
        }
        if (r == null) throw new IllegalArgumentException(op + ": reduction is null");
        r.requireNotBatchmean(op);
        if (x2.dtype() != x1.dtype() || y.dtype() != x1.dtype()) {
            throw new IllegalArgumentException(op + ": " + (x2.dtype() != x1.dtype() ? "input2 dtype " + x2.dtype() : "target dtype " + y.dtype())
                    + " differs from input1 dtype " + x1.dtype());
        }
        if (y.rank() > 1) throw new IllegalArgumentException(op + ": 0D or 1D target tensor expected, multi-target not supported (target of shape " + dev.jgrad.core.Shape.str(y.shape()) + ")");
        int want = y.rank() + 1;
        if (x1.rank() != want || x2.rank() != want) {
            throw new IllegalArgumentException(op + ": " + y.rank() + "D target tensor expects " + want + "D input tensors, but found inputs with sizes "
                    + dev.jgrad.core.Shape.str(x1.shape()) + " and " + dev.jgrad.core.Shape.str(x2.shape()));
        }
        if (x1.size(-1) != x2.size(-1)) {
            throw new IllegalArgumentException(op + ": input1 of shape " + dev.jgrad.core.Shape.str(x1.shape()) + " and input2 of shape "
                    + dev.jgrad.core.Shape.str(x2.shape()) + " must have the same last dimension");
        }
        if (want == 1) return 1;
        int n1 = x1.size(0), n2 = x2.size(0);
        if (n1 != n2 && n1 != 1 && n2 != 1) {
            throw new IllegalArgumentException(op + ": input1 of shape " + dev.jgrad.core.Shape.str(x1.shape()) + " and input2 of shape "
                    + dev.jgrad.core.Shape.str(x2.shape()) + " do not broadcast (rows " + n1 + " vs " + n2 + ")");
        }
        int n = Math.max(n1, n2);
        if (n1 == 0 || n2 == 0) n = 0;
        if (y.size(0) != n) {
            throw new IllegalArgumentException(op + ": target of shape " + dev.jgrad.core.Shape.str(y.shape()) + " must have one label per row ("
                    + n + ")");
        }
        return n;
    }

    @Override
    protected Tensor forward(Tensor... in) {
        Tensor x1 = in[0], x2 = in[1], y = in[2];
        boolean oneD = x1.rank() == 1;
        dim = x1.size(-1);
        rows = oneD ? 1 : Math.max(x1.size(0), x2.size(0));
        if (!oneD && (x1.size(0) == 0 || x2.size(0) == 0)) rows = 0;
        Tensor out = reduction == Reduction.NONE ? (oneD ? out(x1.dtype()) : out(x1.dtype(), rows)) : out(x1.dtype());
        double s = 0;
        for (int r = 0; r < rows; r++) {
            double l = rowLoss(x1, x2, y, r);
            if (reduction == Reduction.NONE) out.set(r, l);
            else s += l;
        }
        if (reduction != Reduction.NONE) out.set(0, reduction == Reduction.MEAN ? s / rows : s);
        save(x1, x2, y);
        return out;
    }

    /** Offset of row {@code r} of {@code x} (0 for a 1-D input or a single broadcast row). */
    private int offset(Tensor x, int r) {
        return x.rank() == 2 && x.size(0) > 1 ? r * dim : 0;
    }

    /** Cosine of row {@code r}; leaves {@code m1}, {@code m2} and {@code √(m1·m2)} in {@link #norms}. */
    private double cos(Storage a, int oa, Storage b, int ob) {
        double p = 0, m1 = 0, m2 = 0;
        for (int k = 0; k < dim; k++) {
            double av = a.get(oa + k), bv = b.get(ob + k);
            p += av * bv;
            m1 += av * av;
            m2 += bv * bv;
        }
        m1 += EPSILON;
        m2 += EPSILON;
        double d = Math.sqrt(m1 * m2);
        norms[0] = m1;
        norms[1] = m2;
        norms[2] = d;
        return p / d;
    }

    private double rowLoss(Tensor x1, Tensor x2, Tensor y, int r) {
        double c = cos(x1.storage(), offset(x1, r), x2.storage(), offset(x2, r)), t = y.storage().get(r);
        return t == 1 ? 1 - c : t == -1 ? Math.max(c - margin, 0) : 0;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x1 = saved()[0], x2 = saved()[1], y = saved()[2];
        Tensor g1 = needsInputGrad(0) ? outLike(x1) : null, g2 = needsInputGrad(1) ? outLike(x2) : null;
        Storage a = x1.storage(), b = x2.storage(), gs = g.storage();
        for (int r = 0; r < rows; r++) {
            int oa = offset(x1, r), ob = offset(x2, r);
            double c = cos(a, oa, b, ob), m1 = norms[0], m2 = norms[1], d = norms[2], t = y.storage().get(r);
            double dc = t == 1 ? -1 : t == -1 ? (c - margin >= 0 ? 1 : 0) : 0;
            double gr = reduction == Reduction.NONE ? gs.get(r) : reduction == Reduction.MEAN ? gs.get(0) / rows : gs.get(0);
            double f = gr * dc;
            for (int k = 0; k < dim; k++) {
                double av = a.get(oa + k), bv = b.get(ob + k);
                if (g1 != null) g1.storage().add(oa + k, f * (bv / d - c * av / m1));
                if (g2 != null) g2.storage().add(ob + k, f * (av / d - c * bv / m2));
            }
        }
        return gradients(g1, g2, null);
    }
}
