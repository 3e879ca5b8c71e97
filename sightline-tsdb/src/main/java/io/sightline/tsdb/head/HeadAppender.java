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
    private long[] ts = new long[64];
    private double[] vs = new double[64];
    private Entry[] owner = new Entry[64];
    private int n;
    private int newSeries;
    private boolean done;

    /** This batch's samples of one series. */
    private static final class Entry {
        final Labels labels;
        MemSeries series;
        Head.NewSeries fresh;
        long lastT = Long.MIN_VALUE;
        int[] idx = new int[4];
        int count;

        Entry(Labels labels, MemSeries series) {
            this.labels = labels;
            this.series = series;
        }

        void add(int i, long t) {
            if (count == idx.length) {
                idx = Arrays.copyOf(idx, count * 2);
            }
            idx[count++] = i;
            lastT = Math.max(lastT, t);
        }
    }

    HeadAppender(Head head) {
        this.head = head;
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
            for (int k = 0; k < e.count; k++) {
                if (ts[e.idx[k]] == t) {
                    existing = Double.doubleToRawLongBits(vs[e.idx[k]]);
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
        if (n == ts.length) {
            ts = Arrays.copyOf(ts, n * 2);
            vs = Arrays.copyOf(vs, n * 2);
            owner = Arrays.copyOf(owner, n * 2);
        }
        ts[n] = t;
        vs[n] = v;
        owner[n] = e;
        e.add(n, t);
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
        head.commitLock.readLock().lock();
        try {
            commitLocked();
        } finally {
            head.commitLock.readLock().unlock();
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
            long[] refs = new long[n];
            long[] lts = new long[n];
            double[] lvs = new double[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (owner[i].series != null) {
                    refs[m] = owner[i].series.ref;
                    lts[m] = ts[i];
                    lvs[m] = vs[i];
                    m++;
                }
            }
            WalBatch batch = new WalBatch();
            batch.samples(refs, lts, lvs, m);
            head.wal.write(batch);
        } catch (IOException e) {
            throw new StorageException("cannot commit " + n + " samples: the write-ahead log failed: " + e.getMessage(), e);
        }
        long batchMax = Long.MIN_VALUE;
        long added = 0;
        long dropped = 0;
        for (Entry e : entries.values()) {
            if (e.series == null) {
                dropped += e.count; // the series limit was reached by another commit meanwhile
                continue;
            }
            synchronized (e.series) {
                for (int k = 0; k < e.count; k++) {
                    int i = e.idx[k];
                    switch (recheck(e.series, ts[i], vs[i], maxTBefore)) {
                        case ADD -> {
                            e.series.add(ts[i], vs[i]);
                            batchMax = Math.max(batchMax, ts[i]);
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
        n = 0;
    }
}
