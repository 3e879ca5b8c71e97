package io.sightline.alerting.rules;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.QueryException;
import io.sightline.promql.engine.QueryResult;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates one rule group at given times, with Prometheus's semantics:
 * <ul>
 *   <li>rules run in order, each at {@code t - query_offset}, and each rule's output is committed before
 *       the next runs, so later rules see earlier ones' results;</li>
 *   <li>a recording rule writes its result vector (or scalar) under its name with its labels (and the
 *       group's); two results with the same labels, or more than the group's {@code limit}, fail it;</li>
 *   <li>an alerting rule turns each result series into an alert keyed by its labels (minus
 *       {@code __name__}, plus the rule's templated labels and {@code alertname}): pending from the
 *       first evaluation that returns it, firing once it has been returned for {@code for}, resolved
 *       (inactive) when it is no longer returned (after {@code keep_firing_for}), and forgotten 15 minutes
 *       later; pending alerts that vanish are dropped at once;</li>
 *   <li>{@code ALERTS{alertname, alertstate, ...}} (1) for pending and firing alerts and
 *       {@code ALERTS_FOR_STATE{alertname, ...}} (the active-since time in seconds) are written;</li>
 *   <li>series a rule wrote at its previous evaluation and not at this one get stale markers;</li>
 *   <li>on its first evaluation after a start, an alerting rule with {@code for} restores its alerts'
 *       active-since times from the stored {@code ALERTS_FOR_STATE} series of the last hour, so a
 *       restart neither resets nor re-delays them.</li>
 * </ul>
 * Not thread-safe: one scheduler calls {@link #evaluate}; {@link #status} may be read from any thread.
 */
public final class GroupEvaluator {
    /** How long a resolved alert is kept (and shown) so that its resolution can be notified. */
    static final long RESOLVED_RETENTION_MS = 15 * 60_000L;
    /** How far back ALERTS_FOR_STATE is read at the first evaluation. */
    static final long OUTAGE_TOLERANCE_MS = 3_600_000L;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GroupEvaluator.class);

    private final RuleGroup group;
    private final Engine engine;
    private final TemplateExpander templates;
    private final List<RuleState> states = new ArrayList<>();
    private volatile long lastEvaluation;
    private volatile double lastDurationSeconds;

    /** What one rule did at its last evaluation, and its alerts. */
    public static final class RuleState {
        final Rule rule;
        final Map<Labels, Alert> active = new LinkedHashMap<>();
        Set<Labels> written = Set.of();
        boolean restored;
        volatile String lastError = "";
        volatile long lastEvaluation;
        volatile double durationSeconds;
        volatile boolean evaluated;
        volatile List<Alert.View> alerts = List.of();

        RuleState(Rule rule) {
            this.rule = rule;
        }

        public Rule rule() {
            return rule;
        }

        /** "ok", "err" or "unknown" (not evaluated yet). */
        public String health() {
            return !evaluated ? "unknown" : lastError.isEmpty() ? "ok" : "err";
        }

        public String lastError() {
            return lastError;
        }

        public long lastEvaluation() {
            return lastEvaluation;
        }

        public double durationSeconds() {
            return durationSeconds;
        }

        /** The rule's alerts (pending, firing, and resolved ones still kept). */
        public List<Alert.View> alerts() {
            return alerts;
        }
    }

    public GroupEvaluator(RuleGroup group, Engine engine, TemplateExpander templates) {
        this.group = group;
        this.engine = engine;
        this.templates = templates;
        for (Rule r : group.rules()) {
            states.add(new RuleState(r));
        }
    }

    public RuleGroup group() {
        return group;
    }

    public List<RuleState> status() {
        return states;
    }

    public long lastEvaluation() {
        return lastEvaluation;
    }

    public double lastDurationSeconds() {
        return lastDurationSeconds;
    }

    /** Carries alert state over from the evaluator this one replaces (a reload), rule by rule of the same name and query. */
    public void inherit(GroupEvaluator previous) {
        for (RuleState s : states) {
            for (RuleState p : previous.states) {
                if (p.rule.name().equals(s.rule.name()) && p.rule.exprText().equals(s.rule.exprText())
                        && p.rule.getClass() == s.rule.getClass()) {
                    s.active.putAll(p.active);
                    s.written = p.written;
                    s.restored = true;
                    s.alerts = p.alerts;
                    break;
                }
            }
        }
    }

    /** Evaluates every rule at {@code t} (ms) against {@code storage}. */
    public void evaluate(long t, Storage storage) {
        long t0 = System.nanoTime();
        for (RuleState s : states) {
            long r0 = System.nanoTime();
            try {
                if (s.rule instanceof Rule.Recording rec) {
                    record(s, rec, t, storage);
                } else {
                    alert(s, (Rule.Alerting) s.rule, t, storage);
                }
                s.lastError = "";
            } catch (RuleFailure | QueryException e) {
                s.lastError = e.getMessage();
            } catch (StorageException e) {
                s.lastError = "cannot store the rule's output: " + e.getMessage();
            }
            s.evaluated = true;
            s.lastEvaluation = t;
            s.durationSeconds = (System.nanoTime() - r0) / 1e9;
        }
        lastEvaluation = t;
        lastDurationSeconds = (System.nanoTime() - t0) / 1e9;
    }

    /** A rule that could not be evaluated; the message is what the API shows as {@code lastError}. */
    static final class RuleFailure extends Exception {
        RuleFailure(String message) {
            super(message, null, false, false);
        }
    }

    private List<QueryResult.Sample> query(Rule rule, long t, Storage storage) throws RuleFailure {
        QueryResult r = engine.instantQuery(storage, rule.expr(), rule.exprText(), t - group.queryOffsetMs());
        if (r.value() instanceof QueryResult.Vector v) {
            return v.samples();
        }
        if (r.value() instanceof QueryResult.Scalar sc) {
            return List.of(new QueryResult.Sample(Labels.empty(), sc.t(), sc.v()));
        }
        throw new RuleFailure("rule result is not a vector or scalar: " + r.value().type());
    }

    private void record(RuleState s, Rule.Recording rule, long t, Storage storage) throws RuleFailure, StorageException {
        List<QueryResult.Sample> result;
        try {
            result = query(rule, t, storage);
        } catch (RuleFailure | QueryException e) {
            staleAll(s, t, storage);
            throw e;
        }
        if (group.limit() > 0 && result.size() > group.limit()) {
            staleAll(s, t, storage);
            throw new RuleFailure("exceeded limit of " + group.limit() + " with " + result.size() + " series");
        }
        Map<Labels, Double> out = new LinkedHashMap<>();
        for (QueryResult.Sample smp : result) {
            Labels.Builder b = smp.metric().toBuilder();
            group.labels().forEach(b::set);
            rule.labels().forEach(b::set);
            b.set(Labels.METRIC_NAME, rule.name());
            Labels l = b.build();
            if (out.put(l, smp.v()) != null) {
                staleAll(s, t, storage);
                throw new RuleFailure("vector contains metrics with the same labelset after applying rule labels");
            }
        }
        write(s, out, t, storage);
    }

    private void alert(RuleState s, Rule.Alerting rule, long t, Storage storage) throws RuleFailure, StorageException {
        List<QueryResult.Sample> result;
        try {
            result = query(rule, t, storage);
        } catch (RuleFailure | QueryException e) {
            // Prometheus keeps the alerts as they are when the query fails.
            publish(s, t);
            throw e;
        }
        Map<Labels, Alert> now = new LinkedHashMap<>();
        for (QueryResult.Sample smp : result) {
            Labels metric = smp.metric().toBuilder().remove(Labels.METRIC_NAME).build();
            Map<String, String> tmplLabels = new HashMap<>();
            metric.forEach(tmplLabels::put);
            Labels.Builder b = metric.toBuilder();
            group.labels().forEach(b::set);
            io.sightline.alerting.template.QueryFunc q = promql -> templateQuery(promql, t, storage);
            rule.labels().forEach((k, v) -> b.set(k, expand(rule, v, tmplLabels, smp.v(), q)));
            b.set("alertname", rule.name());
            Labels labels = b.build();
            Map<String, String> annotations = new LinkedHashMap<>();
            rule.annotations().forEach((k, v) -> annotations.put(k, expand(rule, v, tmplLabels, smp.v(), q)));
            if (now.containsKey(labels)) {
                throw new RuleFailure("vector contains metrics with the same labelset after applying alert labels");
            }
            now.put(labels, new Alert(labels, annotations, t, smp.v()));
        }
        if (group.limit() > 0 && now.size() > group.limit()) {
            s.active.clear();
            write(s, Map.of(), t, storage);
            publish(s, t);
            throw new RuleFailure("exceeded limit of " + group.limit() + " with " + now.size() + " alerts");
        }
        for (Alert fresh : now.values()) {
            Alert a = s.active.get(fresh.labels);
            if (a != null && a.state != Alert.State.INACTIVE) {
                a.value = fresh.value;
                a.annotations = fresh.annotations;
                a.keepFiringSince = 0;
            } else {
                s.active.put(fresh.labels, fresh);
            }
        }
        if (!s.restored) {
            s.restored = true;
            if (rule.forMs() > 0) {
                restore(s, rule, t, storage);
            }
        }
        for (var it = s.active.values().iterator(); it.hasNext();) {
            Alert a = it.next();
            if (!now.containsKey(a.labels)) {
                if (a.state == Alert.State.PENDING
                        || (a.state == Alert.State.INACTIVE && t - a.resolvedAt > RESOLVED_RETENTION_MS)) {
                    it.remove();
                    continue;
                }
                if (a.state == Alert.State.FIRING) {
                    if (rule.keepFiringForMs() > 0) {
                        if (a.keepFiringSince == 0) {
                            a.keepFiringSince = t;
                        }
                        if (t - a.keepFiringSince < rule.keepFiringForMs()) {
                            continue;
                        }
                    }
                    a.state = Alert.State.INACTIVE;
                    a.resolvedAt = t;
                }
                continue;
            }
            if (a.state == Alert.State.PENDING && t - a.activeAt >= rule.forMs()) {
                a.state = Alert.State.FIRING;
                a.firedAt = t;
            }
        }
        Map<Labels, Double> series = new LinkedHashMap<>();
        for (Alert a : s.active.values()) {
            if (a.state == Alert.State.INACTIVE) {
                continue;
            }
            series.put(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS").set("alertstate", a.state.text()).build(), 1.0);
            series.put(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS_FOR_STATE").build(), a.activeAt / 1000.0);
        }
        write(s, series, t, storage);
        publish(s, t);
    }

    /** A template's {@code query}: a vector or scalar at the rule's evaluation time, as Prometheus runs it. */
    private List<Map.Entry<Map<String, String>, Double>> templateQuery(String promql, long t, Storage storage) {
        QueryResult r = engine.instantQuery(storage, promql, t - group.queryOffsetMs());
        List<Map.Entry<Map<String, String>, Double>> out = new ArrayList<>();
        if (r.value() instanceof QueryResult.Vector v) {
            for (QueryResult.Sample smp : v.samples()) {
                Map<String, String> labels = new java.util.TreeMap<>();
                smp.metric().forEach(labels::put);
                out.add(Map.entry(labels, smp.v()));
            }
        } else if (r.value() instanceof QueryResult.Scalar sc) {
            out.add(Map.entry(Map.of(), sc.v()));
        } else {
            throw new IllegalArgumentException("rule result is not a vector or scalar");
        }
        return out;
    }

    private String expand(Rule.Alerting rule, String text, Map<String, String> labels, double value,
            io.sightline.alerting.template.QueryFunc query) {
        if (!text.contains("{{")) {
            return text;
        }
        try {
            return templates.expand("__alert_" + rule.name(), text, labels, value, query);
        } catch (Exception e) {
            // As Prometheus: the alert still fires, the annotation or label says why, and the log too.
            LOG.atWarn().addKeyValue("group", group.name()).addKeyValue("rule", rule.name())
                    .addKeyValue("labels", labels.toString()).addKeyValue("reason", e.getMessage())
                    .log("expanding an alert template failed");
            return "<error expanding template: " + e.getMessage() + ">";
        }
    }

    /** Active-since times from ALERTS_FOR_STATE of the last hour, for alerts found at the first evaluation. */
    private void restore(RuleState s, Rule.Alerting rule, long t, Storage storage) {
        if (s.active.isEmpty()) {
            return;
        }
        try (Querier q = storage.querier(t - OUTAGE_TOLERANCE_MS, t)) {
            SeriesSet set = q.select(false, null, LabelMatcher.equal(Labels.METRIC_NAME, "ALERTS_FOR_STATE"),
                    LabelMatcher.equal("alertname", rule.name()));
            while (set.next()) {
                Labels key = set.at().labels().toBuilder().remove(Labels.METRIC_NAME).build();
                Alert a = s.active.get(key);
                if (a == null) {
                    continue;
                }
                SampleIterator it = set.at().iterator(null);
                double last = Double.NaN;
                while (it.next()) {
                    if (!StaleNaN.is(it.value())) {
                        last = it.value();
                    }
                }
                if (!Double.isNaN(last)) {
                    long restoredAt = (long) (last * 1000);
                    if (restoredAt < a.activeAt) {
                        a.activeAt = restoredAt;
                    }
                }
            }
        } catch (StorageException | RuntimeException e) {
            // Nothing to restore from: the alerts start anew, as after a first start.
        }
    }

    private void publish(RuleState s, long t) {
        List<Alert.View> views = new ArrayList<>();
        for (Alert a : s.active.values()) {
            views.add(a.snapshot());
        }
        s.alerts = List.copyOf(views);
    }

    private void staleAll(RuleState s, long t, Storage storage) throws StorageException {
        write(s, Map.of(), t, storage);
    }

    /** Writes this evaluation's series and stale markers for last evaluation's that are gone; one commit. */
    private void write(RuleState s, Map<Labels, Double> series, long t, Storage storage) throws StorageException {
        Appender app = storage.appender();
        Set<Labels> written = new HashSet<>();
        for (Map.Entry<Labels, Double> e : series.entrySet()) {
            try {
                app.append(0, e.getKey(), t, e.getValue());
                written.add(e.getKey());
            } catch (StorageException.SampleRejected rejected) {
                // e.g. an out-of-order sample after a clock step: skip it, as Prometheus does
            }
        }
        for (Labels gone : s.written) {
            if (!written.contains(gone)) {
                try {
                    app.append(0, gone, t, StaleNaN.VALUE);
                } catch (StorageException.SampleRejected ignored) {
                    // already has a sample at t
                }
            }
        }
        app.commit();
        s.written = written;
    }
}
