package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus's TSDB admin API (snapshot, delete_series, clean_tombstones) over a real socket. */
class AdminApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = 1_795_000_000L;

    @TempDir
    Path tmp;

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void snapshot_deleteSeries_cleanTombstones() throws Exception {
        Path data = tmp.resolve("d");
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, "storage:\n  tsdb:\n    retention_time: 0s\n");
        try (SightlineServer server = TestServers.start(config, data, List.of())) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i <= 10; i++) {
                long t = (T0 + i * 60) * 1000;
                text.append("up{job=\"a\"} 1 ").append(t).append('\n');
                text.append("up{job=\"b\"} 0 ").append(t).append('\n');
            }
            var imp = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null, text.toString());
            assertThat(imp.statusCode()).as(imp.body()).isEqualTo(204);

            var snap = TestHttp.send("POST", url(server, "/api/v1/admin/tsdb/snapshot"), null, "");
            assertThat(snap.statusCode()).as(snap.body()).isEqualTo(200);
            String name = JSON.readTree(snap.body()).path("data").path("name").asText();
            assertThat(name).matches("\\d{8}T\\d{6}Z-[0-9a-f]{16}");
            Path snapDir = data.resolve("snapshots").resolve(name);
            try (TsdbStorage s = TsdbStorage.open(snapDir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                    new TsdbStorage.BlockOptions(7_200_000L, 0, 0))) {
                assertThat(s.blocks()).as("the head, written as a block").hasSize(1);
                assertThat(s.blocks().get(0).stats().numSamples()).isEqualTo(22);
            }
            var skip = TestHttp.send("POST", url(server, "/api/v1/admin/tsdb/snapshot?skip_head=true"), null, "");
            assertThat(skip.statusCode()).isEqualTo(200);
            var bad = TestHttp.send("POST", url(server, "/api/v1/admin/tsdb/snapshot?skip_head=maybe"), null, "");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("bad_data").contains("skip_head");

            var noMatch = TestHttp.send("POST", url(server, "/api/v1/admin/tsdb/delete_series"), null, "");
            assertThat(noMatch.statusCode()).isEqualTo(400);
            assertThat(noMatch.body()).contains("no match[] parameter provided");
            var del = TestHttp.send("POST", url(server, "/api/v1/admin/tsdb/delete_series?match[]=" + q("up{job=\"b\"}")
                    + "&start=" + (T0 + 120) + "&end=" + (T0 + 600)), null, "");
            assertThat(del.statusCode()).as(del.body()).isEqualTo(204);
            var clean = TestHttp.send("PUT", url(server, "/api/v1/admin/tsdb/clean_tombstones"), null, "");
            assertThat(clean.statusCode()).as(clean.body()).isEqualTo(204);
            var count = TestHttp.get(url(server, "/api/v1/query?query=" + q("count_over_time(up[1h])") + "&time="
                    + (T0 + 600)));
            JsonNode result = JSON.readTree(count.body()).path("data").path("result");
            assertThat(result).hasSize(2);
            for (JsonNode r : result) {
                String job = r.path("metric").path("job").asText();
                assertThat(r.path("value").get(1).asText()).as(job).isEqualTo(job.equals("a") ? "11" : "2");
            }
            var get = TestHttp.get(url(server, "/api/v1/admin/tsdb/snapshot"));
            assertThat(get.statusCode()).as("GET is not allowed").isEqualTo(405);
        }
    }
}
