package dev.jgrad.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The exact element-wise kernels of {@link SimdKernels} for float32 storage: ReLU and its gradient, leaky ReLU and its
 * gradient, the four arithmetic operations (with the broadcasting layouts of {@link Operand}), in-place accumulation and
 * the finiteness check. Every kernel gives the values of the scalar reference ({@link ScalarKernels}) bit for bit, except
 * leaky ReLU in single precision (within 1 ulp: the slope is rounded to single precision first):
 * <ul>
 *   <li>ReLU is {@code max(x, 0)} (Vector API {@code MAX} has {@link Math#max} semantics: NaN propagates,
 *   {@code max(-0, 0) = +0}); its gradient selects {@code g} unless {@code x <= 0} (so at NaN, as PyTorch);</li>
 *   <li>{@code + − · /}: in single precision, the lane operation equals the scalar backend's double precision result
 *   rounded once (double precision holds more than {@code 2·24 + 2} bits, so that operation is exact before the
 *   rounding); in double precision it is the scalar backend's operation itself.</li>
 * </ul>
 *
 * <p>One source for both precisions: this file is the template of {@code SimdPointwiseF64} (on {@code DoubleVector}
 * and {@code double[]}, where each lane operation is the scalar backend's double operation itself), written by the
 * {@code generate-f64} step of the root {@code pom.xml}. Edit this file only. Tails shorter than a vector are done by
 * scalar loops. JIT note (as in {@link VectorMath}): loop-carried vectors are never receivers and every helper that
 * takes or returns a vector is small enough to be inlined, so no vector is boxed.
 */
final class SimdPointwiseF32 {
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector: outputs narrower than this take the scalar backend. */
    static final int LANES = SF.length();

    private SimdPointwiseF32() {
    }

    // ------------------------------------------------------------------------------------------ relu

    static void relu(float[] x, float[] out, int n) {
        FloatVector zero = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector.fromArray(SF, x, i).max(zero).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = (float) ScalarKernels.relu(x[i]);
    }

    static void reluBackward(float[] x, float[] g, float[] out, int n) {
        FloatVector zero = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            VectorMask<Float> notPos = FloatVector.fromArray(SF, x, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(SF, g, i).blend(zero, notPos).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] <= 0 ? 0f : g[i];
    }

    // ------------------------------------------------------------------------------------------ leaky relu

    /** {@code out = x > 0 ? x : slope·x} (the slope in the element type: see the class javadoc). */
    static void leakyRelu(float[] x, float slope, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, x, i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] > 0 ? x[i] : x[i] * slope;
    }

    /** {@code out = x > 0 ? g : slope·g}. */
    static void leakyReluBackward(float[] x, float slope, float[] g, float[] out, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector gv = FloatVector.fromArray(SF, g, i);
            gv.mul(slope).blend(gv, FloatVector.fromArray(SF, x, i).compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * slope;
    }

    // ------------------------------------------------------------------------------------------ arithmetic

    /**
     * {@code out = a ∘ b} for a {@code rows × cols} output whose operands have the given layouts ({@link Operand}:
     * full, a row broadcast over the rows, a column broadcast over the columns, a single value); {@code out} may be a
     * {@code FULL} operand. A per-row or single value is spread over one row buffer, so every row is a contiguous vector
     * loop; outputs narrower than a vector take the scalar backend.
     */
    static void binary(BinaryOp op, float[] a, Operand aLayout, float[] b, Operand bLayout, float[] out, int rows, int cols) {
        if (aLayout == Operand.FULL && bLayout == Operand.FULL) {
            binary(op, a, 0, b, 0, out, 0, rows * cols);
            return;
        }
        float[] aRow = spread(aLayout, a, cols), bRow = spread(bLayout, b, cols);
        for (int r = 0; r < rows; r++) {
            if (aLayout == Operand.COLUMN) Arrays.fill(aRow, a[r]);
            if (bLayout == Operand.COLUMN) Arrays.fill(bRow, b[r]);
            binary(op, aRow != null ? aRow : a, aLayout == Operand.FULL ? r * cols : 0,
                    bRow != null ? bRow : b, bLayout == Operand.FULL ? r * cols : 0, out, r * cols, cols);
        }
    }

    /** A row buffer for a {@code COLUMN} or {@code SCALAR} operand (the latter filled once), null for loaded layouts. */
    private static float[] spread(Operand layout, float[] x, int cols) {
        if (layout == Operand.FULL || layout == Operand.ROW) return null;
        float[] row = new float[cols];
        if (layout == Operand.SCALAR) Arrays.fill(row, x[0]);
        return row;
    }

    /**
     * {@code out[o + i] = a[ao + i] ∘ b[bo + i]} for {@code i < n}; {@code out} may alias {@code a} or {@code b} at the
     * same offset.
     */
    static void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int o, int n) {
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            apply(op, FloatVector.fromArray(SF, a, ao + i), FloatVector.fromArray(SF, b, bo + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = (float) op.apply(a[ao + i], b[bo + i]);
    }

    /** One operation on two vectors; small, so it is inlined and the loop-invariant switch is hoisted. */
    private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
        };
    }

    /** True iff no element of {@code x[0 .. n)} is NaN or infinite: {@code x − x} is 0 exactly for finite {@code x}, NaN otherwise. */
    static boolean allFinite(float[] x, int n) {
        FloatVector acc = FloatVector.zero(SF);
        int i = 0;
        for (int bound = SF.loopBound(n); i < bound; i += SF.length()) {
            FloatVector v = FloatVector.fromArray(SF, x, i);
            acc = v.sub(v).add(acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[i] - x[i];
        return s == 0;
    }
}
