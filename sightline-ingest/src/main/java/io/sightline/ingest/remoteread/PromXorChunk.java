package io.sightline.ingest.remoteread;

import java.util.Arrays;

/**
 * Encodes samples in Prometheus's XOR chunk format (chunkenc.XORChunk), the encoding remote-read
 * clients decode from streamed responses: a 2-byte big-endian sample count, then a bit stream of the
 * first timestamp (zig-zag varint) and value (64 raw bits), the second timestamp's delta (varint), then
 * delta-of-delta timestamps in 1/14/17/20/64-bit buckets and Gorilla XOR values. This is not the
 * TSDB's own chunk layout (see sightline-tsdb/docs/format/chunks.md); it exists for the wire.
 */
public final class PromXorChunk {

    /** Prometheus cuts chunks at 120 samples; readers expect chunks of about that size. */
    public static final int MAX_SAMPLES = 120;

    private byte[] buf = new byte[128];
    private int bitLen;
    private int count;
    private long prevT;
    private long prevDelta;
    private long prevBits;
    private int leading = 0xff;
    private int trailing;

    public int count() {
        return count;
    }

    public void append(long t, double v) {
        if (count == 65535) {
            throw new IllegalStateException("BUG: an XOR chunk holds at most 65535 samples");
        }
        long bits = Double.doubleToRawLongBits(v);
        if (count == 0) {
            writeVarint(t);
            writeBits(bits, 64);
        } else if (count == 1) {
            long delta = t - prevT;
            writeUvarint(delta);
            writeValue(bits);
            prevDelta = delta;
        } else {
            long delta = t - prevT;
            long dod = delta - prevDelta;
            if (dod == 0) {
                writeBit(false);
            } else if (fits(dod, 14)) {
                writeBits(0b10, 2);
                writeBits(dod, 14);
            } else if (fits(dod, 17)) {
                writeBits(0b110, 3);
                writeBits(dod, 17);
            } else if (fits(dod, 20)) {
                writeBits(0b1110, 4);
                writeBits(dod, 20);
            } else {
                writeBits(0b1111, 4);
                writeBits(dod, 64);
            }
            writeValue(bits);
            prevDelta = delta;
        }
        prevT = t;
        prevBits = bits;
        count++;
    }

    /** Prometheus's bitRange: {@code -(2^(n-1) - 1) <= x <= 2^(n-1)}. */
    private static boolean fits(long x, int nbits) {
        return -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);
    }

    private void writeValue(long bits) {
        long delta = bits ^ prevBits;
        if (delta == 0) {
            writeBit(false);
            return;
        }
        writeBit(true);
        int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (leading != 0xff && newLeading >= leading && newTrailing >= trailing) {
            writeBit(false);
            writeBits(delta >>> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        writeBit(true);
        writeBits(leading, 5);
        int sigbits = 64 - leading - trailing;
        writeBits(sigbits, 6); // 64 wraps to 0, as in Prometheus; readers map 0 back to 64
        writeBits(delta >>> trailing, sigbits);
    }

    private void writeVarint(long v) {
        writeUvarint((v << 1) ^ (v >> 63));
    }

    private void writeUvarint(long v) {
        while ((v & ~0x7FL) != 0) {
            writeBits((v & 0x7F) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    private void writeBit(boolean bit) {
        ensure(1);
        if (bit) {
            buf[bitLen >>> 3] |= (byte) (0x80 >>> (bitLen & 7));
        }
        bitLen++;
    }

    /** The low {@code n} bits of {@code v}, most significant first. */
    private void writeBits(long v, int n) {
        ensure(n);
        for (int i = n - 1; i >= 0; i--) {
            if (((v >>> i) & 1) != 0) {
                buf[bitLen >>> 3] |= (byte) (0x80 >>> (bitLen & 7));
            }
            bitLen++;
        }
    }

    private void ensure(int bits) {
        int needBytes = ((bitLen + bits + 7) >>> 3) + 2;
        if (needBytes > buf.length - 2) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, needBytes + 2));
        }
    }

    /** The chunk bytes: the sample count, then the bit stream padded to whole bytes. */
    public byte[] bytes() {
        int n = (bitLen + 7) >>> 3;
        byte[] out = new byte[2 + n];
        out[0] = (byte) (count >>> 8);
        out[1] = (byte) count;
        System.arraycopy(buf, 0, out, 2, n);
        return out;
    }
}
