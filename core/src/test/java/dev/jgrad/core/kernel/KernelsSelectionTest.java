package dev.jgrad.core.kernel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link Kernels} picks its backend, in this JVM (which has the Vector API) and in child JVMs. */
class KernelsSelectionTest {

    private static String[] select(String property, boolean module, List<KernelBackend> out) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        out.add(Kernels.select(property, module, new PrintStream(buf, true, StandardCharsets.UTF_8)));
        String s = buf.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? new String[0] : s.split("\\R");
    }

    @Test
    void selectionRule() {
        List<KernelBackend> b = new ArrayList<>();
        assertEquals(0, select(null, true, b).length);
        assertInstanceOf(SimdKernels.class, b.get(0));
        assertEquals(0, select("simd", true, b).length);
        assertInstanceOf(SimdKernels.class, b.get(1));
        assertEquals(0, select("scalar", true, b).length);
        assertInstanceOf(ScalarKernels.class, b.get(2));
        assertEquals(0, select("scalar", false, b).length);
        assertInstanceOf(ScalarKernels.class, b.get(3));
        assertEquals(List.of(Kernels.NO_VECTOR_API), Arrays.asList(select(null, false, b)));
        assertInstanceOf(ScalarKernels.class, b.get(4));
        assertEquals(List.of(Kernels.NO_VECTOR_API), Arrays.asList(select("simd", false, b)));
        assertInstanceOf(ScalarKernels.class, b.get(5));
    }

    @Test
    void thisJvmUsesSimd() {
        // surefire runs the tests with --add-modules jdk.incubator.vector
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        if (System.getProperty(Kernels.PROPERTY) == null) {
            assertInstanceOf(SimdKernels.class, Kernels.backend());
        }
    }

    /** Runs KernelsProbe in a fresh JVM with the test classpath; returns {stdout, stderr}. */
    private static String[] probe(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.addAll(Arrays.asList(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KernelsProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String e = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM failed: " + e);
        return new String[]{new String(out, StandardCharsets.UTF_8).trim(), e};
    }

    /** stderr lines other than the JVM's own incubator-module warning. */
    private static List<String> ourLines(String err) {
        return err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator modules"))
                .collect(Collectors.toList());
    }

    @Test
    void jvmWithoutVectorModuleFallsBackWithOneLine() throws Exception {
        String[] r = probe();
        assertEquals("scalar-ejml", r[0]);
        assertEquals(List.of(Kernels.NO_VECTOR_API), ourLines(r[1]));

        String[] forced = probe("-Djgrad.kernels=simd");
        assertEquals("scalar-ejml", forced[0]);
        assertEquals(List.of(Kernels.NO_VECTOR_API), ourLines(forced[1]));
    }

    @Test
    void jvmWithVectorModule() throws Exception {
        String[] r = probe("--add-modules", "jdk.incubator.vector");
        assertTrue(r[0].startsWith("simd-"), r[0]);
        assertEquals(List.of(), ourLines(r[1]));

        String[] scalar = probe("--add-modules", "jdk.incubator.vector", "-Djgrad.kernels=scalar");
        assertEquals("scalar-ejml", scalar[0]);
        assertEquals(List.of(), ourLines(scalar[1]));
    }
}
