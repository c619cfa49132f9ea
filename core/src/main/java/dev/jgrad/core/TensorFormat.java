package dev.jgrad.core;

/** Renders tensors like NumPy/PyTorch: nested brackets, and {@code ...} summaries past 1000 elements. */
final class TensorFormat {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        int[] shape = t.shape();
        boolean summarise = t.numel() > THRESHOLD;
        if (shape.length == 0) {
            sb.append(num(t.get(0), t.dtype()));
        } else {
            append(sb, t, shape, 0, 0, summarise, 7);
        }
        sb.append(", shape=").append(Shape.str(shape)).append(", dtype=").append(t.dtype());
        if (t.gradFn() != null) sb.append(", gradFn=").append(t.gradFn().name());
        else if (t.requiresGrad()) sb.append(", requiresGrad=true");
        return sb.append(')').toString();
    }

    private static void append(StringBuilder sb, Tensor t, int[] shape, int dim, int offset, boolean summarise, int indent) {
        int n = shape[dim];
        int stride = Shape.prod(shape, dim + 1, shape.length);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE - 1;
                continue;
            }
            if (dim == shape.length - 1) {
                sb.append(num(t.get(offset + i), t.dtype()));
            } else {
                append(sb, t, shape, dim + 1, offset + i * stride, summarise, indent);
            }
            if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
        }
        sb.append(']');
    }

    private static String num(double v, DType dtype) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (dtype == DType.FLOAT32) return Float.toString((float) v);
        return Double.toString(v);
    }
}
