package io.sightline.server.config;

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
        AuthConfig auth) {

    public static final int DEFAULT_HTTP_PORT = 8321;

    public SightlineConfig withHttpAddress(HostPort address) {
        return new SightlineConfig(source, global, ruleFiles, scrapeConfigs, alerting, new ListenersConfig(address),
                storage, limits, auth);
    }

    public SightlineConfig withDataDir(Path dir) {
        return new SightlineConfig(source, global, ruleFiles, scrapeConfigs, alerting, listeners,
                new StorageConfig(dir), limits, auth);
    }

    /** Prometheus's {@code global} section. */
    public record GlobalConfig(
            Duration scrapeInterval,
            Duration scrapeTimeout,
            Duration evaluationInterval,
            Duration ruleQueryOffset,
            Labels externalLabels,
            long sampleLimit,
            long bodySizeLimit) {}

    /** Prometheus's {@code alerting} section: external Alertmanagers to forward alerts to. */
    public record AlertingConfig(List<AlertmanagerConfig> alertmanagers, List<RelabelConfig> alertRelabelConfigs) {}

    public record AlertmanagerConfig(
            String scheme,
            String pathPrefix,
            Duration timeout,
            String apiVersion,
            List<StaticConfig> staticConfigs,
            HttpClientConfig http,
            List<RelabelConfig> relabelConfigs) {}

    /** {@code listeners}: where Sightline accepts connections. */
    public record ListenersConfig(HostPort http) {}

    /** {@code storage}: where data lives. */
    public record StorageConfig(Path path) {}

    /** {@code limits}: bounds that protect the process from oversized input. */
    public record LimitsConfig(long maxRequestBodyBytes) {}

    /** {@code auth}: bearer tokens, stored as SHA-256 hashes. Off when {@code enabled} is false. */
    public record AuthConfig(boolean enabled, List<TokenConfig> tokens) {}

    /** One API token: a name for logs, the SHA-256 of the secret, and what it may do. */
    public record TokenConfig(String name, byte[] sha256, Set<Scope> scopes) {}
}
