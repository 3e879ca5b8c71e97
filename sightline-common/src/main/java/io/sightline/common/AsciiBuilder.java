package io.sightline.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of ASCII text written as bytes: integers as {@link Long#toString} prints them and floats as
 * {@link GoFloat#plain} does, without a String, a {@code char} or an allocation per number. For writers whose output
 * is mostly numbers: the query API writes the points of range results here, 40,000 of them in a 24 h range of 28
 * series, where a String per value and per timestamp, then chars re-encoded to UTF-8, took most of the response's
 * time.
 *
 * <p>Not thread-safe; reusable ({@link #clear}).
 */
public final class AsciiBuilder {
    /** "00" to "99": two digits per step when writing an integer from its end. */
    private static final byte[] PAIRS = pairs();
    /** 10^0 to 10^18. */
    private static final long[] POW10 = pow10();

    private byte[] buf;
    private int len;
    /** Where {@link ShortestDecimal} hands the digits of a float: one per builder, not one per value. */
    private final ShortestDecimal.Sink plain = this::appendDecimal;

    public AsciiBuilder(int capacity) {
        buf = new byte[Math.max(capacity, 32)];
    }

    public int length() {
        return len;
    }

    public void clear() {
        len = 0;
    }

    /** Writes the text to {@code out}; the builder keeps it. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }

    /**
     * @throws IllegalArgumentException for a character beyond ASCII (the builder writes one byte per char)
     */
    public AsciiBuilder append(char c) {
        if (c >= 0x80) {
            throw new IllegalArgumentException("not an ASCII character: U+" + Integer.toHexString(c));
        }
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /**
     * @throws IllegalArgumentException for text beyond ASCII; nothing of it is written then
     */
    public AsciiBuilder append(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = ascii.charAt(i);
            if (c >= 0x80) {
                throw new IllegalArgumentException("not ASCII text: " + ascii);
            }
            buf[len + i] = (byte) c;
        }
        len += n;
        return this;
    }

    /** {@code v} in decimal, as {@link Long#toString(long)}. */
    public AsciiBuilder append(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return append("-9223372036854775808");
            }
            append('-');
            v = -v;
        }
        int n = digits(v);
        ensure(n);
        writeDigits(v, len + n, n);
        len += n;
        return this;
    }

    /**
     * {@code v} in decimal in exactly {@code width} digits, zeros first ({@code 7} in 3 is {@code 007}).
     *
     * @throws IllegalArgumentException when {@code v} is negative or has more digits than {@code width}
     */
    public AsciiBuilder appendPadded(long v, int width) {
        if (v < 0 || width > 19 || digits(v) > width) {
            throw new IllegalArgumentException("cannot write " + v + " in " + width + " digits");
        }
        ensure(width);
        writeDigits(v, len + width, width);
        len += width;
        return this;
    }

    /**
     * {@code v} as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} prints it, which is {@link GoFloat#plain}: the
     * shortest digits that read back as {@code v}, never an exponent; {@code NaN}, {@code +Inf}, {@code -Inf}.
     */
    public AsciiBuilder appendPlain(double v) {
        if (Double.isNaN(v)) {
            return append("NaN");
        }
        if (Double.isInfinite(v)) {
            return append(v > 0 ? "+Inf" : "-Inf");
        }
        if (v == 0) {
            return append(1 / v < 0 ? "-0" : "0");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return append((long) v);
        }
        if (v < 0) {
            append('-');
        }
        ShortestDecimal.of(Math.abs(v), plain);
        return this;
    }

    /** {@code f × 10^e}, f without trailing zeros, written out without an exponent. */
    private void appendDecimal(long f, int e) {
        int n = digits(f);
        if (e >= 0) {
            ensure(n + e);
            writeDigits(f, len + n, n);
            len += n;
            for (int i = 0; i < e; i++) {
                buf[len++] = '0';
            }
            return;
        }
        int point = n + e; // digits before the decimal point
        if (point > 0) {
            // All the digits one place to the right, then the integer part back over the gap, and the point:
            // no division by a power of ten that is not a constant.
            ensure(n + 1);
            writeDigits(f, len + 1 + n, n);
            for (int i = 0; i < point; i++) {
                buf[len + i] = buf[len + 1 + i];
            }
            buf[len + point] = '.';
            len += n + 1;
        } else {
            ensure(2 - point + n);
            buf[len++] = '0';
            buf[len++] = '.';
            for (int i = 0; i < -point; i++) {
                buf[len++] = '0';
            }
            writeDigits(f, len + n, n);
            len += n;
        }
    }

    /**
     * The last {@code count} decimal digits of non-negative {@code v}, zeros first, into {@code buf[end - count, end)}.
     * In groups of eight digits split off with one division each, every group as two halves of four whose digit pairs
     * come from divisions the JIT turns into multiplications: the halves do not wait for each other, so the processor
     * works on both at once (a 10-digit timestamp took 15 ns two digits at a time).
     */
    private void writeDigits(long v, int end, int count) {
        int i = end;
        int stop = end - count;
        while (v >= 100_000_000L) {
            long q = v / 100_000_000L;
            int r = (int) (v - q * 100_000_000L);
            int hi = r / 10_000;
            write4(r - hi * 10_000, i);
            write4(hi, i - 4);
            i -= 8;
            v = q;
        }
        int w = (int) v;
        while (i - stop >= 4) {
            int q = w / 10_000;
            write4(w - q * 10_000, i);
            i -= 4;
            w = q;
        }
        if (i - stop >= 2) {
            int q = w / 100;
            int pair = w - q * 100;
            buf[--i] = PAIRS[2 * pair + 1];
            buf[--i] = PAIRS[2 * pair];
            w = q;
        }
        if (i > stop) {
            buf[--i] = (byte) ('0' + w);
        }
    }

    /** {@code x} (below 10,000) as four digits into {@code buf[end - 4, end)}. */
    private void write4(int x, int end) {
        int hi = x / 100;
        int lo = x - hi * 100;
        buf[end - 1] = PAIRS[2 * lo + 1];
        buf[end - 2] = PAIRS[2 * lo];
        buf[end - 3] = PAIRS[2 * hi + 1];
        buf[end - 4] = PAIRS[2 * hi];
    }

    /** How many decimal digits non-negative {@code v} has (1 for 0). */
    static int digits(long v) {
        if (v < 10) {
            return 1;
        }
        // floor(log10(2^bits)) from the bit length, then one more when v reaches the next power of ten.
        int t = (64 - Long.numberOfLeadingZeros(v)) * 1233 >>> 12;
        return v >= POW10[t] ? t + 1 : t;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private static byte[] pairs() {
        byte[] p = new byte[200];
        for (int i = 0; i < 100; i++) {
            p[2 * i] = (byte) ('0' + i / 10);
            p[2 * i + 1] = (byte) ('0' + i % 10);
        }
        return p;
    }

    private static long[] pow10() {
        long[] p = new long[19];
        p[0] = 1;
        for (int i = 1; i < p.length; i++) {
            p[i] = p[i - 1] * 10;
        }
        return p;
    }
}
