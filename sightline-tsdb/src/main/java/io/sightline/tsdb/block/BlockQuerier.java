package io.sightline.tsdb.block;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;
import org.roaringbitmap.buffer.MutableRoaringBitmap;

/** Reads one block over [mint, maxt]. Series come in label order (a block's ids are in label order). */
final class BlockQuerier implements Querier {
    private final Block block;
    private final long mint;
    private final long maxt;
    private final Tombstones tombstones;

    BlockQuerier(Block block, long mint, long maxt) {
        this.block = block;
        this.mint = mint;
        this.maxt = maxt;
        this.tombstones = block.tombstones();
    }

    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
        Querier.requireNarrowing(matchers);
        if (!block.meta().overlaps(mint, maxt)) {
            return SeriesSet.empty();
        }
        IntIterator it = block.select(matchers).getIntIterator();
        boolean presenceOnly = hints != null && hints.presenceOnly();
        SampleIterator[] probe = new SampleIterator[1];
        // Each series entry is decoded when the caller reaches it, not all at the select: a select over thousands
        // of series then holds the series its caller keeps, not all of them for as long as it reads.
        return new SeriesSet() {
            private BlockSeries current;

            @Override
            public boolean next() {
                while (it.hasNext()) {
                    BlockSeries s = inRange(it.next(), probe);
                    if (s != null) {
                        s.presenceOnly = presenceOnly;
                        current = s;
                        return true;
                    }
                }
                current = null;
                return false;
            }

            @Override
            public Series at() {
                return current;
            }
        };
    }

    /**
     * The series with its chunks that overlap the range, or null if it has no sample there. Where its chunks
     * reach beyond the range (or samples were deleted) that is looked up with {@code probe[0]}, an iterator
     * reused from series to series (its buffers with it), reading timestamps only where it can.
     */
    private BlockSeries inRange(int id, SampleIterator[] probe) {
        Block.SeriesEntry e = block.series(id);
        int n = 0;
        for (int c = 0; c < e.refs().length; c++) {
            if (e.maxT()[c] >= mint && e.minT()[c] <= maxt) {
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        long[] minT = new long[n];
        long[] maxT = new long[n];
        long[] refs = new long[n];
        int k = 0;
        for (int c = 0; c < e.refs().length; c++) {
            if (e.maxT()[c] >= mint && e.minT()[c] <= maxt) {
                minT[k] = e.minT()[c];
                maxT[k] = e.maxT()[c];
                refs[k] = e.refs()[c];
                k++;
            }
        }
        long[] deleted = tombstones.of(id);
        BlockSeries s = new BlockSeries(e.labels(), minT, maxT, refs, deleted);
        boolean partial = minT[0] < mint || maxT[n - 1] > maxt;
        if (deleted != null || partial) {
            probe[0] = s.iterator(probe[0], true);
            if (!probe[0].seek(mint)) {
                return null;
            }
        }
        return s;
    }

    /** Ids of the matching series with data in range. */
    private MutableRoaringBitmap qualifying(LabelMatcher... matchers) {
        MutableRoaringBitmap ids = block.select(matchers);
        boolean whole = block.meta().minTime() >= mint && block.meta().maxTime() - 1 <= maxt;
        if (whole && tombstones.isEmpty()) {
            return ids;
        }
        MutableRoaringBitmap out = new MutableRoaringBitmap();
        IntIterator it = ids.getIntIterator();
        SampleIterator[] probe = new SampleIterator[1];
        while (it.hasNext()) {
            int id = it.next();
            if (inRange(id, probe) != null) {
                out.add(id);
            }
        }
        return out;
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        if (!block.meta().overlaps(mint, maxt)) {
            return List.of();
        }
        MutableRoaringBitmap ids = qualifying(matchers);
        List<String> out = new ArrayList<>();
        for (String name : block.names()) {
            for (Map.Entry<String, ImmutableRoaringBitmap> v : block.values(name)) {
                if (ImmutableRoaringBitmap.intersects(v.getValue(), ids)) {
                    out.add(name);
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        if (!block.meta().overlaps(mint, maxt)) {
            return List.of();
        }
        MutableRoaringBitmap ids = qualifying(matchers);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ImmutableRoaringBitmap> v : block.values(name)) {
            if (ImmutableRoaringBitmap.intersects(v.getValue(), ids)) {
                out.add(v.getKey());
            }
        }
        return out;
    }

    @Override
    public void close() {
        // Maps stay valid; nothing to release.
    }

    private final class BlockSeries implements Series {
        private final Labels labels;
        private final long[] minT;
        private final long[] maxT;
        private final long[] refs;
        private final long[] deleted;
        /** {@link SelectHints#presenceOnly()}: values of chunks that hold no stale marker are left as 0. */
        boolean presenceOnly;

        BlockSeries(Labels labels, long[] minT, long[] maxT, long[] refs, long[] deleted) {
            this.labels = labels;
            this.minT = minT;
            this.maxT = maxT;
            this.refs = refs;
            this.deleted = deleted;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return iterator(reuse, presenceOnly);
        }

        /** With {@code presenceOnly}: the values of chunks that hold no stale marker left as 0. */
        SampleIterator iterator(SampleIterator reuse, boolean presenceOnly) {
            // A reused iterator gives its buffers: series after series read without new arrays.
            ChunkFile.ReadAhead ra;
            if (reuse instanceof ChunksIterator c) {
                ra = c.readAhead;
                ra.nextSeries(block.chunks());
            } else {
                ra = new ChunkFile.ReadAhead();
            }
            ra.presenceOnly = presenceOnly;
            return new ChunksIterator(block.chunks(), maxT, refs, mint, maxt, deleted, ra);
        }
    }

    /** Iterates a series' chunks in order, reading each when reached, within [mint, maxt], skipping deletions. */
    static final class ChunksIterator implements SampleIterator {
        private final ChunkFile file;
        private final long[] maxT;
        private final long[] refs;
        private final long mint;
        private final long maxt;
        private final long[] deleted;
        private int chunk = -1;
        private SampleIterator current;
        private boolean done;
        /** The chunks are consecutive in the file: one read usually brings all those of the series. */
        private final ChunkFile.ReadAhead readAhead;

        ChunksIterator(ChunkFile file, long[] maxT, long[] refs, long mint, long maxt, long[] deleted,
                ChunkFile.ReadAhead readAhead) {
            this.readAhead = readAhead;
            this.file = file;
            this.maxT = maxT;
            this.refs = refs;
            this.mint = mint;
            this.maxt = maxt;
            this.deleted = deleted;
        }

        /** Where this series' last chunk ends, about: its start and a typical record's size. */
        private long readUpTo() {
            return refs[refs.length - 1] + ChunkFile.MIN_READ;
        }

        /** Moves the underlying position to the next raw sample; false at the end of the chunks. */
        private boolean rawNext() {
            while (true) {
                if (current != null && current.next()) {
                    return true;
                }
                if (++chunk >= refs.length) {
                    current = null;
                    return false;
                }
                current = file.iterator(refs[chunk], readUpTo(), readAhead);
            }
        }

        /** Skips samples before mint or deleted; stops (done) past maxt. */
        private boolean settle(boolean has) {
            while (has) {
                long t = current.timestamp();
                if (t > maxt) {
                    break;
                }
                if (t >= mint && !Tombstones.deleted(deleted, t)) {
                    return true;
                }
                has = rawNext();
            }
            done = true;
            current = null;
            return false;
        }

        @Override
        public boolean next() {
            if (done) {
                return false;
            }
            return settle(rawNext());
        }

        @Override
        public int nextBatch(long[] ts, double[] vs, int off, int max) {
            int k = 0;
            while (k < max && !done) {
                // Positioned in a chunk wholly before maxt and without deletions: the rest of it in bulk.
                if (current != null && deleted == null && maxT[chunk] <= maxt) {
                    int got = current.nextBatch(ts, vs, off + k, max - k);
                    k += got;
                    if (k == max) {
                        break;
                    }
                    // The chunk is exhausted: next() below moves to the following one.
                }
                if (!next()) {
                    break;
                }
                ts[off + k] = current.timestamp();
                vs[off + k] = current.value();
                k++;
            }
            return k;
        }

        @Override
        public boolean seek(long t) {
            if (done) {
                return false;
            }
            if (current != null && current.timestamp() >= t && chunk >= 0) {
                return true;
            }
            long target = Math.max(t, mint);
            int c = Math.max(chunk, 0);
            while (c < refs.length && maxT[c] < target) {
                c++;
            }
            if (c >= refs.length) {
                done = true;
                current = null;
                return false;
            }
            if (c != chunk) {
                chunk = c;
                current = file.iterator(refs[c], readUpTo(), readAhead);
            }
            return settle(current.seek(target) || rawNext());
        }

        @Override
        public long timestamp() {
            return current.timestamp();
        }

        @Override
        public double value() {
            return current.value();
        }
    }
}
