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
    final LongAdder appended = new LongAdder();
    final LongAdder droppedAtCommit = new LongAdder();
    private final Object creationLock = new Object();
    final HeadChunkFiles chunkFiles;
    volatile Wal wal;

    Head(StorageOptions options, HeadChunkFiles chunkFiles) {
        this.options = options;
        this.chunkFiles = chunkFiles;
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
                n.series = new MemSeries(lastRef.incrementAndGet(), n.labels, chunkFiles);
                entries.add(new WalRecords.SeriesEntry(n.series.ref, n.labels));
                created.add(n);
            }
            if (!entries.isEmpty()) {
                WalBatch b = new WalBatch();
                b.series(entries);
                wal.write(b);
            }
            for (NewSeries n : created) {
                byRef.put(n.series.ref, n.series);
                byLabels.put(n.labels, n.series);
                postings.add(n.series.ref, n.labels);
            }
        }
    }

    /** Replay: a series as logged, with its logged ref. */
    void replaySeries(int ref, Labels labels) {
        MemSeries s = byLabels.get(labels);
        if (s == null) {
            s = new MemSeries(ref, labels, chunkFiles);
            byLabels.put(labels, s);
            postings.add(ref, labels);
        }
        byRef.put(ref, s);
        lastRef.accumulateAndGet(ref, Math::max);
    }

    void checkNewSeries(Labels labels, int newInBatch) throws StorageException.SampleRejected {
        options.limits().checkNewSeries(labels, byLabels.size() + (long) newInBatch);
    }
}
