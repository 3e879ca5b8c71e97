package io.sightline.common;

import java.math.BigInteger;

/**
 * The shortest decimal that reads back as a given double and, among those as short, the one closest
 * to it (ties to an even last digit): what Go's {@code strconv.FormatFloat(v, fmt, -1, 64)} prints,
 * and so what Prometheus writes for every sample value of a query result.
 *
 * <p>The algorithm is Raffaello Giulietti's Schubfach ("The Schubfach way to render doubles", 2020;
 * the one behind {@code Double.toString} since JDK 19), written here from the paper's description.
 * JDK 17's {@code Double.toString} is several times slower and now and then prints one digit more than
 * needed, which Prometheus would not. No allocation: the result is a significand and an exponent.
 *
 * <p>Stateless and thread-safe; the table of powers of ten is built once, at class initialisation.
 */
final class ShortestDecimal {

    private static final int Q_MIN = -1074;
    private static final long C_MIN = 1L << 52;
    private static final long T_MASK = C_MIN - 1;
    /** Subnormal significands below this are scaled by ten first, for enough precision. */
    private static final long C_TINY = 3;
    private static final int K_MIN = -324;
    private static final int K_MAX = 292;
    private static final long MASK_63 = Long.MAX_VALUE;
    /** ⌈2⁶⁴ / 10⌉ scaled: {@code multiplyHigh(s, DIV10) == s / 10} for the significands met here. */
    private static final long DIV10 = 115_292_150_460_684_698L << 4;

    /**
     * For each k in [K_MIN, K_MAX], the 126-bit g = ⌊10⁻ᵏ · 2⁻ʳ⌋ + 1 where r is chosen so that
     * 2¹²⁵ ≤ 10⁻ᵏ · 2⁻ʳ < 2¹²⁶; its high 63 bits at 2(k - K_MIN), its low 63 bits next.
     */
    private static final long[] G = table();

    private ShortestDecimal() {}

    /** Receives the result: {@code v = significand × 10^exponent}, the significand without trailing zeros. */
    interface Sink {
        void accept(long significand, int exponent);
    }

    /**
     * The shortest decimal of a finite, non-zero, positive {@code v}, given to {@code sink}.
     *
     * @throws IllegalArgumentException for zero, negative, infinite or NaN values (the caller prints
     *     those itself)
     */
    static void of(double v, Sink sink) {
        if (!(v > 0) || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("not a finite positive value: " + v);
        }
        long bits = Double.doubleToRawLongBits(v);
        long t = bits & T_MASK;
        int bq = (int) (bits >>> 52) & 0x7ff;
        if (bq != 0) {
            // Normal: v = c · 2^q with c = 2^52 + t and q = bq - 1075.
            int mq = 1075 - bq;
            long c = C_MIN | t;
            if (0 < mq && mq < 53) {
                long f = c >> mq;
                if (f << mq == c) {
                    // An integer below 2^53: its own digits.
                    emit(f, 0, sink);
                    return;
                }
            }
            decimal(-mq, c, 0, sink);
        } else if (t < C_TINY) {
            decimal(Q_MIN, 10 * t, -1, sink);
        } else {
            decimal(Q_MIN, t, 0, sink);
        }
    }

    /**
     * v = c · 2^q. The rounding interval of v (the reals that read back as v) is scaled by a power of
     * ten so that its ends, computed to within one unit, fall around a 16 or 17 digit integer; then the
     * shortest decimal in it is either a multiple of ten there or one of the two integers around v.
     *
     * @param dk the exponent correction when c was scaled by ten (-1), else 0
     */
    private static void decimal(int q, long c, int dk, Sink sink) {
        int out = (int) c & 1;
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != C_MIN || q == Q_MIN) {
            cbl = cb - 2;
            k = floorLog10Pow2(q);
        } else {
            // At a power of two the interval below v is half as wide as the one above.
            cbl = cb - 1;
            k = floorLog10ThreeQuartersPow2(q);
        }
        int h = q + floorLog2Pow10(-k) + 2;
        int i = 2 * (k - K_MIN);
        long g1 = G[i];
        long g0 = G[i + 1];
        long vb = roundOdd(g1, g0, cb << h);
        long vbl = roundOdd(g1, g0, cbl << h);
        long vbr = roundOdd(g1, g0, cbr << h);
        long s = vb >> 2;
        if (s >= 100) {
            // One digit fewer: a multiple of ten inside the interval.
            long sp10 = 10 * Math.multiplyHigh(s, DIV10);
            long tp10 = sp10 + 10;
            boolean upin = vbl + out <= sp10 << 2;
            boolean wpin = (tp10 << 2) + out <= vbr;
            if (upin != wpin) {
                emit(upin ? sp10 : tp10, k + dk, sink);
                return;
            }
        }
        if (s < 100) {
            // Only the two smallest subnormals get here (scaled by ten): their intervals are so wide
            // that several one-digit decimals fall in them, and the paper's method would stop at two
            // digits (as Double.toString must). The nearest multiple of ten, when it is inside, is the
            // shortest and closest: 5e-324 and 1e-323, as Go prints them.
            long m = 10 * ((vb + 20) / 40);
            if (vbl + out <= m << 2 && (m << 2) + out <= vbr) {
                emit(m, k + dk, sink);
                return;
            }
        }
        long tt = s + 1;
        boolean uin = vbl + out <= s << 2;
        boolean win = (tt << 2) + out <= vbr;
        if (uin != win) {
            emit(uin ? s : tt, k + dk, sink);
            return;
        }
        // Both in: the closer one, the even one on a tie.
        long cmp = vb - ((s + tt) << 1);
        emit(cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : tt, k + dk, sink);
    }

    private static void emit(long f, int e, Sink sink) {
        while (f % 10 == 0) {
            f /= 10;
            e++;
        }
        sink.accept(f, e);
    }

    /** (g · cp) / 2^127 with the low bits rounded to odd: one bit says whether anything was cut. */
    private static long roundOdd(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long vbp = y1 + (z >>> 63);
        return vbp | (((z & MASK_63) + MASK_63) >>> 63);
    }

    /** ⌊q · log10(2)⌋ for |q| ≤ 5,456,721. */
    static int floorLog10Pow2(int q) {
        return (int) (q * 661_971_961_083L >> 41);
    }

    /** ⌊log10(3/4 · 2^q)⌋ for |q| ≤ 2,500,000. */
    static int floorLog10ThreeQuartersPow2(int q) {
        return (int) (q * 661_971_961_083L - 274_743_187_321L >> 41);
    }

    /** ⌊e · log2(10)⌋ for |e| ≤ 1,838,394. */
    static int floorLog2Pow10(int e) {
        return (int) (e * 913_124_641_741L >> 38);
    }

    private static long[] table() {
        long[] g = new long[2 * (K_MAX - K_MIN + 1)];
        BigInteger ten = BigInteger.TEN;
        for (int k = K_MIN; k <= K_MAX; k++) {
            int e = -k;
            int r = floorLog2Pow10(e) - 125;
            BigInteger num = ten.pow(Math.max(e, 0));
            BigInteger den = ten.pow(Math.max(-e, 0));
            if (r < 0) {
                num = num.shiftLeft(-r);
            } else {
                den = den.shiftLeft(r);
            }
            BigInteger v = num.divide(den).add(BigInteger.ONE);
            if (v.bitLength() != 126) {
                throw new AssertionError("10^" + e + " scaled to " + v.bitLength() + " bits");
            }
            int i = 2 * (k - K_MIN);
            g[i] = v.shiftRight(63).longValueExact();
            g[i + 1] = v.longValue() & MASK_63;
        }
        return g;
    }
}
