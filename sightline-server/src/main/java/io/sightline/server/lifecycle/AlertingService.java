package io.sightline.server.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.sightline.alerting.notify.AlertmanagerForwarder;
import io.sightline.alerting.notify.Notifier;
import io.sightline.alerting.notify.NotifierConfig;
import io.sightline.alerting.rules.Alert;
import io.sightline.alerting.rules.GroupEvaluator;
import io.sightline.alerting.rules.RuleFileException;
import io.sightline.alerting.rules.RuleFileParser;
import io.sightline.alerting.rules.RuleManager;
import io.sightline.alerting.rules.TemplateExpander;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.server.config.AlertmanagerTargets;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the config's {@code rule_files} against the metrics store, and reloads them with the
 * config: a reload with a bad rule file keeps the running rules and fails (400 on {@code /-/reload}).
 */
public final class AlertingService implements Service {
    private static final Logger log = LoggerFactory.getLogger(AlertingService.class);

    private final AtomicReference<SightlineConfig> config = new AtomicReference<>();
    private final RuleManager rules;

    public AlertingService(TsdbOpener storage) {
        this(storage, System::currentTimeMillis, true);
    }

    AlertingService(TsdbOpener storage, java.util.function.LongSupplier clock, boolean schedule) {
        this.rules = new RuleManager(storage::storage, this::engine, parser(), templates(), clock, schedule);
        this.notifier = new Notifier(NotifierConfig.none(), "", clock);
        this.clock = clock;
        rules.onEvaluated(this::send);
        notifier.silencedBy(labels -> {
            io.sightline.alerting.silence.Silences s = silences;
            return s != null && !s.mutedBy(labels).isEmpty();
        });
    }

    private final Notifier notifier;
    private final io.sightline.alerting.notify.AlertmanagerForwarder forwarder =
            new io.sightline.alerting.notify.AlertmanagerForwarder();

    /**
     * The dead man's switch: an alert that always fires, so that a receiver that stops hearing it every
     * {@code repeat_interval} knows the pipeline (server, rules, notifier) is broken.
     */
    static final io.sightline.alerting.rules.RuleGroup WATCHDOG;

