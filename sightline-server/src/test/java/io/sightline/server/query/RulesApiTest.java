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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule files evaluated by the running server on its real schedule: a recording rule's series and an
 * alert going pending then firing, seen through /api/v1/rules, /api/v1/alerts and PromQL; a reload with
 * a broken rule file is refused and keeps the rules.
 */
class RulesApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode get(SightlineServer s, String path) throws Exception {
        var r = TestHttp.get(url(s, path));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("data");
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!c.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static JsonNode fewSignups(JsonNode data) {
        for (JsonNode a : data.path("alerts")) {
            if (a.path("labels").path("alertname").asText().equals("FewSignups")) {
                return a;
            }
        }
        return null;
    }

    @Test
    void rulesEvaluate_alertsFire_andABadReloadKeepsTheRules() throws Exception {
        Path rules = tmp.resolve("rules.yml");
        Files.writeString(rules, """
                groups:
                  - name: signup
                    rules:
                      - record: step:signups:sum
                        expr: sum by (step) (signups)
                      - alert: FewSignups
                        expr: step:signups:sum < 5
                        for: 2s
                        labels: {severity: page}
                        annotations: {summary: few signups}
                """);
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n"
                + "notifier:\n  route: {receiver: nobody}\n  receivers: [{name: nobody}]\n");
        try (SightlineServer server = TestServers.start(config, tmp.resolve("data"), List.of())) {
            // Fresh samples every half second for the rules to read.
            Thread feeder = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        long now = System.currentTimeMillis();
                        TestHttp.send("POST", url(server, "/api/v1/import/prometheus"), null,
                                "signups{step=\"verify\", os=\"ios\"} 3 " + now + "\nsignups{step=\"verify\", os=\"android\"} 1 "
                                        + now + "\nsignups{step=\"start\", os=\"ios\"} 40 " + now + "\n");
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            try {
                await("the alert firing", () -> fewSignups(get(server, "/api/v1/alerts")) != null
                        && fewSignups(get(server, "/api/v1/alerts")).path("state").asText().equals("firing"));
                JsonNode alerts = get(server, "/api/v1/alerts").path("alerts");
                assertThat(alerts).as("FewSignups and the built-in Watchdog").hasSize(2);
                JsonNode alert = fewSignups(get(server, "/api/v1/alerts"));
                assertThat(alert.path("labels").toString())
                        .isEqualTo("{\"alertname\":\"FewSignups\",\"severity\":\"page\",\"step\":\"verify\"}");
                assertThat(alert.path("annotations").path("summary").asText()).isEqualTo("few signups");
                assertThat(alert.path("value").asText()).isEqualTo("4e+00");
                assertThat(alert.path("activeAt").asText()).matches("\\d{4}-.*Z");

                JsonNode groups = get(server, "/api/v1/rules").path("groups");
                assertThat(groups).hasSize(2);
                JsonNode watchdog = groups.get(0);
                assertThat(watchdog.path("name").asText()).isEqualTo("sightline-watchdog");
                assertThat(watchdog.path("rules").get(0).path("state").asText()).isEqualTo("firing");
                JsonNode g = groups.get(1);
                assertThat(g.path("name").asText()).isEqualTo("signup");
                assertThat(g.path("file").asText()).endsWith("rules.yml");
                assertThat(g.path("interval").asDouble()).isEqualTo(1.0);
                JsonNode rec = g.path("rules").get(0);
                assertThat(rec.path("type").asText()).isEqualTo("recording");
                assertThat(rec.path("health").asText()).isEqualTo("ok");
                JsonNode al = g.path("rules").get(1);
                assertThat(al.path("type").asText()).isEqualTo("alerting");
                assertThat(al.path("state").asText()).isEqualTo("firing");
                assertThat(al.path("duration").asDouble()).isEqualTo(2.0);
                assertThat(al.path("alerts")).hasSize(1);
                assertThat(get(server, "/api/v1/rules?type=record").path("groups")).singleElement()
                        .satisfies(only -> assertThat(only.path("rules")).hasSize(1));
                assertThat(get(server, "/api/v1/rules?rule_name[]=Nope").path("groups")).isEmpty();
                assertThat(TestHttp.get(url(server, "/api/v1/rules?type=bogus")).statusCode()).isEqualTo(400);

                JsonNode firing = get(server, "/api/v1/query?query=" + q("ALERTS{alertstate=\"firing\", alertname!=\"Watchdog\"}"))
                        .path("result");
                assertThat(firing).hasSize(1);
                JsonNode recorded = get(server, "/api/v1/query?query=" + q("step:signups:sum")).path("result");
                assertThat(recorded).hasSize(2);

                Files.writeString(rules, "groups:\n  - name: signup\n    rules:\n      - record: 1bad\n        expr: up\n");
                var reload = TestHttp.send("POST", url(server, "/-/reload"), null, "");
                assertThat(reload.statusCode()).isEqualTo(400);
                assertThat(reload.body()).contains("invalid recording rule name: 1bad");
                assertThat(get(server, "/api/v1/rules?rule_group[]=signup").path("groups").get(0).path("rules")).hasSize(2);
            } finally {
                feeder.interrupt();
            }
        }
    }
}
