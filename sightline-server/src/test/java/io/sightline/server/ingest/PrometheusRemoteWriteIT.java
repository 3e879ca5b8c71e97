package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus as a real remote_write client: it scrapes Sightline's own /metrics every second
 * and remote-writes what it scraped to Sightline. Every series and sample Prometheus stored over a
 * window must be in Sightline, identical.
 */
@Tag("slow")
class PrometheusRemoteWriteIT {
    @TempDir
    Path tmp;

    @Test
    void prometheusRemoteWrite_storesWhatPrometheusStores() throws Exception {
        try (SightlineServer sightline = TestServers.start(null, tmp.resolve("sightline"), List.of())) {
            int port = sightline.address().getPort();
            try (DebianPrometheus prometheus = DebianPrometheus.start(tmp, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: sightline
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config:
                          batch_send_deadline: 1s
                          max_shards: 2
                    """.formatted(port, port))) {
                String promApi = prometheus.url();
                long deadline = System.currentTimeMillis() + 60_000;
                Thread.sleep(12_000);
                long end = System.currentTimeMillis() - 4_000;
                long start = end - 6_000;
                Storage storage = (Storage) sightline.storageHandle();
                // Wait until remote write has delivered everything up to the window's end.
                while (System.currentTimeMillis() < deadline && storage.stats().maxTime() < end + 1_000) {
                    Thread.sleep(200);
                }
                Map<String, TreeMap<Long, Double>> fromPrometheus = queryPrometheus(promApi, start, end);
                Map<String, TreeMap<Long, Double>> fromSightline = readSightline(storage, start, end);
                assertThat(fromPrometheus).as("Prometheus scraped something").hasSizeGreaterThan(20);
                assertThat(fromSightline.keySet()).containsExactlyInAnyOrderElementsOf(fromPrometheus.keySet());
                for (var e : fromPrometheus.entrySet()) {
                    assertThat(fromSightline.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                }
                System.out.println("compared " + fromPrometheus.size() + " series, "
                        + fromPrometheus.values().stream().mapToInt(Map::size).sum() + " samples");
            }
        }
    }

    /** Every sample of job="sightline" with start <= t <= end, by series, from Prometheus's API. */
    static Map<String, TreeMap<Long, Double>> queryPrometheus(String api, long start, long end) throws Exception {
        long rangeMs = end - start;
        String q = URLEncoder.encode("{job=\"sightline\"}[" + rangeMs + "ms]", StandardCharsets.UTF_8);
        String body = TestHttp.get(api + "/api/v1/query?query=" + q + "&time=" + (end / 1000.0)).body();
        JsonNode root = new ObjectMapper().readTree(body);
        assertThat(root.path("status").asText()).as(body).isEqualTo("success");
        Map<String, TreeMap<Long, Double>> out = new TreeMap<>();
        for (JsonNode series : root.path("data").path("result")) {
            Labels.Builder b = Labels.builder();
            series.path("metric").fields().forEachRemaining(f -> b.set(f.getKey(), f.getValue().asText()));
            TreeMap<Long, Double> samples = new TreeMap<>();
            for (JsonNode v : series.path("values")) {
                samples.put(Math.round(v.get(0).asDouble() * 1000), parse(v.get(1).asText()));
            }
            out.put(b.build().toString(), samples);
        }
        return out;
    }

    static double parse(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    static Map<String, TreeMap<Long, Double>> readSightline(Storage s, long start, long end) throws Exception {
        Map<String, TreeMap<Long, Double>> out = new TreeMap<>();
        try (Querier q = s.querier(start, end)) {
            SeriesSet set = q.select(false, null, LabelMatcher.equal("job", "sightline"));
            while (set.next()) {
                TreeMap<Long, Double> samples = new TreeMap<>();
                SampleIterator it = set.at().iterator(null);
                while (it.next()) {
                    if (!StaleNaN.is(it.value())) { // Prometheus's range selectors skip stale markers
                        samples.put(it.timestamp(), it.value());
                    }
                }
                if (!samples.isEmpty()) {
                    out.put(set.at().labels().toString(), samples);
                }
            }
        }
        return out;
    }
}
