package io.sightline.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsServer;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forwarding alerts to an Alertmanager over HTTPS with the config's tls_config (a private CA, a client certificate). */
class AlertmanagerTlsTest {
    @TempDir
    Path tmp;

    @Test
    void alertsGoOverTls_withTheConfiguredCaAndClientCertificate() throws Exception {
        assumeTrue(TestCertificates.available(), "needs the openssl command to make test certificates");
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("certs")));
        List<String> received = new CopyOnWriteArrayList<>();
        HttpsServer am = certs.httpsServer(true);
        am.createContext("/api/v2/alerts", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        am.start();
        try {
            Files.writeString(tmp.resolve("rules.yml"), """
                    groups:
                      - name: g
                        rules: [{alert: OverTls, expr: vector(1)}]
                    """);
            Files.writeString(tmp.resolve("sightline.yml"), """
                    global: {evaluation_interval: 500ms}
                    rule_files: [rules.yml]
                    alerting:
                      alertmanagers:
                        - scheme: https
                          tls_config: {ca_file: %s, cert_file: %s, key_file: %s}
                          static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(certs.file("ca.pem"), certs.file("client.pem"), certs.file("client.pk8.pem"),
                    am.getAddress().getPort()));
            try (SightlineServer server = TestServers.start(tmp.resolve("sightline.yml"), tmp.resolve("data"), List.of())) {
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (received.stream().noneMatch(b -> b.contains("OverTls")) && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                assertThat(received).anySatisfy(b -> assertThat(b).contains("\"alertname\":\"OverTls\""));
            }
        } finally {
            am.stop(0);
        }
    }

    @Test
    void unreadableCaFile_failsTheStartWithTheReason() throws Exception {
        Files.writeString(tmp.resolve("bad.yml"), """
                alerting:
                  alertmanagers:
                    - scheme: https
                      tls_config: {ca_file: /nonexistent/ca.pem}
                      static_configs: [{targets: ['127.0.0.1:9093']}]
                """);
        assertThatThrownBy(() -> TestServers.start(tmp.resolve("bad.yml"), tmp.resolve("d2"), List.of()))
                .hasStackTraceContaining("alerting.alertmanagers: tls_config for https://127.0.0.1:9093/api/v2/alerts")
                .hasStackTraceContaining("/nonexistent/ca.pem");
    }
}
