package dev.jgrad.data;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageAugmentationTest {
    static final int C = 2, H = 5, W = 6, N = 300;

    /** Images whose values are all distinct and non-zero, so a transform can be identified from its output. */
    static Tabular images() {
        double[][] x = new double[N][C * H * W];
        SplittableRandom r = new SplittableRandom(3);
        for (double[] row : x) for (int j = 0; j < row.length; j++) row[j] = 1 + j + r.nextDouble() * 0.5;
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = i % 3;
        return Tabular.of(x, labels, 3);
    }

    /** The reference transform: out(c, y, x) = in(c, y - dy, x') with x' = x - dx, mirrored when flipped. */
    static double[] transformed(double[] in, boolean flip, int dx, int dy) {
        double[] out = new double[in.length];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = y - dy, sx = x - dx;
                    if (flip) sx = W - 1 - sx;
                    out[(c * H + y) * W + x] = sy < 0 || sy >= H || sx < 0 || sx >= W ? 0 : in[(c * H + sy) * W + sx];
                }
            }
        }
        return out;
    }

    static List<double[]> rows(DataLoader loader, long epoch, boolean inPlace) {
        List<double[]> out = new ArrayList<>();
        for (DataLoader.Batch b : inPlace ? loader.epochInPlace(epoch) : loader.epoch(epoch)) {
            Tensor f = b.features();
            int d = f.shape()[1];
            for (int i = 0; i < b.size(); i++) {
                double[] row = new double[d + 1];
                for (int j = 0; j < d; j++) row[j] = f.get(i * d + j);
                row[d] = b.indices()[i];
                out.add(row);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everySampleIsAFlipAndShiftOfItsImageDrawnPerSampleFromSeedEpochAndRow(DType dtype) {
        Tabular data = images();
        ImageAugmentation aug = ImageAugmentation.images(C, H, W).horizontalFlip(0.5).randomShift(2);
        DataLoader loader = new DataLoader(data, 32, true, false, 7, dtype).withAugmentation(aug);
        int flips = 0;
        Set<String> shifts = new HashSet<>();
        List<double[]> epoch1 = rows(loader, 1, true);
        assertEquals(N, epoch1.size());
        for (double[] got : epoch1) {
            int row = (int) got[got.length - 1];
            double[] orig = data.row(row), found = null;
            String which = null;
            for (int f = 0; f < 2 && found == null; f++) {
                for (int dx = -2; dx <= 2 && found == null; dx++) {
                    for (int dy = -2; dy <= 2 && found == null; dy++) {
                        double[] e = transformed(orig, f == 1, dx, dy);
                        boolean same = true;
                        for (int j = 0; j < e.length && same; j++) same = (float) e[j] == (float) got[j];
                        if (same) {
                            found = e;
                            which = (f == 1 ? "flip " : "") + dx + "," + dy;
                            if (f == 1) flips++;
                        }
                    }
                }
            }
            assertTrue(found != null, "row " + row + " is no flip/shift of its image");
            shifts.add(which.replace("flip ", ""));
        }
        assertEquals(25, shifts.size(), "every shift in [-2, 2]² drawn: " + shifts);
        assertTrue(flips > N * 0.4 && flips < N * 0.6, "about half flipped: " + flips);
        // the same samples whichever way the epoch is iterated and however often; another epoch draws anew
        List<double[]> again = rows(loader, 1, false), other = rows(loader, 2, true);
        for (int i = 0; i < N; i++) assertArrayEquals(epoch1.get(i), again.get(i));
        int differ = 0;
        for (double[] a : epoch1) {
            for (double[] b : other) {
                if (a[a.length - 1] == b[b.length - 1] && !java.util.Arrays.equals(a, b)) differ++;
            }
        }
        assertTrue(differ > N / 2, "epoch 2 redraws: " + differ + " of " + N + " samples differ");
    }

    @Test
    void withoutTransformsTheBatchesAreThePlainLoaders() {
        Tabular data = images();
        DataLoader plain = new DataLoader(data, 64, true, false, 5, DType.FLOAT32);
        DataLoader none = plain.withAugmentation(ImageAugmentation.parse("none", C, H, W));
        List<double[]> a = rows(plain, 3, true), b = rows(none, 3, true);
        for (int i = 0; i < N; i++) assertArrayEquals(a.get(i), b.get(i));
    }

    @Test
    void flipWithProbabilityOneMirrorsEveryImage() {
        Tabular data = images();
        DataLoader loader = new DataLoader(data, 50, false, false, 1, DType.FLOAT64)
                .withAugmentation(ImageAugmentation.parse("flip=1", C, H, W));
        for (double[] got : rows(loader, 0, true)) {
            int row = (int) got[got.length - 1];
            double[] e = transformed(data.row(row), true, 0, 0);
            for (int j = 0; j < e.length; j++) assertEquals(e[j], got[j], 0, "row " + row + " [" + j + "]");
        }
    }

    @Test
    void parseAndBadArguments() {
        assertEquals("flip,shift=2", ImageAugmentation.parse(" flip , shift=2 ", 1, 28, 28).toString());
        assertEquals("none", ImageAugmentation.parse("none", 1, 28, 28).toString());
        assertTrue(ImageAugmentation.parse("", 1, 28, 28).isIdentity());
        assertFalse(ImageAugmentation.parse("shift=1", 1, 28, 28).isIdentity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageAugmentation.parse("rotate", 1, 28, 28));
        assertTrue(e.getMessage().contains("unknown transform 'rotate'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageAugmentation.parse("flip=1.5", 1, 28, 28));
        assertThrows(IllegalArgumentException.class, () -> ImageAugmentation.parse("shift=28", 1, 28, 28));
        assertThrows(IllegalArgumentException.class, () -> ImageAugmentation.parse("flip=NaN", 1, 28, 28));
        assertThrows(IllegalArgumentException.class, () -> ImageAugmentation.images(0, 28, 28));
        DataLoader loader = new DataLoader(images(), 8, false, false, 0, DType.FLOAT32);
        e = assertThrows(IllegalArgumentException.class, () -> loader.withAugmentation(ImageAugmentation.images(1, 28, 28)));
        assertTrue(e.getMessage().contains("784") && e.getMessage().contains("60"), e.getMessage());
    }
}
