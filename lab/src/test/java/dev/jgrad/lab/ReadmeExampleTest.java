package dev.jgrad.lab;

import dev.jgrad.lab.precision.CrossEntropyStrategy;
import dev.jgrad.lab.precision.Format;
import dev.jgrad.lab.precision.Precision;
import dev.jgrad.lab.precision.Summation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worked example of the README's stability section, verbatim (between the markers), and what it shows. */
class ReadmeExampleTest {

    @Test
    void customStrategyInTheLab(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("my-lab");
        // README example begins
        // the max shift written as separate ops, each storing its result: (x - max).exp().sum().log() - (x - max)[t]
        CrossEntropyStrategy shiftAsOps = (a, x, t) -> {
            double m = a.max(x);
            double[] z = a.map(x, v -> v - m);
            double[] e = a.map(z, Math::exp);
            double s = a.sum(e);
            double[] p = a.map(e, v -> v / s);
            return CrossEntropyStrategy.RowLoss.of(a, a.sub(a.log(s), z[t]), p, t);
        };
        LabReport report = StabilityLab.builder()
                .builtInStrategies("TWO_PASS", "ONLINE")
                .strategy("SHIFT_AS_OPS", shiftAsOps)
                .precisions(Precision.of(Format.BFLOAT16, Format.FLOAT32), Precision.of(Format.FLOAT16, Format.FLOAT32),
                        Precision.AUTOCAST_CPU)
                .summations(Summation.PLAIN)
                .classes(10, 32_000)
                .scales(1, 10, 100, 1e4)
                .run();
        report.writeAll(out);   // stability-precision.md, .csv, .png
        for (LabEntry e : report.entries("SHIFT_AS_OPS", "bfloat16/acc=float32", Summation.PLAIN)) {
            System.out.printf("K=%d scale %g: %.2f eps, assert_close %s%n", e.classes(), e.scale(), e.lossMaxErr(),
                    e.accepted() ? "passes" : "fails");
        }
        // README example ends
        assertEquals(3 * 3 * 2 * 4, report.entries().size());
        assertTrue(Files.isRegularFile(out.resolve("stability-precision.png")));
        String readme = Files.readString(Path.of("..", "README.md"));
        String src = Files.readString(Path.of("src/test/java/dev/jgrad/lab/ReadmeExampleTest.java"));
        String example = between(src, "// README example begins\n", "        // README example ends").indent(-8);
        assertTrue(readme.contains(example), "README's stability example differs from this test:\n" + example);
        // what the example shows
        for (LabEntry e : report.entries()) assertTrue(e.allFinite(), e.toString());
    }

    private static String between(String s, String from, String to) {
        int i = s.indexOf(from) + from.length();
        return s.substring(i, s.indexOf(to, i));
    }
}
