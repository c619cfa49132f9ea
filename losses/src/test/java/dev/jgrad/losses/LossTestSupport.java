package dev.jgrad.losses;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared fixtures of the loss tests: seeded inputs, the option grid, gradcheck and closeness helpers. */
final class LossTestSupport {
    private LossTestSupport() {
    }

    /** Batch size and number of classes of the standard classification fixture. */
    static final int N = 6, C = 4;

    /** Per-class weights (all distinct, none equal to 1, so a dropped or misplaced weight shows). */
    static final double[] CLASS_WEIGHT = {0.5, 2.0, 1.0, 1.5};

    static final DType F32 = DType.FLOAT32, F64 = DType.FLOAT64;

    /** The three ignore_index situations of the conformance grid. */
    enum Ignore {
        /** ignore_index -100, no target equals it. */
        NONE(-100, new int[]{0, 3, 1, 2, 3, 1}),
        /** ignore_index -100 present in the targets. */
        MINUS_100_PRESENT(-100, new int[]{0, -100, 1, 2, -100, 3}),
        /** a valid class (2) used as ignore_index. */
        VALID_CLASS(2, new int[]{0, 2, 1, 2, 3, 1});

        final int index;
        final int[] targets;

        Ignore(int index, int[] targets) {
            this.index = index;
            this.targets = targets;
        }

        IntTensor target() {
            return IntTensor.of(targets);
        }

        boolean isIgnored(int row) {
            return targets[row] == index;
        }
    }

    /** One combination of the class-index options. */
    record IndexCase(boolean weighted, Ignore ignore, double eps, Reduction reduction) {
        IntTensor target() {
            return ignore.target();
        }

        Tensor weight(DType dt) {
            return weighted ? Tensor.of(dt, CLASS_WEIGHT) : null;
        }

        CrossEntropyLoss module(SoftmaxCrossEntropy strategy, DType dt) {
            return CrossEntropyLoss.builder().weight(weight(dt)).ignoreIndex(ignore.index).reduction(reduction)
                    .labelSmoothing(eps).strategy(strategy).build();
        }

        @Override
        public String toString() {
            return (weighted ? "weight" : "noWeight") + "/" + ignore + "/eps=" + eps + "/" + reduction;
        }
    }

    /** One combination of the probability-target options. */
    record ProbCase(boolean weighted, double eps, Reduction reduction) {
        Tensor weight(DType dt) {
            return weighted ? Tensor.of(dt, CLASS_WEIGHT) : null;
        }

        CrossEntropyLoss module(SoftmaxCrossEntropy strategy, DType dt) {
            return CrossEntropyLoss.builder().weight(weight(dt)).reduction(reduction).labelSmoothing(eps).strategy(strategy).build();
        }

        @Override
        public String toString() {
            return (weighted ? "weight" : "noWeight") + "/eps=" + eps + "/" + reduction;
        }
    }

    static final Reduction[] CLASS_REDUCTIONS = {Reduction.NONE, Reduction.MEAN, Reduction.SUM};

    /** weight × ignore × ε ∈ {0, 0.1} × {NONE, MEAN, SUM}: 36 cases. */
    static Stream<IndexCase> indexCases() {
        List<IndexCase> out = new ArrayList<>();
        for (boolean w : new boolean[]{false, true}) {
            for (Ignore ig : Ignore.values()) {
                for (double eps : new double[]{0.0, 0.1}) {
                    for (Reduction r : CLASS_REDUCTIONS) out.add(new IndexCase(w, ig, eps, r));
                }
            }
        }
        return out.stream();
    }

    /** weight × ε × {NONE, MEAN, SUM}: 12 cases. */
    static Stream<ProbCase> probCases() {
        List<ProbCase> out = new ArrayList<>();
        for (boolean w : new boolean[]{false, true}) {
            for (double eps : new double[]{0.0, 0.1}) {
                for (Reduction r : CLASS_REDUCTIONS) out.add(new ProbCase(w, eps, r));
            }
        }
        return out.stream();
    }

    // ------------------------------------------------------------------ inputs

