package io.sightline.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.ChildProcess;
import io.sightline.server.TestHttp;
import io.sightline.server.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a real OS process: signals, exit codes and stdout/stderr as a user or a supervisor
 * (systemd, Kubernetes) sees them.
 */
@Tag("slow")
class ServerProcessTest {
    @TempDir
    Path tmp;

    private final List<ChildProcess> started = new ArrayList<>();

    ChildProcess launch(String... args) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        jvm.addAll(List.of(args));
        ChildProcess c = ChildProcess.java(tmp, jvm);
        started.add(c);
        return c;
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(ChildProcess::close);
    }

    @Test
    void server_startsReady_reloadsOnSighup_andStopsCleanlyOnSigterm() throws Exception {
        int port = TestHttp.freePort();
        Path config = Files.writeString(tmp.resolve("c.yml"), "global:\n  scrape_interval: 15s\n");
        ChildProcess c = launch("server", "--config", config.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--http-address", "127.0.0.1:" + port);
        assertThat(c.waitForLine("msg=\"Sightline is ready\"", 30_000)).as(c.all()).isTrue();
        assertThat(TestHttp.get("http://127.0.0.1:" + port + "/-/ready").statusCode()).isEqualTo(200);
        String readyLine = c.stdout().stream().filter(l -> l.contains("Sightline is ready")).findFirst().orElseThrow();
        System.out.println("startup as reported by the server: " + readyLine);
        assertThat(readyLine).contains("startup_ms=").contains("address=127.0.0.1:" + port);
        assertThat(c.stdout()).anySatisfy(l -> assertThat(l).contains("msg=\"metrics store opened\"").contains("replay_ms="));
        assertThat(Files.isDirectory(tmp.resolve("data/wal"))).isTrue();

        Files.writeString(config, "global:\n  scrape_interval: 30s\n");
        c.signal("HUP");
        assertThat(c.waitForLine("msg=\"config reloaded\"", 10_000)).as(c.all()).isTrue();

        c.signal("TERM");
        assertThat(c.finish()).as(c.all()).isZero();
        assertThat(c.stdout()).anySatisfy(l -> assertThat(l).contains("msg=\"Sightline stopped cleanly\""));
        assertThat(c.stderr()).isEmpty();
    }

    @Test
    void server_jsonLogs_areOneObjectPerLine() throws Exception {
        int port = TestHttp.freePort();
        ChildProcess c = launch("server", "--log-format", "json", "--data-dir", tmp.resolve("data").toString(),
                "--http-address", "127.0.0.1:" + port);
        assertThat(c.waitForLine("\"msg\":\"Sightline is ready\"", 30_000)).as(c.all()).isTrue();
        TestHttp.get("http://127.0.0.1:" + port + "/not-here");
        assertThat(c.waitForLine("\"status\":\"404\"", 10_000)).as(c.all()).isTrue();
        c.signal("TERM");
        assertThat(c.finish()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = c.stdout();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        for (String line : lines) {
            var node = json.readTree(line);
            assertThat(node.get("ts")).as(line).isNotNull();
            assertThat(node.get("level")).as(line).isNotNull();
            assertThat(node.get("msg")).as(line).isNotNull();
        }
        assertThat(lines).anySatisfy(l -> assertThat(json.readTree(l).path("request_id").asText()).matches("[0-9a-f]{8}"));
    }

    @Test
    void server_userErrors_exit2_withOneLineAndNoStackTrace() throws Exception {
        Path badConfig = Files.writeString(tmp.resolve("bad.yml"), "global:\n  scrape_interval: often\n");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        int port = TestHttp.freePort();
        ChildProcess holder = launch("server", "--data-dir", tmp.resolve("held").toString(), "--http-address", "127.0.0.1:" + port);
        assertThat(holder.waitForLine("Sightline is ready", 30_000)).as(holder.all()).isTrue();

        record Bad(String[] args, String message) {}
        List<Bad> cases = List.of(
                new Bad(new String[] {"server", "--config", badConfig.toString()},
                        badConfig + ":2:20: global.scrape_interval: not a valid duration string: \"often\""),
                new Bad(new String[] {"server", "--config", tmp.resolve("missing.yml").toString()},
                        "missing.yml: config file does not exist"),
                new Bad(new String[] {"server", "--data-dir", file.toString(), "--http-address", "127.0.0.1:0"},
                        "exists and is not a directory"),
                new Bad(new String[] {"server", "--data-dir", tmp.resolve("held").toString(), "--http-address", "127.0.0.1:0"},
                        "it is in use by another Sightline process"),
                new Bad(new String[] {"server", "--data-dir", tmp.resolve("other").toString(), "--http-address",
                    "127.0.0.1:" + port}, "address already in use"));
        for (Bad b : cases) {
            ChildProcess c = launch(b.args());
            assertThat(c.finish()).as(c.all()).isEqualTo(2);
            assertThat(c.stderr()).as(c.all()).hasSize(1);
            assertThat(c.stderr().get(0)).startsWith("sightline: error: ").contains(b.message());
        }
        holder.signal("TERM");
        assertThat(holder.finish()).isZero();
    }
}
