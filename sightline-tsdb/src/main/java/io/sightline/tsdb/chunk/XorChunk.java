package io.sightline.tsdb.chunk;

import io.sightline.tsdb.SampleIterator;

/**
 * A chunk of float samples in increasing timestamp order, compressed with the Gorilla scheme
 * (delta-of-delta timestamps, XOR'd values), with one change that matters for push senders: a 7-bit
 * bucket for small timestamp jitter. Prometheus's smallest non-zero bucket is 14 bits, so a sender that
 * does not align its timestamps (±2 ms) costs it 16 bits per timestamp; here it costs 9.
 *
 * <p>Format (see {@code docs/format/chunks.md}): a 2-byte big-endian sample count, then a bit stream.
 * Sample 0: timestamp as a zigzag varint, value as 64 raw bits. Sample 1: timestamp delta as a varint,
 * value XOR'd with the previous one. Sample n: delta-of-delta in the first bucket that holds it:
 * {@code 0} (zero), {@code 10}+7 bits, {@code 110}+14, {@code 1110}+20, {@code 1111}+64; value XOR'd:
 * {@code 0} (same), {@code 10}+meaningful bits in the previous window, {@code 11}+5 bits of leading
 * zeros+6 bits of length+the bits.
 *
 * <p>Appending is single-writer. Iterators made by {@link #iterator()} see the samples present when they
 * were made and may run concurrently with later appends if the caller publishes the chunk safely (the
 * head does so under its series lock).
 *
 * <p>A chunk being appended to (the head's) also keeps, in memory only, the decoder's state after every
 * {@value #MARK_EVERY}th sample, so that its iterators' {@link SampleIterator#seek seeks} start decoding from the
 * last such mark before the target instead of from the first sample: an instant query's window is the chunk's
 * last few samples. The encoded bytes are the same with or without them.
 */
public final class XorChunk {
    public static final int MAX_SAMPLES = 0xFFFF;
    private static final int HEADER_BITS = 16;
    /** Samples between two seek marks. */
    static final int MARK_EVERY = 32;
    /** Longs per mark: the timestamp, its delta, the value's bits, and the bit position, leading and trailing zeros. */
    private static final int MARK_LONGS = 4;

    private final BitWriter w;
    private int count;
    private long minT;
    private long t;
    private long tDelta;
    private XorValues.Writer values = new XorValues.Writer();
    /** Whether a {@link View} may read the buffer: then {@link #clear} must not write into it again. */
    private boolean viewed;
    /**
     * Seek marks, {@link #MARK_LONGS} longs each, the k-th taken after sample {@code (k + 1) * MARK_EVERY}; null until
     * the first. While views may read it, it is only appended to or replaced by a grown copy, so a view reads the marks
     * present when it was made; {@link #clear} drops it if a view was made, and otherwise overwrites it in place.
     */
    private long[] marks;

    public XorChunk() {
        w = new BitWriter(128);
        w.writeBits(0, HEADER_BITS);
    }

    /**
     * Empties the chunk to be filled again, keeping its buffer when no view can read it. The head writes
     * a chunk per 120 samples of every series; a fresh, growing buffer each time was garbage the old
     * generation collected.
     */
    public void clear() {
        w.clear(viewed);
        count = 0;
        minT = 0;
        t = 0;
        tDelta = 0;
        values = new XorValues.Writer();
        if (viewed) {
            marks = null;
        }
        viewed = false;
        w.writeBits(0, HEADER_BITS);
    }

    public int numSamples() {
        return count;
    }

    /** Timestamp of the first sample; undefined when empty. */
    public long minTime() {
        return minT;
    }

    /** Timestamp of the last sample; undefined when empty. */
    public long maxTime() {
        return t;
    }

    /** Encoded size so far, header included. */
    public int sizeBytes() {
        return (int) ((w.bitLength() + 7) >>> 3);
    }

    /**
     * Appends a sample.
     *
     * @throws IllegalArgumentException if {@code t} is not after the last timestamp, or the chunk is full
     */
    public void append(long ts, double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (count == MAX_SAMPLES) {
            throw new IllegalArgumentException("BUG: chunk full (" + MAX_SAMPLES + " samples)");
        }
        if (count == 0) {
            w.writeVarint(ts);
            values.first(w, bits);
            minT = ts;
        } else {
            if (ts <= t) {
                throw new IllegalArgumentException("BUG: chunk append out of order: t=" + ts + " after t=" + t);
            }
            long delta = ts - t;
            if (count == 1) {
                w.writeUvarint(delta);
            } else {
                writeDod(delta - tDelta);
            }
            tDelta = delta;
            values.next(w, bits);
        }
        t = ts;
        count++;
        if (count % MARK_EVERY == 0) {
            mark();
        }
    }

    private void mark() {
        int at = (count / MARK_EVERY - 1) * MARK_LONGS;
        if (marks == null || at + MARK_LONGS > marks.length) {
            // Three marks cover the head's 120-sample chunks.
            marks = marks == null ? new long[3 * MARK_LONGS] : java.util.Arrays.copyOf(marks, marks.length * 2);
        }
        marks[at] = t;
        marks[at + 1] = tDelta;
        marks[at + 2] = values.prev();
        marks[at + 3] = w.bitLength() << 16 | values.window();
    }

