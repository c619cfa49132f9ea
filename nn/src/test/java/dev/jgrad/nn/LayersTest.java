package dev.jgrad.nn;

import dev.jgrad.core.DType;
import dev.jgrad.core.GradCheck;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.losses.Losses;
import dev.jgrad.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersTest {

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    private static double std(double[] a) {
        double m = mean(a), s = 0;
        for (double v : a) s += (v - m) * (v - m);
        return Math.sqrt(s / a.length);
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    // ------------------------------------------------------------------ Linear

    @Test
    void linearForwardIsXTimesWTransposedPlusB() {
        Linear lin = new Linear(2, 3, true, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT64);
        // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1, 2]
        double[] w = {1, 2, 3, 4, 5, 6};
        for (int i = 0; i < 6; i++) lin.weight().set(i, w[i]);
        double[] b = {0.5, -1, 2};
        for (int i = 0; i < 3; i++) lin.bias().set(i, b[i]);
        Tensor x = Tensor.of(new double[] {1, -1, 2, 0.5}, 2, 2); // rows [1, -1], [2, 0.5]
        Tensor y = lin.forward(x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        // row 0: [1-2+0.5, 3-4-1, 5-6+2] = [-0.5, -2, 1]
        // row 1: [2+1+0.5, 6+2-1, 10+3+2] = [3.5, 7, 15]
        assertArrayEquals(new double[] {-0.5, -2, 1, 3.5, 7, 15}, y.toDoubleArray(), 1e-12);
        assertTrue(y.requiresGrad(), "output of a layer with trainable parameters must be in the graph");
    }

    @Test
    void linearWithoutBiasHasOnlyWeightAndComputesXWt() {
        Linear lin = new Linear(2, 2, false, Init.XAVIER_UNIFORM, new SplittableRandom(1), DType.FLOAT64);
        assertNull(lin.bias());
        assertEquals(List.of("weight"), new ArrayList<>(lin.namedParameters().keySet()));
        double[] w = {2, 0, -1, 3};
        for (int i = 0; i < 4; i++) lin.weight().set(i, w[i]);
        Tensor y = lin.forward(Tensor.of(new double[] {1, 2}, 1, 2));
        assertArrayEquals(new double[] {2, 5}, y.toDoubleArray(), 1e-12);
    }

    @Test
    void linearGradientsMatchHandComputedValues() {
        Linear lin = new Linear(2, 1, true, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT64);
        lin.weight().set(0, 0.5);
        lin.weight().set(1, -1);
        lin.bias().set(0, 0.25);
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Ops.sum(lin.forward(x)).backward();
        // d/dW sum(x W^T + b) = column sums of x = [4, 6]; d/db = N = 2
        assertArrayEquals(new double[] {4, 6}, lin.weight().grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2}, lin.bias().grad().toDoubleArray(), 1e-12);
    }

    @Test
    void linearRejectsNonPositiveSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3, true, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> new Linear(3, -1, true, Init.HE_NORMAL, new SplittableRandom(1), DType.FLOAT32));
    }

    // ------------------------------------------------------------------ names, order, counts

    @Test
    void mlpParameterNamesOrderAndShapesWithoutDropout() {
        Sequential net = Mlp.builder(4, 3).hidden(5, 6).seed(1).build();
        Map<String, Tensor> named = net.namedParameters();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), new ArrayList<>(named.keySet()));
        assertArrayEquals(new int[] {5, 4}, named.get("0.weight").shape());
        assertArrayEquals(new int[] {5}, named.get("0.bias").shape());
        assertArrayEquals(new int[] {6, 5}, named.get("2.weight").shape());
        assertArrayEquals(new int[] {3, 6}, named.get("4.weight").shape());
        assertArrayEquals(new int[] {3}, named.get("4.bias").shape());
        assertEquals(5 * 4 + 5 + 6 * 5 + 6 + 3 * 6 + 3, net.parameterCount());
        assertEquals(82, net.parameterCount());
        // parameters() is namedParameters() in order, same objects
        List<Tensor> ps = net.parameters();
        assertEquals(6, ps.size());
        int i = 0;
        for (Tensor t : named.values()) assertSame(t, ps.get(i++));
        for (Tensor t : ps) {
            assertTrue(t.requiresGrad());
            assertTrue(t.isLeaf());
            assertEquals(DType.FLOAT32, t.dtype());
        }
        // structure: Linear, Activation, Linear, Activation, Linear
        List<Module> layers = net.layers();
        assertEquals(5, layers.size());
        assertTrue(layers.get(0) instanceof Linear && layers.get(1) instanceof Activation && layers.get(4) instanceof Linear);
        assertSame(((Linear) layers.get(2)).weight(), named.get("2.weight"));
    }

    @Test
    void mlpWithDropoutShiftsLayerIndices() {
        Sequential net = Mlp.builder(4, 3).hidden(5, 6).dropout(0.25).dtype(DType.FLOAT64).build();
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(7, net.layers().size());
        assertTrue(net.layers().get(2) instanceof Dropout);
        assertTrue(net.layers().get(5) instanceof Dropout);
        assertEquals(82, net.parameterCount());
        assertEquals(DType.FLOAT64, net.parameters().get(0).dtype());
    }

    @Test
    void sequentialNamesNestedAndBiasless() {
        SplittableRandom rng = new SplittableRandom(3);
        Sequential inner = new Sequential(new Linear(3, 4, false, Init.HE_NORMAL, rng, DType.FLOAT32), new Activation(Activation.Kind.TANH));
        Sequential net = new Sequential(inner, new Linear(4, 2, true, Init.HE_NORMAL, rng, DType.FLOAT32));
        assertEquals(List.of("0.0.weight", "1.weight", "1.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(12 + 8 + 2, net.parameterCount());
        // modules(): depth first, registration order
        List<Module> mods = net.modules();
        assertEquals(5, mods.size());
        assertSame(net, mods.get(0));
        assertSame(inner, mods.get(1));
        assertTrue(mods.get(2) instanceof Linear);
        assertTrue(mods.get(3) instanceof Activation);
        assertTrue(mods.get(4) instanceof Linear);
        assertEquals(0, new Activation(Activation.Kind.RELU).parameterCount());
    }

    @Test
    void mlpForwardEqualsManualComposition() {
        Sequential net = Mlp.builder(3, 2).hidden(4).activation(Activation.Kind.TANH).dtype(DType.FLOAT64).seed(5).build();
        Tensor x = Tensor.randn(new SplittableRandom(9), DType.FLOAT64, 5, 3);
        Map<String, Tensor> p = net.namedParameters();
        Tensor expected = Ops.linear(Ops.tanh(Ops.linear(x, p.get("0.weight"), p.get("0.bias"))), p.get("2.weight"), p.get("2.bias"));
        Tensor got = net.forward(x);
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0);
        assertArrayEquals(new int[] {5, 2}, got.shape());
    }

    @Test
    void mlpRejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder(0, 3).build());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder(3, 2).hidden(4, 0).build());
    }

    @Test
    void mlpDefaultInitIsHeForReluAndXavierForTanh() {
        DType dt = DType.FLOAT64;
        Sequential relu = Mlp.builder(30, 2).hidden(20).seed(11).dtype(dt).build();
        Linear heRef = new Linear(30, 20, true, Init.HE_NORMAL, new SplittableRandom(11), dt);
        assertTrue(heRef.weight().contentEquals(relu.namedParameters().get("0.weight")));
        Sequential tanh = Mlp.builder(30, 2).hidden(20).activation(Activation.Kind.TANH).seed(11).dtype(dt).build();
        Linear xavRef = new Linear(30, 20, true, Init.XAVIER_UNIFORM, new SplittableRandom(11), dt);
        assertTrue(xavRef.weight().contentEquals(tanh.namedParameters().get("0.weight")));
        Sequential explicit = Mlp.builder(30, 2).hidden(20).init(Init.PYTORCH_DEFAULT).seed(11).dtype(dt).build();
        Linear ptRef = new Linear(30, 20, true, Init.PYTORCH_DEFAULT, new SplittableRandom(11), dt);
        assertTrue(ptRef.weight().contentEquals(explicit.namedParameters().get("0.weight")));
        assertTrue(ptRef.bias().contentEquals(explicit.namedParameters().get("0.bias")));
    }

    @Test
    void mlpWithoutHiddenLayersHonoursAnExplicitInit() {
        DType dt = DType.FLOAT64;
        Sequential explicit = Mlp.builder(30, 5).init(Init.PYTORCH_DEFAULT).seed(4).dtype(dt).build();
        Linear ref = new Linear(30, 5, true, Init.PYTORCH_DEFAULT, new SplittableRandom(4), dt);
        assertTrue(ref.weight().contentEquals(explicit.namedParameters().get("0.weight")));
        assertTrue(ref.bias().contentEquals(explicit.namedParameters().get("0.bias")));
        // default for a single (logistic-regression) layer stays Xavier uniform
        Sequential dflt = Mlp.builder(30, 5).seed(4).dtype(dt).build();
        Linear xav = new Linear(30, 5, true, Init.XAVIER_UNIFORM, new SplittableRandom(4), dt);
        assertTrue(xav.weight().contentEquals(dflt.namedParameters().get("0.weight")));
    }

    // ------------------------------------------------------------------ initialisers

    @Test
    void heNormalStdIsSqrtTwoOverFanIn() {
        int in = 800, out = 500;
        Linear lin = new Linear(in, out, true, Init.HE_NORMAL, new SplittableRandom(42), DType.FLOAT64);
        double[] w = lin.weight().toDoubleArray();
        double expected = Math.sqrt(2.0 / in); // 0.05
        // 400k samples: relative standard error of the std ≈ 1/sqrt(2N) ≈ 0.1%
        assertEquals(expected, std(w), 0.02 * expected);
        assertEquals(0.0, mean(w), 4 * expected / Math.sqrt(w.length));
        // normal, not uniform: some samples beyond 3 sigma (uniform with this std never exceeds sqrt(3) sigma)
        assertTrue(maxAbs(w) > 3.5 * expected, "max |w| " + maxAbs(w));
        assertArrayEquals(new double[out], lin.bias().toDoubleArray(), 0.0, "He bias must be zero");
    }

    @Test
    void xavierNormalStd() {
        int in = 600, out = 400;
        double[] w = new Linear(in, out, true, Init.XAVIER_NORMAL, new SplittableRandom(7), DType.FLOAT64).weight().toDoubleArray();
        double expected = Math.sqrt(2.0 / (in + out));
        assertEquals(expected, std(w), 0.02 * expected);
    }

    @Test
    void xavierUniformBound() {
        int in = 700, out = 300;
        Linear lin = new Linear(in, out, true, Init.XAVIER_UNIFORM, new SplittableRandom(7), DType.FLOAT64);
        double[] w = lin.weight().toDoubleArray();
        double bound = Math.sqrt(6.0 / (in + out));
        assertTrue(maxAbs(w) <= bound, "max |w| " + maxAbs(w) + " exceeds the bound " + bound);
        assertTrue(maxAbs(w) > 0.999 * bound, "samples should reach the bound " + bound + ", max " + maxAbs(w));
        // uniform(-a, a) has std a/sqrt(3)
        assertEquals(bound / Math.sqrt(3), std(w), 0.02 * bound / Math.sqrt(3));
        assertEquals(0.0, mean(w), 4 * bound / Math.sqrt(3 * w.length));
        assertArrayEquals(new double[out], lin.bias().toDoubleArray(), 0.0);
    }

    @Test
    void heUniformBound() {
        int in = 500;
        double[] w = new Linear(in, 400, true, Init.HE_UNIFORM, new SplittableRandom(8), DType.FLOAT64).weight().toDoubleArray();
        double bound = Math.sqrt(6.0 / in);
        assertTrue(maxAbs(w) <= bound);
        assertTrue(maxAbs(w) > 0.999 * bound);
        assertEquals(bound / Math.sqrt(3), std(w), 0.02 * bound / Math.sqrt(3));
    }

    @Test
    void pytorchDefaultBoundForWeightAndBias() {
        int in = 400, out = 1000;
        Linear lin = new Linear(in, out, true, Init.PYTORCH_DEFAULT, new SplittableRandom(9), DType.FLOAT64);
        double bound = 1 / Math.sqrt(in); // 0.05
        double[] w = lin.weight().toDoubleArray();
        assertTrue(maxAbs(w) <= bound);
        assertTrue(maxAbs(w) > 0.999 * bound);
        assertEquals(bound / Math.sqrt(3), std(w), 0.02 * bound / Math.sqrt(3));
        double[] b = lin.bias().toDoubleArray();
        assertTrue(maxAbs(b) <= bound);
        assertTrue(maxAbs(b) > 0.9 * bound, "bias is uniform in ±1/sqrt(in), max " + maxAbs(b));
        assertTrue(Arrays.stream(b).filter(v -> v != 0).count() == out, "PyTorch-default biases are not zero");
        assertEquals(bound / Math.sqrt(3), std(b), 0.1 * bound / Math.sqrt(3));
    }

    @Test
    void seededInitIsReproducibleAndSeedDependent() {
        for (Init init : Init.values()) {
            Linear a = new Linear(20, 10, true, init, new SplittableRandom(123), DType.FLOAT32);
            Linear b = new Linear(20, 10, true, init, new SplittableRandom(123), DType.FLOAT32);
            Linear c = new Linear(20, 10, true, init, new SplittableRandom(124), DType.FLOAT32);
            assertTrue(a.weight().contentEquals(b.weight()), init + ": same seed must give identical weights");
            assertTrue(a.bias().contentEquals(b.bias()), init.toString());
            assertFalse(a.weight().contentEquals(c.weight()), init + ": another seed must give other weights");
        }
        Sequential m1 = Mlp.builder(8, 3).hidden(6).seed(5).build();
        Sequential m2 = Mlp.builder(8, 3).hidden(6).seed(5).build();
        Sequential m3 = Mlp.builder(8, 3).hidden(6).seed(6).build();
        for (String k : m1.namedParameters().keySet()) {
            assertTrue(m1.namedParameters().get(k).contentEquals(m2.namedParameters().get(k)), k);
        }
        assertFalse(m1.namedParameters().get("0.weight").contentEquals(m3.namedParameters().get("0.weight")));
        assertFalse(m1.namedParameters().get("2.weight").contentEquals(m3.namedParameters().get("2.weight")));
        // the second layer is drawn from the continuing stream, not a restart
        assertFalse(Arrays.equals(Arrays.copyOf(m1.namedParameters().get("0.weight").toDoubleArray(), 18),
                m1.namedParameters().get("2.weight").toDoubleArray()));
    }

    // ------------------------------------------------------------------ activations

    @Test
    void activationsComputeTheirFunctions() {
        double[] xs = {-2, -0.5, 0, 1, 1.5};
        Tensor x = Tensor.of(xs, 5);
        assertArrayEquals(new double[] {0, 0, 0, 1, 1.5}, new Activation(Activation.Kind.RELU).forward(x).toDoubleArray(), 0);
        double[] tanh = new Activation(Activation.Kind.TANH).forward(x).toDoubleArray();
        double[] sig = new Activation(Activation.Kind.SIGMOID).forward(x).toDoubleArray();
        double[] gelu = new Activation(Activation.Kind.GELU).forward(x).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.tanh(xs[i]), tanh[i], 1e-15);
            assertEquals(1 / (1 + Math.exp(-xs[i])), sig[i], 1e-15);
        }
        // gelu(x) = x·Φ(x): Φ(1) = 0.8413447460685429, Φ(-0.5) = 0.3085375387259869, Φ(-2) = 0.02275013194817921
        assertEquals(-2 * 0.02275013194817921, gelu[0], 1e-12);
        assertEquals(-0.5 * 0.3085375387259869, gelu[1], 1e-12);
        assertEquals(0.0, gelu[2], 0);
        assertEquals(0.8413447460685429, gelu[3], 1e-12);
        assertEquals(tanh[3], 0.7615941559557649, 1e-15);
        assertEquals(sig[2], 0.5, 0);
    }

    @Test
    void activationParseAndRejects() {
        assertEquals(Activation.Kind.RELU, Activation.Kind.parse(" ReLU "));
        assertEquals(Activation.Kind.GELU, Activation.Kind.parse("gelu"));
        assertEquals(Activation.Kind.TANH, Activation.Kind.parse("TANH"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.Kind.parse("swish"));
        assertTrue(e.getMessage().contains("swish"));
        assertThrows(IllegalArgumentException.class, () -> new Activation(null));
        assertEquals(Activation.Kind.SIGMOID, new Activation(Activation.Kind.SIGMOID).kind());
    }

    // ------------------------------------------------------------------ dropout

    @Test
    void dropoutIsIdentityInEvalMode() {
        Dropout d = new Dropout(0.5, 1);
        d.eval();
        Tensor x = Tensor.randn(new SplittableRandom(2), DType.FLOAT32, 10, 10);
        Tensor y = d.forward(x);
        assertTrue(y.contentEquals(x));
        assertEquals(0, d.seedState(), "eval mode must not consume random draws");
        // p = 0 in training mode is also the identity
        Dropout zero = new Dropout(0.0, 1);
        assertTrue(zero.forward(x).contentEquals(x));
    }

    @Test
    void dropoutZeroFractionIsPAndKeptValuesAreScaled() {
        double p = 0.3;
        Dropout d = new Dropout(p, 17);
        assertTrue(d.isTraining());
        Tensor x = Tensor.rand(new SplittableRandom(3), 0.5, 2.0, DType.FLOAT64, 400, 250); // 100k, none zero
        Tensor y = d.forward(x);
        int zeros = 0;
        double scale = 1 / (1 - p);
        for (int i = 0; i < x.numel(); i++) {
            if (y.get(i) == 0) {
                zeros++;
            } else {
                assertEquals(x.get(i) * scale, y.get(i), 1e-12 * y.get(i), "kept value at " + i);
            }
        }
        double frac = zeros / (double) x.numel();
        // binomial standard error sqrt(0.21/1e5) ≈ 0.00145
        assertEquals(p, frac, 0.01, "zero fraction");
        // one 64-bit word masks two elements
        assertEquals((x.numel() + 1) / 2, d.seedState());
        // inverted dropout keeps the mean: E[y] = E[x]
        assertEquals(mean(x.toDoubleArray()), mean(y.toDoubleArray()), 0.02);
    }

    @Test
    void dropoutGradientIsTheMask() {
        Dropout d = new Dropout(0.5, 4);
        Tensor x = Tensor.ones(DType.FLOAT64, 50).requiresGrad(true);
        Tensor y = d.forward(x);
        Ops.sum(y).backward();
        assertArrayEquals(y.toDoubleArray(), x.grad().toDoubleArray(), 0);
        long kept = Arrays.stream(y.toDoubleArray()).filter(v -> v == 2.0).count();
        long dropped = Arrays.stream(y.toDoubleArray()).filter(v -> v == 0.0).count();
        assertEquals(50, kept + dropped);
        assertTrue(kept > 0 && dropped > 0);
    }

    @Test
    void dropoutIsSeededAndRestoreSeedStateReproducesTheNextMask() {
        Tensor x = Tensor.ones(DType.FLOAT32, 8, 16);
        Dropout a = new Dropout(0.5, 99), b = new Dropout(0.5, 99), c = new Dropout(0.5, 100);
        Tensor a1 = a.forward(x), b1 = b.forward(x), c1 = c.forward(x);
        assertTrue(a1.contentEquals(b1), "same seed, same mask");
        assertFalse(a1.contentEquals(c1), "different seed, different mask");
        long state = a.seedState();
        assertEquals(64, state, "128 elements take 64 words (two 32-bit halves each)");
        Tensor a2 = a.forward(x);
        assertFalse(a2.contentEquals(a1), "consecutive masks differ");

        // a fresh module restored to the position after the first mask draws exactly the second mask
        Dropout fresh = new Dropout(0.5, 99);
        fresh.restoreSeedState(state);
        assertEquals(state, fresh.seedState());
        assertTrue(fresh.forward(x).contentEquals(a2));

        // a module built with another seed takes over the generator (seed and position) of the first
        Dropout other = new Dropout(0.5, 5);
        assertEquals(5, other.seed());
        other.restoreSeedState(99, state);
        assertEquals(99, other.seed());
        assertTrue(other.forward(x).contentEquals(a2));
        assertThrows(IllegalArgumentException.class, () -> other.restoreSeedState(99, -1));

        // rewinding the same module works too
        a.restoreSeedState(state);
        assertTrue(a.forward(x).contentEquals(a2));
        a.restoreSeedState(0);
        assertTrue(a.forward(x).contentEquals(a1));
    }

    @Test
    void dropoutRejectsBadP() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, 1));
    }

    @Test
    void trainAndEvalPropagateToChildren() {
        Sequential inner = new Sequential(new Dropout(0.5, 1), new Activation(Activation.Kind.RELU));
        Sequential net = new Sequential(Mlp.builder(4, 2).hidden(3).dropout(0.5).build(), inner);
        for (Module m : net.modules()) assertTrue(m.isTraining());
        assertSame(net, net.eval());
        for (Module m : net.modules()) assertFalse(m.isTraining(), m.getClass().getSimpleName() + " still training");
        net.train(true);
        for (Module m : net.modules()) assertTrue(m.isTraining());
        inner.train(false);
        assertTrue(net.isTraining());
        assertFalse(inner.modules().get(1).isTraining());
    }

    @Test
    void evalModeMakesAnMlpWithDropoutDeterministic() {
        Sequential net = Mlp.builder(6, 3).hidden(32).dropout(0.5).dtype(DType.FLOAT64).seed(2).build();
        Tensor x = Tensor.randn(new SplittableRandom(1), DType.FLOAT64, 4, 6);
        Tensor t1 = net.forward(x), t2 = net.forward(x);
        assertFalse(t1.contentEquals(t2), "training mode: fresh dropout masks");
        net.eval();
        Tensor e1 = net.forward(x), e2 = net.forward(x);
        assertTrue(e1.contentEquals(e2));
        // eval output equals the same network without dropout layers
        Map<String, Tensor> p = net.namedParameters();
        Tensor manual = Ops.linear(Ops.relu(Ops.linear(x, p.get("0.weight"), p.get("0.bias"))), p.get("3.weight"), p.get("3.bias"));
        assertArrayEquals(manual.toDoubleArray(), e1.toDoubleArray(), 0);
    }

    @Test
    void moduleZeroGradClearsAllGradients() {
        Sequential net = Mlp.builder(3, 2).hidden(4).dtype(DType.FLOAT64).build();
        Ops.sum(net.forward(Tensor.ones(DType.FLOAT64, 2, 3))).backward();
        for (Tensor p : net.parameters()) assertTrue(p.grad() != null);
        net.zeroGrad();
        for (Tensor p : net.parameters()) assertNull(p.grad());
    }

    // ------------------------------------------------------------------ gradcheck

    @Test
    void float64GradcheckOfSmallTanhMlpWithCrossEntropy() {
        Sequential net = Mlp.builder(3, 4).hidden(5, 4).activation(Activation.Kind.TANH).dtype(DType.FLOAT64).seed(3).build();
        Tensor x = Tensor.randn(new SplittableRandom(8), DType.FLOAT64, 6, 3).requiresGrad(true);
        IntTensor y = IntTensor.of(0, 3, 1, 2, 2, 0);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(net.parameters());
        GradCheck.Result r = GradCheck.check(in -> Losses.crossEntropy(net.forward(in[0]), y), inputs.toArray(new Tensor[0]));
        assertTrue(r.passed(), r.report());
        assertEquals(x.numel() + net.parameterCount(), r.checked());
        // and the analytic gradient is not trivially zero
        double norm = 0;
        for (Tensor p : net.parameters()) for (double v : p.grad().toDoubleArray()) norm += v * v;
        assertTrue(norm > 1e-6);
    }

    @Test
    void gradcheckDetectsAWrongGradient() {
        // sanity of the harness: a deliberately wrong backward must fail the same check
        Tensor w = Tensor.randn(new SplittableRandom(1), DType.FLOAT64, 3).requiresGrad(true);
        GradCheck.Result r = GradCheck.check(in -> new dev.jgrad.core.Function() {
            protected Tensor forward(Tensor... t) {
                return Ops.mul(t[0], t[0]);
            }

            protected Tensor[] backward(Tensor g) {
                return new Tensor[] {g}; // should be 2·x·g
            }
        }.apply(in[0]), w);
        assertFalse(r.passed());
    }
}
