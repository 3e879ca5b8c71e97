package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.auth.TokenAuthenticator;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embed endpoint and share tokens over a real socket, with auth on: only the dashboard's share
 * token opens it, and its results are query_range's for the substituted queries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbedApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String READ = "Bearer sl_embed_reader";
    static final String ADMIN = "Bearer sl_embed_admin";
    static final long T0 = 1_795_000_000L;

    @TempDir
    static Path tmp;
    SightlineServer server;
    String token;

    static final String DASHBOARD = """
            {"id": "web", "title": "Web traffic",
             "variables": [
               {"name": "instance", "label": "instance", "current": ["c|d"]},
               {"name": "job", "label": "job", "includeAll": true, "current": []},
               {"name": "multi", "label": "instance", "multi": true, "current": ["a.b:1", "e\\"f"]}
             ],
             "panels": [
               {"id": "rates", "title": "Rates", "type": "timeseries", "options": {"unit": "reqps", "stack": false},
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "queries": [
                  {"expr": "sum by (instance) (rate(http_requests_total{instance=~\\"$instance\\", job=~\\"$job\\"}[$__rate_interval]))",
                   "legend": "{{instance}}", "refId": "A"},
                  {"expr": "http_requests_total{instance=~\\"${multi}\\"}", "refId": "multi"},
                  {"expr": "rate("},
                  {"expr": "http_requests_total[5m]"}
                ]},
               {"id": "up", "title": "Up", "type": "stat", "gridPos": {"x": 0, "y": 8, "w": 6, "h": 4},
                "queries": [{"expr": "count(http_requests_total)"}]}
             ]}
            """;

    @BeforeAll
    void start() throws Exception {
        Path config = Files.writeString(tmp.resolve("auth.yml"), """
                auth:
                  tokens:
                    - {name: reader, sha256: %s, scopes: [read]}
                    - {name: root, sha256: %s, scopes: [admin]}
                """.formatted(TokenAuthenticator.sha256Hex("sl_embed_reader"), TokenAuthenticator.sha256Hex("sl_embed_admin")));
        server = TestServers.start(config, tmp.resolve("data"), List.of());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= 10; i++) {
            long t = (T0 + i * 60) * 1000;
            text.append("http_requests_total{job=\"api\",instance=\"a.b:1\"} ").append(100 + 60 * i).append(' ').append(t).append('\n');
            text.append("http_requests_total{job=\"api\",instance=\"c|d\"} ").append(30 * i).append(' ').append(t).append('\n');
            text.append("http_requests_total{job=\"web\",instance=\"e\\\"f\"} ").append(6 * i).append(' ').append(t).append('\n');
            text.append("http_requests_total{job=\"web\",instance=\"cxd\"} ").append(i).append(' ').append(t).append('\n');
        }
        var imported = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), ADMIN, text.toString());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(204);
        var created = TestHttp.send("POST", url(server, "/api/v1/dashboards"), ADMIN, DASHBOARD);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        var other = TestHttp.send("POST", url(server, "/api/v1/dashboards"), ADMIN,
                "{\"id\":\"other\",\"title\":\"Other\",\"panels\":[{\"id\":\"up\",\"title\":\"\",\"type\":\"stat\","
                        + "\"queries\":[{\"expr\":\"1\"}],\"gridPos\":{\"x\":0,\"y\":0,\"w\":1,\"h\":1}}]}");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        token = JSON.readTree(TestHttp.send("POST", url(server, "/api/v1/dashboards/web/share"), ADMIN, "").body())
                .path("data").path("shareToken").asText();
        assertThat(token).hasSize(32);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static String range(long start, long end, String step) {
        return "start=" + start + "&end=" + end + "&step=" + step;
    }

    HttpResponse<String> embed(String path, String params, String authorization) {
        return TestHttp.send("GET", url(server, "/api/v1/embed/" + path + "/query_range?" + params), authorization, null);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void rightToken_answersEachQuery_asQueryRangeWould() throws Exception {
        var r = embed("web/rates", range(T0, T0 + 600, "60") + "&token=" + enc(token), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = JSON.readTree(r.body()).path("data");
        assertThat(data.path("title").asText()).isEqualTo("Web traffic");
        assertThat(data.path("panel")).isEqualTo(JSON.readTree(DASHBOARD).path("panels").get(0));
        JsonNode results = data.path("results");
        assertThat(results).hasSize(4);

        JsonNode a = results.get(0);
        assertThat(a.path("refId").asText()).isEqualTo("A");
        assertThat(a.path("legend").asText()).isEqualTo("{{instance}}");
        assertThat(a.path("expr").asText()).isEqualTo(
                "sum by (instance) (rate(http_requests_total{instance=~\"c\\\\|d\", job=~\".*\"}[75s]))");
        assertThat(a.path("result").findValuesAsText("instance")).as("only the literal value c|d, not cxd")
                .containsExactly("c|d");

        JsonNode multi = results.get(1);
        assertThat(multi.path("refId").asText()).isEqualTo("multi");
        assertThat(multi.path("legend").isNull()).isTrue();
        assertThat(multi.path("expr").asText()).isEqualTo("http_requests_total{instance=~\"(a\\\\.b:1|e\\\"f)\"}");
        assertThat(multi.path("result").findValuesAsText("instance")).containsExactlyInAnyOrder("a.b:1", "e\"f");

        for (JsonNode ok : List.of(a, multi)) {
            var direct = TestHttp.send("GET", url(server, "/api/v1/query_range?query=" + enc(ok.path("expr").asText()) + "&"
                    + range(T0, T0 + 600, "60")), READ, null);
            assertThat(direct.statusCode()).as(direct.body()).isEqualTo(200);
            JsonNode expected = JSON.readTree(direct.body()).path("data");
            assertThat(ok.path("resultType").asText()).isEqualTo("matrix").isEqualTo(expected.path("resultType").asText());
            assertThat(ok.path("result")).isEqualTo(expected.path("result"));
            assertThat(ok.path("result")).isNotEmpty();
        }

        JsonNode bad = results.get(2);
        assertThat(bad.path("refId").asText()).as("default refIds by position").isEqualTo("C");
        assertThat(bad.path("errorType").asText()).isEqualTo("bad_data");
        assertThat(bad.path("error").asText()).startsWith("invalid parameter \"query\": ");
        assertThat(bad.has("result")).isFalse();
        JsonNode matrix = results.get(3);
        assertThat(matrix.path("refId").asText()).isEqualTo("D");
        assertThat(matrix.path("error").asText()).isEqualTo("invalid parameter \"query\": invalid expression type \"range"
                + " vector\" for range query, must be Scalar or instant Vector");
    }

    @Test
    void theShareToken_choosesNothingButTheRange() throws Exception {
        // Samples sit on whole minutes; from T0+30 only the default 5m lookback finds them.
        String params = range(T0 + 30, T0 + 330, "60") + "&token=" + enc(token);
        JsonNode plain = JSON.readTree(embed("web/up", params, null).body()).path("data").path("results").get(0);
        JsonNode tried = JSON.readTree(embed("web/up", params + "&lookback_delta=1ms&timeout=1ms&query=vector(5)", null)
                .body()).path("data").path("results").get(0);
        assertThat(plain.path("result").get(0).path("values")).hasSize(6);
        assertThat(tried).isEqualTo(plain);
        assertThat(tried.path("expr").asText()).isEqualTo("count(http_requests_total)");
    }

    @Test
    void wrongOrMissingToken_is401() throws Exception {
        String params = range(T0, T0 + 600, "60");
        for (String[] c : new String[][] {
            {"web/rates", params, null},
            {"web/rates", params + "&token=", null},
            {"web/rates", params + "&token=" + enc(token.substring(1)), null},
            {"web/rates", params + "&token=" + enc(token + "x"), null},
            {"web/rates", params, READ},
            {"web/rates", params, ADMIN},
            {"other/up", params + "&token=" + enc(token), null},
            {"nope/up", params + "&token=" + enc(token), null},
        }) {
            var r = embed(c[0], c[1], c[2]);
            assertThat(r.statusCode()).as(String.join(" ", java.util.Arrays.asList(c)) + ": " + r.body()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"a valid share"
                    + " token is required: ?token=<the dashboard's share token>\"}");
        }
    }

    @Test
    void shareToken_grantsNothingElse() {
        for (String path : List.of("/api/v1/query?query=up", "/api/v1/dashboards", "/api/v1/dashboards/web",
                "/api/v1/query_range?query=up&" + range(T0, T0 + 60, "60"))) {
            assertThat(TestHttp.send("GET", url(server, path), "Bearer " + token, null).statusCode()).as(path).isEqualTo(401);
            String sep = path.contains("?") ? "&" : "?";
            assertThat(TestHttp.send("GET", url(server, path + sep + "token=" + enc(token)), null, null).statusCode())
                    .as(path).isEqualTo(401);
        }
        assertThat(TestHttp.send("POST", url(server, "/api/v1/embed/web/rates/query_range?token=" + enc(token)), null, "")
                .statusCode()).as("only GET").isEqualTo(405);
    }

    @Test
    void badRange_orUnknownPanel_withTheRightToken() throws Exception {
        String t = "&token=" + enc(token);
        var zeroStep = embed("web/rates", range(T0, T0 + 600, "0") + t, null);
        assertThat(zeroStep.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(zeroStep.body()).path("error").asText()).isEqualTo("invalid parameter \"step\": zero or"
                + " negative query resolution step widths are not accepted. Try a positive integer");
        var noStart = embed("web/rates", "end=10&step=1" + t, null);
        assertThat(noStart.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noStart.body()).path("error").asText()).isEqualTo("invalid parameter \"start\": missing");
        var backwards = embed("web/rates", range(T0 + 600, T0, "60") + t, null);
        assertThat(backwards.statusCode()).isEqualTo(400);
        assertThat(embed("web/rates", range(0, 100_000, "1") + t, null).statusCode()).as("too many points").isEqualTo(400);
        var panel = embed("web/nope", range(T0, T0 + 600, "60") + t, null);
        assertThat(panel.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(panel.body()).path("error").asText()).isEqualTo("panel \"nope\" not found in dashboard \"web\"");
    }

    @Test
    void revokedToken_is401_andANewShareHasANewToken() throws Exception {
        TestHttp.send("POST", url(server, "/api/v1/dashboards"), ADMIN, DASHBOARD.replace("\"web\"", "\"revoke\""));
        String t = JSON.readTree(TestHttp.send("POST", url(server, "/api/v1/dashboards/revoke/share"), ADMIN, "").body())
                .path("data").path("shareToken").asText();
        String params = range(T0, T0 + 600, "60") + "&token=";
        assertThat(embed("revoke/up", params + enc(t), null).statusCode()).isEqualTo(200);
        assertThat(TestHttp.send("DELETE", url(server, "/api/v1/dashboards/revoke/share"), ADMIN, null).statusCode())
                .isEqualTo(200);
        assertThat(embed("revoke/up", params + enc(t), null).statusCode()).isEqualTo(401);
        String again = JSON.readTree(TestHttp.send("POST", url(server, "/api/v1/dashboards/revoke/share"), ADMIN, "").body())
                .path("data").path("shareToken").asText();
        assertThat(again).isNotEqualTo(t);
        assertThat(embed("revoke/up", params + enc(t), null).statusCode()).isEqualTo(401);
        assertThat(embed("revoke/up", params + enc(again), null).statusCode()).isEqualTo(200);
    }

    @Test
    void scopes_readTokenReads_onlyAdminWrites() throws Exception {
        var list = TestHttp.send("GET", url(server, "/api/v1/dashboards"), READ, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"id\":\"web\"").doesNotContain("shareToken");
        var one = TestHttp.send("GET", url(server, "/api/v1/dashboards/web"), READ, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).path("data").path("shareToken").asText()).isEqualTo(token);
        String body = JSON.readTree(one.body()).path("data").toString();
        for (String[] m : new String[][] {{"POST", "/api/v1/dashboards"}, {"PUT", "/api/v1/dashboards/web"},
                {"DELETE", "/api/v1/dashboards/web"}, {"POST", "/api/v1/dashboards/web/duplicate"},
                {"POST", "/api/v1/dashboards/web/share"}, {"DELETE", "/api/v1/dashboards/web/share"}}) {
            var r = TestHttp.send(m[0], url(server, m[1]), READ, m[0].equals("DELETE") ? null : body);
            assertThat(r.statusCode()).as(m[0] + " " + m[1]).isEqualTo(403);
            assertThat(r.body()).contains("\"errorType\":\"forbidden\"").contains("lacks scope admin");
            assertThat(TestHttp.send(m[0], url(server, m[1]), null, body).statusCode()).as(m[0] + " " + m[1])
                    .isEqualTo(401);
        }
        assertThat(TestHttp.send("GET", url(server, "/api/v1/dashboards"), null, null).statusCode()).isEqualTo(401);
        assertThat(TestHttp.send("GET", url(server, "/api/v1/dashboards/web"), null, null).statusCode()).isEqualTo(401);
        // Nothing changed.
        JsonNode after = JSON.readTree(TestHttp.send("GET", url(server, "/api/v1/dashboards/web"), READ, null).body());
        assertThat(after.path("data").path("version").asLong()).isEqualTo(1);
        assertThat(after.path("data").path("shareToken").asText()).isEqualTo(token);
    }

    @Test
    void withAuthOff_noTokenIsNeeded() throws Exception {
        try (SightlineServer open = TestServers.start(null, tmp.resolve("open"), List.of())) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i <= 5; i++) {
                text.append("up{instance=\"x\"} 1 ").append((T0 + i * 60) * 1000).append('\n');
            }
            assertThat(TestHttp.send("POST", url(open, "/api/v1/import/prometheus"), null, text.toString()).statusCode())
                    .isEqualTo(204);
            assertThat(TestHttp.send("POST", url(open, "/api/v1/dashboards"), null,
                    "{\"id\":\"o\",\"title\":\"O\",\"variables\":[{\"name\":\"i\",\"label\":\"instance\",\"current\":[\"x\"]}],"
                            + "\"panels\":[{\"id\":\"p\",\"title\":\"\",\"type\":\"stat\",\"queries\":[{\"expr\":\"up{instance=~\\\"$i\\\"}\"}],"
                            + "\"gridPos\":{\"x\":0,\"y\":0,\"w\":1,\"h\":1}}]}").statusCode()).isEqualTo(200);
            String q = "/query_range?" + range(T0, T0 + 300, "60");
            var r = TestHttp.get(url(open, "/api/v1/embed/o/p" + q));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode res = JSON.readTree(r.body()).path("data").path("results").get(0);
            assertThat(res.path("expr").asText()).isEqualTo("up{instance=~\"x\"}");
            assertThat(res.path("result").get(0).path("values")).hasSize(6);
            var missing = TestHttp.get(url(open, "/api/v1/embed/nope/p" + q));
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"not_found\","
                    + "\"error\":\"dashboard \\\"nope\\\" not found\"}");
            assertThat(TestHttp.get(url(open, "/api/v1/embed/o/nope" + q)).statusCode()).isEqualTo(404);
        }
    }
}
