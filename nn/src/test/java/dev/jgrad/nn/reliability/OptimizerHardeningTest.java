package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.GradClip;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.nn.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizer state checked before use, and gradient clipping whose squared norm overflows. */
class OptimizerHardeningTest {

    @Test
    void clipGradNormMeasuresFloat64GradientsWhoseSquaresOverflow() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        a.setGrad(Tensor.of(new double[] {3e200, 4e200}, 2));
        double norm = GradClip.clipGradNorm(List.of(a), 1.0);
        assertEquals(5e200, norm, 5e200 * 1e-15);
        double after = Math.hypot(a.grad().get(0), a.grad().get(1));
        assertEquals(1.0, after, 1e-12, "clipped to maxNorm");
        assertEquals(0.6, a.grad().get(0), 1e-12);
        // a gradient that is infinite stays unclipped, reported as inf
        Tensor b = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        b.setGrad(Tensor.of(new double[] {Double.POSITIVE_INFINITY, 1e200}, 2));
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(List.of(b), 1.0));
        assertEquals(1e200, b.grad().get(1));
    }

    private static Adam trainedAdam(Tensor p) {
        Adam opt = Adam.adamW(List.of(p), 0.1, 0.01);
        for (int i = 0; i < 3; i++) {
            p.setGrad(Tensor.of(new double[] {0.5, -0.25}, 2));
            opt.step();
        }
        return opt;
    }

    @Test
    void oneSlotNamedTwiceIsAnError() {
        Tensor p = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Adam opt = trainedAdam(p);
        Map<String, Tensor> s = new LinkedHashMap<>(opt.state());
        for (String twin : List.of("exp_avg.00", "exp_avg.+0", "exp_avg.-0")) {
            Map<String, Tensor> bad = new LinkedHashMap<>(s);
            bad.put(twin, Tensor.of(new double[] {9, 9}, 2));
            Map<String, Tensor> before = opt.state();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(bad), twin);
            assertTrue(e.getMessage().contains(twin) && e.getMessage().contains("exp_avg.0"), e.getMessage());
            assertEquals(before.toString(), opt.state().toString(), "nothing changed");
        }
    }

    @Test
    void stepCountsBeyondTheOptimizersStepAreRejected() {
        Tensor p = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Adam opt = trainedAdam(p);
        Map<String, Tensor> bad = new LinkedHashMap<>(opt.state());
        bad.put("step.0", Tensor.scalar(4, DType.FLOAT64)); // the optimizer took 3 steps
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(bad));
        assertTrue(e.getMessage().contains("step.0") && e.getMessage().contains("exceeds"), e.getMessage());
    }

    /**
     * Checkpoints with valid CRCs whose optimizer entries are crafted: NaN/inf moments, negative second moments,
     * non-finite momentum buffers, bad or out-of-range counts, a slot named twice. Each is refused on load with the
     * model untouched, so no step can put NaN into a parameter.
     */
    @Test
    void craftedCheckpointsWithValidCrcsNeverPutNaNIntoAParameter(@TempDir Path dir) throws Exception {
        for (String kind : List.of("adam", "sgd")) {
            List<Map.Entry<String, Double>> crafted = kind.equals("adam")
                    ? List.of(Map.entry("exp_avg.0", Double.NaN), Map.entry("exp_avg.1", Double.POSITIVE_INFINITY),
                    Map.entry("exp_avg_sq.0", -1e-3), Map.entry("exp_avg_sq.1", Double.NaN), Map.entry("step.0", 1e30),
                    Map.entry("step.1", -1.0), Map.entry("exp_avg.00", 0.0), Map.entry("lr", Double.NaN))
                    : List.of(Map.entry("momentum.0", Double.NaN), Map.entry("momentum.1", Double.NEGATIVE_INFINITY),
                    Map.entry("momentum.01", 0.0));
            for (Map.Entry<String, Double> c : crafted) {
                Linear model = new Linear(2, 2, true, dev.jgrad.nn.Init.PYTORCH_DEFAULT, new SplittableRandom(1), DType.FLOAT64);
                Optimizer opt = optimizer(kind, model);
                Tensor x = Tensor.of(new double[] {1, -1}, 1, 2);
                for (int i = 0; i < 2; i++) {
                    opt.zeroGrad();
                    dev.jgrad.ops.Ops.sum(model.forward(x)).backward();
                    opt.step();
                }
                Map<String, Tensor> state = new LinkedHashMap<>(opt.state());
                Tensor like = state.getOrDefault(c.getKey().replace(".00", ".0").replace(".01", ".1"), Tensor.scalar(0, DType.FLOAT64));
                state.put(c.getKey(), Tensor.full(c.getValue(), like.dtype(), like.shape()));
                // a checkpoint written by the library itself (valid CRCs) holding the crafted state
                Path file = dir.resolve(kind + "-" + c.getKey().replace('.', '_') + ".safetensors");
                Optimizer carrier = new CraftedState(model.parameters(), state);
                Checkpoint.save(file, model, carrier, Map.of());

                Linear target = new Linear(2, 2, true, dev.jgrad.nn.Init.PYTORCH_DEFAULT, new SplittableRandom(2), DType.FLOAT64);
                Optimizer fresh = optimizer(kind, target);
                String before = target.stateDict().toString();
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target, fresh), kind + " " + c);
                assertEquals(before, target.stateDict().toString(), "model untouched after refusing " + c);
                fresh.zeroGrad();
                dev.jgrad.ops.Ops.sum(target.forward(x)).backward();
                fresh.step();
                for (Tensor p : target.parameters()) for (int i = 0; i < p.numel(); i++) assertTrue(Double.isFinite(p.get(i)), kind + " " + c);
            }
        }
    }

    private static Optimizer optimizer(String kind, Linear model) {
        return kind.equals("adam") ? new Adam(model.parameters(), 0.1) : new Sgd(model.parameters(), 0.1, 0.9, 0, false, 0);
    }

    /** An optimizer whose {@link #state()} is whatever a test crafted, to write it into a real checkpoint. */
    private static final class CraftedState extends Optimizer {
        private final Map<String, Tensor> crafted;

        CraftedState(List<Tensor> params, Map<String, Tensor> crafted) {
            super(List.of(new dev.jgrad.nn.optim.ParamGroup(params)), Map.of("lr", 0.1));
            this.crafted = crafted;
        }

        @Override
        public Map<String, Tensor> state() {
            return crafted;
        }

        @Override
        protected void update(int i, dev.jgrad.core.Storage p, dev.jgrad.core.Storage g, int n) {
        }

        @Override
        protected Map<String, List<Tensor>> buffers() {
            return Map.of();
        }
    }
}
