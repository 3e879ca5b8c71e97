package io.sightline.tsdb.head;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.WalBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates samples as they are appended (the rules of {@link io.sightline.tsdb.Storage}) and, at
 * commit, creates new series, writes the samples to the WAL and only then adds them to the series. So
 * a commit that returned is in the log, and one that threw added nothing.
 */
final class HeadAppender implements Appender {
    private final Head head;
    private final Map<Labels, Entry> entries = new HashMap<>();
    /** This batch's samples, taken from the head's pool and given back at commit or rollback. */
    private Scratch scratch;
    private int n;
    private int newSeries;
    private boolean done;

    /** This batch's samples of one series: a chain of indexes through {@link Scratch#next}. */
    private static final class Entry {
        final Labels labels;
        MemSeries series;
        Head.NewSeries fresh;
        long lastT = Long.MIN_VALUE;
        int first = -1;
        int last = -1;
        int count;

        Entry(Labels labels, MemSeries series) {
            this.labels = labels;
            this.series = series;
        }
    }

    /**
     * The arrays a batch is recorded in and its WAL record is encoded in. Ingest makes thousands of
     * batches a second; growing fresh arrays for each was most of what it allocated, and arrays still in
     * use at a young collection were copied to the old generation, which then grew. So batches reuse them
     * through {@link Head#scratch}: at most a few, each kept only while it is small.
     */
    static final class Scratch {
        /** Batches larger than this many samples leave their arrays to the collector. */
        static final int MAX_KEPT_SAMPLES = 1 << 15;
        /** A WAL record larger than this is not kept for the next batch. */
        static final int MAX_KEPT_WAL_BYTES = 1 << 20;

        long[] ts = new long[256];
        double[] vs = new double[256];
        Entry[] owner = new Entry[256];
        int[] next = new int[256];
        long[] refs = new long[0];
        final WalBatch batch = new WalBatch();

        void grow() {
            int cap = ts.length * 2;
            ts = Arrays.copyOf(ts, cap);
            vs = Arrays.copyOf(vs, cap);
            owner = Arrays.copyOf(owner, cap);
            next = Arrays.copyOf(next, cap);
        }

        /** Clears what refers to other objects; false when the arrays are too large to keep. */
        boolean reset(int used) {
            Arrays.fill(owner, 0, used, null);
            batch.clear();
            return ts.length <= MAX_KEPT_SAMPLES && batch.capacityBytes() <= MAX_KEPT_WAL_BYTES;
        }
    }

    HeadAppender(Head head) {
        this.head = head;
    }

    private Scratch scratch() {
        if (scratch == null) {
            scratch = head.takeScratch();
        }
        return scratch;
    }

    private void releaseScratch() {
        if (scratch != null) {
            head.giveBackScratch(scratch, n);
            scratch = null;
        }
    }

    @Override
    public long append(long ref, Labels labels, long t, double raw) throws StorageException.SampleRejected {
        if (done) {
            throw new IllegalStateException("BUG: append after commit or rollback");
        }
        double v = head.options.storedValue(raw);
        Entry e = entries.get(labels);
        if (e == null) {
            MemSeries s = ref > 0 && ref <= Integer.MAX_VALUE ? head.byRef.get((int) ref) : null;
            if (s != null && !s.labels.equals(labels)) {
                s = null;
            }
            if (s == null) {
                s = head.byLabels.get(labels);
            }
            if (s == null) {
                head.checkNewSeries(labels, newSeries);
            }
            e = new Entry(labels, s);
            if (validate(e, t, v, head.maxT.get())) {
                entries.put(labels, e);
                if (s == null) {
                    newSeries++;
                }
                record(e, t, v);
            }
            return s == null ? 0 : s.ref;
        }
        if (validate(e, t, v, head.maxT.get())) {
            record(e, t, v);
        }
        return e.series == null ? 0 : e.series.ref;
    }

    /** Returns false for an exact duplicate, to be ignored; throws for a rejected sample. */
    private boolean validate(Entry e, long t, double v, long maxT) throws StorageException.SampleRejected {
        long w = head.options.outOfOrderWindowMs();
        long minValid = head.minValid(maxT);
        if (t < minValid) {
            throw new StorageException.TooOldSample(e.labels, t, minValid);
        }
        Long existing = null;
        long seriesLast = Long.MIN_VALUE;
        if (e.series != null) {
            synchronized (e.series) {
                existing = e.series.valueBitsAt(t);
                seriesLast = e.series.maxTime();
            }
        }
        if (existing == null && t <= e.lastT) {
            Scratch sc = scratch;
            for (int i = e.first, k = 0; k < e.count; i = sc.next[i], k++) {
                if (sc.ts[i] == t) {
                    existing = Double.doubleToRawLongBits(sc.vs[i]);
                    break;
                }
            }
        }
        if (existing != null) {
            if (existing == Double.doubleToRawLongBits(v)) {
                return false;
            }
            throw new StorageException.DuplicateSample(e.labels, t);
        }
        seriesLast = Math.max(seriesLast, e.lastT);
        if (t > seriesLast) {
            return true;
        }
        if (w > 0 && (maxT == Long.MIN_VALUE || t >= maxT - w)) {
            return true;
        }
        throw new StorageException.OutOfOrderSample(e.labels, t, seriesLast);
    }

