package io.sightline.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.server.TestHttp;
import io.sightline.server.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private final List<Process> started = new ArrayList<>();

    /** A running child process and everything it has printed so far. */
    record Child(Process process, List<String> stdout, List<String> stderr, List<Thread> pumps) {
        /** Waits for the exit and for everything printed before it; returns the exit code. */
        int finish() throws InterruptedException {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exits").isTrue();
            for (Thread t : pumps) {
                t.join(5_000);
            }
            return process.exitValue();
        }

        boolean waitForLine(String fragment, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < deadline) {
                synchronized (stdout) {
                    if (stdout.stream().anyMatch(l -> l.contains(fragment))) {
                        return true;
                    }
                }
                if (!process.isAlive()) {
                    return false;
                }
                Thread.sleep(20);
            }
            return false;
        }

        String all() {
            synchronized (stdout) {
                return String.join("\n", stdout) + "\n--- stderr ---\n" + String.join("\n", stderr);
            }
        }
    }

    Child launch(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
        started.add(p);
        Child c = new Child(p, Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>()),
                new ArrayList<>());
        c.pumps().add(pump(p.getInputStream(), c.stdout()));
        c.pumps().add(pump(p.getErrorStream(), c.stderr()));
        return c;
    }

    private static Thread pump(java.io.InputStream in, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    sink.add(line);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Sends a signal the way a supervisor does. Not {@link Process#destroy()}: it also closes our end of
     * the child's stdout, so the child's last lines (the shutdown log) would be lost in transit.
     */
    static void signal(Child c, String name) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(c.process().pid())).start().waitFor()).isZero();
    }

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void server_startsReady_reloadsOnSighup_andStopsCleanlyOnSigterm() throws Exception {
        int port = TestHttp.freePort();
        Path config = Files.writeString(tmp.resolve("c.yml"), "global:\n  scrape_interval: 15s\n");
        Child c = launch("server", "--config", config.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--http-address", "127.0.0.1:" + port);
        assertThat(c.waitForLine("msg=\"Sightline is ready\"", 30_000)).as(c.all()).isTrue();
        assertThat(TestHttp.get("http://127.0.0.1:" + port + "/-/ready").statusCode()).isEqualTo(200);
        String readyLine = c.stdout().stream().filter(l -> l.contains("Sightline is ready")).findFirst().orElseThrow();
        System.out.println("startup as reported by the server: " + readyLine);
        assertThat(readyLine).contains("startup_ms=").contains("address=127.0.0.1:" + port);

        Files.writeString(config, "global:\n  scrape_interval: 30s\n");
        signal(c, "HUP");
        assertThat(c.waitForLine("msg=\"config reloaded\"", 10_000)).as(c.all()).isTrue();

        signal(c, "TERM");
        assertThat(c.finish()).as(c.all()).isZero();
        assertThat(c.stdout()).anySatisfy(l -> assertThat(l).contains("msg=\"Sightline stopped cleanly\""));
        assertThat(c.stderr()).isEmpty();
    }

    @Test
    void server_jsonLogs_areOneObjectPerLine() throws Exception {
        int port = TestHttp.freePort();
        Child c = launch("server", "--log-format", "json", "--data-dir", tmp.resolve("data").toString(),
                "--http-address", "127.0.0.1:" + port);
        assertThat(c.waitForLine("\"msg\":\"Sightline is ready\"", 30_000)).as(c.all()).isTrue();
        TestHttp.get("http://127.0.0.1:" + port + "/not-here");
        assertThat(c.waitForLine("\"status\":\"404\"", 10_000)).as(c.all()).isTrue();
        signal(c, "TERM");
        assertThat(c.finish()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> lines;
        synchronized (c.stdout()) {
            lines = List.copyOf(c.stdout());
        }
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
        Child holder = launch("server", "--data-dir", tmp.resolve("held").toString(), "--http-address", "127.0.0.1:" + port);
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
            Child c = launch(b.args());
            assertThat(c.finish()).as(c.all()).isEqualTo(2);
            assertThat(c.stderr()).as(c.all()).hasSize(1);
            assertThat(c.stderr().get(0)).startsWith("sightline: error: ").contains(b.message());
        }
        signal(holder, "TERM");
        assertThat(holder.finish()).isZero();
    }
}
