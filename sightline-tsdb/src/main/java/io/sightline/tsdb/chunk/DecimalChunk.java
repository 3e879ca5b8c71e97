package io.sightline.tsdb.chunk;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.fileio.ZstdCodec;
import java.io.ByteArrayOutputStream;

/**
 * Block encoding 2, read in blocks written before {@link PlaneChunk} replaced it (2026-12-06), no longer
 * written; its encoder stays for tests and benchmarks, and its helpers (scale, timestamps, varints) serve
 * {@link PlaneChunk}. It was a compact encoding for immutable (block) chunks whose values are decimal
 * numbers: counters, integer gauges, values with a few decimals. Values become integers at a common decimal scale
 * ({@code v = m / 10^k}), stored as deltas or deltas of deltas; timestamps as deltas of deltas or as
 * offsets from a grid; all as zigzag varints, the whole compressed with zstd. Lossless: a chunk is
 * written this way only if every value decodes to exactly its bits, otherwise {@link #encode} returns
 * null and the caller takes the floats' encoding ({@link FloatChunk}).
 *
 * <p>Format (before zstd): varint n; varint k; byte modes (bit 0: values as deltas (0) or deltas of
 * deltas (1); bit 1: timestamps as deltas of deltas (0) or offsets from a grid (1), see
 * {@link #writeTimestamps}); the timestamps; zigzag m0, then per mode. Stored as varint of that length,
 * then the zstd frame. Arithmetic wraps, so any long round-trips.
 */
public final class DecimalChunk {
    static final int MAX_SCALE = 22; // 10^22 is the largest power of ten a double holds exactly
    private static final double[] POW10 = new double[MAX_SCALE + 1];
    private static final double LIMIT = 9007199254740992.0; // 2^53: beyond, longs are not all doubles

    /**
     * The largest scale {@link #decode(long[], int, int, double[])} divides by multiplying: see there why the
     * result is the quotient's bits up to {@code 10^21} and not provably beyond.
     */
    static final int FAST_SCALE = 21;

    /**
     * Whether {@link Math#fma} is one machine instruction here. Without it (a CPU without FMA, or a JVM that
     * does not say) the JDK computes it exactly with BigDecimal, correct but far slower than a division.
     */
    static final boolean FMA = fmaInstruction();

