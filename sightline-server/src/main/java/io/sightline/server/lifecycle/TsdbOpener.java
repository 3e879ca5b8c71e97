package io.sightline.server.lifecycle;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.server.StartupException;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.StorageStats;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the metrics engine in the data dir with the config's storage settings and limits, replaying
 * its WAL, and registers its figures in the self-metrics. The opened store is then available to the
 * endpoints through {@link #storage()}.
 */
public final class TsdbOpener implements StorageOpener {
    private static final Logger log = LoggerFactory.getLogger(TsdbOpener.class);
    /** Stats walk every series; scrapes within this many ms share one walk. */
    private static final long STATS_CACHE_MS = 5_000;

    private final SightlineConfig config;
    private final AtomicReference<TsdbStorage> storage = new AtomicReference<>();
    private final Wal.Progress walReplay = new Wal.Progress();
    private volatile StorageStats cachedStats;
    private volatile long cachedAt;

    public TsdbOpener(SightlineConfig config) {
        this.config = config;
    }

    /** The metrics engine options the configuration asks for. */
    public static StorageOptions storageOptions(SightlineConfig c) {
        var l = c.limits();
        return new StorageOptions(c.storage().outOfOrderWindow().toMillis(), new StorageOptions.Limits(
                l.maxSeries(), l.maxLabelNamesPerSeries(), l.maxLabelNameLength(), l.maxLabelValueLength()),
                c.storage().significantDigits());
    }

    static Wal.Options walOptions(SightlineConfig c) {
        var s = c.storage();
        return new Wal.Options(s.walSegmentBytes(),
                s.walFsync() == SightlineConfig.WalFsync.ALWAYS ? Wal.Sync.ALWAYS : Wal.Sync.PERIODIC,
                s.walFsyncInterval());
    }

    static TsdbStorage.BlockOptions blockOptions(SightlineConfig c) {
        var s = c.storage();
        java.util.List<TsdbStorage.RetentionRule> rules = new java.util.ArrayList<>();
        for (SightlineConfig.RetentionRuleConfig r : s.retentionRules()) {
            rules.add(new TsdbStorage.RetentionRule(r.matchers(), r.retention().toMillis()));
        }
        var d = s.downsampling();
        return new TsdbStorage.BlockOptions(s.blockDuration().toMillis(), s.retentionTime().toMillis(),
                s.retentionSize(), rules, TsdbStorage.BlockOptions.DEFAULTS.checkIntervalMs(),
                new TsdbStorage.Downsampling(d.enabled(), d.after().toMillis(), d.retention5m().toMillis(),
                        d.retention1h().toMillis()));
    }

    @Override
    public AutoCloseable open(DataDirectory dir, SelfMetrics metrics) throws StartupException {
        TsdbStorage s;
        try {
            s = TsdbStorage.open(dir.path(), storageOptions(config), walOptions(config).withProgress(walReplay),
                    blockOptions(config));
        } catch (StorageException e) {
            throw new StartupException("cannot open the metrics store in " + dir.path() + ": " + e.getMessage(), e);
        }
        Wal.ReplayReport r = s.replayReport();
        if (r.repair() != null) {
            log.atWarn().addKeyValue("repair", r.repair()).log("the write-ahead log was damaged and has been repaired");
        }
        if (s.unknownSeriesSamples() > 0) {
            log.atWarn().addKeyValue("samples", s.unknownSeriesSamples())
                    .log("samples in the write-ahead log belonged to series lost to a repair and were dropped");
        }
        for (String q : s.quarantinedBlocks()) {
            log.atError().addKeyValue("block", q).log("a block failed its checks and was quarantined; its samples are not served");
        }
        log.atInfo().addKeyValue("blocks", s.blocks().size()).addKeyValue("segments", r.segments()).addKeyValue("records", r.records())
                .addKeyValue("samples", s.replayedSamples()).addKeyValue("replay_ms", r.millis())
                .log("metrics store opened");
        register(metrics.registry(), s, r);
        storage.set(s);
        return s;
    }

    private StorageStats stats(TsdbStorage s) {
        long now = System.currentTimeMillis();
        StorageStats st = cachedStats;
        if (st == null || now - cachedAt > STATS_CACHE_MS) {
            st = s.stats();
            cachedStats = st;
            cachedAt = now;
        }
        return st;
    }

    private void register(MeterRegistry registry, TsdbStorage s, Wal.ReplayReport r) {
        Gauge.builder("sightline.tsdb.head.series", s, x -> stats(x).series())
                .description("Series with samples in the head.").register(registry);
        Gauge.builder("sightline.tsdb.head.min.time.seconds", s, x -> edge(stats(x).minTime(), Long.MAX_VALUE))
                .description("Oldest sample in the store (blocks and head), in Unix seconds (NaN when empty).").register(registry);
        Gauge.builder("sightline.tsdb.head.max.time.seconds", s, x -> edge(stats(x).maxTime(), Long.MIN_VALUE))
                .description("Newest sample in the store, in Unix seconds (NaN when empty).").register(registry);
        FunctionCounter.builder("sightline.tsdb.head.samples.appended", s, x -> stats(x).samplesAppended())
                .description("Samples accepted since start, replayed ones included.").register(registry);
        FunctionCounter.builder("sightline.tsdb.samples.dropped.at.commit", s, x -> stats(x).samplesDroppedAtCommit())
                .description("Samples accepted by append but in conflict with another commit at commit time.")
                .register(registry);
        Gauge.builder("sightline.tsdb.blocks.loaded", s, x -> x.blocks().size())
                .description("Blocks being served.").register(registry);
        Gauge.builder("sightline.tsdb.blocks.size.bytes", s, TsdbStorage::blocksBytes)
                .description("Bytes on disk of the blocks being served.").register(registry);
        for (String[] res : new String[][] {{"raw", "0"}, {"5m", "300000"}, {"1h", "3600000"}}) {
            long resolution = Long.parseLong(res[1]);
            Gauge.builder("sightline.tsdb.resolution.blocks", s, x -> x.blocks().stream()
                            .filter(m -> m.resolution() == resolution).count())
                    .description("Blocks being served, by resolution: raw samples, or rollups of 5m or 1h windows.")
                    .tag("resolution", res[0]).register(registry);
            Gauge.builder("sightline.tsdb.resolution.size.bytes", s, x -> x.blocks().stream()
                            .filter(m -> m.resolution() == resolution)
                            .mapToLong(m -> m.files().index() + m.files().chunks()).sum())
                    .description("Bytes of index and chunks of the blocks being served, by resolution.")
                    .tag("resolution", res[0]).register(registry);
        }
        Gauge.builder("sightline.tsdb.blocks.quarantined", s, x -> x.quarantinedBlocks().size())
                .description("Blocks that failed their checks at start and were moved to quarantine/.")
                .register(registry);
        Gauge.builder("sightline.tsdb.wal.replay.duration.seconds", () -> r.millis() / 1000.0)
                .description("How long the last start spent replaying the write-ahead log.").register(registry);
        Gauge.builder("sightline.tsdb.wal.repaired", () -> r.repair() == null ? 0 : 1)
                .description("1 if the last start found and repaired a damaged write-ahead log.").register(registry);
    }

    private static double edge(long t, long empty) {
        return t == empty ? Double.NaN : t / 1000.0;
    }

    /** The write-ahead log's replay at start: which segment it reads, then (done) the last. */
    public Wal.Progress walReplay() {
        return walReplay;
    }

    /** The open store, or null before {@link #open} has returned. */
    public Storage storage() {
        return storage.get();
    }
}
