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
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alertmanager's v2 silence API over a real socket: create, list, filter, update, expire, bad input, persistence. */
class SilencesApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String silence(String id, String matchers, Instant start, Instant end) {
        return "{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"matchers\":" + matchers + ",\"startsAt\":\"" + start
                + "\",\"endsAt\":\"" + end + "\",\"createdBy\":\"alice\",\"comment\":\"maintenance\"}";
    }

    @Test
    void createListUpdateExpire_andSurviveARestart() throws Exception {
        Instant now = Instant.now();
        String id;
        try (SightlineServer server = TestServers.start(null, tmp.resolve("data"), List.of())) {
            var created = TestHttp.send("POST", url(server, "/api/v2/silences"), null, silence(null,
                    "[{\"name\":\"alertname\",\"value\":\"Down\",\"isRegex\":false,\"isEqual\":true},"
                            + "{\"name\":\"instance\",\"value\":\"db-.*\",\"isRegex\":true}]",
                    now.minusSeconds(60), now.plusSeconds(3600)));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            id = JSON.readTree(created.body()).path("silenceID").asText();
            assertThat(id).hasSize(36);

            JsonNode list = JSON.readTree(TestHttp.get(url(server, "/api/v2/silences")).body());
            assertThat(list).hasSize(1);
            JsonNode s = list.get(0);
            assertThat(s.path("status").path("state").asText()).isEqualTo("active");
            assertThat(s.path("matchers").get(1).path("isRegex").asBoolean()).isTrue();
            assertThat(s.path("matchers").get(1).path("isEqual").asBoolean()).isTrue();
            assertThat(s.path("createdBy").asText()).isEqualTo("alice");
            assertThat(Instant.parse(s.path("startsAt").asText())).as("a start in the past moves to now")
                    .isAfterOrEqualTo(now.minusSeconds(1));

            String filter = URLEncoder.encode("instance=~\"db-.*\"", StandardCharsets.UTF_8);
            assertThat(JSON.readTree(TestHttp.get(url(server, "/api/v2/silences?filter=" + filter)).body())).hasSize(1);
            String other = URLEncoder.encode("alertname=\"Other\"", StandardCharsets.UTF_8);
            assertThat(JSON.readTree(TestHttp.get(url(server, "/api/v2/silences?filter=" + other)).body())).isEmpty();

            // Changing the matchers of an active silence replaces it: the old one expires.
            var updated = TestHttp.send("POST", url(server, "/api/v2/silences"), null, silence(id,
                    "[{\"name\":\"alertname\",\"value\":\"Down\",\"isRegex\":false}]", now, now.plusSeconds(7200)));
            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
            String newId = JSON.readTree(updated.body()).path("silenceID").asText();
            assertThat(newId).isNotEqualTo(id);
            var old = JSON.readTree(TestHttp.get(url(server, "/api/v2/silence/" + id)).body());
            assertThat(old.path("status").path("state").asText()).isEqualTo("expired");
            id = newId;
            String[][] bad = {
                {silence(null, "[]", now, now.plusSeconds(60)), "at least one matcher required"},
                {silence(null, "[{\"name\":\"a\",\"value\":\".*\",\"isRegex\":true}]", now, now.plusSeconds(60)),
                    "at least one matcher must not match the empty string"},
                {silence(null, "[{\"name\":\"a\",\"value\":\"(\",\"isRegex\":true}]", now, now.plusSeconds(60)),
                    "invalid regular expression"},
                {silence(null, "[{\"name\":\"1a\",\"value\":\"x\"}]", now, now.plusSeconds(60)), "invalid label name"},
                {silence(null, "[{\"name\":\"a\",\"value\":\"x\"}]", now, now.minusSeconds(60)), "end time"},
                {"{\"matchers\":[{\"name\":\"a\",\"value\":\"x\"}],\"startsAt\":\"yesterday\",\"endsAt\":\"x\"}",
                    "startsAt \\\"yesterday\\\" is not an RFC 3339 time"},
                {"not json", "body is not valid JSON"},
            };
            for (String[] c : bad) {
                var r = TestHttp.send("POST", url(server, "/api/v2/silences"), null, c[0]);
                assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
                assertThat(r.body()).as(c[0]).contains(c[1]);
            }
            assertThat(TestHttp.send("POST", url(server, "/api/v2/silences"), null,
                    silence("no-such-id", "[{\"name\":\"a\",\"value\":\"x\"}]", now, now.plusSeconds(60))).statusCode()).isEqualTo(404);
            assertThat(TestHttp.get(url(server, "/api/v2/silence/nope")).statusCode()).isEqualTo(404);
        }
        // A restart keeps them.
        try (SightlineServer server = TestServers.start(null, tmp.resolve("data"), List.of())) {
            JsonNode s = JSON.readTree(TestHttp.get(url(server, "/api/v2/silence/" + id)).body());
            assertThat(s.path("status").path("state").asText()).isEqualTo("active");
            assertThat(TestHttp.send("DELETE", url(server, "/api/v2/silence/" + id), null, "").statusCode()).isEqualTo(200);
            s = JSON.readTree(TestHttp.get(url(server, "/api/v2/silence/" + id)).body());
            assertThat(s.path("status").path("state").asText()).isEqualTo("expired");
            assertThat(TestHttp.send("DELETE", url(server, "/api/v2/silence/" + id), null, "").statusCode()).isEqualTo(400);
        }
    }
}
