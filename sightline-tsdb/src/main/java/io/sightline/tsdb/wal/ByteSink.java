package io.sightline.tsdb.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little buffer with varint helpers, for encoding records. Not thread-safe. */
final class ByteSink {
    private byte[] buf;
    private int pos;

    ByteSink(int initial) {
        buf = new byte[Math.max(16, initial)];
    }

    void reset() {
        pos = 0;
    }

    /** Drops everything from {@code position} on. */
    void truncate(int position) {
        pos = position;
    }

    void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    int position() {
        return pos;
    }

    int capacity() {
        return buf.length;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(pos + n, buf.length * 2));
        }
    }

    void put(byte b) {
        ensure(1);
        buf[pos++] = b;
    }

    void putInt(int pos0, int v) {
        buf[pos0] = (byte) (v >>> 24);
        buf[pos0 + 1] = (byte) (v >>> 16);
        buf[pos0 + 2] = (byte) (v >>> 8);
        buf[pos0 + 3] = (byte) v;
    }

    void putInt(int v) {
        ensure(4);
        putInt(pos, v);
        pos += 4;
    }

    void putLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (i * 8));
        }
    }

    void putUvarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void putVarint(long v) {
        putUvarint((v << 1) ^ (v >> 63));
    }

    void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putUvarint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    byte[] array() {
        return buf;
    }

    ByteBuffer view() {
        return ByteBuffer.wrap(buf, 0, pos);
    }
}
