package dev.jgrad.cli;

import dev.jgrad.core.DType;
import dev.jgrad.data.Words;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.io.StateDict;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The record of a words training run ({@code jgrad train --dataset words --dump-run DIR}), everything another
 * framework needs to replay it from the same start with the same batches and compare step by step:
 * <ul>
 *   <li>{@code run.json}: the model, optimiser and data settings (sizes, lr, weight decay, batch, steps, dtype,
 *       seed, vocabulary, block size);</li>
 *   <li>{@code train.txt}, {@code test.txt}: the split, one word per line in the trainer's order;</li>
 *   <li>{@code init.safetensors}: the initial weights, a plain safetensors state dict with PyTorch's names
 *       ({@code wte.weight}, {@code h.0.self_attn.in_proj_weight}, ...) in the run's dtype;</li>
 *   <li>{@code batches.txt}: line {@code s} holds the words of step {@code s} (0-based indices into
 *       {@code train.txt}, separated by spaces);</li>
 *   <li>{@code losses.txt}: {@code step loss} per line, the batch's loss per character before the update (shortest
 *       decimal that round-trips the double);</li>
 *   <li>{@code evals.txt}: {@code step testLoss} at step 0 and at each evaluation;</li>
 *   <li>{@code final.safetensors}: the weights after the last step.</li>
 * </ul>
 * The files are written as the run goes (the batches and losses step by step), so an interrupted run leaves the
 * steps taken so far.
 */
final class RunDump implements AutoCloseable {
    private final Path dir;
    private final BufferedWriter batches, losses, evals;

    private RunDump(Path dir) throws IOException {
        this.dir = dir;
        this.batches = Files.newBufferedWriter(dir.resolve("batches.txt"), StandardCharsets.UTF_8);
        this.losses = Files.newBufferedWriter(dir.resolve("losses.txt"), StandardCharsets.UTF_8);
        this.evals = Files.newBufferedWriter(dir.resolve("evals.txt"), StandardCharsets.UTF_8);
    }

    /**
     * Creates {@code dir} if needed and writes the run's settings, split and initial weights.
     *
     * @throws IOException if a file cannot be written
     */
    static RunDump start(Path dir, Words all, Words train, Words test, CharTransformer net, WordsTraining o, int batch, double lr,
                         double wd, DType dt, long seed) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new Main.UsageException("--dump-run: " + dir + " is not a directory");
        Files.createDirectories(dir);
        StringBuilder vocab = new StringBuilder();
        for (int t = 1; t < all.vocabSize(); t++) vocab.append(all.decode(t));
        String json = String.format(Locale.ROOT, "{%n  \"format\": \"jgrad words run 1\",%n  \"layers\": %d,%n  \"heads\": %d,%n  \"dim\": %d,%n"
                        + "  \"batch_size\": %d,%n  \"lr\": %s,%n  \"weight_decay\": %s,%n  \"steps\": %d,%n  \"eval_every\": %d,%n  \"dtype\": \"%s\",%n"
                        + "  \"seed\": %d,%n  \"vocabulary\": \"%s\",%n  \"block_size\": %d,%n  \"train_words\": %d,%n  \"test_words\": %d%n}%n",
                o.layers, o.heads, o.dim, batch, Double.toString(lr), Double.toString(wd), o.steps, o.evalEvery,
                dt.name().toLowerCase(Locale.ROOT), seed, jsonEscape(vocab), all.blockSize(), train.size(), test.size());
        Files.writeString(dir.resolve("run.json"), json, StandardCharsets.UTF_8);
        Files.write(dir.resolve("train.txt"), train.words(), StandardCharsets.UTF_8);
        Files.write(dir.resolve("test.txt"), test.words(), StandardCharsets.UTF_8);
        StateDict.save(dir.resolve("init.safetensors"), net);
        return new RunDump(dir);
    }

    /** A JSON string body: quotes, backslashes and control characters escaped. */
    static String jsonEscape(CharSequence s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** Records one step (a {@link dev.jgrad.train.LanguageModelTrainer.StepListener}). */
    void step(long step, int[] wordIndices, double loss) {
        try {
            for (int i = 0; i < wordIndices.length; i++) {
                if (i > 0) batches.write(' ');
                batches.write(Integer.toString(wordIndices[i]));
            }
            batches.newLine();
            losses.write(step + " " + loss);
            losses.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("--dump-run: cannot write to " + dir, e);
        }
    }

    /** Records a test evaluation. */
    void eval(long step, double testLoss) throws UncheckedIOException {
        try {
            evals.write(step + " " + testLoss);
            evals.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("--dump-run: cannot write to " + dir, e);
        }
    }

    /** Writes the final weights. */
    void finish(CharTransformer net) throws IOException {
        StateDict.save(dir.resolve("final.safetensors"), net);
    }

    @Override
    public void close() throws IOException {
        try (batches; losses; evals) {
            // closes all three, the first failure thrown
        }
    }
}
