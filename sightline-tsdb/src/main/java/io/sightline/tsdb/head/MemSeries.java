package io.sightline.tsdb.head;

import io.sightline.common.Labels;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.chunk.XorChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series in the head: closed chunks (in {@link HeadChunkFiles}, referenced here by time range and
 * handle), the open head chunk, and a small sorted buffer of out-of-order samples (older than the newest
 * in-order sample) that reads merge in.
 *
 * <p>Every method must be called with the series' monitor held ({@code synchronized (series)}); the
 * snapshot handed to a querier is immutable and read without the lock.
 */
final class MemSeries {
    /** Samples per chunk before a new one is cut: Prometheus's figure, a good size for XOR compression. */
    static final int SAMPLES_PER_CHUNK = 120;
    /** A head chunk covers at most this many milliseconds (about 49 days), so its span fits 32 bits. */
    static final long MAX_CHUNK_SPAN = 0xFFFF_FFFFL;
    /** What a snapshot holds when no out-of-order sample is in its range (the usual case): shared, never written. */
    private static final long[] NO_TIMES = new long[0];
    private static final double[] NO_VALUES = new double[0];

    final int ref;
    final Labels labels;
    private final HeadChunkFiles files;
    /** Chunks never span a multiple of this (the block range), so a head cut drops whole chunks. */
    private final long chunkRange;
    /** Set (under the head's exclusive commit lock) when a cut removed the series from the head. */
    boolean removed;

    // Closed chunks as parallel arrays: ~28 bytes each on the heap, the bytes themselves in the files.
    /**
     * The closed chunks, oldest first, three longs each: first timestamp, handle in the chunk files, and
     * {@code (last - first) << 32 | length << 16 | samples}. A backfill keeps hours of chunks per series in
     * the head until they are cut, so this is most of what the head holds on the heap.
     */
    private long[] chunks = new long[3 * 2];
    private int cN;
    private XorChunk head;
    private long[] oooT = new long[0];
    private double[] oooV = new double[0];
    private int oooN;
    private long minT = Long.MAX_VALUE;
    private long maxT = Long.MIN_VALUE;
    private long inOrderMaxT = Long.MIN_VALUE;
    private long samples;

    MemSeries(int ref, Labels labels, HeadChunkFiles files, long chunkRange) {
        this.ref = ref;
        this.labels = labels;
        this.files = files;
        this.chunkRange = chunkRange;
    }

    long minTime() {
        return minT;
    }

    long maxTime() {
        return maxT;
    }

    long sampleCount() {
        return samples;
    }

    /** In-order chunks: the closed ones in the chunk files and the open one, if it holds a sample. */
    int chunkCount() {
        return cN + (head != null && head.numSamples() > 0 ? 1 : 0);
    }

    boolean isEmpty() {
        return samples == 0;
    }

    boolean overlaps(long mint, long maxt) {
        return samples > 0 && minT <= maxt && maxT >= mint;
    }

    /** The value bits at {@code t}, or null. Reads chunks only when {@code t} is within their range. */
    Long valueBitsAt(long t) {
        if (samples == 0 || t < minT || t > maxT) {
            return null;
        }
        int i = Arrays.binarySearch(oooT, 0, oooN, t);
        if (i >= 0) {
            return Double.doubleToRawLongBits(oooV[i]);
        }
        // Closed chunks are in time order and do not overlap: a binary search finds the one that may
        // hold t. (A linear scan made WAL replay quadratic when it re-reads samples already in the head.)
        int c = lastStartingAtOrBefore(t);
        if (c >= 0 && t <= chunkMaxT(c)) {
            return find(XorChunk.iterator(files.read(chunks[3 * c + 1], chunkLength(c))), t);
        }
        if (head != null && head.numSamples() > 0 && t >= head.minTime() && t <= head.maxTime()) {
            return find(head.iterator(), t);
        }
        return null;
    }

    private long chunkMaxT(int c) {
        return chunks[3 * c] + (chunks[3 * c + 2] >>> 32);
    }

    private int chunkLength(int c) {
        return (int) (chunks[3 * c + 2] >>> 16) & 0xFFFF;
    }

