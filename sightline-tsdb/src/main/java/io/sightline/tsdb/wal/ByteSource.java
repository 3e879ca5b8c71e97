package io.sightline.tsdb.wal;

import java.nio.charset.StandardCharsets;

/** Reads what {@link ByteSink} wrote; every read is bounds-checked and reports corruption, never an IOOBE. */
final class ByteSource {
    private final byte[] buf;
    private int pos;
    private final int end;

    ByteSource(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    int position() {
        return pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new CorruptRecordException("record ends early at byte " + pos);
        }
    }

    byte get() {
        need(1);
        return buf[pos++];
    }

    long getLong() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    long getUvarint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = get() & 0xFF;
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new CorruptRecordException("varint longer than 10 bytes");
    }

    long getVarint() {
        long u = getUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    int getCount(int max) {
        long n = getUvarint();
        if (n > max) {
            throw new CorruptRecordException("count " + n + " exceeds " + max);
        }
        return (int) n;
    }

    String getString() {
        int n = getCount(end - pos);
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }
}
