package dev.jgrad.nn.reliability;

import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.ops.reliability.SmallHeapProbe;

import java.nio.file.Path;

/**
 * The loaders {@link UntrustedHeadersTest} runs in a small heap ({@link SmallHeapProbe}): {@code read} is
 * {@link SafeTensors#read}, {@code checkpoint} is {@link Checkpoint#load} into a small MLP.
 */
public final class HeaderProbe implements SmallHeapProbe.Loader {
    @Override
    public void load(String kind, Path file) throws Exception {
        switch (kind) {
            case "read" -> SafeTensors.read(file);
            case "checkpoint" -> Checkpoint.load(file, Mlp.builder(4, 2).hidden(3).seed(1).build(), null);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
    }
}
