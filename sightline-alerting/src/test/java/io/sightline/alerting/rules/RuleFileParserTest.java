package io.sightline.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule files as promtool reads them: a good file whole, and a table of bad ones with their reasons. */
class RuleFileParserTest {
    private final RuleFileParser parser = new RuleFileParser(RuleFileParser.TemplateChecker.NONE);

    @Test
    void goodFile() throws Exception {
        List<RuleGroup> groups = parser.parse("rules.yml", """
                groups:
                  - name: signup
                    interval: 30s
                    query_offset: 1m
                    limit: 10
                    labels: {team: growth}
                    rules:
                      - record: step:signup_conversion:ratio_rate1h
                        expr: |
                          sum by (step) (rate(signup_steps_total{status="ok"}[1h]))
                            / sum by (step) (rate(signup_steps_total[1h]))
                        labels:
                          os: ios
                      - alert: SignupConversionDrop
                        expr: step:signup_conversion:ratio_rate1h < 0.5 * step:signup_conversion:ratio_rate1h offset 1w
                        for: 10m
                        keep_firing_for: 5m
                        labels: {severity: page}
                        annotations:
                          summary: "Conversion of {{ $labels.step }} fell to {{ $value | humanizePercentage }}"
                  - name: empty
                    rules: []
                """);
        assertThat(groups).hasSize(2);
        RuleGroup g = groups.get(0);
        assertThat(g.name()).isEqualTo("signup");
        assertThat(g.intervalMs()).isEqualTo(30_000);
        assertThat(g.queryOffsetMs()).isEqualTo(60_000);
        assertThat(g.limit()).isEqualTo(10);
        assertThat(g.labels()).isEqualTo(Labels.of("team", "growth"));
        assertThat(g.rules().get(0)).isInstanceOfSatisfying(Rule.Recording.class, r -> {
            assertThat(r.name()).isEqualTo("step:signup_conversion:ratio_rate1h");
            assertThat(r.labels()).isEqualTo(Labels.of("os", "ios"));
        });
        assertThat(g.rules().get(1)).isInstanceOfSatisfying(Rule.Alerting.class, a -> {
            assertThat(a.forMs()).isEqualTo(600_000);
            assertThat(a.keepFiringForMs()).isEqualTo(300_000);
            assertThat(a.annotations()).containsKey("summary");
        });
        assertThat(groups.get(1).intervalMs()).as("unset: the default applies at load").isZero();
        assertThat(parser.parse("empty.yml", "")).isEmpty();
    }

    @Test
    void badFiles_sayWhereAndWhy() {
        String[][] cases = {
            {"groups: 3", "f.yml:1:9: groups must be a list"},
            {"rules: []", "field rules not found in the file"},
            {"groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []", "groupname: \"a\" is repeated in the same file"},
            {"groups:\n  - rules: []", "groupname must not be empty"},
            {"groups:\n  - name: a\n    interval: soon\n    rules: []", "group \"a\": interval: not a valid duration"},
            {"groups:\n  - name: a\n    rules:\n      - expr: up", "rule 1: one of 'record' or 'alert' must be set"},
            {"groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up",
                "one of 'record' or 'alert' must be set"},
            {"groups:\n  - name: a\n    rules:\n      - record: x\n", "field 'expr' must be set in rule"},
            {"groups:\n  - name: a\n    rules:\n      - record: 1bad\n        expr: up", "invalid recording rule name: 1bad"},
            {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: sum(", "could not parse expression"},
            {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m",
                "invalid field 'for' in recording rule"},
            {"groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        annotations: {a: b}",
                "invalid field 'annotations' in recording rule"},
            {"groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        labels: {1x: y}", "invalid label name: 1x"},
            {"groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        annotations: {bad-name: y}",
                "invalid annotation name: bad-name"},
            {"groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        for: 5 minutes", "for: not a valid duration"},
            {"groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        severity: page", "field severity not found in rule"},
            {"groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n      - alert: X\n        expr: up\n        expr: down",
                "key \"expr\" is repeated in rule"},
            {"groups:\n  - name: a\n    rules: [\n", "not valid YAML"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> parser.parse("f.yml", c[0])).as(c[0]).isInstanceOf(RuleFileException.class)
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void everyProblemIsReported_withLineNumbers() {
        RuleFileException e = org.assertj.core.api.Assertions.catchThrowableOfType(RuleFileException.class, () -> parser.parse("f.yml", """
                groups:
                  - name: a
                    rules:
                      - record: 1bad
                        expr: up
                      - alert: X
                        expr: sum(
                """));
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0)).startsWith("f.yml:4:").contains("group \"a\": rule 1 (\"1bad\")");
        assertThat(e.problems().get(1)).startsWith("f.yml:7:").contains("rule 2 (\"X\")");
    }

    @Test
    void templatesAreChecked() {
        RuleFileParser strict = new RuleFileParser((name, text) -> text.contains("{{ broken") ? "unclosed action" : null);
        assertThatThrownBy(() -> strict.parse("f.yml", """
                groups:
                  - name: a
                    rules:
                      - alert: X
                        expr: up
                        annotations:
                          summary: "{{ broken"
                """)).hasMessageContaining("annotation \"summary\": unclosed action");
    }
}
