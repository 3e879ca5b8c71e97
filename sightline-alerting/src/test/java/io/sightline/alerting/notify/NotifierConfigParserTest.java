package io.sightline.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Alertmanager configurations: a realistic one whole, and a table of bad ones with Alertmanager's reasons. */
class NotifierConfigParserTest {
    @Test
    void realisticConfig() throws Exception {
        NotifierConfig c = NotifierConfigParser.parse("am.yml", """
                global:
                  resolve_timeout: 2m
                route:
                  receiver: default
                  group_by: [alertname, job]
                  group_wait: 10s
                  routes:
                    - matchers: ['severity="page"', 'team=~"growth|core"']
                      receiver: oncall
                      group_wait: 5s
                      continue: true
                    - match: {env: dev}
                      receiver: default
                      group_by: ['...']
                inhibit_rules:
                  - source_matchers: [severity="page"]
                    target_matchers: [severity="warning"]
                    equal: [alertname]
                receivers:
                  - name: default
                  - name: oncall
                    webhook_configs:
                      - url: http://127.0.0.1:9/hook
                        send_resolved: false
                        max_alerts: 10
                """);
        assertThat(c.resolveTimeout()).isEqualTo(Duration.ofMinutes(2));
        NotifierConfig.Route root = c.route();
        assertThat(root.groupBy()).containsExactly("alertname", "job");
        assertThat(root.repeatInterval()).isEqualTo(Duration.ofHours(4));
        NotifierConfig.Route page = root.routes().get(0);
        assertThat(page.receiver()).isEqualTo("oncall");
        assertThat(page.cont()).isTrue();
        assertThat(page.groupWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(page.groupInterval()).as("inherited").isEqualTo(Duration.ofMinutes(5));
        assertThat(page.groupBy()).as("inherited").containsExactly("alertname", "job");
        assertThat(page.matchers()).hasSize(2);
        assertThat(page.matchers().get(1).matches(Labels.of("team", "core"))).isTrue();
        assertThat(root.routes().get(1).groupByAll()).isTrue();
        assertThat(root.routes().get(1).matchers()).containsExactly(LabelMatcher.equal("env", "dev"));
        assertThat(c.receivers().get(1).webhooks()).singleElement().satisfies(w -> {
            assertThat(w.sendResolved()).isFalse();
            assertThat(w.maxAlerts()).isEqualTo(10);
        });
        assertThat(c.inhibitRules()).singleElement().satisfies(r -> assertThat(r.equal()).containsExactly("alertname"));
    }

    @Test
    void badConfigs() {
        String ok = "receivers: [{name: a}]\n";
        String[][] cases = {
            {"receivers: [{name: a}]", "no route provided in config"},
            {"route: {group_by: [x]}\n" + ok, "root route must specify a default receiver"},
            {"route: {receiver: b}\n" + ok, "undefined receiver \"b\" used in route"},
            {"route: {receiver: a, matchers: ['x=\"1\"']}\n" + ok, "root route must not have any matchers"},
            {"route: {receiver: a}\nreceivers: [{name: a}, {name: a}]", "notification config name \"a\" is not unique"},
            {"route: {receiver: a, group_by: ['...', x]}\n" + ok, "cannot have wildcard group_by"},
            {"route: {receiver: a, group_by: [x, x]}\n" + ok, "duplicated label \"x\" in group_by"},
            {"route: {receiver: a, group_wait: soon}\n" + ok, "group_wait: not a valid duration"},
            {"route: {receiver: a, routes: [{matchers: ['x=~\"(\"']}]}\n" + ok, "bad matcher"},
            {"route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key: x}]}]", "opsgenie_configs are not supported by Sightline yet"},
            {"route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'ftp://x'}]}]", "invalid webhook url"},
            {"route: {receiver: a}\nreceivers: [{}]", "missing name in receiver"},
            {"route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', title: '{{ .Status'}]}]",
                "invalid template in slack title: template: slack title:1: unclosed action"},
            {"templates: ['/nonexistent-dir/*.tmpl', {a: b}]\nroute: {receiver: a}\nreceivers: [{name: a}]",
                "templates entries must be a single value"},
            {"route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{channel: x}]}]", "no api_url"},
            {"route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{service_key: k}]}]", "Events API v1"},
            {"route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{routing_key: k, severity: doom}]}]",
                "severity must be critical, error, warning or info"},
            {"route: {receiver: a, colour: red}\n" + ok, "field colour not found in a route"},
            {"route: {receiver: a}\n" + ok + "inhibit_rules: [{source_matchers: ['a=\"1\"'], equal: ['1x']}]",
                "invalid label name \"1x\" in equal"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", c[0])).as(c[0])
                    .isInstanceOf(NotifierConfigException.class).hasMessageContaining(c[1]).hasMessageStartingWith("am.yml:");
        }
    }

    @Test
    void matcherStrings() {
        assertThat(Matchers.parse("{a=\"1\", b!~\"x|y\", c=bare}")).containsExactly(LabelMatcher.equal("a", "1"),
                LabelMatcher.notRegex("b", "x|y"), LabelMatcher.equal("c", "bare"));
        assertThat(Matchers.parse("msg=\"say \\\"hi\\\"\"")).containsExactly(LabelMatcher.equal("msg", "say \"hi\""));
        assertThatThrownBy(() -> Matchers.parse("a=\"open")).hasMessageContaining("unterminated");
        // Whitespace around names, operators and bare values goes; a quoted value keeps its own.
        assertThat(Matchers.parse("{ a = \" x \" ,\tb\t!=\tbare value ,c=~\"y\"}")).containsExactly(
                LabelMatcher.equal("a", " x "), LabelMatcher.notEqual("b", "bare value"), LabelMatcher.regex("c", "y"));
        assertThatThrownBy(() -> Matchers.parse("")).hasMessageContaining("no matcher");
    }
}
