package io.sightline.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Rule evaluation at chosen times over the in-memory store: alert states, ALERTS series, recording rules. */
class GroupEvaluatorTest {
    private static final long T0 = 1_800_000_000_000L;
    private final MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
    private final Engine engine = new Engine(EngineOptions.defaults());

    private void put(String series, long t, double v) throws Exception {
        Appender a = storage.appender();
        a.append(0, io.sightline.promql.parser.Parser.parseSeries(series), t, v);
        a.commit();
    }

    private List<RuleGroup> rules(String yaml) throws Exception {
        return new RuleFileParser(RuleFileParser.TemplateChecker.NONE).parse("rules.yml", yaml);
    }

    /** Every stored sample of series matching the selector, as "labels t value". */
    private List<String> stored(String metric) throws Exception {
        List<String> out = new ArrayList<>();
        try (Querier q = storage.querier(0, Long.MAX_VALUE / 2)) {
            SeriesSet set = q.select(true, null, LabelMatcher.equal("__name__", metric));
            while (set.next()) {
                SampleIterator it = set.at().iterator(null);
                while (it.next()) {
                    out.add(set.at().labels() + " " + (it.timestamp() - T0) / 1000 + "s "
                            + (StaleNaN.is(it.value()) ? "stale" : Double.toString(it.value())));
                }
            }
        }
        return out;
    }

    private static final String ALERT = """
            groups:
              - name: g
                interval: 1m
                rules:
                  - alert: Down
                    expr: up == 0
                    for: 2m
                    labels: {severity: page}
                    annotations: {summary: "{{ $labels.instance }} is down"}
            """;

    @Test
    void alert_pendingThenFiringThenResolved_withAlertsSeries() throws Exception {
        GroupEvaluator ev = new GroupEvaluator(rules(ALERT).get(0), engine,
                new io.sightline.alerting.template.AlertTemplates("", java.util.Map.of())::expand);
        for (int m = 0; m <= 6; m++) {
            put("up{instance=\"a\", job=\"node\"}", T0 + m * 60_000L, m >= 1 && m <= 4 ? 0 : 1);
            ev.evaluate(T0 + m * 60_000L, storage);
        }
        GroupEvaluator.RuleState s = ev.status().get(0);
        assertThat(s.health()).isEqualTo("ok");
        assertThat(stored("ALERTS")).containsExactly(
                "ALERTS{alertname=\"Down\", alertstate=\"firing\", instance=\"a\", job=\"node\", severity=\"page\"} 180s 1.0",
                "ALERTS{alertname=\"Down\", alertstate=\"firing\", instance=\"a\", job=\"node\", severity=\"page\"} 240s 1.0",
                "ALERTS{alertname=\"Down\", alertstate=\"firing\", instance=\"a\", job=\"node\", severity=\"page\"} 300s stale",
                "ALERTS{alertname=\"Down\", alertstate=\"pending\", instance=\"a\", job=\"node\", severity=\"page\"} 60s 1.0",
                "ALERTS{alertname=\"Down\", alertstate=\"pending\", instance=\"a\", job=\"node\", severity=\"page\"} 120s 1.0",
                "ALERTS{alertname=\"Down\", alertstate=\"pending\", instance=\"a\", job=\"node\", severity=\"page\"} 180s stale");
        assertThat(stored("ALERTS_FOR_STATE")).first().asString().endsWith("60s " + (T0 + 60_000) / 1000.0);
        Alert.View resolved = s.alerts().get(0);
        assertThat(resolved.state()).isEqualTo(Alert.State.INACTIVE);
        assertThat(resolved.activeAt()).isEqualTo(T0 + 60_000);
        assertThat(resolved.firedAt()).isEqualTo(T0 + 180_000);
        assertThat(resolved.resolvedAt()).isEqualTo(T0 + 300_000);
        assertThat(resolved.annotations()).containsEntry("summary", "a is down");
        // Kept 15 minutes after it resolved, then forgotten.
        ev.evaluate(T0 + 300_000 + GroupEvaluator.RESOLVED_RETENTION_MS + 60_000, storage);
        assertThat(s.alerts()).isEmpty();
    }

