package dev.jgrad.data.reliability;

import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.IdxLoader;
import dev.jgrad.ops.reliability.SmallHeapProbe;

import java.nio.file.Path;

/** The loaders {@link UntrustedInputTest} runs in a small heap ({@link SmallHeapProbe}), by kind. */
public final class BoundedMemoryProbe implements SmallHeapProbe.Loader {
    @Override
    public void load(String kind, Path file) throws Exception {
        switch (kind) {
            case "images" -> IdxLoader.readImages(file);
            case "labels" -> IdxLoader.readLabels(file);
            case "csv-header" -> CsvLoader.readWithHeader(file);
            case "csv-headerless" -> CsvLoader.readHeaderless(file, 1, 2);
            case "csv-options" -> CsvLoader.options().read(file);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
    }
}