    static {
        try {
            WATCHDOG = parser().parse("(built-in)", """
                    groups:
                      - name: sightline-watchdog
                        rules:
                          - alert: Watchdog
                            expr: vector(1)
                            labels: {severity: none}
                            annotations:
                              summary: Always firing, so that the alerting pipeline can be checked end to end.
                              description: Route it to a dead man's switch (e.g. a healthchecks.io ping) and expect it every repeat_interval.
                    """).get(0);
        } catch (RuleFileException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final java.util.function.LongSupplier clock;
    private volatile io.sightline.alerting.silence.Silences silences;

    /** The silences (kept in the data dir), or null before start. */
    public io.sightline.alerting.silence.Silences silences() {
        return silences;
    }

    /**
     * Hands a group's alerts to the notifier as Prometheus sends them to Alertmanager: firing ones with
     * an end four intervals ahead (so they resolve by themselves if evaluation stops), resolved ones with
     * their resolution time.
     */
    private void send(GroupEvaluator ev, long t) {
        List<Notifier.AlertEvent> events = new ArrayList<>();
        long validFor = 4 * Math.max(ev.group().intervalMs(), 60_000L);
        for (GroupEvaluator.RuleState s : ev.status()) {
            for (Alert.View a : s.alerts()) {
                String generator = "/graph?g0.expr=" + java.net.URLEncoder.encode(s.rule().exprText().strip(),
                        java.nio.charset.StandardCharsets.UTF_8) + "&g0.tab=1";
                if (a.state() == Alert.State.FIRING) {
                    events.add(new Notifier.AlertEvent(a.labels(), a.annotations(), a.activeAt(), t + validFor, generator));
                } else if (a.state() == Alert.State.INACTIVE && a.firedAt() > 0) {
                    events.add(new Notifier.AlertEvent(a.labels(), a.annotations(), a.activeAt(), a.resolvedAt(), generator));
                }
            }
        }
        if (!events.isEmpty()) {
            notifier.receive(events);
            forwarder.send(events);
        }
    }

    public Notifier notifier() {
        return notifier;
    }

    /** The rule file checks the server and {@code check rules} apply. */
    public static RuleFileParser parser() {
        return new RuleFileParser(io.sightline.alerting.template.AlertTemplates::check);
    }

    private final io.sightline.alerting.template.AlertTemplates templates =
            new io.sightline.alerting.template.AlertTemplates("", Map.of());

    private TemplateExpander templates() {
        return templates::expand;
    }

    private Engine engine() {
        SightlineConfig c = config.get();
        // Rules read raw samples only (max source resolution 0): their answers must be Prometheus's,
        // not a rollup's approximation at the edges of a range.
        if (c == null) {
            EngineOptions d = EngineOptions.defaults();
            return new Engine(new EngineOptions(d.lookbackDelta(), d.defaultSubqueryStep(), d.maxSamples(), d.maxSeries(),
                    d.timeout(), 0));
        }
        var q = c.query();
        return new Engine(new EngineOptions(q.lookbackDelta(), java.time.Duration.ofMinutes(1), q.maxSamples(), q.maxSeries(),
                q.timeout(), 0));
    }

    public RuleManager rules() {
        return rules;
    }

    @Override
    public void start(SightlineConfig c, SelfMetrics metrics) {
        silences = new io.sightline.alerting.silence.Silences(c.storage().path().resolve("silences.json"), clock);
        String problem = reload(c);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        Gauge.builder("sightline.rules.groups", rules, r -> r.groups().size())
                .description("Rule groups being evaluated.").register(metrics.registry());
        this.registry = metrics.registry();
        registerReceivers();
        io.micrometer.core.instrument.FunctionCounter.builder("sightline.alertmanager.alerts.sent", forwarder,
                f -> f.sent()).description("Alerts forwarded to external Alertmanagers (once per Alertmanager).")
                .register(metrics.registry());
        io.micrometer.core.instrument.FunctionCounter.builder("sightline.alertmanager.errors", forwarder,
                f -> f.errors()).description("Failed POSTs to external Alertmanagers.").register(metrics.registry());
    }

    @Override
    public String reload(SightlineConfig c) {
        config.set(c);
        Map<String, String> external = new java.util.TreeMap<>();
        c.global().externalLabels().forEach(external::put);
        templates.configure("", external);
        NotifierConfig n = c.alerting().notifier();
        notifier.reload(n == null ? NotifierConfig.none() : n);
        registerReceivers();
        var targets = alertmanagers(c);
        for (var t : targets) {
            try {
                io.sightline.common.http.TlsClients.apply(java.net.http.HttpClient.newBuilder(), t.tls());
            } catch (IllegalArgumentException e) {
                return "alerting.alertmanagers: tls_config for " + t.alertsUrl() + ": " + e.getMessage();
            }
        }
        forwarder.configure(targets, c.alerting().alertRelabelConfigs(), c.global().externalLabels());
        try {
            // The watchdog is for receivers to expect; with none configured it would only write ALERTS.
            boolean receivers = (n != null && !n.receivers().isEmpty()) || !c.alerting().alertmanagers().isEmpty();
            rules.load(c.ruleFiles(), ScrapeService.baseDir(c), c.global().evaluationInterval().toMillis(),
                    receivers ? List.of(WATCHDOG) : List.of());
            return null;
        } catch (RuleFileException e) {
            log.atError().addKeyValue("problems", String.join("; ", e.problems())).log("cannot load the rule files");
            return "rule files: " + String.join("; ", e.problems());
        }
    }

    private volatile io.micrometer.core.instrument.MeterRegistry registry;

    /** Per receiver: notifications delivered and attempts failed (a receiver added by a reload gets its own). */
    private void registerReceivers() {
        io.micrometer.core.instrument.MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        for (String name : notifier.receiverNames()) {
            io.micrometer.core.instrument.FunctionCounter.builder("sightline.notifications.sent", notifier,
                    x -> x.stats().containsKey(name) ? x.stats().get(name).sent.get() : 0)
                    .tag("receiver", name).description("Notifications delivered, by receiver.").register(r);
            io.micrometer.core.instrument.FunctionCounter.builder("sightline.notifications.failed", notifier,
                    x -> x.stats().containsKey(name) ? x.stats().get(name).failed.get() : 0)
                    .tag("receiver", name).description("Notification attempts that failed (each retry counts), by receiver.")
                    .register(r);
        }
    }

    @Override
    public void close() {
        rules.close();
        notifier.close();
        forwarder.close();
    }

    /** The {@code alerting.alertmanagers} alerts are sent to ({@link AlertmanagerTargets}): those relabeling kept. */
    static List<AlertmanagerForwarder.Target> alertmanagers(SightlineConfig c) {
        List<AlertmanagerForwarder.Target> out = new ArrayList<>();
        for (AlertmanagerTargets.Target t : AlertmanagerTargets.resolve(c)) {
            if (!t.dropped()) {
                SightlineConfig.AlertmanagerConfig am = t.config();
                out.add(new AlertmanagerForwarder.Target(java.net.URI.create(t.url()), am.timeout(),
                        authorization(am.http()), am.http() == null ? null : am.http().tls()));
            }
        }
        return out;
    }

    private static String authorization(io.sightline.common.http.HttpClientConfig http) {
        if (http == null) {
            return null;
        }
        try {
            if (http.basicAuth() != null) {
                var a = http.basicAuth();
                String pw = a.passwordFile() != null ? java.nio.file.Files.readString(java.nio.file.Path.of(a.passwordFile())).strip()
                        : a.password() == null ? "" : a.password();
                return "Basic " + java.util.Base64.getEncoder().encodeToString((a.username() + ":" + pw)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (http.authorization() != null) {
                var a = http.authorization();
                String cred = a.credentialsFile() != null
                        ? java.nio.file.Files.readString(java.nio.file.Path.of(a.credentialsFile())).strip()
                        : a.credentials() == null ? "" : a.credentials();
                return a.type() + " " + cred;
            }
        } catch (java.io.IOException e) {
            log.atError().addKeyValue("reason", e.getMessage()).log("cannot read an Alertmanager credentials file");
        }
        return null;
    }
}
