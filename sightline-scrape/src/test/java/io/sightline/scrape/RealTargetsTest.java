package io.sightline.scrape;

import static io.sightline.scrape.ScrapeTesting.job;
import static io.sightline.scrape.ScrapeTesting.read;
import static io.sightline.scrape.ScrapeTesting.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.LabelMatcher;
import io.sightline.scrape.ScrapeTesting.Sample;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real exposition from real producers: Micrometer's Prometheus registry (which answers OpenMetrics or
 * the text format by {@code Accept}, as an application would) and Debian's
 * {@code prometheus-node-exporter}.
 */
class RealTargetsTest {
    private static final long T0 = System.currentTimeMillis() - 120_000;

    @Test
    void micrometerPrometheusRegistry_servesOpenMetrics_thatWeStore() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("orders").tag("region", "eu").description("Orders taken").register(registry).increment(5);
        Timer.builder("checkout").publishPercentileHistogram().register(registry).record(Duration.ofMillis(120));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/actuator/prometheus", ex -> {
            String accept = ex.getRequestHeaders().getFirst("Accept");
            String type = accept != null && accept.contains("application/openmetrics-text")
                    ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8";
            served.add(type);
            byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
        try (ScrapeManager m = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 1000, 0, () -> T0, false))) {
            ScrapeConfig c = job("shop", List.of("127.0.0.1:" + server.getAddress().getPort()));
            c = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), "/actuator/prometheus", "http",
                    c.params(), false, true, true, 0, 0, c.http(), c.staticConfigs(), List.of(), List.of(), List.of());
            m.apply(List.of(c), Path.of("."));
            Target t = m.pools().get(0).active().get(0);
            m.loop(t).scrapeOnce(T0).get();
            assertThat(t.lastError()).isEmpty();
            assertThat(served).containsExactly("application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(samples(storage, "orders_total", "region", "eu", "job", "shop")).containsExactly(new Sample(T0, 5));
            assertThat(read(storage, LabelMatcher.equal("__name__", "checkout_seconds_bucket")).size()).isGreaterThan(10);
            assertThat(samples(storage, "checkout_seconds_count")).containsExactly(new Sample(T0, 1));
            assertThat(t.metadata().get("orders")).isEqualTo(new Target.Metadata("counter", "Orders taken", ""));
        } finally {
            server.stop(0);
            storage.close();
        }
    }

    @Test
    @Tag("slow")
    void debianNodeExporter_isScraped() throws Exception {
        Path binary = Path.of("/usr/bin/prometheus-node-exporter");
        assumeTrue(Files.isExecutable(binary), "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter);"
                + " CI installs it");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(binary.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
        try (ScrapeManager m = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 1000, 0, () -> T0, false))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    break;
                } catch (java.io.IOException notYet) {
                    if (System.nanoTime() > deadline || !p.isAlive()) {
                        throw new AssertionError("node exporter did not start");
                    }
                    Thread.sleep(50);
                }
            }
            m.apply(List.of(job("node", List.of("127.0.0.1:" + port))), Path.of("."));
            Target t = m.pools().get(0).active().get(0);
            m.loop(t).scrapeOnce(T0).get();
            assertThat(t.lastError()).isEmpty();
            assertThat(samples(storage, "up", "job", "node")).containsExactly(new Sample(T0, 1));
            assertThat(read(storage, LabelMatcher.equal("__name__", "node_cpu_seconds_total"))).isNotEmpty();
            assertThat(samples(storage, "scrape_samples_scraped").get(0).v()).isGreaterThan(100);
            assertThat(t.metadata().get("node_cpu_seconds_total").type()).isEqualTo("counter");
        } finally {
            p.destroy();
            p.waitFor();
            storage.close();
        }
    }
}
