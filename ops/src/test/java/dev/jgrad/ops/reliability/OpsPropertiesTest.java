package dev.jgrad.ops.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.ops.Ops;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.core.DType.FLOAT64;
import static dev.jgrad.ops.reliability.PropertySupport.assertClose;
import static dev.jgrad.ops.reliability.PropertySupport.awayFrom;
import static dev.jgrad.ops.reliability.PropertySupport.gradcheck;
import static dev.jgrad.ops.reliability.PropertySupport.numel;
import static dev.jgrad.ops.reliability.PropertySupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based tests of the ops (jqwik; on failure jqwik prints the seed and the shrunk sample):
 * <ul>
 *   <li>float64 gradcheck of a representative set of ops — pointwise, broadcasting arithmetic, matrix products,
 *       reductions, the softmax family and the shape/index ops — on small random shapes and values;</li>
 *   <li>softmax rows sum to 1 (1e-6 in float32, 1e-12 in float64) at scales 1e-3..1e4, and up to 1e300 in float64,
 *       with log_softmax, logsumexp and softmax consistent with each other;</li>
 *   <li>float32 agrees with float64 on the same (float32-rounded) inputs within the kernel seam's documented bounds.</li>
 * </ul>
 */
class OpsPropertiesTest {
    private static final AtomicLong TRIES = new AtomicLong();

    @AfterContainer
    static void report() {
        System.out.println("OpsPropertiesTest: " + TRIES.get() + " generated tries");
    }

    @Provide
    Arbitrary<double[]> pool() {
        return PropertySupport.pool();
    }

    @Provide
    Arbitrary<int[]> shape() {
        return PropertySupport.shapes();
    }

    /** Moderate scales for gradient checks (finite differences need curvature well above rounding). */
    @Provide
    Arbitrary<Double> gradScale() {
        return Arbitraries.of(1e-3, 0.1, 1.0, 3.0);
    }

    @Provide
    Arbitrary<Double> extremeScale() {
        return Arbitraries.of(1e-3, 1e-1, 1.0, 10.0, 1e2, 1e3, 1e4);
    }

    // ================================================================== gradcheck: one-input ops

    /** How inputs are mapped into an op's domain. */
    enum Domain {
        ANY(x -> x),
        POSITIVE(x -> Math.abs(x) + 0.1),
        AWAY_FROM_ZERO(x -> awayFrom(x, 0, 0.01)),
        CLAMP_SAFE(x -> awayFrom(awayFrom(x, -0.5, 0.01), 0.5, 0.01));

        final DoubleUnaryOperator map;

        Domain(DoubleUnaryOperator map) {
            this.map = map;
        }
    }

    /** Ops of one tensor (and a dimension where they take one). */
    enum UnaryOp {
        EXP(Domain.ANY, (x, d) -> Ops.exp(x)),
        LOG(Domain.POSITIVE, (x, d) -> Ops.log(x)),
        SQRT(Domain.POSITIVE, (x, d) -> Ops.sqrt(x)),
        ABS(Domain.AWAY_FROM_ZERO, (x, d) -> Ops.abs(x)),
        NEG(Domain.ANY, (x, d) -> Ops.neg(x)),
        SIGMOID(Domain.ANY, (x, d) -> Ops.sigmoid(x)),
        TANH(Domain.ANY, (x, d) -> Ops.tanh(x)),
        RELU(Domain.AWAY_FROM_ZERO, (x, d) -> Ops.relu(x)),
        GELU(Domain.ANY, (x, d) -> Ops.gelu(x)),
        SOFTPLUS(Domain.ANY, (x, d) -> Ops.softplus(x, 2.0, 5.0)),
        CLAMP(Domain.CLAMP_SAFE, (x, d) -> Ops.clamp(x, -0.5, 0.5)),
        POW_SQUARE(Domain.ANY, (x, d) -> Ops.pow(x, 2)),
        POW_FRACTIONAL(Domain.POSITIVE, (x, d) -> Ops.pow(x, 1.5)),
        POW_NEGATIVE(Domain.POSITIVE, (x, d) -> Ops.pow(x, -2)),
        SCALAR_ARITHMETIC(Domain.ANY, (x, d) -> Ops.rsub(2.0, Ops.div(Ops.mul(Ops.add(x, 1.5), 3.0), 4.0))),
        SUM_ALL(Domain.ANY, (x, d) -> Ops.sum(x)),
        SUM_DIM(Domain.ANY, (x, d) -> Ops.sum(x, d, false)),
        MEAN_ALL(Domain.ANY, (x, d) -> Ops.mean(x)),
        MEAN_DIM_KEEP(Domain.ANY, (x, d) -> Ops.mean(x, d, true)),
        MAX_ALL(Domain.ANY, (x, d) -> Ops.max(x)),
        MAX_DIM(Domain.ANY, (x, d) -> Ops.max(x, d, false)),
        SOFTMAX(Domain.ANY, (x, d) -> Ops.softmax(x, d)),
        LOG_SOFTMAX(Domain.ANY, (x, d) -> Ops.logSoftmax(x, d)),
        LOGSUMEXP(Domain.ANY, (x, d) -> Ops.logSumExp(x, d, false)),
        TRANSPOSE(Domain.ANY, (x, d) -> Ops.transpose(x)),
        RESHAPE(Domain.ANY, (x, d) -> Ops.reshape(x, -1)),
        CAT(Domain.ANY, (x, d) -> Ops.cat(d, x, Ops.mul(x, x))),
        INDEX_SELECT(Domain.ANY, (x, d) -> {
            int size = x.size(d);
            return Ops.indexSelect(x, d, IntTensor.of(size - 1, 0, size / 2, size - 1)); // repeats accumulate
        }),
        GATHER(Domain.ANY, (x, d) -> {
            int[] s = x.shape();
            int c = s[s.length - 1], rows = x.numel() / c;
            int[] idx = new int[rows * 3];
            for (int i = 0; i < idx.length; i++) idx[i] = (i * 7 + 1) % c;
            int[] is = s.clone();
            is[is.length - 1] = 3;
            return Ops.gather(x, IntTensor.of(idx, is));
        });

