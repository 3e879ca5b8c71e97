package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code prometheus-alertmanager} receives the alerts Sightline forwards through
 * {@code alerting.alertmanagers}, with the external labels added and {@code alert_relabel_configs}
 * applied; checked through Alertmanager's own API.
 */
@Tag("slow")
class AlertmanagerForwardIT {
    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void alertsReachDebiansAlertmanager() throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "needs Debian's prometheus-alertmanager (.ci/run installs it)");
        int amPort = freePort();
        Files.writeString(tmp.resolve("am.yml"), "route: {receiver: none}\nreceivers: [{name: none}]\n");
        Process am = new ProcessBuilder(BINARY.toString(), "--config.file=" + tmp.resolve("am.yml"),
                "--storage.path=" + tmp.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=").redirectErrorStream(true).redirectOutput(tmp.resolve("am.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", amPort)) {
                    break;
                } catch (java.io.IOException notYet) {
                    if (System.nanoTime() > deadline || !am.isAlive()) {
                        throw new AssertionError("alertmanager did not start: " + Files.readString(tmp.resolve("am.log")));
                    }
                    Thread.sleep(100);
                }
            }
            Files.writeString(tmp.resolve("rules.yml"), """
                    groups:
                      - name: g
                        rules:
                          - alert: DiskFull
                            expr: vector(1)
                            labels: {severity: page, internal: drop-me}
                            annotations: {summary: disk full}
                    """);
            Files.writeString(tmp.resolve("sightline.yml"), """
                    global:
                      evaluation_interval: 500ms
                      external_labels: {cluster: eu-1}
                    rule_files: [rules.yml]
                    alerting:
                      alert_relabel_configs:
                        - action: labeldrop
                          regex: internal
                      alertmanagers:
                        - static_configs:
                            - targets: ['127.0.0.1:%d']
                    """.formatted(amPort));
            try (SightlineServer server = TestServers.start(tmp.resolve("sightline.yml"), tmp.resolve("data"), List.of())) {
                String api = "http://127.0.0.1:" + amPort + "/api/v2/alerts";
                JsonNode found = null;
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (found == null && System.nanoTime() < until) {
                    for (JsonNode a : JSON.readTree(TestHttp.get(api).body())) {
                        if (a.path("labels").path("alertname").asText().equals("DiskFull")) {
                            found = a;
                        }
                    }
                    Thread.sleep(200);
                }
                assertThat(found).as("Alertmanager got the alert; its log: %s", Files.readString(tmp.resolve("am.log"))).isNotNull();
                assertThat(found.path("labels").path("cluster").asText()).isEqualTo("eu-1");
                assertThat(found.path("labels").path("severity").asText()).isEqualTo("page");
                assertThat(found.path("labels").has("internal")).isFalse();
                assertThat(found.path("annotations").path("summary").asText()).isEqualTo("disk full");
                assertThat(found.path("status").path("state").asText()).isEqualTo("active");
                assertThat(TestHttp.get(url(server, "/metrics")).body()).contains("sightline_alertmanager_alerts_sent_total");
            }
        } finally {
            am.destroy();
            am.waitFor();
        }
    }
}
