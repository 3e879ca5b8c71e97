package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/** Reads the head over [mint, maxt]: postings narrow the series, snapshots are taken under each series' lock. */
final class HeadQuerier implements Querier {
    private final Head head;
    private final long mint;
    private final long maxt;

    /** The round this querier registered in with the chunk files, which keep what it may read until it closes. */
    private final long readerRound;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    HeadQuerier(Head head, long mint, long maxt) {
        this.head = head;
        this.mint = mint;
        this.maxt = maxt;
        this.readerRound = head.chunkFiles.openReader();
    }

    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
        Querier.requireNarrowing(matchers);
        RoaringBitmap refs = head.postings.select(matchers);
        List<SnapshotSeries> out = new ArrayList<>();
        IntIterator it = refs.getIntIterator();
        while (it.hasNext()) {
            MemSeries s = head.byRef.get(it.next());
            if (s == null) {
                continue;
            }
            MemSeries.Snapshot snap;
            boolean endInRange;
            synchronized (s) {
                if (!s.overlaps(mint, maxt)) {
                    continue;
                }
                endInRange = s.minTime() >= mint || s.maxTime() <= maxt;
                snap = s.snapshot(mint, maxt);
            }
            // A series with its first or last sample in range has a sample there; only one that spans the
            // whole range is looked into (decoding its chunks up to mint).
            if (endInRange || snap.iterator().next()) {
                out.add(new SnapshotSeries(s.labels, snap));
            }
        }
        if (sorted) {
            out.sort((a, b) -> a.labels().compareTo(b.labels()));
        }
        return SeriesSet.of(out);
    }

    private boolean hasSampleInRange(MemSeries s) {
        MemSeries.Snapshot snap;
        synchronized (s) {
            if (!s.overlaps(mint, maxt)) {
                return false;
            }
            if (s.minTime() >= mint || s.maxTime() <= maxt) {
                return true; // an end of the series lies in the range
            }
            snap = s.snapshot(mint, maxt);
        }
        return snap.iterator().next();
    }

    private List<MemSeries> inRange(LabelMatcher... matchers) {
        List<MemSeries> out = new ArrayList<>();
        IntIterator it = head.postings.select(matchers).getIntIterator();
        while (it.hasNext()) {
            MemSeries s = head.byRef.get(it.next());
            if (s != null && hasSampleInRange(s)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        TreeSet<String> names = new TreeSet<>();
        for (MemSeries s : inRange(matchers)) {
            for (int i = 0; i < s.labels.size(); i++) {
                names.add(s.labels.name(i));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        RoaringBitmap selected = matchers.length == 0 ? null : head.postings.select(matchers);
        List<String> out = new ArrayList<>();
        for (var e : head.postings.values(name)) {
            RoaringBitmap refs = selected == null ? e.getValue() : RoaringBitmap.and(e.getValue(), selected);
            IntIterator it = refs.getIntIterator();
            while (it.hasNext()) {
                MemSeries s = head.byRef.get(it.next());
                if (s != null && hasSampleInRange(s)) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        // Snapshots hold no locks, but their closed chunks live in the chunk files: those stay until now.
        if (closed.compareAndSet(false, true)) {
            head.chunkFiles.closeReader(readerRound);
        }
    }

    private record SnapshotSeries(Labels labels, MemSeries.Snapshot snapshot) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return snapshot.iterator();
        }
    }

}
