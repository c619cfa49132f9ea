package dev.jgrad.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitAndSamplerTest {

    // ------------------------------------------------------------------ Split

    @Test
    void irisSplitKeepsTenOfEachClassForTest() {
        Split s = Split.stratified(Datasets.iris(), 0.2, 42);
        assertEquals(120, s.train().size());
        assertEquals(30, s.test().size());
        assertArrayEquals(new int[] {10, 10, 10}, s.test().classCounts());
        assertArrayEquals(new int[] {40, 40, 40}, s.train().classCounts());
        assertEquals(Datasets.iris().classNames(), s.test().classNames());
    }

    @Test
    void breastCancerSplitPreservesProportions() {
        Split s = Split.stratified(Datasets.breastCancer(), 0.25, 7);
        assertEquals(142, s.test().size()); // round(569 * 0.25)
        assertArrayEquals(new int[] {53, 89}, s.test().classCounts());
        assertArrayEquals(new int[] {159, 268}, s.train().classCounts());
    }

    @Test
    void everyClassGetsFloorOrCeilOfItsShareAndTheTotalIsRounded() {
        Tabular digits = Datasets.digits();
        for (double f : new double[] {0.1, 0.15, 0.3, 0.5, 0.77}) {
            Split s = Split.stratified(digits, f, 1);
            assertEquals(Math.round(digits.size() * f), s.test().size(), "fraction " + f);
            int[] all = digits.classCounts();
            int[] test = s.test().classCounts();
            for (int c = 0; c < all.length; c++) {
                double exact = all[c] * f;
                assertTrue(test[c] == Math.floor(exact) || test[c] == Math.ceil(exact),
                        "class " + c + ": " + test[c] + " vs exact " + exact);
            }
        }
    }

    @Test
    void splitIsAPartitionWithRowsCopiedCorrectly() {
        Tabular digits = Datasets.digits();
        Split s = Split.stratified(digits, 0.3, 3);
        int[] tr = s.trainIndices();
        int[] te = s.testIndices();
        Set<Integer> seen = new HashSet<>();
        IntStream.concat(Arrays.stream(tr), Arrays.stream(te)).forEach(i -> assertTrue(seen.add(i), "repeated " + i));
        assertEquals(digits.size(), seen.size());
        for (int k = 0; k < te.length; k++) {
            assertArrayEquals(digits.row(te[k]), s.test().row(k));
            assertEquals(digits.label(te[k]), s.test().label(k));
        }
        for (int k = 1; k < tr.length; k++) {
            assertTrue(tr[k - 1] < tr[k], "train indices ascending");
        }
    }

    @Test
    void splitIsDeterministicPerSeed() {
        Tabular digits = Datasets.digits();
        Split a = Split.stratified(digits, 0.2, 123);
        Split b = Split.stratified(digits, 0.2, 123);
        Split c = Split.stratified(digits, 0.2, 124);
        assertArrayEquals(a.testIndices(), b.testIndices());
        assertArrayEquals(a.trainIndices(), b.trainIndices());
        assertFalse(Arrays.equals(a.testIndices(), c.testIndices()));
    }

    @Test
    void splitOrderIsPinned() {
        // Guards against accidental changes to the seeding or shuffling algorithm, which
        // would silently change every published result that used a seed.
        int[] te = Split.stratified(Datasets.iris(), 0.2, 42).testIndices();
        assertEquals(30, te.length);
        assertArrayEquals(PINNED_IRIS_TEST_SEED_42, te);
    }

    /**
     * Computed independently by a small Python re-implementation of the documented
     * algorithm (SplitMix64-derived seed per class, java.util.Random's LCG and nextInt,
     * Fisher-Yates from the end, first round-share rows of each class go to test).
     */
    private static final int[] PINNED_IRIS_TEST_SEED_42 = {2, 3, 16, 18, 22, 25, 31, 34, 43, 44, 52, 58, 63, 70,
        75, 76, 78, 79, 88, 97, 100, 106, 109, 115, 120, 123, 124, 147, 148, 149};

    @Test
    void rejectsBadFractions() {
        for (double f : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> Split.stratified(Datasets.iris(), f, 0), "" + f);
        }
    }

    @Test
    void allocationHandlesTinyClasses() {
        // 3 classes of sizes 1, 2, 7 with f = 0.5: total round(5.0) = 5
        int[] alloc = Split.allocate(new int[] {1, 2, 7}, 10, 0.5);
        assertEquals(5, Arrays.stream(alloc).sum());
        assertArrayEquals(new int[] {1, 1, 3}, alloc);
    }

    // ------------------------------------------------------------------ BatchSampler

    @Test
    void batchesCoverEveryIndexOncePerEpoch() {
        BatchSampler s = new BatchSampler(103, 10, true, false, 9);
        assertEquals(11, s.numBatches());
        int[][] batches = s.batches(0);
        assertEquals(11, batches.length);
        for (int b = 0; b < 10; b++) {
            assertEquals(10, batches[b].length);
        }
        assertEquals(3, batches[10].length);
        int[] all = Arrays.stream(batches).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 103).toArray(), all);
    }

    @Test
    void dropLastDropsTheShortBatch() {
        BatchSampler s = new BatchSampler(103, 10, true, true, 9);
        assertEquals(10, s.numBatches());
        int[][] batches = s.batches(4);
        assertEquals(10, batches.length);
        for (int[] b : batches) {
            assertEquals(10, b.length);
        }
        assertEquals(100, Arrays.stream(batches).flatMapToInt(Arrays::stream).distinct().count());
        assertEquals(0, new BatchSampler(5, 10, false, true, 0).numBatches());
        assertEquals(1, new BatchSampler(5, 10, false, false, 0).numBatches());
    }

    @Test
    void sameSeedAndEpochGiveTheSameOrderOtherwiseDifferent() {
        BatchSampler a = new BatchSampler(1000, 32, true, false, 5);
        BatchSampler b = new BatchSampler(1000, 32, true, false, 5);
        BatchSampler c = new BatchSampler(1000, 32, true, false, 6);
        assertArrayEquals(a.order(3), b.order(3));
        assertTrue(Arrays.deepEquals(a.batches(3), b.batches(3)));
        assertFalse(Arrays.equals(a.order(3), a.order(4)), "epochs differ");
        assertFalse(Arrays.equals(a.order(3), c.order(3)), "seeds differ");
        assertFalse(Arrays.equals(a.order(0), IntStream.range(0, 1000).toArray()), "actually shuffled");
    }

    @Test
    void withoutShuffleBatchesAreConsecutive() {
        int[][] batches = new BatchSampler(7, 3, false, false, 99).batches(12);
        assertTrue(Arrays.deepEquals(new int[][] {{0, 1, 2}, {3, 4, 5}, {6}}, batches));
    }

    @Test
    void samplerRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(-1, 3, true, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(10, 0, true, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(10, 2, true, false, 0).order(-1));
        assertEquals(0, new BatchSampler(0, 4, true, false, 1).batches(0).length);
    }
}
