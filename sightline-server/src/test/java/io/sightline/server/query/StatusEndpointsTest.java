package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prometheus's {@code /api/v1/alertmanagers} and {@code /api/v1/status/walreplay}, with what they show. */
class StatusEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static JsonNode data(SightlineServer s, String path) throws Exception {
        var r = TestHttp.get(url(s, path));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("status").asText()).isEqualTo("success");
        return j.get("data");
    }

    @Test
    void alertmanagers_listsWhereAlertsGo_andWhatRelabelingDropped() throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, """
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['am-1:9093', 'am-2:9093', 'bad{x}:9093']
                      relabel_configs:
                        - source_labels: [__address__]
                          regex: am-2.*|bad.*
                          action: drop
                    - scheme: https
                      path_prefix: /alertmanager/
                      static_configs:
                        - targets: ['am-3:443']
                """);
        try (SightlineServer s = TestServers.start(config, tmp.resolve("d"), List.of())) {
            JsonNode d = data(s, "/api/v1/alertmanagers");
            assertThat(d.toString()).isEqualTo("{\"activeAlertmanagers\":[{\"url\":\"http://am-1:9093/api/v2/alerts\"},"
                    + "{\"url\":\"https://am-3:443/alertmanager/api/v2/alerts\"}],"
                    + "\"droppedAlertmanagers\":[{\"url\":\"http://am-2:9093/api/v2/alerts\"},"
                    + "{\"url\":\"http://bad{x}:9093/api/v2/alerts\"}]}"); // not a valid URI: dropped, no harm
        }
        try (SightlineServer s = TestServers.start(null, tmp.resolve("d2"), List.of())) {
            assertThat(data(s, "/api/v1/alertmanagers").toString())
                    .isEqualTo("{\"activeAlertmanagers\":[],\"droppedAlertmanagers\":[]}");
        }
    }

    @Test
    void walReplay_namesTheSegmentsReplayedAtStart() throws Exception {
        Path dir = tmp.resolve("d");
        try (SightlineServer s = TestServers.start(null, dir, List.of())) {
            assertThat(data(s, "/api/v1/status/walreplay").toString()).as("a new store: no segment to replay")
                    .isEqualTo("{\"min\":0,\"max\":0,\"current\":0}");
            var r = TestHttp.send("POST", url(s, "/api/v1/import/prometheus"), null, "m 1 1700000000000\n");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        }
        int newest;
        try (var segments = Files.list(dir.resolve("wal"))) {
            newest = segments.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToInt(Integer::parseInt).max().orElseThrow();
        }
        try (SightlineServer s = TestServers.start(null, dir, List.of())) {
            JsonNode d = data(s, "/api/v1/status/walreplay");
            assertThat(d.get("max").asInt()).isEqualTo(newest);
            assertThat(d.get("current").asInt()).as("done").isEqualTo(newest);
            assertThat(d.get("min").asInt()).isBetween(1, newest);
        }
    }
}
