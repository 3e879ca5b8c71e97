package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.SignificantDigits;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StorageStats;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import io.sightline.tsdb.block.Compactor;
import io.sightline.tsdb.block.CorruptBlockException;
import io.sightline.tsdb.merge.MergeQuerier;
import io.sightline.tsdb.rollup.Downsampler;
import io.sightline.tsdb.rollup.RollupQuerier;
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
 *
 * <p><b>Downsampling.</b> Raw blocks older than {@link Downsampling#afterMs} are rolled up into blocks
 * of 5-minute and 1-hour windows ({@link Downsampler}), kept for their own retention; queries read them
 * where their hints allow ({@link RollupQuerier}).
 */
public final class TsdbStorage implements Storage {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TsdbStorage.class);

    /**
     * How the store persists its head and how long it keeps data.
     *
     * @param blockRangeMs range of a block cut from the head (2 h); chunks never span a multiple of it.
     *     Blocks are compacted into ranges of 3, 9, 27... times it, up to a tenth of the retention
     *     (at most 31 days), as in Prometheus
     * @param retentionMs blocks entirely older than the newest sample minus this are deleted; 0 keeps all
     * @param retentionBytes when blocks and WAL together exceed this, the oldest blocks are deleted; 0 for
     *     no limit
     * @param rules per-metric retention: the first rule whose matchers all match a series sets how long
     *     its samples are kept in blocks; series matching no rule keep {@code retentionMs}
     * @param checkIntervalMs how often a background thread cuts, compacts and applies retention; 0 for
     *     never (tests call {@link #maintain()})
     * @param downsampling whether and when raw blocks are rolled up, and how long rollups are kept
     */
    public record BlockOptions(long blockRangeMs, long retentionMs, long retentionBytes, List<RetentionRule> rules,
            long checkIntervalMs, Downsampling downsampling) {
        public static final BlockOptions DEFAULTS = new BlockOptions(7_200_000L, 15L * 86_400_000L, 0, List.of(),
                2_000L, Downsampling.DEFAULTS);
        static final long MAX_BLOCK_RANGE_MS = 31L * 86_400_000L;

        public BlockOptions {
            if (blockRangeMs <= 0) {
                throw new IllegalArgumentException("block range must be positive, got " + blockRangeMs);
            }
            if (retentionMs < 0 || retentionBytes < 0 || checkIntervalMs < 0) {
                throw new IllegalArgumentException("retention and check interval must not be negative");
            }
            rules = List.copyOf(rules);
            if (downsampling == null) {
                throw new IllegalArgumentException("downsampling must not be null");
            }
            if (downsampling.enabled()) {
                if (blockRangeMs % Downsampler.ONE_HOUR != 0) {
                    throw new IllegalArgumentException("with downsampling on, the block duration must be a whole"
                            + " number of hours (rollup windows must not straddle blocks), got " + blockRangeMs + "ms");
                }
                if (retentionMs != 0 && downsampling.afterMs() >= retentionMs) {
                    throw new IllegalArgumentException("downsampling.after (" + downsampling.afterMs()
                            + "ms) must be shorter than the retention time (" + retentionMs
                            + "ms), or raw blocks expire before they are rolled up");
                }
            }
        }

        /** Options without downsampling. */
        public BlockOptions(long blockRangeMs, long retentionMs, long retentionBytes, List<RetentionRule> rules,
                long checkIntervalMs) {
            this(blockRangeMs, retentionMs, retentionBytes, rules, checkIntervalMs, Downsampling.OFF);
        }

        /** Options without downsampling, size retention or rules. */
        public BlockOptions(long blockRangeMs, long retentionMs, long checkIntervalMs) {
            this(blockRangeMs, retentionMs, 0, List.of(), checkIntervalMs);
        }

        public BlockOptions withRetentionBytes(long bytes) {
            return new BlockOptions(blockRangeMs, retentionMs, bytes, rules, checkIntervalMs, downsampling);
        }

        public BlockOptions withRules(List<RetentionRule> r) {
            return new BlockOptions(blockRangeMs, retentionMs, retentionBytes, r, checkIntervalMs, downsampling);
        }

        public BlockOptions withDownsampling(Downsampling d) {
            return new BlockOptions(blockRangeMs, retentionMs, retentionBytes, rules, checkIntervalMs, d);
        }

        /** How long blocks of a resolution are kept ({@code 0}: raw), 0 for ever. */
        long retentionOf(long resolution) {
            return resolution == 0 ? retentionMs : downsampling.retentionOf(resolution);
        }

        /** The ranges raw blocks are compacted into, smallest first. */
        List<Long> compactionRanges() {
            return compactionRanges(retentionMs);
        }

        /** The ranges blocks kept for {@code retention} are compacted into, smallest first. */
        List<Long> compactionRanges(long retention) {
            long max = retention > 0 ? Math.min(MAX_BLOCK_RANGE_MS, retention / 10) : MAX_BLOCK_RANGE_MS;
            List<Long> out = new ArrayList<>();
            for (long r = blockRangeMs * 3; r <= max && r > 0; r *= 3) {
                out.add(r);
            }
            return out;
        }
    }

    /**
     * Downsampling: raw blocks whose whole range is older than the newest sample minus {@code afterMs}
     * are rolled up into 5-minute and 1-hour windows (count, sum, min, max, last), kept for
     * {@code retention5mMs} and {@code retention1hMs} (0: for ever; the 1-hour rollups at least as long
     * as the 5-minute ones, since queries read the coarsest resolution they may).
     */
    public record Downsampling(boolean enabled, long afterMs, long retention5mMs, long retention1hMs) {
        public static final Downsampling DEFAULTS = new Downsampling(true, 40L * 3_600_000L, 90L * 86_400_000L,
                365L * 86_400_000L);
        public static final Downsampling OFF = new Downsampling(false, DEFAULTS.afterMs, DEFAULTS.retention5mMs,
                DEFAULTS.retention1hMs);

        public Downsampling {
            if (afterMs <= 0) {
                throw new IllegalArgumentException("downsampling.after must be positive, got " + afterMs + "ms");
            }
            if (retention5mMs < 0 || retention1hMs < 0) {
                throw new IllegalArgumentException("rollup retentions must not be negative");
            }
            if (retention5mMs == 0 ? retention1hMs != 0 : retention1hMs != 0 && retention1hMs < retention5mMs) {
                throw new IllegalArgumentException("downsampling.retention_1h must be at least retention_5m (queries"
                        + " read the coarsest rollups they may, so 1h rollups must cover what 5m ones do)");
            }
        }

        long retentionOf(long resolution) {
            return resolution == Downsampler.FIVE_MINUTES ? retention5mMs : retention1hMs;
        }
    }

    /**
     * Per-metric retention: series matching every matcher keep {@code retentionMs} of samples (0: forever).
     */
    public record RetentionRule(List<LabelMatcher> matchers, long retentionMs) {
        public RetentionRule {
            matchers = List.copyOf(matchers);
            if (matchers.isEmpty()) {
                throw new IllegalArgumentException("a retention rule needs at least one matcher");
            }
            if (retentionMs < 0) {
                throw new IllegalArgumentException("a rule's retention must not be negative");
            }
        }
    }

    /** What {@link #maintain()} did. */
    public record MaintenanceReport(List<BlockMeta> cut, List<BlockMeta> compacted, List<BlockMeta> downsampled,
            List<String> expired, long checkpointBytes, long millis) {}

    static final int MAX_CUTS_PER_RUN = 16;
    /** Rollup blocks written per maintenance pass at most, so that cuts are not held up by a backlog. */
    static final int MAX_ROLLUPS_PER_RUN = 8;

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
    /**
     * Ranges not to roll up (again), as {resolution, from, to}: those that held no raw samples, and those
     * whose rollups size retention removed while raw blocks remained (in memory: after a restart they
     * may be rolled up once more). Used under {@link #maintenanceLock} only.
     */
    private final List<long[]> notToRollUp = new ArrayList<>();

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
        return open(dir, options, walOptions, blockOptions, HeadChunkFiles.FILE_BYTES);
    }

    /** As {@link #open(Path, StorageOptions, Wal.Options, BlockOptions)} with head chunk files of another size. */
    static TsdbStorage open(Path dir, StorageOptions options, Wal.Options walOptions, BlockOptions blockOptions,
            long chunkFileBytes) throws StorageException {
        TsdbStorage s = open(dir, options, walOptions, blockOptions, chunkFileBytes, false);
        if (Files.isDirectory(dir.resolve(STARTS_DIR))) {
            try {
                s.startsStore();
            } catch (StorageException | RuntimeException e) {
                try {
                    s.close();
                } catch (StorageException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return s;
    }

    /**
     * The companion store of start timestamps (see {@link StartTimes}): its own directory, log, head and blocks
     * beside the samples', with the same options except that values are kept exactly and never rolled up.
     */
    private static final String STARTS_DIR = "starts";

    private static TsdbStorage open(Path dir, StorageOptions options, Wal.Options walOptions,
            BlockOptions blockOptions, long chunkFileBytes, boolean companion) throws StorageException {
        List<String> quarantined = new ArrayList<>();
        List<Block> blocks;
        try {
            blocks = openBlocks(dir, quarantined);
        } catch (IOException e) {
            throw new StorageException("cannot read the blocks in " + dir.resolve("blocks") + ": " + e.getMessage(), e);
        }
        HeadChunkFiles chunkFiles;
        try {
            chunkFiles = HeadChunkFiles.open(dir.resolve("chunks_head"), chunkFileBytes, HeadChunkFiles.BUFFER_BYTES,
                    (int) Math.min(HeadChunkFiles.WINDOW_BYTES, chunkFileBytes));
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + dir.resolve("chunks_head") + ": " + e.getMessage(), e);
        }
        Head head = new Head(options, chunkFiles, blockOptions.blockRangeMs());
        long blocksEnd = Long.MIN_VALUE;
        for (Block b : blocks) {
            if (b.meta().resolution() == 0) {
                blocksEnd = Math.max(blocksEnd, b.meta().maxTime());
            }
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
        TsdbStorage s = new TsdbStorage(dir, head, blockOptions, blocks, quarantined, report[0], counts[0], counts[1]);
        if (!companion) {
            s.companionOptions = options.withSignificantDigits(SignificantDigits.EXACT);
            s.companionWal = walOptions.withProgress(null); // the progress shown is the store's own log's
            s.companionChunkBytes = chunkFileBytes;
        }
        return s;
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
        // A crash after a compaction wrote its block but before it removed the blocks it merged leaves
        // both: the merged ones are redundant (their sources are all in the new block).
        List<Block> redundant = new ArrayList<>();
        for (Block b : out) {
            for (Block other : out) {
                if (other != b && other.meta().resolution() == b.meta().resolution()
                        && other.meta().compaction().level() > b.meta().compaction().level()
                        && other.meta().compaction().sources().containsAll(b.meta().compaction().sources())) {
                    redundant.add(b);
                    break;
                }
            }
        }
        for (Block b : redundant) {
            out.remove(b);
            deleteTree(b.dir());
            LOG.atInfo().addKeyValue("block", b.meta().id()).log("removed a block already merged into a larger one");
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
        if (companionOptions == null) {
            return new HeadAppender(head);
        }
        return StartTimes.appender(new HeadAppender(head), () -> {
            try {
                return startsStore().appender();
            } catch (StorageException e) {
                throw new java.io.UncheckedIOException(new java.io.IOException(e.getMessage(), e));
            }
        });
    }

    /** How to open this store's companion of start times; null options for the companion itself. */
    private StorageOptions companionOptions;
    private Wal.Options companionWal;
    private long companionChunkBytes;
    private volatile TsdbStorage starts;

    /** The companion store of start timestamps, opened (created on first use) when first needed. */
    private TsdbStorage startsStore() throws StorageException {
        TsdbStorage st = starts;
        if (st != null) {
            return st;
        }
        synchronized (this) {
            if (starts == null) {
                if (closed) {
                    throw new StorageException("the store is closed");
                }
                Path d = dir.resolve(STARTS_DIR);
                try {
                    starts = open(d, companionOptions, companionWal, companionBlocks(blockOptions), companionChunkBytes,
                            true);
                } catch (StorageException e) {
                    throw new StorageException("cannot open the store of start timestamps in " + d + ": "
                            + e.getMessage(), e);
                }
                LOG.atInfo().addKeyValue("dir", d).addKeyValue("replayed_samples", starts.replayedSamples())
                        .addKeyValue("blocks", starts.blocks().size())
                        .addKeyValue("quarantined", starts.quarantinedBlocks()).log("start timestamps' store opened");
            }
            return starts;
        }
    }

    /**
     * The companion's block options: the samples' block range, time retention and rules; no rollups; no size
     * retention of its own; no maintenance thread of its own (this store's {@link #maintain} maintains it).
     */
    private static BlockOptions companionBlocks(BlockOptions o) {
        return new BlockOptions(o.blockRangeMs(), o.retentionMs(), 0, o.rules(), 0, Downsampling.OFF);
    }

    /** The companion store of start timestamps if it exists (tests). */
    TsdbStorage startsIfOpen() {
        return starts;
    }

    /**
     * Raw samples over {@code [mint, maxt]}, or rollups where the hints of a select allow them (see
     * {@link RollupQuerier}).
     */
    @Override
    public Querier querier(long mint, long maxt) {
        List<Block> current = blocks;
        java.util.TreeMap<Long, List<Block>> rollups = new java.util.TreeMap<>();
        for (Block b : current) {
            if (b.meta().resolution() != 0 && b.meta().minTime() <= maxt && b.meta().maxTime() > mint) {
                rollups.computeIfAbsent(b.meta().resolution(), k -> new ArrayList<>()).add(b);
            }
        }
        Querier raw = new RawQuerier(mint, maxt);
        Querier q = rollups.isEmpty() ? raw : new RollupQuerier(raw, mint, maxt, rollups, RawQuerier::new);
        TsdbStorage st = starts;
        return st == null ? q : StartTimes.querier(q, () -> st.querier(mint, maxt));
    }

    /**
     * Raw blocks and the head, each read taken from a block list and head that agree: a cut publishes its block and
     * then drops its samples from the head, so a read that took the list before the block was published and the
     * head's series after they were dropped would miss the cut's samples. A read notes {@link #headTruncations}, takes
     * the list, reads, and starts again if a cut began dropping samples from the head meanwhile.
     */
    private final class RawQuerier implements Querier {
        private final long mint;
        private final long maxt;
        /** Every block and head querier this querier opened; what it handed out reads them until it closes. */
        private final List<Querier> opened = new ArrayList<>();

        RawQuerier(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        /**
         * {@code read} on the blocks and head as they are, again if a cut truncated the head meanwhile; after
         * {@link #OPTIMISTIC_READS} such tries (cuts in quick succession, as in a backfill's catch-up) under the
         * maintenance lock, which holds cuts off until {@code read} returns. For a select that is the head's
         * snapshots: the blocks' series are decoded later, as the caller reads them (blocks do not change, and
         * a block querier keeps the tombstones it was opened with).
         */
        private <T> T consistent(java.util.function.Function<Querier, T> read) {
            for (int attempt = 1; ; attempt++) {
                if (attempt > OPTIMISTIC_READS) {
                    synchronized (maintenanceLock) {
                        return attempt(read, headTruncations.get());
                    }
                }
                T result = attempt(read, headTruncations.get());
                if (result != null) {
                    return result;
                }
            }
        }

        /** {@code read} on a querier of the blocks and head now; null (and the querier closed) if a cut began since. */
        private <T> T attempt(java.util.function.Function<Querier, T> read, long truncationsBefore) {
            Querier q = rawQuerier(blocks, mint, maxt);
            T result;
            try {
                result = read.apply(q);
            } catch (RuntimeException | Error e) {
                q.close();
                throw e;
            }
            if (headTruncations.get() != truncationsBefore) {
                q.close();
                return null;
            }
            synchronized (opened) {
                opened.add(q);
            }
            return result;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            return consistent(q -> q.select(sorted, hints, matchers));
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            return consistent(q -> q.labelNames(matchers));
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            return consistent(q -> q.labelValues(name, matchers));
        }

        @Override
        public void close() {
            synchronized (opened) {
                for (Querier q : opened) {
                    q.close();
                }
                opened.clear();
            }
        }
    }

    /** Reads of a {@link RawQuerier} tried before one under the maintenance lock. */
    private static final int OPTIMISTIC_READS = 4;

    /**
     * Cuts that began dropping samples from the head, counted after their block is published: see {@link RawQuerier}.
     */
    private final java.util.concurrent.atomic.AtomicLong headTruncations = new java.util.concurrent.atomic.AtomicLong();

    private Querier rawQuerier(List<Block> current, long mint, long maxt) {
        List<Querier> parts = new ArrayList<>();
        for (Block b : current) {
            if (b.meta().resolution() == 0 && b.meta().minTime() <= maxt && b.meta().maxTime() > mint) {
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
        // Serialised with maintenance: a block cut or rolled up from samples read before the delete
        // must not join the blocks after it.
        synchronized (maintenanceLock) {
            deleteLocked(mint, maxt, matchers);
        }
        TsdbStorage st = starts;
        if (st != null) {
            st.delete(mint, maxt, matchers);
        }
    }

    private void deleteLocked(long mint, long maxt, LabelMatcher... matchers) throws StorageException {
        for (Block b : blocks) {
            long r = b.meta().resolution();
            // A rollup window with deleted samples goes whole (its samples are stamped at the window's end).
            long from = r == 0 || mint == Long.MIN_VALUE ? mint : Math.floorDiv(mint, r) * r;
            long to = r == 0 || maxt == Long.MAX_VALUE || maxt > Long.MAX_VALUE - r ? maxt
                    : Math.floorDiv(maxt, r) * r + r - 1;
            try {
                b.delete(from, to, matchers);
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
        maintainStarts();
        synchronized (maintenanceLock) {
            long t0 = System.nanoTime();
            List<BlockMeta> cut = new ArrayList<>();
            long checkpointBytes = 0;
            long range = blockOptions.blockRangeMs();
            long hold = Math.max(head.options.outOfOrderWindowMs(), StorageOptions.IN_ORDER_GRACE_MS);
            // Up to the newest sample as of now: under heavy ingest new ranges become ready faster
            // than they are cut, and the checkpoint below must not wait for that to stop.
            long maxT = head.maxT.get();
            // At most MAX_CUTS_PER_RUN: a backfill can make dozens of ranges ready at once, and a run should
            // end (retention, and the checkpoint once it is due, below) before all of them are cut.
            while (!closed && cut.size() < MAX_CUTS_PER_RUN && rangeReady(maxT, range, hold)) {
                BlockMeta m = cut(Math.floorDiv(head.minTime(), range) * range + range);
                if (m != null) {
                    cut.add(m);
                }
            }
            // While ranges are still waiting to be cut (a backfill arriving), the checkpoint and the
            // compactions of this run would be redone by the next within seconds, and they compete with the
            // ingest for the CPU: they wait for the head to catch up, DEFER_MAX_NANOS at most, so that a long
            // backfill still truncates its log and merges its blocks. The log keeps every record meanwhile.
            long now = System.nanoTime();
            boolean backlog = !closed && rangeReady(head.maxT.get(), range, hold);
            if (!cut.isEmpty() || checkpointDeferred) {
                // A checkpoint rewrites every sample the head holds.
                if (backlog && now - lastCheckpointNanos < DEFER_MAX_NANOS) {
                    checkpointDeferred = true;
                } else {
                    checkpointBytes = checkpoint();
                    checkpointDeferred = false;
                    lastCheckpointNanos = System.nanoTime();
                }
            }
            // Before retention: a backfill of old data is rolled up before its raw blocks expire. A failure
            // here (a full disk...) must not stop retention and compaction.
            List<BlockMeta> downsampled = List.of();
            try {
                downsampled = downsample();
            } catch (StorageException | RuntimeException e) {
                LOG.atError().setCause(e).log("downsampling failed; it is retried at the next maintenance");
            }
            List<String> expired = applyRetention();
            List<BlockMeta> compacted = List.of();
            if (!backlog || now - lastCompactionNanos >= DEFER_MAX_NANOS) {
                compacted = compact();
                lastCompactionNanos = System.nanoTime();
            }
            expired.addAll(applySizeRetention());
            return new MaintenanceReport(cut, compacted, downsampled, expired, checkpointBytes,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * The companion store of start timestamps: its own cuts, compactions and time retention, then its blocks that end
     * before this store's oldest raw block go (whichever retention removed those samples, size retention included:
     * start times without samples serve nothing). A failure is logged, never stops this store's maintenance.
     */
    private void maintainStarts() {
        TsdbStorage st = starts;
        if (st == null) {
            return;
        }
        try {
            st.maintain();
            long oldest = Long.MAX_VALUE;
            for (Block b : blocks) {
                if (b.meta().resolution() == 0) {
                    oldest = Math.min(oldest, b.meta().minTime());
                }
            }
            if (oldest != Long.MAX_VALUE) {
                st.dropBlocksEndingBy(oldest);
            }
        } catch (StorageException | RuntimeException e) {
            LOG.atError().setCause(e).log("maintenance of the start timestamps' store failed; retried at the next");
        }
    }

    /** Removes the raw blocks that end at or before {@code t} (for a companion store). */
    private void dropBlocksEndingBy(long t) throws StorageException {
        synchronized (maintenanceLock) {
            List<Block> drop = new ArrayList<>();
            for (Block b : blocks) {
                if (b.meta().resolution() == 0 && b.meta().maxTime() <= t) {
                    drop.add(b);
                }
            }
            removeBlocks(drop, new ArrayList<>());
        }
    }

    /** Longest a checkpoint or a compaction waits for the head to catch up with its cuts. */
    static final long DEFER_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Under {@link #maintenanceLock}: a run cut ranges but left their checkpoint to a later run. */
    private boolean checkpointDeferred;
    private long lastCheckpointNanos = System.nanoTime();
    private long lastCompactionNanos = System.nanoTime();

    /** Whether the head holds a whole block range, older than the hold, ready to be cut. */
    private boolean rangeReady(long maxT, long range, long hold) {
        long minT = head.minTime();
        if (maxT == Long.MIN_VALUE || minT == Long.MAX_VALUE) {
            return false;
        }
        return maxT - (Math.floorDiv(minT, range) * range + range) >= hold;
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
            for (BlockMeta m : r.compacted()) {
                LOG.atInfo().addKeyValue("block", m.id()).addKeyValue("level", m.compaction().level())
                        .addKeyValue("min_time", m.minTime()).addKeyValue("max_time", m.maxTime())
                        .addKeyValue("bytes", m.files().index() + m.files().chunks()).log("blocks compacted");
            }
            for (BlockMeta m : r.downsampled()) {
                LOG.atInfo().addKeyValue("block", m.id()).addKeyValue("resolution_ms", m.resolution())
                        .addKeyValue("min_time", m.minTime()).addKeyValue("max_time", m.maxTime())
                        .addKeyValue("series", m.stats().numSeries())
                        .addKeyValue("bytes", m.files().index() + m.files().chunks()).log("blocks rolled up");
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
        List<BlockWriter.SeriesSource> sources = headSources(cutoff);
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
        headTruncations.incrementAndGet(); // after the block is published, before its samples leave the head
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

    /** The newest timestamp in the store, or Long.MIN_VALUE. */
    private long newest() {
        long newest = head.maxT.get();
        for (Block b : blocks) {
            newest = Math.max(newest, b.meta().maxTime() - 1);
        }
        return newest;
    }

    /**
     * Time retention: blocks wholly older than the retention go; with per-metric rules, samples past
     * their series' retention are marked deleted (tombstones), and {@link #compact()} rewrites the block.
     */
    private List<String> applyRetention() throws StorageException {
        List<String> expired = new ArrayList<>();
        if (blocks.isEmpty()) {
            return expired;
        }
        long newest = newest();
        List<Block> drop = new ArrayList<>();
        for (Block b : blocks) {
            long keep = blockOptions.retentionOf(b.meta().resolution());
            if (b.meta().resolution() != 0 && keep != 0 && b.meta().maxTime() <= newest - keep) {
                drop.add(b);
            }
        }
        long retention = blockOptions.retentionMs();
        List<RetentionRule> rules = blockOptions.rules();
        long longest = retention == 0 ? Long.MAX_VALUE : retention;
        for (RetentionRule r : rules) {
            longest = r.retentionMs() == 0 ? Long.MAX_VALUE : Math.max(longest, r.retentionMs());
        }
        List<List<LabelMatcher>> ruleMatchers = new ArrayList<>();
        long[] ruleCutoffs = new long[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            ruleMatchers.add(rules.get(i).matchers());
            ruleCutoffs[i] = cutoff(newest, rules.get(i).retentionMs());
        }
        for (Block b : blocks) {
            if (b.meta().resolution() != 0) {
                // Rollups: their resolution's retention (above); a rule shortens it for its series.
                if (!rules.isEmpty() && !drop.contains(b)) {
                    try {
                        b.retain(ruleMatchers, ruleCutoffs, Long.MIN_VALUE);
                    } catch (IOException e) {
                        throw new StorageException("cannot apply per-metric retention to " + b + ": " + e.getMessage(), e);
                    }
                }
                continue;
            }
            if (longest != Long.MAX_VALUE && b.meta().maxTime() <= newest - longest) {
                drop.add(b); // past every retention
                continue;
            }
            if (rules.isEmpty()) {
                continue;
            }
            try {
                b.retain(ruleMatchers, ruleCutoffs, cutoff(newest, retention));
            } catch (IOException e) {
                throw new StorageException("cannot apply per-metric retention to " + b + ": " + e.getMessage(), e);
            }
        }
        removeBlocks(drop, expired);
        return expired;
    }

    /**
     * Where a retention cuts, rounded down to a block range so that a block is rewritten for it at most
     * once per range, not at every check; Long.MIN_VALUE for no retention.
     */
    private long cutoff(long newest, long retentionMs) {
        if (retentionMs == 0) {
            return Long.MIN_VALUE;
        }
        long r = blockOptions.blockRangeMs();
        return Math.floorDiv(newest - retentionMs, r) * r;
    }

    /** Size retention: the oldest blocks go while blocks and WAL together exceed the limit. */
    private List<String> applySizeRetention() throws StorageException {
        List<String> expired = new ArrayList<>();
        long limit = blockOptions.retentionBytes();
        if (limit <= 0) {
            return expired;
        }
        long total;
        try {
            total = blocksBytes() + Math.max(0, head.wal.sizeBytes());
        } catch (IOException e) {
            throw new StorageException("cannot measure the WAL: " + e.getMessage(), e);
        }
        List<Block> drop = new ArrayList<>();
        for (Block b : blocks) {
            if (total <= limit) {
                break;
            }
            drop.add(b);
            total -= b.sizeBytes();
            if (b.meta().resolution() != 0) {
                // Raw blocks of that range may remain: do not roll them up again only to drop that too.
                notToRollUp.add(new long[] {b.meta().resolution(), b.meta().minTime(), b.meta().maxTime()});
            }
        }
        removeBlocks(drop, expired);
        return expired;
    }

    private void removeBlocks(List<Block> drop, List<String> removed) throws StorageException {
        if (drop.isEmpty()) {
            return;
        }
        List<Block> keep = new ArrayList<>(blocks);
        keep.removeAll(drop);
        blocks = List.copyOf(keep);
        for (Block b : drop) {
            try {
                Path gone = b.dir().resolveSibling(b.meta().id() + ".deleted");
                Files.move(b.dir(), gone, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(gone);
                removed.add(b.meta().id());
            } catch (IOException e) {
                throw new StorageException("cannot delete " + b + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Merges blocks into larger ranges (3, 9, 27... block ranges, aligned) once a range can receive no
     * more samples, and rewrites blocks that have deleted samples.
     */
    private List<BlockMeta> compact() throws StorageException {
        List<BlockMeta> out = new ArrayList<>();
        while (!closed) {
            List<Block> plan = plan();
            if (plan == null) {
                break;
            }
            BlockMeta meta;
            try {
                meta = Compactor.compact(blocksDir, plan);
                List<Block> next = new ArrayList<>(blocks);
                if (meta != null) {
                    next.add(Block.open(blocksDir.resolve(meta.id())));
                    out.add(meta);
                }
                next.removeAll(plan);
                next.sort(Comparator.comparingLong((Block x) -> x.meta().minTime()));
                blocks = List.copyOf(next);
            } catch (IOException | RuntimeException e) {
                throw new StorageException("cannot compact " + plan + ": " + e.getMessage(), e);
            }
            for (Block b : plan) {
                try {
                    Path gone = b.dir().resolveSibling(b.meta().id() + ".deleted");
                    Files.move(b.dir(), gone, StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(gone);
                } catch (IOException e) {
                    throw new StorageException("cannot delete compacted " + b + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** The next blocks to merge (all of one resolution), or null. */
    private List<Block> plan() {
        long settled = head.minValidTime.get();
        java.util.TreeSet<Long> resolutions = new java.util.TreeSet<>();
        for (Block b : blocks) {
            resolutions.add(b.meta().resolution());
        }
        for (long resolution : resolutions) {
            List<Block> group = plan(resolution, settled);
            if (group != null) {
                return group;
            }
        }
        for (Block b : blocks) {
            if (b.hasTombstones()) {
                return List.of(b);
            }
        }
        return null;
    }

    private List<Block> plan(long resolution, long settled) {
        for (long range : blockOptions.compactionRanges(blockOptions.retentionOf(resolution))) {
            java.util.TreeMap<Long, List<Block>> windows = new java.util.TreeMap<>();
            for (Block b : blocks) {
                if (b.meta().resolution() != resolution) {
                    continue;
                }
                long w = Math.floorDiv(b.meta().minTime(), range);
                if (b.meta().maxTime() <= (w + 1) * range && (w + 1) * range <= settled) {
                    windows.computeIfAbsent(w, k -> new ArrayList<>()).add(b);
                }
            }
            for (List<Block> group : windows.values()) {
                if (group.size() >= 2) {
                    return group;
                }
            }
        }
        return null;
    }

    /**
     * Rolls up the raw samples older than {@link Downsampling#afterMs} into each resolution, where
     * rollups of that resolution do not cover them yet: per raw block, from the start of its block
     * range to its last whole hour, reading every raw block that overlaps (a block written from a
     * snapshot may end mid-hour). At most {@link #MAX_ROLLUPS_PER_RUN} blocks per pass.
     */
    private List<BlockMeta> downsample() throws StorageException {
        List<BlockMeta> out = new ArrayList<>();
        Downsampling d = blockOptions.downsampling();
        if (!d.enabled() || closed) {
            return out;
        }
        long limit = newest() - d.afterMs();
        long range = blockOptions.blockRangeMs();
        for (long resolution : Downsampler.RESOLUTIONS) {
            for (Block raw : blocks) {
                if (raw.meta().resolution() != 0 || raw.meta().maxTime() > limit) {
                    continue;
                }
                long from = Math.floorDiv(raw.meta().minTime(), range) * range;
                long to = Math.floorDiv(raw.meta().maxTime(), Downsampler.ONE_HOUR) * Downsampler.ONE_HOUR;
                if (from >= to) {
                    continue;
                }
                for (long[] gap : uncovered(resolution, from, to)) {
                    if (closed || out.size() >= MAX_ROLLUPS_PER_RUN) {
                        return out;
                    }
                    if (skipped(resolution, gap)) {
                        continue;
                    }
                    List<Block> sources = new ArrayList<>();
                    for (Block b : blocks) {
                        if (b.meta().resolution() == 0 && b.meta().minTime() < gap[1] && b.meta().maxTime() > gap[0]) {
                            sources.add(b);
                        }
                    }
                    try {
                        BlockMeta m = Downsampler.write(blocksDir, sources, gap[0], gap[1], resolution);
                        if (m == null) {
                            // Raw blocks only lose samples: this range will never have any to roll up.
                            notToRollUp.add(new long[] {resolution, gap[0], gap[1]});
                            continue;
                        }
                        Block b = Block.open(blocksDir.resolve(m.id()));
                        List<Block> next = new ArrayList<>(blocks);
                        next.add(b);
                        next.sort(Comparator.comparingLong((Block x) -> x.meta().minTime()));
                        blocks = List.copyOf(next);
                        out.add(m);
                    } catch (IOException | RuntimeException e) {
                        throw new StorageException("cannot roll up [" + gap[0] + ", " + gap[1] + ") at " + resolution
                                + "ms: " + e.getMessage(), e);
                    }
                }
            }
        }
        return out;
    }

    /** Whether a range at a resolution is known to hold no raw samples, or had its rollups removed by size. */
    private boolean skipped(long resolution, long[] gap) {
        for (long[] n : notToRollUp) {
            if (n[0] == resolution && n[1] < gap[1] && n[2] > gap[0]) {
                return true;
            }
        }
        return false;
    }

    /** The parts of {@code [from, to)} no block of {@code resolution} covers (rollup blocks cover their whole range). */
    private List<long[]> uncovered(long resolution, long from, long to) {
        List<long[]> covered = new ArrayList<>();
        for (Block b : blocks) {
            if (b.meta().resolution() == resolution) {
                covered.add(new long[] {b.meta().minTime(), b.meta().maxTime()});
            }
        }
        covered.sort(Comparator.comparingLong(c -> c[0]));
        List<long[]> gaps = new ArrayList<>();
        long at = from;
        for (long[] c : covered) {
            if (c[1] <= at) {
                continue;
            }
            if (c[0] >= to) {
                break;
            }
            if (c[0] > at) {
                gaps.add(new long[] {at, c[0]});
            }
            at = Math.max(at, c[1]);
        }
        if (at < to) {
            gaps.add(new long[] {at, to});
        }
        return gaps;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }

    /**
     * The head alone, in one pass over its series (what Prometheus's {@code headStats} shows).
     *
     * @param series series with a sample in the head
     * @param chunks in-order chunks, closed and open (Prometheus's {@code prometheus_tsdb_head_chunks}); samples
     *     held out of order are not in chunks
     * @param minTime oldest sample, {@link Long#MAX_VALUE} when empty
     * @param maxTime newest sample, {@link Long#MIN_VALUE} when empty
     */
    public record HeadStats(long series, long chunks, long minTime, long maxTime) {}

    public HeadStats headStats() {
        long n = 0;
        long chunks = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (MemSeries s : head.byLabels.values()) {
            synchronized (s) {
                if (!s.isEmpty()) {
                    n++;
                    chunks += s.chunkCount();
                    min = Math.min(min, s.minTime());
                    max = Math.max(max, s.maxTime());
                }
            }
        }
        return new HeadStats(n, chunks, min, max);
    }

    /** A querier over the head only (the last hours), all of its time range. */
    public Querier headQuerier() {
        return new HeadQuerier(head, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Series in the head (all series until the first cut; afterwards those written within the last hours). */
    @Override
    public StorageStats stats() {
        HeadStats h = headStats();
        long min = h.minTime();
        long max = h.maxTime();
        for (Block b : blocks) {
            min = Math.min(min, b.meta().minTime());
            max = Math.max(max, b.meta().maxTime() - 1);
        }
        return new StorageStats(h.series(), min, max, head.appended.sum(), head.droppedAtCommit.sum());
    }

    /**
     * Writes a snapshot to {@code target} (created; must not exist): the blocks hard-linked (no copy;
     * they are immutable and tombstones are replaced, never rewritten in place), plus, unless
     * {@code skipHead}, a block of everything in the head. {@code target} is then a data directory of
     * its own: the store opens on it. Serialised with cuts and compactions.
     *
     * @return the blocks in the snapshot
     */
    public List<BlockMeta> snapshot(Path target, boolean skipHead) throws StorageException {
        synchronized (maintenanceLock) {
            Path blocksTarget = target.resolve("blocks");
            List<BlockMeta> out = new ArrayList<>();
            try {
                Files.createDirectories(target.getParent());
                Files.createDirectory(target);
                Files.createDirectory(blocksTarget);
                for (Block b : blocks) {
                    Path to = blocksTarget.resolve(b.meta().id());
                    Files.createDirectory(to);
                    try (Stream<Path> files = Files.list(b.dir())) {
                        for (Path f : (Iterable<Path>) files::iterator) {
                            String name = f.getFileName().toString();
                            if (!name.endsWith(".tmp")) {
                                linkOrCopy(f, to.resolve(name));
                            }
                        }
                    }
                    out.add(b.meta());
                }
                if (!skipHead) {
                    long maxT = head.maxT.get();
                    if (maxT != Long.MIN_VALUE) {
                        BlockMeta m = BlockWriter.write(blocksTarget, Long.MIN_VALUE, maxT + 1, 1, List.of(),
                                headSources(Long.MAX_VALUE));
                        if (m != null) {
                            out.add(m);
                        }
                    }
                }
                BlockWriter.forceDir(blocksTarget);
                TsdbStorage st = starts;
                if (st != null) {
                    st.snapshot(target.resolve(STARTS_DIR), skipHead); // laid out as in a data directory
                }
                return out;
            } catch (IOException | RuntimeException e) {
                throw new StorageException("cannot write a snapshot to " + target + ": " + e.getMessage(), e);
            }
        }
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(from, to); // another file system, or one without hard links
        }
    }

    /** The head's series in label order, each reading its samples before {@code end} when asked. */
    private List<BlockWriter.SeriesSource> headSources(long end) {
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
                        snap = s.snapshot(Long.MIN_VALUE, end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1);
                    }
                    return snap.iterator();
                }
            });
        }
        return sources;
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
        TsdbStorage st;
        synchronized (this) {
            closed = true;
            st = starts;
        }
        try {
            closeSamples();
        } finally {
            if (st != null) {
                st.close(); // after this store's maintenance thread, which maintains it, has stopped
            }
        }
    }

    private void closeSamples() throws StorageException {
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
