package dev.jgrad.train;

import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.core.Workspace;
import dev.jgrad.data.Words;
import dev.jgrad.losses.Losses;
import dev.jgrad.losses.Reduction;
import dev.jgrad.nn.CharTransformer;
import dev.jgrad.nn.optim.Optimizer;
import dev.jgrad.ops.Ops;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a {@link CharTransformer} on a word list as makemore trains on names: each step draws {@code batchSize} words
 * uniformly at random (a seeded generator), encodes them with {@link Words#batch} (one row of {@code blockSize} tokens
 * per word, targets {@code -1} at padding) and minimises the mean cross-entropy over the non-padding positions.
 * Losses are reported per character (per predicted token, the end-of-word token included).
 */
public final class LanguageModelTrainer {
    private final CharTransformer model;
    private final Optimizer optimizer;
    private final Words train;
    private final int batchSize, blockSize;
    private final SplittableRandom batches;
    private final int[] picked, x, y;
    private final Workspace workspace = Workspace.reusingGraph();
    private long steps;
    private StepListener stepListener;

    /** Receives every step: its number (from 1), the words drawn for it and its loss per character. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step        the step just taken (1 for the first)
         * @param wordIndices the batch, indices into the training words (a buffer reused by the next step: copy it to keep it)
         * @param loss        the batch's mean loss per character, before the update
         */
        void step(long step, int[] wordIndices, double loss);
    }

    /** Progress after {@link #fit}'s evaluation points: the mean train loss since the last one, the test loss, time per step. */
    public record Progress(long step, double trainLoss, double testLoss, double msPerStep) {
    }

    /**
     * @param model     the model ({@code blockSize} at least the words' {@link Words#blockSize()})
     * @param optimizer over the model's parameters
     * @param train     the training words
     * @param batchSize words per step ({@code > 0})
     * @param seed      seed of the batch sampling
     * @throws IllegalArgumentException if the words do not fit the model
     */
    public LanguageModelTrainer(CharTransformer model, Optimizer optimizer, Words train, int batchSize, long seed) {
        if (model == null || optimizer == null || train == null) throw new IllegalArgumentException("LanguageModelTrainer: null argument");
        if (batchSize <= 0) throw new IllegalArgumentException("LanguageModelTrainer: batchSize " + batchSize + " must be positive");
        if (train.blockSize() > model.blockSize() || train.vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("LanguageModelTrainer: words (block " + train.blockSize() + ", vocabulary " + train.vocabSize()
                    + ") do not fit the model (block " + model.blockSize() + ", vocabulary " + model.vocabSize() + ")");
        }
        this.model = model;
        this.optimizer = optimizer;
        this.train = train;
        this.batchSize = batchSize;
        this.blockSize = train.blockSize();
        this.batches = new SplittableRandom(seed);
        this.picked = new int[batchSize];
        this.x = new int[batchSize * blockSize];
        this.y = new int[batchSize * blockSize];
    }

    /**
     * Sets the listener called after every {@link #step()} with the batch drawn and its loss, e.g. to record a run
     * for a replay elsewhere ({@code jgrad train --dataset words --dump-run DIR}).
     *
     * @param listener the listener, or null for none
     */
    public void setStepListener(StepListener listener) {
        this.stepListener = listener;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /** One optimisation step on a fresh random batch; returns its loss per character. */
    public double step() {
        for (int i = 0; i < batchSize; i++) picked[i] = batches.nextInt(train.size());
        return train(picked);
    }

    /**
     * One optimisation step on the given training words (e.g. a batch recorded elsewhere, to replay a run), without
     * drawing from the trainer's generator; returns the batch's loss per character.
     *
     * @param wordIndices {@code batchSize} indices into the training words
     * @throws IllegalArgumentException for another count or an index outside the training words
     */
    public double step(int[] wordIndices) {
        if (wordIndices == null || wordIndices.length != batchSize) {
            throw new IllegalArgumentException("LanguageModelTrainer.step: expected " + batchSize + " word indices, got "
                    + (wordIndices == null ? "null" : Integer.toString(wordIndices.length)));
        }
        for (int i = 0; i < batchSize; i++) {
            if (wordIndices[i] < 0 || wordIndices[i] >= train.size()) {
                throw new IllegalArgumentException("LanguageModelTrainer.step: word index " + wordIndices[i] + " outside [0, " + train.size() + ")");
            }
        }
        System.arraycopy(wordIndices, 0, picked, 0, batchSize);
        return train(picked);
    }

    /** The step on the words {@code picked}. */
    private double train(int[] picked) {
        model.train(true);
        train.batch(picked, x, y);
        // the step runs in a graph-reusing workspace (unless the caller has one open): a warm step reuses the previous
        // step's activations, gradients and graph nodes
        Workspace ws = Workspace.current() == null ? workspace.open() : null;
        try {
            optimizer.zeroGrad();
            Tensor loss = loss(model, IntTensor.of(x, batchSize, blockSize), IntTensor.of(y, batchSize * blockSize), Reduction.MEAN);
            loss.backward();
            optimizer.step();
            steps++;
            double value = loss.item();
            if (stepListener != null) stepListener.step(steps, picked, value);
            return value;
        } finally {
            if (ws != null) ws.close();
        }
    }

    /** Cross-entropy of the logits {@code [B, T, V]} (as {@code [B·T, V]}) against the targets, padding ({@code -1}) ignored. */
    static Tensor loss(CharTransformer model, IntTensor x, IntTensor y, Reduction reduction) {
        Tensor logits = model.forward(x);
        Tensor flat = Ops.reshape(logits, y.numel(), model.vocabSize());
        return Losses.crossEntropy(flat, y, null, Words.IGNORE, reduction, 0.0);
    }

    /**
     * Runs {@code count} steps, evaluating on {@code test} every {@code evalEvery} steps and after the last one.
     *
     * @param listener receives each evaluation (may be null)
     * @return the evaluations
     */
    public List<Progress> fit(int count, int evalEvery, Words test, Consumer<Progress> listener) {
        if (count < 0 || evalEvery <= 0) throw new IllegalArgumentException("LanguageModelTrainer.fit: count " + count + " must be >= 0 and evalEvery " + evalEvery + " > 0");
        List<Progress> out = new ArrayList<>();
        double sum = 0;
        int n = 0;
        long nanos = 0;
        for (int i = 1; i <= count; i++) {
            long t0 = System.nanoTime();
            sum += step();
            nanos += System.nanoTime() - t0;
            n++;
            if (i % evalEvery == 0 || i == count) {
                Progress p = new Progress(steps, sum / n, evaluate(model, test), nanos / 1e6 / n);
                out.add(p);
                if (listener != null) listener.accept(p);
                sum = 0;
                n = 0;
                nanos = 0;
            }
        }
        return out;
    }

    /** The loss per character of the model over all the words (eval mode, no gradients, batches of 512 words). */
    public static double evaluate(CharTransformer model, Words words) {
        boolean was = model.isTraining();
        model.eval();
        int t = words.blockSize(), chars = 0;
        double total = 0;
        Workspace pool = Workspace.current() == null ? new Workspace() : null;
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int from = 0; from < words.size(); from += 512) {
                int b = Math.min(512, words.size() - from);
                int[] idx = new int[b], bx = new int[b * t], by = new int[b * t];
                for (int i = 0; i < b; i++) idx[i] = from + i;
                words.batch(idx, bx, by);
                for (int v : by) if (v != Words.IGNORE) chars++;
                Workspace ws = pool == null ? null : pool.open();
                try {
                    total += loss(model, IntTensor.of(bx, b, t), IntTensor.of(by, b * t), Reduction.SUM).item();
                } finally {
                    if (ws != null) ws.close();
                }
            }
        } finally {
            model.train(was);
        }
        return total / chars;
    }

    /**
     * Samples new words: from the boundary token, each next token is drawn from the softmax of the last position's
     * logits (a seeded generator), until the boundary token or {@code words.maxLength()} characters.
     *
     * @param words the vocabulary to decode with
     * @param count words to sample
     * @param seed  seed of the draws (the same seed gives the same words)
     */
    public static List<String> sample(CharTransformer model, Words words, int count, long seed) {
        boolean was = model.isTraining();
        model.eval();
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int w = 0; w < count; w++) {
                StringBuilder sb = new StringBuilder();
                int[] ctx = new int[words.blockSize()];
                int len = 1; // ctx[0] = 0, the boundary
                while (len <= words.maxLength()) {
                    Tensor logits = model.forward(IntTensor.of(java.util.Arrays.copyOf(ctx, len), 1, len));
                    int next = draw(Ops.softmax(Ops.select(Ops.select(logits, 0, 0), 0, len - 1), 0), rng);
                    if (next == 0) break;
                    sb.append(words.decode(next));
                    ctx[len++] = next;
                }
                out.add(sb.toString());
            }
        } finally {
            model.train(was);
        }
        return out;
    }

    /** One index drawn from the probabilities {@code p} (inverse CDF). */
    private static int draw(Tensor p, SplittableRandom rng) {
        double u = rng.nextDouble(), c = 0;
        int n = p.numel();
        for (int i = 0; i < n; i++) {
            c += p.get(i);
            if (u < c) return i;
        }
        return n - 1;
    }
}
