package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StorageStats;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import io.sightline.tsdb.block.CorruptBlockException;
import io.sightline.tsdb.merge.MergeQuerier;
import io.sightline.tsdb.wal.Wal;
import io.sightline.tsdb.wal.WalBatch;
import io.sightline.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.roaringbitmap.IntIterator;

/**
 * The durable engine: immutable blocks in {@code <dir>/blocks}, and the head with its write-ahead log
 * in {@code <dir>/wal} and its full chunks in {@code <dir>/chunks_head} (off the Java heap, rebuilt from
 * the log at every start). Opening loads the blocks (quarantining any that fail their checks) and
 * replays the log (repairing a torn tail); a commit that returned survives {@code kill -9}.
 *
 * <p><b>Head cuts.</b> Once the head's oldest block range {@code [a, a + R)} (R the block range, 2 h by
 * default, {@code a} a multiple of R) lies entirely before the oldest time a sample may still be
 * accepted ({@code maxT - max(out-of-order window, in-order grace)}), the range is written as a block,
 * the head drops it, and the log is checkpointed. So a cut never changes which samples are accepted,
 * and blocks never overlap. Cuts run on a background thread every {@link BlockOptions#checkIntervalMs}
 * and on {@link #maintain()}.
 *
 * <p><b>Retention.</b> Blocks whose whole range is older than the newest sample minus
 * {@link BlockOptions#retentionMs} are deleted.
 */
