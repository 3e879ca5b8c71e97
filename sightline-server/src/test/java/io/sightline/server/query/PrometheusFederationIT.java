package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Debian's Prometheus as a real client of Sightline's read side: it reads Sightline's data through
 * {@code remote_read} and gets the same answers as Sightline's own API, and it scrapes
 * {@code /federate} as a healthy target that yields every matched series.
 */
@Tag("slow")
class PrometheusFederationIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void prometheus_remoteReadsAndFederates_fromSightline() throws Exception {
        long end = (System.currentTimeMillis() / 60_000) * 60_000;
        long start = end - 3_600_000;
        byte[] body = Snappy.compress(PrometheusGoldenIT.dataset(start, end));
        try (SightlineServer sightline = TestServers.start(null, tmp.resolve("sightline"), List.of())) {
            assertThat(PrometheusGoldenIT.write(url(sightline, "/api/v1/write"), body)).isEqualTo(204);
            int port = sightline.address().getPort();
            try (DebianPrometheus prometheus = DebianPrometheus.start(tmp, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: federate
                        honor_labels: true
                        metrics_path: /federate
                        params:
                          'match[]': ['{__name__=~"temperature|up"}']
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_read:
                      - url: http://127.0.0.1:%d/api/v1/read
                        read_recent: true
                    """.formatted(port, port))) {
                String prom = prometheus.url();
                long deadline = System.currentTimeMillis() + 60_000;
                // Remote read: Prometheus answers from Sightline's data what Sightline answers itself.
                List<String> mismatches = new ArrayList<>();
                int compared = 0;
                for (String q : List.of("http_requests_total", "rate(node_cpu_seconds_total[5m])",
                        "sum by (le) (latency_seconds_bucket)")) {
                    String range = "/api/v1/query_range?query=" + PrometheusGoldenIT.enc(q) + "&start="
                            + (start + 1_500_000) / 1000.0 + "&end=" + (end - 120_000) / 1000.0 + "&step=60";
                    compared += PrometheusGoldenIT.compare(prom, url(sightline, ""), range, q, mismatches);
                }
                assertThat(mismatches).isEmpty();
                assertThat(compared).isGreaterThan(30);
                // Federation: the target is healthy and yields the 3 temperature and 3 up series.
                JsonNode target = null;
                while (System.currentTimeMillis() < deadline) {
                    JsonNode targets = JSON.readTree(TestHttp.get(prom + "/api/v1/targets").body());
                    for (JsonNode t : targets.path("data").path("activeTargets")) {
                        if (t.path("labels").path("job").asText().equals("federate")
                                && t.path("health").asText().equals("up")) {
                            target = t;
                        }
                    }
                    if (target != null) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(target).as("federate target healthy: " + prometheus.log()).isNotNull();
                JsonNode scraped = JSON.readTree(TestHttp.get(prom + "/api/v1/query?query="
                        + PrometheusGoldenIT.enc("scrape_samples_scraped{job=\"federate\"}")).body());
                assertThat(scraped.path("data").path("result").get(0).path("value").get(1).asText()).isEqualTo("6");
                // The temperature series have no instance: federation's instance="" keeps the target's out.
                JsonNode federated = JSON.readTree(TestHttp.get(prom + "/api/v1/query?query="
                        + PrometheusGoldenIT.enc("temperature{job=\"federate\"}")).body());
                assertThat(federated.path("data").path("result")).hasSize(3);
                federated.path("data").path("result").forEach(s -> assertThat(s.path("metric").has("instance"))
                        .as(s.toString()).isFalse());
                System.out.println("remote read compared " + compared + " series; federation: " + Map.of("health",
                        target.path("health").asText()));
            }
        }
    }
}
