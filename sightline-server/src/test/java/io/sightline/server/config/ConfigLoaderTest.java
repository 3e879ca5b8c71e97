package io.sightline.server.config;

import io.sightline.scrape.ScrapeConfig;
import io.sightline.common.relabel.RelabelConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.server.auth.Scope;
import io.sightline.server.auth.TokenAuthenticator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    record BadConfig(String name, String yaml, String expectedMessage) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<BadConfig> badConfigs() {
        return Stream.of(
                new BadConfig("unknown top-level key with suggestion", "global: {}\nscrape_config: []\n",
                        "c.yml:2:1: scrape_config: unknown key \"scrape_config\", did you mean \"scrape_configs\"?"),
                new BadConfig("unknown key in global", "global:\n  scrape_intervall: 15s\n",
                        "c.yml:2:3: global.scrape_intervall: unknown key \"scrape_intervall\", did you mean \"scrape_interval\"?"),
                new BadConfig("bad duration", "global:\n  scrape_interval: fifteen\n",
                        "c.yml:2:20: global.scrape_interval: not a valid duration string: \"fifteen\""),
                new BadConfig("timeout above interval", "global:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n",
                        "c.yml:3:19: global.scrape_timeout: global scrape_timeout 20s is greater than scrape_interval 10s"),
                new BadConfig("invalid YAML", "global:\n  scrape_interval: [15s\n",
                        "c.yml:3:1: invalid YAML"),
                new BadConfig("duplicate key", "global:\n  scrape_interval: 15s\n  scrape_interval: 30s\n",
                        "c.yml:3:3: global.scrape_interval: key \"scrape_interval\" appears twice"),
                new BadConfig("scrape config without job_name", "scrape_configs:\n  - static_configs: []\n",
                        "c.yml:2:5: scrape_configs[0]: missing required key \"job_name\""),
                new BadConfig("duplicate job", "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
                        "c.yml:3:5: scrape_configs[1]: job_name \"a\" is used by another scrape config"),
                new BadConfig("job timeout above interval",
                        "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n",
                        "c.yml:4:21: scrape_configs[0].scrape_timeout: scrape_timeout 6s is greater than scrape_interval 5s"),
                new BadConfig("unsupported service discovery",
                        "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{role: pod}]\n",
                        "scrape_configs[0].kubernetes_sd_configs: kubernetes_sd_configs is not supported by Sightline"),
                new BadConfig("target with a path",
                        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:9100/metrics']\n",
                        "c.yml:4:19: scrape_configs[0].static_configs[0].targets[0]: target \"h:9100/metrics\" is not host:port"),
                new BadConfig("invalid label name",
                        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:1']\n        labels: {1zone: x}\n",
                        "labels.1zone: \"1zone\" is not a valid label name"),
                new BadConfig("two listeners on one port",
                        "listeners:\n  http: {address: ':9000'}\n  graphite: {address: ':9000'}\n",
                        "listeners: listeners.graphite uses TCP port 9000 like listeners.http; give each listener its own port"),
                new BadConfig("OTLP on any free port", "listeners:\n  otlp_http: {address: '127.0.0.1:0'}\n",
                        "c.yml:2:24: listeners.otlp_http.address: port 0 (any free port) is not supported here; give a port"),
                new BadConfig("bad StatsD timer type", "listeners:\n  statsd: {timer_type: gauge}\n",
                        "c.yml:2:24: listeners.statsd.timer_type: must be summary or histogram"),
                new BadConfig("StatsD buckets not increasing", "listeners:\n  statsd: {buckets: [1, 0.5]}\n",
                        "listeners.statsd: cannot aggregate StatsD: buckets [1.0, 0.5] must be finite and strictly increasing"),
                new BadConfig("StatsD quantile not a number", "listeners:\n  statsd: {quantiles: [half]}\n",
                        "c.yml:2:24: listeners.statsd.quantiles[0]: \"half\" is not a number"),
                new BadConfig("unknown StatsD key", "listeners:\n  statsd: {flush: 1s}\n",
                        "listeners.statsd.flush: unknown key \"flush\""),
                new BadConfig("bad scheme", "scrape_configs:\n  - job_name: a\n    scheme: ftp\n",
                        "c.yml:3:13: scrape_configs[0].scheme: must be http or https, got \"ftp\""),
                new BadConfig("bad relabel regex",
                        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n        regex: '(unclosed'\n        target_label: y\n",
                        "c.yml:5:16: scrape_configs[0].relabel_configs[0].regex: invalid regular expression \"(unclosed\""),
                new BadConfig("unknown relabel action",
                        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: replce\n        target_label: y\n",
                        "relabel_configs[0].action: unknown relabel action \"replce\""),
                new BadConfig("replace without target",
                        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n",
                        "c.yml:4:9: scrape_configs[0].relabel_configs[0]: relabel action replace requires target_label"),
                new BadConfig("hashmod without modulus",
                        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: y\n",
                        "relabel action hashmod requires a modulus greater than 0"),
                new BadConfig("basic auth and bearer together",
                        "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p}\n    bearer_token: t\n",
                        "at most one of basic_auth and authorization (or bearer_token) may be set"),
                new BadConfig("remote_write is not forwarding", "remote_write:\n  - url: http://x/api/v1/write\n",
                        "c.yml:2:3: remote_write: remote_write to another server is not supported"),
                new BadConfig("bad listen address", "listeners:\n  http:\n    address: localhost\n",
                        "c.yml:3:14: listeners.http.address: \"localhost\" is not host:port"),
                new BadConfig("port out of range", "listeners:\n  http:\n    address: ':70000'\n",
                        "port 70000 is out of range 0-65535"),
                new BadConfig("body limit too small", "limits:\n  max_request_body_size: 10\n",
                        "c.yml:2:26: limits.max_request_body_size: must be at least 1KiB, got 10 bytes"),
                new BadConfig("body limit not a size", "limits:\n  max_request_body_size: lots\n",
                        "limits.max_request_body_size: not a valid byte size: \"lots\""),
                new BadConfig("bad wal fsync", "storage:\n  wal:\n    fsync: sometimes\n",
                        "c.yml:3:12: storage.wal.fsync: must be always or periodic, got \"sometimes\""),
                new BadConfig("bad ooo window", "storage:\n  tsdb:\n    out_of_order_time_window: 1hour\n",
                        "c.yml:3:31: storage.tsdb.out_of_order_time_window: not a valid duration string: \"1hour\""),
                new BadConfig("too many significant digits", "storage:\n  tsdb:\n    significant_digits: 17\n",
                        "c.yml:3:25: storage.tsdb.significant_digits: must be between 0 and 15, got 17"),
                new BadConfig("block duration too short", "storage:\n  tsdb:\n    block_duration: 10s\n",
                        "c.yml:3:21: storage.tsdb.block_duration: must be between 1m and 1d, got 10s"),
                new BadConfig("downsampling asked for with blocks of half an hour",
                        "storage:\n  tsdb:\n    block_duration: 30m\n    downsampling:\n      enabled: true\n",
                        "storage.tsdb.downsampling: with downsampling on, the block duration must be a whole number"
                                + " of hours"),
                new BadConfig("hourly rollups dropped before 5 minute ones",
                        "storage:\n  tsdb:\n    downsampling:\n      retention_5m: 30d\n      retention_1h: 7d\n",
                        "storage.tsdb.downsampling: downsampling.retention_1h must be at least retention_5m"),
                new BadConfig("raw blocks expire before they are rolled up",
                        "storage:\n  tsdb:\n    retention_time: 1d\n    downsampling:\n      enabled: true\n",
                        "must be shorter than the retention time"),
                new BadConfig("retention rule not a selector",
                        "storage:\n  tsdb:\n    retention_rules:\n      - {selector: 'rate(x[5m])', retention: 1d}\n",
                        "storage.tsdb.retention_rules[0].selector: must be a series selector"),
                new BadConfig("retention rule bad selector",
                        "storage:\n  tsdb:\n    retention_rules:\n      - {selector: '{a=~\"(\"}', retention: 1d}\n",
                        "storage.tsdb.retention_rules[0].selector: not a valid selector"),
                new BadConfig("retention rule without retention",
                        "storage:\n  tsdb:\n    retention_rules:\n      - {selector: 'x'}\n",
                        "retention"),
                new BadConfig("negative series limit", "limits:\n  max_series: -1\n",
                        "c.yml:2:15: limits.max_series: must be between 0 and"),
                new BadConfig("token hash not hex", "auth:\n  tokens:\n    - {name: a, sha256: secret, scopes: [read]}\n",
                        "c.yml:3:25: auth.tokens[0].sha256: expected the SHA-256 of the token as 64 hex digits"),
                new BadConfig("unknown scope",
                        "auth:\n  tokens:\n    - name: a\n      sha256: " + "ab".repeat(32) + "\n      scopes: [root]\n",
                        "c.yml:5:16: auth.tokens[0].scopes[0]: unknown scope \"root\" (expected read, write or admin)"),
                new BadConfig("auth on without tokens", "auth:\n  enabled: true\n",
                        "auth is enabled but no tokens are configured"),
                new BadConfig("enabled not a bool", "auth:\n  enabled: maybe\n",
                        "c.yml:2:12: auth.enabled: expected true or false, got \"maybe\""),
                new BadConfig("list where mapping expected", "global:\n  - a\n",
                        "c.yml:2:3: global: expected a mapping (key: value lines), got a list"),
                new BadConfig("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n"
                        + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                        + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                        + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                        + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
                        "invalid YAML: Number of aliases for non-scalar nodes exceeds the specified max=20"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void parse_badConfig_failsWithLocationKeyAndReason(BadConfig c) {
        assertThatThrownBy(() -> ConfigLoader.parse("c.yml", c.yaml()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(c.expectedMessage())
                .hasNoCause();
    }

    @Test
    void defaults_areEmbedded() {
        SightlineConfig c = ConfigLoader.defaults();
        assertThat(c.listeners().http()).isEqualTo(new HostPort("0.0.0.0", 8321));
        assertThat(c.storage().path()).isEqualTo(Path.of("data"));
        assertThat(c.auth().enabled()).isFalse();
        assertThat(c.limits().maxRequestBodyBytes()).isEqualTo(64L << 20);
        assertThat(c.global().scrapeInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.global().scrapeTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void maxSamples_byDefault_fitsTheHeap_upToPrometheussDefault() throws Exception {
        long mib = 1L << 20;
        // Half of a 256 MiB heap for 4 queries at 64 bytes a sample; more queries allowed at once do not lower it.
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(4, 256 * mib)).isEqualTo(524_288L);
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(64, 256 * mib)).isEqualTo(524_288L);
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(2, 256 * mib)).isEqualTo(1_048_576L);
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(64, 4L << 30)).isEqualTo(8_388_608L);
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(4, 64L << 30)).isEqualTo(50_000_000L);
        assertThat(SightlineConfig.QueryConfig.defaultMaxSamples(4, 16 * mib)).isEqualTo(100_000L);
        long heap = Runtime.getRuntime().maxMemory();
        SightlineConfig.QueryConfig d = ConfigLoader.defaults().query();
        assertThat(d.maxSamples()).isEqualTo(SightlineConfig.QueryConfig.defaultMaxSamples(d.maxConcurrency(), heap));
        // Without max_samples, from the concurrency configured; given, as given.
        SightlineConfig c = ConfigLoader.parse("s.yml", "query:\n  max_concurrency: 1\n");
        assertThat(c.query().maxSamples()).isEqualTo(SightlineConfig.QueryConfig.defaultMaxSamples(1, heap));
        c = ConfigLoader.parse("s.yml", "query:\n  max_concurrency: 40\n  max_samples: 7\n");
        assertThat(c.query().maxSamples()).isEqualTo(7);
    }

    @Test
    void parse_prometheusYml_loadsUnchanged() throws Exception {
        String yaml = """
                # A typical prometheus.yml
                global:
                  scrape_interval: 15s
                  evaluation_interval: 30s
                  external_labels:
                    cluster: eu-1
                rule_files:
                  - "rules/*.yml"
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['localhost:9093']
                scrape_configs:
                  - job_name: prometheus
                    static_configs:
                      - targets: ['localhost:9090']
                  - job_name: node
                    scrape_interval: 5s
                    metrics_path: /metrics
                    params:
                      collect[]: [cpu, meminfo]
                    basic_auth:
                      username: u
                      password_file: /etc/secret
                    file_sd_configs:
                      - files: ['targets/*.json']
                        refresh_interval: 1m
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: '(.*):\\d+'
                        target_label: host
                        replacement: '$1'
                      - action: labeldrop
                        regex: 'tmp_.*'
                    metric_relabel_configs:
                      - source_labels: [__name__]
                        regex: 'go_.*'
                        action: drop
                """;
        SightlineConfig c = ConfigLoader.parse("prometheus.yml", yaml);
        assertThat(c.global().externalLabels()).isEqualTo(Labels.of("cluster", "eu-1"));
        assertThat(c.ruleFiles()).containsExactly("rules/*.yml");
        assertThat(c.alerting().alertmanagers()).hasSize(1);
        assertThat(c.scrapeConfigs()).hasSize(2);
        ScrapeConfig prom = c.scrapeConfigs().get(0);
        assertThat(prom.scrapeInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(prom.scrapeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(prom.honorTimestamps()).isTrue();
        ScrapeConfig node = c.scrapeConfigs().get(1);
        assertThat(node.scrapeInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(node.scrapeTimeout()).as("global timeout capped at the job interval").isEqualTo(Duration.ofSeconds(5));
        assertThat(node.params()).containsEntry("collect[]", java.util.List.of("cpu", "meminfo"));
        assertThat(node.http().basicAuth().passwordFile()).isEqualTo("/etc/secret");
        assertThat(node.fileSdConfigs().get(0).refreshInterval()).isEqualTo(Duration.ofMinutes(1));
        RelabelConfig r = node.relabelConfigs().get(0);
        assertThat(r.regex().matcher("host-1:9100").matches()).isTrue();
        assertThat(r.regex().matcher("host-1:9100/x").matches()).as("anchored like Prometheus").isFalse();
        assertThat(node.relabelConfigs().get(1).action()).isEqualTo(RelabelConfig.Action.LABELDROP);
        assertThat(node.metricRelabelConfigs().get(0).action()).isEqualTo(RelabelConfig.Action.DROP);
    }

    @Test
    void parse_sightlineSections() throws Exception {
        String hash = TokenAuthenticator.sha256Hex("s3cret");
        SightlineConfig c = ConfigLoader.parse("s.yml", """
                listeners:
                  http:
                    address: '[::1]:9999'
                storage:
                  path: /var/lib/sightline
                limits:
                  max_request_body_size: 16MiB
                auth:
                  tokens:
                    - name: grafana
                      sha256: %s
                      scopes: [read]
                """.formatted(hash));
        assertThat(c.listeners().http()).isEqualTo(new HostPort("::1", 9999));
        assertThat(c.storage().path()).isEqualTo(Path.of("/var/lib/sightline"));
        assertThat(c.limits().maxRequestBodyBytes()).isEqualTo(16L << 20);
        assertThat(c.auth().enabled()).isTrue();
        assertThat(c.auth().tokens().get(0).scopes()).containsExactly(Scope.READ);
    }

    @Test
    void parse_listeners_offByDefault_onWithTheirSection() throws Exception {
        SightlineConfig none = ConfigLoader.parse("s.yml", "listeners:\n  http: {address: ':8321'}\n  statsd:\n");
        assertThat(none.listeners().otlpGrpc()).isNull();
        assertThat(none.listeners().otlpHttp()).isNull();
        assertThat(none.listeners().graphite()).isNull();
        assertThat(none.listeners().statsd()).isNull();
        SightlineConfig c = ConfigLoader.parse("s.yml", """
                listeners:
                  otlp_grpc: {}
                  otlp_http: {enabled: false}
                  graphite: {max_connections: 8}
                  statsd:
                    address: 127.0.0.1:9125
                    flush_interval: 15s
                    timer_type: histogram
                    buckets: [0.01, 0.1, 1]
                    max_series: 500
                """);
        var l = c.listeners();
        assertThat(l.otlpGrpc()).isEqualTo(new HostPort("0.0.0.0", 4317));
        assertThat(l.otlpHttp()).isNull();
        assertThat(l.graphite()).isEqualTo(new SightlineConfig.GraphiteListenerConfig(new HostPort("0.0.0.0", 2003), 8));
        assertThat(l.statsd().address()).isEqualTo(new HostPort("127.0.0.1", 9125));
        assertThat(l.statsd().flushInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(l.statsd().aggregation().timerType())
                .isEqualTo(io.sightline.ingest.statsd.StatsdAggregator.TimerType.HISTOGRAM);
        assertThat(l.statsd().aggregation().buckets()).containsExactly(0.01, 0.1, 1.0);
        assertThat(l.statsd().aggregation().quantiles()).containsExactly(0.5, 0.9, 0.99);
        assertThat(l.statsd().aggregation().maxSeries()).isEqualTo(500);
    }

    @Test
    void parse_storageAndLimits_forTheMetricsEngine() throws Exception {
        SightlineConfig c = ConfigLoader.parse("s.yml", """
                storage:
                  path: /data
                  tsdb:
                    out_of_order_time_window: 30m
                    retention_time: 90d
                    retention_size: 50GiB
                    retention_rules:
                      - selector: '{__name__=~"debug_.*", env!="prod"}'
                        retention: 1d
                      - selector: slo_errors_total
                        retention: 400d
                    block_duration: 30m
                    significant_digits: 12
                  wal:
                    fsync: always
                    segment_size: 64MiB
                limits:
                  max_series: 100000
                  max_label_names_per_series: 30
                  max_label_name_length: 128
                  max_label_value_length: 2048
                """);
        assertThat(c.storage().outOfOrderWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.storage().retentionTime()).isEqualTo(Duration.ofDays(90));
        assertThat(c.storage().retentionSize()).isEqualTo(50L << 30);
        assertThat(c.storage().retentionRules()).hasSize(2);
        assertThat(c.storage().retentionRules().get(0).matchers()).hasSize(2);
        assertThat(c.storage().retentionRules().get(0).matchers().get(0).matches("debug_x")).isTrue();
        assertThat(c.storage().retentionRules().get(1).retention()).isEqualTo(Duration.ofDays(400));
        assertThat(c.storage().blockDuration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.storage().significantDigits()).isEqualTo(12);
        assertThat(io.sightline.server.lifecycle.TsdbOpener.storageOptions(c).storedValue(Math.PI))
                .isEqualTo(3.14159265359);
        assertThat(c.storage().walFsync()).isEqualTo(SightlineConfig.WalFsync.ALWAYS);
        assertThat(c.storage().walSegmentBytes()).isEqualTo(64L << 20);
        assertThat(c.limits().maxSeries()).isEqualTo(100_000);
        assertThat(c.limits().maxLabelNamesPerSeries()).isEqualTo(30);
        SightlineConfig d = ConfigLoader.defaults();
        assertThat(d.storage().outOfOrderWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(d.storage().retentionTime()).isEqualTo(Duration.ofDays(15));
        assertThat(d.storage().blockDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(d.storage().significantDigits()).as("exact by default").isZero();
        assertThat(d.storage().walFsync()).isEqualTo(SightlineConfig.WalFsync.PERIODIC);
        // Downsampling: on by default; off by default with blocks that do not hold whole hours.
        assertThat(d.storage().downsampling()).isEqualTo(new SightlineConfig.DownsamplingConfig(true,
                Duration.ofHours(40), Duration.ofDays(90), Duration.ofDays(365)));
        assertThat(c.storage().downsampling().enabled()).isFalse();
        SightlineConfig ds = ConfigLoader.parse("d.yml", """
                storage:
                  tsdb:
                    retention_time: 30d
                    downsampling:
                      after: 3d
                      retention_5m: 120d
                      retention_1h: 0s
                """);
        assertThat(ds.storage().downsampling()).isEqualTo(new SightlineConfig.DownsamplingConfig(true,
                Duration.ofDays(3), Duration.ofDays(120), Duration.ZERO));
    }

    @Test
    void load_missingOrNonUtf8File_isAClearError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yml")))
                .hasMessage(dir.resolve("nope.yml") + ": config file does not exist");
        Path bin = dir.resolve("bin.yml");
        Files.write(bin, new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        assertThatThrownBy(() -> ConfigLoader.load(bin)).hasMessage(bin + ": config file is not valid UTF-8");
        Path ok = dir.resolve("ok.yml");
        Files.writeString(ok, "global:\n  scrape_interval: 30s\n", StandardCharsets.UTF_8);
        assertThat(ConfigLoader.load(ok).global().scrapeInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    /** Property: random mutations of a valid config either load or fail with a located ConfigException. */
    @Test
    void parse_mutatedConfigs_neverThrowAnythingElse_seededRandom() {
        String base = """
                global:
                  scrape_interval: 15s
                  external_labels: {a: b}
                scrape_configs:
                  - job_name: x
                    static_configs: [{targets: ['h:1'], labels: {l: v}}]
                    relabel_configs: [{source_labels: [a], target_label: b, regex: '(.+)'}]
                limits: {max_request_body_size: 2MiB}
                """;
        String alphabet = ":-[]{}'\"&*!|>#%@ \n\t0123456789abcxyz_.";
        long seed = 7L;
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < 3_000; i++) {
            String text = io.sightline.testkit.Mutations.mutate(random, base, alphabet);
            try {
                ConfigLoader.parse("m.yml", text);
            } catch (ConfigException e) {
                assertThat(e.getMessage()).as("seed %d, case %d:%n%s", seed, i, text).startsWith("m.yml");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", case " + i + " threw " + e + " for:\n" + text, e);
            }
        }
    }
}
