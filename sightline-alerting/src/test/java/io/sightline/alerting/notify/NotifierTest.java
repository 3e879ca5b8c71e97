package io.sightline.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sightline.common.Labels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dispatch to a real webhook receiver on a local socket, with short group timings. */
class NotifierTest {
    private HttpServer receiver;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private Notifier notifier;

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int status = failFirst.getAndDecrement() > 0 ? 503 : 200;
            if (status == 200) {
                bodies.add(ex.getRequestURI().getPath() + " " + new String(body, StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        receiver.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private NotifierConfig config(String extra) throws Exception {
        return NotifierConfigParser.parse("am.yml", """
                route:
                  receiver: team
                  group_by: [alertname]
                  group_wait: 200ms
                  group_interval: 500ms
                  repeat_interval: 1h
                  routes:
                    - matchers: ['severity="page"']
                      receiver: oncall
                      continue: true
                    - matchers: ['severity="page"']
                      receiver: audit
                receivers:
                  - name: team
                    webhook_configs: [{url: '%s'}]
                  - name: oncall
                    webhook_configs: [{url: '%s'}]
                  - name: audit
                    webhook_configs: [{url: '%s', send_resolved: false}]
                %s
                """.formatted(url("/team"), url("/oncall"), url("/audit"), extra));
    }

    private void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; received: " + bodies);
            }
            Thread.sleep(20);
        }
    }

    private static Notifier.AlertEvent alert(long now, boolean firing, String... labels) {
        return new Notifier.AlertEvent(Labels.of(labels), Map.of("summary", "it broke"), now - 60_000,
                firing ? now + 240_000 : now - 1, "/graph?g0.expr=up");
    }

    private List<String> to(String path) {
        return bodies.stream().filter(b -> b.startsWith(path + " ")).map(b -> b.substring(path.length() + 1)).toList();
    }

