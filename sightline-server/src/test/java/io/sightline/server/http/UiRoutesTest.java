package io.sightline.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web UI's files as the server sends them: the page at each UI path, assets cached and gzipped. */
class UiRoutesTest {
    @TempDir
    Path tmp;

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void pageAtEveryUiPath_assetsImmutableAndGzipped_embedFramable() throws Exception {
        try (SightlineServer s = TestServers.start(null, tmp.resolve("d"), List.of())) {
            for (String path : List.of("/", "/explore", "/dashboards", "/d/some-board", "/alerts", "/targets", "/status")) {
                HttpResponse<String> r = TestHttp.get(TestServers.url(s, path));
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).as(path).hasValue("text/html; charset=utf-8");
                assertThat(r.body()).as(path).contains("<div id=\"app\"></div>");
                assertThat(r.headers().firstValue("cache-control").orElse("")).contains("no-cache");
                assertThat(r.headers().firstValue("content-security-policy").orElse(""))
                        .contains("default-src 'self'").contains("frame-ancestors 'self'");
            }
            HttpResponse<String> embed = TestHttp.get(TestServers.url(s, "/embed/board/panel1"));
            assertThat(embed.statusCode()).isEqualTo(200);
            assertThat(embed.headers().firstValue("content-security-policy").orElse("")).contains("frame-ancestors *");

            String html = TestHttp.get(TestServers.url(s, "/")).body();
            Matcher m = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(html);
            assertThat(m.find()).as(html).isTrue();
            String script = m.group(1);

            HttpResponse<byte[]> gz = CLIENT.send(HttpRequest.newBuilder(URI.create(TestServers.url(s, script)))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gz.statusCode()).isEqualTo(200);
            assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
            assertThat(gz.headers().firstValue("cache-control").orElse("")).contains("immutable");
            assertThat(gz.headers().firstValue("content-type").orElse("")).contains("javascript");
            byte[] unzipped = new GZIPInputStream(new java.io.ByteArrayInputStream(gz.body())).readAllBytes();

            HttpResponse<byte[]> plain = CLIENT.send(HttpRequest.newBuilder(URI.create(TestServers.url(s, script))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
            assertThat(plain.body()).isEqualTo(unzipped);
            assertThat(new String(plain.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("/api/v1/query_range");

            assertThat(TestHttp.get(TestServers.url(s, "/assets/missing.js")).statusCode()).isEqualTo(404);
            assertThat(TestHttp.get(TestServers.url(s, "/assets/../index.html")).statusCode()).isIn(400, 404);
            assertThat(TestHttp.send("POST", TestServers.url(s, "/explore"), null, "x").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void withAuthOn_thePageIsOpenButTheApiIsNot() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yml"), """
                auth:
                  tokens:
                    - name: t
                      sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
                      scopes: [read]
                """);
        try (SightlineServer s = TestServers.start(config, tmp.resolve("d"), List.of())) {
            assertThat(TestHttp.get(TestServers.url(s, "/explore")).statusCode()).isEqualTo(200);
            assertThat(TestHttp.get(TestServers.url(s, "/api/v1/query?query=up")).statusCode()).isEqualTo(401);
            assertThat(TestHttp.send("GET", TestServers.url(s, "/api/v1/query?query=up"), "Bearer password", null).statusCode())
                    .isEqualTo(200);
        }
    }
}
