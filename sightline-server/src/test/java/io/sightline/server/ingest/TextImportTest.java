package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/v1/import/prometheus over a real socket into the real engine. */
class TextImportTest {
    @TempDir
    Path tmp;
    SightlineServer server;

    @BeforeEach
    void start() {
        server = TestServers.start(null, tmp.resolve("d"), List.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> post(String query, byte[] body, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/import/prometheus" + query)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "text/plain");
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> stored(String metric) throws Exception {
        return TestServers.stored(server, LabelMatcher.equal("__name__", metric));
    }

    @Test
    void import_plainAndGzip_withAndWithoutTimestamps() throws Exception {
        String text = "# TYPE jobs_done counter\njobs_done{queue=\"a\"} 5 1795000000000\njobs_done{queue=\"b\"} 7\n";
        var r = post("?timestamp=1795000001000", text.getBytes(StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored("jobs_done")).containsExactly("jobs_done{queue=\"a\"} 1795000000000 5.0",
                "jobs_done{queue=\"b\"} 1795000001000 7.0");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("temperature{room=\"x\"} 21.5 1795000002000\n".getBytes(StandardCharsets.UTF_8));
        }
        var g = post("", gz.toByteArray(), "gzip");
        assertThat(g.statusCode()).as(g.body()).isEqualTo(204);
        assertThat(stored("temperature")).containsExactly("temperature{room=\"x\"} 1795000002000 21.5");
    }

    @Test
    void import_openMetrics_byContentType() throws Exception {
        String om = "# TYPE jobs counter\njobs_total{queue=\"a\"} 5 1795000000.5\njobs_created{queue=\"a\"} 1700000000\n# EOF\n";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/import/prometheus?timestamp=1795000001000")))
                .POST(HttpRequest.BodyPublishers.ofString(om))
                .header("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8").build();
        var r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored("jobs_total")).containsExactly("jobs_total{queue=\"a\"} 1795000000500 5.0");
        assertThat(stored("jobs_created")).containsExactly("jobs_created{queue=\"a\"} 1795000001000 1.7E9");
        HttpRequest noEof = HttpRequest.newBuilder(URI.create(url(server, "/api/v1/import/prometheus")))
                .POST(HttpRequest.BodyPublishers.ofString("m 1\n"))
                .header("Content-Type", "application/openmetrics-text; version=1.0.0").build();
        var bad = HttpClient.newHttpClient().send(noEof, HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("cannot parse OpenMetrics text").contains("EOF");
    }

    @Test
    void import_badInput_is4xxWithReason_andStoresNothing() throws Exception {
        var line = post("", "ok 1 1795000000000\nbroken{ 2\n".getBytes(StandardCharsets.UTF_8), null);
        assertThat(line.statusCode()).isEqualTo(400);
        assertThat(line.body()).contains("line 2");
        assertThat(stored("ok")).isEmpty();
        var utf = post("", new byte[] {'m', ' ', '1', (byte) 0xff}, null);
        assertThat(utf.statusCode()).isEqualTo(400);
        assertThat(utf.body()).contains("not valid UTF-8");
        var gzip = post("", "not gzip".getBytes(StandardCharsets.UTF_8), "gzip");
        assertThat(gzip.statusCode()).isEqualTo(400);
        assertThat(gzip.body()).contains("invalid gzip body");
        var ts = post("?timestamp=yesterday", "m 1\n".getBytes(StandardCharsets.UTF_8), null);
        assertThat(ts.statusCode()).isEqualTo(400);
        assertThat(ts.body()).contains("invalid timestamp parameter");
        var br = post("", "m 1\n".getBytes(StandardCharsets.UTF_8), "br");
        assertThat(br.statusCode()).isEqualTo(415);
    }
}
