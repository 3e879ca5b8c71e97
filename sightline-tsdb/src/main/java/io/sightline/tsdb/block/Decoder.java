package io.sightline.tsdb.block;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads varints and strings at a position of a (mapped) buffer, every read bounds-checked: a corrupt
 * file gives a {@link CorruptBlockException} naming it, never an index exception. Not thread-safe; the
 * buffer is only read with absolute gets, so decoders on one buffer can run in parallel.
 */
final class Decoder {
    private final ByteBuffer buf;
    private final String what;
    private final int series;
    private int pos;
    private final int end;

    Decoder(ByteBuffer buf, int from, int end, String what) {
        this(buf, from, end, what, -1);
    }

    /**
     * @param what names the file or section in error messages
     * @param series the series whose entry this reads, named in error messages after {@code what}, or -1: kept
     *     apart so that a query reading thousands of entries does not build a message for each
     */
    Decoder(ByteBuffer buf, int from, int end, String what, int series) {
        this.buf = buf;
        this.pos = from;
        this.end = end;
        this.what = what;
        this.series = series;
        if (from < 0 || end > buf.limit() || from > end) {
            throw new CorruptBlockException(what() + ": section [" + from + ", " + end + ") outside the file");
        }
    }

    private String what() {
        return series < 0 ? what : what + " series " + series;
    }

    int position() {
        return pos;
    }

    boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n) {
        if (n < 0 || n > end - pos) {
            throw new CorruptBlockException(what() + ": truncated at byte " + pos);
        }
    }

    int getByte() {
        need(1);
        return buf.get(pos++) & 0xFF;
    }

    long getLong() {
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    int getInt() {
        need(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long getUvarint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = getByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new CorruptBlockException(what() + ": varint longer than 10 bytes at byte " + pos);
    }

    long getVarint() {
        long u = getUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    /** A count or length that must not exceed {@code max}. */
    int getCount(long max) {
        long n = getUvarint();
        if (n > max) {
            throw new CorruptBlockException(what() + ": count " + n + " exceeds " + max + " at byte " + pos);
        }
        return (int) n;
    }

    String getString() {
        int n = getCount(end - pos);
        byte[] b = new byte[n];
        buf.get(pos, b);
        pos += n;
        return new String(b, StandardCharsets.UTF_8);
    }
}
