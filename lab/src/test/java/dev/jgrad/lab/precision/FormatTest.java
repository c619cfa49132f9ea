package dev.jgrad.lab.precision;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rounding of the emulated formats and PyTorch's assert_close tolerances. */
class FormatTest {

    @Test
    void float16RoundsToNearestEvenWithIeeeEdgeCases() {
        Format h = Format.FLOAT16;
        assertEquals(1.0, h.round(1 + 0x1p-11));                 // tie -> even (1.0)
        assertEquals(1 + 0x1p-9, h.round(1 + 3 * 0x1p-11));      // tie -> even (…10)
        assertEquals(1 + 0x1p-10, h.round(1 + 0x1p-11 + 0x1p-40));
        assertEquals(65504.0, h.round(65519.99));                // below the midpoint to 65536: largest finite
        assertEquals(Double.POSITIVE_INFINITY, h.round(65520));  // midpoint rounds to even = overflow
        assertEquals(Double.NEGATIVE_INFINITY, h.round(-1e6));
        assertEquals(0x1p-24, h.round(0x1p-24));                 // smallest subnormal
        assertEquals(0.0, h.round(0x1p-25));                     // half of it: tie to even 0
        assertEquals(0x1p-24, h.round(0x1.0000001p-25));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(h.round(-1e-10)));
        assertTrue(Double.isNaN(h.round(Double.NaN)));
        assertEquals(0x1p-10, h.eps());
    }

    @Test
    void bfloat16KeepsFloat32RangeWithEightBits() {
        Format b = Format.BFLOAT16;
        assertEquals(256.0, b.round(257));                       // tie -> even: 256
        assertEquals(260.0, b.round(259));                       // tie -> even: 260
        assertEquals(0x1p-7, b.eps());
        assertEquals(Double.POSITIVE_INFINITY, b.round(Float.MAX_VALUE)); // rounds up past bf16's largest finite
        assertEquals(0x1.fep127, b.round(0x1.fep127));
        assertEquals(0x1p-133, b.round(0x1p-133));              // smallest bf16 subnormal
        assertEquals(Math.exp(88) > 0x1.fep127 ? Double.POSITIVE_INFINITY : b.round(Math.exp(88)), b.round(Math.exp(88)));
        assertEquals((double) (float) 0.1, Format.FLOAT32.round(0.1));
        assertEquals(0.1, Format.FLOAT64.round(0.1));
    }

    @Test
    void assertCloseDefaultsOfPyTorch113() {
        // torch.testing._comparison._DTYPE_PRECISIONS (checked with PyTorch 1.13)
        assertEquals(1e-3, Format.FLOAT16.rtol());
        assertEquals(1.6e-2, Format.BFLOAT16.rtol());
        assertEquals(1.3e-6, Format.FLOAT32.rtol());
        assertEquals(1e-7, Format.FLOAT64.rtol());
        assertEquals(1e-5, Format.FLOAT16.atol());
        assertEquals(1e-7, Format.FLOAT64.atol());
        assertTrue(Format.FLOAT16.accepts(1.001, 1.0));
        assertFalse(Format.FLOAT16.accepts(1.0011, 1.0));
        assertTrue(Format.FLOAT32.accepts(1e-5, 0.0));              // atol
        assertFalse(Format.FLOAT32.accepts(Double.NaN, Double.NaN)); // equal_nan=False
        assertTrue(Format.FLOAT32.accepts(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertFalse(Format.FLOAT32.accepts(Double.POSITIVE_INFINITY, 1e30));
        // bf16 CE 7.31 vs 7.40 (PyTorch issue report): 1.2 % off, accepted in bf16, rejected in fp32
        assertTrue(Format.BFLOAT16.accepts(7.31, 7.40));
        assertFalse(Format.FLOAT32.accepts(7.31, 7.40));
    }

    @Test
    void parsesAliasesAndRejectsNarrowAccumulation() {
        assertEquals(Format.BFLOAT16, Format.parse("bf16"));
        assertEquals(Format.FLOAT16, Format.parse("half"));
        assertEquals(Summation.COMPENSATED, Summation.parse("kahan"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Format.parse("fp8"));
        assertTrue(e.getMessage().contains("fp8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Precision.of(Format.FLOAT32, Format.BFLOAT16));
        assertTrue(e.getMessage().contains("accumulation bfloat16 is narrower than storage float32"), e.getMessage());
        assertEquals("bfloat16/acc=float32", Precision.of(Format.BFLOAT16, Format.FLOAT32).name());
        assertEquals(Format.BFLOAT16, Precision.AUTOCAST_CPU.input());
        assertEquals(Format.FLOAT32, Precision.AUTOCAST_CPU.storage());
    }
}
