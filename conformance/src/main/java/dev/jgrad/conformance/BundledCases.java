package dev.jgrad.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch 1.13 reference cases bundled with this module ({@code loss-conformance/1} files, see the module's
 * {@code FORMAT.md}), readable as a directory whether the module is a directory of classes or a jar.
 */
public final class BundledCases {
    /** Where the case files sit on the class path. */
    public static final String RESOURCE = "/dev/jgrad/conformance/cases";

    private BundledCases() {
    }

    /**
     * The bundled case directory as a {@link Path}: a file-system directory when the classes are unpacked, else a
     * directory inside the jar (through the JDK's zip file system, opened once and kept open).
     *
     * @throws IllegalStateException if the resource is missing from the class path
     */
    public static Path directory() {
        URL url = BundledCases.class.getResource(RESOURCE);
        if (url == null) throw new IllegalStateException("bundled conformance cases " + RESOURCE + " are missing from the class path");
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException already) {
                    // opened by an earlier call: Path.of finds it
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the jar holding " + RESOURCE, e);
        }
    }

    /** Every bundled case, in file and case order. */
    public static List<ConformanceCase> all() throws IOException {
        return CaseReader.readCases(directory());
    }
}
