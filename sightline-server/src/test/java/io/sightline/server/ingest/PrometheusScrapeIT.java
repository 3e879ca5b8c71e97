package io.sightline.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.server.DebianPrometheus;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sightline and Debian's Prometheus scrape the same two targets (one serving the text format, one
 * OpenMetrics) with the same job settings (target and metric relabeling, a conflicting {@code job}
 * label, explicit timestamps); Prometheus remote-writes what it scraped into Sightline under the
 * external label {@code source="prometheus"}. Both must end up with the same series, and the same
 * values for every series whose value does not depend on the scrape itself.
 */
@Tag("slow")
class PrometheusScrapeIT {
    @TempDir
    Path tmp;

    private static final String TEXT = """
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{code="200",method="get"} 1027
            http_requests_total{code="500",method="post",job="exposed"} 3
            # TYPE temperature gauge
            temperature{room="a"} 21.5
            temperature{room="b"} -3e-2
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 5
            latency_seconds_bucket{le="1"} 8
            latency_seconds_bucket{le="+Inf"} 9
            latency_seconds_sum 3.25
            latency_seconds_count 9
            # TYPE rpc summary
            rpc{quantile="0.5"} 0.01
            rpc{quantile="0.99"} NaN
            rpc_sum 12
            rpc_count 40
            debug_noise{x="1"} 7
            untyped_thing 42
            """;

    private static final String OPEN_METRICS = """
            # TYPE jobs counter
            # HELP jobs Jobs run.
            jobs_total{kind="batch"} 17
            jobs_created{kind="batch"} 1700000000.25
            # TYPE build info
            build_info{version="1.2.3"} 1
            # TYPE queue_bytes gauge
            # UNIT queue_bytes bytes
            queue_bytes 1024
            # EOF
            """;

    private static HttpServer target(String body, String contentType) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/metrics", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        s.start();
        return s;
    }

    private static String job(String text, String om) {
        return """
                  - job_name: fixture
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ['%s', '%s']
                        labels: {team: core}
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: '127\\.0\\.0\\.1:(\\d+)'
                        target_label: port
                        replacement: 'p$1'
                    metric_relabel_configs:
                      - source_labels: [__name__]
                        regex: debug_.*
                        action: drop
                      - source_labels: [room]
                        regex: (.*)
                        target_label: location
                        replacement: room-$1
                """.formatted(text, om);
    }

    @Test
    void sightlineAndPrometheus_scrapeTheSameSeriesAndValues() throws Exception {
        HttpServer text = target(TEXT, "text/plain; version=0.0.4; charset=utf-8");
        HttpServer om = target(OPEN_METRICS, "application/openmetrics-text; version=1.0.0; charset=utf-8");
        String textAddr = "127.0.0.1:" + text.getAddress().getPort();
        String omAddr = "127.0.0.1:" + om.getAddress().getPort();
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, "scrape_configs:\n" + job(textAddr, omAddr));
        try (SightlineServer sightline = TestServers.start(config, tmp.resolve("sightline"), java.util.List.of())) {
            int port = sightline.address().getPort();
            try (DebianPrometheus prometheus = DebianPrometheus.start(tmp, """
                    global:
                      external_labels: {source: prometheus}
                    scrape_configs:
                    %s
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config:
                          batch_send_deadline: 1s
                          max_shards: 2
                    """.formatted(job(textAddr, omAddr), port))) {
                Storage storage = (Storage) sightline.storageHandle();
                long deadline = System.currentTimeMillis() + 60_000;
                Map<String, Double> ours = Map.of();
                Map<String, Double> theirs = Map.of();
                while (System.currentTimeMillis() < deadline) {
                    Thread.sleep(1_000);
                    ours = latest(storage, false);
                    theirs = latest(storage, true);
                    if (ours.size() > 10 && ours.keySet().equals(theirs.keySet())) {
                        break;
                    }
                }
                assertThat(ours).as("Sightline scraped both targets").hasSizeGreaterThan(20);
                assertThat(ours.keySet()).as("the same series (Prometheus log: %s)", prometheus.log())
                        .containsExactlyInAnyOrderElementsOf(theirs.keySet());
                Set<String> scrapeDependent = Set.of("scrape_duration_seconds", "scrape_series_added");
                int compared = 0;
                for (var e : ours.entrySet()) {
                    String name = e.getKey().substring(0, e.getKey().indexOf('{'));
                    if (scrapeDependent.contains(name)) {
                        continue;
                    }
                    assertThat(e.getValue()).as(e.getKey()).isEqualTo(theirs.get(e.getKey()));
                    compared++;
                }
                System.out.println("PrometheusScrapeIT: " + ours.size() + " series, " + compared + " values compared");
            }
        } finally {
            text.stop(0);
            om.stop(0);
        }
    }

    /** The newest non-stale value of each job="fixture" series, from Sightline's own scrape or Prometheus's. */
    private static Map<String, Double> latest(Storage s, boolean fromPrometheus) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        try (Querier q = s.querier(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)) {
            SeriesSet set = q.select(false, null, LabelMatcher.equal("team", "core"),
                    fromPrometheus ? LabelMatcher.equal("source", "prometheus") : LabelMatcher.equal("source", ""));
            while (set.next()) {
                Double last = null;
                SampleIterator it = set.at().iterator(null);
                while (it.next()) {
                    if (!StaleNaN.is(it.value())) {
                        last = it.value();
                    }
                }
                if (last != null) {
                    Labels l = set.at().labels().toBuilder().remove("source").build();
                    out.put(l.metricName() + l.toBuilder().remove(Labels.METRIC_NAME).build(), last);
                }
            }
        }
        return out;
    }
}