public final class TsdbStorage implements Storage {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TsdbStorage.class);

    /**
     * How the store persists its head.
     *
     * @param blockRangeMs range of a block cut from the head (2 h); chunks never span a multiple of it
     * @param retentionMs blocks entirely older than the newest sample minus this are deleted; 0 keeps all
     * @param checkIntervalMs how often a background thread looks for a cut or expired blocks; 0 for
     *     never (tests call {@link #maintain()})
     */
    public record BlockOptions(long blockRangeMs, long retentionMs, long checkIntervalMs) {
        public static final BlockOptions DEFAULTS = new BlockOptions(7_200_000L, 15L * 86_400_000L, 60_000L);

        public BlockOptions {
            if (blockRangeMs <= 0) {
                throw new IllegalArgumentException("block range must be positive, got " + blockRangeMs);
            }
            if (retentionMs < 0 || checkIntervalMs < 0) {
                throw new IllegalArgumentException("retention and check interval must not be negative");
            }
        }
    }

    /** What {@link #maintain()} did. */
    public record MaintenanceReport(List<BlockMeta> cut, List<String> expired, long checkpointBytes, long millis) {}

    private final Path dir;
    private final Path blocksDir;
    private final Head head;
    private final BlockOptions blockOptions;
    private final Wal.ReplayReport replay;
    private final long replayedSamples;
    private final long unknownSeriesSamples;
    private final List<String> quarantined;
    private volatile List<Block> blocks;
    private final Object maintenanceLock = new Object();
    private final ScheduledExecutorService maintenance;
    private volatile boolean closed;

    private TsdbStorage(Path dir, Head head, BlockOptions blockOptions, List<Block> blocks, List<String> quarantined,
            Wal.ReplayReport replay, long replayedSamples, long unknownSeriesSamples) {
        this.dir = dir;
        this.blocksDir = dir.resolve("blocks");
        this.head = head;
        this.blockOptions = blockOptions;
        this.blocks = blocks;
        this.quarantined = quarantined;
        this.replay = replay;
        this.replayedSamples = replayedSamples;
        this.unknownSeriesSamples = unknownSeriesSamples;
        if (blockOptions.checkIntervalMs() > 0) {
            maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tsdb-maintenance");
                t.setDaemon(true);
                return t;
            });
            maintenance.scheduleWithFixedDelay(this::backgroundMaintain, blockOptions.checkIntervalMs(),
                    blockOptions.checkIntervalMs(), TimeUnit.MILLISECONDS);
        } else {
            maintenance = null;
        }
    }

    /** Opens (or creates) the store in {@code dir} with the default block options. */
    public static TsdbStorage open(Path dir, StorageOptions options, Wal.Options walOptions) throws StorageException {
        return open(dir, options, walOptions, BlockOptions.DEFAULTS);
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @throws StorageException if the directory cannot be used
     */
    public static TsdbStorage open(Path dir, StorageOptions options, Wal.Options walOptions, BlockOptions blockOptions)
            throws StorageException {
        List<String> quarantined = new ArrayList<>();
        List<Block> blocks;
        try {
            blocks = openBlocks(dir, quarantined);
        } catch (IOException e) {
            throw new StorageException("cannot read the blocks in " + dir.resolve("blocks") + ": " + e.getMessage(), e);
        }
        HeadChunkFiles chunkFiles;
        try {
            chunkFiles = HeadChunkFiles.open(dir.resolve("chunks_head"));
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + dir.resolve("chunks_head") + ": " + e.getMessage(), e);
        }
        Head head = new Head(options, chunkFiles, blockOptions.blockRangeMs());
        long blocksEnd = Long.MIN_VALUE;
        for (Block b : blocks) {
            blocksEnd = Math.max(blocksEnd, b.meta().maxTime());
        }
        // Samples before the newest block's end were all written to blocks before the log was
        // checkpointed (a cut raises the head's minimum valid time before it writes the block).
        head.minValidTime.set(blocksEnd);
        long minValid = blocksEnd;
        long[] counts = new long[3];
        WalRecords.Visitor visitor = new WalRecords.Visitor() {
            @Override
            public void series(long ref, Labels labels) {
                head.replaySeries((int) ref, labels);
            }

            @Override
            public void sample(long ref, long t, double v) {
                if (t < minValid) {
                    counts[2]++;
                    return;
                }
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
        // Series the log created whose samples all went to blocks hold nothing: drop them.
        head.truncate(Long.MIN_VALUE);
        if (blocksEnd != Long.MIN_VALUE) {
            head.maxT.accumulateAndGet(blocksEnd - 1, Math::max);
        }
        head.appended.add(counts[0]);
        return new TsdbStorage(dir, head, blockOptions, blocks, quarantined, report[0], counts[0], counts[1]);
    }

    private static List<Block> openBlocks(Path dir, List<String> quarantined) throws IOException {
        Path blocksDir = dir.resolve("blocks");
        Files.createDirectories(blocksDir);
        List<Block> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(blocksDir)) {
            for (Path p : (Iterable<Path>) list.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isDirectory(p)) {
                    continue;
                }
                if (name.endsWith(".tmp") || name.endsWith(".deleted")) {
                    deleteTree(p); // an unfinished write or deletion
                    continue;
                }
                try {
                    out.add(Block.open(p));
                } catch (CorruptBlockException | IOException e) {
                    Path q = dir.resolve("quarantine").resolve(name);
                    Files.createDirectories(q.getParent());
                    Files.move(p, q, StandardCopyOption.REPLACE_EXISTING);
                    String msg = "block " + name + " moved to " + q + ": " + e.getMessage();
                    quarantined.add(msg);
                    LOG.atError().addKeyValue("block", name).addKeyValue("reason", e.getMessage())
                            .addKeyValue("moved_to", q.toString())
                            .log("a block failed its checks at start; its samples are not served");
                }
            }
        }
        out.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()));
        return out;
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

    /** Blocks that failed their checks at open and were moved to {@code <dir>/quarantine}, with why. */
    public List<String> quarantinedBlocks() {
        return List.copyOf(quarantined);
    }

    /** The blocks being served, oldest first. */
    public List<BlockMeta> blocks() {
        List<BlockMeta> out = new ArrayList<>();
        for (Block b : blocks) {
            out.add(b.meta());
        }
        return out;
    }

    @Override
    public Appender appender() {
        return new HeadAppender(head);
    }

    @Override
    public Querier querier(long mint, long maxt) {
        List<Querier> parts = new ArrayList<>();
        for (Block b : blocks) {
            if (b.meta().minTime() <= maxt && b.meta().maxTime() > mint) {
                parts.add(b.querier(mint, maxt));
            }
        }
        HeadQuerier h = new HeadQuerier(head, mint, maxt);
        if (parts.isEmpty()) {
            return h;
        }
        parts.add(h);
        return new MergeQuerier(parts);
    }

    @Override
    public void delete(long mint, long maxt, LabelMatcher... matchers) throws StorageException {
        for (Block b : blocks) {
            try {
                b.delete(mint, maxt, matchers);
            } catch (IOException e) {
                throw new StorageException("cannot delete series in " + b + ": " + e.getMessage(), e);
            }
        }
        head.commitLock.readLock().lock();
        try {
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
        } finally {
            head.commitLock.readLock().unlock();
        }
    }

    /**
     * Cuts every block range that is ready and deletes expired blocks. Serialised with the background
     * thread; safe to call while appends and queries run.
     */
    public MaintenanceReport maintain() throws StorageException {
        synchronized (maintenanceLock) {
            long t0 = System.nanoTime();
            List<BlockMeta> cut = new ArrayList<>();
            long checkpointBytes = 0;
            long range = blockOptions.blockRangeMs();
            long hold = Math.max(head.options.outOfOrderWindowMs(), StorageOptions.IN_ORDER_GRACE_MS);
            // Up to the newest sample as of now: under heavy ingest new ranges become ready faster
            // than they are cut, and the checkpoint below must not wait for that to stop.
            long maxT = head.maxT.get();
            while (!closed) {
                long minT = head.minTime();
                if (maxT == Long.MIN_VALUE || minT == Long.MAX_VALUE) {
                    break;
                }
                long cutoff = Math.floorDiv(minT, range) * range + range;
                if (maxT - cutoff < hold) {
                    break;
                }
                BlockMeta m = cut(cutoff);
                if (m != null) {
                    cut.add(m);
                }
            }
            if (!cut.isEmpty()) {
                checkpointBytes = checkpoint();
            }
            List<String> expired = applyRetention();
            return new MaintenanceReport(cut, expired, checkpointBytes, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private void backgroundMaintain() {
        try {
            MaintenanceReport r = maintain();
            for (BlockMeta m : r.cut()) {
                LOG.atInfo().addKeyValue("block", m.id()).addKeyValue("min_time", m.minTime())
                        .addKeyValue("max_time", m.maxTime()).addKeyValue("series", m.stats().numSeries())
                        .addKeyValue("samples", m.stats().numSamples())
                        .addKeyValue("bytes", m.files().index() + m.files().chunks()).log("head cut into a block");
            }
            for (String e : r.expired()) {
                LOG.atInfo().addKeyValue("block", e).log("block deleted by retention");
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) {
            // Caught whole: an exception escaping would end the schedule, and the head would grow forever.
            LOG.atError().setCause(e).log("head maintenance failed; it is retried at the next interval");
        }
    }

    /** Writes the head's samples before {@code cutoff} as a block, then drops them from the head. */
    private BlockMeta cut(long cutoff) throws StorageException {
        // From here on no commit can add a sample before the cutoff (commits in flight finish first).
        head.commitLock.writeLock().lock();
        try {
            head.minValidTime.accumulateAndGet(cutoff, Math::max);
        } finally {
            head.commitLock.writeLock().unlock();
        }
        IdentityHashMap<MemSeries, Boolean> distinct = new IdentityHashMap<>();
        for (MemSeries s : head.byRef.values()) {
            distinct.put(s, Boolean.TRUE);
        }
        List<MemSeries> series = new ArrayList<>(distinct.keySet());
        series.sort((a, b) -> a.labels.compareTo(b.labels));
        List<BlockWriter.SeriesSource> sources = new ArrayList<>(series.size());
        for (MemSeries s : series) {
            sources.add(new BlockWriter.SeriesSource() {
                @Override
                public Labels labels() {
                    return s.labels;
                }

                @Override
                public SampleIterator samples() {
                    MemSeries.Snapshot snap;
                    synchronized (s) {
                        snap = s.snapshot(Long.MIN_VALUE, cutoff - 1);
                    }
                    return snap.iterator();
                }
            });
        }
        BlockMeta meta;
        try {
            meta = BlockWriter.write(blocksDir, Long.MIN_VALUE, cutoff, 1, List.of(), sources);
            if (meta != null) {
                Block b = Block.open(blocksDir.resolve(meta.id()));
                List<Block> next = new ArrayList<>(blocks);
                next.add(b);
                next.sort(Comparator.comparingLong((Block x) -> x.meta().minTime()));
                blocks = List.copyOf(next);
            }
        } catch (IOException | RuntimeException e) {
            throw new StorageException("cannot write a block of the head before " + cutoff + ": " + e.getMessage(), e);
        }
        head.truncate(cutoff);
        head.chunkFiles.release(cutoff);
        return meta;
    }

    /**
     * Replaces the log's closed segments by a checkpoint of the head: every series and sample it holds.
     * Commits are held off while the segment is cut, so every record in the replaced segments is in
     * the head when it is read.
     */
    private long checkpoint() throws StorageException {
        int upTo;
        head.commitLock.writeLock().lock();
        try {
            upTo = head.wal.cutSegment();
        } catch (IOException e) {
            throw new StorageException("cannot cut a WAL segment for a checkpoint: " + e.getMessage(), e);
        } finally {
            head.commitLock.writeLock().unlock();
        }
        IdentityHashMap<MemSeries, Boolean> distinct = new IdentityHashMap<>();
        for (MemSeries s : head.byRef.values()) {
            distinct.put(s, Boolean.TRUE);
        }
        try (Wal.Checkpoint cp = head.wal.checkpoint(upTo)) {
            WalBatch batch = new WalBatch();
            List<WalRecords.SeriesEntry> entries = new ArrayList<>();
            for (MemSeries s : distinct.keySet()) {
                entries.add(new WalRecords.SeriesEntry(s.ref, s.labels));
                if (entries.size() == 10_000) {
                    batch.series(entries);
                    cp.write(batch);
                    batch.clear();
                    entries.clear();
                }
            }
            batch.series(entries);
            cp.write(batch);
            batch.clear();
            int cap = 64 * 1024;
            long[] refs = new long[cap];
            long[] ts = new long[cap];
            double[] vs = new double[cap];
            int n = 0;
            for (MemSeries s : distinct.keySet()) {
                MemSeries.Snapshot snap;
                synchronized (s) {
                    if (s.removed) {
                        continue;
                    }
                    snap = s.snapshot(Long.MIN_VALUE, Long.MAX_VALUE);
                }
                SampleIterator it = snap.iterator();
                while (it.next()) {
                    refs[n] = s.ref;
                    ts[n] = it.timestamp();
                    vs[n] = it.value();
                    if (++n == cap) {
                        batch.samples(refs, ts, vs, n);
                        cp.write(batch);
                        batch.clear();
                        n = 0;
                    }
                }
            }
            batch.samples(refs, ts, vs, n);
            cp.write(batch);
            cp.finish();
            return cp.sizeBytes();
        } catch (IOException e) {
            throw new StorageException("cannot write a WAL checkpoint: " + e.getMessage(), e);
        }
    }

    private List<String> applyRetention() throws StorageException {
        long retention = blockOptions.retentionMs();
        List<String> expired = new ArrayList<>();
        if (retention <= 0 || blocks.isEmpty()) {
            return expired;
        }
        long newest = head.maxT.get();
        for (Block b : blocks) {
            newest = Math.max(newest, b.meta().maxTime() - 1);
        }
        long threshold = newest - retention;
        List<Block> keep = new ArrayList<>();
        List<Block> drop = new ArrayList<>();
        for (Block b : blocks) {
            (b.meta().maxTime() <= threshold ? drop : keep).add(b);
        }
        if (drop.isEmpty()) {
            return expired;
        }
        blocks = List.copyOf(keep);
        for (Block b : drop) {
            try {
                Path gone = b.dir().resolveSibling(b.meta().id() + ".deleted");
                Files.move(b.dir(), gone, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(gone);
                expired.add(b.meta().id());
            } catch (IOException e) {
                throw new StorageException("cannot delete expired " + b + ": " + e.getMessage(), e);
            }
        }
        return expired;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Series in the head (all series until the first cut; afterwards those written within the last hours). */
    @Override
    public StorageStats stats() {
        long n = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (MemSeries s : head.byLabels.values()) {
            synchronized (s) {
                if (!s.isEmpty()) {
                    n++;
                    min = Math.min(min, s.minTime());
                    max = Math.max(max, s.maxTime());
                }
            }
        }
        for (Block b : blocks) {
            min = Math.min(min, b.meta().minTime());
            max = Math.max(max, b.meta().maxTime() - 1);
        }
        return new StorageStats(n, min, max, head.appended.sum(), head.droppedAtCommit.sum());
    }

    /** Bytes in blocks. */
    public long blocksBytes() {
        long n = 0;
        for (Block b : blocks) {
            n += b.sizeBytes();
        }
        return n;
    }

    @Override
    public void close() throws StorageException {
        closed = true;
        if (maintenance != null) {
            maintenance.shutdown();
            try {
                maintenance.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (maintenanceLock) {
            try {
                head.wal.close();
                head.chunkFiles.close();
            } catch (IOException e) {
                throw new StorageException("cannot close the write-ahead log: " + e.getMessage(), e);
            }
        }
    }
}
