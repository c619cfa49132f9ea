package dev.jgrad.ops.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * Shared pieces of the property-based tests: value pools, tensors cut from them, gradient checks and
 * tolerances. Values are drawn by jqwik as a fixed-length pool in [-1, 1] and then scaled and mapped into each
 * op's domain, so shrinking works on the pool, the shape and the options independently.
 */
public final class PropertySupport {
    /** Length of a value pool: enough for the largest tensor any property builds. */
    public static final int POOL = 64;

    private PropertySupport() {
    }

    /** A pool of {@link #POOL} values in [-1, 1] (jqwik adds its edge cases -1, 0, 1 and friends). */
    public static Arbitrary<double[]> pool() {
        return Arbitraries.doubles().between(-1, 1).array(double[].class).ofSize(POOL);
    }

    /** Shapes of rank 1..3 with dimensions 1..4. */
    public static Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 4).array(int[].class).ofMinSize(1).ofMaxSize(3);
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** A tensor of {@code shape} whose element {@code i} is {@code f(pool[(offset + i) % POOL])}. */
    public static Tensor tensor(DType dt, double[] pool, int offset, int[] shape, DoubleUnaryOperator f) {
        int n = numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = f.applyAsDouble(pool[Math.floorMod(offset + i, pool.length)]);
        return Tensor.of(dt, v, shape.length == 0 ? new int[0] : shape).view(shape);
    }

    /** Float64 central-difference gradient check (PyTorch's tolerances); fails with the worst element's report. */
    public static GradCheck.Result gradcheck(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, inputs);
        if (!r.passed()) throw new AssertionError(what + ": " + r.report());
        return r;
    }

    /** Throws unless {@code |actual - expected| <= atol + rtol·|expected|} element-wise (NaN only matches NaN). */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + " vs " + Arrays.toString(expected.shape()));
        }
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.get(i), a = actual.get(i);
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (e == a) continue;
            double err = Math.abs(a - e), allowed = atol + rtol * Math.abs(e);
            if (!(err <= allowed)) {
                throw new AssertionError(String.format("%s: element %d: expected %.17g, got %.17g (|diff| %.3g > allowed %.3g = %.1g + %.1g·|expected|)",
                        what, i, e, a, err, allowed, atol, rtol));
            }
        }
    }

    public static boolean allFinite(Tensor t) {
        for (int i = 0; i < t.numel(); i++) if (!Double.isFinite(t.get(i))) return false;
        return true;
    }

    public static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.numel(); i++) m = Math.max(m, Math.abs(t.get(i)));
        return m;
    }

    /** The value pushed at least {@code gap} away from {@code kink} (for ops with a kink or a boundary there). */
    public static double awayFrom(double x, double kink, double gap) {
        double d = x - kink;
        if (Math.abs(d) >= gap) return x;
        return kink + (d >= 0 ? gap : -gap);
    }
}
