package io.sightline.server.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.sightline.alerting.rules.RuleFileException;
import io.sightline.alerting.rules.RuleFileParser;
import io.sightline.alerting.rules.RuleManager;
import io.sightline.alerting.rules.TemplateExpander;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.metrics.SelfMetrics;
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
        String problem = reload(c);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        Gauge.builder("sightline.rules.groups", rules, r -> r.groups().size())
                .description("Rule groups being evaluated.").register(metrics.registry());
    }

    @Override
    public String reload(SightlineConfig c) {
        config.set(c);
        try {
            rules.load(c.ruleFiles(), ScrapeService.baseDir(c), c.global().evaluationInterval().toMillis());
            return null;
        } catch (RuleFileException e) {
            log.atError().addKeyValue("problems", String.join("; ", e.problems())).log("cannot load the rule files");
            return "rule files: " + String.join("; ", e.problems());
        }
    }

    @Override
    public void close() {
        rules.close();
    }
}