    private void record(Entry e, long t, double v) {
        Scratch sc = scratch();
        if (n == sc.ts.length) {
            sc.grow();
        }
        sc.ts[n] = t;
        sc.vs[n] = v;
        sc.owner[n] = e;
        if (e.count == 0) {
            e.first = n;
        } else {
            sc.next[e.last] = n;
        }
        e.last = n;
        e.count++;
        e.lastT = Math.max(e.lastT, t);
        n++;
    }

    @Override
    public void commit() throws StorageException {
        if (done) {
            throw new IllegalStateException("BUG: commit after commit or rollback");
        }
        done = true;
        if (n == 0) {
            return;
        }
        try {
            head.commitLock.readLock().lock();
            try {
                commitLocked();
            } finally {
                head.commitLock.readLock().unlock();
            }
        } finally {
            releaseScratch();
        }
    }

    private void commitLocked() throws StorageException {
        long maxTBefore = head.maxT.get();
        List<Head.NewSeries> fresh = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.series != null && e.series.removed) {
                e.series = null; // a head cut emptied and removed it since append: create it again
            }
            if (e.series == null) {
                e.fresh = new Head.NewSeries(e.labels);
                fresh.add(e.fresh);
            }
        }
        try {
            if (!fresh.isEmpty()) {
                head.createSeries(fresh);
                for (Entry e : entries.values()) {
                    if (e.fresh != null) {
                        e.series = e.fresh.series;
                    }
                }
            }
            Scratch sc = scratch;
            if (sc.refs.length < n) {
                sc.refs = new long[sc.ts.length];
            }
            long[] refs = sc.refs;
            long[] lts = sc.ts;
            double[] lvs = sc.vs;
            int m = 0;
            for (int i = 0; i < n; i++) {
                MemSeries s = sc.owner[i].series;
                refs[i] = s == null ? -1 : s.ref;
                m += s == null ? 0 : 1;
            }
            if (m < n) {
                // Rare: the series limit refused some new series. Log the others' samples only.
                long[] r = new long[m];
                lts = new long[m];
                lvs = new double[m];
                for (int i = 0, k = 0; i < n; i++) {
                    if (refs[i] >= 0) {
                        r[k] = refs[i];
                        lts[k] = sc.ts[i];
                        lvs[k] = sc.vs[i];
                        k++;
                    }
                }
                refs = r;
            }
            WalBatch batch = sc.batch;
            batch.samples(refs, lts, lvs, m);
            head.wal.write(batch);
        } catch (IOException e) {
            throw new StorageException("cannot commit " + n + " samples: the write-ahead log failed: " + e.getMessage(), e);
        }
        Scratch sc = scratch;
        long batchMax = Long.MIN_VALUE;
        long added = 0;
        long dropped = 0;
        for (Entry e : entries.values()) {
            if (e.series == null) {
                dropped += e.count; // the series limit was reached by another commit meanwhile
                continue;
            }
            synchronized (e.series) {
                for (int i = e.first, k = 0; k < e.count; i = sc.next[i], k++) {
                    long t = sc.ts[i];
                    double v = sc.vs[i];
                    switch (recheck(e.series, t, v, maxTBefore)) {
                        case ADD -> {
                            e.series.add(t, v);
                            batchMax = Math.max(batchMax, t);
                            added++;
                        }
                        case DROP -> dropped++;
                        case SAME -> { }
                    }
                }
            }
        }
        long bm = batchMax;
        head.maxT.accumulateAndGet(bm, Math::max);
        head.appended.add(added);
        head.droppedAtCommit.add(dropped);
    }

    private enum Recheck { ADD, SAME, DROP }

    /**
     * Re-checks a sample against series state that another commit may have changed since append, with
     * the store's newest timestamp as it was before this commit (so the batch's own newer samples do not
     * make its older ones too old).
     */
    private Recheck recheck(MemSeries s, long t, double v, long maxT) {
        long w = head.options.outOfOrderWindowMs();
        if (t < head.minValid(maxT)) {
            return Recheck.DROP;
        }
        Long existing = s.valueBitsAt(t);
        if (existing != null) {
            return existing == Double.doubleToRawLongBits(v) ? Recheck.SAME : Recheck.DROP;
        }
        if (t > s.maxTime()) {
            return Recheck.ADD;
        }
        return w > 0 && (maxT == Long.MIN_VALUE || t >= maxT - w) ? Recheck.ADD : Recheck.DROP;
    }

    @Override
    public void rollback() {
        done = true;
        entries.clear();
        releaseScratch();
        n = 0;
    }
}
