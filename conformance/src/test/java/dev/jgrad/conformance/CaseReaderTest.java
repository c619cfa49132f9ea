package dev.jgrad.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaseReaderTest {

    private static boolean isNegativeZero(double v) {
        return Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(-0.0);
    }

    // ------------------------------------------------------------ the copied reference files

    @Test
    void readsEveryCopiedFileWithItsCaseCount() throws IOException {
        List<CaseFile> files = CaseReader.readFiles(TestCases.casesDir());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (CaseFile f : files) {
            assertEquals("loss-conformance/1", f.format());
            assertEquals("torch 1.13.1 (CPU)", f.reference());
            counts.put(f.source().orElseThrow().getFileName().toString(), f.cases().size());
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("attention.json", 48);
        expected.put("binary_cross_entropy.json", 28);
        expected.put("binary_cross_entropy_with_logits.json", 42);
        expected.put("conv.json", 76);
        expected.put("cross_entropy.json", 146);
        expected.put("cross_entropy_nd.json", 158);
        expected.put("elementwise.json", 54);
        expected.put("elementwise_losses.json", 862);
        expected.put("elementwise_nd.json", 342);
        expected.put("entropy.json", 24);
        expected.put("kl_div.json", 30);
        expected.put("linear_cross_entropy.json", 46);
        expected.put("matmul.json", 24);
        expected.put("matmul_nd.json", 56);
        expected.put("mse_loss.json", 18);
        expected.put("nll_loss.json", 60);
        expected.put("norm.json", 110);
        expected.put("reductions.json", 294);
        expected.put("shape.json", 340);
        expected.put("soft_margin_loss.json", 16);
        expected.put("softmax.json", 74);
        // same content and sorted by name (LinkedHashMap equality ignores order, so compare key lists too)
        assertEquals(expected, counts);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(counts.keySet()));
        assertEquals(516 + 56 + 342 + 294 + 340 + 76 + 862 + 158 + 110 + 48 + 46, TestCases.all().size()); // + matmul_nd, elementwise_nd, reductions, shape, conv, elementwise_losses, cross_entropy_nd, norm, attention, linear_cross_entropy
    }

    @Test
    void everyOpHasBothDtypesAndNamesAreUnique() {
        List<ConformanceCase> all = TestCases.all();
        Set<String> names = all.stream().map(ConformanceCase::name).collect(Collectors.toSet());
        assertEquals(all.size(), names.size());
        Map<String, Set<String>> dtypesByOp = all.stream().collect(Collectors.groupingBy(ConformanceCase::op,
                Collectors.mapping(ConformanceCase::dtype, Collectors.toCollection(TreeSet::new))));
        assertEquals(19 + 1 + 16 + 12 + 23 + 6 + 7 + 4 + 1 + 1, dtypesByOp.size()); // + the new ops of matmul_nd, elementwise_nd, reductions, shape, conv + elementwise_losses, ..., linear_cross_entropy
        dtypesByOp.forEach((op, dtypes) -> assertEquals(Set.of("float32", "float64"), dtypes, op));
    }

    @Test
    void knownValuesOfAFloat32Case() {
        ConformanceCase c = TestCases.named("mse_loss/random/none/float32/0");
        assertEquals("mse_loss", c.op());
        assertEquals("float32", c.dtype());
        assertEquals("none", c.optionString("reduction", null));
        assertEquals(List.of("input"), c.requiresGrad());
        CaseTensor input = c.input("input");
        assertEquals("float32", input.dtype());
        assertArrayEquals(new int[] {3}, input.shape());
        assertArrayEquals(new double[] {2.37108, -0.9248635, -1.8555393}, input.values());
        // the double reading casts exactly to the float32 value of the decimal
        assertEquals(Float.parseFloat("-0.9248635"), (float) input.value(1));
        assertArrayEquals(new float[] {2.37108f, -0.9248635f, -1.8555393f}, input.floatValues());
        assertEquals((double) 2.37108f, input.dtypeValue(0));
        assertArrayEquals(new double[] {9.447676, 0.19972503, 5.9836082}, c.output().values());
        assertArrayEquals(new double[] {-0.5709039, 0.41198385, -4.924112}, c.grad("input").values());
        assertArrayEquals(new double[] {-0.09286895, -0.46092892, 1.006506}, c.gradOutput().values());
        assertEquals(1e-5, c.rtol());
        assertEquals(1e-6, c.atol());
        assertTrue(c.note().isEmpty());
    }

    @Test
    void nonFiniteStringsAndNegativeZero() {
        ConformanceCase c = TestCases.named("log/edge/zero_and_negative/float32/0");
        double[] in = c.input("input").values();
        assertEquals(0.0, in[0]);
        assertFalse(isNegativeZero(in[0]));
        assertTrue(isNegativeZero(in[1]), "-0.0 must keep its sign");
        assertTrue(isNegativeZero(c.input("input").dtypeValue(1)));
        assertTrue(isNegativeZero(c.input("input").floatValues()[1]));
        double[] out = c.output().values();
        assertEquals(Double.NEGATIVE_INFINITY, out[0]);
        assertEquals(Double.NEGATIVE_INFINITY, out[1]);
        assertTrue(Double.isNaN(out[2]));
        assertTrue(Double.isNaN(out[3]));
        assertEquals(0.0, out[4]);
        double[] g = c.grad("input").values();
        assertEquals(Double.POSITIVE_INFINITY, g[0]);
        assertEquals(Double.NEGATIVE_INFINITY, g[1]);
        assertEquals(0.9482542, g[2]);
        assertTrue(c.note().orElseThrow().contains("log(-0.0)"));
        assertTrue(c.isEdge());
    }

    @Test
    void totalsOfNonFiniteAndNegativeZeroElementsMatchTheFiles() {
        // counted independently from the JSON text of the shared files
        int nan = 0, posInf = 0, negInf = 0, negZero = 0, floats = 0, longs = 0;
        for (ConformanceCase c : TestCases.all()) {
            List<CaseTensor> tensors = new java.util.ArrayList<>(c.inputs().values());
            tensors.add(c.output());
            tensors.add(c.gradOutput());
            tensors.addAll(c.grads().values());
            c.options().values().stream().filter(v -> v instanceof CaseTensor).forEach(v -> tensors.add((CaseTensor) v));
            for (CaseTensor t : tensors) {
                if (t.isInt64()) {
                    longs += t.size();
                    continue;
                }
                for (double v : t.values()) {
                    floats++;
                    if (Double.isNaN(v)) {
                        nan++;
                    } else if (v == Double.POSITIVE_INFINITY) {
                        posInf++;
                    } else if (v == Double.NEGATIVE_INFINITY) {
                        negInf++;
                    } else if (isNegativeZero(v)) {
                        negZero++;
                    }
                }
            }
        }
        assertEquals(177167 + 17596 + 14268 + 31084 + 17730 + 24880 + 38048 + 29552 + 15104 + 22242 + 139122, floats); // + matmul_nd, elementwise_nd, reductions, shape, conv, elementwise_losses, cross_entropy_nd, norm, attention, linear_cross_entropy, here and below
        assertEquals(1690 + 478 + 1872 + 310, longs);
        assertEquals(34 + 10 + 200 + 112 + 22 + 28 + 462 + 294 + 26 + 192 + 2, nan);
        assertEquals(29 + 8 + 180 + 4 + 30 + 26 + 132 + 105, posInf);
        assertEquals(77 + 10 + 152 + 14 + 60 + 38 + 82 + 125 + 8, negInf);
        assertEquals(208 + 126 + 1443 + 31 + 412 + 4 + 23, negZero);
    }

    @Test
    void int64TargetsAndScalarOptions() {
        ConformanceCase c = TestCases.named("nll_loss/plain/none/float32/0");
        CaseTensor target = c.input("target");
        assertTrue(target.isInt64());
        assertEquals("int64", target.dtype());
        assertArrayEquals(new int[] {32}, target.shape());
        assertEquals(1L, target.longValue(0));
        assertEquals(8L, target.longValue(1));
        assertArrayEquals(new int[] {1, 8, 6, 0}, java.util.Arrays.copyOf(target.intValues(), 4));
        assertThrows(IllegalStateException.class, target::values);
        assertThrows(IllegalStateException.class, () -> c.input("input").longValues());
        assertEquals(-100L, c.optionLong("ignore_index", 0));
        assertTrue(c.option("ignore_index") instanceof Long);
        assertTrue(c.hasOption("weight"));
        assertNull(c.option("weight"));
        assertNull(c.optionTensor("weight"));
        assertFalse(c.hasOption("label_smoothing"));
        assertEquals(0.25, c.optionDouble("label_smoothing", 0.25));
        assertThrows(IllegalArgumentException.class, () -> c.optionLong("reduction", 0));
        assertArrayEquals(new int[] {32, 10}, c.input("input").shape());

        ConformanceCase ce = TestCases.named("cross_entropy/indices/edge/masked_class/ls/none/float32/0");
        assertEquals(0.1, ce.optionDouble("label_smoothing", -1));
        assertTrue(ce.option("label_smoothing") instanceof Double);
        assertEquals(Double.POSITIVE_INFINITY, ce.output().value(0));

        ConformanceCase probs = TestCases.named("cross_entropy/probs/plain/none/float32/0");
        assertEquals("float32", probs.input("target").dtype());
        assertEquals(0.0, probs.optionDouble("label_smoothing", -1));

        assertEquals(Boolean.TRUE, TestCases.named("kl_div/log_target/none/float32/0").option("log_target"));
        assertEquals("e", TestCases.named("entropy/random/base_e/float32/0").option("base"));
        assertEquals(2L, TestCases.named("entropy/random/base_2/float32/0").option("base"));
        ConformanceCase lse = TestCases.named("logsumexp/random/float32/0");
        assertEquals(-1L, lse.optionLong("dim", 0));
        assertFalse(lse.optionBoolean("keepdim", true));
        assertArrayEquals(new int[0], lse.output().shape(), "1-D logsumexp gives a scalar");
        assertEquals(0, lse.output().rank());
        assertEquals(1, lse.output().size());
        assertEquals(20.0, TestCases.named("softplus/random/float32/0").optionDouble("threshold", 0));
    }

    @Test
    void tensorValuedOptions() {
        ConformanceCase c = TestCases.named("binary_cross_entropy/hard_target/weight_full/none/float32/0");
        CaseTensor w = c.optionTensor("weight");
        assertEquals("float32", w.dtype());
        assertArrayEquals(new int[] {2}, w.shape());
        assertArrayEquals(new double[] {0.9437872, 0.58886534}, w.values());
        assertThrows(IllegalArgumentException.class, () -> c.optionTensor("reduction"));

        long withPosWeight = TestCases.all().stream()
                .filter(k -> k.op().equals("binary_cross_entropy_with_logits"))
                .filter(k -> k.optionTensor("pos_weight") != null).count();
        assertEquals(22 + 30, withPosWeight); // + elementwise_losses
    }

    @Test
    void readsASingleFileAndAStream() throws IOException {
        Path file = TestCases.casesDir().resolve("mse_loss.json");
        List<ConformanceCase> cases = CaseReader.readCases(file);
        assertEquals(18, cases.size());
        assertEquals("mse_loss/random/none/float32/0", cases.get(0).name());
        CaseFile fromStream = CaseReader.read(Files.newInputStream(file), "mse_loss.json");
        assertTrue(fromStream.source().isEmpty());
        assertEquals(18, fromStream.cases().size());
        assertEquals(cases.get(3).output(), fromStream.cases().get(3).output());
    }

    // ------------------------------------------------------------ small synthetic files

    private static final String CASE_TEMPLATE = "{\"name\": \"%s\", \"op\": \"exp\", \"dtype\": \"float64\","
            + " \"inputs\": {\"input\": {\"dtype\": \"float64\", \"shape\": [2], \"data\": [%s]}},"
            + " \"options\": {}, \"requires_grad\": [\"input\"],"
            + " \"output\": {\"dtype\": \"float64\", \"shape\": [2], \"data\": [1.0, 2.0]},"
            + " \"grad_output\": {\"dtype\": \"float64\", \"shape\": [2], \"data\": [1.0, 1.0]},"
            + " \"grads\": {\"input\": {\"dtype\": \"float64\", \"shape\": [2], \"data\": [1.0, 2.0]}},"
            + " \"tol\": {\"rtol\": 1e-10, \"atol\": 1e-12}}";

    private static String fileWith(String format, String... cases) {
        return "{\"format\": " + format + ", \"reference\": \"test\", \"cases\": [" + String.join(",", cases) + "]}";
    }

    private static String aCase(String name, String inputData) {
        return String.format(CASE_TEMPLATE, name, inputData);
    }

    private static Path write(Path dir, String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void syntheticFileParsesIntegersAsDoublesAndMinusZero(@TempDir Path dir) throws IOException {
        Path f = write(dir, "a.json", fileWith("\"loss-conformance/1\"", aCase("x/0", "-0, 3")));
        ConformanceCase c = CaseReader.readFile(f).cases().get(0);
        assertTrue(isNegativeZero(c.input("input").value(0)), "JSON integer -0 in floating data is -0.0");
        assertEquals(3.0, c.input("input").value(1));
    }

    @Test
    void listValuedIntegerOptions(@TempDir Path dir) throws IOException {
        String withDims = aCase("x/0", "1, 2").replace("\"options\": {}", "\"options\": {\"dim\": [0, -1], \"keepdim\": true, \"k\": 2}");
        ConformanceCase c = CaseReader.readFile(write(dir, "a.json", fileWith("\"loss-conformance/1\"", withDims))).cases().get(0);
        assertArrayEquals(new long[] {0, -1}, c.optionLongs("dim", null));
        assertArrayEquals(new long[] {2}, c.optionLongs("k", null), "a single integer is a list of one");
        assertArrayEquals(new long[] {7}, c.optionLongs("absent", new long[] {7}));
        assertThrows(IllegalArgumentException.class, () -> c.optionLongs("keepdim", null));
        c.optionLongs("dim", null)[0] = 5;
        assertEquals(0, c.optionLongs("dim", null)[0], "a copy");

        String floats = aCase("x/1", "1, 2").replace("\"options\": {}", "\"options\": {\"dim\": [0.5]}");
        Path bad = write(dir, "b.json", fileWith("\"loss-conformance/1\"", floats));
        assertThrows(CaseFormatException.class, () -> CaseReader.readFile(bad));
    }

    @Test
    void wrongOrMissingFormatIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        Path wrong = write(dir, "wrong.json", fileWith("\"loss-conformance/2\"", aCase("x/0", "1, 2")));
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(wrong));
        assertTrue(e.getMessage().contains(wrong.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("loss-conformance/2"), e.getMessage());
        assertTrue(e.getMessage().contains("loss-conformance/1"), e.getMessage());

        Path notString = write(dir, "num.json", fileWith("1", aCase("x/0", "1, 2")));
        assertThrows(CaseFormatException.class, () -> CaseReader.readFile(notString));

        Path missing = write(dir, "missing.json", "{\"reference\": \"r\", \"cases\": []}");
        CaseFormatException m = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(missing));
        assertTrue(m.getMessage().contains("missing.json") && m.getMessage().contains("format"), m.getMessage());

        // a bad format is reported even when the rest of the file would not parse
        Path both = write(dir, "both.json", "{\"format\": \"other\", \"cases\": [{\"bogus\": 1}]}");
        CaseFormatException b = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(both));
        assertTrue(b.getMessage().contains("unsupported format"), b.getMessage());

        // in a directory, the failing file is named
        CaseFormatException d = assertThrows(CaseFormatException.class, () -> CaseReader.readCases(dir));
        assertTrue(d.getMessage().contains(".json"), d.getMessage());
    }

    @Test
    void malformedContentIsRejectedWithTheCaseName(@TempDir Path dir) throws IOException {
        String ok = "\"loss-conformance/1\"";
        Path badString = write(dir, "s.json", fileWith(ok, aCase("bad/nan", "\"NaN\", 1")));
        CaseFormatException e1 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(badString));
        assertTrue(e1.getMessage().contains("bad/nan") && e1.getMessage().contains("NaN"), e1.getMessage());

        Path badLength = write(dir, "l.json", fileWith(ok, aCase("bad/len", "1, 2, 3")));
        CaseFormatException e2 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(badLength));
        assertTrue(e2.getMessage().contains("bad/len") && e2.getMessage().contains("inputs.input"), e2.getMessage());

        Path unknownField = write(dir, "u.json", fileWith(ok,
                aCase("bad/field", "1, 2").replace("\"options\": {}", "\"options\": {}, \"requires_grads\": []")));
        CaseFormatException e3 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(unknownField));
        assertTrue(e3.getMessage().contains("requires_grads"), e3.getMessage());

        Path noGrads = write(dir, "g.json", fileWith(ok,
                aCase("bad/grads", "1, 2").replace("\"requires_grad\": [\"input\"]", "\"requires_grad\": []")));
        CaseFormatException e4 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(noGrads));
        assertTrue(e4.getMessage().contains("bad/grads"), e4.getMessage());

        Path float32Overflow = write(dir, "o.json", fileWith(ok, aCase("bad/f32", "1, 2")
                .replace("\"float64\"", "\"float32\"").replace("[1.0, 2.0]}, \"grad_output\"", "[1e39, 2.0]}, \"grad_output\"")));
        CaseFormatException e5 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(float32Overflow));
        assertTrue(e5.getMessage().contains("float32 range"), e5.getMessage());

        Path fractionalIndex = write(dir, "i.json", fileWith(ok, aCase("bad/int64", "1, 2").replace(
                "\"options\": {}", "\"options\": {\"t\": {\"dtype\": \"int64\", \"shape\": [1], \"data\": [1.5]}}")));
        CaseFormatException e6 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(fractionalIndex));
        assertTrue(e6.getMessage().contains("options.t"), e6.getMessage());

        Path wrongDtype = write(dir, "d.json", fileWith(ok, aCase("bad/dtype", "1, 2")
                .replaceFirst("\"dtype\": \"float64\", \"shape\": \\[2\\], \"data\": \\[1, 2\\]",
                        "\"dtype\": \"float32\", \"shape\": [2], \"data\": [1, 2]")));
        CaseFormatException e7 = assertThrows(CaseFormatException.class, () -> CaseReader.readFile(wrongDtype));
        assertTrue(e7.getMessage().contains("case dtype"), e7.getMessage());

        Path notJson = write(dir, "j.json", "{\"format\": \"loss-conformance/1\", \"cases\": [");
        assertThrows(CaseFormatException.class, () -> CaseReader.readFile(notJson));

        Path duplicateKey = write(dir, "k.json", fileWith(ok, aCase("bad/dup", "1, 2")
                .replace("\"op\": \"exp\"", "\"op\": \"exp\", \"op\": \"log\"")));
        assertThrows(CaseFormatException.class, () -> CaseReader.readFile(duplicateKey));

        Path coercedName = write(dir, "n.json", fileWith(ok, aCase("x", "1, 2").replace("\"name\": \"x\"", "\"name\": 5")));
        assertThrows(CaseFormatException.class, () -> CaseReader.readFile(coercedName));
    }

    @Test
    void directoryIsReadRecursivelyInNameOrderAndNamesMustBeUnique(@TempDir Path dir) throws IOException {
        String ok = "\"loss-conformance/1\"";
        write(dir, "b.json", fileWith(ok, aCase("b/0", "1, 2")));
        write(dir, "a.json", fileWith(ok, aCase("a/0", "1, 2"), aCase("a/1", "1, 2")));
        write(dir, "sub/c.json", fileWith(ok, aCase("c/0", "1, 2")));
        write(dir, "notes.txt", "ignored");
        List<String> names = CaseReader.readCases(dir).stream().map(ConformanceCase::name).collect(Collectors.toList());
        assertEquals(List.of("a/0", "a/1", "b/0", "c/0"), names);

        write(dir, "sub/d.json", fileWith(ok, aCase("a/1", "1, 2")));
        CaseFormatException e = assertThrows(CaseFormatException.class, () -> CaseReader.readCases(dir));
        assertTrue(e.getMessage().contains("a/1") && e.getMessage().contains("a.json")
                && e.getMessage().contains("d.json"), e.getMessage());
    }

    @Test
    void emptyOrMissingDirectoryIsAnError(@TempDir Path dir) {
        assertThrows(CaseFormatException.class, () -> CaseReader.readCases(dir));
        assertThrows(NoSuchFileException.class, () -> CaseReader.readCases(dir.resolve("nope")));
    }

    @Test
    void streamErrorsUseTheSourceName() {
        byte[] bytes = "{\"format\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        CaseFormatException e = assertThrows(CaseFormatException.class,
                () -> CaseReader.read(new ByteArrayInputStream(bytes), "my-source"));
        assertTrue(e.getMessage().contains("my-source"), e.getMessage());
    }
}