    private int chunkSamples(int c) {
        return (int) chunks[3 * c + 2] & 0xFFFF;
    }

    /** The last closed chunk whose first timestamp is at or before {@code t}, or -1. */
    private int lastStartingAtOrBefore(long t) {
        int lo = 0;
        int hi = cN - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (chunks[3 * mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    private static Long find(SampleIterator it, long t) {
        if (it.seek(t) && it.timestamp() == t) {
            return Double.doubleToRawLongBits(it.value());
        }
        return null;
    }

    /** Adds a sample that has been validated: in order goes to the head chunk, older to the buffer. */
    void add(long t, double v) {
        if (t > inOrderMaxT) {
            if (head == null || head.numSamples() >= SAMPLES_PER_CHUNK
                    || Math.floorDiv(t, chunkRange) != Math.floorDiv(head.minTime(), chunkRange)
                    || t - head.minTime() > MAX_CHUNK_SPAN) {
                if (head != null) {
                    close(head);
                    head.clear();
                } else {
                    head = new XorChunk();
                }
            }
            head.append(t, v);
            inOrderMaxT = t;
        } else {
            int i = Arrays.binarySearch(oooT, 0, oooN, t);
            if (i >= 0) {
                return; // validated callers never get here; replay keeps the first value
            }
            i = -i - 1;
            if (oooN == oooT.length) {
                int cap = Math.max(8, oooN * 2);
                oooT = Arrays.copyOf(oooT, cap);
                oooV = Arrays.copyOf(oooV, cap);
            }
            System.arraycopy(oooT, i, oooT, i + 1, oooN - i);
            System.arraycopy(oooV, i, oooV, i + 1, oooN - i);
            oooT[i] = t;
            oooV[i] = v;
            oooN++;
        }
        minT = Math.min(minT, t);
        maxT = Math.max(maxT, t);
        samples++;
    }

    private void close(XorChunk c) {
        if (3 * cN == chunks.length) {
            chunks = Arrays.copyOf(chunks, 3 * (cN + Math.max(2, cN / 2)));
        }
        byte[] bytes = c.bytes();
        long span = c.maxTime() - c.minTime();
        if (bytes.length > 0xFFFF || c.numSamples() > 0xFFFF || span < 0 || span > MAX_CHUNK_SPAN) {
            throw new IllegalStateException("BUG: head chunk of " + c.numSamples() + " samples, " + bytes.length
                    + " bytes over " + span + " ms");
        }
        chunks[3 * cN] = c.minTime();
        chunks[3 * cN + 1] = files.write(bytes, c.maxTime());
        chunks[3 * cN + 2] = span << 32 | (long) bytes.length << 16 | c.numSamples();
        cN++;
    }

    /**
     * Drops the samples before {@code cutoff}, which a block now holds: whole chunks (chunks never span a
     * multiple of the chunk range, and cutoffs are such multiples) and out-of-order samples. A chunk
     * that still straddles the cutoff stays whole; reads merge its duplicates with the block's.
     */
    void truncate(long cutoff) {
        if (samples == 0 || minT >= cutoff) {
            return;
        }
        int keep = 0;
        long dropped = 0;
        for (int c = 0; c < cN; c++) {
            if (chunkMaxT(c) < cutoff) {
                dropped += chunkSamples(c);
                continue;
            }
            System.arraycopy(chunks, 3 * c, chunks, 3 * keep, 3);
            keep++;
        }
        cN = keep;
        if (chunks.length > 3 * Math.max(2, 2 * cN)) {
            chunks = Arrays.copyOf(chunks, 3 * Math.max(2, cN + cN / 2)); // a cut after a backfill: give back
        }
        if (head != null && head.numSamples() > 0 && head.maxTime() < cutoff) {
            dropped += head.numSamples();
            head = null;
        }
        int from = Arrays.binarySearch(oooT, 0, oooN, cutoff);
        from = from < 0 ? -from - 1 : from;
        if (from > 0) {
            dropped += from;
            System.arraycopy(oooT, from, oooT, 0, oooN - from);
            System.arraycopy(oooV, from, oooV, 0, oooN - from);
            oooN -= from;
        }
        samples -= dropped;
        minT = Long.MAX_VALUE;
        if (cN > 0) {
            minT = chunks[0];
        } else if (head != null && head.numSamples() > 0) {
            minT = head.minTime();
        }
        if (oooN > 0) {
            minT = Math.min(minT, oooT[0]);
        }
        if (samples == 0) {
            maxT = Long.MIN_VALUE;
        }
    }

    /** Removes samples in [mint, maxt] by re-encoding what remains. Rare (admin deletes), so simple. */
    void delete(long mint, long maxt) {
        if (!overlaps(mint, maxt)) {
            return;
        }
        Snapshot all = snapshot(Long.MIN_VALUE, Long.MAX_VALUE);
        SampleIterator it = all.iterator();
        long[] ts = new long[(int) samples];
        double[] vs = new double[(int) samples];
        int n = 0;
        while (it.next()) {
            if (it.timestamp() < mint || it.timestamp() > maxt) {
                ts[n] = it.timestamp();
                vs[n] = it.value();
                n++;
            }
        }
        cN = 0;
        head = null;
        oooN = 0;
        minT = Long.MAX_VALUE;
        maxT = Long.MIN_VALUE;
        inOrderMaxT = Long.MIN_VALUE;
        samples = 0;
        for (int i = 0; i < n; i++) {
            add(ts[i], vs[i]);
        }
    }

    /** An immutable view of the samples in [mint, maxt], to read without the lock. */
    Snapshot snapshot(long mint, long maxt) {
        List<ChunkRef> refs = List.of(); // most reads of the newest samples need no closed chunk
        for (int c = 0; c < cN; c++) {
            if (chunkMaxT(c) >= mint && chunks[3 * c] <= maxt) {
                if (refs.isEmpty()) {
                    refs = new ArrayList<>();
                }
                refs.add(new ChunkRef(chunkMaxT(c), chunks[3 * c + 1], chunkLength(c)));
            }
        }
        XorChunk.View headView = null;
        if (head != null && head.numSamples() > 0 && head.maxTime() >= mint && head.minTime() <= maxt) {
            // Taken under the lock; later appends never change the bits a view reads, so no copy.
            headView = head.view();
        }
        int from = Arrays.binarySearch(oooT, 0, oooN, mint);
        from = from < 0 ? -from - 1 : from;
        int to = Arrays.binarySearch(oooT, 0, oooN, maxt);
        to = to < 0 ? -to - 1 : to + 1;
        if (to <= from) {
            return new Snapshot(files, mint, maxt, refs, headView, NO_TIMES, NO_VALUES);
        }
        return new Snapshot(files, mint, maxt, refs, headView, Arrays.copyOfRange(oooT, from, to),
                Arrays.copyOfRange(oooV, from, to));
    }

    /** A closed chunk in the files, with its newest timestamp so that seeks can skip it unread. */
    record ChunkRef(long maxT, long handle, int length) {}

    /** What a querier reads of one series; immutable, iterable any number of times. */
    static final class Snapshot {
        private final HeadChunkFiles files;
        private final long mint;
        private final long maxt;
        private final List<ChunkRef> chunks;
        private final XorChunk.View head;
        private final long[] oooT;
        private final double[] oooV;

        Snapshot(HeadChunkFiles files, long mint, long maxt, List<ChunkRef> chunks, XorChunk.View head, long[] oooT,
                double[] oooV) {
            this.files = files;
            this.mint = mint;
            this.maxt = maxt;
            this.chunks = chunks;
            this.head = head;
            this.oooT = oooT;
            this.oooV = oooV;
        }

        SampleIterator iterator() {
            SampleIterator inOrder;
            if (chunks.isEmpty() && head != null) {
                inOrder = head.iterator(); // the usual read of recent samples: the open chunk alone
            } else {
                List<SampleIterator> parts = new ArrayList<>(chunks.size() + 1);
                for (ChunkRef c : chunks) {
                    parts.add(new LazyChunkIterator(files, c));
                }
                if (head != null) {
                    parts.add(head.iterator());
                }
                inOrder = new ConcatIterator(parts);
            }
            return new RangeIterator(oooT.length == 0 ? inOrder : new MergeIterator(inOrder, oooT, oooV), mint, maxt);
        }
    }
}
