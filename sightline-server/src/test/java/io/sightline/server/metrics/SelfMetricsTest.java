package io.sightline.server.metrics;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfMetricsTest {
    @TempDir
    Path tmp;

    @Test
    void metrics_countRequestsByHandlerAndCode_withLatencyHistogramAndJvmFigures() {
        try (SightlineServer s = TestServers.start(null, tmp.resolve("d"), List.of())) {
            for (int i = 0; i < 3; i++) {
                TestHttp.get(url(s, "/-/healthy"));
            }
            TestHttp.get(url(s, "/random/scanner/path"));
            TestHttp.get(url(s, "/another/one"));
            String body = TestHttp.get(url(s, "/metrics")).body();
            assertThat(value(body, "sightline_http_requests_total{code=\"200\",handler=\"/-/healthy\",method=\"GET\"}"))
                    .isEqualTo(3.0);
            assertThat(value(body, "sightline_http_requests_total{code=\"404\",handler=\"other\",method=\"GET\"}"))
                    .as("unknown paths share one bounded label").isEqualTo(2.0);
            assertThat(value(body, "sightline_http_request_duration_seconds_count{handler=\"/-/healthy\"}")).isEqualTo(3.0);
            assertThat(value(body, "sightline_http_request_duration_seconds_bucket{handler=\"/-/healthy\",le=\"+Inf\"}"))
                    .isEqualTo(3.0);
            assertThat(body).contains("# TYPE sightline_http_request_duration_seconds histogram");
            assertThat(value(body, "sightline_ready")).isEqualTo(1.0);
            assertThat(body).contains("jvm_memory_used_bytes{area=\"heap\"").contains("jvm_gc_").contains("process_uptime_seconds")
                    .contains("process_open_fds ").contains("process_max_fds ").contains("process_cpu_seconds_total ")
                    .contains("process_resident_memory_bytes ").contains("sightline_build_info{");
            assertThat(value(body, "sightline_tsdb_head_series")).isZero();
            assertThat(value(body, "sightline_tsdb_head_samples_appended_total")).isZero();
            assertThat(value(body, "sightline_tsdb_wal_repaired")).isZero();
            assertThat(body).contains("sightline_tsdb_wal_replay_duration_seconds ");
            assertThat(value(body, "sightline_tsdb_blocks_quarantined")).isZero();
            for (String r : new String[] {"raw", "5m", "1h"}) {
                assertThat(value(body, "sightline_tsdb_resolution_blocks{resolution=\"" + r + "\"}")).isZero();
                assertThat(value(body, "sightline_tsdb_resolution_size_bytes{resolution=\"" + r + "\"}")).isZero();
            }
        }
    }

    @Test
    void walDamagedTail_repairedAtStart_isCountedInMetricsAndRuntimeInfo() throws Exception {
        Path data = tmp.resolve("d");
        try (SightlineServer s = TestServers.start(null, data, List.of())) {
            var r = TestHttp.send("POST", url(s, "/api/v1/import/prometheus"), null, "m 1 1700000000000\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(TestHttp.get(url(s, "/api/v1/status/runtimeinfo")).body()).contains("\"corruptionCount\":0");
        }
        Path newest;
        try (var segments = java.nio.file.Files.list(data.resolve("wal"))) {
            newest = segments.filter(p -> p.getFileName().toString().matches("\\d+")).max(Path::compareTo)
                    .orElseThrow();
        }
        // Half a record's header at the end: what a crash in the middle of a write leaves.
        java.nio.file.Files.write(newest, new byte[] {0x7f, 0x01, 0x02}, java.nio.file.StandardOpenOption.APPEND);
        try (SightlineServer s = TestServers.start(null, data, List.of())) {
            assertThat(value(TestHttp.get(url(s, "/metrics")).body(), "sightline_tsdb_wal_repaired")).isEqualTo(1.0);
            assertThat(TestHttp.get(url(s, "/api/v1/status/runtimeinfo")).body()).contains("\"corruptionCount\":1");
            assertThat(TestHttp.get(url(s, "/api/v1/query?query=m&time=1700000000")).body())
                    .as("the sample before the damage").contains("\"1\"]");
        }
    }

    @Test
    void metrics_negotiatesOpenMetrics() throws Exception {
        try (SightlineServer s = TestServers.start(null, tmp.resolve("d"), List.of())) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(s, "/metrics")))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/openmetrics-text"));
            assertThat(r.body()).endsWith("# EOF\n");
            var plain = TestHttp.get(url(s, "/metrics"));
            assertThat(plain.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        }
    }

    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        assertThat(m.find()).as("series %s in%n%s", series, exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