        final Domain domain;
        final BiFunction<Tensor, Integer, Tensor> f;

        UnaryOp(Domain domain, BiFunction<Tensor, Integer, Tensor> f) {
            this.domain = domain;
            this.f = f;
        }

        boolean isMax() {
            return this == MAX_ALL || this == MAX_DIM;
        }
    }

    @Property(tries = 500)
    void oneInputOpsPassGradcheck(@ForAll UnaryOp op, @ForAll("shape") int[] shape, @ForAll @IntRange(min = -3, max = 2) int dimSeed,
                                  @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        int dim = Math.floorMod(dimSeed, shape.length) - (dimSeed < 0 ? shape.length : 0); // negative dims too
        Tensor x = tensor(FLOAT64, pool, 0, shape, u -> op.domain.map.applyAsDouble(u * scale));
        if (op.isMax()) {
            // spread the values so that no two are within the finite-difference step of each other (a tie is a kink)
            for (int i = 0; i < x.numel(); i++) x.set(i, x.get(i) + 0.01 * i);
            double[] v = x.toDoubleArray();
            Arrays.sort(v);
            for (int i = 1; i < v.length; i++) Assume.that(v[i] - v[i - 1] > 1e-4);
        }
        x.requiresGrad(true);
        gradcheck(op + " " + Arrays.toString(shape) + " dim " + dim, in -> op.f.apply(in[0], dim), x);
    }

    // ================================================================== gradcheck: broadcasting arithmetic

    enum BinaryOp {
        ADD(Ops::add), SUB(Ops::sub), MUL(Ops::mul), DIV(Ops::div);

        final BiFunction<Tensor, Tensor, Tensor> f;

        BinaryOp(BiFunction<Tensor, Tensor, Tensor> f) {
            this.f = f;
        }
    }

    @Property(tries = 300)
    void broadcastingArithmeticPassesGradcheck(@ForAll BinaryOp op, @ForAll("shape") int[] shape, @ForAll @IntRange(min = 0, max = 63) int broadcastMask,
                                               @ForAll boolean swap, @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        // the other operand: some dimensions set to 1, and maybe fewer leading dimensions
        int drop = (broadcastMask >> 4) % shape.length;
        int[] other = Arrays.copyOfRange(shape, drop, shape.length);
        for (int i = 0; i < other.length; i++) if (((broadcastMask >> i) & 1) == 1) other[i] = 1;
        int[] sa = swap ? other : shape, sb = swap ? shape : other;
        Tensor a = tensor(FLOAT64, pool, 0, sa, u -> u * scale).requiresGrad(true);
        DoubleUnaryOperator bDomain = op == BinaryOp.DIV ? u -> awayFrom(u * scale, 0, 0.5 * Math.max(scale, 0.2)) : u -> u * scale;
        Tensor b = tensor(FLOAT64, pool, 17, sb, bDomain).requiresGrad(true);
        Tensor y = op.f.apply(a, b);
        int[] expected = dev.jgrad.core.Shape.broadcast("test", sa, sb);
        assertArrayEquals(expected, y.shape());
        gradcheck(op + " " + Arrays.toString(sa) + " with " + Arrays.toString(sb), in -> op.f.apply(in[0], in[1]), a, b);
    }

