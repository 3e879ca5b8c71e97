package io.sightline.promql.engine;

import io.sightline.common.AsciiBuilder;
import io.sightline.common.GoFloat;

/** How the Prometheus HTTP API writes sample values and timestamps, so clients see identical text. */
public final class ValueFormat {

    private ValueFormat() {}

    /** A sample value: shortest digits without exponent ({@code 1}, {@code 0.5}, {@code 1000000}), {@code NaN}, {@code +Inf}. */
    public static String value(double v) {
        return GoFloat.plain(v);
    }

    /** {@link #value} appended to {@code b}. */
    public static void appendValue(AsciiBuilder b, double v) {
        b.appendPlain(v);
    }

    /** A timestamp in seconds with millisecond digits when not whole: {@code 1435781451.781}, {@code 12.500}. */
    public static String timestamp(long ms) {
        AsciiBuilder b = new AsciiBuilder(24);
        appendTimestamp(b, ms);
        return b.toString();
    }

    /** {@link #timestamp} appended to {@code b}. */
    public static void appendTimestamp(AsciiBuilder b, long ms) {
        if (ms < 0) {
            b.append('-');
        }
        long abs = Math.abs(ms); // read unsigned below: Long.MIN_VALUE's absolute value is 2^63
        b.append(Long.divideUnsigned(abs, 1000));
        long fraction = Long.remainderUnsigned(abs, 1000);
        if (fraction != 0) {
            b.append('.').appendPadded(fraction, 3);
        }
    }
}
