package dev.jgrad.nn;

import dev.jgrad.core.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels that live beside their owners (optimizer rules, dropout mask, fused cross-entropy) touch the Vector API
 * only when the backend does: training runs in a JVM without {@code jdk.incubator.vector}, and gives exactly the
 * results of the scalar backend chosen with {@code -Djgrad.kernels=scalar} in a JVM that has the module.
 */
class NoVectorApiTrainingTest {

    /** Runs {@link NoVectorApiProbe} in a fresh JVM with the test classpath; returns {stdout, our stderr lines}. */
    private static String[] probe(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(NoVectorApiProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String e = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM failed: " + e);
        String ours = e.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator modules"))
                .collect(Collectors.joining("\n"));
        return new String[]{new String(out, StandardCharsets.UTF_8).trim(), ours};
    }

    @Test
    void trainsWithoutTheVectorModuleExactlyAsTheScalarBackend() throws Exception {
        String[] without = probe();
        assertEquals(Kernels.NO_VECTOR_API, without[1]);
        assertTrue(without[0].startsWith("scalar-ejml\n"), without[0]);
        String[] scalar = probe("--add-modules", "jdk.incubator.vector", "-Djgrad.kernels=scalar");
        assertEquals("", scalar[1]);
        assertEquals(scalar[0], without[0]);
        String[] simd = probe("--add-modules", "jdk.incubator.vector");
        assertTrue(simd[0].startsWith("simd-"), simd[0]);
        assertEquals(scalar[0].lines().count(), simd[0].lines().count());
    }
}