    // ================================================================== gradcheck: matrix products

    enum Product {
        MAT_MAT, VEC_MAT, MAT_VEC, VEC_VEC, BATCHED_MAT, LINEAR_BIAS, LINEAR_NO_BIAS, BATCHED_LINEAR
    }

    @Property(tries = 300)
    void matrixProductsPassGradcheck(@ForAll Product kind, @ForAll @IntRange(min = 1, max = 4) int m, @ForAll @IntRange(min = 1, max = 4) int k,
                                     @ForAll @IntRange(min = 1, max = 4) int n, @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        int[] sa, sb;
        switch (kind) {
            case MAT_MAT: sa = new int[] {m, k}; sb = new int[] {k, n}; break;
            case VEC_MAT: sa = new int[] {k}; sb = new int[] {k, n}; break;
            case MAT_VEC: sa = new int[] {m, k}; sb = new int[] {k}; break;
            case VEC_VEC: sa = new int[] {k}; sb = new int[] {k}; break;
            case BATCHED_MAT: sa = new int[] {2, m, k}; sb = new int[] {k, n}; break;
            case BATCHED_LINEAR: sa = new int[] {2, m, k}; sb = new int[] {n, k}; break;
            default: sa = new int[] {m, k}; sb = new int[] {n, k}; break;
        }
        Tensor a = tensor(FLOAT64, pool, 0, sa, u -> u * scale).requiresGrad(true);
        Tensor b = tensor(FLOAT64, pool, 11, sb, u -> u * scale).requiresGrad(true);
        Tensor bias = tensor(FLOAT64, pool, 29, new int[] {n}, u -> u * scale).requiresGrad(true);
        switch (kind) {
            case LINEAR_BIAS:
            case BATCHED_LINEAR:
                gradcheck(kind + " " + Arrays.toString(sa) + "·" + Arrays.toString(sb) + "ᵀ", in -> Ops.linear(in[0], in[1], in[2]), a, b, bias);
                break;
            case LINEAR_NO_BIAS:
                gradcheck(kind + " " + Arrays.toString(sa), in -> Ops.linear(in[0], in[1], null), a, b);
                break;
            default:
                gradcheck(kind + " " + Arrays.toString(sa) + "·" + Arrays.toString(sb), in -> Ops.matmul(in[0], in[1]), a, b);
        }
    }

    // ================================================================== the softmax family

