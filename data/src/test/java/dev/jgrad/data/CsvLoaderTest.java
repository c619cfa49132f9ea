package dev.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvLoaderTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ bundled sets

    @Test
    void digitsHas1797RowsOf64FeaturesAnd10BalancedClasses() {
        Tabular d = Datasets.digits();
        assertEquals(1797, d.size());
        assertEquals(64, d.numFeatures());
        assertEquals(10, d.numClasses());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), d.classNames());
        int[] counts = d.classCounts();
        assertEquals(1797, Arrays.stream(counts).sum());
        for (int c : counts) {
            assertTrue(c >= 170 && c <= 190, "class count " + c + " is not ~180");
        }
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < 64; j++) {
                double v = d.feature(i, j);
                assertTrue(v >= 0 && v <= 16 && v == Math.rint(v), "pixel " + v);
            }
        }
        // first line of the file: 0,0,5,13,9,1,0,0,... label 0
        assertArrayEquals(new double[] {0, 0, 5, 13, 9, 1, 0, 0}, Arrays.copyOf(d.row(0), 8));
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));
    }

    @Test
    void irisHas150RowsOf4FeaturesAnd3ClassesOf50() {
        Tabular d = Datasets.iris();
        assertEquals(150, d.size());
        assertEquals(4, d.numFeatures());
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new int[] {50, 50, 50}, d.classCounts());
        assertArrayEquals(new double[] {5.1, 3.5, 1.4, 0.2}, d.row(0));
        assertEquals(0, d.label(0));
        assertEquals(2, d.label(149));
        assertArrayEquals(new double[] {5.9, 3.0, 5.1, 1.8}, d.row(149));
    }

    @Test
    void breastCancerHas569RowsOf30FeaturesWith212MalignantAnd357Benign() {
        Tabular d = Datasets.breastCancer();
        assertEquals(569, d.size());
        assertEquals(30, d.numFeatures());
        assertEquals(List.of("malignant", "benign"), d.classNames());
        assertArrayEquals(new int[] {212, 357}, d.classCounts());
        assertEquals(17.99, d.feature(0, 0));
        assertEquals(0.1189, d.feature(0, 29), 0.0, "last feature of row 0");
    }

    @Test
    void bundledSetsAreCached() {
        assertSame(Datasets.iris(), Datasets.iris());
    }

    @Test
    void readsGzipFromAPathDetectedByMagicNotByName() throws IOException {
        Path f = dir.resolve("tiny.csv"); // no .gz suffix on purpose
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8));
        }
        Tabular t = CsvLoader.readHeaderless(f, 2, 2);
        assertEquals(2, t.size());
        assertArrayEquals(new double[] {3, 4}, t.row(1));
        assertArrayEquals(new int[] {0, 1}, t.labels());
    }

    @Test
    void readsHeaderFormFromPathWithWhitespaceAndCrlf() throws IOException {
        Path f = write("h.csv", "2,2,no,yes\r\n 1.5 , -2e-3 ,1\r\n0,0,0\r\n\r\n");
        Tabular t = CsvLoader.readWithHeader(f);
        assertEquals(List.of("no", "yes"), t.classNames());
        assertArrayEquals(new double[] {1.5, -0.002}, t.row(0));
        assertArrayEquals(new int[] {1, 0}, t.labels());
    }

    // ------------------------------------------------------------------ malformed input

    @Test
    void wrongColumnCountNamesFileAndLine() throws IOException {
        Path f = write("bad.csv", "3,2,a,b\n1,2,0\n1,2\n1,2,1\n");
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> CsvLoader.readWithHeader(f));
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains("expected 3 columns (2 features + label) but found 2"), e.getMessage());
        assertEquals(3, e.line());
        assertEquals(f.toString(), e.source());
    }

    @Test
    void rejectsNonNumericAndNonFiniteFeatures() {
        assertMalformed("1,1,a\nx,0\n", 2, "column 1: 'x' is not a number");
        assertMalformed("1,1,a\nNaN,0\n", 2, "'NaN' is not a number");
        assertMalformed("1,1,a\n1e999,0\n", 2, "not finite");
        assertMalformed("1,2,a\n1,,0\n", 2, "column 2: '' is not a number");
        assertMalformed("1,1,a\n0x1p3,0\n", 2, "is not a number");
    }

    @Test
    void rejectsBadLabels() {
        assertMalformed("1,1,a,b\n1,1.5\n", 2, "label '1.5' is not an integer");
        assertMalformed("1,1,a,b\n1,2\n", 2, "label 2 is outside [0, 2)");
        assertMalformed("1,1,a,b\n1,-1\n", 2, "label -1 is outside [0, 2)");
    }

    @Test
    void rejectsRowCountDisagreeingWithHeader() {
        assertMalformed("3,1,a\n1,0\n2,0\n", 3, "header declares 3 data rows but the file has 2");
        assertMalformed("1,1,a\n1,0\n2,0\n", 3, "more data rows than the 1 declared");
    }

    @Test
    void rejectsBadHeaders() {
        assertMalformed("", 1, "missing header line");
        assertMalformed("2,1\n1,0\n", 1, "at least one class name");
        assertMalformed("two,1,a\n", 1, "header ROWS 'two' is not an integer");
        assertMalformed("1,0,a\n", 1, "header FEATURES must be >= 1");
        assertMalformed("1,1,a,a\n1,0\n", 1, "duplicate class name 'a'");
        assertMalformed("1,1,a,,b\n1,0\n", 1, "empty class name");
    }

    @Test
    void rejectsBlankLineInsideDataButAcceptsTrailingBlankLines() throws IOException {
        assertMalformed("2,1,a\n1,0\n\n2,0\n", 3, "blank line inside the data");
        Tabular ok = CsvLoader.readWithHeader(stream("2,1,a\n1,0\n2,0\n\n\n"), "ok.csv");
        assertEquals(2, ok.size());
    }

    @Test
    void headerlessChecksColumnsAndLabelRange() {
        MalformedDataException e = assertThrows(MalformedDataException.class,
                () -> CsvLoader.readHeaderless(stream("1,2,3\n1,2,3,4\n"), "digits.csv", 2, 10));
        assertEquals("digits.csv:2: expected 3 columns (2 features + label) but found 4", e.getMessage());
        e = assertThrows(MalformedDataException.class,
                () -> CsvLoader.readHeaderless(stream("1,2,10\n"), "digits.csv", 2, 10));
        assertEquals("digits.csv:1: label 10 is outside [0, 10)", e.getMessage());
        e = assertThrows(MalformedDataException.class,
                () -> CsvLoader.readHeaderless(stream(""), "empty.csv", 2, 10));
        assertTrue(e.getMessage().contains("no data rows"));
    }

    @Test
    void rejectsBinaryAndDamagedGzip() throws IOException {
        Path bin = dir.resolve("bin.csv");
        Files.write(bin, new byte[] {'1', ',', (byte) 0xC3, (byte) 0x28, '\n'});
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> CsvLoader.readHeaderless(bin, 1, 2));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());

        byte[] gz;
        try (var in = Datasets.class.getResourceAsStream("digits.csv.gz")) {
            gz = in.readAllBytes();
        }
        Path cut = dir.resolve("cut.csv.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(MalformedDataException.class, () -> CsvLoader.readHeaderless(cut, 64, 10));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("gzip") || e.getMessage().contains("columns"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertMalformed(String content, int line, String fragment) {
        MalformedDataException e = assertThrows(MalformedDataException.class,
                () -> CsvLoader.readWithHeader(stream(content), "t.csv"), content);
        assertTrue(e.getMessage().startsWith("t.csv:" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
