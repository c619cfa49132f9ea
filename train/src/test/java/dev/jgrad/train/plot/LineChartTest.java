package dev.jgrad.train.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineChartTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @Test
    void writesATwoPanelPngOfTheRightSize() throws IOException {
        double[] epochs = {1, 2, 3, 4, 5};
        LineChart fig = new LineChart().panelSize(400, 300);
        fig.addPanel("loss").xAxis("epoch").yAxis("loss").logY(true)
                .series("train", epochs, new double[] {2.3, 1.1, 0.6, 0.4, 0.3})
                .series("test", epochs, new double[] {2.4, 1.3, 0.8, 0.7, 0.7});
        fig.addPanel("accuracy").xAxis("epoch").yAxis("accuracy").markers(true)
                .series("test", new double[] {0.3, 0.6, 0.8, 0.85, 0.86});
        Path out = dir.resolve("sub/curves.png");
        fig.writePng(out);

        byte[] bytes = Files.readAllBytes(out);
        assertTrue(bytes.length > 1000, "PNG has content: " + bytes.length + " bytes");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertEquals(800, img.getWidth());
        assertEquals(300, img.getHeight());
        assertTrue(distinctColours(img) > 10, "something was drawn");
    }

    @Test
    void nonFiniteAndNonPositiveLogPointsAreDroppedNotFatal() throws IOException {
        double[] scale = {1e-3, 1e-1, 1, 10, 100, 1000};
        LineChart fig = new LineChart();
        LineChart.Panel f32 = fig.addPanel("F32").xAxis("logit scale").yAxis("relative error").logX(true).logY(true)
                .series("stable", scale, new double[] {1e-8, 1e-8, 0, 1e-7, 1e-7, 1e-7})
                .series("naive", scale, new double[] {1e-8, 1e-6, Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NaN, Double.NEGATIVE_INFINITY})
                .series("all bad", scale, new double[] {Double.NaN, 0, -1, Double.NaN, Double.NaN, Double.NaN});
        assertEquals(1 + 4 + 6, f32.droppedPoints());
        fig.addPanel("F64").logX(true).logY(true)
                .series("x has NaN", new double[] {Double.NaN, 1, 2}, new double[] {1, 2, 3});
        fig.addPanel("empty panel");
        byte[] png = fig.toPng();
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
        assertEquals(3 * LineChart.DEFAULT_PANEL_WIDTH, ImageIO.read(new ByteArrayInputStream(png)).getWidth());

        // the same infinities on linear axes are dropped too
        LineChart lin = new LineChart();
        LineChart.Panel p = lin.addPanel("linear").series("s", new double[] {1, 2, 3},
                new double[] {Double.POSITIVE_INFINITY, 0, -5});
        assertEquals(1, p.droppedPoints());
        assertTrue(lin.toPng().length > 0);
    }

    @Test
    void rejectsMisuse() {
        LineChart fig = new LineChart();
        assertThrows(IllegalStateException.class, fig::toPng);
        LineChart.Panel p = fig.addPanel("p").series("a", new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> p.series("a", new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> p.series("b", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> fig.panelSize(10, 10));
    }

    @Test
    void runsHeadless() {
        assertEquals("true", System.getProperty("java.awt.headless"));
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
