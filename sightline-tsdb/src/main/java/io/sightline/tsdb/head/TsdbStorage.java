package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StorageStats;
import io.sightline.tsdb.wal.Wal;
import io.sightline.tsdb.wal.WalBatch;
import io.sightline.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.IntIterator;

/**
 * The durable engine: the head with its write-ahead log in {@code <dir>/wal} and its full chunks in
 * {@code <dir>/chunks_head} (off the Java heap, rebuilt from the log at every start). Opening replays the
 * log (repairing a torn tail); a commit that returned survives {@code kill -9}.
 *
 * <p>Not yet here (see the module's issue): cutting the head into on-disk blocks, compaction,
 * retention and downsampling; until they land the head and the WAL hold everything written.
 */
public final class TsdbStorage implements Storage {
    private final Head head;
    private final Wal.ReplayReport replay;
    private final long replayedSamples;
    private final long unknownSeriesSamples;

    private TsdbStorage(Head head, Wal.ReplayReport replay, long replayedSamples, long unknownSeriesSamples) {
        this.head = head;
        this.replay = replay;
        this.replayedSamples = replayedSamples;
        this.unknownSeriesSamples = unknownSeriesSamples;
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @throws StorageException if the directory cannot be used
     */
    public static TsdbStorage open(Path dir, StorageOptions options, Wal.Options walOptions) throws StorageException {
        HeadChunkFiles chunkFiles;
        try {
            chunkFiles = HeadChunkFiles.open(dir.resolve("chunks_head"));
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + dir.resolve("chunks_head") + ": " + e.getMessage(), e);
        }
        Head head = new Head(options, chunkFiles);
        long[] counts = new long[2];
        WalRecords.Visitor visitor = new WalRecords.Visitor() {
            @Override
            public void series(long ref, Labels labels) {
                head.replaySeries((int) ref, labels);
            }

            @Override
            public void sample(long ref, long t, double v) {
                MemSeries s = head.byRef.get((int) ref);
                if (s == null) {
                    counts[1]++;
                    return;
                }
                synchronized (s) {
                    if (s.valueBitsAt(t) == null) {
                        s.add(t, v);
                    }
                }
                counts[0]++;
                if (t > head.maxT.get()) {
                    head.maxT.set(t);
                }
            }

            @Override
            public void tombstone(long ref, long mint, long maxt) {
                MemSeries s = head.byRef.get((int) ref);
                if (s != null) {
                    synchronized (s) {
                        s.delete(mint, maxt);
                    }
                }
            }
        };
        Wal.ReplayReport[] report = new Wal.ReplayReport[1];
        try {
            head.wal = Wal.open(dir.resolve("wal"), walOptions, visitor, report);
        } catch (IOException | java.io.UncheckedIOException e) {
            try {
                chunkFiles.close();
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw new StorageException("cannot open the write-ahead log in " + dir.resolve("wal") + ": " + e.getMessage(), e);
        }
        head.appended.add(counts[0]);
        return new TsdbStorage(head, report[0], counts[0], counts[1]);
    }

    /** What opening found in the log: records, repair (null if none), time taken. */
    public Wal.ReplayReport replayReport() {
        return replay;
    }

    public long replayedSamples() {
        return replayedSamples;
    }

    /** Samples in the log whose series record was lost to a repair; they cannot be restored. */
    public long unknownSeriesSamples() {
        return unknownSeriesSamples;
    }

    @Override
    public Appender appender() {
        return new HeadAppender(head);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new HeadQuerier(head, mint, maxt);
    }

    @Override
    public void delete(long mint, long maxt, LabelMatcher... matchers) throws StorageException {
        List<WalRecords.Tombstone> tombstones = new ArrayList<>();
        List<MemSeries> victims = new ArrayList<>();
        IntIterator it = head.postings.select(matchers).getIntIterator();
        while (it.hasNext()) {
            MemSeries s = head.byRef.get(it.next());
            if (s != null) {
                victims.add(s);
                tombstones.add(new WalRecords.Tombstone(s.ref, mint, maxt));
            }
        }
        WalBatch b = new WalBatch();
        b.tombstones(tombstones);
        try {
            head.wal.write(b);
        } catch (IOException e) {
            throw new StorageException("cannot delete series: the write-ahead log failed: " + e.getMessage(), e);
        }
        for (MemSeries s : victims) {
            synchronized (s) {
                s.delete(mint, maxt);
            }
        }
    }

    @Override
    public StorageStats stats() {
        long n = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (MemSeries s : head.byRef.values()) {
            synchronized (s) {
                if (!s.isEmpty()) {
                    n++;
                    min = Math.min(min, s.minTime());
                    max = Math.max(max, s.maxTime());
                }
            }
        }
        return new StorageStats(n, min, max, head.appended.sum(), head.droppedAtCommit.sum());
    }

    @Override
    public void close() throws StorageException {
        try {
            head.wal.close();
            head.chunkFiles.close();
        } catch (IOException e) {
            throw new StorageException("cannot close the write-ahead log: " + e.getMessage(), e);
        }
    }
}