    @Test
    void pendingAlertThatVanishes_isDroppedAtOnce_andKeepFiringForHoldsAFiringOne() throws Exception {
        GroupEvaluator ev = new GroupEvaluator(rules("""
                groups:
                  - name: g
                    rules:
                      - alert: Flap
                        expr: flag > 0
                        for: 5m
                      - alert: Sticky
                        expr: flag > 0
                        keep_firing_for: 2m
                """).get(0), engine, TemplateExpander.NONE);
        put("flag", T0, 1);
        ev.evaluate(T0, storage);
        put("flag", T0 + 60_000, 0);
        ev.evaluate(T0 + 60_000, storage);
        assertThat(ev.status().get(0).alerts()).isEmpty();
        assertThat(ev.status().get(1).alerts()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(Alert.State.FIRING));
        ev.evaluate(T0 + 120_000, storage);
        assertThat(ev.status().get(1).alerts()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(Alert.State.FIRING));
        ev.evaluate(T0 + 180_000, storage);
        assertThat(ev.status().get(1).alerts()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(Alert.State.INACTIVE);
            assertThat(a.resolvedAt()).isEqualTo(T0 + 180_000);
        });
    }

    @Test
    void recordingRule_writesItsSeries_withStaleMarkersForVanishedOnes_andLaterRulesSeeIt() throws Exception {
        GroupEvaluator ev = new GroupEvaluator(rules("""
                groups:
                  - name: g
                    labels: {team: growth}
                    rules:
                      - record: step:ok:sum
                        expr: sum by (step) (signups)
                        labels: {source: rule}
                      - alert: Low
                        expr: step:ok:sum < 5
                """).get(0), engine, TemplateExpander.NONE);
        put("signups{step=\"a\", os=\"ios\"}", T0, 3);
        put("signups{step=\"b\", os=\"ios\"}", T0, 10);
        ev.evaluate(T0, storage);
        put("signups{step=\"a\", os=\"ios\"}", T0 + 60_000, 4);
        storage.delete(T0, T0 + 120_000, LabelMatcher.equal("__name__", "signups"), LabelMatcher.equal("step", "b"));
        ev.evaluate(T0 + 60_000, storage);
        assertThat(stored("step:ok:sum")).containsExactly(
                "step:ok:sum{source=\"rule\", step=\"a\", team=\"growth\"} 0s 3.0",
                "step:ok:sum{source=\"rule\", step=\"a\", team=\"growth\"} 60s 4.0",
                "step:ok:sum{source=\"rule\", step=\"b\", team=\"growth\"} 0s 10.0",
                "step:ok:sum{source=\"rule\", step=\"b\", team=\"growth\"} 60s stale");
        assertThat(ev.status().get(1).alerts()).singleElement().satisfies(a -> {
            assertThat(a.labels()).isEqualTo(Labels.of("alertname", "Low", "source", "rule", "step", "a", "team", "growth"));
            assertThat(a.value()).as("the latest evaluation's value").isEqualTo(4.0);
        });
    }

    @Test
    void failures_areReportedPerRule() throws Exception {
        GroupEvaluator ev = new GroupEvaluator(rules("""
                groups:
                  - name: g
                    limit: 1
                    rules:
                      - record: too_many
                        expr: x
                      - record: dup
                        expr: x * 0
                        labels: {instance: same}
                      - record: text
                        expr: '"a string"'
                      - record: fine
                        expr: vector(1)
                """).get(0), engine, TemplateExpander.NONE);
        put("x{instance=\"1\"}", T0, 1);
        put("x{instance=\"2\"}", T0, 2);
        ev.evaluate(T0, storage);
        List<GroupEvaluator.RuleState> s = ev.status();
        assertThat(s.get(0).lastError()).isEqualTo("exceeded limit of 1 with 2 series");
        assertThat(s.get(0).health()).isEqualTo("err");
        assertThat(s.get(2).lastError()).contains("not a vector or scalar");
        assertThat(s.get(3).health()).isEqualTo("ok");
        GroupEvaluator dupOnly = new GroupEvaluator(new RuleGroup("f", "g", 60_000, 0, 0, Labels.empty(),
                List.of(ev.group().rules().get(1))), engine, TemplateExpander.NONE);
        dupOnly.evaluate(T0, storage);
        assertThat(dupOnly.status().get(0).lastError()).contains("same labelset after applying rule labels");
    }

    @Test
    void activeSince_survivesARestart_throughAlertsForState() throws Exception {
        RuleGroup group = rules(ALERT).get(0);
        GroupEvaluator first = new GroupEvaluator(group, engine, TemplateExpander.NONE);
        for (int m = 0; m <= 1; m++) {
            put("up{instance=\"a\", job=\"node\"}", T0 + m * 60_000L, 0);
            first.evaluate(T0 + m * 60_000L, storage);
        }
        // The process restarts: a new evaluator, five minutes later, the target still down.
        GroupEvaluator second = new GroupEvaluator(group, engine, TemplateExpander.NONE);
        put("up{instance=\"a\", job=\"node\"}", T0 + 360_000, 0);
        second.evaluate(T0 + 360_000, storage);
        Alert.View a = second.status().get(0).alerts().get(0);
        assertThat(a.activeAt()).isEqualTo(T0);
        assertThat(a.state()).as("active for over `for` already: firing at once").isEqualTo(Alert.State.FIRING);
        Map<String, Double> unused = new TreeMap<>();
        assertThat(unused).isEmpty();
    }
}
