package io.sightline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code target/sightline.jar} exactly as a user runs it: catches what only packaging can
 * break (service files merged by the shade plugin, the manifest's main class, resources).
 */
@Tag("slow")
class PackagedJarIT {
    @TempDir
    Path tmp;

    static Path jar() {
        Path jar = Path.of(System.getProperty("sightline.jar", "target/sightline.jar"));
        assertThat(jar).as("run `mvn package` first").exists();
        return jar.toAbsolutePath();
    }

    @Test
    void jar_version() throws Exception {
        try (ChildProcess c = ChildProcess.java(tmp, List.of("-jar", jar().toString(), "--version"))) {
            assertThat(c.finish()).isZero();
            assertThat(c.stdout()).singleElement().satisfies(l -> assertThat(l).matches("sightline \\S+ \\(java .+\\)"));
        }
    }

    @Test
    void jar_serverWithEmbeddedDefaults_servesAndStopsCleanly() throws Exception {
        int port = TestHttp.freePort();
        try (ChildProcess c = ChildProcess.java(tmp, List.of("-jar", jar().toString(), "server",
                "--http-address", "127.0.0.1:" + port))) {
            assertThat(c.waitForLine("Sightline is ready", 30_000)).as(c.all()).isTrue();
            String base = "http://127.0.0.1:" + port;
            assertThat(TestHttp.get(base + "/-/healthy").statusCode()).isEqualTo(200);
            assertThat(TestHttp.get(base + "/-/ready").statusCode()).isEqualTo(200);
            assertThat(TestHttp.get(base + "/metrics").body()).contains("sightline_build_info{");
            assertThat(Files.exists(tmp.resolve("data/lock"))).as("data in ./data by default").isTrue();
            c.signal("TERM");
            assertThat(c.finish()).as(c.all()).isZero();
            assertThat(c.stdout()).anySatisfy(l -> assertThat(l).contains("Sightline stopped cleanly"));
            assertThat(c.stderr()).as("no warnings from the JVM or libraries").isEmpty();
        }
    }

    @Test
    void sigterm_withARequestStillSendingItsBody_stopsAfterTheShutdownTimeout_cleanly() throws Exception {
        int port = TestHttp.freePort();
        try (ChildProcess c = ChildProcess.java(tmp, List.of("-jar", jar().toString(), "server",
                "--http-address", "127.0.0.1:" + port, "--shutdown-timeout", "2s"))) {
            assertThat(c.waitForLine("Sightline is ready", 30_000)).as(c.all()).isTrue();
            java.net.Socket slow = new java.net.Socket("127.0.0.1", port);
            // A client that announces a body and never sends it: its request stays in flight.
            slow.getOutputStream().write(("POST /api/v1/query HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nquery=up")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            c.signal("TERM");
            assertThat(c.finish()).as(c.all()).isZero();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("stopped after the 2 s timeout").isBetween(1_500L, 15_000L);
            assertThat(c.stdout()).anySatisfy(l -> assertThat(l).contains("Sightline stopped cleanly"));
            assertThat(c.all()).as("a connection closed by the shutdown is no error").doesNotContain("level=error");
            slow.close();
        }
    }
}
