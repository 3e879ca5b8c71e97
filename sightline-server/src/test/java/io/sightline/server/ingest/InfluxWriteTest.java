package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.server.auth.TokenAuthenticator;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** InfluxDB line protocol over a real socket into the real engine, with auth on. */
class InfluxWriteTest {
    static final String TOKEN = "sl_influx_writer";
    @TempDir
    Path tmp;
    SightlineServer server;

    @BeforeEach
    void start() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yml"), "auth:\n  tokens:\n    - {name: telegraf, sha256: "
                + TokenAuthenticator.sha256Hex(TOKEN) + ", scopes: [write]}\n");
        server = TestServers.start(config, tmp.resolve("d"), List.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> post(String pathAndQuery, byte[] body, String authorization, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(server, pathAndQuery)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> stored(String metricRegex) throws Exception {
        return TestServers.stored(server, LabelMatcher.regex("__name__", metricRegex));
    }

    @Test
    void v1_withDbAndPrecision_basicAuthTokenAsPassword() throws Exception {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("telegraf:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        var r = post("/write?db=metrics&precision=s", "cpu,host=a usage_idle=97.5,usage_user=1.5 1795000000\n"
                .getBytes(StandardCharsets.UTF_8), basic, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored("cpu_.*")).containsExactly(
                "cpu_usage_idle{db=\"metrics\", host=\"a\"} 1795000000000 97.5",
                "cpu_usage_user{db=\"metrics\", host=\"a\"} 1795000000000 1.5");
    }

    @Test
    void v2_withBucket_tokenScheme_gzip() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("mem,host=b used=42i 1795000000000000000\n".getBytes(StandardCharsets.UTF_8));
        }
        var r = post("/api/v2/write?org=acme&bucket=prod", gz.toByteArray(), "Token " + TOKEN, "gzip");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored("mem_used")).containsExactly("mem_used{db=\"prod\", host=\"b\"} 1795000000000 42.0");
    }

    @Test
    void partialWrite_storesGoodLines_and400NamesTheBadOnes() throws Exception {
        var r = post("/write?db=x", "good v=1 1795000000000000000\nbroken v=oops\nalso_good v=2 1795000000000000000\n"
                .getBytes(StandardCharsets.UTF_8), "Bearer " + TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("stored 2 samples, refused 1").contains("line 2: invalid value \\\"oops\\\"");
        assertThat(stored("(good|also_good)_v")).hasSize(2);
    }

    @Test
    void badRequests_andPing() throws Exception {
        var precision = post("/api/v2/write?bucket=b&precision=h", "m v=1\n".getBytes(StandardCharsets.UTF_8),
                "Token " + TOKEN, null);
        assertThat(precision.statusCode()).isEqualTo(400);
        assertThat(precision.body()).contains("invalid precision \\\"h\\\": expected ns, us, ms or s");
        var noToken = post("/write", "m v=1\n".getBytes(StandardCharsets.UTF_8), null, null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        var anonymousPing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(server, "/ping"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousPing.statusCode()).as("with auth on only /-/healthy is open").isEqualTo(401);
        var ping = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(server, "/ping")))
                .header("Authorization", "Token " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ping.statusCode()).isEqualTo(204);
    }
}
