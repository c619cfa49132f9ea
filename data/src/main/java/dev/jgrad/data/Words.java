package dev.jgrad.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * A word list for character-level language models, as makemore uses one: each word becomes the sequence
 * {@code . w1 w2 ... wn .} over a vocabulary whose token 0 is the boundary {@code '.'} and whose tokens
 * {@code 1..V-1} are the distinct characters of the list in sorted order.
 *
 * <p>{@link #batch} turns words into fixed-length training rows of {@link #blockSize()} = longest word + 1
 * tokens: the input {@code x = [0, w1, ..., wn, 0, 0, ...]} and the target {@code y = [w1, ..., wn, 0, -1, -1, ...]}
 * (predict each next character, then the end; {@code -1} marks padding to ignore, e.g. as a cross-entropy
 * {@code ignoreIndex}).
 *
 * <p>The bundled list ({@link #bundled()}) has 63,875 lower-case English words (SCOWL via Debian's
 * {@code wamerican}; licence in {@code dev/jgrad/data/words.COPYRIGHT} beside it).
 */
public final class Words {
    /** The boundary token (start and end of a word). */
    public static final char BOUNDARY = '.';
    /** The target value of padding positions in {@link #batch}. */
    public static final int IGNORE = -1;
    /** Longest accepted word, in characters: a longer line is rejected. */
    public static final int MAX_WORD_LENGTH = 4096;

    private final List<String> words;
    private final char[] vocabulary; // index t-1 holds the character of token t
    private final int maxLength;

    private Words(List<String> words, char[] vocabulary) {
        this.words = Collections.unmodifiableList(words);
        this.vocabulary = vocabulary;
        int m = 0;
        for (String w : words) m = Math.max(m, w.length());
        this.maxLength = m;
    }

    /** The bundled English word list (63,875 words, letters a–z). */
    public static Words bundled() {
        String resource = "words.txt.gz";
        try (InputStream in = Words.class.getResourceAsStream(resource)) {
            if (in == null) throw new UncheckedIOException(new IOException("bundled resource dev/jgrad/data/" + resource + " is missing from the classpath"));
            return read(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load bundled data set " + resource, e);
        }
    }

    /**
     * Reads a word list, one word per line (plain or gzip), trimming surrounding white space and skipping blank
     * lines; the vocabulary is the set of characters found.
     *
     * @throws MalformedDataException when there is no word, a word holds white space or the boundary {@code '.'},
     *                                or a word is longer than {@link #MAX_WORD_LENGTH}
     */
    public static Words read(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("Words.read: file is null");
        if (Files.isDirectory(file)) throw new MalformedDataException(file.toString(), "is a directory, not a word list");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads a word list from a stream, plain or gzip (see {@link #read(Path)}), and closes it. */
    public static Words read(InputStream raw, String source) throws IOException {
        List<String> words = new ArrayList<>();
        TreeSet<Character> chars = new TreeSet<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Inputs.maybeGunzip(raw), StandardCharsets.UTF_8))) {
            long lineNo = 0;
            StringBuilder line = new StringBuilder();
            while (true) {
                line.setLength(0);
                int c;
                while ((c = r.read()) >= 0 && c != '\n') {
                    if (line.length() > MAX_WORD_LENGTH + 2) {
                        throw new MalformedDataException(source, lineNo + 1, "line longer than " + MAX_WORD_LENGTH + " characters");
                    }
                    line.append((char) c);
                }
                if (c < 0 && line.length() == 0) break;
                lineNo++;
                String w = line.toString().strip();
                if (lineNo == 1 && w.startsWith("\uFEFF")) w = w.substring(1).strip();
                if (!w.isEmpty()) {
                    if (w.length() > MAX_WORD_LENGTH) throw new MalformedDataException(source, lineNo, "word longer than " + MAX_WORD_LENGTH + " characters");
                    for (int i = 0; i < w.length(); i++) {
                        char ch = w.charAt(i);
                        if (Character.isWhitespace(ch)) throw new MalformedDataException(source, lineNo, "white space inside the word '" + w + "' (one word per line)");
                        if (ch == BOUNDARY) throw new MalformedDataException(source, lineNo, "'" + BOUNDARY + "' is the boundary token and cannot appear in a word: '" + w + "'");
                        chars.add(ch);
                    }
                    words.add(w);
                }
                if (c < 0) break;
            }
        }
        if (words.isEmpty()) throw new MalformedDataException(source, "no words");
        char[] vocab = new char[chars.size()];
        int i = 0;
        for (char ch : chars) vocab[i++] = ch;
        return new Words(words, vocab);
    }

    /** A word list over a given vocabulary (used by {@link #split}). */
    private Words subset(List<String> subset) {
        return new Words(subset, vocabulary);
    }

    /** The words, in file order (or split order). */
    public List<String> words() {
        return words;
    }

    /** Number of words. */
    public int size() {
        return words.size();
    }

    /** Vocabulary size: the distinct characters plus the boundary token. */
    public int vocabSize() {
        return vocabulary.length + 1;
    }

    /** Longest word, in characters. */
    public int maxLength() {
        return maxLength;
    }

    /** Tokens per training row: the longest word + 1. */
    public int blockSize() {
        return maxLength + 1;
    }

    /** The token of a character ({@link #BOUNDARY} is 0); an {@link IllegalArgumentException} for one outside the vocabulary. */
    public int encode(char c) {
        if (c == BOUNDARY) return 0;
        int i = Arrays.binarySearch(vocabulary, c);
        if (i < 0) throw new IllegalArgumentException("Words.encode: character '" + c + "' is not in the vocabulary " + new String(vocabulary));
        return i + 1;
    }

    /** The character of a token (0 is {@link #BOUNDARY}). */
    public char decode(int token) {
        if (token < 0 || token > vocabulary.length) throw new IllegalArgumentException("Words.decode: token " + token + " outside [0, " + vocabSize() + ")");
        return token == 0 ? BOUNDARY : vocabulary[token - 1];
    }

    /**
     * Splits the words by a seeded shuffle into {@code (1 - testFraction)} train and {@code testFraction} test
     * words (at least one of each), both over this list's vocabulary. Index 0 of the result is train, 1 test.
     */
    public List<Words> split(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("Words.split: testFraction must be in (0, 1), got " + testFraction);
        if (words.size() < 2) throw new IllegalArgumentException("Words.split: need at least 2 words, got " + words.size());
        int[] order = new int[words.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Seeds.shuffle(order, new Random(Seeds.derive(seed, Seeds.SPLIT_SALT, 0)));
        int nTest = (int) Math.max(1, Math.min(order.length - 1, Math.round(order.length * testFraction)));
        List<String> test = new ArrayList<>(nTest), train = new ArrayList<>(order.length - nTest);
        for (int i = 0; i < order.length; i++) (i < nTest ? test : train).add(words.get(order[i]));
        return List.of(subset(train), subset(test));
    }

    /**
     * Fills one training row per selected word, {@link #blockSize()} tokens each, row-major: inputs
     * {@code x = [0, w..., 0...]} and targets {@code y = [w..., 0, -1...]}.
     *
     * @param wordIndices the words of the batch (indices into {@link #words()})
     * @param x           {@code wordIndices.length · blockSize()} input tokens (written)
     * @param y           as many targets (written)
     */
    public void batch(int[] wordIndices, int[] x, int[] y) {
        int t = blockSize();
        if (wordIndices == null || x == null || y == null) throw new IllegalArgumentException("Words.batch: null argument");
        if (x.length != wordIndices.length * t || y.length != x.length) {
            throw new IllegalArgumentException("Words.batch: x and y must hold " + wordIndices.length + " × " + t + " tokens, got " + x.length + " and " + y.length);
        }
        for (int b = 0; b < wordIndices.length; b++) {
            String w = words.get(wordIndices[b]);
            int o = b * t;
            Arrays.fill(x, o, o + t, 0);
            Arrays.fill(y, o, o + t, IGNORE);
            for (int i = 0; i < w.length(); i++) {
                int tok = encode(w.charAt(i));
                x[o + i + 1] = tok;
                y[o + i] = tok;
            }
            y[o + w.length()] = 0;
        }
    }
}
