package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sightline.server.TestHttp;
import io.sightline.server.config.ConfigException;
import io.sightline.server.config.ConfigLoader;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the server with a rule file and an inline notifier configuration; data pushed so the
 * alert goes pending, firing, then resolved; a local webhook receiver gets the firing and the resolved
 * notification with the alert's labels.
 */
class AlertNotificationTest {
    @TempDir
    Path tmp;

    private static void await(String what, java.util.concurrent.Callable<Boolean> c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!c.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void firingThenResolved_reachTheWebhookAndTheMailbox() throws Exception {
        com.icegreen.greenmail.util.GreenMail smtp = new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(0, "127.0.0.1", "smtp"));
        smtp.start();
        try {
            firingThenResolved(smtp);
        } finally {
            smtp.stop();
        }
    }

    private static List<String> subjects(com.icegreen.greenmail.util.GreenMail smtp) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (var m : smtp.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }

    private void firingThenResolved(com.icegreen.greenmail.util.GreenMail smtp) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        Files.writeString(tmp.resolve("rules.yml"), """
                groups:
                  - name: g
                    rules:
                      - alert: QueueTooLong
                        expr: queue_length > 10
                        for: 1s
                        labels: {severity: page, team: '{{ $labels.queue }}-team'}
                        annotations:
                          summary: '{{ $labels.queue }} has {{ $value }} items ({{ $value | humanizePercentage }} of 50)'
                          broken: '{{ humanize "lots" }}'
                """);
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, """
                global:
                  evaluation_interval: 500ms
                rule_files: [rules.yml]
                notifier:
                  route:
                    receiver: oncall
                    group_by: [alertname]
                    group_wait: 200ms
                    group_interval: 500ms
                    routes:
                      - {matchers: ['alertname="QueueTooLong"'], receiver: broken, continue: true}
                      - {matchers: ['alertname="QueueTooLong"'], receiver: oncall}
                  receivers:
                    - name: broken
                      webhook_configs: [{url: 'http://127.0.0.1:%d/nobody-listens'}]
                    - name: oncall
                      webhook_configs:
                        - url: http://127.0.0.1:%d/hook
                      email_configs:
                        - to: oncall@example.org
                          from: sightline@example.org
                          smarthost: 127.0.0.1:%d
                          require_tls: false
                          send_resolved: true
                """.formatted(io.sightline.server.TestHttp.freePort(), hook.getAddress().getPort(), smtp.getSmtp().getPort()));
        try (SightlineServer server = TestServers.start(config, tmp.resolve("data"), List.of())) {
            double[] value = {50};
            Thread feeder = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null,
                                "queue_length{queue=\"orders\"} " + value[0] + " " + System.currentTimeMillis() + "\n");
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            try {
                await("the firing notification", () -> received.stream().anyMatch(b -> b.contains("QueueTooLong")));
                assertThat(received.stream().filter(b -> b.contains("QueueTooLong")).findFirst().orElseThrow()).contains("\"status\":\"firing\"").contains("\"receiver\":\"oncall\"")
                        .contains("\"alertname\":\"QueueTooLong\"").contains("\"queue\":\"orders\"")
                        .contains("\"severity\":\"page\"").contains("\"team\":\"orders-team\"")
                        .contains("\"summary\":\"orders has 50 items (5000% of 50)\"")
                        .contains("\"broken\":\"<error expanding template: template: __alert_QueueTooLong:1: executing "
                                + "\\\"__alert_QueueTooLong\\\" at <humanize \\\"lots\\\">: error calling humanize: "
                                + "strconv.ParseFloat: parsing \\\"lots\\\": invalid syntax>\"");
                await("the firing e-mail", () -> subjects(smtp).contains("[FIRING:1] QueueTooLong (orders page orders-team)"));
                await("a failed delivery to the broken receiver", () -> TestHttp.get(url(server, "/api/v1/receivers")).body()
                        .matches("(?s).*\"name\":\"broken\",\"integrations\":\\[\"webhook\"\\],\"sent\":0,\"failed\":[1-9].*"));
                String receivers = TestHttp.get(url(server, "/api/v1/receivers")).body();
                assertThat(receivers).contains("\"name\":\"oncall\",\"integrations\":[\"webhook\",\"email\"]")
                        .contains("\"lastError\":\"java.net.ConnectException");
                assertThat(TestHttp.get(url(server, "/metrics")).body())
                        .contains("sightline_notifications_failed_total{receiver=\"broken\"}")
                        .containsPattern("sightline_notifications_sent_total\\{receiver=\"oncall\"\\} [1-9]");
                value[0] = 1;
                await("the resolved notification", () -> received.stream()
                        .anyMatch(b -> b.contains("QueueTooLong") && b.contains("\"status\":\"resolved\"")));
                await("the resolved e-mail", () -> subjects(smtp).contains("[RESOLVED] QueueTooLong (orders page orders-team)"));
                assertThat(received).as("the built-in watchdog reaches the root receiver too")
                        .anySatisfy(b -> assertThat(b).contains("\"alertname\":\"Watchdog\""));
            } finally {
                feeder.interrupt();
                hook.stop(0);
            }
        }
    }

    @Test
    void badNotifierConfig_isRefusedWithItsLocation() throws Exception {
        Path config = tmp.resolve("bad.yml");
        Files.writeString(config, """
                notifier:
                  route:
                    receiver: nobody
                  receivers:
                    - name: oncall
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(config))
                .isInstanceOf(ConfigException.class).hasMessageContaining(config + ":3:15: undefined receiver \"nobody\" used in route");
    }
}
