package io.sightline.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.ChildProcess;
import io.sightline.server.TestHttp;
import io.sightline.server.auth.TokenAuthenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The web UI with auth on, in Debian's Chromium against the packaged jar: the page asks for a token
 * and uses it, a read token cannot save a dashboard, and an embedded panel needs the dashboard's
 * share token (and nothing else).
 */
@Tag("slow")
class UiAuthBrowserIT {
    static final String READ = "reader-token-0123456789";
    static final String ADMIN = "admin-token-0123456789";

    @TempDir
    Path tmp;

    @Test
    void tokenPrompt_readOnlyDashboard_shareTokenForEmbeds() throws Exception {
        Files.writeString(tmp.resolve("sightline.yml"), """
                auth:
                  tokens:
                    - name: reader
                      sha256: %s
                      scopes: [read]
                    - name: operator
                      sha256: %s
                      scopes: [admin]
                """.formatted(TokenAuthenticator.sha256Hex(READ), TokenAuthenticator.sha256Hex(ADMIN)));
        int port = TestHttp.freePort();
        Path jar = Path.of(System.getProperty("sightline.jar", "target/sightline.jar")).toAbsolutePath();
        try (Chromium b = new Chromium(tmp.resolve("chromium"));
                ChildProcess server = ChildProcess.java(tmp, List.of("-Xmx256m", "-jar", jar.toString(), "server",
                        "--config", tmp.resolve("sightline.yml").toString(), "--data-dir", tmp.resolve("data").toString(),
                        "--http-address", "127.0.0.1:" + port))) {
            assertThat(server.waitForLine("Sightline is ready", 30_000)).as(server.all()).isTrue();
            String base = "http://127.0.0.1:" + port;
            String admin = "Bearer " + ADMIN;
            long now = System.currentTimeMillis() / 15_000 * 15_000;
            StringBuilder data = new StringBuilder();
            for (int i = 200; i >= 0; i--) {
                data.append("jobs_done_total ").append((200 - i) * 5).append(' ').append(now - i * 15_000L).append('\n');
            }
            assertThat(TestHttp.send("POST", base + "/api/v1/import/prometheus", admin, data.toString()).statusCode()).isEqualTo(204);
            var created = TestHttp.send("POST", base + "/api/v1/dashboards", admin, """
                    {"id": "ops", "title": "Operations", "time": {"from": "now-45m", "to": "now"},
                     "panels": [{"id": "jobs", "title": "Jobs per second", "type": "timeseries",
                                 "queries": [{"expr": "rate(jobs_done_total[5m])"}],
                                 "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}]}
                    """);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);

            // No token yet: the first API call is refused and the page asks for one.
            b.driver.get(base + "/dashboards");
            b.find("input[name=token]").sendKeys(READ);
            b.button("Sign in").click();
            b.wait.until(d -> d.findElements(By.linkText("Operations")).size() == 1);
            b.driver.findElement(By.linkText("Operations")).click();
            b.find(".chart[data-series='1']");
            b.wait.until(d -> b.ink(".chart canvas") > 1_000);

            // A read token may look but not save.
            b.button("Edit").click();
            b.button("Save").click();
            assertThat(b.find(".msg.error").getText()).contains("admin");
            b.button("Discard").click();

            // An embedded panel carries no user token: only the dashboard's share token opens it.
            b.script("localStorage.clear()");
            b.driver.get(base + "/embed/ops/jobs?from=now-45m");
            assertThat(b.find(".msg.error").getText()).contains("share token");
            var shared = TestHttp.send("POST", base + "/api/v1/dashboards/ops/share", admin, "");
            assertThat(shared.statusCode()).as(shared.body()).isEqualTo(200);
            String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(shared.body()).path("data").path("shareToken").asText();
            b.driver.get(base + "/embed/ops/jobs?from=now-45m&token=" + token);
            b.find(".embed .chart[data-series='1']");
            b.wait.until(d -> b.ink(".embed .chart canvas") > 1_000);
            b.shot("embed-with-share-token");
            // The share token is no API token.
            assertThat(TestHttp.send("GET", base + "/api/v1/query?query=up", "Bearer " + token, null).statusCode()).isEqualTo(401);
        }
    }
}
