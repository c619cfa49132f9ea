package dev.jgrad.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The byte-to-float row conversion of byte-backed data sets: vector and table versions agree bit for bit. */
class ByteRowsTest {

    @Test
    void vectorConversionIsBitIdenticalToTheTable() {
        // the tests run with the Vector API module, so the vector version is the one in use
        assertInstanceOf(ByteRows.Vectorized.class, ByteRows.INSTANCE);
        ByteRows vector = new ByteRows.Vectorized(), table = new ByteRows.Table();
        SplittableRandom rng = new SplittableRandom(1);
        byte[] src = new byte[4096];
        rng.nextBytes(src);
        for (int k = 0; k < 256; k++) src[k] = (byte) k; // every byte value
        for (double scale : new double[] {1.0 / 255, 0.1, 1.0 / 3, 7.25, 1e-7}) {
            float[] lut = new float[256];
            for (int k = 0; k < 256; k++) lut[k] = (float) (k * scale);
            for (int trial = 0; trial < 60; trial++) {
                int n = trial < 40 ? trial : rng.nextInt(1, 3000), from = trial == 0 ? 0 : rng.nextInt(0, 1000), to = rng.nextInt(0, 50);
                float[] a = new float[to + n + 3], b = new float[to + n + 3];
                vector.toFloats(src, from, a, to, n, scale, lut);
                table.toFloats(src, from, b, to, n, scale, lut);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), "scale " + scale + " n " + n + " index " + i);
                }
            }
            float[] all = new float[256];
            vector.toFloats(src, 0, all, 0, 256, scale, lut);
            for (int k = 0; k < 256; k++) assertEquals((float) (k * scale), all[k], 0f, "byte " + k);
        }
    }
}
