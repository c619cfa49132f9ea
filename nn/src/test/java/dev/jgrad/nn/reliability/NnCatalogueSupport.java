package dev.jgrad.nn.reliability;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Dropout;
import dev.jgrad.nn.Init;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Module;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.RawTensor;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.ops.reliability.BadInputCatalogue.Snapshotter;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.jgrad.core.DType.FLOAT32;
import static dev.jgrad.ops.reliability.BadInputCatalogue.rnd;

/**
 * The nn pieces of the bad-input catalogues, shared by the nn catalogue and the catalogues of modules built on nn
 * (train): snapshots of modules and optimizers, and fixtures that build them with gradients in place.
 */
public final class NnCatalogueSupport {
    private NnCatalogueSupport() {
    }

    /**
     * Modules (parameters with data and grads, buffers, every submodule's training flag, dropout seeds and draw counts) and
     * optimizers (step count, learning rate bits, state buffers, parameters).
     */
    public static final Snapshotter MODULES_AND_OPTIMIZERS = (sb, o, nested) -> {
        if (o instanceof Module m) {
            sb.append("Module ").append(m.getClass().getSimpleName()).append(" {");
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                sb.append(e.getKey()).append('=');
                nested.snap(sb, e.getValue());
                sb.append("; ");
            }
            for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) {
                sb.append(e.getKey()).append('=');
                nested.snap(sb, e.getValue());
                sb.append("; ");
            }
            for (Module sub : m.modules()) {
                sb.append(sub.getClass().getSimpleName()).append(" training=").append(sub.isTraining());
                if (sub instanceof Dropout d) sb.append(" seed=").append(d.seed()).append(" draws=").append(d.seedState());
                sb.append("; ");
            }
            sb.append('}');
            return true;
        }
        if (o instanceof Optimizer opt) {
            sb.append("Optimizer ").append(opt.getClass().getSimpleName()).append(" steps=").append(opt.steps())
                    .append(" lr=").append(Double.doubleToRawLongBits(opt.lr())).append(" state {");
            for (Map.Entry<String, Tensor> e : opt.state().entrySet()) {
                sb.append(e.getKey()).append('=');
                nested.snap(sb, e.getValue());
                sb.append("; ");
            }
            sb.append("} params ");
            nested.snap(sb, opt.params());
            return true;
        }
        return false;
    };

    /** Gives every parameter a gradient. */
    public static <M extends Module> M withGrads(M m) {
        for (Tensor p : m.parameters()) p.setGrad(rnd(p.dtype(), p.shape()));
        return m;
    }

    public static Linear linear(int in, int out, DType dt) {
        return withGrads(new Linear(in, out, true, Init.HE_NORMAL, new SplittableRandom(3), dt));
    }

    public static Sequential mlp(long seed, DType dt, int hidden) {
        return withGrads(Mlp.builder(4, 3).hidden(hidden).dtype(dt).seed(seed).build());
    }

    /** Takes {@code steps} optimizer steps on random gradients, then leaves fresh gradients in place. */
    public static <O extends Optimizer> O stepped(O opt, int steps) {
        for (int s = 0; s < steps; s++) {
            for (Tensor p : opt.params()) p.setGrad(Tensor.rand(new SplittableRandom(s * 7L + p.numel()), -1, 1, p.dtype(), p.shape()));
            opt.step();
        }
        for (Tensor p : opt.params()) p.setGrad(rnd(p.dtype(), p.shape()));
        return opt;
    }

    /** The parameters of a module as raw safetensors entries (for forging checkpoint files). */
    public static Map<String, RawTensor> raw(Module m) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> {
            long[] shape = Arrays.stream(v.shape()).asLongStream().toArray();
            out.put(k, v.dtype() == FLOAT32 ? RawTensor.ofFloats(v.toFloatArray(), shape) : RawTensor.ofDoubles(v.toDoubleArray(), shape));
        });
        return out;
    }
}
