package dev.jgrad.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scalers on finite columns whose range, sum or sum of squares overflows (issue #16): no NaN, no silent zeros. */
class ScalerOverflowTest {
    private static Tabular column(double... xs) {
        double[][] rows = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            rows[i] = new double[] {xs[i], i};
        }
        return Tabular.of(rows, new int[xs.length], 1);
    }

    private static double[] feature0(Tabular t) {
        double[] out = new double[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.feature(i, 0);
        }
        return out;
    }

    @Test
    void minMaxScalerHandlesARangeThatOverflows() {
        Tabular t = column(-1e308, 1e308, 0, 5e307);
        MinMaxScaler m = MinMaxScaler.fit(t);
        assertEquals(Double.POSITIVE_INFINITY, m.range()[0]);
        assertArrayEquals(new double[] {0, 1, 0.5, 0.75}, feature0(m.transform(t)), 1e-15);
        // the ordinary column beside it is unaffected
        assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 1}, new double[] {
                m.transform(t).feature(0, 1), m.transform(t).feature(1, 1), m.transform(t).feature(2, 1),
                m.transform(t).feature(3, 1)}, 0.0);
        MinMaxScaler wide = MinMaxScaler.ofRange(2, -Double.MAX_VALUE, Double.MAX_VALUE);
        assertArrayEquals(new double[] {0, 1, 0.5, 0.75},
                feature0(wide.transform(column(-Double.MAX_VALUE, Double.MAX_VALUE, 0, Double.MAX_VALUE / 2))), 1e-15);
    }

    @Test
    void minMaxScalerHandlesTestValuesFarOutsideTheTrainingRange() {
        MinMaxScaler m = MinMaxScaler.fit(column(-1e308, -9e307));
        double z = m.transform(column(1.5e308, 0)).feature(0, 0);
        assertTrue(Double.isFinite(z) && z > 0, "x - min overflows but the ratio " + z + " is finite");
        assertEquals((1.5e308 / 2 + 1e308 / 2) / (1e307 / 2), z, 1e-15 * z);
    }

    @Test
    void standardizerHandlesASumThatOverflows() {
        Tabular t = column(1e308, 1e308, -1e308, -1e308);
        Standardizer s = Standardizer.fit(t);
        assertEquals(0.0, s.mean()[0]);
        assertEquals(1e308, s.std()[0], 1e293);
        assertArrayEquals(new double[] {1, 1, -1, -1}, feature0(s.transform(t)), 1e-15);

        Tabular u = column(1e308, 1e308, 1e308, -1e308);
        Standardizer su = Standardizer.fit(u);
        assertEquals(0.5e308, su.mean()[0], 1e293);
        assertEquals(Math.sqrt(0.75) * 1e308, su.std()[0], 1e293);
        double[] z = feature0(su.transform(u));
        double hi = 1 / Math.sqrt(3);
        assertArrayEquals(new double[] {hi, hi, hi, -3 * hi}, z, 1e-15);
        double[] back = su.inverseTransformRow(new double[] {z[3], 1});
        assertEquals(-1e308, back[0], 1e294);
    }

    @Test
    void standardizerHandlesASumOfSquaresThatOverflows() {
        // the mean 0 is finite, but (1e200)² overflows: the old code got std = inf and transformed to silent zeros
        Tabular t = column(1e200, -1e200, 1e200, -1e200);
        Standardizer s = Standardizer.fit(t);
        assertEquals(1e200, s.std()[0], 1e185);
        assertArrayEquals(new double[] {1, -1, 1, -1}, feature0(s.transform(t)), 1e-15);
        assertEquals(-1.0, s.transformRow(new double[] {-1e200, 0})[0], 1e-15);
    }

    @Test
    void ordinaryColumnsGiveTheSameBitsAsThePlainFormula() {
        Tabular t = column(0.1, 0.7, 1e-300, 3.3);
        Standardizer s = Standardizer.fit(t);
        double mean = (0.1 + 0.7 + 1e-300 + 3.3) / 4;
        double var = 0;
        for (double x : new double[] {0.1, 0.7, 1e-300, 3.3}) {
            var += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(var / 4);
        assertEquals(mean, s.mean()[0], 0.0);
        assertEquals(std, s.std()[0], 0.0);
        assertEquals((0.7 - mean) / std, s.transform(t).feature(1, 0), 0.0);
        MinMaxScaler m = MinMaxScaler.fit(t);
        assertEquals((0.7 - 1e-300) / (3.3 - 1e-300), m.transform(t).feature(1, 0), 0.0);
    }
}
