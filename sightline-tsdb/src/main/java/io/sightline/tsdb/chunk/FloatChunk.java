package io.sightline.tsdb.chunk;

import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.fileio.ZstdCodec;

/**
 * Block encoding 3, read in blocks written before {@link PlaneChunk} replaced it (2026-12-06), no longer
 * written; its encoder stays for tests and benchmarks. It was the encoding of chunks whose values are not
 * decimals ({@link DecimalChunk} declines them):
 * full-precision floats, NaN, stale markers, infinities. Timestamps as in a decimal chunk (deltas of
 * deltas or offsets from a grid, zstd-compressed), values XOR'd as in {@link XorChunk} but in a stream
 * of their own, which zstd could not shrink. Against an {@link XorChunk} this saves most of the
 * timestamps' bits when they jitter: a sender's ±2 ms cost 9 bits per sample there and about 3 here.
 *
 * <p>Format: varint n; byte timestamp mode (as in {@link DecimalChunk}); for
 * {@link DecimalChunk#TS_SHARED} varint offset of the chunk whose timestamps these are, otherwise varint
 * raw length of the timestamps, varint length of their zstd frame, the frame (the timestamps as
 * {@link DecimalChunk} writes them); then the values' bit stream ({@link XorValues}), most significant
 * bit first, to the end.
 */
public final class FloatChunk {
    private FloatChunk() {}

    /** The chunk's bytes; {@code n} must be at least 1 and timestamps increasing. */
    public static byte[] encode(long[] ts, double[] vs, int n, int level) {
        return encode(ts, vs, n, level, -1);
    }

    /** As {@link #encode(long[], double[], int, int)}; {@code sharedRef} as in {@link DecimalChunk}. */
    public static byte[] encode(long[] ts, double[] vs, int n, int level, long sharedRef) {
        if (n < 1) {
            throw new IllegalArgumentException("BUG: empty chunk");
        }
        BitWriter w = new BitWriter(n * 8 + 8);
        XorValues.Writer values = new XorValues.Writer();
        values.first(w, Double.doubleToRawLongBits(vs[0]));
        for (int i = 1; i < n; i++) {
            values.next(w, Double.doubleToRawLongBits(vs[i]));
        }
        byte[] bits = w.buffer();
        int bitBytes = (int) ((w.bitLength() + 7) >>> 3);

        DecimalChunk.Out out = new DecimalChunk.Out(bitBytes + n / 2 + 32);
        out.uvarint(n);
        if (sharedRef >= 0) {
            out.b.write(DecimalChunk.TS_SHARED);
            out.uvarint(sharedRef);
        } else {
            long step = DecimalChunk.gridStep(ts, n);
            DecimalChunk.Out times = new DecimalChunk.Out(n * 2 + 16);
            DecimalChunk.writeTimestamps(times, ts, n, step);
            byte[] raw = times.b.toByteArray();
            byte[] z = ZstdCodec.compress(raw, 0, raw.length, level);
            out.b.write(DecimalChunk.timestampMode(step));
            out.uvarint(raw.length);
            out.uvarint(z.length);
            out.b.write(z, 0, z.length);
        }
        out.b.write(bits, 0, bitBytes);
        return out.b.toByteArray();
    }

    /** Iterates a chunk made by {@link #encode}; a chunk that does not decode is reported as corrupt. */
    public static SampleIterator iterator(byte[] chunk) {
        return iterator(chunk, SharedTimestamps.NONE);
    }

    /** As {@link #iterator(byte[])}; timestamps another chunk holds come from {@code shared}. */
    public static SampleIterator iterator(byte[] chunk, SharedTimestamps shared) {
        return iterator(chunk, 0, chunk.length, shared, new DecodeBuffers());
    }

    /**
     * As {@link #iterator(byte[], SharedTimestamps)} for the chunk in {@code buf[off, off + len)}, decoded
     * into {@code into} (valid until the next chunk decoded there); {@code buf} is not kept.
     */
    public static SampleIterator iterator(byte[] buf, int off, int len, SharedTimestamps shared, DecodeBuffers into) {
        DecimalChunk.In in = new DecimalChunk.In(buf, off, off + len);
        int n = in.count(XorChunk.MAX_SAMPLES);
        if (n < 1) {
            throw new CorruptChunkException("float chunk without samples");
        }
        long[] ts = timestamps(in, n, shared, into);
        double[] vs = into.values(n);
        BitReader r = new BitReader(buf, in.pos * 8L, (off + (long) len) * 8L);
        XorValues.Reader values = new XorValues.Reader();
        vs[0] = Double.longBitsToDouble(values.first(r));
        for (int i = 1; i < n; i++) {
            vs[i] = Double.longBitsToDouble(values.next(r));
        }
        return new ArraySampleIterator(ts, vs, n);
    }

    /** The chunk's own timestamps, for chunks that share them; see {@link DecimalChunk#timestamps}. */
    public static long[] timestamps(byte[] chunk) {
        DecimalChunk.In in = new DecimalChunk.In(chunk, 0, chunk.length);
        int n = in.count(XorChunk.MAX_SAMPLES);
        if (n < 1) {
            throw new CorruptChunkException("float chunk without samples");
        }
        return timestamps(in, n, (ref, count) -> {
            throw new CorruptChunkException("holds no timestamps of its own to share");
        }, new DecodeBuffers()); // kept: its own array
    }

    /** Reads the timestamp part; leaves {@code in} at the values' bit stream. */
    private static long[] timestamps(DecimalChunk.In in, int n, SharedTimestamps shared, DecodeBuffers into) {
        int tsMode = in.count(DecimalChunk.TS_SHARED);
        if (tsMode == DecimalChunk.TS_SHARED) {
            return DecimalChunk.readTimestamps(in, n, tsMode, shared, into);
        }
        return ownTimestamps(in, n, tsMode, into);
    }

    /**
     * Reads timestamps a chunk holds itself (mode {@code tsMode}, not shared): varint raw length, varint
     * length of the zstd frame, the frame. Also {@link PlaneChunk}'s layout.
     */
    static long[] ownTimestamps(DecimalChunk.In in, int n, int tsMode, DecodeBuffers into) {
        int rawLength = in.count(64 << 20);
        int zLength = in.count(in.end - in.pos);
        byte[] raw = into.raw(rawLength);
        try {
            ZstdCodec.decompress(in.buf, in.pos, zLength, rawLength, raw);
        } catch (IllegalArgumentException e) {
            throw new CorruptChunkException("zstd frame does not decompress: " + e.getMessage());
        }
        in.pos += zLength;
        DecimalChunk.In times = new DecimalChunk.In(raw, 0, rawLength);
        long[] ts = into.timestamps(n);
        DecimalChunk.readTimestamps(times, ts, n, tsMode);
        if (times.pos != rawLength) {
            throw new CorruptChunkException((rawLength - times.pos) + " bytes left after " + n + " timestamps");
        }
        return ts;
    }
}
