package io.sightline.tsdb.memory;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StorageStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link Storage} in memory: a map from labels to sorted sample arrays under one read-write lock.
 * Appenders validate against committed data under the read lock and apply under the write lock;
 * queriers copy what they select, so they never see later commits.
 */
public final class MemoryStorage implements Storage {
    private final StorageOptions options;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Labels, MemSeries> series = new HashMap<>();
    private long lastRef;
    private long maxT = Long.MIN_VALUE;
    private long samplesAppended;
    private long samplesDropped;

    public MemoryStorage(StorageOptions options) {
        this.options = options;
    }

    /** One series: its ref (assigned in creation order from 1) and sorted samples. */
    private static final class MemSeries {
        final Labels labels;
        final long ref;
        long[] ts = new long[8];
        double[] vs = new double[8];
        int n;

        MemSeries(Labels labels, long ref) {
            this.labels = labels;
            this.ref = ref;
        }

        int find(long t) {
            return Arrays.binarySearch(ts, 0, n, t);
        }

        long lastT() {
            return n == 0 ? Long.MIN_VALUE : ts[n - 1];
        }

        void insert(long t, double v) {
            int i = find(t);
            if (i >= 0) {
                return;
            }
            i = -i - 1;
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                vs = Arrays.copyOf(vs, n * 2);
            }
            System.arraycopy(ts, i, ts, i + 1, n - i);
            System.arraycopy(vs, i, vs, i + 1, n - i);
            ts[i] = t;
            vs[i] = v;
            n++;
        }

        void deleteRange(long mint, long maxt) {
            int w = 0;
            for (int r = 0; r < n; r++) {
                if (ts[r] < mint || ts[r] > maxt) {
                    ts[w] = ts[r];
                    vs[w] = vs[r];
                    w++;
                }
            }
            n = w;
        }

