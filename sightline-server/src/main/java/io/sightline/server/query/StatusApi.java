package io.sightline.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.server.BuildInfo;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** {@code /api/v1/status/*}: build and runtime information, flags, the config (secrets redacted) and TSDB statistics. */
public final class StatusApi {

    /** Values of these keys are secrets; the config endpoint shows {@code <secret>} instead. */
    private static final Pattern SECRET = Pattern.compile(
            "^(\\s*-?\\s*(?:[a-z_]*password|bearer_token|sha256|credentials|[a-z_]*secret|[a-z_]*token|routing_key"
                    + "|service_key|api_key|api_url)\\s*:\\s*).+$",
            Pattern.MULTILINE);

    private final Instant started = Instant.now();
    private final Supplier<SightlineConfig> config;
    private final SelfMetrics metrics;

    private final io.sightline.tsdb.wal.Wal.Progress walReplay;

    /** @param walReplay the store's write-ahead log replay at start, or null for a store without a log */
    public StatusApi(Supplier<SightlineConfig> config, SelfMetrics metrics,
            io.sightline.tsdb.wal.Wal.Progress walReplay) {
        this.config = config;
        this.metrics = metrics;
        this.walReplay = walReplay;
    }

    /**
     * {@code /api/v1/status/walreplay}: the first and last segment of the write-ahead log replayed at start and the
     * one being read ({@code current} reaches {@code max} when done), as Prometheus; all 0 without a log.
     */
    void walReplay(JsonGenerator g) throws IOException {
        int[] p = walReplay == null ? new int[3] : walReplay.snapshot();
        g.writeStartObject();
        g.writeNumberField("min", p[0]);
        g.writeNumberField("max", p[1]);
        g.writeNumberField("current", p[2]);
        g.writeEndObject();
    }

    /**
     * {@code /api/v1/alertmanagers}: where alerts are forwarded ({@code alerting.alertmanagers} after relabeling),
     * and the targets relabeling dropped, as Prometheus.
     */
    void alertmanagers(JsonGenerator g) throws IOException {
        List<io.sightline.server.config.AlertmanagerTargets.Target> targets =
                io.sightline.server.config.AlertmanagerTargets.resolve(config.get());
        g.writeStartObject();
        for (boolean dropped : new boolean[] {false, true}) {
            g.writeArrayFieldStart(dropped ? "droppedAlertmanagers" : "activeAlertmanagers");
            for (var t : targets) {
                if (t.dropped() == dropped) {
                    g.writeStartObject();
                    g.writeStringField("url", t.url());
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    void buildInfo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("version", BuildInfo.version());
        g.writeStringField("revision", BuildInfo.revision());
        g.writeStringField("branch", BuildInfo.branch());
        g.writeStringField("buildUser", ""); // not recorded: who built a release says nothing about it
        g.writeStringField("buildDate", BuildInfo.buildDate());
        g.writeStringField("goVersion", "java" + Runtime.version().feature());
        g.writeStringField("application", "Sightline");
        g.writeEndObject();
    }

    /** @param storage the open store, or null while it opens */
    void runtimeInfo(JsonGenerator g, Storage storage) throws IOException {
        SightlineConfig c = config.get();
        g.writeStartObject();
        g.writeStringField("startTime", started.toString());
        g.writeStringField("CWD", Path.of("").toAbsolutePath().toString());
        g.writeBooleanField("reloadConfigSuccess", metrics.lastReloadSuccessful());
        g.writeStringField("lastConfigTime", Instant.ofEpochSecond(metrics.lastReloadSuccessSeconds()).toString());
        // Prometheus counts the write-ahead log's corruptions repaired; Sightline repairs only while replaying it at
        // start, so this is 1 when that replay cut a damaged tail (logged then, and sightline_tsdb_wal_repaired).
        g.writeNumberField("corruptionCount", storage instanceof io.sightline.tsdb.head.TsdbStorage t
                && t.replayReport().repair() != null ? 1 : 0);
        g.writeNumberField("goroutineCount", Thread.activeCount());
        g.writeNumberField("GOMAXPROCS", Runtime.getRuntime().availableProcessors());
        g.writeStringField("GOGC", "");
        g.writeStringField("GODEBUG", "");
        g.writeStringField("storageRetention", c.storage().retentionTime().isZero() ? "unlimited"
                : io.sightline.common.PromDuration.format(c.storage().retentionTime()));
        g.writeStringField("storagePath", String.valueOf(c.storage().path()));
        g.writeEndObject();
    }

    void flags(JsonGenerator g) throws IOException {
        SightlineConfig c = config.get();
        Map<String, String> flags = new TreeMap<>();
        flags.put("config.file", c.source());
        flags.put("storage.tsdb.path", String.valueOf(c.storage().path()));
        flags.put("web.listen-address", c.listeners().http().toString());
        flags.put("storage.tsdb.retention.time", io.sightline.common.PromDuration.format(c.storage().retentionTime()));
        flags.put("storage.tsdb.min-block-duration", io.sightline.common.PromDuration.format(c.storage().blockDuration()));
        flags.put("storage.tsdb.out-of-order-time-window",
                io.sightline.common.PromDuration.format(c.storage().outOfOrderWindow()));
        flags.put("query.timeout", io.sightline.common.PromDuration.format(c.query().timeout()));
        flags.put("query.max-samples", Long.toString(c.query().maxSamples()));
        flags.put("query.max-series", Long.toString(c.query().maxSeries()));
        flags.put("query.max-concurrency", Integer.toString(c.query().maxConcurrency()));
        flags.put("query.lookback-delta", io.sightline.common.PromDuration.format(c.query().lookbackDelta()));
        g.writeStartObject();
        for (Map.Entry<String, String> e : flags.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** The config file as loaded (secrets redacted), or a note that the built-in defaults are in use. */
    void config(JsonGenerator g) throws IOException {
        SightlineConfig c = config.get();
        String yaml;
        Path file = c.source() == null ? null : Path.of(c.source());
        if (file != null && Files.isRegularFile(file)) {
            yaml = SECRET.matcher(Files.readString(file)).replaceAll("$1<secret>");
        } else {
            yaml = "# built-in defaults (no config file)\n";
        }
        g.writeStartObject();
        g.writeStringField("yaml", yaml);
        g.writeEndObject();
    }

    /**
     * Head statistics and the top {@code limit} metric names, label names and label pairs by series
     * count, over the head (the last hours) as in Prometheus: reading every block would cost a scan of
     * the whole retention.
     */
    void tsdb(JsonGenerator g, Storage storage, int limit) throws IOException {
        io.sightline.tsdb.head.TsdbStorage durable = storage instanceof io.sightline.tsdb.head.TsdbStorage t ? t : null;
        // The in-memory store keeps each series' samples in arrays: it has no chunks to count.
        io.sightline.tsdb.head.TsdbStorage.HeadStats head;
        if (durable != null) {
            head = durable.headStats();
        } else {
            StorageStats st = storage.stats();
            head = new io.sightline.tsdb.head.TsdbStorage.HeadStats(st.series(), 0, st.minTime(), st.maxTime());
        }
        Map<String, Integer> byName = new HashMap<>();
        Map<String, Integer> byPair = new HashMap<>();
        Map<String, java.util.Set<String>> valuesByLabel = new HashMap<>();
        Map<String, Long> bytesByLabel = new HashMap<>();
        long pairs = 0;
        try (Querier q = durable != null ? durable.headQuerier() : storage.querier(ApiParams.MIN_TIME, ApiParams.MAX_TIME)) {
            SeriesSet set = q.select(false, SelectHints.range(ApiParams.MIN_TIME, ApiParams.MAX_TIME),
                    LabelMatcher.regex(Labels.METRIC_NAME, ".+"));
            while (set.next()) {
                Labels l = set.at().labels();
                byName.merge(l.metricName(), 1, Integer::sum);
                for (int i = 0; i < l.size(); i++) {
                    byPair.merge(l.name(i) + "=" + l.value(i), 1, Integer::sum);
                    if (valuesByLabel.computeIfAbsent(l.name(i), x -> new java.util.HashSet<>()).add(l.value(i))) {
                        bytesByLabel.merge(l.name(i), (long) l.value(i).length(), Long::sum);
                        pairs++;
                    }
                }
            }
        } catch (StorageException e) {
            throw new io.sightline.promql.engine.QueryException(io.sightline.promql.engine.QueryException.Kind.EXECUTION,
                    "cannot read storage: " + e.getMessage());
        }
        Map<String, Long> valueCounts = new HashMap<>();
        valuesByLabel.forEach((k, v) -> valueCounts.put(k, (long) v.size()));
        g.writeStartObject();
        g.writeObjectFieldStart("headStats");
        g.writeNumberField("numSeries", head.series());
        g.writeNumberField("numLabelPairs", pairs);
        g.writeNumberField("chunkCount", head.chunks());
        g.writeNumberField("minTime", head.minTime());
        g.writeNumberField("maxTime", head.maxTime());
        g.writeEndObject();
        top(g, "seriesCountByMetricName", toLong(byName), limit);
        top(g, "labelValueCountByLabelName", valueCounts, limit);
        top(g, "memoryInBytesByLabelName", bytesByLabel, limit);
        top(g, "seriesCountByLabelValuePair", toLong(byPair), limit);
        g.writeEndObject();
    }

    private static Map<String, Long> toLong(Map<String, Integer> m) {
        Map<String, Long> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, (long) v));
        return out;
    }

    private static void top(JsonGenerator g, String field, Map<String, Long> counts, int limit) throws IOException {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        g.writeArrayFieldStart(field);
        for (int i = 0; i < Math.min(limit, entries.size()); i++) {
            g.writeStartObject();
            g.writeStringField("name", entries.get(i).getKey());
            g.writeNumberField("value", entries.get(i).getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
