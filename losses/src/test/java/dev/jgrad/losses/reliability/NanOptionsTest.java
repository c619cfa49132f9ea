package dev.jgrad.losses.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One policy for NaN options: every scalar option of {@link Ops} and {@link Losses} (a bound, slope, margin, eps,
 * smoothing, ...) rejects NaN with an {@link IllegalArgumentException} naming the option, as softplus's threshold,
 * hardtanh's bounds and huber's delta always did. Data values ({@code add(a, c)}, {@code full(value)}, pad and fill
 * values) are not options and pass NaN through. Tensor weights ({@code weight}, {@code pos_weight}) are data too: NaN
 * propagates through them as in PyTorch, {@code pos_weight} exactly like {@code weight}.
 */
class NanOptionsTest {
    /** Doubles that are data, not options ({@code pow}'s exponent), or NaN as a documented "default" (attention's scale). */
    private static final Set<String> DATA = Set.of("c", "value", "pow.p", "scaledDotProductAttention.scale", "attentionWeights.scale");

    @Test
    void everyScalarOptionRejectsNaNByName() {
        List<String> faults = new ArrayList<>();
        int probed = 0;
        for (Class<?> c : List.of(Ops.class, Losses.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers())) continue;
                Parameter[] ps = m.getParameters();
                for (int i = 0; i < ps.length; i++) {
                    if (ps[i].getType() != double.class || DATA.contains(ps[i].getName()) || DATA.contains(m.getName() + "." + ps[i].getName())) continue;
                    probed++;
                    Object[] args = new Object[ps.length];
                    for (int j = 0; j < ps.length; j++) args[j] = j == i ? Double.NaN : sample(ps[j].getType());
                    Throwable t;
                    try {
                        m.invoke(null, args);
                        t = null;
                    } catch (InvocationTargetException x) {
                        t = x.getCause();
                    } catch (ReflectiveOperationException x) {
                        throw new AssertionError(x);
                    }
                    String name = ps[i].getName(), snake = name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
                    String msg = t == null ? "" : String.valueOf(t.getMessage());
                    if (!(t instanceof IllegalArgumentException) || !(msg.contains(name) || msg.contains(snake)) || !msg.contains("NaN")) {
                        faults.add(c.getSimpleName() + "." + m.getName() + " " + name + "=NaN -> " + (t == null ? "accepted" : t));
                    }
                }
            }
        }
        assertTrue(probed > 20, "probed " + probed);
        assertTrue(faults.isEmpty(), faults.size() + " NaN options not rejected by name:\n" + String.join("\n", faults));
    }

    @Test
    void aNaNPosWeightPropagatesLikeANaNWeight() {
        Tensor x = Tensor.of(new double[] {-1, 0.5, 2}, 3);
        Tensor t = Tensor.of(new double[] {0, 1, 0.5}, 3);
        Tensor nan = Tensor.of(new double[] {Double.NaN}, 1);
        double[] byPos = Losses.binaryCrossEntropyWithLogits(x, t, null, nan, Reduction.NONE).toDoubleArray();
        double[] byWeight = Losses.binaryCrossEntropyWithLogits(x, t, nan, null, Reduction.NONE).toDoubleArray();
        assertArrayEquals(byWeight, byPos); // all NaN, as PyTorch 1.13 gives for both
    }

    private static Object sample(Class<?> t) {
        if (t == int.class) return 1;
        if (t == long.class) return -100L;
        if (t == double.class) return 0.5;
        if (t == boolean.class) return false;
        if (t == Tensor.class) return Tensor.ones(DType.FLOAT64, 2, 2);
        if (t == IntTensor.class) return IntTensor.of(0, 1);
        if (t == int[].class) return new int[] {1};
        if (t == Reduction.class) return Reduction.MEAN;
        if (t == DType.class) return DType.FLOAT64;
        if (t == Tensor[].class) return new Tensor[] {Tensor.ones(DType.FLOAT64, 2, 2)};
        if (t == String.class) return "fro";
        if (t == Integer.class) return null;
        if (t == java.util.random.RandomGenerator.class) return new java.util.SplittableRandom(1);
        throw new AssertionError("no sample for " + t);
    }
}