    @Property(tries = 500)
    void softmaxRowsSumToOneAtAnyScale(@ForAll DType dtype, @ForAll("shape") int[] shape, @ForAll @IntRange(min = -3, max = 2) int dimSeed,
                                       @ForAll("extremeScale") double scale, @ForAll boolean huge, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        double s = huge && dtype == FLOAT64 ? 1e300 : scale; // float64 goes all the way to 1e300
        int dim = Math.floorMod(dimSeed, shape.length);
        Tensor x = tensor(dtype, pool, 0, shape, u -> u * s);
        Tensor p = Ops.softmax(x, dim), lp = Ops.logSoftmax(x, dim), lse = Ops.logSumExp(x, dim, true);
        Tensor max = Ops.max(x, dim, true);
        double sumTol = dtype == FLOAT32 ? 1e-6 : 1e-12;
        int n = shape[dim], inner = numel(Arrays.copyOfRange(shape, dim + 1, shape.length)), outer = x.numel() / (n * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double sum = 0;
                int r = o * inner + i;
                for (int c = 0; c < n; c++) {
                    int at = (o * n + c) * inner + i;
                    double pv = p.get(at), lv = lp.get(at);
                    assertTrue(pv >= 0 && pv <= 1, "softmax " + pv + " outside [0, 1]");
                    assertTrue(lv <= 0 && (Double.isFinite(lv) || pv == 0), "log_softmax " + lv);
                    // exp(log_softmax) = softmax; with a larger tolerance in float32, whose log_softmax is rounded before exp
                    assertEquals(pv, Math.exp(lv), dtype == FLOAT32 ? 4e-7 : 2e-15, "exp(log_softmax) vs softmax");
                    sum += pv;
                }
                assertEquals(1.0, sum, sumTol, "softmax row sum of " + Arrays.toString(shape) + " along " + dim + " at scale " + s);
                double m = max.get(r), l = lse.get(r);
                assertTrue(Double.isFinite(l), "logsumexp " + l);
                // max <= logsumexp <= max + log(n), with one rounding of slack
                double slack = 4 * Math.ulp((float) Math.abs(m)) + 4 * Math.ulp(1.0f) * Math.log(n);
                if (dtype == FLOAT64) slack = 4 * Math.ulp(Math.abs(m)) + 1e-15 * Math.log(n);
                assertTrue(l >= m - slack && l <= m + Math.log(n) + slack, "logsumexp " + l + " vs max " + m + " n " + n);
            }
        }
    }

    // ================================================================== float32 agrees with float64

    enum Agreement {
        EXP, LOG, SQRT, TANH, SIGMOID, GELU, SOFTPLUS, SUM, SOFTMAX, LOG_SOFTMAX, LOGSUMEXP, MATMUL
    }

    @Property(tries = 400)
    void float32AgreesWithFloat64(@ForAll Agreement op, @ForAll("shape") int[] shape, @ForAll("gradScale") double scale, @ForAll("pool") double[] pool) {
        TRIES.incrementAndGet();
        DoubleUnaryOperator domain = op == Agreement.LOG || op == Agreement.SQRT ? u -> Math.abs(u * scale) + 1e-3 : u -> u * 3 * scale;
        Tensor x32 = tensor(FLOAT32, pool, 0, shape, domain);
        Tensor x64 = x32.to(FLOAT64); // the same values, exactly
        double f32 = Math.ulp(1.0f);
        switch (op) {
            case EXP: pointwise(op, Ops.exp(x32), Ops.exp(x64)); break;
            case LOG: pointwise(op, Ops.log(x32), Ops.log(x64)); break;
            case SQRT: pointwise(op, Ops.sqrt(x32), Ops.sqrt(x64)); break;
            case TANH: pointwise(op, Ops.tanh(x32), Ops.tanh(x64)); break;
            case SIGMOID: pointwise(op, Ops.sigmoid(x32), Ops.sigmoid(x64)); break;
            case GELU: pointwise(op, Ops.gelu(x32), Ops.gelu(x64)); break;
            case SOFTPLUS: pointwise(op, Ops.softplus(x32), Ops.softplus(x64)); break;
            case SUM: {
                // accumulated in double, rounded once: relative to the sum of magnitudes
                double mag = 0;
                for (int i = 0; i < x64.numel(); i++) mag += Math.abs(x64.get(i));
                assertEquals(Ops.sum(x64).item(), Ops.sum(x32).item(), 2 * f32 * mag + Float.MIN_NORMAL, "sum");
                break;
            }
            case SOFTMAX: assertClose("float32 softmax", Ops.softmax(x64, -1), Ops.softmax(x32, -1), 1e-5, Float.MIN_NORMAL); break;
            case LOG_SOFTMAX: assertClose("float32 log_softmax", Ops.logSoftmax(x64, -1), Ops.logSoftmax(x32, -1), 1e-5, 1e-6); break;
            case LOGSUMEXP: assertClose("float32 logsumexp", Ops.logSumExp(x64, -1, false), Ops.logSumExp(x32, -1, false), 1e-5, 1e-6); break;
            default: {
                // GEMM: error bounded by k·eps·(|A|·|B|) element-wise
                int k = shape[shape.length - 1];
                Tensor b32 = tensor(FLOAT32, pool, 23, new int[] {k, 3}, u -> u * 3 * scale);
                Tensor y32 = Ops.matmul(x32, b32), y64 = Ops.matmul(x64, b32.to(FLOAT64));
                Tensor mag = Ops.matmul(Ops.abs(x64), Ops.abs(b32.to(FLOAT64)));
                for (int i = 0; i < y64.numel(); i++) {
                    assertEquals(y64.get(i), y32.get(i), 2 * (k + 1) * f32 * mag.get(i) + Float.MIN_NORMAL, "matmul element " + i);
                }
            }
        }
    }

    /**
     * Element-wise ops: float32 is within 4 float32 ulps of the float64 value (kernel seam bound: 2 ulp, plus rounding);
     * the exact GELU within 8 (its SIMD float32 kernel's asserted bound, {@code SimdElementwiseTest}: an erf/erfc
     * polynomial times x, measured up to ~4 ulp, which a random draw here once exceeded by 1%).
     */
    private static void pointwise(Agreement op, Tensor y32, Tensor y64) {
        int ulps = op == Agreement.GELU ? 8 : 4;
        for (int i = 0; i < y64.numel(); i++) {
            double e = y64.get(i);
            double tol = ulps * Math.ulp((float) Math.abs(e)) + Float.MIN_NORMAL;
            assertEquals(e, y32.get(i), tol, op + " element " + i);
        }
    }
}
