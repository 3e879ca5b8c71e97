package io.sightline.server.ingest;

import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.sightline.common.LabelMatcher;
import io.sightline.server.TestHttp;
import io.sightline.server.lifecycle.SightlineServer;
import io.sightline.server.lifecycle.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenTelemetry Java SDK's own OTLP exporters (HTTP/protobuf and gRPC) sending to the real server. */
class OtlpIngestTest {
    @TempDir
    Path tmp;
    SightlineServer server;

    @BeforeEach
    void start() {
        server = TestServers.start(null, tmp.resolve("d"), List.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> stored(String metric) throws Exception {
        return TestServers.stored(server, LabelMatcher.equal("__name__", metric));
    }

    /** Records with the SDK and flushes once through {@code exporter}; the provider is closed after. */
    private static void recordAndFlush(MetricExporter exporter, java.util.function.Consumer<Meter> record) {
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "shop",
                        AttributeKey.stringKey("service.instance.id"), "pod-7",
                        AttributeKey.stringKey("deployment.environment"), "test"))))
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
                .build();
        try {
            record.accept(provider.get("io.sightline.test"));
            CompletableResultCode flushed = provider.forceFlush().join(20, TimeUnit.SECONDS);
            assertThat(flushed.isSuccess()).as("the exporter reported success").isTrue();
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    private static void record(Meter meter) {
        LongCounter orders = meter.counterBuilder("shop.orders").setUnit("{order}").build();
        orders.add(5, Attributes.of(AttributeKey.stringKey("region"), "eu"));
        DoubleHistogram latency = meter.histogramBuilder("checkout.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(List.of(0.25, 1.0, 5.0)).build();
        latency.record(0.2);
        latency.record(3);
        meter.gaugeBuilder("room.temperature").setUnit("Cel").buildWithCallback(m -> m.record(21.5));
    }

    /** Every export carries the same cumulative values (the SDK exports again when it shuts down). */
    private void checkStored() throws Exception {
        assertThat(stored("shop_orders_total")).isNotEmpty().allSatisfy(s -> assertThat(s)
                .startsWith("shop_orders_total{instance=\"pod-7\", job=\"shop\", region=\"eu\"}").endsWith(" 5.0"));
        assertThat(stored("checkout_duration_seconds_count")).isNotEmpty().allSatisfy(s -> assertThat(s).endsWith(" 2.0"));
        assertThat(stored("checkout_duration_seconds_sum")).isNotEmpty().allSatisfy(s -> assertThat(s).endsWith(" 3.2"));
        assertThat(stored("checkout_duration_seconds_bucket")).hasSizeGreaterThanOrEqualTo(4)
                .anySatisfy(s -> assertThat(s).contains("le=\"0.25\"").endsWith(" 1.0"))
                .anySatisfy(s -> assertThat(s).contains("le=\"1\"").endsWith(" 1.0"))
                .anySatisfy(s -> assertThat(s).contains("le=\"5\"").endsWith(" 2.0"))
                .anySatisfy(s -> assertThat(s).contains("le=\"+Inf\"").endsWith(" 2.0"));
        assertThat(stored("room_temperature_celsius")).isNotEmpty().allSatisfy(s -> assertThat(s).endsWith(" 21.5"));
        assertThat(stored("target_info")).isNotEmpty().allSatisfy(s -> assertThat(s).contains("deployment_environment=\"test\"")
                .contains("telemetry_sdk_language=\"java\"").contains("job=\"shop\""));
    }

    @Test
    void sdkHttpProtobufExporter() throws Exception {
        recordAndFlush(OtlpHttpMetricExporter.builder().setEndpoint(url(server, "/v1/metrics")).build(), OtlpIngestTest::record);
        checkStored();
    }

    @Test
    void sdkGrpcExporter_onTheSamePort() throws Exception {
        recordAndFlush(OtlpGrpcMetricExporter.builder().setEndpoint(url(server, "")).build(), OtlpIngestTest::record);
        checkStored();
    }

    /** The SDK's gRPC exporter with gzip: compressed messages (grpc-encoding: gzip) are read too. */
    @Test
    void sdkGrpcExporter_gzip() throws Exception {
        recordAndFlush(OtlpGrpcMetricExporter.builder().setEndpoint(url(server, "")).setCompression("gzip").build(),
                OtlpIngestTest::record);
        checkStored();
    }

    /** listeners.otlp_http and otlp_grpc: the SDK's default ports work, and serve OTLP only. */
    @Test
    void sdkExporters_onTheDedicatedOtlpPorts_whichServeNothingElse() throws Exception {
        server.close();
        int httpPort = TestHttp.freePort();
        int grpcPort = TestHttp.freePort();
        Path config = tmp.resolve("otlp.yml");
        java.nio.file.Files.writeString(config, """
                listeners:
                  otlp_http: {address: "127.0.0.1:%d"}
                  otlp_grpc: {address: "127.0.0.1:%d"}
                """.formatted(httpPort, grpcPort));
        server = TestServers.start(config, tmp.resolve("d2"), List.of());
        recordAndFlush(OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:" + httpPort + "/v1/metrics").build(),
                OtlpIngestTest::record);
        checkStored();
        int before = stored("shop_orders_total").size();
        recordAndFlush(OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + grpcPort).build(),
                OtlpIngestTest::record);
        checkStored();
        assertThat(stored("shop_orders_total").size()).as("the gRPC export added samples").isGreaterThan(before);
        assertThat(TestHttp.get("http://127.0.0.1:" + httpPort + "/api/v1/query?query=up").statusCode()).isEqualTo(404);
        assertThat(TestHttp.get("http://127.0.0.1:" + grpcPort + "/metrics").statusCode()).isEqualTo(404);
        assertThat(TestHttp.get(url(server, "/api/v1/query?query=up")).statusCode()).isEqualTo(200);
    }

    @Test
    void sdkDeltaTemporality_isAccumulated() throws Exception {
        MetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url(server, "/api/v1/otlp/v1/metrics"))
                .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred()).build();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build()).build();
        try {
            LongCounter c = provider.get("t").counterBuilder("jobs").build();
            c.add(3);
            assertThat(provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
            Thread.sleep(5);
            c.add(4);
            assertThat(provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
        assertThat(stored("jobs_total")).extracting(s -> s.substring(s.lastIndexOf(' ') + 1)).containsExactly("3.0", "7.0");
    }

    /**
     * One process's life: a provider counting {@code n} jobs, exported (and again at shutdown). It counts for a few
     * milliseconds before its first export: a start time equal to a point's own time means "unknown" in OTLP.
     */
    private void jobsDone(long n) {
        recordAndFlush(OtlpHttpMetricExporter.builder().setEndpoint(url(server, "/v1/metrics")).build(), meter -> {
            meter.counterBuilder("jobs.done").build().add(n);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private double query(String expr, long atMs) throws Exception {
        String body = TestHttp.get(url(server, "/api/v1/query?query=" + java.net.URLEncoder.encode(expr,
                java.nio.charset.StandardCharsets.UTF_8) + "&time=" + atMs / 1000.0)).body();
        var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("data").path("result");
        assertThat(result.size()).as(expr + ": " + body).isEqualTo(1);
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /**
     * Cumulative points carry the SDK's start time (when its provider began counting), kept with the samples:
     * {@code start_timestamp()} shows it, and a restarted process whose counter is already past the old value is
     * still a reset for {@code resets()} and {@code increase()}, where the values alone (5, 5, 7, 7) hide it.
     */
    @Test
    void sdkStartTimes_showARestartTheValuesHide() throws Exception {
        long before = System.currentTimeMillis();
        jobsDone(5);
        Thread.sleep(20);
        long between = System.currentTimeMillis();
        jobsDone(7);
        long after = System.currentTimeMillis() + 1;
        assertThat(stored("jobs_done_total")).extracting(s -> s.substring(s.lastIndexOf(' ') + 1))
                .containsExactly("5.0", "5.0", "7.0", "7.0");
        double start = query("start_timestamp(jobs_done_total)", after);
        assertThat(start * 1000).as("the second process's start").isBetween((double) between - 1, (double) after);
        assertThat(query("resets(jobs_done_total[1m])", after)).isEqualTo(1);
        assertThat(query("timestamp(jobs_done_total)", after) * 1000).isGreaterThan(before);
        // 5 counted by the first process from its start, 7 by the second: 12, extrapolated to the end by at most
        // half a sample interval (without start times: 7 - 5 = 2, extrapolated).
        assertThat(query("increase(jobs_done_total[1m])", after)).isBetween(12.0, 18.0);
    }

    private HttpResponse<String> post(String type, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(server, "/v1/metrics")))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void json_partialSuccess_andBadInput() throws Exception {
        long nanos = System.currentTimeMillis() * 1_000_000L;
        var ok = post("application/json", """
                {"resourceMetrics":[{"scopeMetrics":[{"metrics":[
                  {"name":"json.gauge","gauge":{"dataPoints":[{"timeUnixNano":"%d","asDouble":1.5}]}},
                  {"name":"no.data"}]}]}]}
                """.formatted(nanos));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"rejectedDataPoints\":\"1\"").contains("has no data");
        assertThat(stored("json_gauge")).singleElement().asString().endsWith(" 1.5");

        var malformed = post("application/json", "{\"resourceMetrics\": 3}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).startsWith("{\"code\":3,\"message\":\"cannot parse the OTLP JSON body");
        var proto = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(server, "/v1/metrics")))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {10, 100, 1})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proto.statusCode()).isEqualTo(400);
        assertThat(new String(proto.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("cannot parse the OTLP protobuf body");
        var type = post("text/plain", "x");
        assertThat(type.statusCode()).isEqualTo(415);
        var get = TestHttp.get(url(server, "/v1/metrics"));
        assertThat(get.statusCode()).isEqualTo(405);
    }
}
