package io.sightline.scrape;

import io.sightline.common.Labels;
import io.sightline.common.PromDuration;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape target: its labels (after target relabeling), the URL they make and the state of its last
 * scrape. The identity fields are immutable; the health fields are written by the target's scrape loop
 * and read by the API from any thread.
 */
public final class Target {
    /** As {@code /api/v1/targets} reports it. */
    public enum Health {
        UNKNOWN("unknown"), UP("up"), DOWN("down");

        private final String text;

        Health(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final String job;
    private final Labels labels;
    private final Labels publicLabels;
    private final Labels discovered;
    private final URI url;
    private final Duration interval;
    private final Duration timeout;

    private volatile Health health = Health.UNKNOWN;
    private volatile long lastScrapeMs;
    private volatile double lastDurationSeconds;
    private volatile String lastError = "";
    private volatile long lastSamples;
    private volatile Map<String, Metadata> metadata = Map.of();

    /** A metric family's metadata as the target exposes it. */
    public record Metadata(String type, String help, String unit) {}

    /**
     * @param labels the labels from {@link TargetLabels#populate}, internal ones included
     * @param params the job's {@code params}; {@code __param_<name>} labels override their first value
     */
    Target(String job, Labels labels, Labels discovered, Map<String, List<String>> params) {
        this.job = job;
        this.labels = labels;
        this.publicLabels = TargetLabels.publicLabels(labels);
        this.discovered = discovered;
        this.interval = PromDuration.parse(labels.get("__scrape_interval__"));
        this.timeout = PromDuration.parse(labels.get("__scrape_timeout__"));
        this.url = url(labels, params);
    }

    static URI url(Labels labels, Map<String, List<String>> params) {
        Map<String, List<String>> all = new TreeMap<>();
        params.forEach((k, v) -> all.put(k, new ArrayList<>(v)));
        labels.forEach((name, value) -> {
            if (name.startsWith("__param_")) {
                List<String> values = all.computeIfAbsent(name.substring("__param_".length()), k -> new ArrayList<>());
                if (values.isEmpty()) {
                    values.add(value);
                } else {
                    values.set(0, value);
                }
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append(labels.get("__scheme__")).append("://").append(labels.get("__address__"));
        String path = labels.get("__metrics_path__");
        sb.append(path == null ? "" : path);
        String sep = "?";
        for (Map.Entry<String, List<String>> e : all.entrySet()) {
            for (String v : e.getValue()) {
                sb.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        return URI.create(sb.toString());
    }

    public String job() {
        return job;
    }

    /** All labels after relabeling, internal ({@code __}) ones included: the target's identity. */
    public Labels labels() {
        return labels;
    }

    /** The labels every sample of this target carries. */
    public Labels publicLabels() {
        return publicLabels;
    }

    /** The labels before relabeling. */
    public Labels discoveredLabels() {
        return discovered;
    }

    public URI url() {
        return url;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public Health health() {
        return health;
    }

    /** When the last scrape started, in ms since the epoch; 0 before the first. */
    public long lastScrapeMs() {
        return lastScrapeMs;
    }

    public double lastDurationSeconds() {
        return lastDurationSeconds;
    }

    /** Why the last scrape failed, or "". */
    public String lastError() {
        return lastError;
    }

    /** Samples the last scrape stored (after metric relabeling). */
    public long lastSamples() {
        return lastSamples;
    }

    /** Metric family metadata from the last successful scrape, by family name. */
    public Map<String, Metadata> metadata() {
        return metadata;
    }

    void report(long startMs, double seconds, String error, long samples) {
        lastScrapeMs = startMs;
        lastDurationSeconds = seconds;
        lastError = error == null ? "" : error;
        lastSamples = samples;
        health = error == null ? Health.UP : Health.DOWN;
    }

    void metadata(Map<String, Metadata> m) {
        metadata = Map.copyOf(m);
    }

    @Override
    public String toString() {
        return job + " " + url;
    }
}
