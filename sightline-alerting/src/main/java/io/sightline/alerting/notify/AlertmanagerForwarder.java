package io.sightline.alerting.notify;

import io.sightline.common.JsonStrings;
import io.sightline.common.Labels;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.common.relabel.Relabeler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards alerts to external Alertmanagers as Prometheus does ({@code alerting.alertmanagers}): after
 * each rule evaluation, every firing and recently resolved alert, with the external labels added and
 * {@code alert_relabel_configs} applied, is POSTed as JSON to each Alertmanager's
 * {@code /api/v2/alerts}, in batches of at most 1,000. A failed POST is counted and logged, not retried:
 * the next evaluation sends the alerts again, which is how Prometheus keeps Alertmanager current.
 * Sends are asynchronous; one slow Alertmanager does not hold up another. Thread-safe.
 */
public final class AlertmanagerForwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertmanagerForwarder.class);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int BATCH = 1000;

    /**
     * One Alertmanager.
     *
     * @param alertsUrl its {@code /api/v2/alerts}
     * @param authorization the {@code Authorization} header value, or null
     * @param tls its {@code tls_config}, or null for the JDK's defaults
     */
    public record Target(URI alertsUrl, Duration timeout, String authorization, io.sightline.common.http.HttpClientConfig.Tls tls) {
        public Target(URI alertsUrl, Duration timeout, String authorization) {
            this(alertsUrl, timeout, authorization, null);
        }
    }

    private record Settings(List<Target> targets, List<RelabelConfig> relabel, Labels externalLabels) {}

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "alertmanager-forward");
        t.setDaemon(true);
        return t;
    });
    /**
     * One client per distinct {@code tls_config} (the JDK binds TLS settings to a client), made when first
     * needed: a JDK client loads the default trust store as it is built.
     */
    private final java.util.Map<io.sightline.common.http.HttpClientConfig.Tls, HttpClient> tlsClients =
            new java.util.concurrent.ConcurrentHashMap<>();

    private HttpClient client(io.sightline.common.http.HttpClientConfig.Tls tls) {
        return io.sightline.common.http.TlsClients.apply(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(executor), tls).build();
    }

    private HttpClient clientFor(Target t) {
        return tlsClients.computeIfAbsent(t.tls() == null ? io.sightline.common.http.HttpClientConfig.Tls.NONE : t.tls(),
                this::client);
    }
    private volatile Settings settings = new Settings(List.of(), List.of(), Labels.empty());
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public void configure(List<Target> targets, List<RelabelConfig> alertRelabel, Labels externalLabels) {
        settings = new Settings(List.copyOf(targets), List.copyOf(alertRelabel), externalLabels);
        tlsClients.clear(); // a reload re-reads the certificate files (rotated ones included)
    }

    public boolean active() {
        return !settings.targets().isEmpty();
    }

    /** Alerts delivered (counted once per Alertmanager). */
    public long sent() {
        return sent.get();
    }

    /** POSTs that failed. */
    public long errors() {
        return errors.get();
    }

    /** Alerts that {@code alert_relabel_configs} dropped. */
    public long dropped() {
        return dropped.get();
    }

    public void send(List<Notifier.AlertEvent> events) {
        Settings s = settings;
        if (s.targets().isEmpty() || events.isEmpty()) {
            return;
        }
        List<String> items = new ArrayList<>();
        for (Notifier.AlertEvent e : events) {
            Labels.Builder b = e.labels().toBuilder();
            s.externalLabels().forEach((k, v) -> {
                if (b.get(k) == null) {
                    b.set(k, v);
                }
            });
            Labels labels = Relabeler.process(b.build(), s.relabel());
            if (labels == null || labels.isEmpty()) {
                dropped.incrementAndGet();
                continue;
            }
            items.add(json(labels, e));
        }
        for (int from = 0; from < items.size(); from += BATCH) {
            List<String> batch = items.subList(from, Math.min(items.size(), from + BATCH));
            String body = "[" + String.join(",", batch) + "]";
            for (Target t : s.targets()) {
                post(t, body, batch.size());
            }
        }
    }

    private void post(Target t, String body, int n) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(t.alertsUrl()).timeout(t.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "Sightline")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (t.authorization() != null) {
            rb.header("Authorization", t.authorization());
        }
        HttpClient c;
        try {
            c = clientFor(t);
        } catch (IllegalArgumentException e) {
            errors.incrementAndGet();
            log.atWarn().addKeyValue("alertmanager", t.alertsUrl()).addKeyValue("reason", e.getMessage())
                    .log("cannot send alerts to an Alertmanager: its tls_config cannot be used");
            return;
        }
        c.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
            if (err == null && resp.statusCode() / 100 == 2) {
                sent.addAndGet(n);
                return;
            }
            errors.incrementAndGet();
            log.atWarn().addKeyValue("alertmanager", t.alertsUrl())
                    .addKeyValue("reason", err != null ? String.valueOf(err.getCause() != null ? err.getCause() : err)
                            : "HTTP " + resp.statusCode() + ": " + resp.body().strip())
                    .log("cannot send alerts to an Alertmanager; the next evaluation sends them again");
        });
    }

    private static String json(Labels labels, Notifier.AlertEvent e) {
        StringBuilder sb = new StringBuilder(256).append("{\"labels\":{");
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            JsonStrings.quote(labels.name(i), sb).append(':');
            JsonStrings.quote(labels.value(i), sb);
        }
        sb.append("},\"annotations\":{");
        boolean first = true;
        for (Map.Entry<String, String> a : new TreeMap<>(e.annotations()).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            JsonStrings.quote(a.getKey(), sb).append(':');
            JsonStrings.quote(a.getValue(), sb);
        }
        sb.append("},\"startsAt\":");
        JsonStrings.quote(RFC3339.format(Instant.ofEpochMilli(e.startsAt())), sb);
        sb.append(",\"endsAt\":");
        JsonStrings.quote(RFC3339.format(Instant.ofEpochMilli(e.endsAt())), sb);
        sb.append(",\"generatorURL\":");
        JsonStrings.quote(e.generatorUrl(), sb);
        return sb.append('}').toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
