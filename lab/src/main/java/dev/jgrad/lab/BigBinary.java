package dev.jgrad.lab;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An arbitrary-precision binary floating-point value {@code mant · 2^exp} with a signed
 * {@link BigInteger} mantissa. Used internally by {@link HighPrecisionReference} because binary
 * fixed/floating arithmetic on {@code BigInteger}s is an order of magnitude faster than
 * {@link BigDecimal} arithmetic at the same precision, and because every {@code double}
 * is exactly representable.
 *
 * <p>Operations named {@code add}, {@code negate}, {@code multiply} are exact; {@link #truncate}
 * and {@link #reciprocal} round toward zero to a requested number of bits.
 */
final class BigBinary {

    static final BigBinary ZERO = new BigBinary(BigInteger.ZERO, 0);
    static final BigBinary ONE = new BigBinary(BigInteger.ONE, 0);

    /** log10(2), used only to choose a decimal scale (an error of a few units is harmless). */
    private static final double LOG10_2 = 0.30102999566398120;

    private static final ConcurrentHashMap<Integer, BigInteger> POW5 = new ConcurrentHashMap<>();

    final BigInteger mant;
    final int exp;

    BigBinary(BigInteger mant, int exp) {
        this.mant = mant;
        this.exp = mant.signum() == 0 ? 0 : exp;
    }

    /**
     * Exact binary value of a finite double.
     *
     * @param x finite double
     * @return {@code x} exactly
     */
    static BigBinary of(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("not finite: " + x);
        }
        if (x == 0.0) {
            return ZERO;
        }
        long bits = Double.doubleToRawLongBits(x);
        int biased = (int) ((bits >>> 52) & 0x7ff);
        long m = bits & ((1L << 52) - 1);
        if (biased == 0) {
            biased = 1; // subnormal
        } else {
            m |= 1L << 52;
        }
        int e = biased - 1075;
        int tz = Long.numberOfTrailingZeros(m);
        m >>>= tz;
        e += tz;
        return new BigBinary(BigInteger.valueOf(x < 0 ? -m : m), e);
    }

    int signum() {
        return mant.signum();
    }

    boolean isZero() {
        return mant.signum() == 0;
    }

    /**
     * Position of the top bit: {@code 2^(top-1) <= |v| < 2^top}. Only meaningful for non-zero values.
     */
    long top() {
        return (long) mant.bitLength() + exp;
    }

    BigBinary negate() {
        return new BigBinary(mant.negate(), exp);
    }

    BigBinary abs() {
        return mant.signum() < 0 ? negate() : this;
    }

    /** Exact product. */
    BigBinary multiply(BigBinary o) {
        return new BigBinary(mant.multiply(o.mant), exp + o.exp);
    }

    /** Exact sum (aligns to the smaller exponent). */
    BigBinary add(BigBinary o) {
        if (isZero()) {
            return o;
        }
        if (o.isZero()) {
            return this;
        }
        if (exp == o.exp) {
            return new BigBinary(mant.add(o.mant), exp);
        }
        if (exp > o.exp) {
            return new BigBinary(mant.shiftLeft(exp - o.exp).add(o.mant), o.exp);
        }
        return new BigBinary(mant.add(o.mant.shiftLeft(o.exp - exp)), exp);
    }

    /** Keeps the top {@code bits} bits of the mantissa, rounding toward zero. */
    BigBinary truncate(int bits) {
        int len = mant.bitLength();
        if (len <= bits) {
            return this;
        }
        int sh = len - bits;
        BigInteger m = mant.signum() < 0 ? mant.negate().shiftRight(sh).negate() : mant.shiftRight(sh);
        return new BigBinary(m, exp + sh);
    }

    /**
     * {@code 1/this} truncated toward zero, with at least {@code bits} significant bits
     * (relative error below {@code 2^-bits}).
     */
    BigBinary reciprocal(int bits) {
        if (isZero()) {
            throw new ArithmeticException("reciprocal of zero");
        }
        int k = mant.bitLength() + bits + 1;
        BigInteger q = BigInteger.ONE.shiftLeft(k).divide(mant);
        return new BigBinary(q, -k - exp);
    }

    /** {@code floor(this · 2^w)}. */
    BigInteger toFixedFloor(int w) {
        int sh = exp + w;
        return sh >= 0 ? mant.shiftLeft(sh) : mant.shiftRight(-sh); // shiftRight floors negatives
    }

    /** Exact decimal value (may have many digits). */
    BigDecimal toBigDecimalExact() {
        if (exp >= 0) {
            return new BigDecimal(mant.shiftLeft(exp));
        }
        return new BigDecimal(mant.multiply(pow5(-exp)), -exp);
    }

    /**
     * This value correctly rounded to {@code mc} (same result as
     * {@code toBigDecimalExact().round(mc)}), but without building the full exact expansion when the
     * value has a large negative exponent.
     */
    BigDecimal toBigDecimal(MathContext mc) {
        if (isZero()) {
            return BigDecimal.ZERO;
        }
        int p = mc.getPrecision();
        if (p == 0 || exp >= 0) {
            return toBigDecimalExact().round(mc);
        }
        // choose a decimal scale s such that floor(|v|·10^s) has at least p+1 digits
        long topM1 = top() - 1; // |v| >= 2^topM1
        long s = p + 2L - (long) Math.floor(topM1 * LOG10_2);
        if (s <= 0 || s > Integer.MAX_VALUE / 2) {
            return toBigDecimalExact().round(mc);
        }
        int si = (int) s;
        // |v|·10^s = |mant| · 5^s · 2^(s+exp)
        BigInteger scaled = mant.abs().multiply(pow5(si));
        int sh = si + exp;
        BigInteger n;
        boolean sticky;
        if (sh >= 0) {
            n = scaled.shiftLeft(sh);
            sticky = false;
        } else {
            n = scaled.shiftRight(-sh);
            sticky = scaled.getLowestSetBit() < -sh;
        }
        // append one decimal digit: 0 if exact, 1 if there were discarded non-zero bits. The rounding
        // boundaries at precision p are multiples of 10 in this representation (n has >= p+1 digits),
        // so "n + 0.1" rounds exactly like any value strictly between n and n+1.
        BigInteger unscaled = n.multiply(BigInteger.TEN).add(sticky ? BigInteger.ONE : BigInteger.ZERO);
        if (mant.signum() < 0) {
            unscaled = unscaled.negate();
        }
        return new BigDecimal(unscaled, si + 1).round(mc);
    }

    /** Approximate double value (for threshold decisions only). */
    double approxDouble() {
        return toBigDecimal(MathContext.DECIMAL64).doubleValue();
    }

    static BigInteger pow5(int k) {
        if (k < 32) {
            return BigInteger.valueOf(5).pow(k);
        }
        return POW5.computeIfAbsent(k, kk -> BigInteger.valueOf(5).pow(kk));
    }

    /**
     * Sum of non-negative terms, keeping about {@code bits} bits below the top bit of the largest
     * term (terms are truncated individually; the error is at most {@code terms.length · 2^-bits}
     * relative to the largest term). Null entries are ignored.
     */
    static BigBinary sumNonNegative(BigBinary[] terms, int bits) {
        long maxTop = Long.MIN_VALUE;
        for (BigBinary t : terms) {
            if (t != null && !t.isZero()) {
                maxTop = Math.max(maxTop, t.top());
            }
        }
        if (maxTop == Long.MIN_VALUE) {
            return ZERO;
        }
        long base = maxTop - bits;
        BigInteger acc = BigInteger.ZERO;
        for (BigBinary t : terms) {
            if (t == null || t.isZero()) {
                continue;
            }
            long sh = t.exp - base;
            if (sh >= 0) {
                acc = acc.add(t.mant.shiftLeft((int) sh));
            } else if (t.top() > base) {
                acc = acc.add(t.mant.shiftRight((int) -sh));
            }
        }
        return new BigBinary(acc, (int) base);
    }

    @Override
    public String toString() {
        return mant + "*2^" + exp;
    }
}
