package io.sightline.tsdb.chunk;

/** Reads bits most-significant first from a byte array, up to a bit limit. Not thread-safe. */
final class BitReader {
    /** Eight bytes at once, most significant first. */
    private static final java.lang.invoke.VarHandle LONG_BE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final byte[] buf;
    private final long limit;
    private long bitPos;

    BitReader(byte[] buf, long offsetBits, long limitBits) {
        this.buf = buf;
        this.bitPos = offsetBits;
        this.limit = limitBits;
    }

    /** Moves to an absolute bit position, as one read from the writer of the same stream. */
    void position(long bitPos) {
        if (bitPos > limit) {
            throw new CorruptChunkException("seek mark at bit " + bitPos + " past the end at " + limit);
        }
        this.bitPos = bitPos;
    }

    boolean readBit() {
        check(1);
        boolean b = (buf[(int) (bitPos >>> 3)] & (0x80 >>> (bitPos & 7))) != 0;
        bitPos++;
        return b;
    }

    long readBits(int n) {
        check(n);
        int byteIndex = (int) (bitPos >>> 3);
        if (n > 0 && byteIndex + 8 <= buf.length) {
            // The 64 bits from the current byte hold the value, or all but its last few bits.
            int shift = (int) (bitPos & 7);
            long w = (long) LONG_BE.get(buf, byteIndex);
            long v;
            if (n + shift <= 64) {
                v = (w << shift) >>> (64 - n);
            } else {
                int rest = n + shift - 64; // 1..7 bits, in the next byte (within the limit checked above)
                v = (((w << shift) >>> shift) << rest) | ((buf[byteIndex + 8] & 0xFF) >>> (8 - rest));
            }
            bitPos += n;
            return v;
        }
        return readBitsSlowly(n);
    }

    /** Byte by byte: near the end of the array. */
    private long readBitsSlowly(int n) {
        long v = 0;
        while (n > 0) {
            int byteIndex = (int) (bitPos >>> 3);
            int avail = 8 - (int) (bitPos & 7);
            int take = Math.min(avail, n);
            int bits = (buf[byteIndex] & 0xFF) >>> (avail - take) & ((1 << take) - 1);
            v = (v << take) | bits;
            bitPos += take;
            n -= take;
        }
        return v;
    }

    long readUvarint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readBits(8);
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new CorruptChunkException("varint longer than 10 bytes");
    }

    long readVarint() {
        long u = readUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    private void check(int n) {
        if (bitPos + n > limit) {
            throw new CorruptChunkException("read past the end of the chunk at bit " + bitPos);
        }
    }
}
