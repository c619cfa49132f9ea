package dev.jgrad.nn.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict JSON (RFC 8259) a safetensors header is written in, read into plain Java values and written back,
 * so that the {@code nn} library needs no JSON dependency. Values: {@link Map} (insertion-ordered, a repeated key
 * is an error), {@link List}, {@link String}, {@link BigInteger} (a number without fraction or exponent),
 * {@link Double} (any other number), {@link Boolean} and {@link #NULL}. Anything else — trailing tokens, comments,
 * single quotes, leading zeros, unescaped control characters, lone surrogates are passed through as Java does —
 * is a {@link Malformed} with the character offset. Nesting deeper than {@link #MAX_DEPTH} is rejected, so a hostile
 * header cannot exhaust the stack; {@link #parse(String, int, int, int)} also bounds the number of fields of an
 * object, the length of an array and the number of values in all (an {@link OverLimit}), so that the memory the
 * parsed value takes is bounded by those limits and not only by the length of the text.
 */
final class HeaderJson {
    /** The JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override public String toString() { return "null"; }
    };
    /** Deepest nesting accepted (a safetensors header needs 3: header, entry, shape). */
    static final int MAX_DEPTH = 64;

    /** A syntax error; the message names the offset and what was expected. */
    static class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** Valid JSON that exceeds one of the limits of {@link #parse(String, int, int, int)}. */
    static final class OverLimit extends Malformed {
        OverLimit(String message) {
            super(message);
        }
    }

    /** A field name that occurs twice in one object; {@link #key()} is the name, {@link #topLevel()} where. */
    static final class Duplicate extends Malformed {
        private final String key;
        private final boolean topLevel;

        Duplicate(String message, String key, boolean topLevel) {
            super(message);
            this.key = key;
            this.topLevel = topLevel;
        }

        String key() {
            return key;
        }

        boolean topLevel() {
            return topLevel;
        }
    }

    private final String s;
    private final int maxFields, maxElements;
    private int pos, valuesLeft;
    /** The field of the outermost object being parsed (for messages), or null. */
    private String entry;

    private HeaderJson(String s, int maxFields, int maxElements, int maxValues) {
        this.s = s;
        this.maxFields = maxFields;
        this.maxElements = maxElements;
        this.valuesLeft = maxValues;
    }

    /** Parses one JSON value that must span all of {@code text} (white space aside), without size limits. */
    static Object parse(String text) throws Malformed {
        return parse(text, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Parses one JSON value that must span all of {@code text}, refusing (with an {@link OverLimit}) an object of more
     * than {@code maxFields} fields, an array of more than {@code maxElements} elements, or more than {@code maxValues}
     * values in all, as soon as the limit is passed.
     */
    static Object parse(String text, int maxFields, int maxElements, int maxValues) throws Malformed {
        HeaderJson p = new HeaderJson(text, maxFields, maxElements, maxValues);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("unexpected trailing content");
        return v;
    }

    /** {@code s} as a JSON string literal (quotes, backslash and control characters escaped). */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** A short description of a parsed value for messages (its JSON text, cut at 40 characters). */
    static String describe(Object v) {
        String t;
        if (v instanceof String str) t = quote(str);
        else if (v instanceof Map<?, ?> || v instanceof List<?>) t = v instanceof Map<?, ?> ? "an object" : "an array";
        else t = String.valueOf(v);
        return t.length() > 40 ? t.substring(0, 37) + "..." : t;
    }

    private Malformed error(String what) {
        return new Malformed(what + " at character " + pos);
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private Object value(int depth) throws Malformed {
        if (pos >= s.length()) throw error("unexpected end of input");
        if (--valuesLeft < 0) throw new OverLimit("more values than the limit allows" + in() + " at character " + pos);
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) throws Malformed {
        if (!s.startsWith(word, pos)) throw error("invalid literal");
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws Malformed {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a field name in double quotes");
            int keyAt = pos;
            if (m.size() >= maxFields) {
                throw new OverLimit((depth == 1 ? "more than " + maxFields + " entries" : "an object of more than " + maxFields
                        + " fields" + in()) + " at character " + pos);
            }
            String key = string();
            if (depth == 1) entry = key;
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth);
            if (m.putIfAbsent(key, v) != null) {
                pos = keyAt;
                throw new Duplicate("duplicate field " + quote(key) + " at character " + pos, key, depth == 1);
            }
            skipSpace();
            if (pos >= s.length()) throw error("unexpected end of input in an object");
            char c = s.charAt(pos++);
            if (c == '}') return m;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws Malformed {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            if (list.size() >= maxElements) {
                throw new OverLimit("an array of more than " + maxElements + " elements" + in() + " at character " + pos);
            }
            list.add(value(depth));
            skipSpace();
            if (pos >= s.length()) throw error("unexpected end of input in an array");
            char c = s.charAt(pos++);
            if (c == ']') return list;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    /** {@code " in entry \"name\""} while inside a field of the outermost object, else empty. */
    private String in() {
        return entry == null ? "" : " in entry " + describe(entry);
    }

    private void expect(char c) throws Malformed {
        if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private String string() throws Malformed {
        pos++; // opening quote
        StringBuilder b = null;
        int start = pos;
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos);
            if (c == '"') {
                String out = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) throw error("unescaped control character in a string");
            if (c != '\\') {
                pos++;
                continue;
            }
            if (b == null) b = new StringBuilder();
            b.append(s, start, pos);
            pos++;
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(pos + k), 16);
                        if (d < 0) throw error("invalid \\u escape");
                        v = v * 16 + d;
                    }
                    pos += 4;
                    b.append((char) v);
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + e + "'");
                }
            }
            start = pos;
        }
    }

    private Object number() throws Malformed {
        int start = pos;
        if (s.charAt(pos) == '-') pos++;
        if (pos >= s.length()) throw error("truncated number");
        char c = s.charAt(pos);
        if (c == '0') {
            pos++;
            if (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') throw error("leading zero in a number");
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw error("invalid number");
        }
        boolean integral = true;
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            if (digits() == 0) throw error("digits expected after the decimal point");
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
            if (digits() == 0) throw error("digits expected in the exponent");
        }
        String text = s.substring(start, pos);
        if (integral) {
            if (text.length() > 400) throw error("integer of more than 400 digits");
            return new BigInteger(text);
        }
        return Double.valueOf(text);
    }

    private int digits() {
        int n = 0;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
            n++;
        }
        return n;
    }
}