        boolean hasSampleIn(long mint, long maxt) {
            int i = find(mint);
            if (i < 0) {
                i = -i - 1;
            }
            return i < n && ts[i] <= maxt;
        }
    }

    @Override
    public Appender appender() {
        return new MemAppender();
    }

    private record Pending(Labels labels, long t, double v) {}

    private final class MemAppender implements Appender {
        private final List<Pending> pending = new ArrayList<>();
        /** Samples appended here, per series, to check duplicates and order within the batch. */
        private final Map<Labels, Map<Long, Double>> batch = new HashMap<>();
        private boolean done;

        @Override
        public long append(long ref, Labels labels, long t, double raw) throws StorageException.SampleRejected {
            if (done) {
                throw new IllegalStateException("BUG: append after commit or rollback");
            }
            double v = options.storedValue(raw);
            lock.readLock().lock();
            try {
                MemSeries s = series.get(labels);
                Map<Long, Double> mine = batch.get(labels);
                if (s == null && mine == null) {
                    checkNewSeries(labels, countNewSeriesInBatch());
                }
                if (check(labels, s, mine, t, v, maxT)) {
                    pending.add(new Pending(labels, t, v));
                    batch.computeIfAbsent(labels, k -> new HashMap<>()).put(t, v);
                }
                return s != null ? s.ref : 0;
            } finally {
                lock.readLock().unlock();
            }
        }

        private int countNewSeriesInBatch() {
            int n = 0;
            for (Labels l : batch.keySet()) {
                if (!series.containsKey(l)) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public void commit() {
            if (done) {
                throw new IllegalStateException("BUG: commit after commit or rollback");
            }
            done = true;
            lock.writeLock().lock();
            try {
                // Validate against the store as it was before this batch, as append did: the batch's own
                // newer samples must not turn its older ones into "too old".
                long maxTBefore = maxT;
                for (Pending p : pending) {
                    MemSeries s = series.get(p.labels());
                    try {
                        if (s == null) {
                            checkNewSeries(p.labels(), 0);
                        }
                        if (!check(p.labels(), s, null, p.t(), p.v(), maxTBefore)) {
                            continue;
                        }
                    } catch (StorageException.SampleRejected e) {
                        samplesDropped++;
                        continue;
                    }
                    if (s == null) {
                        s = new MemSeries(p.labels(), ++lastRef);
                        series.put(p.labels(), s);
                    }
                    s.insert(p.t(), p.v());
                    maxT = Math.max(maxT, p.t());
                    samplesAppended++;
                }
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void rollback() {
            done = true;
            pending.clear();
            batch.clear();
        }
    }

    private void checkNewSeries(Labels labels, int newInBatch) throws StorageException.SampleRejected {
        options.limits().checkNewSeries(labels, series.size() + (long) newInBatch);
    }

    /**
     * The acceptance rules of {@link Storage}. Returns false for an exact duplicate (to be ignored).
     */
    private boolean check(Labels labels, MemSeries s, Map<Long, Double> mine, long t, double v, long maxT)
            throws StorageException.SampleRejected {
        long w = options.outOfOrderWindowMs();
        if (maxT != Long.MIN_VALUE) {
            long minValid = maxT - Math.max(w, StorageOptions.IN_ORDER_GRACE_MS);
            if (t < minValid) {
                throw new StorageException.TooOldSample(labels, t, minValid);
            }
        }
        Double existing = null;
        if (s != null) {
            int i = s.find(t);
            if (i >= 0) {
                existing = s.vs[i];
            }
        }
        if (existing == null && mine != null) {
            existing = mine.get(t);
        }
        if (existing != null) {
            if (Double.doubleToRawLongBits(existing) == Double.doubleToRawLongBits(v)) {
                return false;
            }
            throw new StorageException.DuplicateSample(labels, t);
        }
        long seriesLast = s == null ? Long.MIN_VALUE : s.lastT();
        if (mine != null) {
            for (long bt : mine.keySet()) {
                seriesLast = Math.max(seriesLast, bt);
            }
        }
        if (t > seriesLast) {
            return true;
        }
        if (maxT != Long.MIN_VALUE && t >= maxT - w && w > 0) {
            return true;
        }
        if (maxT == Long.MIN_VALUE && w > 0) {
            return true;
        }
        throw new StorageException.OutOfOrderSample(labels, t, seriesLast);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new MemQuerier(mint, maxt);
    }

    private final class MemQuerier implements Querier {
        private final long mint;
        private final long maxt;

        MemQuerier(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        private List<MemSeries> matching(LabelMatcher... matchers) {
            List<MemSeries> out = new ArrayList<>();
            for (MemSeries s : series.values()) {
                if (s.n == 0 || !s.hasSampleIn(mint, maxt)) {
                    continue;
                }
                boolean all = true;
                for (LabelMatcher m : matchers) {
                    if (!m.matches(s.labels)) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            Querier.requireNarrowing(matchers);
            List<CopiedSeries> copies = new ArrayList<>();
            lock.readLock().lock();
            try {
                for (MemSeries s : matching(matchers)) {
                    int from = s.find(mint);
                    from = from < 0 ? -from - 1 : from;
                    int to = s.find(maxt);
                    to = to < 0 ? -to - 1 : to + 1;
                    copies.add(new CopiedSeries(s.labels, Arrays.copyOfRange(s.ts, from, to), Arrays.copyOfRange(s.vs, from, to)));
                }
            } finally {
                lock.readLock().unlock();
            }
            if (sorted) {
                copies.sort((a, b) -> a.labels().compareTo(b.labels()));
            }
            return SeriesSet.of(copies);
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            TreeSet<String> names = new TreeSet<>();
            lock.readLock().lock();
            try {
                for (MemSeries s : matching(matchers)) {
                    for (int i = 0; i < s.labels.size(); i++) {
                        names.add(s.labels.name(i));
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            return List.copyOf(names);
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            TreeSet<String> values = new TreeSet<>();
            lock.readLock().lock();
            try {
                for (MemSeries s : matching(matchers)) {
                    String v = s.labels.get(name);
                    if (!v.isEmpty()) {
                        values.add(v);
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            return List.copyOf(values);
        }

        @Override
        public void close() {
            // Copies are independent of the store; nothing to release.
        }
    }

    private record CopiedSeries(Labels labels, long[] ts, double[] vs) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new io.sightline.tsdb.ArraySampleIterator(ts, vs, ts.length);
        }
    }

    @Override
    public void delete(long mint, long maxt, LabelMatcher... matchers) {
        lock.writeLock().lock();
        try {
            for (MemSeries s : series.values()) {
                boolean all = true;
                for (LabelMatcher m : matchers) {
                    all &= m.matches(s.labels);
                }
                if (all) {
                    s.deleteRange(mint, maxt);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public StorageStats stats() {
        lock.readLock().lock();
        try {
            long n = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (MemSeries s : series.values()) {
                if (s.n > 0) {
                    n++;
                    min = Math.min(min, s.ts[0]);
                    max = Math.max(max, s.ts[s.n - 1]);
                }
            }
            return new StorageStats(n, min, max, samplesAppended, samplesDropped);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            series.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
