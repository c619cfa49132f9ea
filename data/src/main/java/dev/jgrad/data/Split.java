package dev.jgrad.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A train/test partition of a {@link Tabular} data set, with the original row indices of
 * each side.
 *
 * <p>{@link #stratified} keeps each class's proportion in both sides: the test side gets
 * {@code round(n * testFraction)} rows in total, divided among the classes by the
 * largest-remainder method, so every class contributes {@code floor} or {@code ceil} of
 * {@code n_k * testFraction} rows. Which rows go to test is decided by a seeded shuffle per
 * class ({@link java.util.Random}, whose algorithm is fixed by the Java specification), so
 * the same data, fraction and seed give the same split on every JDK. Both sides keep the
 * rows in their original order; shuffle for training with {@link BatchSampler}.
 */
public final class Split {
    private final Tabular train;
    private final Tabular test;
    private final int[] trainIndices;
    private final int[] testIndices;

    private Split(Tabular train, Tabular test, int[] trainIndices, int[] testIndices) {
        this.train = train;
        this.test = test;
        this.trainIndices = trainIndices;
        this.testIndices = testIndices;
    }

    /**
     * Splits a data set into train and test parts, stratified by label.
     *
     * @param data         the data set
     * @param testFraction fraction of rows for the test side, strictly between 0 and 1
     * @param seed         shuffle seed
     * @return the split
     * @throws IllegalArgumentException if {@code testFraction} is not in (0, 1)
     */
    public static Split stratified(Tabular data, double testFraction, long seed) {
        if (data == null) throw new IllegalArgumentException("Split: data is null");
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("Split: testFraction must be in (0, 1), got " + testFraction);
        }
        int n = data.size();
        int k = data.numClasses();
        int[] counts = data.classCounts();
        int[] testCounts = allocate(counts, n, testFraction);

        // rows of each class, in original order
        int[][] byClass = new int[k][];
        int[] fill = new int[k];
        for (int c = 0; c < k; c++) {
            byClass[c] = new int[counts[c]];
        }
        for (int i = 0; i < n; i++) {
            int c = data.label(i);
            byClass[c][fill[c]++] = i;
        }

        boolean[] isTest = new boolean[n];
        for (int c = 0; c < k; c++) {
            int[] rows = byClass[c];
            Seeds.shuffle(rows, new Random(Seeds.derive(seed, Seeds.SPLIT_SALT, c)));
            for (int t = 0; t < testCounts[c]; t++) {
                isTest[rows[t]] = true;
            }
        }
        int totalTest = Arrays.stream(testCounts).sum();
        int[] testIdx = new int[totalTest];
        int[] trainIdx = new int[n - totalTest];
        int a = 0;
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (isTest[i]) {
                testIdx[a++] = i;
            } else {
                trainIdx[b++] = i;
            }
        }
        return new Split(data.subset(trainIdx), data.subset(testIdx), trainIdx, testIdx);
    }

    /** Largest-remainder allocation of round(n * f) test rows among classes. */
    static int[] allocate(int[] counts, int n, double f) {
        int k = counts.length;
        long total = Math.round(n * f);
        int[] out = new int[k];
        double[] remainder = new double[k];
        long assigned = 0;
        for (int c = 0; c < k; c++) {
            double exact = counts[c] * f;
            out[c] = (int) Math.min(counts[c], Math.floor(exact));
            remainder[c] = exact - out[c];
            assigned += out[c];
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            order.add(c);
        }
        // biggest remainder first; ties go to the lower class index (stable sort)
        order.sort((x, y) -> Double.compare(remainder[y], remainder[x]));
        for (int idx = 0; assigned < total && idx < k; idx++) {
            int c = order.get(idx);
            if (out[c] < counts[c]) {
                out[c]++;
                assigned++;
            }
        }
        return out;
    }

    /**
     * The training side.
     *
     * @return the training rows, in original order
     */
    public Tabular train() {
        return train;
    }

    /**
     * The test side.
     *
     * @return the test rows, in original order
     */
    public Tabular test() {
        return test;
    }

    /**
     * Row indices (into the original data set) of the training side.
     *
     * @return a fresh ascending array
     */
    public int[] trainIndices() {
        return trainIndices.clone();
    }

    /**
     * Row indices (into the original data set) of the test side.
     *
     * @return a fresh ascending array
     */
    public int[] testIndices() {
        return testIndices.clone();
    }

    /**
     * A short description with both sizes.
     *
     * @return e.g. {@code Split[train=120, test=30]}
     */
    @Override
    public String toString() {
        return "Split[train=" + train.size() + ", test=" + test.size() + "]";
    }
}
