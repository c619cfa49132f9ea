package dev.jgrad.data.reliability;

import dev.jgrad.data.CsvLoader;
import dev.jgrad.data.IdxLoader;

import java.nio.file.Path;

/**
 * Run in a JVM with a small heap by {@link UntrustedInputTest}: loads each {@code KIND=FILE} argument and prints
 * one line per file, {@code OK} or the simple name of what was thrown and its message. An {@link OutOfMemoryError}
 * is caught and printed like any other failure, so the test can tell it apart from a clean rejection.
 */
public final class BoundedMemoryProbe {
    private BoundedMemoryProbe() {
    }

    public static void main(String[] args) {
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String kind = arg.substring(0, eq);
            Path file = Path.of(arg.substring(eq + 1));
            String result;
            try {
                switch (kind) {
                    case "images" -> IdxLoader.readImages(file);
                    case "labels" -> IdxLoader.readLabels(file);
                    case "csv-header" -> CsvLoader.readWithHeader(file);
                    case "csv-headerless" -> CsvLoader.readHeaderless(file, 1, 2);
                    case "csv-options" -> CsvLoader.options().read(file);
                    default -> throw new IllegalArgumentException("unknown kind " + kind);
                }
                result = "OK";
            } catch (Throwable t) {
                result = t.getClass().getSimpleName() + ": " + t.getMessage();
                if (System.getenv("PROBE_TRACE") != null) t.printStackTrace();
            }
            System.out.println(kind + " " + file.getFileName() + " -> " + result);
            System.out.flush();
        }
    }
}
