package dev.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** General CSV files through {@link CsvLoader#options()} (issue #15), parsed by Apache Commons CSV. */
class CsvOptionsTest {
    @TempDir
    Path dir;

    private static Tabular read(CsvLoader.Options o, String text) throws IOException {
        return o.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv");
    }

    private static MalformedDataException bad(CsvLoader.Options o, String text) {
        return assertThrows(MalformedDataException.class, () -> read(o, text));
    }

    @Test
    void semicolonsHeaderAndALabelChosenByName() throws IOException {
        Path f = dir.resolve("iris.csv");
        Files.writeString(f, "sepal;species;petal\n5.1;setosa;1.4\n7.0;versicolor;4.7\n4.9;setosa;1.3\n");
        Tabular t = CsvLoader.options().delimiter(';').header(true).label("species").read(f);
        assertEquals(3, t.size());
        assertEquals(2, t.numFeatures());
        assertEquals(List.of("setosa", "versicolor"), t.classNames());
        assertArrayEquals(new double[] {5.1, 1.4}, t.row(0));
        assertArrayEquals(new double[] {7.0, 4.7}, t.row(1));
        assertArrayEquals(new int[] {0, 1, 0}, t.labels());
    }

    @Test
    void quotedFieldsMayHoldTheDelimiterQuotesAndLineBreaks() throws IOException {
        Tabular t = read(CsvLoader.options().header(true), "x,\"y, the second\",name\n"
                + "1,2,\"a, \"\"quoted\"\" name\"\n\"3\",4,\"two\nlines\"\n");
        assertEquals(List.of("a, \"quoted\" name", "two\nlines"), t.classNames());
        assertArrayEquals(new double[] {3, 4}, t.row(1));
        // line numbers count physical lines: the third record starts on line 5
        MalformedDataException e = bad(CsvLoader.options(), "1,\"a\nb\"\n2,\"c\nd\"\nx,e\n");
        assertTrue(e.getMessage().startsWith("t.csv:5: column 1: 'x' is not a number"), e.getMessage());
    }

    @Test
    void labelByIndexAndTheTwoClassOrders() throws IOException {
        String text = "virginica,1\nsetosa,2\nvirginica,3\nversicolor,4\n";
        Tabular sorted = read(CsvLoader.options().label(0), text);
        assertEquals(List.of("setosa", "versicolor", "virginica"), sorted.classNames());
        assertArrayEquals(new int[] {2, 0, 2, 1}, sorted.labels());
        Tabular seen = read(CsvLoader.options().label(0).classOrder(CsvLoader.ClassOrder.FIRST_SEEN), text);
        assertEquals(List.of("virginica", "setosa", "versicolor"), seen.classNames());
        assertArrayEquals(new int[] {0, 1, 0, 2}, seen.labels());
        assertArrayEquals(new double[] {1, 2, 3, 4}, seen.flatFeatures());
    }

    @Test
    void integerLabelsSortNumerically() throws IOException {
        Tabular t = read(CsvLoader.options(), "0.5,10\n0.25,2\n1,0\n");
        assertEquals(List.of("0", "2", "10"), t.classNames());
        assertArrayEquals(new int[] {2, 1, 0}, t.labels());
    }

    @Test
    void tabsAndTheDefaultLastColumnLabel() throws IOException {
        Tabular t = read(CsvLoader.options().delimiter('\t'), " 1\t2\tyes\n3\t4\tno\n\n");
        assertEquals(List.of("no", "yes"), t.classNames());
        assertArrayEquals(new double[] {1, 2, 3, 4}, t.flatFeatures());
    }

    @Test
    void badFilesAndBadOptionsAreClearErrors() {
        assertTrue(bad(CsvLoader.options().header(true).label("kind"), "a,b\n1,x\n").getMessage()
                .contains("t.csv:1: no column named 'kind' in the header [a, b]"));
        assertTrue(bad(CsvLoader.options().label(5), "1,x\n").getMessage()
                .contains("t.csv:1: label column 5 does not exist: the file has 2 columns"));
        assertTrue(bad(CsvLoader.options(), "1,x\n2,3,y\n").getMessage()
                .contains("t.csv:2: expected 2 columns but found 3"));
        assertTrue(bad(CsvLoader.options(), "1,x\n\n2,y\n").getMessage()
                .contains("t.csv:2: blank line inside the data"));
        assertTrue(bad(CsvLoader.options(), "1,\"x\n").getMessage().contains("t.csv: CSV syntax error"));
        assertTrue(bad(CsvLoader.options(), "inf,x\n").getMessage().contains("is not a number"));
        assertTrue(bad(CsvLoader.options(), "1,\n").getMessage().contains("t.csv:1: column 2: empty label"));
        assertTrue(bad(CsvLoader.options(), "").getMessage().contains("no data rows"));
        assertTrue(bad(CsvLoader.options().delimiter(';'), "1,2,x\n").getMessage().contains("need at least 2 columns"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(CsvLoader.options().label("y"), "1,a\n"));
        assertTrue(e.getMessage().contains("label(\"y\") needs header(true)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.options().label(-1));
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.options().delimiter('\n'));
        assertThrows(IllegalArgumentException.class, () -> read(CsvLoader.options().delimiter('"'), "1,a\n"));
    }

    @Test
    void theTwoFixedLayoutsNowAlsoAcceptQuotedFields() throws IOException {
        Tabular t = CsvLoader.readWithHeader(new ByteArrayInputStream(
                "2,1,\"a, b\",c\n\"0.5\",0\n1,1\n".getBytes(StandardCharsets.UTF_8)), "q.csv");
        assertEquals(List.of("a, b", "c"), t.classNames());
        assertEquals(0.5, t.feature(0, 0));
    }

    @Test
    void noLabelReadsEveryColumnAsAFeature() throws IOException {
        Tabular t = read(CsvLoader.options().header(true).noLabel(), "a,b,c\n1,2,3\n4,5,6\n");
        assertEquals(3, t.numFeatures());
        assertEquals(1, t.numClasses());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.flatFeatures());
        assertArrayEquals(new int[] {0, 0}, t.labels());
        Tabular one = read(CsvLoader.options().noLabel(), "7\n8\n");
        assertEquals(1, one.numFeatures());
        MalformedDataException e = bad(CsvLoader.options().noLabel(), "1,2\n3,x\n");
        assertTrue(e.getMessage().startsWith("t.csv:2: column 2: 'x' is not a number"), e.getMessage());
        assertTrue(bad(CsvLoader.options().noLabel(), "1,2\n3\n").getMessage().contains("expected 2 columns but found 1"));
        // a later label(...) undoes noLabel()
        assertEquals(2, read(CsvLoader.options().noLabel().label(2), "1,2,yes\n").numFeatures());
        assertThrows(IllegalArgumentException.class, () -> read(CsvLoader.options().noLabel().regression(true), "1\n"));
    }
}