    static Tensor randn(long seed, DType dt, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), dt, shape);
    }

    static Tensor uniform(long seed, double lo, double hi, DType dt, int... shape) {
        return Tensor.rand(new SplittableRandom(seed), lo, hi, dt, shape);
    }

    /** Rows of strictly positive probabilities summing to 1 (softmax of seeded normals, computed in plain Java). */
    static Tensor probabilityRows(long seed, DType dt, int n, int c) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] d = new double[n * c];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < c; k++) s += d[i * c + k] = Math.exp(r.nextGaussian());
            for (int k = 0; k < c; k++) d[i * c + k] /= s;
        }
        return Tensor.of(dt, d, n, c);
    }

    /** A float64 tensor holding exactly the float32-rounded values of {@code t}. */
    static Tensor roundedToF32(Tensor t) {
        return t.to(F32).to(F64);
    }

    // ------------------------------------------------------------------ gradients

    /**
     * Central-difference gradcheck in float64; additionally requires that every input that needs a gradient
     * received one with at least one non-zero element (so a loss that silently returns a constant cannot pass).
     */
    static void gradcheck(String label, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r;
        try {
            r = GradCheck.assertGradients(f, inputs);
        } catch (AssertionError e) {
            throw new AssertionError(label + ": " + e.getMessage(), e);
        }
        assertTrue(r.checked() > 0, label + ": nothing was checked");
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) continue;
            Tensor g = inputs[i].grad();
            assertNotNull(g, label + ": input " + i + " received no gradient");
            assertTrue(maxAbs(g) > 0, label + ": gradient of input " + i + " is identically zero");
        }
    }

    /** The output and the input gradients of one forward/backward run. */
    record Run(Tensor out, Tensor[] grads) {
        Tensor grad(int i) {
            return grads[i];
        }
    }

    /**
     * Runs {@code f} on fresh leaf copies of {@code inputs} (keeping each one's requiresGrad flag), backpropagates a
     * seeded random upstream gradient of the output's shape (the same for every call with the same output shape) and
     * returns the output and the gradients.
     */
    static Run run(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = inputs[i].copy().requiresGrad(inputs[i].requiresGrad());
        Tensor out = f.apply(leaves);
        if (out.requiresGrad()) {
            out.backward(upstream(out));
        }
        Tensor[] g = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) g[i] = leaves[i].grad();
        return new Run(out, g);
    }

    /** The upstream gradient {@link #run} backpropagates for an output: seeded normals of its shape and dtype. */
    static Tensor upstream(Tensor out) {
        return Tensor.randn(new SplittableRandom(4242), F64, out.shape()).to(out.dtype());
    }

    // ------------------------------------------------------------------ comparisons

    static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.numel(); i++) m = Math.max(m, Math.abs(t.get(i)));
        return m;
    }

    /** Element-wise {@code |a - e| <= atol + rtol·|e|}; NaN matches NaN, infinities must match exactly; shapes must match. */
    static void assertClose(String msg, Tensor expected, Tensor actual, double rtol, double atol) {
        assertNotNull(expected, msg + ": expected tensor is null");
        assertNotNull(actual, msg + ": actual tensor is null");
        assertArrayEquals(expected.shape(), actual.shape(), msg + ": shape");
        assertClose(msg, expected.toDoubleArray(), actual.toDoubleArray(), rtol, atol);
    }

    static void assertClose(String msg, double[] expected, double[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, msg + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            boolean ok;
            if (Double.isNaN(e)) ok = Double.isNaN(a);
            else if (Double.isInfinite(e)) ok = a == e;
            else ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(msg + ": element " + i + " expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e)
                        + ", allowed " + (atol + rtol * Math.abs(e)) + ")\n expected " + Arrays.toString(expected)
                        + "\n actual   " + Arrays.toString(actual));
            }
        }
    }

    static void assertClose(String msg, double expected, double actual, double rtol, double atol) {
        assertClose(msg, new double[]{expected}, new double[]{actual}, rtol, atol);
    }

    static void assertAllFinite(String msg, Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            assertTrue(Double.isFinite(t.get(i)), msg + ": element " + i + " is " + t.get(i) + " in " + Arrays.toString(t.toDoubleArray()));
        }
    }

    static boolean anyNonFinite(Tensor t) {
        for (int i = 0; i < t.numel(); i++) if (!Double.isFinite(t.get(i))) return true;
        return false;
    }
}
