package dev.jgrad.nn;

import dev.jgrad.core.Tensor;

import java.util.List;

/** Modules applied in order; children are named {@code "0"}, {@code "1"}, ... like PyTorch's {@code nn.Sequential}. */
public final class Sequential extends Module {
    private final Module[] layers;

    /** @param layers the modules, applied first to last */
    public Sequential(Module... layers) {
        if (layers == null) throw new IllegalArgumentException("Sequential: layers array is null");
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == null) throw new IllegalArgumentException("Sequential: layer " + i + " is null");
        }
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) registerModule(Integer.toString(i), layers[i]);
    }

    /** @param layers the modules, applied first to last */
    public Sequential(List<Module> layers) {
        this(layers == null ? null : layers.toArray(new Module[0]));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) h = m.forward(h);
        return h;
    }

    /** The layers. */
    public List<Module> layers() {
        return List.of(layers);
    }
}
