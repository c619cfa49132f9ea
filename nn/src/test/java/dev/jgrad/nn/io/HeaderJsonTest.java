package dev.jgrad.nn.io;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict JSON reader/writer behind safetensors headers. */
class HeaderJsonTest {

    private static String rejected(String text) {
        return assertThrows(HeaderJson.Malformed.class, () -> HeaderJson.parse(text), text).getMessage();
    }

    @Test
    void readsEveryKindOfValueInOrder() throws Exception {
        Object v = HeaderJson.parse(" {\"b\": [1, -0, 2.5, -1e3, 9223372036854775808], \"a\": {\"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\"},"
                + " \"t\": true, \"f\": false, \"n\": null, \"e\": [], \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "t", "f", "n", "e", "o"), List.copyOf(m.keySet()));
        assertEquals(List.of(BigInteger.ONE, BigInteger.ZERO, 2.5, -1000.0, new BigInteger("9223372036854775808")), m.get("b"));
        assertEquals("x\"\\/\né\uD83D\uDE00", ((Map<?, ?>) m.get("a")).get("s"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertSame(HeaderJson.NULL, m.get("n"));
        assertEquals(List.of(), m.get("e"));
        assertEquals(Map.of(), m.get("o"));
    }

    @Test
    void rejectsWhatStrictJsonRejects() {
        assertTrue(rejected("{\"a\": 1, \"a\": 2}").contains("duplicate field \"a\""));
        assertTrue(rejected("{} {}").contains("trailing"));
        assertTrue(rejected("{\"a\": 01}").contains("leading zero"));
        assertTrue(rejected("{'a': 1}").contains("field name"));
        assertTrue(rejected("{\"a\": 1,}").contains("field name"));
        assertTrue(rejected("[1, 2,]").contains("unexpected character"));
        assertTrue(rejected("{\"a\": \"x\ny\"}").contains("control character"));
        assertTrue(rejected("{\"a\": \"\\x\"}").contains("invalid escape"));
        assertTrue(rejected("{\"a\": 1.}").contains("decimal point"));
        assertTrue(rejected("{\"a\": 1e}").contains("exponent"));
        assertTrue(rejected("{\"a\": tru}").contains("invalid literal"));
        assertTrue(rejected("{\"a\": ").contains("end of input"));
        assertTrue(rejected("{\"a\": \"abc").contains("unterminated"));
        assertTrue(rejected("{\"a\": -}").contains("invalid number"));
        assertTrue(rejected("{\"a\": ١}").contains("unexpected character"), "only ASCII digits");
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() throws Exception {
        String ok = "[".repeat(HeaderJson.MAX_DEPTH) + "]".repeat(HeaderJson.MAX_DEPTH);
        HeaderJson.parse(ok);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertTrue(rejected(deep).contains("nesting deeper than " + HeaderJson.MAX_DEPTH));
        assertTrue(rejected("{\"a\":".repeat(HeaderJson.MAX_DEPTH + 1)).contains("nesting deeper"));
    }

    @Test
    void quoteRoundTripsEveryCharacter() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) all.append(c);
        all.append("\uD83D\uDE00\u2028");
        String q = HeaderJson.quote(all.toString());
        assertEquals(all.toString(), HeaderJson.parse(q));
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", HeaderJson.quote("a\"b\\c\n\u0001"));
    }
}
