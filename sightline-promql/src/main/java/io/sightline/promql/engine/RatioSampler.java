package io.sightline.promql.engine;

import io.sightline.common.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a series falls in [0, 1) for {@code limit_ratio}: the xxHash64 of its label set in Prometheus's
 * in-memory encoding (each name and value length-prefixed, sorted by name) over the unsigned 64-bit range
 * value (2^64). The same series is picked at every step and by every server that hashes the same way.
 */
final class RatioSampler {

    private RatioSampler() {}

    static double offset(Labels labels) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        for (int i = 0; i < labels.size(); i++) {
            writeString(b, labels.name(i));
            writeString(b, labels.value(i));
        }
        long h = XxHash64.hash(b.toByteArray());
        return unsignedToDouble(h) / 18446744073709551616.0;
    }

    /** Length-prefixed: one byte below 255, else 0xFF and three little-endian bytes. */
    private static void writeString(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        if (n < 255) {
            b.write(n);
        } else {
            b.write(0xff);
            b.write(n & 0xff);
            b.write((n >>> 8) & 0xff);
            b.write((n >>> 16) & 0xff);
        }
        b.writeBytes(bytes);
    }

    /** Unsigned 64-bit to double, rounding to nearest as Go's conversion does. */
    static double unsignedToDouble(long v) {
        if (v >= 0) {
            return (double) v;
        }
        return new java.math.BigDecimal(Long.toUnsignedString(v)).doubleValue();
    }
}
