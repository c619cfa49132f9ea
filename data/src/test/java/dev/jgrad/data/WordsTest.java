package dev.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordsTest {

    @Test
    void bundledListMatchesItsDescription() {
        Words w = Words.bundled();
        assertEquals(63_875, w.size());
        assertEquals(27, w.vocabSize());
        assertEquals(22, w.maxLength());
        assertEquals(23, w.blockSize());
        assertEquals('.', w.decode(0));
        assertEquals('a', w.decode(1));
        assertEquals('z', w.decode(26));
        assertEquals(26, w.encode('z'));
    }

    @Test
    void batchRowsAreShiftedByOneWithBoundaryAndIgnoredPadding(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("w.txt");
        Files.write(f, "\uFEFFab\n\n  ca \nabcd\n".getBytes(StandardCharsets.UTF_8));
        Words w = Words.read(f);
        assertEquals(List.of("ab", "ca", "abcd"), w.words());
        assertEquals(5, w.vocabSize());
        assertEquals(5, w.blockSize());
        int[] x = new int[10], y = new int[10];
        w.batch(new int[]{1, 2}, x, y);
        assertArrayEquals(new int[]{0, 3, 1, 0, 0, /* */ 0, 1, 2, 3, 4}, x);
        assertArrayEquals(new int[]{3, 1, 0, -1, -1, /* */ 1, 2, 3, 4, 0}, y);
    }

    @Test
    void splitIsSeededDisjointAndComplete() {
        Words w = Words.bundled();
        List<Words> s = w.split(0.1, 7);
        assertEquals(6_388, s.get(1).size());
        assertEquals(w.size(), s.get(0).size() + s.get(1).size());
        Set<String> test = new HashSet<>(s.get(1).words());
        for (String t : s.get(0).words()) assertTrue(!test.contains(t) || w.words().stream().filter(t::equals).count() > 1);
        assertEquals(s.get(1).words(), w.split(0.1, 7).get(1).words());
        assertTrue(!s.get(1).words().equals(w.split(0.1, 8).get(1).words()));
        assertEquals(w.vocabSize(), s.get(1).vocabSize());
    }

    @Test
    void badListsAreRejectedWithTheFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "ok\ntwo words\n");
        assertTrue(assertThrows(MalformedDataException.class, () -> Words.read(f)).getMessage().contains("bad.txt:2: white space"));
        Files.writeString(f, "a.b\n");
        assertTrue(assertThrows(MalformedDataException.class, () -> Words.read(f)).getMessage().contains("boundary"));
        Files.writeString(f, "\n \n");
        assertTrue(assertThrows(MalformedDataException.class, () -> Words.read(f)).getMessage().contains("no words"));
        assertTrue(assertThrows(MalformedDataException.class, () -> Words.read(dir)).getMessage().contains("directory"));
        Words w = Words.read(writeAndGet(f, "ab\n"));
        assertThrows(IllegalArgumentException.class, () -> w.encode('q'));
        assertThrows(IllegalArgumentException.class, () -> w.batch(new int[]{0}, new int[2], new int[3]));
    }

    private static Path writeAndGet(Path f, String s) throws IOException {
        Files.writeString(f, s);
        return f;
    }
}
