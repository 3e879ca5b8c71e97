package io.sightline.server.query;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.URLEncoder;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Prometheus query API over a real socket, on data imported through the real ingest path. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = 1_795_000_000L;

    @TempDir
    static Path tmp;
    SightlineServer server;

    @BeforeAll
    void start() throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, "query:\n  timeout: 30s\n  max_samples: 100000\n  max_series: 2\n");
        server = TestServers.start(config, tmp.resolve("d"), List.of());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= 10; i++) {
            long t = (T0 + i * 60) * 1000;
            text.append("http_requests_total{job=\"api\",code=\"200\"} ").append(100 + 60 * i).append(' ').append(t).append('\n');
            text.append("http_requests_total{job=\"api\",code=\"500\"} ").append(i).append(' ').append(t).append('\n');
            text.append("temperature{room=\"a b\"} ").append(20 + i * 0.5).append(' ').append(t).append('\n');
        }
        var r = TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null, text.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String path, String... params) {
        StringBuilder q = new StringBuilder(path);
        for (int i = 0; i < params.length; i += 2) {
            q.append(i == 0 ? '?' : '&').append(URLEncoder.encode(params[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        return TestHttp.get(url(server, q.toString()));
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void instantQuery_vectorShape_andValues() throws Exception {
        var r = get("/api/v1/query", "query", "sum by (code) (rate(http_requests_total[5m]))", "time",
                Long.toString(T0 + 600));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = json(r).get("data");
        assertThat(data.get("resultType").asText()).isEqualTo("vector");
        assertThat(data.get("result")).hasSize(2);
        for (JsonNode s : data.get("result")) {
            assertThat(s.get("value").get(0).asLong()).isEqualTo(T0 + 600);
            double v = Double.parseDouble(s.get("value").get(1).asText());
            assertThat(v).isCloseTo(s.get("metric").get("code").asText().equals("200") ? 1.0 : 1.0 / 60,
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void rangeQuery_matrixShape_stepsAndFormatting() throws Exception {
        var r = get("/api/v1/query_range", "query", "temperature", "start", Long.toString(T0), "end",
                Long.toString(T0 + 120), "step", "60s");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"__name__\":\"temperature\",\"room\":\"a b\"},\"values\":[[" + T0 + ",\"20\"],["
                + (T0 + 60) + ",\"20.5\"],[" + (T0 + 120) + ",\"21\"]]}]}}");
    }

    @Test
    void scalarAndString_results() throws Exception {
        assertThat(get("/api/v1/query", "query", "1 / 8", "time", "12.5").body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[12.500,\"0.125\"]}}");
        assertThat(get("/api/v1/query", "query", "\"hi\"", "time", "3").body())
                .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[3,\"hi\"]}}");
    }

    @Test
    void formPost_isReadLikeTheQueryString() throws Exception {
        String body = "query=" + URLEncoder.encode("count(temperature)", StandardCharsets.UTF_8) + "&time=" + (T0 + 60);
        HttpRequest req = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/query")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("data").get("result").get(0).get("value").get(1).asText()).isEqualTo("1");
        // A parameter both in the URL and in the body is the body's, as in Go's Request.Form.
        HttpRequest both = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/query?query=count(nonexistent)")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var b = HttpClient.newHttpClient().send(both, HttpResponse.BodyHandlers.ofString());
        assertThat(json(b).get("data").get("result").get(0).get("value").get(1).asText()).isEqualTo("1");
    }

    @Test
    void exemplarQuery_withoutSelector_answers204() throws Exception {
        var r = get("/api/v1/query_exemplars", "query", "1 + 1");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(get("/api/v1/query_exemplars", "query", "up").body())
                .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void annotations_areReturnedBesideTheResult() throws Exception {
        var r = get("/api/v1/query", "query", "rate(temperature[5m])", "time", Long.toString(T0 + 600));
        assertThat(json(r).get("infos").get(0).asText()).isEqualTo("PromQL info: metric might not be a counter, name "
                + "does not end in _total/_sum/_count/_bucket: \"temperature\" (1:6)");
    }

    @Test
    void remoteRead_returnsRawSamples_andRejectsBadBodies() throws Exception {
        byte[] req = new io.sightline.ingest.proto.ProtoWriter().messageField(1, new io.sightline.ingest.proto.ProtoWriter()
                .varintField(1, T0 * 1000).varintField(2, (T0 + 120) * 1000)
                .messageField(3, new io.sightline.ingest.proto.ProtoWriter().varintField(1, 0).stringField(2, "__name__")
                        .stringField(3, "temperature"))).toByteArray();
        HttpRequest post = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/read")))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(org.xerial.snappy.Snappy.compress(req))).build();
        var r = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("snappy");
        byte[] raw = org.xerial.snappy.Snappy.uncompress(r.body());
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("temperature").contains("a b");
        byte[] chunked = new io.sightline.ingest.proto.ProtoWriter().bytesField(1, java.util.Arrays.copyOfRange(req, 2,
                req.length)).varintField(2, 1).varintField(2, 0).toByteArray();
        HttpRequest streamed = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/read")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(org.xerial.snappy.Snappy.compress(chunked))).build();
        var s = HttpClient.newHttpClient().send(streamed, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("Content-Type").orElse(""))
                .isEqualTo("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
        assertThat(new String(s.body(), StandardCharsets.ISO_8859_1)).contains("temperature");
        HttpRequest bad = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/read")))
                .POST(HttpRequest.BodyPublishers.ofString("not a request")).build();
        var b = HttpClient.newHttpClient().send(bad, HttpResponse.BodyHandlers.ofString());
        assertThat(b.statusCode()).isEqualTo(400);
        assertThat(json(b).get("error").asText()).contains("not snappy-compressed");
    }

    @Test
    void federate_needsMatch_andAnswersInTextFormat() throws Exception {
        assertThat(get("/federate").statusCode()).isEqualTo(400);
        var r = get("/federate", "match[]", "{__name__=~\".+\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        // The imported samples are from 2026-11-18, older than the lookback delta: nothing is current.
        assertThat(r.body()).isEmpty();
        // Current samples, on a server of its own so the shared data set stays as the other tests expect.
        try (SightlineServer fresh = TestServers.start(null, tmp.resolve("federate"), List.of())) {
            var now = TestHttp.send("POST", url(fresh, "/api/v1/import/prometheus"), null,
                    "fresh_gauge{a=\"x y\"} 1.5\nother 2\n");
            assertThat(now.statusCode()).isEqualTo(204);
            var f = TestHttp.get(url(fresh, "/federate?match[]=fresh_gauge"));
            assertThat(f.body())
                    .matches("# TYPE fresh_gauge untyped\nfresh_gauge\\{a=\"x y\",instance=\"\"\\} 1.5 \\d+\n");
        }
    }

    @Test
    void federate_addsTheExternalLabelsASeriesLacks_afterItsOwn() throws Exception {
        java.nio.file.Path config = tmp.resolve("external.yml");
        java.nio.file.Files.writeString(config, "global:\n  external_labels: {zone: z1, cluster: eu, instance: fed}\n");
        try (SightlineServer fresh = TestServers.start(config, tmp.resolve("external"), List.of())) {
            var now = TestHttp.send("POST", url(fresh, "/api/v1/import/prometheus"), null,
                    "g{b=\"1\"} 1\ng{b=\"2\",cluster=\"own\"} 2\n");
            assertThat(now.statusCode()).isEqualTo(204);
            var f = TestHttp.get(url(fresh, "/federate?match[]=g"));
            // The series' own labels, then the external ones it lacks in name order; its own cluster wins,
            // and a configured instance replaces the empty one.
            assertThat(f.body()).matches("# TYPE g untyped\n"
                    + "g\\{b=\"1\",cluster=\"eu\",instance=\"fed\",zone=\"z1\"\\} 1 \\d+\n"
                    + "g\\{b=\"2\",cluster=\"own\",instance=\"fed\",zone=\"z1\"\\} 2 \\d+\n");
        }
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("/api/v1/query", List.of("query", "sum(", "time", "0"), 400, "bad_data",
                        "invalid parameter \"query\": 1:5: parse error: unexpected end of input"),
                Arguments.of("/api/v1/query", List.of(), 400, "bad_data", "invalid parameter \"query\": missing"),
                Arguments.of("/api/v1/query", List.of("query", "up", "time", "yesterday"), 400, "bad_data",
                        "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp"),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "10", "end", "5", "step", "1"), 400,
                        "bad_data", "end timestamp must not be before start time"),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "0", "end", "5", "step", "0"), 400,
                        "bad_data", "zero or negative query resolution step"),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "0", "end", "100000", "step", "1"),
                        400, "bad_data", "exceeded maximum resolution of 11,000 points"),
                Arguments.of("/api/v1/query_range", List.of("query", "up[5m]", "start", "0", "end", "5", "step", "1"),
                        400, "bad_data", "invalid expression type \"range vector\" for range query"),
                Arguments.of("/api/v1/query", List.of("query", "label_replace(http_requests_total, \"code\", \"x\", "
                        + "\"code\", \".*\")", "time", Long.toString(T0)), 422, "execution",
                        "vector cannot contain metrics with the same labelset"),
                Arguments.of("/api/v1/query", List.of("query", "count_over_time(temperature[20m:5ms])", "time",
                        Long.toString(T0 + 600)), 422, "execution", "query processing would load too many samples"),
                Arguments.of("/api/v1/query", List.of("query", "count({__name__=~\".+\"})", "time", Long.toString(T0 + 60)), 422, "execution",
                        "query selects more than 2 series"),
                Arguments.of("/api/v1/query", List.of("query", "up", "timeout", "soon"), 400, "bad_data",
                        "invalid parameter \"timeout\""),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "0", "end", "5", "step", "1",
                        "max_source_resolution", "-300"), 400, "bad_data",
                        "invalid parameter \"max_source_resolution\": must be auto or a duration of at least 0s"),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "0", "end", "5", "step", "1",
                        "max_source_resolution", "fine"), 400, "bad_data",
                        "invalid parameter \"max_source_resolution\": cannot parse \"fine\""),
                Arguments.of("/api/v1/series", List.of(), 400, "bad_data", "no match[] parameter provided"),
                Arguments.of("/api/v1/series", List.of("match[]", "rate(up[5m])"), 400, "bad_data",
                        "is not a series selector"),
                Arguments.of("/api/v1/labels", List.of("limit", "-1"), 400, "bad_data", "invalid parameter \"limit\""),
                // 0 is "no limit" for the listings above, but not for these statistics (as Prometheus)
                Arguments.of("/api/v1/status/tsdb", List.of("limit", "0"), 400, "bad_data",
                        "invalid parameter \"limit\": must be a whole number from 1 to 10000, got \"0\""),
                Arguments.of("/api/v1/status/tsdb", List.of("limit", "10001"), 400, "bad_data", "got \"10001\""),
                Arguments.of("/api/v1/status/tsdb", List.of("limit", "ten"), 400, "bad_data", "got \"ten\""),
                // As Prometheus: no time at all is a timeout, not a bad parameter (a bad query still is).
                Arguments.of("/api/v1/query", List.of("query", "up", "timeout", "0s"), 503, "timeout",
                        "query timed out in query execution"),
                Arguments.of("/api/v1/query_range", List.of("query", "up", "start", "0", "end", "5", "step", "1",
                        "timeout", "-1"), 503, "timeout", "query timed out in query execution"),
                Arguments.of("/api/v1/query", List.of("query", "up{", "timeout", "0s"), 400, "bad_data",
                        "invalid parameter \"query\""),
                Arguments.of("/api/v1/query_exemplars", List.of("query", "up{"), 400, "bad_data",
                        "1:4: parse error: unexpected end of input"),
                Arguments.of("/api/v1/query_exemplars", List.of("query", "up", "start", "10", "end", "5"), 400,
                        "bad_data", "end timestamp must not be before start timestamp"),
                Arguments.of("/api/v1/query_exemplars", List.of("query", "up", "start", "soon"), 400, "bad_data",
                        "invalid parameter \"start\""));
    }

    @Test
    void statsAll_timingsAddUp() throws Exception {
        JsonNode t = json(get("/api/v1/query_range", "query", "sum by (code) (rate(http_requests_total[5m]))",
                "start", Long.toString(T0), "end", Long.toString(T0 + 600), "step", "60", "stats", "all"))
                .at("/data/stats/timings");
        double eval = t.get("evalTotalTime").asDouble();
        assertThat(eval).isPositive();
        assertThat(t.get("execQueueTime").asDouble()).as("the hop to the query pool takes some time").isPositive();
        assertThat(t.get("execTotalTime").asDouble())
                .isCloseTo(t.get("execQueueTime").asDouble() + eval, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.get("innerEvalTime").asDouble() + t.get("resultSortTime").asDouble())
                .isCloseTo(eval, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void maxSourceResolution_isAcceptedAsThanosWritesIt() throws Exception {
        String first = null;
        for (String r : new String[] {"auto", "0s", "5m", "1h", "3600"}) {
            var resp = get("/api/v1/query_range", "query", "http_requests_total", "start", Long.toString(T0),
                    "end", Long.toString(T0 + 600), "step", "60", "max_source_resolution", r);
            assertThat(resp.statusCode()).as(r + ": " + resp.body()).isEqualTo(200);
            // No rollups in this store: the same raw answer whatever the bound.
            first = first == null ? resp.body() : first;
            assertThat(resp.body()).isEqualTo(first);
        }
    }

    @ParameterizedTest
    @MethodSource("errors")
    void badRequests_getPrometheusErrorShape(String path, List<String> params, int status, String type, String message)
            throws Exception {
        var r = get(path, params.toArray(new String[0]));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode j = json(r);
        assertThat(j.get("status").asText()).isEqualTo("error");
        assertThat(j.get("errorType").asText()).isEqualTo(type);
        assertThat(j.get("error").asText()).contains(message);
    }

    @Test
    void metadataEndpoints() throws Exception {
        assertThat(json(get("/api/v1/labels")).get("data").toString()).isEqualTo("[\"__name__\",\"code\",\"job\",\"room\"]");
        assertThat(json(get("/api/v1/labels", "match[]", "temperature")).get("data").toString())
                .isEqualTo("[\"__name__\",\"room\"]");
        assertThat(json(get("/api/v1/label/code/values")).get("data").toString()).isEqualTo("[\"200\",\"500\"]");
        assertThat(json(get("/api/v1/label/__name__/values", "limit", "1")).get("warnings").get(0).asText())
                .isEqualTo("results truncated due to limit");
        assertThat(json(get("/api/v1/label/__name__/values", "limit", "99999999999")).get("data"))
                .as("beyond an int, as Go's Atoi reads it: no limit").hasSize(2);
        assertThat(json(get("/api/v1/series", "match[]", "http_requests_total{code=\"500\"}", "match[]", "temperature"))
                .get("data").toString()).isEqualTo("[{\"__name__\":\"http_requests_total\",\"code\":\"500\",\"job\":"
                + "\"api\"},{\"__name__\":\"temperature\",\"room\":\"a b\"}]");
        assertThat(json(get("/api/v1/series", "match[]", "temperature", "start", "0", "end", "100")).get("data"))
                .isEmpty();
        assertThat(json(get("/api/v1/format_query", "query", "sum(rate(x[5m]))by(a)")).get("data").asText())
                .isEqualTo("sum by (a) (rate(x[5m]))");
        assertThat(json(get("/api/v1/parse_query", "query", "a + on(b) c")).get("data").get("type").asText())
                .isEqualTo("binaryExpr");
        JsonNode build = json(get("/api/v1/status/buildinfo")).get("data");
        assertThat(build.get("version").asText()).isNotEmpty();
        // From git at build time; a build outside a checkout says "unknown".
        boolean inGit = Files.exists(Path.of("..", ".git"));
        assertThat(build.get("revision").asText()).matches(inGit ? "[0-9a-f]{40}" : "unknown");
        assertThat(build.get("branch").asText()).isNotEmpty();
        assertThat(build.get("buildDate").asText()).matches(inGit ? "\\d{8}-\\d{2}:\\d{2}:\\d{2}" : ".+");
        assertThat(json(get("/api/v1/status/flags")).get("data").get("query.max-samples").asText()).isEqualTo("100000");
        JsonNode tsdb = json(get("/api/v1/status/tsdb")).get("data");
        assertThat(tsdb.get("headStats").get("numSeries").asLong()).isEqualTo(3);
        assertThat(tsdb.get("headStats").get("chunkCount").asLong()).as("11 samples each, one open chunk").isEqualTo(3);
        JsonNode top1 = json(get("/api/v1/status/tsdb", "limit", "1")).get("data");
        assertThat(top1.get("seriesCountByLabelValuePair")).hasSize(1);
        assertThat(top1.get("seriesCountByMetricName").get(0).get("value").asLong()).isEqualTo(2);
        assertThat(tsdb.get("seriesCountByMetricName").get(0).get("name").asText()).isEqualTo("http_requests_total");
        assertThat(json(get("/api/v1/status/config")).get("data").get("yaml").asText()).contains("max_samples: 100000");
        assertThat(json(get("/api/v1/metadata")).get("data").isObject()).isTrue();
    }
}
