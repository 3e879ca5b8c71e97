package io.sightline.tsdb.chunk;

import java.util.Arrays;

/**
 * Writes bits most-significant first into a growable byte array. Not thread-safe. The bytes written so
 * far can be read at any time ({@link #bytes()}, {@link #bitLength()}), so a chunk that is still being
 * appended to can be queried.
 */
final class BitWriter {
    private byte[] buf;
    private long bitPos;

    BitWriter(int initialBytes) {
        buf = new byte[Math.max(1, initialBytes)];
    }

    /** Resumes writing after {@code bitLength} bits of {@code existing}. */
    BitWriter(byte[] existing, long bitLength) {
        buf = Arrays.copyOf(existing, Math.max(existing.length, 1));
        bitPos = bitLength;
    }

    void writeBit(boolean bit) {
        ensure(1);
        if (bit) {
            buf[(int) (bitPos >>> 3)] |= (byte) (0x80 >>> (bitPos & 7));
        }
        bitPos++;
    }

    /** Writes the low {@code n} bits of {@code value}, 0 <= n <= 64. */
    void writeBits(long value, int n) {
        ensure(n);
        while (n > 0) {
            int byteIndex = (int) (bitPos >>> 3);
            int free = 8 - (int) (bitPos & 7);
            int take = Math.min(free, n);
            int shift = n - take;
            int bits = (int) ((value >>> shift) & ((1L << take) - 1));
            buf[byteIndex] |= (byte) (bits << (free - take));
            bitPos += take;
            n -= take;
        }
    }

    /** An unsigned varint (7 bits per group, continuation bit first), for values of any size. */
    void writeUvarint(long v) {
        while ((v & ~0x7FL) != 0) {
            writeBits((v & 0x7F) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    void writeVarint(long v) {
        writeUvarint((v << 1) ^ (v >> 63));
    }

    private void ensure(int bits) {
        long needBytes = (bitPos + bits + 7) >>> 3;
        if (needBytes > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.max(needBytes, buf.length * 2L));
        }
    }

    /**
     * Starts again at bit 0. With {@code fresh}, in a new buffer of the same size (someone may still read
     * the old one); otherwise the written bytes are zeroed in place.
     */
    void clear(boolean fresh) {
        if (fresh) {
            buf = new byte[buf.length];
        } else {
            Arrays.fill(buf, 0, (int) ((bitPos + 7) >>> 3), (byte) 0);
        }
        bitPos = 0;
    }

    long bitLength() {
        return bitPos;
    }

    /** The backing array; bytes past {@code (bitLength()+7)/8} are zero. Do not modify. */
    byte[] buffer() {
        return buf;
    }

    /** A copy of exactly the bytes written. */
    byte[] bytes() {
        return Arrays.copyOf(buf, (int) ((bitPos + 7) >>> 3));
    }
}
