package io.sightline.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's {@code prometheus} binary as a real peer in tests: started on a free loopback port with its
 * own data directory and the given config, ready when {@link #start} returns, stopped by {@link #close}.
 * Tests that need it are skipped, with the reason, where the package is not installed.
 */
public final class DebianPrometheus implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final String url;
    private final Path log;

    private DebianPrometheus(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Starts it with {@code configYaml} under {@code dir}; {@code flags} are extra command-line flags. */
    public static DebianPrometheus start(Path dir, String configYaml, String... flags)
            throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(BINARY), "needs Debian's prometheus package (.ci/run installs it)");
        int port = TestHttp.freePort();
        Path config = Files.writeString(dir.resolve("prometheus.yml"), configYaml);
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + port));
        cmd.addAll(List.of(flags));
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        DebianPrometheus prom = new DebianPrometheus(p, "http://127.0.0.1:" + port, log);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!prom.ready()) {
            if (System.currentTimeMillis() > deadline || !p.isAlive()) {
                prom.close();
                throw new IllegalStateException("prometheus did not become ready: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        return prom;
    }

    private boolean ready() {
        try {
            return TestHttp.get(url + "/-/ready").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
