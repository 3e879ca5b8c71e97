package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ingest.relabel_configs on pushed series, over a real socket, and a reload that changes them. */
class IngestRelabelTest {
    @TempDir
    Path tmp;

    @Test
    void relabelRules_dropAndRewritePushedSeries_andFollowAReload() throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, """
                ingest:
                  relabel_configs:
                    - source_labels: [__name__]
                      regex: debug_.*
                      action: drop
                    - source_labels: [env]
                      target_label: environment
                    - regex: env
                      action: labeldrop
                """);
        try (SightlineServer server = TestServers.start(config, tmp.resolve("d"), List.of())) {
            String body = "debug_cache_hits{env=\"prod\"} 7 1795000000000\n"
                    + "http_requests_total{env=\"prod\",code=\"200\"} 3 1795000000000\n";
            var r = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(TestServers.stored(server, LabelMatcher.regex("__name__", ".+"))).containsExactly(
                    "http_requests_total{code=\"200\", environment=\"prod\"} 1795000000000 3.0");

            Files.writeString(config, """
                    ingest:
                      relabel_configs:
                        - target_label: region
                          replacement: eu-west
                    """);
            var reload = TestHttp.send("POST", url(server, "/-/reload"), null, "");
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            r = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null,
                    "debug_cache_hits{env=\"prod\"} 8 1795000060000\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(TestServers.stored(server, LabelMatcher.equal("__name__", "debug_cache_hits"))).containsExactly(
                    "debug_cache_hits{env=\"prod\", region=\"eu-west\"} 1795000060000 8.0");
        }
    }

    @Test
    void maxSeriesPerRequest_refusesTheSeriesBeyond_storesTheFirst() throws Exception {
        Path config = tmp.resolve("limits.yml");
        Files.writeString(config, "limits:\n  max_series_per_request: 2\n");
        try (SightlineServer server = TestServers.start(config, tmp.resolve("d"), List.of())) {
            String body = "a 1 1795000000000\nb 2 1795000000000\nc 3 1795000000000\nd 4 1795000000000\n";
            var r = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null, body);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("stored 2 samples, refused 2: series c: the request has more than 2 series"
                    + " (limits.max_series_per_request)");
            assertThat(TestServers.stored(server, LabelMatcher.regex("__name__", ".+")))
                    .containsExactly("a 1795000000000 1.0", "b 1795000000000 2.0");
            assertThat(TestHttp.get(url(server, "/metrics")).body()).contains(
                    "sightline_ingest_samples_rejected_total{protocol=\"prometheus_import\",reason=\"series_per_request\"} 2.0");
        }
    }
}
