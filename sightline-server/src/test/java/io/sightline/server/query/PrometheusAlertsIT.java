package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code prometheus} uses Sightline as its Alertmanager ({@code alerting.alertmanagers}):
 * the alerts it sends to {@code /api/v2/alerts} are routed by Sightline's notifier to a webhook and
 * listed by Sightline's {@code GET /api/v2/alerts}.
 */
@Tag("slow")
class PrometheusAlertsIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void prometheusSendsItsAlertsToSightline() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "needs Debian's prometheus (.ci/run installs it)");
        List<String> hooks = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            hooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        Files.writeString(tmp.resolve("sightline.yml"), """
                notifier:
                  route: {receiver: oncall, group_by: [alertname], group_wait: 100ms, group_interval: 1s}
                  receivers:
                    - name: oncall
                      webhook_configs: [{url: 'http://127.0.0.1:%d/hook'}]
                """.formatted(hook.getAddress().getPort()));
        try (SightlineServer server = TestServers.start(tmp.resolve("sightline.yml"), tmp.resolve("data"), List.of())) {
            Files.writeString(tmp.resolve("rules.yml"), """
                    groups:
                      - name: g
                        interval: 1s
                        rules:
                          - alert: FromPrometheus
                            expr: vector(1)
                            labels: {severity: page}
                            annotations: {summary: 'sent by {{ "Prometheus" }}'}
                    """);
            Files.writeString(tmp.resolve("prometheus.yml"), """
                    global: {evaluation_interval: 1s}
                    rule_files: [rules.yml]
                    alerting:
                      alertmanagers:
                        - api_version: v2
                          static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(server.address().getPort()));
            int promPort = TestHttp.freePort();
            Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + tmp.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + tmp.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + promPort,
                    // The first send may come before the Alertmanager is discovered; resend soon, not after 1 m.
                    "--rules.alert.resend-delay=1s")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("prom.log").toFile()).start();
            try {
                JsonNode found = null;
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (found == null && System.nanoTime() < until) {
                    for (JsonNode a : JSON.readTree(TestHttp.get(url(server, "/api/v2/alerts")).body())) {
                        if (a.path("labels").path("alertname").asText().equals("FromPrometheus")) {
                            found = a;
                        }
                    }
                    Thread.sleep(200);
                }
                if (found == null) {
                    String metrics = TestHttp.get("http://127.0.0.1:" + promPort + "/metrics").body().lines()
                            .filter(l -> l.startsWith("prometheus_notifications") || l.startsWith("prometheus_rule_evaluation"))
                            .reduce("", (x, y) -> x + "\n" + y);
                    String alerts = TestHttp.get("http://127.0.0.1:" + promPort + "/api/v1/alerts").body();
                    throw new AssertionError("Sightline did not get Prometheus's alert; Prometheus's alerts: " + alerts
                            + "; its notification metrics:" + metrics + "\nits log: " + Files.readString(tmp.resolve("prom.log")));
                }
                assertThat(found.path("labels").path("severity").asText()).isEqualTo("page");
                assertThat(found.path("annotations").path("summary").asText()).isEqualTo("sent by Prometheus");
                assertThat(found.path("generatorURL").asText()).contains("/graph?g0.expr=vector%281%29");
                assertThat(found.path("receivers").findValuesAsText("name")).containsExactly("oncall");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (hooks.stream().noneMatch(h -> h.contains("FromPrometheus")) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(hooks).anySatisfy(h -> assertThat(h).contains("\"alertname\":\"FromPrometheus\"")
                        .contains("\"status\":\"firing\""));
            } finally {
                prom.destroy();
                prom.waitFor();
                hook.stop(0);
            }
        }
    }
}
