package io.sightline.server.lifecycle;

import io.micrometer.core.instrument.Gauge;
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
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
import java.util.ArrayList;
import java.util.List;
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
        }
    }

    public Notifier notifier() {
        return notifier;
    }

    /** The rule file checks the server and {@code check rules} apply. */
    public static RuleFileParser parser() {
        return new RuleFileParser(RuleFileParser.TemplateChecker.NONE);
    }

    static TemplateExpander templates() {
        return TemplateExpander.NONE;
    }

    private Engine engine() {
        SightlineConfig c = config.get();
        if (c == null) {
            return new Engine(EngineOptions.defaults());
        }
        var q = c.query();
        return new Engine(new EngineOptions(q.lookbackDelta(), java.time.Duration.ofMinutes(1), q.maxSamples(), q.maxSeries(),
                q.timeout()));
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
        io.micrometer.core.instrument.FunctionCounter.builder("sightline.notifications.sent", notifier,
                n -> n.stats().values().stream().mapToLong(x -> x.sent.get()).sum())
                .description("Notifications delivered to receivers.").register(metrics.registry());
        io.micrometer.core.instrument.FunctionCounter.builder("sightline.notifications.failed", notifier,
                n -> n.stats().values().stream().mapToLong(x -> x.failed.get()).sum())
                .description("Notification attempts that failed (each retry counts).").register(metrics.registry());
    }

    @Override
    public String reload(SightlineConfig c) {
        config.set(c);
        NotifierConfig n = c.alerting().notifier();
        notifier.reload(n == null ? NotifierConfig.none() : n);
        try {
            rules.load(c.ruleFiles(), ScrapeService.baseDir(c), c.global().evaluationInterval().toMillis(), List.of(WATCHDOG));
            return null;
        } catch (RuleFileException e) {
            log.atError().addKeyValue("problems", String.join("; ", e.problems())).log("cannot load the rule files");
            return "rule files: " + String.join("; ", e.problems());
        }
    }

    @Override
    public void close() {
        rules.close();
        notifier.close();
    }
}
