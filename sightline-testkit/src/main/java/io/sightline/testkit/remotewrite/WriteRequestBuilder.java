package io.sightline.testkit.remotewrite;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes remote_write 1.0 requests for tests, field by field, independently of any decoder. */
public final class WriteRequestBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    public static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, ((long) field << 3) | 2);
        varint(o, b.length);
        o.write(b, 0, b.length);
    }

    /** Adds a series: alternating label names and values, then (timestamp, value) pairs. */
    public WriteRequestBuilder series(String[] labels, long[] ts, double[] vs) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int i = 0; i < labels.length; i += 2) {
            ByteArrayOutputStream l = new ByteArrayOutputStream();
            bytesField(l, 1, labels[i].getBytes(StandardCharsets.UTF_8));
            bytesField(l, 2, labels[i + 1].getBytes(StandardCharsets.UTF_8));
            bytesField(s, 1, l.toByteArray());
        }
        for (int i = 0; i < ts.length; i++) {
            ByteArrayOutputStream sm = new ByteArrayOutputStream();
            varint(sm, (1 << 3) | 1);
            long bits = Double.doubleToRawLongBits(vs[i]);
            for (int k = 0; k < 8; k++) {
                sm.write((int) (bits >>> (8 * k)));
            }
            varint(sm, (2 << 3));
            varint(sm, ts[i]);
            bytesField(s, 2, sm.toByteArray());
        }
        bytesField(out, 1, s.toByteArray());
        return this;
    }

    /** Adds raw bytes as a series (for malformed and odd cases). */
    public WriteRequestBuilder rawSeries(byte[] b) {
        bytesField(out, 1, b);
        return this;
    }

    /** Adds an unknown field that decoders must skip (metadata, field 3). */
    public WriteRequestBuilder metadata(String help) {
        bytesField(out, 3, help.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public byte[] build() {
        return out.toByteArray();
    }
}
