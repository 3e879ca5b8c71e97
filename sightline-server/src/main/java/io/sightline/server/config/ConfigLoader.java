package io.sightline.server.config;

import io.sightline.scrape.StaticConfig;
import io.sightline.common.Labels;
import io.sightline.common.PromDuration;
import io.sightline.server.auth.Scope;
import io.sightline.server.config.SightlineConfig.AlertingConfig;
import io.sightline.server.config.SightlineConfig.AlertmanagerConfig;
import io.sightline.server.config.SightlineConfig.AuthConfig;
import io.sightline.server.config.SightlineConfig.GlobalConfig;
import io.sightline.server.config.SightlineConfig.LimitsConfig;
import io.sightline.server.config.SightlineConfig.ListenersConfig;
import io.sightline.server.config.SightlineConfig.StorageConfig;
import io.sightline.server.config.SightlineConfig.TokenConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads the YAML config: {@link #load(Path)} for a file, {@link #defaults()} when there is none. Every
 * failure is a {@link ConfigException} whose message starts with {@code file:line:col} and names the key.
 */
public final class ConfigLoader {
    /** Config files are small; anything larger is a mistake (a data file passed by accident). */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    static final long DEFAULT_MAX_REQUEST_BODY = 64L * 1024 * 1024;

    private ConfigLoader() {}

    /** The embedded defaults: listen on {@code 0.0.0.0:8321}, data in {@code ./data}, no auth. */
    public static SightlineConfig defaults() {
        try {
            return parse("(defaults)", "");
        } catch (ConfigException e) {
            throw new IllegalStateException("BUG: the empty config does not load: " + e.getMessage(), e);
        }
    }

    public static SightlineConfig load(Path file) throws ConfigException {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(file + ": config file is " + size + " bytes; the limit is " + MAX_FILE_BYTES);
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file does not exist");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": config file is not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses config text; {@code fileName} is used in messages only. */
    public static SightlineConfig parse(String fileName, String text) throws ConfigException {
        try {
            return bind(fileName, YamlNode.parse(fileName, text));
        } catch (ConfigException.Unchecked e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static SightlineConfig bind(String source, YamlNode root) {
        YamlNode.Mapping top = root.mapping("global", "rule_files", "scrape_configs", "alerting", "notifier", "listeners",
                "storage", "limits", "query", "auth", "ingest", "remote_write", "remote_read");
        for (String forwarding : List.of("remote_write", "remote_read")) {
            if (top.has(forwarding)) {
                throw top.required(forwarding).error(forwarding + " to another server is not supported; Sightline"
                        + " itself receives remote_write at /api/v1/write and serves remote read at /api/v1/read");
            }
        }
        GlobalConfig global = top.get("global").map(ConfigLoader::global).orElseGet(() -> global(null));
        List<String> ruleFiles = new ArrayList<>();
        for (YamlNode n : top.list("rule_files")) {
            String glob = n.string();
            if (glob.isEmpty()) {
                throw n.error("rule file pattern must not be empty");
            }
            ruleFiles.add(glob);
        }
        return new SightlineConfig(
                source,
                global,
                List.copyOf(ruleFiles),
                ScrapeConfigParser.scrapeConfigs(top.list("scrape_configs"), global),
                withNotifier(top.get("alerting").map(ConfigLoader::alerting)
                        .orElse(new AlertingConfig(List.of(), List.of(), null)), top.get("notifier").orElse(null), source),
                listeners(top.get("listeners").orElse(null)),
                storage(top.get("storage").orElse(null)),
                limits(top.get("limits").orElse(null)),
                query(top.get("query").orElse(null)),
                auth(top.get("auth").orElse(null)),
                ingest(top.get("ingest").orElse(null)));
    }

    private static SightlineConfig.IngestConfig ingest(YamlNode n) {
        if (n == null) {
            return new SightlineConfig.IngestConfig(List.of());
        }
        YamlNode.Mapping m = n.mapping("relabel_configs");
        return new SightlineConfig.IngestConfig(List.copyOf(ScrapeConfigParser.relabelConfigs(m.list("relabel_configs"))));
    }

    private static GlobalConfig global(YamlNode n) {
        YamlNode.Mapping m = n == null ? null : n.mapping("scrape_interval", "scrape_timeout", "evaluation_interval",
                "rule_query_offset", "external_labels", "sample_limit", "body_size_limit");
        if (m == null) {
            return new GlobalConfig(Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ZERO,
                    Labels.empty(), 0, 0);
        }
        Duration interval = m.duration("scrape_interval", Duration.ofMinutes(1));
        if (interval.isZero()) {
            throw m.required("scrape_interval").error("must be greater than 0s");
        }
        Duration timeout = m.duration("scrape_timeout", Duration.ofSeconds(10));
        if (m.has("scrape_timeout") && timeout.compareTo(interval) > 0) {
            throw m.required("scrape_timeout").error("global scrape_timeout " + PromDuration.format(timeout)
                    + " is greater than scrape_interval " + PromDuration.format(interval));
        }
        if (!m.has("scrape_timeout") && timeout.compareTo(interval) > 0) {
            timeout = interval;
        }
        Duration evaluation = m.duration("evaluation_interval", Duration.ofMinutes(1));
        if (evaluation.isZero()) {
            throw m.required("evaluation_interval").error("must be greater than 0s");
        }
        Labels external = ScrapeConfigParser.labels(m, "external_labels");
        if (external.has(Labels.METRIC_NAME)) {
            throw m.required("external_labels").error("__name__ is not allowed as an external label");
        }
        return new GlobalConfig(interval, timeout, evaluation, m.duration("rule_query_offset", Duration.ZERO), external,
                m.integer("sample_limit", 0, 0, Long.MAX_VALUE), m.byteSize("body_size_limit", 0));
    }

    private static AlertingConfig alerting(YamlNode n) {
        YamlNode.Mapping m = n.mapping("alertmanagers", "alert_relabel_configs");
        List<AlertmanagerConfig> ams = new ArrayList<>();
        for (YamlNode am : m.list("alertmanagers")) {
            List<String> keys = new ArrayList<>(List.of("scheme", "path_prefix", "timeout", "api_version",
                    "static_configs", "relabel_configs"));
            keys.addAll(ScrapeConfigParser.httpClientKeys());
            YamlNode.Mapping a = am.mapping(keys.toArray(String[]::new));
            String scheme = a.string("scheme", "http");
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw a.required("scheme").error("must be http or https, got \"" + scheme + "\"");
            }
            String api = a.string("api_version", "v2");
            if (!api.equals("v2")) {
                throw a.required("api_version").error("only Alertmanager API v2 is supported, got \"" + api + "\"");
            }
            List<StaticConfig> statics = new ArrayList<>();
            for (YamlNode s : a.list("static_configs")) {
                statics.add(ScrapeConfigParser.staticConfig(s));
            }
            ams.add(new AlertmanagerConfig(scheme, a.string("path_prefix", "/"), a.duration("timeout", Duration.ofSeconds(10)),
                    api, List.copyOf(statics), ScrapeConfigParser.httpClient(a),
                    ScrapeConfigParser.relabelConfigs(a.list("relabel_configs"))));
        }
        return new AlertingConfig(List.copyOf(ams), ScrapeConfigParser.relabelConfigs(m.list("alert_relabel_configs")), null);
    }

    /**
     * {@code notifier:}: an Alertmanager configuration inline, or {@code {config_file: PATH}} (relative to
     * this file's directory), checked as Alertmanager checks it.
     */
    private static AlertingConfig withNotifier(AlertingConfig a, YamlNode n, String source) {
        io.sightline.alerting.notify.NotifierConfig notifier = io.sightline.alerting.notify.NotifierConfig.none();
        if (n != null) {
            try {
                org.yaml.snakeyaml.nodes.Node raw = n.raw();
                if (raw instanceof org.yaml.snakeyaml.nodes.MappingNode m && m.getValue().size() == 1
                        && m.getValue().get(0).getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k
                        && k.getValue().equals("config_file")) {
                    YamlNode.Mapping cm = n.mapping("config_file");
                    String file = cm.string("config_file", "");
                    java.nio.file.Path base = java.nio.file.Path.of(source).toAbsolutePath().getParent();
                    java.nio.file.Path path = base == null ? java.nio.file.Path.of(file) : base.resolve(file);
                    String text;
                    try {
                        text = java.nio.file.Files.readString(path);
                    } catch (java.io.IOException e) {
                        throw cm.required("config_file").error("cannot read the notifier config file " + path + ": " + e.getMessage());
                    }
                    notifier = io.sightline.alerting.notify.NotifierConfigParser.parse(path.toString(), text);
                } else {
                    notifier = io.sightline.alerting.notify.NotifierConfigParser.parse(n.file(), raw);
                }
            } catch (io.sightline.alerting.notify.NotifierConfigException e) {
                throw new ConfigException.Unchecked(e.getMessage() + " (notifier)");
            }
        }
        return new AlertingConfig(a.alertmanagers(), a.alertRelabelConfigs(), notifier);
    }

    private static ListenersConfig listeners(YamlNode n) {
        HostPort http = new HostPort("0.0.0.0", SightlineConfig.DEFAULT_HTTP_PORT);
        if (n == null) {
            return new ListenersConfig(http);
        }
        YamlNode.Mapping m = n.mapping("http", "otlp_grpc", "otlp_http", "graphite", "statsd");
        if (m.has("http")) {
            http = address(m.required("http").mapping("address"), http);
        }
        HostPort otlpGrpc = null;
        HostPort otlpHttp = null;
        SightlineConfig.GraphiteListenerConfig graphite = null;
        SightlineConfig.StatsdListenerConfig statsd = null;
        YamlNode.Mapping g = enabledSection(m, "otlp_grpc", "address");
        if (g != null) {
            otlpGrpc = fixedPort(g, address(g, new HostPort("0.0.0.0", 4317)));
        }
        YamlNode.Mapping h = enabledSection(m, "otlp_http", "address");
        if (h != null) {
            otlpHttp = fixedPort(h, address(h, new HostPort("0.0.0.0", 4318)));
        }
        YamlNode.Mapping gr = enabledSection(m, "graphite", "address", "max_connections");
        if (gr != null) {
            graphite = new SightlineConfig.GraphiteListenerConfig(
                    address(gr, new HostPort("0.0.0.0", SightlineConfig.GraphiteListenerConfig.DEFAULT_PORT)),
                    (int) gr.integer("max_connections", 64, 1, 10_000));
        }
        YamlNode.Mapping sd = enabledSection(m, "statsd", "address", "flush_interval", "timer_type", "quantiles", "buckets",
                "max_series");
        if (sd != null) {
            statsd = statsd(sd);
        }
        java.util.Map<String, HostPort> tcp = new java.util.LinkedHashMap<>();
        tcp.put("http", http);
        tcp.put("otlp_grpc", otlpGrpc);
        tcp.put("otlp_http", otlpHttp);
        tcp.put("graphite", graphite == null ? null : graphite.address());
        java.util.Map<Integer, String> byPort = new java.util.HashMap<>();
        tcp.forEach((name, hp) -> {
            if (hp != null && hp.port() != 0) {
                String other = byPort.putIfAbsent(hp.port(), name);
                if (other != null) {
                    throw m.owner().error("listeners." + name + " uses TCP port " + hp.port() + " like listeners." + other
                            + "; give each listener its own port");
                }
            }
        });
        return new ListenersConfig(http, otlpGrpc, otlpHttp, graphite, statsd);
    }

    /** The mapping of an optional listener, or null when absent or {@code enabled: false}. */
    private static YamlNode.Mapping enabledSection(YamlNode.Mapping m, String key, String... allowed) {
        if (!m.has(key)) {
            return null;
        }
        YamlNode node = m.required(key); // "statsd: {}": on, with the defaults; "statsd:" (null) is absent
        List<String> keys = new ArrayList<>(List.of(allowed));
        keys.add("enabled");
        YamlNode.Mapping s = node.mapping(keys.toArray(String[]::new));
        return s.bool("enabled", true) ? s : null;
    }

    /** The OTLP ports are served by the HTTP server, which routes requests by port: it must be known. */
    private static HostPort fixedPort(YamlNode.Mapping m, HostPort hp) {
        if (hp.port() == 0) {
            throw m.required("address").error("port 0 (any free port) is not supported here; give a port");
        }
        return hp;
    }

    private static HostPort address(YamlNode.Mapping m, HostPort dflt) {
        if (!m.has("address")) {
            return dflt;
        }
        YamlNode a = m.required("address");
        try {
            return HostPort.parse(a.string());
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    private static SightlineConfig.StatsdListenerConfig statsd(YamlNode.Mapping m) {
        HostPort address = address(m, new HostPort("0.0.0.0", SightlineConfig.StatsdListenerConfig.DEFAULT_PORT));
        Duration flush = m.duration("flush_interval", Duration.ofSeconds(10));
        if (flush.toMillis() < 100) {
            throw m.required("flush_interval").error("must be at least 100ms");
        }
        var defaults = io.sightline.ingest.statsd.StatsdAggregator.Options.defaults();
        var timerType = defaults.timerType();
        if (m.has("timer_type")) {
            YamlNode t = m.required("timer_type");
            timerType = switch (t.string()) {
                case "summary" -> io.sightline.ingest.statsd.StatsdAggregator.TimerType.SUMMARY;
                case "histogram" -> io.sightline.ingest.statsd.StatsdAggregator.TimerType.HISTOGRAM;
                default -> throw t.error("must be summary or histogram");
            };
        }
        List<Double> quantiles = m.has("quantiles") ? floats(m.required("quantiles")) : defaults.quantiles();
        List<Double> buckets = m.has("buckets") ? floats(m.required("buckets")) : defaults.buckets();
        int maxSeries = (int) m.integer("max_series", defaults.maxSeries(), 1, 10_000_000);
        try {
            return new SightlineConfig.StatsdListenerConfig(address, flush,
                    new io.sightline.ingest.statsd.StatsdAggregator.Options(timerType, quantiles, buckets, maxSeries));
        } catch (IllegalArgumentException e) {
            throw m.owner().error(e.getMessage());
        }
    }

    private static List<Double> floats(YamlNode n) {
        List<Double> out = new ArrayList<>();
        for (YamlNode item : n.list()) {
            String s = item.string();
            try {
                out.add(io.sightline.common.GoFloat.parse(s));
            } catch (NumberFormatException e) {
                throw item.error("\"" + s + "\" is not a number");
            }
        }
        return out;
    }

    private static StorageConfig storage(YamlNode n) {
        Path path = Path.of("data");
        Duration ooo = Duration.ofHours(1);
        SightlineConfig.WalFsync fsync = SightlineConfig.WalFsync.PERIODIC;
        Duration fsyncInterval = Duration.ofSeconds(1);
        long segment = 128L << 20;
        Duration retention = Duration.ofDays(15);
        long retentionSize = 0;
        List<SightlineConfig.RetentionRuleConfig> rules = new ArrayList<>();
        Duration blockDuration = Duration.ofHours(2);
        var dd = io.sightline.tsdb.head.TsdbStorage.Downsampling.DEFAULTS;
        Duration after = Duration.ofMillis(dd.afterMs());
        Duration retention5m = Duration.ofMillis(dd.retention5mMs());
        Duration retention1h = Duration.ofMillis(dd.retention1hMs());
        Boolean downsample = null;
        YamlNode downsamplingNode = null;
        int significantDigits = io.sightline.tsdb.SignificantDigits.EXACT;
        if (n != null) {
            YamlNode.Mapping m = n.mapping("path", "tsdb", "wal");
            if (m.has("path")) {
                YamlNode p = m.required("path");
                if (p.string().isEmpty()) {
                    throw p.error("must not be empty");
                }
                try {
                    path = Path.of(p.string());
                } catch (java.nio.file.InvalidPathException e) {
                    throw p.error("not a valid path: " + e.getMessage());
                }
            }
            if (m.has("tsdb")) {
                YamlNode.Mapping t = m.required("tsdb").mapping("out_of_order_time_window", "retention_time",
                        "retention_size", "retention_rules", "block_duration", "downsampling", "significant_digits");
                ooo = t.duration("out_of_order_time_window", ooo);
                significantDigits = (int) t.integer("significant_digits", significantDigits,
                        io.sightline.tsdb.SignificantDigits.EXACT, io.sightline.tsdb.SignificantDigits.MAX);
                retention = t.duration("retention_time", retention);
                retentionSize = t.byteSize("retention_size", retentionSize);
                if (t.has("retention_rules")) {
                    for (YamlNode item : t.required("retention_rules").list()) {
                        YamlNode.Mapping r = item.mapping("selector", "retention");
                        YamlNode sel = r.required("selector");
                        io.sightline.promql.ast.Expr e;
                        try {
                            e = io.sightline.promql.parser.Parser.parse(sel.string());
                        } catch (io.sightline.promql.parser.ParseException ex) {
                            throw sel.error("not a valid selector: " + ex.getMessage());
                        }
                        if (!(e instanceof io.sightline.promql.ast.Expr.VectorSelector vs) || vs.offset() != null
                                || vs.at() != null) {
                            throw sel.error("must be a series selector such as {__name__=~\"debug_.*\"}, got \""
                                    + sel.string() + "\"");
                        }
                        r.required("retention");
                        rules.add(new SightlineConfig.RetentionRuleConfig(sel.string(), vs.matchers(),
                                r.duration("retention", Duration.ZERO)));
                    }
                }
                blockDuration = t.duration("block_duration", blockDuration);
                if (blockDuration.compareTo(Duration.ofMinutes(1)) < 0 || blockDuration.compareTo(Duration.ofDays(1)) > 0) {
                    throw t.required("block_duration").error("must be between 1m and 1d, got " + io.sightline.common.PromDuration.format(blockDuration));
                }
                if (t.has("downsampling")) {
                    downsamplingNode = t.required("downsampling");
                    YamlNode.Mapping d = downsamplingNode.mapping("enabled", "after", "retention_5m", "retention_1h");
                    if (d.has("enabled")) {
                        downsample = d.bool("enabled", true);
                    }
                    after = d.duration("after", after);
                    retention5m = d.duration("retention_5m", retention5m);
                    retention1h = d.duration("retention_1h", retention1h);
                }
            }
            if (m.has("wal")) {
                YamlNode.Mapping w = m.required("wal").mapping("fsync", "fsync_interval", "segment_size");
                if (w.has("fsync")) {
                    YamlNode f = w.required("fsync");
                    fsync = switch (f.string()) {
                        case "always" -> SightlineConfig.WalFsync.ALWAYS;
                        case "periodic" -> SightlineConfig.WalFsync.PERIODIC;
                        default -> throw f.error("must be always or periodic, got \"" + f.string() + "\"");
                    };
                }
                fsyncInterval = w.duration("fsync_interval", fsyncInterval);
                if (fsyncInterval.isZero()) {
                    throw w.required("fsync_interval").error("must be greater than 0s");
                }
                segment = w.byteSize("segment_size", segment);
                if (segment < (1 << 20)) {
                    throw w.required("segment_size").error("must be at least 1MiB, got " + segment + " bytes");
                }
            }
        }
        // On unless turned off, or unless the blocks cannot hold whole hours of rollups (then only when
        // asked for, which is refused below with the reason).
        boolean wholeHours = blockDuration.toMillis() % 3_600_000L == 0;
        boolean beforeExpiry = retention.isZero() || after.compareTo(retention) < 0;
        boolean enabled = downsample != null ? downsample : wholeHours && beforeExpiry;
        try {
            new io.sightline.tsdb.head.TsdbStorage.BlockOptions(blockDuration.toMillis(), retention.toMillis(), 0,
                    List.of(), 0, new io.sightline.tsdb.head.TsdbStorage.Downsampling(enabled, after.toMillis(),
                            retention5m.toMillis(), retention1h.toMillis()));
        } catch (IllegalArgumentException e) {
            throw (downsamplingNode != null ? downsamplingNode : n).error(e.getMessage());
        }
        return new StorageConfig(path, ooo, fsync, fsyncInterval, segment, retention, retentionSize, List.copyOf(rules),
                blockDuration, new SightlineConfig.DownsamplingConfig(enabled, after, retention5m, retention1h),
                significantDigits);
    }

    private static LimitsConfig limits(YamlNode n) {
        if (n == null) {
            return new LimitsConfig(DEFAULT_MAX_REQUEST_BODY, 0, 0, 0, 0);
        }
        YamlNode.Mapping m = n.mapping("max_request_body_size", "max_series", "max_label_names_per_series",
                "max_label_name_length", "max_label_value_length", "max_series_per_request");
        long body = m.byteSize("max_request_body_size", DEFAULT_MAX_REQUEST_BODY);
        if (body < 1024) {
            throw m.required("max_request_body_size").error("must be at least 1KiB, got " + body + " bytes");
        }
        return new LimitsConfig(body,
                m.integer("max_series", 0, 0, Long.MAX_VALUE),
                (int) m.integer("max_label_names_per_series", 0, 0, Integer.MAX_VALUE),
                (int) m.integer("max_label_name_length", 0, 0, Integer.MAX_VALUE),
                (int) m.integer("max_label_value_length", 0, 0, Integer.MAX_VALUE),
                m.integer("max_series_per_request", 0, 0, Long.MAX_VALUE));
    }

    private static SightlineConfig.QueryConfig query(YamlNode n) {
        SightlineConfig.QueryConfig d = SightlineConfig.QueryConfig.defaults();
        if (n == null) {
            return d;
        }
        YamlNode.Mapping m = n.mapping("timeout", "max_samples", "max_series", "max_concurrency", "lookback_delta");
        Duration timeout = m.duration("timeout", d.timeout());
        if (timeout.isZero() || timeout.isNegative()) {
            throw m.required("timeout").error("must be greater than 0");
        }
        Duration lookback = m.duration("lookback_delta", d.lookbackDelta());
        if (lookback.toMillis() < 1) {
            throw m.required("lookback_delta").error("must be at least 1ms");
        }
        int concurrency = (int) m.integer("max_concurrency", d.maxConcurrency(), 1, 10_000);
        long samples = SightlineConfig.QueryConfig.defaultMaxSamples(concurrency, Runtime.getRuntime().maxMemory());
        return new SightlineConfig.QueryConfig(timeout,
                m.integer("max_samples", samples, 1, Long.MAX_VALUE),
                m.integer("max_series", d.maxSeries(), 0, Long.MAX_VALUE),
                concurrency,
                lookback);
    }

    private static AuthConfig auth(YamlNode n) {
        if (n == null) {
            return new AuthConfig(false, List.of());
        }
        YamlNode.Mapping m = n.mapping("enabled", "tokens");
        List<TokenConfig> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (YamlNode t : m.list("tokens")) {
            YamlNode.Mapping tm = t.mapping("name", "sha256", "scopes");
            YamlNode nameNode = tm.required("name");
            String name = nameNode.string();
            if (!names.add(name)) {
                throw nameNode.error("token name \"" + name + "\" is used twice");
            }
            YamlNode hashNode = tm.required("sha256");
            String hex = hashNode.string().toLowerCase(java.util.Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw hashNode.error("expected the SHA-256 of the token as 64 hex digits"
                        + " (run `sightline token generate` to make a token and its hash)");
            }
            if (!hashes.add(hex)) {
                throw hashNode.error("the same token hash is configured twice");
            }
            YamlNode scopesNode = tm.required("scopes");
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            for (YamlNode s : scopesNode.list()) {
                Scope scope = Scope.fromConfigName(s.string());
                if (scope == null) {
                    throw s.error("unknown scope \"" + s.string() + "\" (expected read, write or admin)");
                }
                scopes.add(scope);
            }
            if (scopes.isEmpty()) {
                throw scopesNode.error("a token needs at least one scope (read, write or admin)");
            }
            tokens.add(new TokenConfig(name, HexFormat.of().parseHex(hex), Set.copyOf(scopes)));
        }
        boolean enabled = m.bool("enabled", !tokens.isEmpty());
        if (enabled && tokens.isEmpty()) {
            throw n.error("auth is enabled but no tokens are configured: every request would be refused");
        }
        return new AuthConfig(enabled, List.copyOf(tokens));
    }
}
