package io.sightline.tsdb.chunk;

import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.fileio.ZstdCodec;

/**
 * The block encoding of chunks whose values are not decimals ({@link DecimalChunk} declines them):
 * full-precision floats, NaN, stale markers, infinities. Timestamps as in a decimal chunk (deltas of
 * deltas or offsets from a grid, zstd-compressed), values XOR'd as in {@link XorChunk} but in a stream
 * of their own, which zstd could not shrink. Against an {@link XorChunk} this saves most of the
 * timestamps' bits when they jitter: a sender's ±2 ms cost 9 bits per sample there and about 3 here.
 *
 * <p>Format: varint n; varint raw length of the timestamp section, varint length of its zstd frame,
 * the frame (timestamp section: byte timestamp mode, the timestamps as {@link DecimalChunk} writes
 * them); then the values' bit stream ({@link XorValues}), most significant bit first, to the end.
 */
public final class FloatChunk {
    private FloatChunk() {}

    /** The chunk's bytes; {@code n} must be at least 1 and timestamps increasing. */
    public static byte[] encode(long[] ts, double[] vs, int n, int level) {
        if (n < 1) {
            throw new IllegalArgumentException("BUG: empty chunk");
        }
        int tsMode = DecimalChunk.timestampMode(ts, n);
        DecimalChunk.Out times = new DecimalChunk.Out(n * 2 + 16);
        times.b.write(tsMode);
        DecimalChunk.writeTimestamps(times, ts, n, tsMode);
        byte[] raw = times.b.toByteArray();
        byte[] z = ZstdCodec.compress(raw, 0, raw.length, level);

        BitWriter w = new BitWriter(n * 8 + 8);
        XorValues.Writer values = new XorValues.Writer();
        values.first(w, Double.doubleToRawLongBits(vs[0]));
        for (int i = 1; i < n; i++) {
            values.next(w, Double.doubleToRawLongBits(vs[i]));
        }
        byte[] bits = w.buffer();
        int bitBytes = (int) ((w.bitLength() + 7) >>> 3);

        DecimalChunk.Out out = new DecimalChunk.Out(z.length + bitBytes + 16);
        out.uvarint(n);
        out.uvarint(raw.length);
        out.uvarint(z.length);
        out.b.write(z, 0, z.length);
        out.b.write(bits, 0, bitBytes);
        return out.b.toByteArray();
    }

    /** Iterates a chunk made by {@link #encode}; a chunk that does not decode is reported as corrupt. */
    public static SampleIterator iterator(byte[] chunk) {
        DecimalChunk.In in = new DecimalChunk.In(chunk, 0, chunk.length);
        int n = in.count(XorChunk.MAX_SAMPLES);
        int rawLength = in.count(64 << 20);
        int zLength = in.count(chunk.length - in.pos);
        if (n < 1) {
            throw new CorruptChunkException("float chunk without samples");
        }
        byte[] raw;
        try {
            raw = ZstdCodec.decompress(chunk, in.pos, zLength, rawLength);
        } catch (IllegalArgumentException e) {
            throw new CorruptChunkException("zstd frame does not decompress: " + e.getMessage());
        }
        int valuesAt = in.pos + zLength;
        DecimalChunk.In times = new DecimalChunk.In(raw, 0, raw.length);
        int tsMode = times.count(1);
        long[] ts = new long[n];
        DecimalChunk.readTimestamps(times, ts, n, tsMode);
        if (times.pos != raw.length) {
            throw new CorruptChunkException((raw.length - times.pos) + " bytes left after " + n + " timestamps");
        }
        double[] vs = new double[n];
        BitReader r = new BitReader(chunk, valuesAt * 8L, chunk.length * 8L);
        XorValues.Reader values = new XorValues.Reader();
        vs[0] = Double.longBitsToDouble(values.first(r));
        for (int i = 1; i < n; i++) {
            vs[i] = Double.longBitsToDouble(values.next(r));
        }
        return new ArraySampleIterator(ts, vs, n);
    }
}