    private void writeDod(long dod) {
        if (dod == 0) {
            w.writeBit(false);
        } else if (fits(dod, 7)) {
            w.writeBits(0b10, 2);
            w.writeBits(dod, 7);
        } else if (fits(dod, 14)) {
            w.writeBits(0b110, 3);
            w.writeBits(dod, 14);
        } else if (fits(dod, 20)) {
            w.writeBits(0b1110, 4);
            w.writeBits(dod, 20);
        } else {
            w.writeBits(0b1111, 4);
            w.writeBits(dod, 64);
        }
    }

    /** Whether {@code v} is in [-(2^(n-1) - 1), 2^(n-1)], the range an n-bit bucket holds. */
    private static boolean fits(long v, int n) {
        return v >= -((1L << (n - 1)) - 1) && v <= (1L << (n - 1));
    }

    /** The encoded chunk: header with the current count, then the bit stream. */
    public byte[] bytes() {
        byte[] b = w.bytes();
        b[0] = (byte) (count >>> 8);
        b[1] = (byte) count;
        return b;
    }

    /** Iterates the samples present now. */
    public SampleIterator iterator() {
        return view().iterator();
    }

    /**
     * The chunk as it is now, immutable: later appends change neither its count nor the bits it reads
     * (they only write past its bit length, or into a grown copy of the buffer).
     */
    public View view() {
        viewed = true;
        return new View(w.buffer(), w.bitLength(), count, marks);
    }

    /**
     * A fixed prefix of a chunk's bit stream; can be iterated any number of times, from any thread.
     *
     * @param marks the chunk's seek marks when the view was made (those for up to {@code count} samples are read), or
     *     null
     */
    public record View(byte[] buffer, long bitLength, int count, long[] marks) {
        public SampleIterator iterator() {
            return new Decoder(buffer, HEADER_BITS, bitLength, count, marks);
        }
    }

    /**
     * Iterates an encoded chunk as produced by {@link #bytes()}.
     *
     * @throws CorruptChunkException if the header is unreadable
     */
    public static SampleIterator iterator(byte[] chunk) {
        if (chunk.length < 2) {
            throw new CorruptChunkException("shorter than its header (" + chunk.length + " bytes)");
        }
        int n = ((chunk[0] & 0xFF) << 8) | (chunk[1] & 0xFF);
        return new Decoder(chunk, HEADER_BITS, chunk.length * 8L, n, null);
    }

    /** Decodes the bit stream; one instance per iteration. */
    static final class Decoder implements SampleIterator {
        private final BitReader r;
        private final int count;
        private int read;
        private long t;
        private long tDelta;
        private long vBits;
        private final XorValues.Reader values = new XorValues.Reader();
        private final long[] marks;

        Decoder(byte[] buf, long offsetBits, long limitBits, int count, long[] marks) {
            this.r = new BitReader(buf, offsetBits, limitBits);
            this.count = count;
            this.marks = count >= MARK_EVERY ? marks : null;
        }

        @Override
        public boolean next() {
            if (read >= count) {
                read = count + 1;
                return false;
            }
            if (read == 0) {
                t = r.readVarint();
                vBits = values.first(r);
            } else {
                if (read == 1) {
                    tDelta = r.readUvarint();
                } else {
                    tDelta += readDod();
                }
                t += tDelta;
                vBits = values.next(r);
            }
            read++;
            return true;
        }

        @Override
        public int nextBatch(long[] ts, double[] vs, int off, int max) {
            int k = 0;
            while (k < max && next()) {
                ts[off + k] = t;
                vs[off + k] = Double.longBitsToDouble(vBits);
                k++;
            }
            return k;
        }

        private long readDod() {
            if (!r.readBit()) {
                return 0;
            }
            if (!r.readBit()) {
                return signed(r.readBits(7), 7);
            }
            if (!r.readBit()) {
                return signed(r.readBits(14), 14);
            }
            if (!r.readBit()) {
                return signed(r.readBits(20), 20);
            }
            return r.readBits(64);
        }

        private static long signed(long bits, int n) {
            return bits > (1L << (n - 1)) ? bits - (1L << n) : bits;
        }

        @Override
        public boolean seek(long target) {
            if (read > 0 && read <= count && t >= target) {
                return true;
            }
            if (marks != null && read < count) {
                jumpBefore(target);
            }
            while (next()) {
                if (t >= target) {
                    return true;
                }
            }
            return false;
        }

        /** Resumes from the last mark before {@code target} that lies ahead, if any: the samples up to it are skipped. */
        private void jumpBefore(long target) {
            int k = Math.min(count / MARK_EVERY, marks.length / MARK_LONGS) - 1;
            while (k >= 0 && marks[k * MARK_LONGS] >= target) {
                k--;
            }
            int after = (k + 1) * MARK_EVERY;
            if (k < 0 || after <= read) {
                return;
            }
            int at = k * MARK_LONGS;
            t = marks[at];
            tDelta = marks[at + 1];
            vBits = marks[at + 2];
            long posAndWindow = marks[at + 3];
            r.position(posAndWindow >>> 16);
            values.resume(vBits, (int) posAndWindow & 0xFFFF);
            read = after;
        }

        @Override
        public long timestamp() {
            return t;
        }

        @Override
        public double value() {
            return Double.longBitsToDouble(vBits);
        }
    }
}
