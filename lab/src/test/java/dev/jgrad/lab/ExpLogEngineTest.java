package dev.jgrad.lab;

import ch.obermuhlner.math.big.BigDecimalMath;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks the internal binary engine against big-math's BigDecimalMath. */
class ExpLogEngineTest {

    private static final MathContext REF = new MathContext(110, RoundingMode.HALF_EVEN);

    private static void assertRelBits(BigDecimal expected, BigDecimal actual, int bits, String what) {
        BigDecimal rel = actual.subtract(expected).abs().divide(expected.abs(), MathContext.DECIMAL64);
        double limit = Math.pow(2, -bits);
        assertTrue(rel.doubleValue() <= limit, what + ": rel error " + rel + " > 2^-" + bits);
    }

    @Test
    void expMatchesBigDecimalMath() {
        ExpLogEngine eng = ExpLogEngine.forBits(HighPrecisionReference.workingBits(50));
        Random rnd = new Random(1);
        for (int i = 0; i < 300; i++) {
            double d = i < 100 ? -rnd.nextDouble() * 1000 : i < 200 ? rnd.nextGaussian() * 5 : -rnd.nextDouble() * 1e-6;
            BigDecimal expected = BigDecimalMath.exp(new BigDecimal(d), REF);
            BigDecimal actual = eng.exp(BigBinary.of(d)).toBigDecimalExact();
            assertRelBits(expected, actual, eng.w - 8, "exp(" + d + ")");
        }
        assertEquals(0, eng.exp(BigBinary.ZERO).toBigDecimalExact().compareTo(BigDecimal.ONE));
    }

    @Test
    void expAtHighPrecision() {
        ExpLogEngine eng = ExpLogEngine.forBits(HighPrecisionReference.workingBits(100));
        MathContext ref = new MathContext(160);
        for (double d : new double[] {-0.5, -1, -123.456, -900.25, 3.75}) {
            BigDecimal expected = BigDecimalMath.exp(new BigDecimal(d), ref);
            assertRelBits(expected, eng.exp(BigBinary.of(d)).toBigDecimalExact(), eng.w - 8, "exp(" + d + ")");
        }
    }

    @Test
    void log1pMatchesBigDecimalMath() {
        ExpLogEngine eng = ExpLogEngine.forBits(HighPrecisionReference.workingBits(50));
        Random rnd = new Random(2);
        double[] fixed = {1e-300, 1e-20, 0x1p-10, 0x1p-11, 0.001, 0.5, 1, 3, 999};
        for (int i = 0; i < fixed.length + 100; i++) {
            double u = i < fixed.length ? fixed[i] : Math.pow(10, -rnd.nextDouble() * 40 + 3);
            BigDecimal ub = new BigDecimal(u);
            MathContext mc = new MathContext(110 + Math.max(0, -ub.precision() + ub.scale()));
            BigDecimal expected = BigDecimalMath.log(BigDecimal.ONE.add(ub), mc);
            assertRelBits(expected, eng.log1p(BigBinary.of(u)).toBigDecimalExact(), eng.w - 16, "log1p(" + u + ")");
        }
    }

    @Test
    void bigBinaryRoundingMatchesExactRounding() {
        Random rnd = new Random(3);
        MathContext[] ctxs = {new MathContext(50), new MathContext(40, RoundingMode.FLOOR),
            new MathContext(45, RoundingMode.CEILING), new MathContext(60, RoundingMode.HALF_UP)};
        for (int i = 0; i < 3000; i++) {
            BigInteger mant = new BigInteger(1 + rnd.nextInt(400), rnd);
            if (rnd.nextBoolean()) {
                mant = mant.negate();
            }
            if (i % 7 == 0) {
                mant = mant.shiftLeft(rnd.nextInt(300)); // many trailing zero bits: exact ties possible
            }
            int exp = rnd.nextInt(3000) - 2500;
            BigBinary b = new BigBinary(mant, exp);
            MathContext mc = ctxs[i % ctxs.length];
            BigDecimal expected = b.toBigDecimalExact().round(mc);
            BigDecimal actual = b.toBigDecimal(mc);
            assertEquals(0, expected.compareTo(actual), "value " + b + ": " + expected + " vs " + actual);
            assertTrue(actual.precision() <= mc.getPrecision());
        }
        // 2.5 is an exact decimal tie (half-even -> 2); 2.5 + 2^-60 is above the tie (-> 3)
        MathContext oneDigit = new MathContext(1, RoundingMode.HALF_EVEN);
        assertEquals(new BigDecimal("2"), new BigBinary(BigInteger.valueOf(5), -1).toBigDecimal(oneDigit));
        BigBinary above = new BigBinary(BigInteger.valueOf(5).shiftLeft(59).add(BigInteger.ONE), -60);
        assertEquals(new BigDecimal("3"), above.toBigDecimal(oneDigit));
    }

    @Test
    void doubleToBinaryIsExact() {
        for (double d : new double[] {1e300, -1e-300, Double.MIN_VALUE, 0.1, -3, Double.MAX_VALUE}) {
            assertEquals(0, BigBinary.of(d).toBigDecimalExact().compareTo(new BigDecimal(d)), "of(" + d + ")");
        }
    }
}
