package io.sightline.ingest.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal protobuf encoder (varints, length-delimited fields, fixed64 doubles) into a growable buffer. */
public final class ProtoWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    public ProtoWriter varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    public ProtoWriter tag(int field, int wireType) {
        return varint(((long) field << 3) | wireType);
    }

    public ProtoWriter varintField(int field, long v) {
        return tag(field, 0).varint(v);
    }

    public ProtoWriter bytesField(int field, byte[] b) {
        tag(field, 2).varint(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    public ProtoWriter stringField(int field, String s) {
        return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    public ProtoWriter messageField(int field, ProtoWriter message) {
        return bytesField(field, message.toByteArray());
    }

    public ProtoWriter doubleField(int field, double v) {
        tag(field, 1);
        long bits = Double.doubleToRawLongBits(v);
        for (int k = 0; k < 8; k++) {
            out.write((int) (bits >>> (8 * k)));
        }
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
