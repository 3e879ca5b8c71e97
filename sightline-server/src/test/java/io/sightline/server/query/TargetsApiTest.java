package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server scraping itself, as a fresh Prometheus does: targets, metadata and scrape pools in the
 * Prometheus API's shapes, {@code up} queryable, and a reload that removes the job ends its series.
 */
class TargetsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode get(SightlineServer s, String path) throws Exception {
        var r = TestHttp.get(url(s, path));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("status").asText()).isEqualTo("success");
        return n.path("data");
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void selfScrape_targetsMetadataAndReload() throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Path targets = tmp.resolve("targets.yml");
        // The port is known only once the server runs: file_sd points at it then.
        Files.writeString(targets, "[]\n");
        Files.writeString(config, """
                scrape_configs:
                  - job_name: self
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    file_sd_configs:
                      - files: [targets.yml]
                  - job_name: gone
                    static_configs:
                      - targets: [localhost:1]
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: localhost:1
                        action: drop
                """);
        try (SightlineServer server = TestServers.start(config, tmp.resolve("data"), List.of())) {
            String self = "127.0.0.1:" + server.address().getPort();
            Files.writeString(targets, "- targets: ['" + self + "']\n  labels: {env: test}\n");
            await("the self target", () -> get(server, "/api/v1/targets").path("activeTargets").size() == 1);
            await("a scrape", () -> get(server, "/api/v1/targets").path("activeTargets").get(0).path("health").asText().equals("up"));

            JsonNode all = get(server, "/api/v1/targets");
            JsonNode t = all.path("activeTargets").get(0);
            assertThat(t.path("labels").toString()).isEqualTo("{\"env\":\"test\",\"instance\":\"" + self + "\",\"job\":\"self\"}");
            assertThat(t.path("discoveredLabels").path("__meta_filepath").asText()).endsWith("targets.yml");
            assertThat(t.path("discoveredLabels").path("__scrape_interval__").asText()).isEqualTo("1s");
            assertThat(t.path("scrapePool").asText()).isEqualTo("self");
            assertThat(t.path("scrapeUrl").asText()).isEqualTo("http://" + self + "/metrics");
            assertThat(t.path("lastError").asText()).isEmpty();
            assertThat(t.path("lastScrape").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(t.path("lastScrapeDuration").asDouble()).isPositive();
            assertThat(t.path("scrapeInterval").asText()).isEqualTo("1s");
            assertThat(t.path("scrapeTimeout").asText()).isEqualTo("1s");
            assertThat(all.path("droppedTargets")).hasSize(1);
            assertThat(all.path("droppedTargets").get(0).path("discoveredLabels").path("__address__").asText())
                    .isEqualTo("localhost:1");
            assertThat(all.path("droppedTargetCounts").path("gone").asInt()).isEqualTo(1);
            assertThat(get(server, "/api/v1/targets?state=dropped").path("activeTargets")).isEmpty();
            assertThat(get(server, "/api/v1/targets?state=active").path("droppedTargets")).isEmpty();
            assertThat(get(server, "/api/v1/targets?scrapePool=gone").path("activeTargets")).isEmpty();
            var bad = TestHttp.get(url(server, "/api/v1/targets?state=sleeping"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("bad_data").contains("state");
            assertThat(get(server, "/api/v1/scrape_pools").path("scrapePools").toString()).isEqualTo("[\"self\",\"gone\"]");

            await("up in PromQL", () -> get(server, "/api/v1/query?query=" + q("up{job=\"self\",env=\"test\"}"))
                    .path("result").size() == 1);
            JsonNode up = get(server, "/api/v1/query?query=" + q("up{job=\"self\"}")).path("result").get(0);
            assertThat(up.path("value").get(1).asText()).isEqualTo("1");

            // Micrometer serves OpenMetrics, where a counter family is named without _total.
            JsonNode md = get(server, "/api/v1/metadata?metric=sightline_http_requests");
            assertThat(md.path("sightline_http_requests").get(0).path("type").asText()).isEqualTo("counter");
            JsonNode tmd = get(server, "/api/v1/targets/metadata?match_target=" + q("{job=\"self\"}") + "&metric=up");
            assertThat(tmd).isEmpty();
            JsonNode tmd2 = get(server, "/api/v1/targets/metadata?match_target=" + q("{job=\"self\"}") + "&limit=2");
            assertThat(tmd2).hasSize(2);
            assertThat(tmd2.get(0).path("target").path("job").asText()).isEqualTo("self");
            assertThat(tmd2.get(0).has("metric")).isTrue();
            var badMatch = TestHttp.get(url(server, "/api/v1/targets/metadata?match_target=" + q("up{")));
            assertThat(badMatch.statusCode()).isEqualTo(400);

            // Remove the job: its series end with stale markers, so `up` is gone at once.
            Files.writeString(config, "scrape_configs: []\n");
            var reload = TestHttp.send("POST", url(server, "/-/reload"), null, "");
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            assertThat(get(server, "/api/v1/targets").path("activeTargets")).isEmpty();
            assertThat(get(server, "/api/v1/query?query=" + q("up{job=\"self\"}")).path("result")).isEmpty();
            assertThat(get(server, "/api/v1/query?query=" + q("count_over_time(up{job=\"self\"}[1m])"))
                    .path("result").get(0).path("value").get(1).asInt()).isPositive();
        }
    }
}
