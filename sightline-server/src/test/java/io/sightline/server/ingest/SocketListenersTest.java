package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.graphite.GraphiteConfig;
import io.micrometer.graphite.GraphiteMeterRegistry;
import io.micrometer.graphite.GraphiteProtocol;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.sightline.common.LabelMatcher;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.SocketListenersService;
import io.sightline.server.lifecycle.TestServers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphite (TCP) and StatsD (UDP) listeners on real sockets, fed by hand and by Micrometer's real clients. */
class SocketListenersTest {
    @TempDir
    Path tmp;
    SightlineServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private SightlineServer start(String listeners) throws Exception {
        Path config = tmp.resolve("sightline.yml");
        Files.writeString(config, listeners + """
                ingest:
                  relabel_configs:
                    - source_labels: [__name__]
                      regex: debug_.*
                      action: drop
                """);
        server = TestServers.start(config, tmp.resolve("d"), List.of());
        return server;
    }

    private InetSocketAddress graphite() {
        return server.service(SocketListenersService.class).graphiteAddress();
    }

    private InetSocketAddress statsd() {
        return server.service(SocketListenersService.class).statsdAddress();
    }

    private List<String> stored(String nameRegex) throws Exception {
        return TestServers.stored(server, LabelMatcher.regex("__name__", nameRegex));
    }

    /** Polls until {@code check} holds: the listeners store asynchronously of the sender. */
    private static <T> T eventually(Callable<T> get, java.util.function.Predicate<T> check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        T v = get.call();
        while (!check.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = get.call();
        }
        return v;
    }

    private String selfMetrics() {
        return TestHttp.get(url(server, "/metrics")).body();
    }

