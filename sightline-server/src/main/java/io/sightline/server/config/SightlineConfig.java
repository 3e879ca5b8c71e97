package io.sightline.server.config;

import io.sightline.common.http.HttpClientConfig;
import io.sightline.scrape.ScrapeConfig;
import io.sightline.scrape.StaticConfig;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.common.Labels;
import io.sightline.server.auth.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The whole configuration: Prometheus's {@code prometheus.yml} sections ({@code global},
 * {@code rule_files}, {@code scrape_configs}, {@code alerting}) plus Sightline's own ({@code listeners},
 * {@code storage}, {@code limits}, {@code auth}). Immutable; a reload builds a new one.
 *
 * @param source the file it was read from, or {@code (defaults)}
 */
public record SightlineConfig(
        String source,
        GlobalConfig global,
        List<String> ruleFiles,
        List<ScrapeConfig> scrapeConfigs,
        AlertingConfig alerting,
        ListenersConfig listeners,
        StorageConfig storage,
        LimitsConfig limits,
        QueryConfig query,
        AuthConfig auth,
        IngestConfig ingest) {

    public static final int DEFAULT_HTTP_PORT = 8321;

    public SightlineConfig withHttpAddress(HostPort address) {
        return new SightlineConfig(source, global, ruleFiles, scrapeConfigs, alerting, listeners.withHttp(address),
                storage, limits, query, auth, ingest);
    }

    public SightlineConfig withDataDir(Path dir) {
        return new SightlineConfig(source, global, ruleFiles, scrapeConfigs, alerting, listeners,
                storage.withPath(dir), limits, query, auth, ingest);
    }

    /**
     * {@code ingest}: what applies to every pushed sample (remote_write, Influx, text import).
     *
     * @param relabelConfigs Prometheus relabel rules run on each pushed series before it is stored; a
     *     series they drop (or leave without labels) is not stored, and not an error
     */
    public record IngestConfig(List<RelabelConfig> relabelConfigs) {}

    /** Prometheus's {@code global} section. */
    public record GlobalConfig(
            Duration scrapeInterval,
            Duration scrapeTimeout,
            Duration evaluationInterval,
            Duration ruleQueryOffset,
            Labels externalLabels,
            long sampleLimit,
            long bodySizeLimit) {}

    /**
     * Prometheus's {@code alerting} section (external Alertmanagers to forward alerts to, and the rules
     * that relabel alerts on their way) and the built-in notifier.
     *
     * @param notifier the {@code notifier:} section (an Alertmanager configuration, inline or from
     *     {@code config_file}); {@link io.sightline.alerting.notify.NotifierConfig#none()} when absent
     */
    public record AlertingConfig(List<AlertmanagerConfig> alertmanagers, List<RelabelConfig> alertRelabelConfigs,
            io.sightline.alerting.notify.NotifierConfig notifier) {}

    public record AlertmanagerConfig(
            String scheme,
            String pathPrefix,
            Duration timeout,
            String apiVersion,
            List<StaticConfig> staticConfigs,
            HttpClientConfig http,
            List<RelabelConfig> relabelConfigs) {}

    /**
     * {@code listeners}: where Sightline accepts connections. Only {@code http} is on by default; each
     * other listener is on when its section is present (and not {@code enabled: false}).
     *
     * @param otlpGrpc OTLP over gRPC (the OpenTelemetry default, port 4317), or null when off
     * @param otlpHttp OTLP over HTTP ({@code /v1/metrics}, port 4318), or null when off
     * @param graphite Graphite plaintext over TCP (port 2003), or null when off
     * @param statsd StatsD over UDP (port 8125), or null when off
     */
    public record ListenersConfig(HostPort http, HostPort otlpGrpc, HostPort otlpHttp, GraphiteListenerConfig graphite,
            StatsdListenerConfig statsd) {
        public ListenersConfig(HostPort http) {
            this(http, null, null, null, null);
        }

        public ListenersConfig withHttp(HostPort address) {
            return new ListenersConfig(address, otlpGrpc, otlpHttp, graphite, statsd);
        }
    }

    /**
     * {@code listeners.graphite}.
     *
     * @param maxConnections connections served at once; one more is closed at once and counted
     */
    public record GraphiteListenerConfig(HostPort address, int maxConnections) {
        public static final int DEFAULT_PORT = 2003;
    }

    /**
     * {@code listeners.statsd}.
     *
     * @param flushInterval how often the aggregated values are written (statsd's {@code flushInterval})
     * @param aggregation timer type, quantiles, buckets, series limit
     */
    public record StatsdListenerConfig(HostPort address, Duration flushInterval,
            io.sightline.ingest.statsd.StatsdAggregator.Options aggregation) {
        public static final int DEFAULT_PORT = 8125;
    }

    /**
     * {@code storage}: where data lives and how the metrics engine keeps it.
     *
     * @param outOfOrderWindow Prometheus's {@code storage.tsdb.out_of_order_time_window}
     * @param walFsync {@code always} (before each write is acknowledged) or {@code periodic}
     * @param retentionTime blocks older than this behind the newest sample are deleted; zero keeps all
     * @param retentionSize the oldest blocks are deleted while blocks and WAL exceed this many bytes; 0: no limit
     * @param retentionRules per-metric retention, first match wins
     * @param blockDuration range of the blocks cut from the head
     * @param downsampling rollups of old raw blocks into 5m and 1h windows
     * @param significantDigits values are stored rounded to this many significant digits; 0: exactly
     */
    public record StorageConfig(Path path, Duration outOfOrderWindow, WalFsync walFsync, Duration walFsyncInterval,
            long walSegmentBytes, Duration retentionTime, long retentionSize, List<RetentionRuleConfig> retentionRules,
            Duration blockDuration, DownsamplingConfig downsampling, int significantDigits) {
        public StorageConfig withPath(Path p) {
            return new StorageConfig(p, outOfOrderWindow, walFsync, walFsyncInterval, walSegmentBytes, retentionTime,
                    retentionSize, retentionRules, blockDuration, downsampling, significantDigits);
        }
    }

    /**
     * {@code storage.tsdb.downsampling}: raw blocks older than {@code after} are rolled up into 5-minute
     * and 1-hour windows kept for {@code retention5m} and {@code retention1h} (zero: for ever).
     */
    public record DownsamplingConfig(boolean enabled, Duration after, Duration retention5m, Duration retention1h) {}

    /**
     * {@code storage.tsdb.retention_rules[]}: series matching {@code selector} keep {@code retention}.
     *
     * @param selector as written, e.g. {@code {__name__=~"debug_.*"}}
     * @param matchers what it parsed to
     */
    public record RetentionRuleConfig(String selector, List<io.sightline.common.LabelMatcher> matchers,
            Duration retention) {}

    public enum WalFsync { ALWAYS, PERIODIC }

    /**
     * {@code limits}: bounds that protect the process from oversized input; 0 means none.
     *
     * @param maxRequestBodyBytes larger request bodies get 413
     * @param maxSeries series the metrics store holds at most
     */
    public record LimitsConfig(long maxRequestBodyBytes, long maxSeries, int maxLabelNamesPerSeries,
            int maxLabelNameLength, int maxLabelValueLength, long maxSeriesPerRequest) {
        public LimitsConfig(long maxRequestBodyBytes, long maxSeries, int maxLabelNamesPerSeries, int maxLabelNameLength,
                int maxLabelValueLength) {
            this(maxRequestBodyBytes, maxSeries, maxLabelNamesPerSeries, maxLabelNameLength, maxLabelValueLength, 0);
        }
    }

    /** {@code auth}: bearer tokens, stored as SHA-256 hashes. Off when {@code enabled} is false. */
    /**
     * {@code query}: how PromQL queries run. {@code maxSamples} bounds the samples one query may hold
     * at once (Prometheus's {@code --query.max-samples}); at most {@code maxConcurrency} queries run at
     * a time and the rest wait up to their timeout for a turn.
     */
    public record QueryConfig(Duration timeout, long maxSamples, long maxSeries, int maxConcurrency,
            Duration lookbackDelta) {
        /** Prometheus's default for {@code --query.max-samples}, and ours on a heap large enough for it. */
        public static final long PROMETHEUS_MAX_SAMPLES = 50_000_000L;
        /** The least {@link #defaultMaxSamples} gives, however small the heap. */
        public static final long MIN_DEFAULT_MAX_SAMPLES = 100_000L;
        /**
         * What a sample held by a query may take in all: its time and value, a copy where results are put together,
         * and the answer's JSON text (about 36 bytes a point), which is built whole before it is sent.
         */
        static final long BYTES_PER_HELD_SAMPLE = 64;
        /** How many queries holding their limit {@link #defaultMaxSamples} allows for at once. */
        static final int WORST_CASE_QUERIES = 4;

        public static QueryConfig defaults() {
            int concurrency = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            long samples = defaultMaxSamples(concurrency, Runtime.getRuntime().maxMemory());
            return new QueryConfig(Duration.ofMinutes(2), samples, 1_000_000L, concurrency, Duration.ofMinutes(5));
        }

        /**
         * The samples one query may hold by default: Prometheus's 50 million where the heap allows it, otherwise as
         * many as let {@link #WORST_CASE_QUERIES} queries (or {@code concurrency}, if fewer) holding that many each
         * stay within half of {@code maxHeapBytes} at {@link #BYTES_PER_HELD_SAMPLE} each, so that a query too large
         * for the heap fails with Prometheus's "too many samples" error instead of exhausting the heap. With
         * {@code -Xmx256m} (a maximum heap of about 247 MiB, the serial collector's survivor space left out) and 4
         * queries: 506,880.
         */
        public static long defaultMaxSamples(int concurrency, long maxHeapBytes) {
            int queries = Math.max(1, Math.min(concurrency, WORST_CASE_QUERIES));
            long fits = maxHeapBytes / 2 / (BYTES_PER_HELD_SAMPLE * queries);
            return Math.max(MIN_DEFAULT_MAX_SAMPLES, Math.min(PROMETHEUS_MAX_SAMPLES, fits));
        }
    }

    public record AuthConfig(boolean enabled, List<TokenConfig> tokens) {}

    /** One API token: a name for logs, the SHA-256 of the secret, and what it may do. */
    public record TokenConfig(String name, byte[] sha256, Set<Scope> scopes) {}
}