    static {
        double p = 1;
        for (int i = 0; i <= MAX_SCALE; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private DecimalChunk() {}

    static double decode(long m, int k) {
        return k == 0 ? (double) m : (double) m / POW10[k];
    }

    /**
     * {@code vs[i] = decode(w[i], k)} for i in [0, n), bit for bit, for words below 2^53 in magnitude (all an
     * encoder writes), without a division per value where it can: dividing is most of the cost of reading a
     * chunk of decimals once its bytes are decompressed (the benchmark data set's CPU counters, at scale 2, take
     * 5.7 ns per value with a division and 2.8 ns this way, from the planes to the values).
     *
     * <p>For {@code 1 <= k <= 21} each value is {@code q = RN(a * y)} with {@code y = RN(1/d)}, {@code d = 10^k},
     * corrected once: {@code RN(q + RN(a - q * d) * y)}, both with one rounding ({@link Math#fma}). Why that is
     * exactly {@code RN(a / d)}, with {@code x = a / d} in the binade {@code [2^(53-s), 2^(54-s))} (its ulp is
     * {@code 2^(1-s)}, its midpoints the odd multiples of {@code 2^-s}) and {@code u = 2^-53}:
     * <ul>
     *   <li>{@code q} is within {@code |x|(2u + u^2) < 2(1 + u/2)} ulps of {@code x} (two roundings, {@code
     *       |x| < 2^53} ulps), and the corrected value before its rounding is {@code x + (x - q)(e + f + ef)}, where
     *       {@code f} is y's relative error and {@code e} the remainder's rounding, both at most {@code u}: within
     *       {@code 4u(1 + u/2)^2} ulps of {@code x}.</li>
     *   <li>Rounding to nearest can only differ from {@code RN(x)} if a midpoint {@code M 2^-s} lies that close.
     *       But {@code |x - M 2^-s| = |a 2^s - M d| 2^-s / d}, and {@code a 2^s - M d} is a multiple of {@code
     *       gcd(2^s, d) = 2^k} ({@code s > k}: {@code |a| < 2^53} makes {@code x < 2^53 / 10^k}) that is not 0
     *       ({@code x} is no midpoint: its binary expansion ends only if {@code 5^k} divides {@code a}, and then
     *       {@code x = (a / 5^k) / 2^k} is a double). So every midpoint is at least {@code 1 / (2 * 5^k)} ulps
     *       away, more than the bound above while {@code 5^k < 2^50}: up to {@code k = 21}.</li>
     * </ul>
     * Larger scales divide, as {@code k = 0} converts; so does every scale without an FMA instruction.
     * {@code DecimalDecodeTest} checks it against division, values next to midpoints included.
     */
    static void decode(long[] w, int n, int k, double[] vs) {
        if (k == 0) {
            for (int i = 0; i < n; i++) {
                vs[i] = w[i];
            }
        } else if (k > FAST_SCALE || !FMA) {
            double d = POW10[k];
            for (int i = 0; i < n; i++) {
                vs[i] = w[i] / d;
            }
        } else {
            double d = POW10[k];
            double y = 1 / d;
            for (int i = 0; i < n; i++) {
                double a = w[i];
                double q = a * y;
                vs[i] = Math.fma(Math.fma(-q, d, a), y, q);
            }
        }
    }

    private static boolean fmaInstruction() {
        try {
            return Boolean.parseBoolean(java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return false; // not HotSpot, or no such option: divide
        }
    }

    /** {@code 10^k}, exact, for k in 0..{@link #MAX_SCALE}. */
    static double pow10(int k) {
        return POW10[k];
    }

    /** The smallest scale at which every value round-trips, or -1. */
    static int scale(double[] vs, int n) {
        for (int k = 0; k <= MAX_SCALE; k++) {
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                double x = vs[i];
                double m = Math.rint(x * POW10[k]);
                ok = Math.abs(m) < LIMIT
                        && Double.doubleToRawLongBits(decode((long) m, k)) == Double.doubleToRawLongBits(x);
            }
            if (ok) {
                return k;
            }
        }
        return -1;
    }

    /** The chunk's bytes, or null when some value is not a decimal this encoding can restore exactly. */
    public static byte[] encode(long[] ts, double[] vs, int n, int level) {
        return encode(ts, vs, n, level, -1);
    }

    /**
     * As {@link #encode(long[], double[], int, int)}; with {@code sharedRef >= 0} the timestamps are not
     * written but referred to: the chunk at that offset of the same chunk file holds the same ones.
     */
    public static byte[] encode(long[] ts, double[] vs, int n, int level, long sharedRef) {
        if (n == 0) {
            return null;
        }
        int k = scale(vs, n);
        if (k < 0) {
            return null;
        }
        long[] m = new long[n];
        for (int i = 0; i < n; i++) {
            m[i] = (long) Math.rint(vs[i] * POW10[k]);
        }
        // Delta or delta of delta: whichever is smaller as varints (counters favour the second).
        long sizeDelta = 0;
        long sizeDod = 0;
        for (int i = 1; i < n; i++) {
            long d = m[i] - m[i - 1];
            sizeDelta += varintSize(zigzag(d));
            sizeDod += varintSize(zigzag(i == 1 ? d : d - (m[i - 1] - m[i - 2])));
        }
        int mode = sizeDod < sizeDelta ? 1 : 0;
        long step = sharedRef >= 0 ? 0 : gridStep(ts, n);
        int tsMode = sharedRef >= 0 ? TS_SHARED : timestampMode(step);
        Out out = new Out(n * 3 + 16);
        out.uvarint(n);
        out.uvarint(k);
        out.b.write(mode | tsMode << 1);
        if (tsMode == TS_SHARED) {
            out.uvarint(sharedRef);
        } else {
            writeTimestamps(out, ts, n, step);
        }
        out.uvarint(zigzag(m[0]));
        for (int i = 1; i < n; i++) {
            long d = m[i] - m[i - 1];
            out.uvarint(zigzag(mode == 0 || i == 1 ? d : d - (m[i - 1] - m[i - 2])));
        }
        byte[] raw = out.b.toByteArray();
        byte[] z = ZstdCodec.compress(raw, 0, raw.length, level);
        Out framed = new Out(z.length + 5);
        framed.uvarint(raw.length);
        framed.b.write(z, 0, z.length);
        return framed.b.toByteArray();
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
        return iterator(buf, off, len, shared, into, false);
    }

    /**
     * As {@link #iterator(byte[], int, int, SharedTimestamps, DecodeBuffers)}; with {@code presenceOnly} the values
     * are not decoded and read as 0 (a decimal chunk holds no NaN, so no stale marker), nor is the rest of the
     * chunk checked: a caller that counts samples reads only their timestamps.
     */
    public static SampleIterator iterator(byte[] buf, int off, int len, SharedTimestamps shared, DecodeBuffers into,
            boolean presenceOnly) {
        In in = payload(buf, off, len, into);
        int n = in.count(in.end);
        int k = in.count(MAX_SCALE);
        int modes = in.count(1 | TS_SHARED << 1);
        int mode = modes & 1;
        double[] vs = into.values(n);
        long[] ts = n > 0 ? readTimestamps(in, n, modes >> 1, shared, into) : new long[0];
        if (presenceOnly) {
            java.util.Arrays.fill(vs, 0, n, 0.0);
            return new io.sightline.tsdb.ArraySampleIterator(ts, vs, n);
        }
        if (n > 0) {
            long m = unzigzag(in.uvarint());
            vs[0] = decode(m, k);
            long d = 0;
            for (int i = 1; i < n; i++) {
                long x = unzigzag(in.uvarint());
                d = mode == 0 || i == 1 ? x : d + x;
                m += d;
                vs[i] = decode(m, k);
            }
        }
        if (in.pos != in.end) {
            throw new CorruptChunkException((in.end - in.pos) + " bytes left after " + n + " samples");
        }
        return new io.sightline.tsdb.ArraySampleIterator(ts, vs, n);
    }

    /**
     * The chunk's own timestamps, for chunks that share them.
     *
     * @throws CorruptChunkException if it does not decode or refers to another chunk's timestamps itself
     */
    public static long[] timestamps(byte[] chunk) {
        In in = payload(chunk);
        int n = in.count(in.end);
        in.count(MAX_SCALE);
        int modes = in.count(1 | TS_SHARED << 1);
        if (n == 0 || modes >> 1 == TS_SHARED) {
            throw new CorruptChunkException("holds no timestamps of its own to share");
        }
        return readTimestamps(in, n, modes >> 1, SharedTimestamps.NONE, new DecodeBuffers()); // kept: its own array
    }

    private static In payload(byte[] chunk) {
        return payload(chunk, 0, chunk.length, new DecodeBuffers());
    }

    private static In payload(byte[] buf, int off, int len, DecodeBuffers into) {
        In in = new In(buf, off, off + len);
        int rawLength = in.count(64 << 20);
        byte[] raw = into.raw(rawLength);
        try {
            ZstdCodec.decompress(buf, in.pos, in.end - in.pos, rawLength, raw);
        } catch (IllegalArgumentException e) {
            throw new CorruptChunkException("zstd frame does not decompress: " + e.getMessage());
        }
        return new In(raw, 0, rawLength);
    }

    /** Timestamps as deltas of deltas. */
    static final int TS_DOD = 0;
    /** Timestamps as offsets from a grid of the median interval, re-anchored after a gap. */
    static final int TS_GRID = 1;
    /** Timestamps are another chunk's: a varint offset of its record in the same chunk file. */
    public static final int TS_SHARED = 2;

    /**
     * The smaller timestamp encoding for these timestamps (as varints): the grid's step (the median
     * interval, at least 1) when offsets from it are smaller, 0 when deltas of deltas are. Deltas of deltas
     * suit timestamps on an exact grid; offsets suit a sender's jitter of a few milliseconds, which costs
     * deltas of deltas about twice as many distinct values.
     */
    static long gridStep(long[] ts, int n) {
        if (n < 3) {
            return 0;
        }
        long step = medianInterval(ts, n);
        long sizeDod = 0;
        long sizeGrid = varintSize(zigzag(step));
        long half = step / 2;
        long anchor = ts[0];
        int anchorAt = 0;
        for (int i = 1; i < n; i++) {
            long d = ts[i] - ts[i - 1];
            sizeDod += varintSize(zigzag(i == 1 ? d : d - (ts[i - 1] - ts[i - 2])));
            long r = ts[i] - (anchor + (i - anchorAt) * step);
            sizeGrid += varintSize(zigzag(r));
            if (r > half || r < -half) {
                anchor = ts[i];
                anchorAt = i;
            }
        }
        return sizeGrid < sizeDod ? step : 0;
    }

    /** The timestamp mode {@link #gridStep} chose. */
    static int timestampMode(long gridStep) {
        return gridStep > 0 ? TS_GRID : TS_DOD;
    }

    static long medianInterval(long[] ts, int n) {
        long[] d = new long[n - 1];
        for (int i = 1; i < n; i++) {
            d[i - 1] = ts[i] - ts[i - 1];
        }
        java.util.Arrays.sort(d);
        return d[d.length / 2];
    }

    /**
     * Writes timestamps: zigzag t0; then for {@code gridStep} 0 ({@link #TS_DOD}) zigzag (t1 - t0) and
     * the deltas of deltas; otherwise ({@link #TS_GRID}) zigzag step, then per sample zigzag {@code t -
     * (anchor + (i - anchorIndex) * step)}, the anchor (first t0) moving to a sample whose offset is
     * beyond half a step.
     */
    static void writeTimestamps(Out out, long[] ts, int n, long gridStep) {
        out.uvarint(zigzag(ts[0]));
        if (gridStep == 0) {
            for (int i = 1; i < n; i++) {
                long d = ts[i] - ts[i - 1];
                out.uvarint(zigzag(i == 1 ? d : d - (ts[i - 1] - ts[i - 2])));
            }
            return;
        }
        if (n < 2) {
            return;
        }
        long step = gridStep;
        out.uvarint(zigzag(step));
        long half = step / 2;
        long anchor = ts[0];
        int anchorAt = 0;
        for (int i = 1; i < n; i++) {
            long r = ts[i] - (anchor + (i - anchorAt) * step);
            out.uvarint(zigzag(r));
            if (r > half || r < -half) {
                anchor = ts[i];
                anchorAt = i;
            }
        }
    }

    /**
     * Reads what {@link #writeTimestamps} wrote, or for {@link #TS_SHARED} the reference and then the
     * timestamps from {@code shared}; timestamps that do not increase make a corrupt chunk.
     */
    static long[] readTimestamps(In in, int n, int tsMode, SharedTimestamps shared, DecodeBuffers into) {
        if (tsMode == TS_SHARED) {
            long ref = in.uvarint();
            long[] ts = shared.timestamps(ref, n);
            if (ts.length != n) {
                throw new CorruptChunkException(
                        "the chunk at " + ref + " holds " + ts.length + " timestamps, not " + n);
            }
            return ts;
        }
        long[] ts = into.timestamps(n);
        readTimestamps(in, ts, n, tsMode);
        return ts;
    }

    /** Reads what {@link #writeTimestamps} wrote; timestamps that do not increase make a corrupt chunk. */
    static void readTimestamps(In in, long[] ts, int n, int tsMode) {
        if (tsMode != TS_DOD && tsMode != TS_GRID) {
            throw new CorruptChunkException("unknown timestamp mode " + tsMode);
        }
        ts[0] = unzigzag(in.uvarint());
        if (tsMode == TS_DOD) {
            long d = 0;
            for (int i = 1; i < n; i++) {
                long x = unzigzag(in.uvarint());
                d = i == 1 ? x : d + x;
                ts[i] = ts[i - 1] + d;
                checkIncreasing(ts, i);
            }
            return;
        }
        long step = n > 1 ? unzigzag(in.uvarint()) : 0;
        long half = step / 2;
        long anchor = ts[0];
        int anchorAt = 0;
        for (int i = 1; i < n; i++) {
            long r = unzigzag(in.uvarint());
            ts[i] = anchor + (i - anchorAt) * step + r;
            checkIncreasing(ts, i);
            if (r > half || r < -half) {
                anchor = ts[i];
                anchorAt = i;
            }
        }
    }

    private static void checkIncreasing(long[] ts, int i) {
        if (ts[i] <= ts[i - 1]) {
            throw new CorruptChunkException("timestamps not increasing at sample " + i);
        }
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long u) {
        return (u >>> 1) ^ -(u & 1);
    }

    static int varintSize(long u) {
        int n = 1;
        while ((u & ~0x7FL) != 0) {
            u >>>= 7;
            n++;
        }
        return n;
    }

    static final class Out {
        final ByteArrayOutputStream b;

        Out(int size) {
            b = new ByteArrayOutputStream(size);
        }

        void uvarint(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }
    }

    static final class In {
        final byte[] buf;
        int pos;
        final int end;

        In(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        long uvarint() {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (pos >= end) {
                    throw new CorruptChunkException("decimal chunk ends inside a varint");
                }
                long b = buf[pos++] & 0xFF;
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new CorruptChunkException("varint longer than 10 bytes");
        }

        int count(long max) {
            long v = uvarint();
            if (v < 0 || v > max) {
                throw new CorruptChunkException("count " + v + " out of range (max " + max + ")");
            }
            return (int) v;
        }
    }
}