    @Test
    void groupsRoutesAndResolves() throws Exception {
        notifier = new Notifier(config(""), "http://sightline:8321", System::currentTimeMillis);
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "Down", "instance", "a", "severity", "page"),
                alert(now, true, "alertname", "Down", "instance", "b", "severity", "page"),
                alert(now, true, "alertname", "Slow", "instance", "a", "severity", "ticket")));
        await("the page at both page receivers and the ticket at the team", () -> to("/oncall").size() == 1
                && to("/audit").size() == 1 && to("/team").size() == 1);
        String page = to("/oncall").get(0);
        assertThat(page).startsWith("{\"version\":\"4\",\"groupKey\":\"{}/{severity=\\\"page\\\"}:{alertname=\\\"Down\\\"}\"")
                .contains("\"status\":\"firing\"").contains("\"receiver\":\"oncall\"")
                .contains("\"groupLabels\":{\"alertname\":\"Down\"}")
                .contains("\"commonLabels\":{\"alertname\":\"Down\",\"severity\":\"page\"}")
                .contains("\"commonAnnotations\":{\"summary\":\"it broke\"}")
                .contains("\"externalURL\":\"http://sightline:8321\"")
                .contains("\"instance\":\"a\"").contains("\"instance\":\"b\"")
                .contains("\"endsAt\":\"0001-01-01T00:00:00Z\"").contains("\"fingerprint\":\"");
        assertThat(to("/team").get(0)).contains("\"alertname\":\"Slow\"").doesNotContain("\"Down\"");

        // Nothing changed: no repeat before repeat_interval.
        Thread.sleep(1200);
        assertThat(to("/oncall")).hasSize(1);

        // One of the two resolves: the oncall receiver hears of it; audit (send_resolved: false) does not.
        long later = System.currentTimeMillis();
        notifier.receive(List.of(alert(later, false, "alertname", "Down", "instance", "a", "severity", "page")));
        await("the resolution", () -> to("/oncall").size() == 2);
        assertThat(to("/oncall").get(1)).contains("\"status\":\"firing\"").contains("\"status\":\"resolved\"");
        Thread.sleep(800);
        assertThat(to("/audit")).hasSize(1);

        // The last one resolves: the all-clear.
        notifier.receive(List.of(alert(System.currentTimeMillis(), false, "alertname", "Down", "instance", "b", "severity", "page")));
        await("the all-clear", () -> to("/oncall").size() == 3);
        assertThat(to("/oncall").get(2)).startsWith("{\"version\":\"4\"").contains("\"truncatedAlerts\":0,\"status\":\"resolved\"");
    }

    @Test
    void inhibition_mutesTargetsWhileTheSourceFires() throws Exception {
        notifier = new Notifier(config("""
                inhibit_rules:
                  - source_matchers: ['severity="page"']
                    target_matchers: ['severity="ticket"']
                    equal: [instance]
                """), "", System::currentTimeMillis);
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "Down", "instance", "a", "severity", "page"),
                alert(now, true, "alertname", "Slow", "instance", "a", "severity", "ticket"),
                alert(now, true, "alertname", "Slow", "instance", "b", "severity", "ticket")));
        await("the page and the uninhibited ticket", () -> to("/oncall").size() == 1 && to("/team").size() == 1);
        assertThat(to("/team").get(0)).contains("\"instance\":\"b\"").doesNotContain("\"instance\":\"a\"");
    }

    @Test
    void slackAndPagerDuty_getTheirOwnPayloads() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_by: [alertname], group_wait: 50ms, group_interval: 300ms}
                receivers:
                  - name: r
                    slack_configs: [{api_url: '%s', channel: '#ops', send_resolved: true}]
                    pagerduty_configs: [{routing_key: key123, url: '%s', severity: critical}]
                """.formatted(url("/slack"), url("/pd"))), "http://sightline:8321", System::currentTimeMillis);
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "Down", "instance", "a", "severity", "page")));
        await("slack and pagerduty", () -> to("/slack").size() == 1 && to("/pd").size() == 1);
        assertThat(to("/slack").get(0)).isEqualTo("{\"channel\":\"#ops\",\"attachments\":[{\"color\":\"danger\","
                + "\"title\":\"[FIRING:1] Down (a page)\",\"title_link\":\"http://sightline:8321\","
                + "\"fallback\":\"[FIRING:1] Down (a page)\",\"text\":\"it broke\"}]}");
        assertThat(to("/pd").get(0)).startsWith("{\"routing_key\":\"key123\",\"event_action\":\"trigger\",\"dedup_key\":\"")
                .contains("\"summary\":\"[FIRING:1] Down (a page)\"").contains("\"severity\":\"critical\"");
        notifier.receive(List.of(alert(System.currentTimeMillis(), false, "alertname", "Down", "instance", "a", "severity", "page")));
        await("the resolutions", () -> to("/slack").size() == 2 && to("/pd").size() == 2);
        assertThat(to("/slack").get(1)).contains("\"color\":\"good\"").contains("[RESOLVED]");
        assertThat(to("/pd").get(1)).contains("\"event_action\":\"resolve\"");
        String key = to("/pd").get(0).replaceAll(".*\"dedup_key\":\"([0-9a-f]+)\".*", "$1");
        assertThat(to("/pd").get(1)).contains("\"dedup_key\":\"" + key + "\"");
    }

    @Test
    void silencedAlerts_areNotNotified() throws Exception {
        notifier = new Notifier(config(""), "", System::currentTimeMillis);
        notifier.silencedBy(l -> "a".equals(l.get("instance")));
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "Slow", "instance", "a", "severity", "ticket"),
                alert(now, true, "alertname", "Slow", "instance", "b", "severity", "ticket")));
        await("the unsilenced alert", () -> to("/team").size() == 1);
        assertThat(to("/team").get(0)).contains("\"instance\":\"b\"").doesNotContain("\"instance\":\"a\"");
    }

    @Test
    void failingReceiver_isRetried_andCounted() throws Exception {
        failFirst.set(2);
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers: [{name: r, webhook_configs: [{url: '%s'}]}]
                """.formatted(url("/r"))), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "X")));
        await("delivery after two failures", () -> to("/r").size() == 1 && notifier.stats().get("r").sent.get() == 1);
        assertThat(notifier.stats().get("r").failed.get()).isEqualTo(2);
        assertThat(notifier.stats().get("r").sent.get()).isEqualTo(1);
    }

    @Test
    void fingerprint_isPrometheus() {
        // model.LabelSet{"alertname": "X"}.Fingerprint() in Prometheus's common/model.
        assertThat(Notifier.fingerprint(Labels.empty())).isEqualTo(0xcbf29ce484222325L);
        assertThat(Notifier.fingerprint(Labels.of("a", "b"))).isNotEqualTo(Notifier.fingerprint(Labels.of("a", "c")));
    }

    @Test
    void muteAndActiveTimeIntervals_holdNotificationsBack_untilTheyEnd() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(
                java.time.Instant.parse("2026-12-05T10:00:00Z").toEpochMilli()); // a Saturday
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                time_intervals:
                  - name: weekends
                    time_intervals: [{weekdays: ['saturday', 'sunday']}]
                  - name: office
                    time_intervals:
                      - weekdays: ['monday:friday']
                        times: [{start_time: '09:00', end_time: '17:00'}]
                        location: Europe/Berlin
                route:
                  receiver: r
                  group_by: [team]
                  group_wait: 50ms
                  group_interval: 200ms
                  routes:
                    - {matchers: ['team="a"'], receiver: a, mute_time_intervals: [weekends]}
                    - {matchers: ['team="b"'], receiver: b, active_time_intervals: [office]}
                receivers:
                  - {name: r, webhook_configs: [{url: '%s'}]}
                  - {name: a, webhook_configs: [{url: '%s'}]}
                  - {name: b, webhook_configs: [{url: '%s'}]}
                """.formatted(url("/r"), url("/a"), url("/b"))), "", clock::get);
        notifier.receive(List.of(alert(clock.get(), true, "alertname", "X", "team", "a"),
                alert(clock.get(), true, "alertname", "X", "team", "b")));
        await("two muted flushes", () -> notifier.mutedFlushes() >= 2);
        Thread.sleep(300);
        assertThat(to("/a")).as("muted on weekends").isEmpty();
        assertThat(to("/b")).as("active only in office hours").isEmpty();

        clock.set(java.time.Instant.parse("2026-12-07T08:30:00Z").toEpochMilli()); // Monday, 09:30 in Berlin
        notifier.receive(List.of(alert(clock.get(), true, "alertname", "X", "team", "a"),
                alert(clock.get(), true, "alertname", "X", "team", "b")));
        await("both once the intervals allow", () -> to("/a").size() == 1 && to("/b").size() == 1);
    }

    @Test
    void timeIntervals_areChecked() {
        String[][] cases = {
            {"time_intervals: [{name: t, time_intervals: [{weekdays: [funday]}]}]", "\"funday\" is not a valid weekday"},
            {"time_intervals: [{name: t, time_intervals: [{times: [{start_time: '18:00', end_time: '09:00'}]}]}]",
                "start time cannot be equal or greater than end time"},
            {"time_intervals: [{name: t, time_intervals: [{times: [{start_time: '9am', end_time: '10:00'}]}]}]",
                "couldn't parse timestamp 9am, invalid format"},
            {"time_intervals: [{name: t, time_intervals: [{days_of_month: ['-3:5']}]}]",
                "end day must be negative if start day is negative"},
            {"time_intervals: [{name: t, time_intervals: [{days_of_month: ['0']}]}]", "\"0\" is not a valid day of month"},
            {"time_intervals: [{name: t, time_intervals: [{months: ['march:january']}]}]",
                "start month cannot be after end month in march:january"},
            {"time_intervals: [{name: t, time_intervals: [{location: 'Mars/Olympus'}]}]", "unknown time zone \"Mars/Olympus\""},
            {"time_intervals: [{name: t}, {name: t}]", "time interval \"t\" is not unique"},
            {"route: {receiver: r, routes: [{receiver: r, mute_time_intervals: [nope]}]}",
                "undefined time interval \"nope\" used in route"},
            {"time_intervals: [{name: t}]\nroute: {receiver: r, mute_time_intervals: [t]}",
                "root route must not have any mute time intervals"},
        };
        for (String[] c : cases) {
            String yaml = (c[0].contains("route:") ? "" : "route: {receiver: r}\n") + c[0] + "\nreceivers: [{name: r}]\n";
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", yaml))
                    .as(yaml).hasMessageContaining(c[1]);
        }
    }

    @Test
    void slackAndPagerDuty_withNotificationTemplates_fromTemplateFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("ops.tmpl"), """
                {{ define "ops.title" }}{{ .CommonLabels.alertname }} on {{ .Alerts.Firing | len }} hosts{{ end }}
                """);
        java.nio.file.Files.writeString(dir.resolve("am.yml"), """
                templates: ['*.tmpl']
                route: {receiver: r, group_by: [alertname], group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    slack_configs:
                      - api_url: '%s'
                        title: '{{ template "ops.title" . }}'
                        text: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'
                        color: '{{ if eq .Status "firing" }}#ff0000{{ else }}#00ff00{{ end }}'
                    pagerduty_configs:
                      - {routing_key: k, url: '%s', description: '{{ template "slack.default.title" . }}!'}
                  - name: broken
                    slack_configs: [{api_url: '%s', title: '{{ template "no.such" . }}'}]
                """.formatted(url("/slack"), url("/pd"), url("/broken")));
        notifier = new Notifier(NotifierConfigParser.parse(dir.resolve("am.yml").toString(),
                java.nio.file.Files.readString(dir.resolve("am.yml"))), "http://sightline:8321", System::currentTimeMillis);
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "Down", "instance", "a"),
                alert(now, true, "alertname", "Down", "instance", "b")));
        await("slack and pagerduty", () -> to("/slack").size() == 1 && to("/pd").size() == 1);
        assertThat(to("/slack").get(0)).isEqualTo("{\"attachments\":[{\"color\":\"#ff0000\",\"title\":\"Down on 2 hosts\","
                + "\"title_link\":\"http://sightline:8321\",\"fallback\":\"Down on 2 hosts\",\"text\":\"a b \"}]}");
        assertThat(to("/pd").get(0)).contains("\"summary\":\"[FIRING:2] Down!\"");
    }

    @Test
    void failingNotificationTemplate_isAFailedDelivery() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers: [{name: r, slack_configs: [{api_url: '%s', title: '{{ template "no.such" . }}'}]}]
                """.formatted(url("/slack"))), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "X")));
        await("the failure", () -> notifier.stats().containsKey("r") && notifier.stats().get("r").failed.get() == 1);
        assertThat(notifier.stats().get("r").lastError).contains("no template \"no.such\"");
        assertThat(to("/slack")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, slack_configs: [{api_url: 'http://x', text: '{{ .Alerts | humanise }}'}]}]
                """)).hasMessageContaining("invalid template in slack text: template: slack text:1: function \"humanise\" not defined");
    }
}
