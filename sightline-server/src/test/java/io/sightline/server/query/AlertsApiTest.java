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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alertmanager's v2 alert API on the real server: posting alerts as Prometheus does, listing them with filters. */
class AlertsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    SightlineServer server;

    @BeforeEach
    void start() throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, """
                notifier:
                  route:
                    receiver: team
                    routes:
                      - {matchers: ['severity="page"'], receiver: oncall, continue: true}
                  receivers:
                    - {name: team}
                    - {name: oncall}
                    - name: unused
                      slack_configs: [{api_url: 'http://hooks.example/secret-path'}]
                      email_configs: [{to: a@example.org, from: b@example.org, smarthost: 'localhost:25', auth_username: u,
                                       auth_password: hunter2}]
                  inhibit_rules:
                    - {source_matchers: ['alertname="DatacenterDown"'], target_matchers: ['severity="ticket"'], equal: [dc]}
                """);
        server = TestServers.start(config, tmp.resolve("d"), List.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private java.net.http.HttpResponse<String> post(String body) {
        return TestHttp.send("POST", url(server, "/api/v2/alerts"), null, body);
    }

    private JsonNode get(String query) throws Exception {
        var r = TestHttp.get(url(server, "/api/v2/alerts" + query));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<String> names(JsonNode alerts) {
        List<String> out = new ArrayList<>();
        alerts.forEach(a -> out.add(a.path("labels").path("alertname").asText() + "/" + a.path("status").path("state").asText()));
        out.sort(null);
        return out;
    }

    @Test
    void postedAlerts_areListed_withReceiversAndState() throws Exception {
        String now = Instant.now().toString();
        var r = post("""
                [{"labels": {"alertname": "DiskFull", "severity": "page", "dc": "eu"},
                  "annotations": {"summary": "disk full"}, "startsAt": "%s", "generatorURL": "http://prom/graph"},
                 {"labels": {"alertname": "SlowQueries", "severity": "ticket", "dc": "eu"}},
                 {"labels": {"alertname": "DatacenterDown", "dc": "eu"}},
                 {"labels": {"alertname": "Old", "dc": "us"}, "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2020-01-01T01:00:00Z"}]
                """.formatted(now));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode all = get("");
        assertThat(names(all)).containsExactly("DatacenterDown/active", "DiskFull/active", "SlowQueries/suppressed");
        JsonNode disk = get("?filter=alertname%3D%22DiskFull%22").get(0);
        assertThat(disk.path("annotations").path("summary").asText()).isEqualTo("disk full");
        assertThat(disk.path("generatorURL").asText()).isEqualTo("http://prom/graph");
        assertThat(disk.path("receivers").findValuesAsText("name")).containsExactly("oncall");
        assertThat(disk.path("fingerprint").asText()).hasSize(16);
        JsonNode slow = get("?filter=alertname%3D%22SlowQueries%22").get(0);
        assertThat(slow.path("status").path("inhibitedBy")).hasSize(1);
        assertThat(names(get("?inhibited=false"))).containsExactly("DatacenterDown/active", "DiskFull/active");
        assertThat(names(get("?active=false"))).containsExactly("SlowQueries/suppressed");
        assertThat(names(get("?receiver=on.*"))).containsExactly("DiskFull/active");

        var silence = TestHttp.send("POST", url(server, "/api/v2/silences"), null, """
                {"matchers": [{"name": "alertname", "value": "DiskFull", "isRegex": false}],
                 "startsAt": "%s", "endsAt": "%s", "createdBy": "me", "comment": "known"}
                """.formatted(Instant.now().minusSeconds(1), Instant.now().plusSeconds(3600)));
        assertThat(silence.statusCode()).as(silence.body()).isEqualTo(200);
        String id = JSON.readTree(silence.body()).path("silenceID").asText();
        JsonNode silenced = get("?filter=alertname%3D%22DiskFull%22").get(0);
        assertThat(silenced.path("status").path("state").asText()).isEqualTo("suppressed");
        assertThat(silenced.path("status").path("silencedBy").get(0).asText()).isEqualTo(id);
        assertThat(names(get("?silenced=false"))).doesNotContain("DiskFull/suppressed");

        JsonNode groups = JSON.readTree(TestHttp.get(url(server, "/api/v2/alerts/groups")).body());
        List<String> byReceiver = new ArrayList<>();
        groups.forEach(g -> byReceiver.add(g.path("receiver").path("name").asText() + ":" + g.path("alerts").size()));
        byReceiver.sort(null);
        assertThat(byReceiver).containsExactly("oncall:1", "team:2");
        JsonNode status = JSON.readTree(TestHttp.get(url(server, "/api/v2/status")).body());
        assertThat(status.path("cluster").path("status").asText()).isEqualTo("disabled");
        assertThat(status.path("config").path("original").asText()).contains("receiver: oncall").contains("DatacenterDown")
                .contains("<secret>").doesNotContain("hunter2").doesNotContain("secret-path");
        JsonNode version = status.path("versionInfo");
        assertThat(version.path("version").asText()).isEqualTo(io.sightline.server.BuildInfo.version());
        assertThat(version.path("revision").asText()).as("as buildinfo writes it")
                .isEqualTo(io.sightline.server.BuildInfo.revision()).isNotEmpty();
        assertThat(version.path("branch").asText()).isEqualTo(io.sightline.server.BuildInfo.branch());
        assertThat(version.path("buildDate").asText()).isEqualTo(io.sightline.server.BuildInfo.buildDate());
        assertThat(version.path("goVersion").asText()).startsWith("java");
        assertThat(status.path("uptime").asText()).endsWith("Z");

        var receivers = TestHttp.get(url(server, "/api/v2/receivers"));
        assertThat(JSON.readTree(receivers.body()).findValuesAsText("name")).containsExactly("team", "oncall", "unused");
    }

    /** Alertmanager's error bodies are JSON strings. */
    private static String readText(String body) {
        try {
            return JSON.readTree(body).asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    @Test
    void badRequests_are400WithTheReason() {
        String[][] cases = {
            {"{", "body is not valid JSON"},
            {"{\"labels\": {}}", "body must be a list of alerts"},
            {"[{\"labels\": {}}]", "alert 0: at least one label pair required"},
            {"[{\"labels\": {\"1bad\": \"x\"}}]", "alert 0: invalid label name \"1bad\""},
            {"[{\"labels\": {\"a\": \"x\"}, \"startsAt\": \"yesterday\"}]", "alert 0: startsAt \"yesterday\" is not an RFC 3339 time"},
            {"[{\"labels\": {\"a\": \"x\"}, \"startsAt\": \"2026-01-02T00:00:00Z\", \"endsAt\": \"2026-01-01T00:00:00Z\"}]",
                "alert 0: start time must be before end time"},
        };
        for (String[] c : cases) {
            var r = post(c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(readText(r.body())).as(c[0]).contains(c[1]);
        }
        var bad = TestHttp.get(url(server, "/api/v2/alerts?active=maybe"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(readText(bad.body())).contains("active must be true or false");
        var badFilter = TestHttp.get(url(server, "/api/v2/alerts?filter=%7B"));
        assertThat(badFilter.statusCode()).isEqualTo(400);
    }
}
