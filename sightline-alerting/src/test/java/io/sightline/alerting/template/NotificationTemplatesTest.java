package io.sightline.alerting.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alertmanager's notification template data and functions, and Sightline's default templates. */
class NotificationTemplatesTest {
    static final long T = 1_435_065_584_000L; // 2015-06-23 13:19:44 UTC

    static Object data() {
        return NotificationData.of("oncall", List.of(
                new NotificationData.Alert(true, Map.of("alertname", "Down", "instance", "a", "job", "node", "severity", "page"),
                        Map.of("summary", "a is down"), T, 0, "http://prom/graph?g0.expr=up", "0123456789abcdef"),
                new NotificationData.Alert(true, Map.of("alertname", "Down", "instance", "b", "job", "node", "severity", "page"),
                        Map.of("summary", "b is down"), T + 60_000, 0, "", "fedcba9876543210"),
                new NotificationData.Alert(false, Map.of("alertname", "Down", "instance", "c", "job", "node", "severity", "page"),
                        Map.of(), T - 600_000, T, "", "0000000000000001")),
                Map.of("alertname", "Down"), "http://sightline:8321");
    }

    static String render(String text) throws TemplateException {
        return NotificationTemplates.defaults().render("t", text, data(), "http://sightline:8321");
    }

    @Test
    void dataModel_asAlertmanagers() throws Exception {
        assertThat(render("{{ .Receiver }} {{ .Status }} {{ len .Alerts }} {{ len .Alerts.Firing }} {{ len .Alerts.Resolved }}"))
                .isEqualTo("oncall firing 3 2 1");
        assertThat(render("{{ .GroupLabels.alertname }}|{{ .CommonLabels.SortedPairs.Names | join \",\" }}"
                + "|{{ .CommonLabels.Remove .GroupLabels.Names | len }}|{{ .CommonAnnotations.summary }}"))
                .isEqualTo("Down|alertname,job,severity|2|<no value>");
        assertThat(render("{{ range .Alerts.Firing }}{{ .Labels.instance }}:{{ .Annotations.summary }};{{ end }}"))
                .isEqualTo("a:a is down;b:b is down;");
        assertThat(render("{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}"))
                .isEqualTo("alertname=Down job=node severity=page ");
        assertThat(render("{{ (index .Alerts 0).StartsAt.Format \"2006-01-02T15:04:05Z07:00\" }} "
                + "{{ (index .Alerts 0).StartsAt.Unix }} {{ (index .Alerts 0).EndsAt.IsZero }} {{ (index .Alerts 2).EndsAt }}"))
                .isEqualTo("2015-06-23T13:19:44Z 1435065584 true 2015-06-23 13:19:44 +0000 UTC");
        assertThat(render("{{ with index .Alerts 0 }}{{ date \"Mon Jan _2 3:04PM MST\" .StartsAt }}|"
                + "{{ (tz \"Europe/Berlin\" .StartsAt).Format \"15:04 MST -07:00\" }}|{{ .Fingerprint }}{{ end }}"))
                .isEqualTo("Tue Jun 23 1:19PM UTC|15:19 CEST +02:00|0123456789abcdef");
        assertThat(render("{{ stringSlice \"a\" \"b\" | join \"+\" }} {{ trimSpace \"  x \" }} {{ toUpper .Status }}"))
                .isEqualTo("a+b x FIRING");
    }

    @Test
    void defaults_matchTheBuiltInTitles_andCanBeCalled() throws Exception {
        assertThat(render("{{ template \"slack.default.title\" . }}")).isEqualTo("[FIRING:2] Down (node page)");
        assertThat(render("{{ template \"email.default.subject\" . }}")).isEqualTo("[FIRING:2] Down (node page)");
        assertThat(render("{{ template \"slack.default.text\" . }}")).isEqualTo("a is down\nb is down\n[RESOLVED] Down c node page\n");
        assertThat(render("{{ template \"__text_alert_list\" .Alerts.Resolved }}")).isEqualTo(
                "Labels:\n - alertname = Down\n - instance = c\n - job = node\n - severity = page\nAnnotations:\nSource: \n");
        assertThat(render("{{ template \"email.default.html\" . }}")).startsWith("<!DOCTYPE html>")
                .contains("<th colspan=\"2\" style=\"text-align:left;background:#f2f2f2;padding:4px 8px\">Down (firing)</th>");
    }

    @Test
    void templateFiles_defineWhatFieldsCall_andBadFilesAreRefusedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("team.tmpl"), """
                {{ define "team.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} x{{ len .Alerts }}{{ end }}
                {{ define "slack.default.title" }}overridden{{ end }}
                """);
        NotificationTemplates t = NotificationTemplates.load(List.of(dir.resolve("team.tmpl")));
        assertThat(t.render("title", "{{ template \"team.title\" . }}", data(), "")).isEqualTo("[FIRING] Down x3");
        assertThat(t.render("title", "{{ template \"slack.default.title\" . }}", data(), "")).isEqualTo("overridden");
        Files.writeString(dir.resolve("bad.tmpl"), "{{ define \"x\" }}{{ humanise 1 }}{{ end }}");
        assertThatThrownBy(() -> NotificationTemplates.load(List.of(dir.resolve("bad.tmpl"))))
                .hasMessage("template: bad.tmpl:1: function \"humanise\" not defined");
        assertThat(t.check("slack title", "{{ template \"nope\" . }}")).isNull(); // a missing template fails when run
        assertThatThrownBy(() -> t.render("slack title", "{{ template \"nope\" . }}", data(), ""))
                .hasMessageContaining("no template \"nope\"");
    }
}
