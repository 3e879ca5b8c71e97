package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The dashboards API over a real socket: CRUD, listing, validation, hostile bodies, persistence, limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    SightlineServer server;

    @BeforeAll
    void start() throws Exception {
        server = TestServers.start(null, tmp.resolve("shared"), List.of());
        ObjectNode source = (ObjectNode) JSON.readTree(BASE);
        source.put("id", "hostile-source");
        assertThat(send("POST", "/api/v1/dashboards", source.toString()).statusCode()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static final String BASE = """
            {
              "id": "base",
              "title": "Base",
              "description": "what the base case holds",
              "tags": ["a"],
              "time": {"from": "now-6h", "to": "now"},
              "refresh": "30s",
              "variables": [
                {"name": "instance", "label": "instance", "match": "up", "multi": true, "includeAll": true,
                 "current": ["$__all"]}
              ],
              "panels": [
                {"id": "p0", "title": "Zero", "type": "stat", "queries": [{"expr": "up"}],
                 "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}},
                {"id": "p1", "title": "One", "type": "table", "queries": [{"expr": "up"}],
                 "gridPos": {"x": 6, "y": 0, "w": 6, "h": 4}},
                {"id": "p2", "title": "Two", "type": "timeseries",
                 "queries": [{"expr": "rate(x{instance=~\\"$instance\\"}[$__rate_interval])", "legend": "{{instance}}", "refId": "A"}],
                 "gridPos": {"x": 0, "y": 4, "w": 12, "h": 8}, "options": {"unit": "s"}}
              ]
            }
            """;

    static HttpResponse<String> send(SightlineServer s, String method, String path, String body) {
        return TestHttp.send(method, url(s, path), null, body);
    }

    HttpResponse<String> send(String method, String path, String body) {
        return send(server, method, path, body);
    }

    static HttpResponse<String> sendBytes(SightlineServer s, String method, String path, byte[] body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url(s, path)))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode data(HttpResponse<String> r) throws Exception {
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("status").asText()).as(r.body()).isEqualTo("success");
        return n.get("data");
    }

    static ObjectNode base() throws Exception {
        return (ObjectNode) JSON.readTree(BASE);
    }

    static String dashboard(String id, String title, String... tags) throws Exception {
        ObjectNode d = base();
        d.put("id", id);
        d.put("title", title);
        ArrayNode t = d.putArray("tags");
        for (String tag : tags) {
            t.add(tag);
        }
        return d.toString();
    }

    @Test
    void crud_roundTrip() throws Exception {
        ObjectNode body = base();
        body.put("id", "crud");
        body.put("version", 7);
        body.put("updated", "1999-01-01T00:00:00Z");
        body.put("shareToken", "chosen-by-the-client-and-ignored");
        var created = send("POST", "/api/v1/dashboards", body.toString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode d = data(created);
        assertThat(d.path("id").asText()).isEqualTo("crud");
        assertThat(d.path("version").asLong()).as("an import starts at version 1").isEqualTo(1);
        assertThat(d.path("updated").asText()).isNotEqualTo("1999-01-01T00:00:00Z")
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(d.has("shareToken")).isFalse();
        assertThat(d.path("panels")).isEqualTo(base().path("panels"));

        var got = send("GET", "/api/v1/dashboards/crud", null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(data(got)).isEqualTo(d);

        // The editor saves what it read: version 1 -> 2.
        ObjectNode edit = (ObjectNode) d.deepCopy();
        edit.put("title", "CRUD edited");
        var put = send("PUT", "/api/v1/dashboards/crud", edit.toString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(data(put).path("version").asLong()).isEqualTo(2);
        assertThat(data(put).path("title").asText()).isEqualTo("CRUD edited");

        // A second editor still holding version 1 is refused; nothing changes.
        edit.put("title", "Lost update");
        var stale = send("PUT", "/api/v1/dashboards/crud", edit.toString());
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"conflict\","
                + "\"error\":\"dashboard changed since version 1 was read: now 2\"}");
        // Without a version the replace is unconditional.
        edit.remove("version");
        assertThat(data(send("PUT", "/api/v1/dashboards/crud", edit.toString())).path("version").asLong()).isEqualTo(3);

        edit.put("id", "other");
        var wrongId = send("PUT", "/api/v1/dashboards/crud", edit.toString());
        assertThat(wrongId.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrongId.body()).path("error").asText())
                .isEqualTo("id: must be absent or \"crud\" (the id in the path), got \"other\"");

        var taken = send("POST", "/api/v1/dashboards", body.toString());
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(taken.body()).path("error").asText()).startsWith("dashboard \"crud\" already exists");

        var deleted = send("DELETE", "/api/v1/dashboards/crud", null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{\"status\":\"success\",\"data\":null}");
        var gone = send("GET", "/api/v1/dashboards/crud", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"not_found\","
                + "\"error\":\"dashboard \\\"crud\\\" not found\"}");
        assertThat(send("DELETE", "/api/v1/dashboards/crud", null).statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/v1/dashboards/crud/share", null).statusCode()).isEqualTo(405);

        // PUT of a dashboard that does not exist creates it, at version 1.
        edit.remove("id");
        var putNew = send("PUT", "/api/v1/dashboards/crud-again", edit.toString());
        assertThat(putNew.statusCode()).as(putNew.body()).isEqualTo(200);
        assertThat(data(putNew).path("version").asLong()).isEqualTo(1);
        assertThat(data(putNew).path("id").asText()).isEqualTo("crud-again");
        var badPath = send("PUT", "/api/v1/dashboards/Not_An_Id", edit.toString());
        assertThat(badPath.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badPath.body()).path("error").asText())
                .isEqualTo("id: must be a string matching [a-z0-9][a-z0-9_-]{0,63}");
        assertThat(send("GET", "/api/v1/dashboards/Not_An_Id", null).statusCode()).isEqualTo(404);
    }

    @Test
    void create_withoutId_generatesOneFromTheTitle() throws Exception {
        ObjectNode body = base();
        body.remove("id");
        body.put("title", "Node Exporter: Full!");
        var r = send("POST", "/api/v1/dashboards", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = data(r).path("id").asText();
        assertThat(id).matches("node-exporter-full-[a-z0-9]{6}");
        assertThat(send("GET", "/api/v1/dashboards/" + id, null).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownFields_andNumbers_areKeptVerbatim() throws Exception {
        String body = """
                {"id": "verbatim", "title": "V", "future": {"nested": [1, "two", null]},
                 "panels": [{"id": "p", "title": "", "type": "change", "queries": [{"expr": "up", "extra": true}],
                   "gridPos": {"x": 23, "y": 10000, "w": 1, "h": 100, "static": true},
                   "options": {"decimals": 1.50, "huge": 1e400, "big": 123456789012345678901234567890,
                               "thresholds": [{"value": null, "color": "green"}]}}]}
                """;
        var r = send("POST", "/api/v1/dashboards", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String got = send("GET", "/api/v1/dashboards/verbatim", null).body();
        assertThat(got).contains("\"future\":{\"nested\":[1,\"two\",null]}")
                .contains("{\"expr\":\"up\",\"extra\":true}")
                .contains("\"static\":true")
                .contains("\"decimals\":1.50").contains("\"huge\":1E+400")
                .contains("\"big\":123456789012345678901234567890")
                .contains("\"thresholds\":[{\"value\":null,\"color\":\"green\"}]");
        // Known fields first, in a fixed order; unknown ones after.
        assertThat(got).contains("{\"id\":\"verbatim\",\"title\":\"V\",\"version\":1,\"updated\":");
    }

    @Test
    void list_sortsByTitleThenId_andFiltersByTag() throws Exception {
        Path dir = tmp.resolve("list");
        try (SightlineServer s = TestServers.start(null, dir, List.of())) {
            for (String[] d : new String[][] {{"l-3", "beta", "prod"}, {"l-2", "Alpha", "dev"}, {"l-1", "beta", "prod"},
                    {"l-4", "Gamma", "prod"}}) {
                assertThat(send(s, "POST", "/api/v1/dashboards", dashboard(d[0], d[1], d[2])).statusCode()).isEqualTo(200);
            }
            JsonNode all = data(send(s, "GET", "/api/v1/dashboards", null));
            assertThat(all.findValuesAsText("id")).containsExactly("l-2", "l-1", "l-3", "l-4");
            JsonNode first = all.get(0);
            assertThat(first.properties()).extracting(java.util.Map.Entry::getKey)
                    .containsExactly("id", "title", "tags", "updated", "version", "panels");
            assertThat(first.path("panels").asInt()).isEqualTo(3);
            assertThat(first.path("tags")).hasSize(1);
            assertThat(send(s, "GET", "/api/v1/dashboards", null).body()).doesNotContain("shareToken");
            assertThat(data(send(s, "GET", "/api/v1/dashboards?tag=prod", null)).findValuesAsText("id"))
                    .containsExactly("l-1", "l-3", "l-4");
            assertThat(data(send(s, "GET", "/api/v1/dashboards?tag=prod&tag=dev", null))).isEmpty();
            assertThat(data(send(s, "GET", "/api/v1/dashboards?tag=nope", null))).isEmpty();
        }
    }

    @Test
    void dashboards_surviveARestart_andDamagedFilesAreSkipped() throws Exception {
        Path dir = tmp.resolve("restart");
        String token;
        try (SightlineServer s = TestServers.start(null, dir, List.of())) {
            assertThat(send(s, "POST", "/api/v1/dashboards", dashboard("keep", "Keep", "x")).statusCode()).isEqualTo(200);
            assertThat(send(s, "PUT", "/api/v1/dashboards/keep", dashboard("keep", "Kept")).statusCode()).isEqualTo(200);
            token = data(send(s, "POST", "/api/v1/dashboards/keep/share", null)).path("shareToken").asText();
        }
        Path file = dir.resolve("dashboards").resolve("keep.json");
        assertThat(file).exists();
        assertThat(JSON.readTree(file.toFile()).path("version").asLong()).isEqualTo(2);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.json");
        }
        Files.writeString(dir.resolve("dashboards").resolve("torn.json"), "{\"id\": \"torn\", \"tit");
        try (SightlineServer s = TestServers.start(null, dir, List.of())) {
            JsonNode kept = data(send(s, "GET", "/api/v1/dashboards/keep", null));
            assertThat(kept.path("title").asText()).isEqualTo("Kept");
            assertThat(kept.path("version").asLong()).isEqualTo(2);
            assertThat(kept.path("shareToken").asText()).isEqualTo(token);
            assertThat(data(send(s, "GET", "/api/v1/dashboards", null)).findValuesAsText("id")).containsExactly("keep");
            assertThat(send(s, "GET", "/api/v1/dashboards/torn", null).statusCode()).isEqualTo(404);
            var overwrite = send(s, "POST", "/api/v1/dashboards", dashboard("torn", "Torn"));
            assertThat(overwrite.statusCode()).isEqualTo(409);
            assertThat(overwrite.body()).contains("could not be read at start");
        }
        assertThat(Files.readString(dir.resolve("dashboards").resolve("torn.json"))).isEqualTo("{\"id\": \"torn\", \"tit");
    }

    @Test
    void limit_isAClear400() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("full").resolve("dashboards"));
        for (int i = 0; i < 1_000; i++) {
            Files.writeString(dir.resolve("f" + i + ".json"), "{\"id\":\"f" + i + "\",\"title\":\"F\",\"version\":1,"
                    + "\"updated\":\"2026-01-01T00:00:00.000Z\"}");
        }
        try (SightlineServer s = TestServers.start(null, dir.getParent(), List.of())) {
            assertThat(data(send(s, "GET", "/api/v1/dashboards", null))).hasSize(1_000);
            var r = send(s, "POST", "/api/v1/dashboards", "{\"title\":\"one too many\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"cannot create"
                    + " dashboard: the limit of 1000 dashboards is reached; delete one first\"}");
        }
    }

    @Test
    void duplicate_copiesUnderANewId() throws Exception {
        assertThat(send("POST", "/api/v1/dashboards", dashboard("orig", "Original", "t")).statusCode()).isEqualTo(200);
        send("PUT", "/api/v1/dashboards/orig", dashboard("orig", "Original", "t"));
        assertThat(send("POST", "/api/v1/dashboards/orig/share", null).statusCode()).isEqualTo(200);

        var copy = send("POST", "/api/v1/dashboards/orig/duplicate", null);
        assertThat(copy.statusCode()).as(copy.body()).isEqualTo(200);
        JsonNode c = data(copy);
        assertThat(c.path("id").asText()).matches("copy-of-original-[a-z0-9]{6}");
        assertThat(c.path("title").asText()).isEqualTo("Copy of Original");
        assertThat(c.path("version").asLong()).isEqualTo(1);
        assertThat(c.has("shareToken")).as("a copy is not shared").isFalse();
        assertThat(c.path("panels")).isEqualTo(base().path("panels"));
        assertThat(c.path("tags")).isEqualTo(JSON.readTree("[\"t\"]"));

        JsonNode named = data(send("POST", "/api/v1/dashboards/orig/duplicate", "{\"title\": \"Mine\"}"));
        assertThat(named.path("title").asText()).isEqualTo("Mine");
        assertThat(named.path("id").asText()).startsWith("mine-");

        var bad = send("POST", "/api/v1/dashboards/orig/duplicate", "{\"title\": \"\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").asText())
                .isEqualTo("title: must be a non-empty string of at most 200 characters");
        var unknown = send("POST", "/api/v1/dashboards/orig/duplicate", "{\"id\": \"x\"}");
        assertThat(JSON.readTree(unknown.body()).path("error").asText())
                .isEqualTo("duplicate: unknown field \"id\"; only title may be given");
        assertThat(send("POST", "/api/v1/dashboards/missing/duplicate", null).statusCode()).isEqualTo(404);

        ObjectNode longTitle = base();
        longTitle.put("id", "long-title");
        longTitle.put("title", "t".repeat(200));
        assertThat(send("POST", "/api/v1/dashboards", longTitle.toString()).statusCode()).isEqualTo(200);
        JsonNode cut = data(send("POST", "/api/v1/dashboards/long-title/duplicate", ""));
        assertThat(cut.path("title").asText()).as("cut to the longest title").hasSize(200).startsWith("Copy of ttt");
    }

    @Test
    void share_createsOnce_revokes_andIsInTheFullDocumentOnly() throws Exception {
        assertThat(send("POST", "/api/v1/dashboards", dashboard("shared", "Shared")).statusCode()).isEqualTo(200);
        JsonNode s1 = data(send("POST", "/api/v1/dashboards/shared/share", null));
        assertThat(s1.path("id").asText()).isEqualTo("shared");
        String token = s1.path("shareToken").asText();
        assertThat(token).matches("[A-Za-z0-9_-]{32}");
        assertThat(data(send("POST", "/api/v1/dashboards/shared/share", null)).path("shareToken").asText()).isEqualTo(token);
        JsonNode full = data(send("GET", "/api/v1/dashboards/shared", null));
        assertThat(full.path("shareToken").asText()).isEqualTo(token);
        assertThat(full.path("version").asLong()).as("sharing is not an edit").isEqualTo(1);
        // An update keeps the token, whatever the body says.
        ObjectNode edit = (ObjectNode) full.deepCopy();
        edit.put("shareToken", "x");
        assertThat(data(send("PUT", "/api/v1/dashboards/shared", edit.toString())).path("shareToken").asText())
                .isEqualTo(token);
        assertThat(send("DELETE", "/api/v1/dashboards/shared/share", null).body())
                .isEqualTo("{\"status\":\"success\",\"data\":null}");
        assertThat(data(send("GET", "/api/v1/dashboards/shared", null)).has("shareToken")).isFalse();
        assertThat(send("DELETE", "/api/v1/dashboards/shared/share", null).statusCode()).as("idempotent").isEqualTo(200);
        assertThat(send("POST", "/api/v1/dashboards/nope/share", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/dashboards/nope/share", null).statusCode()).isEqualTo(404);
    }

    @Test
    void baseCase_isValid() throws Exception {
        var r = send("PUT", "/api/v1/dashboards/base-valid", base().put("id", "base-valid").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** A change to the valid base document and the exact message it must get. */
    record Bad(String pointer, String value, String message) {
        @Override
        public String toString() {
            return pointer + " = " + (value == null ? "(removed)" : value.length() > 40 ? value.substring(0, 40) + "..." : value)
                    + " -> " + message;
        }
    }

    static String str(String s) {
        return "\"" + s + "\"";
    }

    static String array(int n, String element) {
        return "[" + String.join(",", java.util.Collections.nCopies(n, element)) + "]";
    }

    static final String PANEL = "{\"id\":\"q\",\"title\":\"\",\"type\":\"stat\",\"queries\":[{\"expr\":\"up\"}],"
            + "\"gridPos\":{\"x\":0,\"y\":0,\"w\":1,\"h\":1}}";

    static Stream<Bad> badBodies() {
        String big = "x".repeat(33_000);
        return Stream.of(
                new Bad("", "[]", "dashboard: must be a JSON object, got an array"),
                new Bad("", "\"dashboard\"", "dashboard: must be a JSON object, got a string"),
                new Bad("/id", str("Bad"), "id: must be a string matching [a-z0-9][a-z0-9_-]{0,63}"),
                new Bad("/id", str("-a"), "id: must be a string matching [a-z0-9][a-z0-9_-]{0,63}"),
                new Bad("/id", str("a".repeat(65)), "id: must be a string matching [a-z0-9][a-z0-9_-]{0,63}"),
                new Bad("/id", "5", "id: must be a string matching [a-z0-9][a-z0-9_-]{0,63}"),
                new Bad("/title", null, "title: required"),
                new Bad("/title", str(""), "title: must be a non-empty string of at most 200 characters"),
                new Bad("/title", str("t".repeat(201)), "title: must be a non-empty string of at most 200 characters"),
                new Bad("/title", "7", "title: must be a non-empty string of at most 200 characters"),
                new Bad("/description", str("d".repeat(2001)), "description: must be a string of at most 2000 characters"),
                new Bad("/description", "[]", "description: must be a string of at most 2000 characters"),
                new Bad("/tags", str("a"), "tags: must be an array of at most 20 strings"),
                new Bad("/tags", array(21, "\"t\""), "tags: must be an array of at most 20 strings"),
                new Bad("/tags", "[\"ok\", 1]", "tags[1]: must be a non-empty string of at most 50 characters"),
                new Bad("/tags", "[\"" + "t".repeat(51) + "\"]", "tags[0]: must be a non-empty string of at most 50 characters"),
                new Bad("/tags", "[\"\"]", "tags[0]: must be a non-empty string of at most 50 characters"),
                new Bad("/time", str("now-6h"), "time: must be an object {\"from\": ..., \"to\": ...}"),
                new Bad("/time/to", null, "time.to: required"),
                new Bad("/time/from", str("f".repeat(41)), "time.from: must be a string of at most 40 characters"),
                new Bad("/refresh", str("1234567890s"), "refresh: must be a string of at most 10 characters"),
                new Bad("/version", str("1"), "version: must be an integer"),
                new Bad("/version", "1.5", "version: must be an integer"),
                new Bad("/variables", "{}", "variables: must be an array of at most 20 variables"),
                new Bad("/variables", array(21, "{}"), "variables: must be an array of at most 20 variables"),
                new Bad("/variables/0", str("x"), "variables[0]: must be an object, got a string"),
                new Bad("/variables/0/name", null, "variables[0].name: required"),
                new Bad("/variables/0/name", str("1x"), "variables[0].name: must be an identifier matching [A-Za-z_][A-Za-z0-9_]*"),
                new Bad("/variables/0/name", str("a-b"), "variables[0].name: must be an identifier matching [A-Za-z_][A-Za-z0-9_]*"),
                new Bad("/variables/0/name", str("__x"),
                        "variables[0].name: names starting with __ are reserved for built-in variables"),
                new Bad("/variables", "[{\"name\":\"v\",\"label\":\"a\"},{\"name\":\"v\",\"label\":\"b\"}]",
                        "variables[1].name: duplicate variable name \"v\" (also variables[0])"),
                new Bad("/variables/0/label", null, "variables[0].label: required"),
                new Bad("/variables/0/label", str("a-b"), "variables[0].label: must be a label name matching [a-zA-Z_][a-zA-Z0-9_]*"),
                new Bad("/variables/0/match", str("m".repeat(1001)), "variables[0].match: must be a string of at most 1000 characters"),
                new Bad("/variables/0/multi", str("yes"), "variables[0].multi: must be a boolean"),
                new Bad("/variables/0/includeAll", "1", "variables[0].includeAll: must be a boolean"),
                new Bad("/variables/0/current", str("a"), "variables[0].current: must be an array of strings"),
                new Bad("/variables/0/current", "[\"a\", 2]", "variables[0].current[1]: must be a string"),
                new Bad("/panels", "{}", "panels: must be an array of at most 100 panels"),
                new Bad("/panels", array(101, PANEL), "panels: must be an array of at most 100 panels"),
                new Bad("/panels/2", "1", "panels[2]: must be an object, got a number"),
                new Bad("/panels/2/id", null, "panels[2].id: required"),
                new Bad("/panels/2/id", str("a b"), "panels[2].id: must be a string matching [A-Za-z0-9_-]{1,64}"),
                new Bad("/panels/2/id", str(""), "panels[2].id: must be a string matching [A-Za-z0-9_-]{1,64}"),
                new Bad("/panels/2/id", str("p".repeat(65)), "panels[2].id: must be a string matching [A-Za-z0-9_-]{1,64}"),
                new Bad("/panels/2/id", str("p0"), "panels[2].id: duplicate panel id \"p0\" (also panels[0])"),
                new Bad("/panels/2/title", null, "panels[2].title: required"),
                new Bad("/panels/2/title", str("t".repeat(201)), "panels[2].title: must be a string of at most 200 characters"),
                new Bad("/panels/2/type", null, "panels[2].type: required"),
                new Bad("/panels/2/type", str("pie"),
                        "panels[2].type: must be one of timeseries, stat, toplist, heatmap, table, change"),
                new Bad("/panels/2/queries", null, "panels[2].queries: required"),
                new Bad("/panels/2/queries", "[]", "panels[2].queries: must be an array of 1 to 10 queries"),
                new Bad("/panels/2/queries", array(11, "{\"expr\":\"up\"}"), "panels[2].queries: must be an array of 1 to 10 queries"),
                new Bad("/panels/2/queries/0", str("up"), "panels[2].queries[0]: must be an object, got a string"),
                new Bad("/panels/2/queries/0/expr", null, "panels[2].queries[0].expr: required"),
                new Bad("/panels/2/queries/0/expr", str(""),
                        "panels[2].queries[0].expr: must be a non-empty string of at most 10000 characters"),
                new Bad("/panels/2/queries/0/expr", str("e".repeat(10_001)),
                        "panels[2].queries[0].expr: must be a non-empty string of at most 10000 characters"),
                new Bad("/panels/2/queries/0/legend", "5", "panels[2].queries[0].legend: must be a string of at most 200 characters"),
                new Bad("/panels/2/queries/0/refId", str("r".repeat(11)),
                        "panels[2].queries[0].refId: must be a string of at most 10 characters"),
                new Bad("/panels/2/gridPos", null, "panels[2].gridPos: required"),
                new Bad("/panels/2/gridPos", "[]", "panels[2].gridPos: must be an object {\"x\", \"y\", \"w\", \"h\"}"),
                new Bad("/panels/2/gridPos/x", "24", "panels[2].gridPos.x: must be an integer between 0 and 23"),
                new Bad("/panels/2/gridPos/x", "-1", "panels[2].gridPos.x: must be an integer between 0 and 23"),
                new Bad("/panels/2/gridPos/y", "10001", "panels[2].gridPos.y: must be an integer between 0 and 10000"),
                new Bad("/panels/2/gridPos/w", "0", "panels[2].gridPos.w: must be an integer between 1 and 24"),
                new Bad("/panels/2/gridPos/w", "25", "panels[2].gridPos.w: must be an integer between 1 and 24"),
                new Bad("/panels/2/gridPos/w", "2.5", "panels[2].gridPos.w: must be an integer between 1 and 24"),
                new Bad("/panels/2/gridPos/w", str("2"), "panels[2].gridPos.w: must be an integer between 1 and 24"),
                new Bad("/panels/2/gridPos/w", "99999999999999999999", "panels[2].gridPos.w: must be an integer between 1 and 24"),
                new Bad("/panels/2/gridPos/h", "101", "panels[2].gridPos.h: must be an integer between 1 and 100"),
                new Bad("/panels/2/gridPos/h", null, "panels[2].gridPos.h: required"),
                new Bad("/panels/2/gridPos/w", "13", "panels[2].gridPos: x + w must be at most 24, got 25"),
                new Bad("/panels/2/options", "[]", "panels[2].options: must be an object"),
                new Bad("/panels/2/options", "{\"k\":\"" + big + "\"}",
                        "panels[2].options: must be at most 32768 bytes serialized, got " + (big.length() + 8)));
    }

    /** The base with {@code pointer} set to {@code value} (removed when null); the whole body when the pointer is empty. */
    static String apply(Bad c) throws Exception {
        if (c.pointer().isEmpty()) {
            return c.value();
        }
        ObjectNode root = base();
        JsonPointer ptr = JsonPointer.compile(c.pointer());
        JsonNode parent = root.at(ptr.head());
        String last = ptr.last().getMatchingProperty();
        if (parent instanceof ObjectNode o) {
            if (c.value() == null) {
                o.remove(last);
            } else {
                o.set(last, JSON.readTree(c.value()));
            }
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(last), JSON.readTree(c.value()));
        }
        if (c.pointer().equals("/panels/2/gridPos/w")) {
            ((ObjectNode) root.at("/panels/2/gridPos")).put("x", 12); // so that only w is wrong, or x + w
        }
        return root.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void invalidDashboard_isA400NamingTheField(Bad c) throws Exception {
        String body = apply(c);
        for (String method : List.of("POST /api/v1/dashboards", "PUT /api/v1/dashboards/base")) {
            String[] m = method.split(" ");
            var r = send(m[0], m[1], body);
            assertThat(r.statusCode()).as(method + " " + r.body()).isEqualTo(400);
            JsonNode err = JSON.readTree(r.body());
            assertThat(err.path("status").asText()).isEqualTo("error");
            assertThat(err.path("errorType").asText()).isEqualTo("bad_data");
            assertThat(err.path("error").asText()).isEqualTo(c.message());
        }
    }

    /** A body a client or attacker may send, the status it must get, and what the message must contain. */
    record Hostile(String name, byte[] body, int status, String message) {
        @Override
        public String toString() {
            return name + " -> " + status;
        }
    }

    static Hostile hostile(String name, String body, int status, String message) {
        return new Hostile(name, body.getBytes(StandardCharsets.UTF_8), status, message);
    }

    static Stream<Hostile> hostileBodies() {
        return Stream.of(
                hostile("not JSON", "not json", 400,
                        "cannot parse the dashboard as JSON: Unrecognized token 'not': was expecting"),
                hostile("empty", "", 400, "cannot parse the dashboard: the body is empty"),
                hostile("whitespace", "  \n", 400, "cannot parse the dashboard: the body is empty"),
                hostile("array", "[{\"title\":\"a\"}]", 400, "dashboard: must be a JSON object, got an array"),
                hostile("null", "null", 400, "dashboard: must be a JSON object, got null"),
                hostile("number", "12", 400, "dashboard: must be a JSON object, got a number"),
                hostile("truncated", "{\"title\": \"a\", \"panels\": [", 400,
                        "cannot parse the dashboard as JSON: Unexpected end-of-input"),
                hostile("trailing garbage", "{\"title\": \"a\"} {}", 400, "cannot parse the dashboard as JSON: Trailing token"),
                hostile("duplicate key", "{\"title\": \"a\", \"title\": \"b\"}", 400,
                        "cannot parse the dashboard as JSON: Duplicate field 'title' at line 1, column 23"),
                hostile("NaN", "{\"title\": \"a\", \"x\": NaN}", 400, "cannot parse the dashboard as JSON"),
                hostile("raw control character", "{\"title\": \"a\u0001b\"}", 400, "cannot parse the dashboard as JSON"),
                hostile("objects nested 10k deep", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000), 400,
                        "nesting depth"),
                hostile("arrays nested 10k deep", "[".repeat(10_000) + "]".repeat(10_000), 400, "nesting depth"),
                hostile("options nested 10k deep", "{\"title\":\"a\",\"panels\":[{\"id\":\"p\",\"options\":"
                        + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_001) + "]}", 400, "nesting depth"),
                hostile("huge exponent", "{\"title\": \"a\", \"x\": 1e-2147483649}", 400,
                        "cannot parse the dashboard as JSON: Value \"1e-2147483649\" can not be deserialized as `java.math.BigDecimal`"),
                hostile("huge title", "{\"title\": \"" + "t".repeat(100_000) + "\"}", 400,
                        "title: must be a non-empty string of at most 200 characters"),
                hostile("body over 1 MiB", "{\"title\": \"" + "t".repeat(2_000_000) + "\"}", 413,
                        "request body larger than the limit of 1048576 bytes (dashboards are at most 1 MiB)"),
                hostile("many small fields", "{\"title\":\"a\","
                        + java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "\"k" + i + "\":1")
                                .collect(java.util.stream.Collectors.joining(",")) + "}", 413, "larger than the limit"),
                new Hostile("invalid UTF-8", new byte[] {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, '(', '"',
                    '}'}, 400, "cannot parse the dashboard as JSON: Invalid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void hostileBodies_getA4xx_neverA500(Hostile h) throws Exception {
        for (String[] m : new String[][] {{"POST", "/api/v1/dashboards"}, {"PUT", "/api/v1/dashboards/hostile"}}) {
            var r = sendBytes(server, m[0], m[1], h.body());
            assertThat(r.statusCode()).as(m[0] + " " + m[1] + ": " + r.body()).isEqualTo(h.status());
            JsonNode err = JSON.readTree(r.body());
            assertThat(err.path("status").asText()).isEqualTo("error");
            assertThat(err.path("error").asText()).as(m[1]).contains(h.message());
        }
        // Duplicate reads only a title, so its messages differ; it must refuse all but blank bodies all the same.
        if (!new String(h.body(), StandardCharsets.UTF_8).isBlank()) {
            var r = sendBytes(server, "POST", "/api/v1/dashboards/hostile-source/duplicate", h.body());
            assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
            assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("error");
        }
    }
}
