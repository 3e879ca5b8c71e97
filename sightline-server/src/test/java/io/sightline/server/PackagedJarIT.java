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
}