    private static void sendTcp(InetSocketAddress to, byte[] data) throws Exception {
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            s.getOutputStream().write(data);
        }
    }

    @Test
    void graphite_linesAndTags_storedWithTheirTimestamps_badLinesRefusedAlone() throws Exception {
        start("""
                listeners:
                  graphite: {address: "127.0.0.1:0"}
                """);
        long t = System.currentTimeMillis() / 1000 - 60;
        String body = "servers.web-1.cpu.load 0.75 " + t + "\n"
                + "disk.used;host=a;mount.point=/var 42 " + t + ".5\r\n"
                + "not.a.number abc " + t + "\n"
                + "\n"
                + "debug_noise 1 " + t + "\n"
                + "only.path\n"
                + "no.timestamp 7";
        sendTcp(graphite(), body.getBytes(StandardCharsets.UTF_8));
        List<String> got = eventually(() -> stored(".+"), l -> l.size() == 3);
        long ms = t * 1000;
        assertThat(got).hasSize(3).contains(
                "disk_used{host=\"a\", mount_point=\"/var\"} " + (ms + 500) + " 42.0",
                "servers_web_1_cpu_load " + ms + " 0.75");
        assertThat(got).anySatisfy(l -> assertThat(l).startsWith("no_timestamp ").endsWith(" 7.0"));
        String m = selfMetrics();
        assertThat(m).contains("sightline_graphite_lines_refused_total{reason=\"invalid_value\"} 1.0")
                .contains("sightline_graphite_lines_refused_total{reason=\"malformed\"} 1.0")
                .contains("sightline_ingest_samples_total{protocol=\"graphite\"} 3.0")
                .contains("sightline_ingest_samples_relabeled_away_total{protocol=\"graphite\"} 1.0");
    }

    @Test
    void graphite_tooLongAndInvalidUtf8Lines_areRefused_theRestOfTheStreamIsKept() throws Exception {
        start("""
                listeners:
                  graphite: {address: "127.0.0.1:0"}
                """);
        long t = System.currentTimeMillis() / 1000 - 60;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("before 1 " + t + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes("long.".repeat(30_000).getBytes(StandardCharsets.UTF_8)); // 150 kB without a newline
        out.writeBytes((" 1 " + t + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xC3, (byte) 0x28, ' ', '1', '\n'});
        out.writeBytes(("after 2 " + t + "\n").getBytes(StandardCharsets.UTF_8));
        sendTcp(graphite(), out.toByteArray());
        long ms = t * 1000;
        assertThat(eventually(() -> stored(".+"), l -> l.size() == 2)).containsExactly(
                "after " + ms + " 2.0", "before " + ms + " 1.0");
        String m = eventually(this::selfMetrics, s -> s.contains("reason=\"invalid_utf8\""));
        assertThat(m).contains("sightline_graphite_lines_refused_total{reason=\"too_long\"} 1.0")
                .contains("sightline_graphite_lines_refused_total{reason=\"invalid_utf8\"} 1.0");
    }

    @Test
    void graphite_beyondMaxConnections_theNewConnectionIsClosed() throws Exception {
        start("""
                listeners:
                  graphite: {address: "127.0.0.1:0", max_connections: 1}
                """);
        try (Socket first = new Socket(graphite().getAddress(), graphite().getPort())) {
            first.getOutputStream().write("held 1\n".getBytes(StandardCharsets.UTF_8));
            eventually(() -> stored("held"), l -> l.size() == 1);
            try (Socket second = new Socket(graphite().getAddress(), graphite().getPort())) {
                second.setSoTimeout(10_000);
                InputStream in = second.getInputStream();
                assertThat(in.read()).as("the server closes the connection beyond the limit").isEqualTo(-1);
            }
            assertThat(selfMetrics()).contains("sightline_graphite_connections_refused_total 1.0");
            OutputStream o = first.getOutputStream();
            o.write("held 2\n".getBytes(StandardCharsets.UTF_8));
            o.flush();
        }
        assertThat(eventually(() -> stored("held"), l -> l.size() == 2)).hasSize(2);
    }

    @Test
    void graphite_micrometersGraphiteRegistry_isStored() throws Exception {
        start("""
                listeners:
                  graphite: {address: "127.0.0.1:0"}
                """);
        int port = graphite().getPort();
        GraphiteConfig cfg = new GraphiteConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public GraphiteProtocol protocol() {
                return GraphiteProtocol.PLAINTEXT;
            }

            @Override
            public Duration step() {
                return Duration.ofSeconds(1);
            }
        };
        GraphiteMeterRegistry registry = new GraphiteMeterRegistry(cfg, Clock.SYSTEM);
        try {
            Counter.builder("shop.orders").tags(Tags.of("region", "eu")).register(registry).increment(5);
            // Micrometer's Graphite registry writes Graphite 1.1 tags: name;tag=value
            List<String> got = eventually(() -> stored("shop_orders.*"), l -> !l.isEmpty());
            assertThat(got).isNotEmpty().allSatisfy(l -> assertThat(l).contains("region=\"eu\""));
        } finally {
            registry.close();
        }
    }

    @Test
    void statsd_countersGaugesTimersSetsAndTags_aggregatedAndFlushed() throws Exception {
        start("""
                listeners:
                  statsd: {address: "127.0.0.1:0", flush_interval: 1h, quantiles: [0.5, 1]}
                """);
        String packet = String.join("\n",
                "page.views:3|c|#path:/home",
                "page.views:1|c|@0.1|#path:/home",
                "queue.depth:10|g",
                "queue.depth:-4|g",
                "api.latency:120|ms|#op:get",
                "api.latency:80|ms|#op:get",
                "users.online:alice|s",
                "users.online:bob|s",
                "users.online:alice|s",
                "bad.counter:-1|c",
                "debug_x:1|c",
                "no_type:1");
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] b = packet.getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(b, b.length, statsd()));
            byte[] bad = {'x', (byte) 0xFF, ':', '1', '|', 'c', '\n', 'o', 'k', ':', '2', '|', 'c'};
            s.send(new DatagramPacket(bad, bad.length, statsd()));
        }
        eventually(this::selfMetrics, m -> m.contains("sightline_statsd_packets_total 2.0")
                && m.contains("reason=\"invalid_utf8\""));
        IngestPipeline.Outcome o = server.service(SocketListenersService.class).statsd().flush();
        assertThat(o.kind()).isEqualTo(IngestPipeline.Outcome.Kind.STORED);
        List<String> got = stored(".+").stream().map(l -> l.replaceAll(" \\d{13} ", " T ")).toList();
        assertThat(got).containsExactlyInAnyOrder(
                "api_latency_count{op=\"get\"} T 2.0",
                "api_latency_sum{op=\"get\"} T 0.2",
                "api_latency{op=\"get\", quantile=\"0.5\"} T 0.08",
                "api_latency{op=\"get\", quantile=\"1\"} T 0.12",
                "ok T 2.0",
                "page_views{path=\"/home\"} T 13.0",
                "queue_depth T 6.0",
                "users_online T 2.0");
        String m = selfMetrics();
        assertThat(m).contains("sightline_statsd_lines_refused_total{reason=\"invalid_value\"} 1.0")
                .contains("sightline_statsd_lines_refused_total{reason=\"malformed\"} 1.0")
                .contains("sightline_statsd_lines_refused_total{reason=\"invalid_utf8\"} 1.0")
                .contains("sightline_ingest_samples_relabeled_away_total{protocol=\"statsd\"} 1.0");
    }

    @Test
    void statsd_micrometersDogStatsdRegistry_isStoredAtEachFlush() throws Exception {
        start("""
                listeners:
                  statsd: {address: "127.0.0.1:0", flush_interval: 200ms, timer_type: histogram, buckets: [0.1, 1]}
                """);
        int port = statsd().getPort();
        StatsdConfig cfg = new StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return StatsdFlavor.DATADOG;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public boolean buffered() {
                return false;
            }
        };
        StatsdMeterRegistry registry = new StatsdMeterRegistry(cfg, Clock.SYSTEM);
        try {
            // The registry connects its UDP client in the background and drops lines until then: probe first.
            Counter probe = registry.counter("probe");
            String metrics = eventually(() -> {
                probe.increment();
                return selfMetrics();
            }, m -> !m.contains("sightline_statsd_packets_total 0.0"));
            assertThat(metrics).contains("sightline_statsd_packets_total");
            Counter.builder("shop.orders").tags("region", "eu").register(registry).increment(5);
            Timer timer = Timer.builder("checkout.duration").tags("region", "eu").register(registry);
            timer.record(Duration.ofMillis(50));
            timer.record(Duration.ofMillis(400));
            List<String> got = eventually(() -> stored("shop_orders|checkout_duration.*"),
                    l -> l.stream().anyMatch(s -> s.startsWith("shop_orders{") && s.endsWith(" 5.0"))
                            && l.stream().anyMatch(s -> s.startsWith("checkout_duration_count{") && s.endsWith(" 2.0")));
            assertThat(got).anySatisfy(l -> assertThat(l).startsWith("shop_orders{region=\"eu\"").endsWith(" 5.0"));
            assertThat(got).anySatisfy(l -> assertThat(l)
                    .startsWith("checkout_duration_bucket{le=\"0.1\", region=\"eu\"").endsWith(" 1.0"));
            assertThat(got).anySatisfy(l -> assertThat(l)
                    .startsWith("checkout_duration_bucket{le=\"1\", region=\"eu\"").endsWith(" 2.0"));
            assertThat(got).anySatisfy(l -> assertThat(l).startsWith("checkout_duration_sum{region=\"eu\"").endsWith(" 0.45"));
        } finally {
            registry.close();
        }
    }

    @Test
    void busyPort_failsTheStartWithTheListenerNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = tmp.resolve("busy.yml");
            Files.writeString(config, "listeners:\n  graphite: {address: \"127.0.0.1:" + taken.getLocalPort() + "\"}\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServers.start(config, tmp.resolve("busy"), List.of()))
                    .hasStackTraceContaining("cannot listen on listeners.graphite 127.0.0.1:" + taken.getLocalPort() + " (TCP)");
        }
    }
}
