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

    /** The README's options file for small hosts, at the repository's root. */
    static Path smallHostOptions() {
        Path options = Path.of("..", "small-host.jvmopts").toAbsolutePath().normalize();
        assertThat(options).as("the README's options file for small hosts").exists();
        return options;
    }

    /** The README's command for a small host. */
    @Test
    void jar_withTheSmallHostOptionsFile_startsWithThemInForce_quietly() throws Exception {
        Path options = smallHostOptions();
        int port = TestHttp.freePort();
        try (ChildProcess c = ChildProcess.java(tmp, List.of("@" + options, "-jar", jar().toString(), "server",
                "--http-address", "127.0.0.1:" + port))) {
            assertThat(c.waitForLine("Sightline is ready", 30_000)).as(c.all()).isTrue();
            String metrics = TestHttp.get("http://127.0.0.1:" + port + "/metrics").body();
            assertThat(metrics).as("the serial collector's old generation").contains("id=\"Tenured Gen\"");
            long heapMax = metrics.lines().filter(l -> l.startsWith("jvm_memory_max_bytes{area=\"heap\""))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(heapMax).as("the heap's bound, over its pools").isBetween(200L << 20, 256L << 20);
            c.signal("TERM");
            assertThat(c.finish()).as(c.all()).isZero();
            // HotSpot prints each CompileCommand it takes unless told to be quiet, and one it cannot parse always.
            assertThat(c.stdout()).as(c.all()).noneSatisfy(l -> assertThat(l).startsWith("CompileCommand"));
            assertThat(c.stderr()).as("no warnings from the JVM or libraries").isEmpty();
            assertThat(c.stdout()).as("the file gives the server's own JIT rule as a CompileCommand instead")
                    .anySatisfy(l -> assertThat(l).contains("JIT directive left out"));
        }
    }

    /**
     * Each compile command of the options file, checked one by one: HotSpot 17 to 20 start anyway after printing an
     * error for a command they cannot parse (21 and later refuse to start), and a pattern that parses but names no
     * package of the jar would scale nothing.
     */
    @Test
    void smallHostOptionsFile_everyCompileCommandParses_andNamesPackagesOfTheJar() throws Exception {
        List<String> commands = Files.readAllLines(smallHostOptions()).stream()
                .filter(l -> l.startsWith("-XX:CompileCommand=") && !l.equals("-XX:CompileCommand=quiet")).toList();
        assertThat(commands).as("the thresholds and the batch-read rule").hasSizeGreaterThanOrEqualTo(7);
        for (String command : commands) {
            try (ChildProcess c = ChildProcess.java(tmp, List.of(command, "-version"))) {
                assertThat(c.finish()).isZero();
                assertThat(c.stdout()).as(command).singleElement()
                        .satisfies(l -> assertThat(l).startsWith("CompileCommand: ").doesNotContain("error"));
            }
        }
        List<String> classes;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jar().toFile())) {
            classes = jar.stream().map(java.util.jar.JarEntry::getName).filter(n -> n.endsWith(".class")).toList();
        }
        for (String command : commands) {
            String pattern = command.split(",")[1]; // e.g. com/linecorp/*.*
            String prefix = pattern.substring(0, pattern.indexOf('*'));
            if (!prefix.startsWith("java/")) {
                assertThat(classes).as(command).anySatisfy(n -> assertThat(n).startsWith(prefix));
            }
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
