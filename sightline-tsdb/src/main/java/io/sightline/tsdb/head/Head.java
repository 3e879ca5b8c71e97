package io.sightline.tsdb.head;

import io.sightline.common.Labels;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.wal.Wal;
import io.sightline.tsdb.wal.WalBatch;
import io.sightline.tsdb.wal.WalRecords;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state appenders and queriers share: the series maps, the postings index, the newest committed
 * timestamp and the WAL. Series are created under one lock that also writes their WAL record, so no
 * appender can log samples for a series whose record is not in the log before them.
 */
final class Head {
    final StorageOptions options;
    final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Integer, MemSeries> byRef = new ConcurrentHashMap<>();
    final Postings postings = new Postings();
    final AtomicInteger lastRef = new AtomicInteger();
    final AtomicLong maxT = new AtomicLong(Long.MIN_VALUE);
    /**
     * Samples before this are in blocks: refused as too old. Raised by a head cut under the exclusive
     * {@link #commitLock}, so no commit in flight can add a sample behind a block being written.
     */
    final AtomicLong minValidTime = new AtomicLong(Long.MIN_VALUE);
    /**
     * Commits hold it shared from their first series lookup to their last sample added; a head cut holds
     * it exclusively while it raises {@link #minValidTime} and while it removes emptied series.
     */
    final java.util.concurrent.locks.ReentrantReadWriteLock commitLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    final long chunkRange;
    final LongAdder appended = new LongAdder();
    final LongAdder droppedAtCommit = new LongAdder();
    private final Object creationLock = new Object();
    final HeadChunkFiles chunkFiles;
    volatile Wal wal;

    Head(StorageOptions options, HeadChunkFiles chunkFiles, long chunkRange) {
        this.options = options;
        this.chunkFiles = chunkFiles;
        this.chunkRange = chunkRange;
    }

    /** Scratch arrays of appenders, kept for the next batch: at most a few, one per core or so. */
    private final java.util.concurrent.ArrayBlockingQueue<HeadAppender.Scratch> scratch =
            new java.util.concurrent.ArrayBlockingQueue<>(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));

    HeadAppender.Scratch takeScratch() {
        HeadAppender.Scratch s = scratch.poll();
        return s != null ? s : new HeadAppender.Scratch();
    }

    /** Takes back an appender's scratch whose first {@code used} samples were recorded. */
    void giveBackScratch(HeadAppender.Scratch s, int used) {
        if (s.reset(used)) {
            scratch.offer(s);
        }
    }

    /** The oldest timestamp a sample may have now: refused before it as too old. */
    long minValid(long maxTNow) {
        long byWindow = maxTNow == Long.MIN_VALUE ? Long.MIN_VALUE
                : maxTNow - Math.max(options.outOfOrderWindowMs(), StorageOptions.IN_ORDER_GRACE_MS);
        return Math.max(byWindow, minValidTime.get());
    }

    /** The oldest sample in the head, or Long.MAX_VALUE when it is empty. */
    long minTime() {
        long min = Long.MAX_VALUE;
        for (MemSeries s : byRef.values()) {
            synchronized (s) {
                if (!s.isEmpty()) {
                    min = Math.min(min, s.minTime());
                }
            }
        }
        return min;
    }

    /**
     * Drops everything before {@code cutoff} (now in a block) and the series left empty. Runs under the
     * exclusive commit lock: a commit that looked a series up before it sees the series removed and
     * creates it again.
     *
     * @return series removed
     */
    int truncate(long cutoff) {
        commitLock.writeLock().lock();
        try {
            int removed = 0;
            for (var e : byRef.entrySet()) {
                MemSeries s = e.getValue();
                boolean first = false;
                synchronized (s) {
                    if (!s.removed) {
                        s.truncate(cutoff);
                        if (!s.isEmpty()) {
                            continue;
                        }
                        s.removed = true;
                        first = true;
                    }
                }
                // A replayed log may map two refs to one series: both entries go.
                byRef.remove(e.getKey(), s);
                if (first) {
                    byLabels.remove(s.labels, s);
                    postings.remove(s.ref, s.labels);
                    removed++;
                }
            }
            return removed;
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    /** A series being created by a commit; {@code series} is set on success, {@code rejected} otherwise. */
    static final class NewSeries {
        final Labels labels;
        MemSeries series;
        boolean rejected;

        NewSeries(Labels labels) {
            this.labels = labels;
        }
    }

    /** Creates the series that do not exist yet (others may have created some meanwhile), logging them first. */
    void createSeries(List<NewSeries> fresh) throws IOException {
        synchronized (creationLock) {
            List<WalRecords.SeriesEntry> entries = new ArrayList<>();
            List<NewSeries> created = new ArrayList<>();
            long limit = options.limits().maxSeries();
            for (NewSeries n : fresh) {
                MemSeries existing = byLabels.get(n.labels);
                if (existing != null) {
                    n.series = existing;
                    continue;
                }
                if (limit > 0 && byLabels.size() + created.size() >= limit) {
                    n.rejected = true;
                    continue;
                }
                // Interned: series and blocks share their label strings, which compare by identity.
                n.series = new MemSeries(lastRef.incrementAndGet(), n.labels.interned(), chunkFiles, chunkRange);
                entries.add(new WalRecords.SeriesEntry(n.series.ref, n.series.labels));
                created.add(n);
            }
            if (!entries.isEmpty()) {
                WalBatch b = new WalBatch();
                b.series(entries);
                wal.write(b);
            }
            for (NewSeries n : created) {
                byRef.put(n.series.ref, n.series);
                byLabels.put(n.series.labels, n.series);
                postings.add(n.series.ref, n.series.labels);
            }
        }
    }

    /** Replay: a series as logged, with its logged ref. */
    void replaySeries(int ref, Labels labels) {
        MemSeries s = byLabels.get(labels);
        if (s == null) {
            s = new MemSeries(ref, labels.interned(), chunkFiles, chunkRange);
            byLabels.put(s.labels, s);
            postings.add(ref, s.labels);
        }
        byRef.put(ref, s);
        lastRef.accumulateAndGet(ref, Math::max);
    }

    void checkNewSeries(Labels labels, int newInBatch) throws StorageException.SampleRejected {
        options.limits().checkNewSeries(labels, byLabels.size() + (long) newInBatch);
    }
}
